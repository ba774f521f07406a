#!/usr/bin/env bash
# server_graph.sh BUILD_DIR — every graph route of surface.md §5.3 against a
# real graph (init + load of the demo): happy paths, response shapes, error
# statuses, deprecation headers, the 412 precondition body, %2F branch
# names, stored queries from a queries folder, and auth under a policy
# (401/403, stored-query 404 equivalence). The server is always killed.
set -u
. "$(dirname "$0")/../lib/e2e.sh"
build=${1:?build dir}
bin="$build/omnigraph-server"
og="$build/omnigraph"
src=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

start() {
    : >"$tmp/out"
    "$bin" "$@" --bind 127.0.0.1:0 >"$tmp/out" 2>"$tmp/err" &
    pid=$!
    addr=$(og_wait_listen "$tmp/out")
    [ -n "$addr" ] || { cat "$tmp/err"; fail "server did not start"; }
    base="http://$addr/graphs/g1"
}
stop() { kill -INT "$pid"; wait "$pid"; rc=$?; pid=""; [ $rc -eq 0 ] || fail "server exit $rc on SIGINT"; }
code() { curl -s -D "$tmp/hdr" -o "$tmp/body" -w '%{http_code}' --max-time 20 "$@"; }
expect() {
    local want=$1; shift
    local got; got=$(code "$@")
    [ "$got" = "$want" ] || fail "$* -> $got (want $want): $(cat "$tmp/body")"
}
has() { grep -qF -- "$1" "$tmp/body" || fail "body lacks $1: $(cat "$tmp/body")"; }
lacks() { grep -qF -- "$1" "$tmp/body" && fail "body has $1: $(cat "$tmp/body")"; return 0; }
hdr() { grep -qiF -- "$1" "$tmp/hdr" || fail "headers lack $1: $(cat "$tmp/hdr")"; }
J=(-H 'Content-Type: application/json')
jpost() { local want=$1 path=$2 data=$3; shift 3; expect "$want" "${J[@]}" "$@" -d "$data" "$base/$path"; }
field() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p" "$tmp/body" | head -1; }

mkdir -p "$tmp/cl/graphs" "$tmp/cl/queries"
cp "$src/examples/demo.gq" "$tmp/cl/queries/"
"$og" init --schema "$src/examples/demo.pg" "$tmp/cl/graphs/g1" >/dev/null || fail init
"$og" load --data "$src/examples/demo.jsonl" --mode overwrite "$tmp/cl/graphs/g1" >/dev/null 2>&1 || fail load
cat >"$tmp/cl/cluster.yaml" <<'YAML'
version: 1
metadata: { name: t }
graphs:
  g1: { queries: queries }
YAML

start --cluster "$tmp/cl" --unauthenticated
expect 200 "http://$addr/healthz"; has '"status":"ok"'; has '"version":"'
expect 403 "http://$addr/graphs"; has "action 'graph_list'"

# snapshot / schema
expect 200 "$base/snapshot"; has '"graph_branch":"main"'; has '"internal_schema_version":6'
has '"type_name":"Person"'; has '"entity_count":4'
expect 404 "$base/snapshot?branch=nope"; has '"code":"not_found"'
expect 200 "$base/schema"; has '"schema_source":"'; has 'node Person'

