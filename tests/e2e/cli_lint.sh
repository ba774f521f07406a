#!/usr/bin/env bash
# `omnigraph lint` (and its deprecated shims) on small files under
# tests/data/lang: human and JSON reports, exit codes, refusals.
set -u
og="$1/omnigraph"
d="$(cd "$(dirname "$0")/../data/lang" && pwd)"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# human report, warning only: exit 0
out=$("$og" lint --query "$d/lint_update_policy.gq" --schema "$d/lint_policy.pg") || fail "warn exit $?"
echo "$out" | grep -qx 'OK    query `update_policy` (mutation)' || fail "no OK line: $out"
echo "$out" | grep -qx 'WARN  Policy.effectiveTo exists in schema but no update query sets it' || fail "no L201: $out"
echo "$out" | grep -qx 'INFO  Lint complete: 1 queries processed (0 error(s), 1 warning(s), 0 info item(s))' || fail "summary: $out"

# human report, type error: exit 1, error line names the query
out=$("$og" lint --query "$d/lint_bad_update.gq" --schema "$d/lint_policy_min.pg"); rc=$?
[ $rc -eq 1 ] || fail "error exit $rc"
echo "$out" | grep -q '^ERROR query `bad_update`: type error: T11: ' || fail "error line: $out"

# JSON report: field order and values
"$og" lint --query "$d/lint_policy_warn.gq" --schema "$d/lint_policy.pg" --json > "$tmp/a.json" || fail "json exit $?"
head -2 "$tmp/a.json" | tail -1 | grep -qx '  "status": "ok",' || fail "status not first: $(head -3 "$tmp/a.json")"
python3 - "$tmp/a.json" "$d/lint_policy.pg" "$d/lint_policy_warn.gq" <<'PY' || fail "json content"
import json, sys
r = json.load(open(sys.argv[1]))
assert list(r) == ["status", "schema_source", "query_path", "queries_processed", "errors",
                   "warnings", "infos", "results", "findings"], list(r)
assert r["schema_source"] == {"kind": "file", "path": sys.argv[2]}
assert r["query_path"] == sys.argv[3]
assert r["queries_processed"] == 2 and r["warnings"] == 1 and r["errors"] == 0
assert r["results"][1]["operation"]["result"] == [
    {"name": "name", "kind": "string", "nullable": True},
    {"name": "effectiveTo", "kind": "datetime", "nullable": True}]
assert "warnings" not in r["results"][0] and "error" not in r["results"][0]
f = r["findings"][0]
assert (f["severity"], f["code"], f["property"], f["query_names"]) == \
    ("warning", "L201", "effectiveTo", ["update_policy"])
PY

# parse error: Q000, no results, exit 1
printf 'query broken(' > "$tmp/broken.gq"
"$og" lint --query "$tmp/broken.gq" --schema "$d/lint_person_name.pg" --json > "$tmp/q.json"; rc=$?
[ $rc -eq 1 ] || fail "Q000 exit $rc"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["status"]=="error" and r["results"]==[] and r["findings"][0]["code"]=="Q000", r' "$tmp/q.json" || fail "Q000 json"

# shims print the same JSON, with a deprecation note on stderr
"$og" lint --query "$d/lint_list_people.gq" --schema "$d/lint_person_name.pg" --json > "$tmp/l.json" 2> "$tmp/l.err" || fail "lint exit"
[ -s "$tmp/l.err" ] && fail "lint wrote stderr: $(cat "$tmp/l.err")"
for shim in "check" "query lint" "query check"; do
  # shellcheck disable=SC2086
  "$og" $shim --query "$d/lint_list_people.gq" --schema "$d/lint_person_name.pg" --json > "$tmp/s.json" 2> "$tmp/s.err" || fail "$shim exit"
  cmp -s "$tmp/l.json" "$tmp/s.json" || fail "$shim output differs"
  grep -q "\`omnigraph $shim\` is deprecated; use \`omnigraph lint\`" "$tmp/s.err" || fail "$shim note: $(cat "$tmp/s.err")"
done

# refusals
"$og" lint --query "$d/lint_list_people.gq" 2> "$tmp/e" && fail "no schema accepted"
grep -q 'lint requires --schema <schema.pg>' "$tmp/e" || fail "no-schema message: $(cat "$tmp/e")"
"$og" lint --query "$d/lint_list_people.gq" "$tmp/g.omni" 2> "$tmp/e" && fail "missing graph accepted"
grep -q 'not found' "$tmp/e" || fail "missing graph message: $(cat "$tmp/e")"

# the graph form lints against the graph's accepted schema
"$og" init --schema "$d/lint_person_name.pg" "$tmp/g.omni" >/dev/null || fail "init graph"
"$og" query lint --query "$d/lint_list_people.gq" --json "$tmp/g.omni" > "$tmp/g.json" 2>/dev/null \
    || fail "graph lint exit"
grep -q '"kind": "graph"' "$tmp/g.json" && grep -q '"status": "ok"' "$tmp/g.json" \
    || fail "graph lint output: $(cat "$tmp/g.json")"
"$og" lint --query "$d/lint_list_people.gq" --store "$tmp/g.omni" > /dev/null || fail "--store lint"
"$og" lint --query "$d/lint_list_people.gq" http://127.0.0.1:8080 2> "$tmp/e" && fail "http accepted"
grep -q '`lint` is a direct (storage-native) command and needs direct storage access' "$tmp/e" || fail "http message"
grep -q 'remote server' "$tmp/e" || fail "http message (remote server)"
"$og" lint --query "$tmp/nope.gq" --schema "$d/lint_policy.pg" 2> "$tmp/e"; rc=$?
[ $rc -eq 1 ] || fail "missing file exit $rc"
grep -q 'cannot read query file' "$tmp/e" || fail "missing file message"
"$og" lint --bogus 2>/dev/null; rc=$?
[ $rc -eq 2 ] || fail "unknown flag exit $rc"
echo ok
