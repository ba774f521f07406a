#!/usr/bin/env bash
# cli_merge.sh BUILD_DIR — `omnigraph branch merge` end to end, and the
# same merge through the HTTP route:
# (1) CLI: human and --json output, --into, --as recorded on the commit,
#     a divergent update exits 1 naming the conflict and publishes nothing;
# (2) a merge process killed at merge.post_phase_b_pre_manifest_commit
#     (OMNIGRAPH_FAILPOINTS=...=exit) leaves a sidecar that reads (opened
#     read-only) ignore and the next write's read-write open rolls forward:
#     the merge commit (both parents) lands once; a merge killed at
#     merge.post_phase_a is rolled back and the retry merges;
# (3) POST /graphs/g1/branches/merge: 200 with the outcome, 409 with
#     merge_conflicts[], 400 without a source, 404 for an unknown branch;
#     and `branch merge --server` through it;
# (4) under a policy: a reader gets 403, a denied delete_branch is reported
#     as branch_deleted false in the 200 answer.
set -u
. "$(dirname "$0")/../lib/e2e.sh"
build=${1:?build dir}
og="$build/omnigraph"
bin="$build/omnigraph-server"
src=$(cd "$(dirname "$0")/../.." && pwd)
ex="$src/examples"
t=$(mktemp -d "${TMPDIR:-/tmp}/og-e2e-merge.XXXXXX")
pid=""
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$t"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
export OMNIGRAPH_HOME="$t/home" NO_COLOR=1
unset OMNIGRAPH_FAILPOINTS
cat >"$t/q.gq" <<'GQ'
query born($name: String, $born: I32) { update Person set { born: $born } where name = $name }
query add($name: String, $born: I32) { insert Person { name: $name, born: $born } }
GQ
mk() {
    g="$t/$1"
    "$og" init --schema "$ex/demo.pg" "$g" >/dev/null || fail init
    "$og" load --data "$ex/demo.jsonl" --mode overwrite "$g" >/dev/null 2>&1 || fail load
    "$og" branch create --uri "$g" feat >/dev/null 2>&1 || fail "branch create"
}
m() { "$og" mutate --store "$g" --query "$t/q.gq" "$@" >/dev/null 2>"$t/merr" || fail "mutate $*: $(cat "$t/merr")"; }
head_field() { "$og" commit list "$g" ${2:+--branch "$2"} --json | python3 -c "import json,sys; print(json.load(sys.stdin)['commits'][0].get('$1') or '')"; }
people() { "$og" query --store "$g" --query "$ex/demo.gq" people --format jsonl 2>/dev/null | tail -n +2 | wc -l; }

# (1)
mk g1
m add --params '{"name":"Eve","born":1990}' --branch feat
out=$("$og" --as alice branch merge --uri "$g" feat 2>"$t/err") || fail "merge: $(cat "$t/err")"
[ "$out" = "merged feat into main: fast_forward" ] || fail "human output: $out"
grep -q 'omnigraph branch merge → ' "$t/err" || fail "no write echo: $(cat "$t/err")"
[ "$(head_field actor_id)" = alice ] || fail "actor not recorded"
[ "$(head_field merged_parent_commit_id)" = "$(head_field graph_commit_id feat)" ] || fail "merged parent"
[ "$(people)" = 5 ] || fail "Eve not merged"
json=$("$og" branch merge --uri "$g" feat --json 2>/dev/null) || fail "second merge"
echo "$json" | grep -q '"outcome": "already_up_to_date"' || fail "json: $json"
m born --params '{"name":"Ada","born":1}' --branch feat
m born --params '{"name":"Ada","born":2}'
before=$(head_field graph_commit_id)
"$og" branch merge --uri "$g" feat --into main >/dev/null 2>"$t/err" && fail "divergent update merged"
[ $? = 1 ] || fail "exit code"
grep -q "divergent_update on node:Person id 'Ada'" "$t/err" || fail "conflict message: $(cat "$t/err")"
[ "$(head_field graph_commit_id)" = "$before" ] || fail "a conflicting merge published"

