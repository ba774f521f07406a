#!/usr/bin/env bash
# The CLI's main verbs run clean under valgrind memcheck: no invalid reads or
# writes, no uninitialised jumps, no definite leaks. Skips (exit 0 with a
# note) when valgrind is not installed.
set -u
og="$1/omnigraph"
src=$(cd "$(dirname "$0")/../.." && pwd)
ex="$src/examples"
command -v valgrind >/dev/null || { echo "SKIP: valgrind not installed"; exit 0; }
# An ASan build cannot run under valgrind; the sanitizers cover it there.
if grep -q __asan_init "$og" 2>/dev/null; then echo "SKIP: sanitizer build"; exit 0; fi
t=$(mktemp -d "${TMPDIR:-/tmp}/og-e2e-vg.XXXXXX")
trap 'rm -rf "$t"' EXIT
g="$t/g.omni"
vg() {
    valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
        --log-file="$t/vg.log" "$og" "$@" >"$t/out" 2>"$t/err"
    rc=$?
    if [ $rc -eq 99 ]; then echo "FAIL: valgrind errors in: omnigraph $*"; cat "$t/vg.log"; exit 1; fi
    return $rc
}
vg init --schema "$ex/demo.pg" "$g" || { echo "FAIL: init"; cat "$t/err"; exit 1; }
vg load --data "$ex/demo.jsonl" --mode overwrite "$g" || { echo "FAIL: load"; cat "$t/err"; exit 1; }
vg query --store "$g" --query "$ex/demo.gq" studying --params '{"slug":"computing"}' --format table \
    || { echo "FAIL: query"; cat "$t/err"; exit 1; }
grep -q 'Ada' "$t/out" || { echo "FAIL: query output"; cat "$t/out"; exit 1; }
vg mutate --store "$g" --query "$ex/demo.gq" add_person --params '{"name":"Vera","born":1990}' --json \
    || { echo "FAIL: mutate"; cat "$t/err"; exit 1; }
vg branch create review --uri "$g" || { echo "FAIL: branch"; cat "$t/err"; exit 1; }
vg export "$g" || { echo "FAIL: export"; cat "$t/err"; exit 1; }
[ "$(wc -l < "$t/out")" -eq 17 ] || { echo "FAIL: export lines"; exit 1; }
vg commit list "$g" --json || { echo "FAIL: commit list"; cat "$t/err"; exit 1; }
vg lint --schema "$ex/demo.pg" --query "$ex/demo.gq" || { echo "FAIL: lint"; cat "$t/err"; exit 1; }
# the verbs of merge, search, change feed and schema evolution
vg mutate --store "$g" --query "$ex/demo.gq" add_person --params '{"name":"Wes","born":1991}' \
    --branch review || { echo "FAIL: mutate on review"; cat "$t/err"; exit 1; }
vg branch merge review --uri "$g" --json || { echo "FAIL: merge"; cat "$t/err"; exit 1; }
grep -q '"outcome"' "$t/out" || { echo "FAIL: merge output"; cat "$t/out"; exit 1; }
head=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["graph_commit_id"])' "$t/out")
[ -n "$head" ] || { echo "FAIL: merge made no commit"; cat "$t/out"; exit 1; }
vg commit changes "$head" --uri "$g" --json || { echo "FAIL: commit changes"; cat "$t/err"; exit 1; }
grep -q 'Wes' "$t/out" || { echo "FAIL: changes output"; cat "$t/out"; exit 1; }
vg query --store "$g" -e 'query s($q: String) { match { $p: Person } return { $p.name } order { bm25($p.name, $q) } limit 2 }' \
    --params '{"q":"Wes"}' --format jsonl || { echo "FAIL: search query"; cat "$t/err"; exit 1; }
grep -q 'Wes' "$t/out" || { echo "FAIL: search output"; cat "$t/out"; exit 1; }
printf '%s\nnode Lab {\n    name: String @key\n}\n' "$(cat "$ex/demo.pg")" >"$t/v2.pg"
vg schema plan --schema "$t/v2.pg" "$g" --json || { echo "FAIL: schema plan"; cat "$t/err"; exit 1; }
echo ok