# query + deprecated read
Q='query q($n: String){ match { $p: Person { name: $n } } return { $p.name, $p.born } }'
jpost 200 query "{\"query\":\"$Q\",\"params\":{\"n\":\"Ada\"}}"
has '{"query_name":"q","target":{"branch":"main","snapshot":null},"row_count":1,"columns":["p.name","p.born"],"rows":[{"p.name":"Ada","p.born":1815}],"graph_commit_id":"'
head0=$(field graph_commit_id)
jpost 200 read "{\"query_source\":\"$Q\",\"query_name\":\"q\",\"params\":{\"n\":\"Ada\"}}"
has '"rows":[{"p.name":"Ada","p.born":1815}]'; lacks graph_commit_id
hdr 'Deprecation: true'; hdr 'Link: <query>; rel="successor-version"'
jpost 400 query '{"query":"query a( { match"}'; has 'parse error'; has '"code":"bad_request"'
jpost 400 query '{"query":"query a(){ match { $p: Persn } return { $p.name } }"}'; has 'type error: T1'
jpost 400 query '{"query":"query a(){ insert Person { name: \"X\" } }"}'; has 'contains mutations'
jpost 400 query '{"name":"q"}'; has "missing field 'query'"
jpost 400 query "{\"query\":\"$Q\",\"params\":[1]}"; has "'params' must be an object"
jpost 404 query "{\"query\":\"$Q\",\"params\":{\"n\":\"Ada\"},\"branch\":\"nope\"}"; has '"code":"not_found"'

# mutate, deprecated change, if-graph-commit (412 body)
M='query add($n: String){ insert Person { name: $n, born: 7 } }'
jpost 200 mutate "{\"query\":\"$M\",\"params\":{\"n\":\"M1\"}}"
has '{"branch":"main","query_name":"add","affected_nodes":1,"affected_edges":0,"commit":{"graph_commit_id":"'
has "\"parent_commit_id\":\"$head0\""
head1=$(field graph_commit_id)
jpost 200 change "{\"query_source\":\"$M\",\"query_name\":\"add\",\"params\":{\"n\":\"M2\"}}"
hdr 'Deprecation: true'; hdr 'Link: <mutate>; rel="successor-version"'
head2=$(field graph_commit_id)
jpost 400 mutate '{"query":"query r(){ match { $p: Person } return { $p.name } }"}'; has 'not a mutation'
jpost 400 mutate/if-graph-commit "{\"query\":\"$M\",\"params\":{\"n\":\"M3\"}}"; has 'Omnigraph-If-Graph-Commit'
jpost 412 mutate/if-graph-commit "{\"query\":\"$M\",\"params\":{\"n\":\"M3\"}}" -H "Omnigraph-If-Graph-Commit: $head1"
has "\"precondition_failure\":{\"expected\":\"$head1\",\"actual\":\"$head2\"}"; lacks '"code"'
jpost 200 mutate/if-graph-commit "{\"query\":\"$M\",\"params\":{\"n\":\"M3\"}}" -H "Omnigraph-If-Graph-Commit: $head2"
has "\"parent_commit_id\":\"$head2\""

