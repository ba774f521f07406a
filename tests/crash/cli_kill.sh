#!/usr/bin/env bash
# SIGKILL `omnigraph load` at spread-out moments of its run, then let a
# read-write CLI verb (mutate) open the graph: it must recover (no sidecar
# left under __recovery/), the killed load must be wholly present or wholly
# absent, and the next write must succeed. Bounded: 12 rounds.
set -u
og="$1/omnigraph"
src=$(cd "$(dirname "$0")/../.." && pwd)
ex="$src/examples"
t=$(mktemp -d "${TMPDIR:-/tmp}/og-crash-kill.XXXXXX")
trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
n=3000
for i in $(seq 1 $n); do
    echo "{\"type\": \"Person\", \"data\": {\"name\": \"k$i\", \"born\": $((i % 2000))}}"
done >"$t/big.jsonl"
count() { "$og" query --store "$1" --query "$ex/demo.gq" people --format jsonl | tail -n +2 | wc -l; }
# How long a clean load takes (ms), to spread the kills over it.
g="$t/clean.omni"
"$og" init --schema "$ex/demo.pg" "$g" >/dev/null || fail init
s=$(date +%s%N)
"$og" load --store "$g" --data "$t/big.jsonl" --mode append >/dev/null 2>&1 || fail "clean load"
dur=$(( ($(date +%s%N) - s) / 1000000 ))
[ "$(count "$g")" = "$n" ] || fail "clean load count"
present=0; absent=0; recovered=0
for round in $(seq 1 12); do
    g="$t/g$round.omni"
    "$og" init --schema "$ex/demo.pg" "$g" >/dev/null || fail init
    "$og" load --store "$g" --data "$t/big.jsonl" --mode append >/dev/null 2>&1 &
    pid=$!
    delay=$(( dur * round / 12 ))
    sleep "$(printf '0.%03d' $((delay > 999 ? 999 : delay)))"
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    "$og" mutate --store "$g" --query "$ex/demo.gq" add_person \
        --params '{"name":"after","born":1}' >/dev/null 2>"$t/err" || fail "round $round: mutate after kill: $(cat "$t/err")"
    left=$(ls "$g/__recovery" 2>/dev/null | wc -l)
    [ "$left" = 0 ] || fail "round $round: $left sidecar(s) left after a read-write open"
    [ -d "$g/_graph_commit_recoveries" ] && recovered=$((recovered + 1))
    c=$(count "$g")
    if [ "$c" = 1 ]; then absent=$((absent + 1))
    elif [ "$c" = $((n + 1)) ]; then present=$((present + 1))
    else fail "round $round: $c people: the killed load is partly visible"; fi
done
echo "ok (clean load ${dur} ms; killed load present $present, absent $absent; $recovered needed recovery)"
