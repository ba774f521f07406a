#!/usr/bin/env bash
# server_remote.sh BUILD_DIR — `omnigraph --server URL …` (CLI remote mode):
# query, mutate (+ --if-commit exit 4), load, export, branch, commit,
# snapshot, schema give the same output as the direct mode on an identical
# graph (modulo generated ids); the bearer token comes from
# OMNIGRAPH_BEARER_TOKEN; server errors print as `error: <message>`.
set -u
. "$(dirname "$0")/../lib/e2e.sh"
build=${1:?build dir}
og="$build/omnigraph"
src=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

start() {
    : >"$tmp/out"
    "$build/omnigraph-server" "$@" --bind 127.0.0.1:0 >"$tmp/out" 2>"$tmp/err" &
    pid=$!
    addr=$(og_wait_listen "$tmp/out")
    [ -n "$addr" ] || { cat "$tmp/err"; fail "server did not start"; }
    url="http://$addr"
}
stop() { kill -INT "$pid"; wait "$pid"; rc=$?; pid=""; [ $rc -eq 0 ] || fail "server exit $rc"; }
# ids, commit ids, timestamps and dataset paths differ between two graphs
norm() { sed -E 's/01[0-9A-HJKMNP-TV-Z]{24}/ULID/g; s/"created_at": ?[0-9]+/"created_at":T/g;
                  s/dataset_path[=": ]+[^ ",]*/dataset_path/g; s#/tmp/[^" ]*#PATH#g' "$1"; }
# same ARGS... : the verb against the direct graph and the served copy
same() {
    "$og" "$@" --store "$tmp/d" >"$tmp/o_d" 2>"$tmp/e_d"; rd=$?
    "$og" --server "$url" --graph g1 "$@" >"$tmp/o_r" 2>"$tmp/e_r"; rr=$?
    [ $rd -eq $rr ] || fail "$*: exit direct $rd, remote $rr: $(cat "$tmp/e_d" "$tmp/e_r")"
    diff <(norm "$tmp/o_d") <(norm "$tmp/o_r") >"$tmp/diff" || fail "$*: outputs differ: $(cat "$tmp/diff")"
}

"$og" init --schema "$src/examples/demo.pg" "$tmp/d" >/dev/null 2>&1 || fail init
cp -r "$tmp/d" "$tmp/r"
start --graph g1="$tmp/r" --unauthenticated

# an open server refuses graph_list (only a server-scoped bundle grants it)
"$og" graphs list --server "$url" >"$tmp/gl" 2>"$tmp/e" && fail "graphs list on an open server"
grep -q "policy denied action 'graph_list'" "$tmp/e" || fail "graphs list denial: $(cat "$tmp/e")"
# so without --graph the CLI cannot pick the graph, and says what to do
"$og" --server "$url" snapshot >/dev/null 2>"$tmp/e" && fail "graph picked without listing"
grep -q "select one with --graph <id>" "$tmp/e" || fail "no --graph hint: $(cat "$tmp/e")"
same load --data "$src/examples/demo.jsonl" --mode merge --json
grep -q '"total_entities"' "$tmp/o_r" || fail "load output: $(cat "$tmp/o_r")"
grep -q "(served)" "$tmp/e_r" || fail "served echo line: $(cat "$tmp/e_r")"
same query --query "$src/examples/demo.gq" --name people
grep -q 'Ada' "$tmp/o_r" || fail "query output: $(cat "$tmp/o_r")"
same query --query "$src/examples/demo.gq" --name studying --params '{"slug":"computing"}' --json
same query --query "$src/examples/demo.gq" --name studying --params '{"slug":"computing"}' --format csv
same query -e 'query q() { match { $p: Persn } return { $p.name } }'
grep -q 'type error: T1' "$tmp/e_r" || fail "remote type error: $(cat "$tmp/e_r")"
same mutate --query "$src/examples/demo.gq" --name add_person --params '{"name":"Zoe","born":2001}'
grep -q 'changed main via add_person: 1 nodes' "$tmp/o_r" || fail "mutate output: $(cat "$tmp/o_r")"
same mutate --query "$src/examples/demo.gq" --name add_person --params '{"name":"Zed","born":2002}' --json
same snapshot
same snapshot --json
same export
same export --type Person
same schema show
same branch create --from main feature
same branch list
same mutate --query "$src/examples/demo.gq" --name add_person --params '{"name":"Fe","born":1}' --branch feature
same query --query "$src/examples/demo.gq" --name people --branch feature --json
grep -q '"Fe"' "$tmp/o_r" || fail "branch write not visible"
same branch delete feature --yes
same branch delete feature --yes
same commit list --json
same commit list
same snapshot --branch nope

# commit show and --if-commit against the served graph
"$og" --server "$url" --graph g1 commit list --json >"$tmp/cl" || fail "commit list"
head=$(sed -n 's/.*"graph_commit_id": "\([^"]*\)".*/\1/p' "$tmp/cl" | head -1)
old=$(sed -n 's/.*"graph_commit_id": "\([^"]*\)".*/\1/p' "$tmp/cl" | tail -1)
"$og" --server "$url" --graph g1 commit show "$head" --json >"$tmp/cs" || fail "commit show"
grep -q "\"graph_commit_id\": \"$head\"" "$tmp/cs" || fail "commit show: $(cat "$tmp/cs")"
"$og" --server "$url" --graph g1 mutate --query "$src/examples/demo.gq" --name add_person \
    --params '{"name":"C1","born":1}' --if-commit "$old" --json >"$tmp/pc" 2>"$tmp/pe"; rc=$?
[ $rc -eq 4 ] || fail "lost --if-commit exit $rc (want 4): $(cat "$tmp/pe")"
grep -q '"precondition_failure"' "$tmp/pc" || fail "412 body not printed: $(cat "$tmp/pc")"
"$og" --server "$url" --graph g1 mutate --query "$src/examples/demo.gq" --name add_person \
    --params '{"name":"C1","born":1}' --if-commit "$head" >/dev/null 2>&1 || fail "--if-commit head"
"$og" --server "$url" --graph nope snapshot >/dev/null 2>"$tmp/e" && fail "unknown graph accepted"
grep -q "error: graph 'nope' not found" "$tmp/e" || fail "unknown graph message: $(cat "$tmp/e")"
"$og" --server "$url" --as bob mutate --query "$src/examples/demo.gq" --name add_person \
    --params '{"name":"C2","born":1}' >/dev/null 2>"$tmp/e" && fail "--as accepted on a served write"
stop

# stored queries of a cluster's queries folder: --name without --query
mkdir -p "$tmp/clu/graphs" "$tmp/clu/queries"
cp "$src/examples/demo.gq" "$tmp/clu/queries/"
cp -r "$tmp/r" "$tmp/clu/graphs/g1"
printf 'version: 1\nmetadata: { name: t }\ngraphs:\n  g1: { queries: queries }\n' >"$tmp/clu/cluster.yaml"
start --cluster "$tmp/clu" --unauthenticated
"$og" --server "$url" --graph g1 query --name studying --params '{"slug":"computing"}' >"$tmp/o_r" || fail "stored read"
"$og" query --query "$src/examples/demo.gq" --name studying --params '{"slug":"computing"}' --store "$tmp/clu/graphs/g1" >"$tmp/o_d"
diff "$tmp/o_d" "$tmp/o_r" || fail "stored read output differs"
"$og" --server "$url" --graph g1 mutate --name add_person --params '{"name":"St","born":1}' --json >"$tmp/o_r" || fail "stored mutate"
grep -q '"query_name": "add_person"' "$tmp/o_r" || fail "stored mutate output: $(cat "$tmp/o_r")"
"$og" --server "$url" --graph g1 query --name add_person --params '{"name":"St2","born":1}' >/dev/null 2>"$tmp/e" && fail "stored mutation run as a read"
"$og" --server "$url" --graph g1 query --name nope >/dev/null 2>"$tmp/e" && fail "unknown stored query"
grep -q "error: stored query not found" "$tmp/e" || fail "unknown stored query message: $(cat "$tmp/e")"
stop

# bearer tokens: OMNIGRAPH_BEARER_TOKEN is sent, the actor is the token's
export OMNIGRAPH_SERVER_BEARER_TOKENS_JSON='{"alice":"tok-alice"}'
start --graph g1="$tmp/r"
"$og" --server "$url" snapshot >/dev/null 2>"$tmp/e" && fail "no token accepted"
grep -q "error: missing bearer token" "$tmp/e" || fail "no-token message: $(cat "$tmp/e")"
OMNIGRAPH_BEARER_TOKEN=bad "$og" --server "$url" snapshot >/dev/null 2>"$tmp/e" && fail "bad token"
grep -q "error: invalid bearer token" "$tmp/e" || fail "bad-token message: $(cat "$tmp/e")"
OMNIGRAPH_BEARER_TOKEN=tok-alice "$og" --server "$url" --graph g1 snapshot >/dev/null || fail "token snapshot"
OMNIGRAPH_BEARER_TOKEN=tok-alice "$og" --server "$url" --graph g1 branch create x >/dev/null 2>"$tmp/e" && fail "default deny"
grep -q "policy denied action 'branch_create'" "$tmp/e" || fail "deny message: $(cat "$tmp/e")"
stop
# graphs list with a server-scoped bundle that grants it to alice
printf 'version: 1\ngroups:\n  ops: [alice]\nrules:\n  - id: ops-list\n    allow:\n      actors: { group: ops }\n      actions: [graph_list]\n' >"$tmp/clu/server.yaml"
printf 'policies:\n  p0: { file: server.yaml, applies_to: [cluster] }\n' >>"$tmp/clu/cluster.yaml"
start --cluster "$tmp/clu"
OMNIGRAPH_BEARER_TOKEN=tok-alice "$og" graphs list --server "$url" >"$tmp/gl" || fail "graphs list"
grep -q "^g1 $tmp/clu/graphs/g1\$" "$tmp/gl" || fail "graphs list: $(cat "$tmp/gl")"
OMNIGRAPH_BEARER_TOKEN=tok-alice "$og" graphs list --server "$url" --json | grep -q '"graph_id": "g1"' || fail "graphs list --json"
stop
"$og" --server "$url" snapshot >/dev/null 2>"$tmp/e" && fail "dead server"
grep -q "cannot reach server" "$tmp/e" || fail "dead-server message: $(cat "$tmp/e")"
echo "server_remote: ok"