# load (raw NDJSON and JSON envelope), 415 and 413
printf '{"type":"Person","data":{"name":"L1","born":1}}\n{"type":"Person","data":{"name":"L2","born":2}}\n' >"$tmp/l.ndjson"
expect 200 -H 'Content-Type: application/x-ndjson' --data-binary @"$tmp/l.ndjson" "$base/load/ndjson"
has '"branch":"main","mode":"merge"'; has '"nodes":[{"name":"Person","entities_loaded":2}]'; has '"total_entities":2'
expect 200 -H 'Content-Type: application/x-ndjson' --data-binary @"$tmp/l.ndjson" "$base/load/ndjson?branch=lb&from=main&mode=merge"
has '"branch":"lb"'; has '"branch_created":true'
expect 415 -H 'Content-Type: application/json' --data-binary @"$tmp/l.ndjson" "$base/load/ndjson"
expect 400 -H 'Content-Type: application/x-ndjson' --data-binary @"$tmp/l.ndjson" "$base/load/ndjson?mode=bogus"
printf 'garbage\n' >"$tmp/bad.ndjson"
expect 400 -H 'Content-Type: application/x-ndjson' --data-binary @"$tmp/bad.ndjson" "$base/load/ndjson"
head -c $((32 * 1024 * 1024 + 1)) /dev/zero >"$tmp/big"
expect 413 -H 'Content-Type: application/x-ndjson' --data-binary @"$tmp/big" "$base/load/ndjson"; has '"resource_limit"'
jpost 200 load '{"data":"{\"type\":\"Person\",\"data\":{\"name\":\"L3\",\"born\":3}}\n","mode":"merge"}'
has '"uri":"'; has '"total_entities":1'
jpost 400 load '{"mode":"merge"}'; has "missing field 'data'"
jpost 200 ingest '{"data":"{\"type\":\"Person\",\"data\":{\"name\":\"L4\",\"born\":4}}\n"}'
hdr 'Deprecation: true'; hdr 'Link: <load>; rel="successor-version"'
# a load body above the 1 MB JSON limit but under 32 MiB is accepted
pad=$(printf '%0100d' 0)
seq 1 8000 | sed "s/.*/{\"type\":\"Person\",\"data\":{\"name\":\"bulk&_$pad\",\"born\":1}}/" >"$tmp/bulk.ndjson"
[ "$(wc -c <"$tmp/bulk.ndjson")" -gt 1100000 ] || fail "bulk file too small"
expect 200 -H 'Content-Type: application/x-ndjson' --data-binary @"$tmp/bulk.ndjson" "$base/load/ndjson?branch=lb"
has '"total_entities":8000'
# export streams (chunked); a client leaving mid-stream stops it quietly
expect 200 "${J[@]}" -d '{"branch":"lb","type_names":["Person"]}' "$base/export"
hdr 'Transfer-Encoding: chunked'
[ "$(grep -c '"name":"bulk' "$tmp/body")" -eq 8000 ] || fail "streamed export lost records"
for _ in 1 2 3; do
    curl -s --max-time 20 -H 'Content-Type: application/json' -d '{"branch":"lb"}' "$base/export" | head -c 2000 >/dev/null
done
expect 200 "http://$addr/healthz"
# over the engine's per-load keyed-entity ceiling: 413 with resource_limit
seq 1 9000 | sed 's/.*/{"type":"Person","data":{"name":"big&","born":1}}/' >"$tmp/over.ndjson"
expect 413 -H 'Content-Type: application/x-ndjson' --data-binary @"$tmp/over.ndjson" "$base/load/ndjson?branch=lb"
has '"resource_limit":{"resource":"keyed entities for node:Person","limit":8192,"actual":9000}'
head -c 1000001 /dev/zero | tr '\0' ' ' >"$tmp/big1m"
expect 413 "${J[@]}" --data-binary @"$tmp/big1m" "$base/mutate"

# export
expect 200 "${J[@]}" -d '{"type_names":["Person"]}' "$base/export"
hdr 'Content-Type: application/x-ndjson'
has '{"type":"Person","data":{"id":"L3","name":"L3","born":3}}'; lacks '"type":"Topic"'
[ "$(wc -l <"$tmp/body")" -eq 11 ] || fail "export Person lines: $(wc -l <"$tmp/body")"
expect 200 -X POST "$base/export"; has '"type":"Topic"'
expect 400 "${J[@]}" -d '{"typo":1}' "$base/export"; has "unknown field 'typo'"
expect 404 "${J[@]}" -d '{"branch":"nope"}' "$base/export"

# branches (names with %2F)
expect 200 "$base/branches"; has '{"branches":["lb","main"]}'
jpost 200 branches '{"name":"team/x","from":"main"}'; has '"name":"team/x","from":"main"'
jpost 409 branches '{"name":"team/x"}'; has '"code":"conflict"'
jpost 400 branches '{"from":"main"}'; has "missing field 'name'"
expect 200 "$base/branches"; has '"team/x"'
jpost 200 query "{\"query\":\"$Q\",\"params\":{\"n\":\"M1\"},\"branch\":\"team/x\"}"; has '"branch":"team/x"'; has '"row_count":1'
expect 200 -X DELETE "$base/branches/team%2Fx"; has '"name":"team/x"'
expect 404 -X DELETE "$base/branches/team%2Fx"; has '"code":"not_found"'

# commits
expect 200 "$base/commits"; has "{\"commits\":[{\"graph_commit_id\":\""
first=$(field graph_commit_id)
expect 200 "$base/commits/$head1"; has "\"graph_commit_id\":\"$head1\""; has '"created_at":'
expect 404 "$base/commits/01M8BQ4BHS2JFKVHT2BMHSFZMX"
expect 200 "$base/commits?branch=lb"
expect 404 "$base/commits?branch=nope"
[ -n "$first" ] || fail "no newest commit"

# stored queries
expect 200 "$base/queries"
has '{"name":"studying","tool_name":"studying","mutation":false,"params":[{"name":"slug","kind":"string","nullable":false}]}'
has '"name":"add_person","tool_name":"add_person","mutation":true'
expect 200 -X POST "$base/queries/people"; has '"query_name":"people"'; has '"p.name":"Ada"'
jpost 200 queries/studying '{"params":{"slug":"computing"}}'; has '"rows":[{"p.name":"Ada"},{"p.name":"Alan"},{"p.name":"Grace"}]'
jpost 200 queries/add_person '{"params":{"name":"S1","born":9}}'; has '"query_name":"add_person","affected_nodes":1'
jpost 400 queries/add_person '{"params":{"name":"S2","born":9},"expect_mutation":false}'
jpost 400 queries/people '{"expect_mutation":true}'
jpost 400 queries/add_person '{"params":{"name":"S2","born":9},"snapshot":"x"}'
jpost 404 queries/nope '{}'; has '"error":"stored query not found"'
jpost 412 queries/add_person/if-graph-commit '{"params":{"name":"S2","born":9}}' -H "Omnigraph-If-Graph-Commit: $head1"
has '"precondition_failure"'
stop

# auth: tokens + policy (alice: read/change/invoke on unprotected; bob: read only)
cat >"$tmp/cl/policy.yaml" <<'YAML'
version: 1
groups:
  team: [alice]
  readers: [bob]
protected_branches: [main]
rules:
  - id: team-unprotected
    allow:
      actors: { group: team }
      actions: [read, change, export]
      branch_scope: unprotected
  - id: team-main-read
    allow:
      actors: { group: team }
      actions: [read]
      branch_scope: any
  - id: team-invoke
    allow:
      actors: { group: team }
      actions: [invoke_query]
  - id: team-branches
    allow:
      actors: { group: team }
      actions: [branch_create]
      target_branch_scope: unprotected
  - id: readers-read
    allow:
      actors: { group: readers }
      actions: [read]
      branch_scope: any
YAML
cat >"$tmp/cl/server.yaml" <<'YAML'
version: 1
groups:
  ops: [alice]
rules:
  - id: ops-list
    allow:
      actors: { group: ops }
      actions: [graph_list]
YAML
cat >>"$tmp/cl/cluster.yaml" <<'YAML'
policies:
  p1: { file: policy.yaml, applies_to: [g1] }
  p0: { file: server.yaml, applies_to: [cluster] }
YAML
export OMNIGRAPH_SERVER_BEARER_TOKENS_JSON='{"alice":"tok-alice","bob":"tok-bob","eve":"tok-eve"}'
start --cluster "$tmp/cl"
A=(-H 'Authorization: Bearer tok-alice'); Bb=(-H 'Authorization: Bearer tok-bob'); E=(-H 'Authorization: Bearer tok-eve')
expect 200 "http://$addr/healthz"
expect 401 "$base/snapshot"; has '"error":"missing bearer token"'; has '"code":"unauthorized"'
expect 401 -H 'Authorization: Basic abc' "$base/snapshot"; has '"error":"missing bearer token"'
expect 401 -H 'Authorization: Bearer nope' "$base/snapshot"; has '"error":"invalid bearer token"'
expect 200 "${A[@]}" "$base/snapshot"
expect 200 "${Bb[@]}" "$base/schema"
expect 403 "${E[@]}" "$base/snapshot"; has "for actor 'eve'"
jpost 403 mutate "{\"query\":\"$M\",\"params\":{\"n\":\"P1\"}}" "${A[@]}"
has "policy denied action 'change' on branch 'main' for actor 'alice'"; has '"code":"forbidden"'
jpost 200 branches '{"name":"work","from":"main"}' "${A[@]}"; has '"actor_id":"alice"'
jpost 403 branches '{"name":"work2","from":"main"}' "${Bb[@]}"
jpost 200 mutate "{\"query\":\"$M\",\"params\":{\"n\":\"P1\"},\"branch\":\"work\"}" "${A[@]}"; has '"actor_id":"alice"'
jpost 403 mutate "{\"query\":\"$M\",\"params\":{\"n\":\"P2\"},\"branch\":\"work\"}" "${Bb[@]}"
jpost 200 query "{\"query\":\"$Q\",\"params\":{\"n\":\"P1\"},\"branch\":\"work\"}" "${Bb[@]}"; has '"row_count":1'
expect 403 "${Bb[@]}" "${J[@]}" -d '{"branch":"work"}' "$base/export"
expect 200 "${A[@]}" "${J[@]}" -d '{"branch":"work"}' "$base/export"
expect 403 "${A[@]}" -X DELETE "$base/branches/work"; has "action 'branch_delete'"
# stored queries: denial of invoke_query looks exactly like an unknown name
jpost 404 queries/people '{}' "${Bb[@]}"; cp "$tmp/body" "$tmp/denied"
jpost 404 queries/nope '{}' "${Bb[@]}"
cmp -s "$tmp/body" "$tmp/denied" || fail "denied and unknown stored query differ: $(cat "$tmp/denied") vs $(cat "$tmp/body")"
jpost 200 queries/people '{}' "${A[@]}"
jpost 403 queries/add_person '{"params":{"name":"S3","born":1}}' "${A[@]}"   # invoke ok, change on main denied
jpost 200 queries/add_person '{"params":{"name":"S3","born":1},"branch":"work"}' "${A[@]}"
# the server-scoped bundle grants graph_list to alice only
expect 200 "${A[@]}" "http://$addr/graphs"; has '"graphs":[{"graph_id":"g1","uri":"'
expect 403 "${Bb[@]}" "http://$addr/graphs"; has "policy denied action 'graph_list' for actor 'bob'"
stop
unset OMNIGRAPH_SERVER_BEARER_TOKENS_JSON

# default deny: tokens, no policy: only read
sed -i '/^policies:/,$d' "$tmp/cl/cluster.yaml"
export OMNIGRAPH_SERVER_BEARER_TOKEN='tok-default'
start --cluster "$tmp/cl"
D=(-H 'Authorization: Bearer tok-default')
expect 200 "${D[@]}" "$base/snapshot"
jpost 200 query "{\"query\":\"$Q\",\"params\":{\"n\":\"Ada\"}}" "${D[@]}"
jpost 403 mutate "{\"query\":\"$M\",\"params\":{\"n\":\"D1\"}}" "${D[@]}"; has "for actor 'default'"
expect 403 "${D[@]}" -H 'Content-Type: application/x-ndjson' --data-binary @"$tmp/l.ndjson" "$base/load/ndjson"
expect 403 "${D[@]}" -X POST "$base/export"
jpost 403 branches '{"name":"b9"}' "${D[@]}"
expect 403 "${D[@]}" "http://$addr/graphs"
stop
unset OMNIGRAPH_SERVER_BEARER_TOKEN

# admission: a write over the per-actor byte budget is 429 with Retry-After
OMNIGRAPH_PER_ACTOR_BYTES_MAX=64 start --cluster "$tmp/cl" --unauthenticated
jpost 429 mutate "{\"query\":\"$M\",\"params\":{\"n\":\"T1\"}}"; has '"code":"too_many_requests"'; hdr 'Retry-After:'
jpost 200 query "{\"query\":\"$Q\",\"params\":{\"n\":\"Ada\"}}"
stop
echo "server_graph: ok"
