#!/usr/bin/env bash
# A user's round trip through the CLI on a local graph: init, load, query
# in every output format, mutate, branch isolation, commit history, export
# round trip into a fresh graph, snapshot counts and exit codes.
set -u
og="$1/omnigraph"
src=$(cd "$(dirname "$0")/../.." && pwd)
ex="$src/examples"
t=$(mktemp -d "${TMPDIR:-/tmp}/og-e2e-graph.XXXXXX")
trap 'rm -rf "$t"' EXIT
g="$t/g.omni"
fail() { echo "FAIL: $*"; exit 1; }
jget() { python3 -c 'import json,sys
d=json.load(sys.stdin)
for k in sys.argv[1].split("."):
    d = d[int(k)] if isinstance(d, list) else d.get(k)
print(json.dumps(d) if not isinstance(d, str) else d)' "$1"; }

"$og" init --schema "$ex/demo.pg" "$g" >/dev/null 2>"$t/err" || fail "init: $(cat "$t/err")"
"$og" init --schema "$ex/demo.pg" "$g" >/dev/null 2>"$t/err" && fail "second init succeeded"
grep -q '^error: ' "$t/err" || fail "init error not prefixed: $(cat "$t/err")"

out=$("$og" load --data "$ex/demo.jsonl" --mode overwrite "$g" --json 2>"$t/err") || fail "load: $(cat "$t/err")"
[ "$(echo "$out" | jget total_entities)" = 16 ] || fail "load total: $out"
[ "$(echo "$out" | jget branch)" = main ] || fail "load branch: $out"
grep -q 'omnigraph load → .* (direct, local)' "$t/err" || fail "no write echo: $(cat "$t/err")"
# merge the node lines again (keyed: replaced by id, nothing added)
grep '"type"' "$ex/demo.jsonl" >"$t/nodes.jsonl"
"$og" --quiet load --data "$t/nodes.jsonl" --mode merge "$g" 2>"$t/err" >"$t/out" || fail "merge load"
[ -s "$t/err" ] && fail "--quiet still echoed: $(cat "$t/err")"
grep -q '^loaded .* on branch main with merge: 8 entities across 3 node types and 0 edge types$' "$t/out" \
    || fail "load human line: $(cat "$t/out")"
"$og" load --data "$ex/demo.jsonl" "$g" 2>/dev/null && fail "load without --mode succeeded"

q=(--store "$g" --query "$ex/demo.gq")
out=$("$og" query "${q[@]}" studying --params '{"slug":"computing"}' --json) || fail "query json"
[ "$(echo "$out" | jget row_count)" = 3 ] || fail "row_count: $out"
[ "$(echo "$out" | python3 -c 'import json,sys;print(json.load(sys.stdin)["rows"][0]["p.name"])')" = Ada ] \
    || fail "first row: $out"
[ "$(echo "$out" | jget target.branch)" = main ] || fail "target: $out"
head=$(echo "$out" | jget graph_commit_id)

out=$("$og" query "${q[@]}" studying --params '{"slug":"computing"}') || fail "table"
[ "$(echo "$out" | head -1)" = "3 rows from branch main via studying" ] || fail "table header: $out"
echo "$out" | sed -n 3p | grep -q -- '^-\+$' || fail "table separator: $out"
out=$("$og" query "${q[@]}" studying --params '{"slug":"logic"}' --format csv) || fail "csv"
[ "$out" = "$(printf 'p.name\nAlan')" ] || fail "csv: $out"
out=$("$og" query "${q[@]}" studying --params '{"slug":"logic"}' --format jsonl) || fail "jsonl"
echo "$out" | head -1 | grep -q '"kind":"metadata"' || fail "jsonl meta: $out"
echo "$out" | sed -n 2p | grep -q '"p.name":"Alan"' || fail "jsonl row: $out"
out=$("$og" query "${q[@]}" studying --params '{"slug":"logic"}' --format kv) || fail "kv"
echo "$out" | grep -q '^p.name: Alan$' || fail "kv: $out"
out=$("$og" query "${q[@]}" studying --params '{"slug":"nothing"}') || fail "empty"
echo "$out" | grep -q '(no rows)' || fail "empty table: $out"
"$og" query "${q[@]}" 2>"$t/err" && fail "multi-query source without name succeeded"
grep -q 'multiple queries' "$t/err" || fail "multi-query message: $(cat "$t/err")"
"$og" query "${q[@]}" add_person --params '{"name":"X","born":1}' 2>/dev/null && fail "query ran a mutation"
"$og" query --store "$g" -e 'query q() { match { $p: Persn } return { $p.name } }' 2>"$t/err" && fail "type error accepted"
grep -q '^error: ' "$t/err" || fail "type error message: $(cat "$t/err")"

"$og" branch create --uri "$g" review >/dev/null || fail "branch create"
"$og" branch create --uri "$g" review 2>/dev/null && fail "duplicate branch create"
[ "$("$og" branch list --uri "$g")" = "$(printf 'main\nreview')" ] || fail "branch list"
out=$("$og" --as tester mutate "${q[@]}" add_person --params '{"name":"Barbara","born":1939}' --branch review --json) \
    || fail "mutate"
[ "$(echo "$out" | jget affected_nodes)" = 1 ] || fail "affected: $out"
[ "$(echo "$out" | jget commit.parent_commit_id)" = "$head" ] || fail "parent: $out"
[ "$(echo "$out" | jget commit.actor_id)" = tester ] || fail "actor: $out"
out=$("$og" mutate "${q[@]}" add_person --params '{"name":"Nobody","born":1}' --branch nope 2>&1) && fail "missing branch mutate"
n_review=$("$og" query "${q[@]}" people --branch review --json | jget row_count)
n_main=$("$og" query "${q[@]}" people --json | jget row_count)
[ "$n_review" = 5 ] && [ "$n_main" = 4 ] || fail "branch isolation: review=$n_review main=$n_main"
"$og" commit list "$g" --branch review | head -1 | grep -q 'graph_branch=review graph_manifest_version=[0-9]* actor=tester$' \
    || fail "commit list human: $("$og" commit list "$g" --branch review)"
out=$("$og" commit list "$g" --json) || fail "commit list json"
[ "$(echo "$out" | jget commits.0.graph_commit_id)" = "$head" ] || fail "main head moved: $out"
"$og" commit show --uri "$g" "$head" --json | grep -q "\"graph_commit_id\": \"$head\"" || fail "commit show"

# exit code 4: stale --if-commit
"$og" mutate "${q[@]}" add_person --params '{"name":"Late","born":2000}' --if-commit "$head" --json >"$t/out" 2>"$t/err"
[ $? -eq 0 ] || fail "fresh --if-commit refused: $(cat "$t/err")"
"$og" mutate "${q[@]}" add_person --params '{"name":"Later","born":2001}' --if-commit "$head" --json >"$t/out" 2>"$t/err"
rc=$?
[ $rc -eq 4 ] || fail "stale --if-commit exit $rc: $(cat "$t/err")"
[ "$(jget precondition_failure.expected <"$t/out")" = "$head" ] || fail "412 body: $(cat "$t/out")"

# snapshot and export round trip
out=$("$og" snapshot "$g" --json) || fail snapshot
python3 -c 'import json,sys
d=json.load(sys.stdin)
c={(x["entity_kind"],x["type_name"]):x["entity_count"] for x in d["datasets"]}
assert c[("node","Person")]==5 and c[("edge","Studies")]==4, c' <<<"$out" || fail "snapshot counts: $out"
"$og" export "$g" >"$t/main.jsonl" || fail export
[ "$(wc -l <"$t/main.jsonl")" = 17 ] || fail "export lines: $(wc -l <"$t/main.jsonl")"
"$og" export "$g" --type Person >"$t/p.jsonl" || fail "export --type"
[ "$(wc -l <"$t/p.jsonl")" = 5 ] || fail "export --type lines"
"$og" init --schema "$ex/demo.pg" "$t/copy.omni" >/dev/null || fail "init copy"
"$og" --quiet load --data "$t/main.jsonl" --mode overwrite "$t/copy.omni" >/dev/null || fail "reload export"
"$og" export "$t/copy.omni" >"$t/copy.jsonl" || fail "export copy"
cmp -s <(sort "$t/main.jsonl") <(sort "$t/copy.jsonl") || fail "export round trip differs"

# global flags before the verb; csv quoting of awkward cells
out=$("$og" --store "$g" query -e 'query q() { match { $p: Person { name: "Ada" } } return { $p.name, $p.born } }' --format csv) \
    || fail "global --store before the verb"
[ "$out" = "$(printf 'p.name,p.born\nAda,1815')" ] || fail "csv via global --store: $out"
"$og" mutate --store "$g" -e 'query m() { insert Person { name: "Doe, \"J\"" } }' >/dev/null || fail "insert awkward name"
out=$("$og" query --store "$g" -e 'query q() { match { $p: Person { name: "Doe, \"J\"" } } return { $p.name, $p.born } }' --format csv)
[ "$out" = "$(printf 'p.name,p.born\n"Doe, ""J""",null')" ] || fail "csv quoting: $out"

# errors and usage
"$og" snapshot "$t/missing.omni" 2>"$t/err" && fail "snapshot of missing graph"
grep -q '^error: .*not found' "$t/err" || fail "missing graph message: $(cat "$t/err")"
"$og" snapshot s3://bucket/g 2>"$t/err" && fail "s3 accepted"
grep -q 'not supported yet' "$t/err" || fail "s3 message: $(cat "$t/err")"
"$og" export "$g" --table node:Person 2>"$t/err" && fail "--table accepted"
grep -q "unexpected argument '--table'" "$t/err" || fail "--table message"
"$og" schema show "$g" | grep -q 'node Person' || fail "schema show"
echo ok