# (2) killed between the table commits and the publish: rolled forward
mk g2
m add --params '{"name":"Eve","born":1990}' --branch feat
m add --params '{"name":"Fay","born":1991}'
src_head=$(head_field graph_commit_id feat); tgt_head=$(head_field graph_commit_id)
OMNIGRAPH_FAILPOINTS=merge.post_phase_b_pre_manifest_commit=exit "$og" branch merge --uri "$g" feat >/dev/null 2>&1
[ $? = 86 ] || fail "the failpoint did not kill the merge"
ls "$g/__recovery/" | grep -q json || fail "no sidecar left by the killed merge"
[ "$(people)" = 5 ] || fail "a read (read-only open) saw the unpublished merge"
# the next write's read-write open rolls it forward: the merge is then done
json=$("$og" branch merge --uri "$g" feat --json 2>/dev/null) || fail "merge after the kill"
echo "$json" | grep -q already_up_to_date || fail "not rolled forward before the retry: $json"
[ "$(people)" = 6 ] || fail "the merge was not rolled forward"
ls "$g/__recovery/" | grep -q json && fail "sidecar left after recovery"
[ "$(head_field merged_parent_commit_id)" = "$src_head" ] || fail "rolled-forward commit lost its merged parent"
[ "$(head_field parent_commit_id)" = "$tgt_head" ] || fail "rolled-forward commit parent"
# killed right after arming: rolled back, and the merge then succeeds
mk g3
m add --params '{"name":"Eve","born":1990}' --branch feat
m add --params '{"name":"Fay","born":1991}'
OMNIGRAPH_FAILPOINTS=merge.post_phase_a=exit "$og" branch merge --uri "$g" feat >/dev/null 2>&1
[ $? = 86 ] || fail "the failpoint did not kill the merge (phase a)"
[ "$(people)" = 5 ] || fail "the armed merge is visible"
json=$("$og" branch merge --uri "$g" feat --json 2>/dev/null) || fail "merge after roll back"
echo "$json" | grep -q '"outcome": "merged"' || fail "retry: $json"
[ "$(people)" = 6 ] || fail "retried merge"

# (3) the HTTP route
mk g4
m add --params '{"name":"Eve","born":1990}' --branch feat
"$og" branch create --uri "$g" c1 >/dev/null 2>&1; "$og" branch create --uri "$g" c2 >/dev/null 2>&1
m born --params '{"name":"Ada","born":1}' --branch c1
m born --params '{"name":"Ada","born":2}' --branch c2
"$bin" --graph "g1=$g" --bind 127.0.0.1:0 --unauthenticated >"$t/out" 2>"$t/serr" &
pid=$!
addr=$(og_wait_listen "$t/out")
[ -n "$addr" ] || { cat "$t/serr"; fail "server did not start"; }
post() { curl -s -o "$t/body" -w '%{http_code}' --max-time 20 -H 'Content-Type: application/json' -d "$1" "http://$addr/graphs/g1/branches/merge"; }
code=$(post '{"source":"feat"}')
[ "$code" = 200 ] || fail "merge route: $code $(cat "$t/body")"
grep -q '"outcome":"fast_forward"' "$t/body" || fail "route body: $(cat "$t/body")"
grep -q '"target":"main"' "$t/body" || fail "route target: $(cat "$t/body")"
code=$(post '{"source":"c1","target":"c2"}')
[ "$code" = 409 ] || fail "conflict status $code: $(cat "$t/body")"
grep -q '"merge_conflicts":\[{' "$t/body" || fail "no merge_conflicts: $(cat "$t/body")"
grep -q '"kind":"divergent_update"' "$t/body" || fail "conflict kind: $(cat "$t/body")"
grep -q '"code":"conflict"' "$t/body" || fail "conflict code: $(cat "$t/body")"
code=$(post '{"target":"c2"}'); [ "$code" = 400 ] || fail "missing source: $code"
code=$(post '{"source":"nope"}'); [ "$code" = 404 ] || fail "unknown branch: $code $(cat "$t/body")"
code=$(post '{"source":"c1","bogus":1}'); [ "$code" = 400 ] || fail "unknown field: $code"
# the CLI against the server: same output, conflicts exit 1
"$og" branch create --uri "$g" c3 >/dev/null 2>&1 || fail "branch c3"
m add --params '{"name":"Zed","born":3}' --branch c3
json=$("$og" --server "http://$addr" --graph g1 branch merge c3 --json 2>"$t/err") || fail "served merge: $(cat "$t/err")"
echo "$json" | grep -q '"outcome": "fast_forward"' || fail "served merge output: $json"
"$og" --server "http://$addr" --graph g1 branch merge c1 --into c2 >/dev/null 2>"$t/err" && fail "served conflict merged"
grep -q 'divergent_update' "$t/err" || fail "served conflict message: $(cat "$t/err")"
kill -INT "$pid"; wait "$pid"; pid=""

