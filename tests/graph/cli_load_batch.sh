#!/usr/bin/env bash
# cli_load_batch.sh BUILD_DIR — `omnigraph load --batch` end to end: a file
# over the 8,192-entity limit is refused without --batch (the error points
# to --batch) and lands with it as bounded batches with `batch i/n:`
# progress on stderr; a failing later batch exits 1 naming the batch and
# what landed, and the earlier batches stay.
set -u
og="$1/omnigraph"
t=$(mktemp -d "${TMPDIR:-/tmp}/og-load-batch.XXXXXX")
trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
count() { "$og" snapshot --json "$t/g" | python3 -c 'import json,sys
d=json.load(sys.stdin)
print(sum(x["entity_count"] for x in d["datasets"] if x["type_name"]==sys.argv[1]))' "$1"; }

printf 'node Person {\n  slug: String @key\n}\nedge Knows: Person -> Person\n' >"$t/s.pg"
python3 - "$t" <<'PY'
import sys
t = sys.argv[1]
with open(t + "/d.jsonl", "w") as f:
    for i in range(10000): f.write('{"type":"Person","data":{"slug":"p%d"}}\n' % i)
    for i in range(1, 10000): f.write('{"edge":"Knows","from":"p%d","to":"p%d"}\n' % (i - 1, i))
with open(t + "/bad.jsonl", "w") as f:
    for i in range(10000): f.write('{"type":"Person","data":{"slug":"q%d"}}\n' % i)
    f.write('{"type":"Nope","data":{}}\n')
PY
"$og" init --schema "$t/s.pg" "$t/g" >/dev/null 2>&1 || fail init
"$og" load --data "$t/d.jsonl" --mode append "$t/g" >/dev/null 2>"$t/err" && fail "over-limit load without --batch succeeded"
grep -q -- "--batch" "$t/err" || fail "limit error does not mention --batch: $(cat "$t/err")"
[ "$(count Person)" = 0 ] || fail "refused load wrote rows"
"$og" load --data "$t/d.jsonl" --mode append --batch "$t/g" >"$t/out" 2>"$t/err" || fail "batched load: $(cat "$t/err")"
grep -q "^batch 1/3: lines 1-8192, 8192 entities, commit " "$t/err" || fail "no progress line 1: $(cat "$t/err")"
grep -q "^batch 3/3: " "$t/err" || fail "no progress line 3: $(cat "$t/err")"
grep -q "19999 entities" "$t/out" || fail "summary: $(cat "$t/out")"
[ "$(count Person)" = 10000 ] || fail "persons after batched load: $(count Person)"
[ "$(count Knows)" = 9999 ] || fail "edges after batched load: $(count Knows)"
"$og" load --data "$t/bad.jsonl" --mode append --batch "$t/g" >/dev/null 2>"$t/err" && fail "bad batched load succeeded"
grep -q "batch 2/2 (lines 8193-10001) failed; batches 1-1 landed" "$t/err" || fail "failure message: $(cat "$t/err")"
grep -q "line 10001" "$t/err" || fail "failure names no file line: $(cat "$t/err")"
[ "$(count Person)" = 18192 ] || fail "batch 1 of the failed load should stay: $(count Person)"
echo "ok"
