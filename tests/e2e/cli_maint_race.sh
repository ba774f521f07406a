#!/usr/bin/env bash
# optimize and cleanup racing writer processes (bounded): every writer
# failure is a conflict (retried), optimize/cleanup fail only with a
# conflict or a pending write (recovery required), and every acknowledged
# write is present at the end with the graph consistent on reopen.
set -u
og="$1/omnigraph"
src=$(cd "$(dirname "$0")/../.." && pwd)
ex="$src/examples"
t=$(mktemp -d "${TMPDIR:-/tmp}/og-e2e-maintrace.XXXXXX")
trap 'rm -rf "$t"' EXIT
g="$t/g.omni"
fail() { echo "FAIL: $*"; exit 1; }
"$og" init --schema "$ex/demo.pg" "$g" >/dev/null || fail init
writer() {
    local w=$1
    for i in $(seq 1 12); do
        for attempt in $(seq 1 20); do
            if "$og" mutate --no-auto-maintenance --store "$g" --query "$ex/demo.gq" add_person \
                --params "{\"name\":\"w$w-$i\",\"born\":$i}" >/dev/null 2>"$t/err.$w"; then
                echo "w$w-$i" >>"$t/acked.$w"
                break
            fi
            grep -qiE 'conflict|recovery' "$t/err.$w" || { echo "writer $w: $(cat "$t/err.$w")" >>"$t/bad"; break; }
        done
    done
}
maintainer() {
    for i in $(seq 1 15); do
        if ! "$og" optimize "$g" >/dev/null 2>"$t/err.m"; then
            grep -qiE 'conflict|recovery required' "$t/err.m" || echo "optimize: $(cat "$t/err.m")" >>"$t/bad"
        fi
        if ! "$og" cleanup "$g" --keep 3 --confirm >/dev/null 2>"$t/err.c"; then
            grep -qiE 'conflict|recovery required' "$t/err.c" || echo "cleanup: $(cat "$t/err.c")" >>"$t/bad"
        fi
    done
}
writer 1 & writer 2 & writer 3 & maintainer &
wait
[ -f "$t/bad" ] && fail "untyped failures: $(cat "$t/bad")"
"$og" query --store "$g" --query "$ex/demo.gq" people --format jsonl >"$t/people" || fail "query after the race"
acked=$(cat "$t"/acked.* 2>/dev/null | wc -l)
[ "$acked" -gt 20 ] || fail "only $acked writes acknowledged"
for n in $(cat "$t"/acked.*); do grep -q "\"$n\"" "$t/people" || fail "acknowledged $n lost"; done
"$og" optimize "$g" >/dev/null 2>&1 || fail "optimize after the race"
echo "cli_maint_race: $acked acknowledged writes, all present"