# (4) under a policy: merging needs branch_merge; a denied delete_branch is
# data in the 200 answer (branch_deleted false), not a failure
mkdir -p "$t/cl/graphs"
g="$t/cl/graphs/g1"
"$og" init --schema "$ex/demo.pg" "$g" >/dev/null || fail init
"$og" branch create --uri "$g" pf >/dev/null 2>&1 || fail "branch pf"
m add --params '{"name":"Pam","born":1}' --branch pf
cat >"$t/cl/policy.yaml" <<'YAML'
version: 1
groups:
  team: [alice]
  readers: [bob]
rules:
  - id: team-write
    allow:
      actors: { group: team }
      actions: [read, change]
      branch_scope: any
  - id: team-merge
    allow:
      actors: { group: team }
      actions: [branch_merge]
  - id: readers-read
    allow:
      actors: { group: readers }
      actions: [read]
      branch_scope: any
YAML
cat >"$t/cl/cluster.yaml" <<'YAML'
version: 1
metadata: { name: t }
graphs:
  g1: {}
policies:
  p1: { file: policy.yaml, applies_to: [g1] }
YAML
OMNIGRAPH_SERVER_BEARER_TOKENS_JSON='{"alice":"tok-alice","bob":"tok-bob"}' \
    "$bin" --cluster "$t/cl" --bind 127.0.0.1:0 >"$t/out" 2>"$t/serr" &
pid=$!
addr=$(og_wait_listen "$t/out")
[ -n "$addr" ] || { cat "$t/serr"; fail "policy server did not start"; }
postas() { curl -s -o "$t/body" -w '%{http_code}' --max-time 20 -H "Authorization: Bearer $1" -H 'Content-Type: application/json' -d "$2" "http://$addr/graphs/g1/branches/merge"; }
code=$(postas tok-bob '{"source":"pf"}'); [ "$code" = 403 ] || fail "reader merged: $code $(cat "$t/body")"
grep -q "branch_merge" "$t/body" || fail "403 body: $(cat "$t/body")"
code=$(postas tok-alice '{"source":"pf","delete_branch":true}')
[ "$code" = 200 ] || fail "policy merge: $code $(cat "$t/body")"
grep -q '"outcome":"fast_forward"' "$t/body" || fail "policy merge body: $(cat "$t/body")"
grep -q '"actor_id":"alice"' "$t/body" || fail "policy merge actor: $(cat "$t/body")"
grep -q '"branch_deleted":false' "$t/body" || fail "denied delete not reported: $(cat "$t/body")"
grep -q '"branch_delete_error":"[^"]*branch_delete' "$t/body" || fail "delete error: $(cat "$t/body")"
kill -INT "$pid"; wait "$pid"; pid=""
"$og" branch list --uri "$g" --json | grep -q '"pf"' || fail "the denied delete deleted the branch"
echo ok
