#!/usr/bin/env bash
# Two mutations of one table racing from the same base: each either commits
# or exits 1 with a conflict message naming table_key, expected and actual;
# no update is lost or half-applied, and within a bounded number of rounds
# at least one race is actually lost.
set -u
og="$1/omnigraph"
src=$(cd "$(dirname "$0")/../.." && pwd)
ex="$src/examples"
t=$(mktemp -d "${TMPDIR:-/tmp}/og-e2e-conflict.XXXXXX")
trap 'rm -rf "$t"' EXIT
g="$t/g.omni"
fail() { echo "FAIL: $*"; exit 1; }
"$og" init --schema "$ex/demo.pg" "$g" >/dev/null || fail init
ok=0; lost=0
for round in $(seq 1 25); do
    for w in a b; do
        "$og" mutate --store "$g" --query "$ex/demo.gq" add_person \
            --params "{\"name\":\"p$round$w\",\"born\":$round}" >"$t/out.$w" 2>"$t/err.$w" &
    done
    wait %1; ra=$?
    wait %2; rb=$?
    for w in a b; do
        r=$ra; [ $w = b ] && r=$rb
        if [ "$r" = 0 ]; then
            ok=$((ok + 1))
        elif [ "$r" = 1 ]; then
            grep -q 'conflict' "$t/err.$w" && grep -q 'table_key node:Person' "$t/err.$w" \
                && grep -q 'expected' "$t/err.$w" && grep -q 'actual' "$t/err.$w" \
                || fail "round $round: unexpected failure: $(cat "$t/err.$w")"
            lost=$((lost + 1))
        else
            fail "round $round: exit $r: $(cat "$t/err.$w")"
        fi
    done
    [ $lost -gt 0 ] && [ $round -ge 5 ] && break
done
rows=$("$og" query --store "$g" --query "$ex/demo.gq" people --format jsonl | tail -n +2 | wc -l)
[ "$rows" = "$ok" ] || fail "$ok commits but $rows people"
[ $lost -gt 0 ] || fail "no race was lost in 25 rounds ($ok commits)"
echo "ok ($ok committed, $lost lost)"
