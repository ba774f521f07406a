#!/usr/bin/env bash
# server_stress.sh BUILD_DIR — concurrency of omnigraph-server on one graph:
# (1) two clients racing inserts into one table: one 200 and one 409 whose
#     body carries manifest_conflict {table_key, expected, actual} (bounded
#     loop until a race is observed);
# (2) 8 clients × OG_STRESS_REQUESTS (default 2,000) mixed requests, every
#     16th an insert (rotating over three node tables), the rest point
#     lookups, snapshots, schema reads and branch lists: zero 5xx, every
#     acknowledged write present afterwards, bounded by a timeout;
# (3) SIGKILL of the server mid-load, restart: the graph opens and every
#     acknowledged write is present.
set -u
. "$(dirname "$0")/../lib/e2e.sh"
build=${1:?build dir}
bin="$build/omnigraph-server"
og="$build/omnigraph"
load="$build/bench_server"
src=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
[ -x "$load" ] || fail "missing $load"

start() {
    : >"$tmp/out"
    "$bin" --graph g1="$tmp/g1" --unauthenticated --bind 127.0.0.1:0 >"$tmp/out" 2>"$tmp/err" &
    pid=$!
    addr=$(og_wait_listen "$tmp/out")
    [ -n "$addr" ] || { cat "$tmp/err"; fail "server did not start"; }
}
stop() { kill -INT "$pid"; wait "$pid"; rc=$?; pid=""; [ $rc -eq 0 ] || fail "server exit $rc on SIGINT"; }
# every name of ACKED must be an id of the exported graph
check_acked() {
    "$og" export "$tmp/g1" >"$tmp/export.ndjson" 2>/dev/null || fail "export after $1"
    sort -u "$tmp/acked" | sed 's/.*/"id":"&",/' >"$tmp/pats"
    want=$(wc -l <"$tmp/pats")
    got=$(grep -o -F -f "$tmp/pats" "$tmp/export.ndjson" | sort -u | wc -l)
    [ "$want" -gt 0 ] || fail "$1: no acknowledged writes"
    [ "$got" -eq "$want" ] || fail "$1: $got of $want acknowledged writes present"
    echo "$1: all $want acknowledged writes present"
}

"$og" init --schema "$src/examples/demo.pg" "$tmp/g1" >/dev/null 2>&1 || fail init
"$og" load --data "$src/examples/demo.jsonl" --mode overwrite "$tmp/g1" >/dev/null 2>&1 || fail load
start

# (1) write race
race=0
for i in $(seq 1 40); do
    for k in a b; do
        curl -s -o "$tmp/r$k" -w '%{http_code}' --max-time 20 -H 'Content-Type: application/json' \
            -d "{\"query\":\"query add(\$n: String){ insert Person { name: \$n, born: 1 } }\",\"params\":{\"n\":\"race_${i}_$k\"}}" \
            "http://$addr/graphs/g1/mutate" >"$tmp/s$k" &
    done
    wait $(jobs -p | grep -v "^$pid\$") 2>/dev/null
    sa=$(cat "$tmp/sa"); sb=$(cat "$tmp/sb")
    case "$sa$sb" in
    200200) ;;
    200409|409200)
        [ "$sa" = 409 ] && lost="$tmp/ra" || lost="$tmp/rb"
        grep -q '"code":"conflict"' "$lost" || fail "409 without code: $(cat "$lost")"
        grep -Eq '"manifest_conflict":\{"table_key":"node:Person","expected":[0-9]+,"actual":[0-9]+\}' "$lost" \
            || fail "409 body: $(cat "$lost")"
        race=1; break ;;
    *) fail "race statuses $sa $sb: $(cat "$tmp/ra") $(cat "$tmp/rb")" ;;
    esac
done
[ "$race" = 1 ] || fail "no write race observed in 40 rounds"
echo "race: one 200 and one 409 manifest_conflict after $i rounds"

# (2) bounded load
: >"$tmp/acked"
reqs=${OG_STRESS_REQUESTS:-2000}
timeout 240 "$load" load "$addr" g1 8 "$reqs" "$tmp/acked" --write-every 16 || fail "load run had bad statuses"
grep -q ' 500 \| 50[0-9] ' "$tmp/err" && fail "server logged 5xx"
stop
check_acked "load"

# (3) SIGKILL mid-load, restart
: >"$tmp/acked"
start
timeout 120 "$load" load "$addr" g1 4 2000 "$tmp/acked" --allow-disconnect >"$tmp/kill.out" &
lp=$!
for _ in $(seq 1 100); do [ "$(wc -l <"$tmp/acked")" -ge 20 ] && break; sleep 0.05; done
kill -9 "$pid"; wait "$pid" 2>/dev/null; pid=""
wait "$lp" || fail "load during kill: $(cat "$tmp/kill.out")"
start
curl -s -o "$tmp/body" --max-time 20 "http://$addr/graphs/g1/snapshot" || fail "snapshot after restart"
grep -q '"graph_branch":"main"' "$tmp/body" || fail "snapshot after restart: $(cat "$tmp/body")"
stop
check_acked "sigkill"
echo "server_stress: ok"
