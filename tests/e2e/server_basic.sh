#!/usr/bin/env bash
# server_basic.sh BUILD_DIR — boots omnigraph-server on 127.0.0.1:0 and checks
# the framework routes, auth (401/403), 404/405/413/415, and startup errors.
set -u
. "$(dirname "$0")/../lib/e2e.sh"
build=${1:?build dir}
bin="$build/omnigraph-server"
tmp=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

start() { # start ARGS... ; sets addr and pid
    : >"$tmp/out"
    "$bin" "$@" --bind 127.0.0.1:0 >"$tmp/out" 2>"$tmp/err" &
    pid=$!
    addr=$(og_wait_listen "$tmp/out")
    [ -n "$addr" ] || { cat "$tmp/err"; fail "server did not print OMNIGRAPH_LISTEN_ADDR"; }
}
stop() { kill -INT "$pid"; wait "$pid"; rc=$?; pid=""; [ $rc -eq 0 ] || fail "server exit $rc on SIGINT"; }
code() { curl -s -o "$tmp/body" -w '%{http_code}' --max-time 10 "$@"; }
expect() { # expect STATUS CURLARGS...
    local want=$1; shift
    local got; got=$(code "$@")
    [ "$got" = "$want" ] || fail "$* -> $got (want $want): $(cat "$tmp/body")"
}
body_has() { grep -q -- "$1" "$tmp/body" || fail "body lacks $1: $(cat "$tmp/body")"; }

# startup errors
"$bin" --graph g=/x --bind 127.0.0.1:0 >/dev/null 2>"$tmp/e1" && fail "started without tokens"
grep -q "no bearer tokens" "$tmp/e1" || fail "no-token message"
printf 'version: 1\n' >"$tmp/p.yaml"
"$bin" --graph g=/x --policy "$tmp/p.yaml" --unauthenticated --bind 127.0.0.1:0 >/dev/null 2>"$tmp/e2" && fail "policy without tokens"
OMNIGRAPH_SERVER_BEARER_TOKEN=' ' "$bin" --graph g=/x --bind 127.0.0.1:0 >/dev/null 2>&1 && fail "blank token accepted"
"$bin" --graph bad_id=/x --unauthenticated --bind 127.0.0.1:0 >/dev/null 2>&1 && fail "bad graph id accepted"

# open mode (a served graph must exist: the server opens it at boot)
src=$(cd "$(dirname "$0")/../.." && pwd)
"$build/omnigraph" init --schema "$src/examples/demo.pg" "$tmp/g1" >/dev/null || fail "init g1"
start --graph g1="$tmp/g1" --unauthenticated
expect 200 "http://$addr/healthz"; body_has '"status":"ok"'; body_has '"internal_schema_version":6'
expect 200 "http://$addr/openapi.json"; body_has '"openapi":"3.1.0"'
grep -q '"security"' "$tmp/body" && grep -q 'securitySchemes' "$tmp/body" && fail "open mode lists security"
# listing graphs is a server action only a server-scoped bundle grants,
# so an open server refuses it (surface.md §5.3)
expect 403 "http://$addr/graphs"; body_has "policy denied action 'graph_list'"
expect 404 "http://$addr/query"; body_has '"code":"not_found"'
expect 404 -X POST "http://$addr/graphs/zz/query"; body_has "graph 'zz' not found"
expect 405 "http://$addr/graphs/g1/query"; body_has method_not_allowed
expect 415 -X POST -H 'Content-Type: text/plain' -d '{}' "http://$addr/graphs/g1/query"
expect 415 -X POST -H 'Content-Type: application/json' -d '{}' "http://$addr/graphs/g1/load/ndjson"
head -c 1000001 /dev/zero >"$tmp/big"
expect 413 -X POST -H 'Content-Type: application/json' --data-binary @"$tmp/big" "http://$addr/graphs/g1/query"
body_has '"resource_limit"'
expect 400 -X POST -H 'Content-Type: application/json' -d '{not json' "http://$addr/graphs/g1/query"
body_has '"code":"bad_request"'
stop

# default deny: tokens, no policy
export OMNIGRAPH_SERVER_BEARER_TOKENS_JSON='{"alice":"tok-alice"}'
start --graph g1="$tmp/g1"
expect 200 "http://$addr/healthz"
expect 401 "http://$addr/graphs/g1/snapshot"; body_has '"error":"missing bearer token"'
expect 401 -H 'Authorization: Bearer wrong' "http://$addr/graphs/g1/snapshot"; body_has '"error":"invalid bearer token"'
expect 403 -X POST -H 'Authorization: Bearer tok-alice' -H 'Content-Type: application/json' \
    -d '{"query":"x"}' "http://$addr/graphs/g1/mutate"
body_has "policy denied action 'change' on branch 'main' for actor 'alice'"
body_has '"code":"forbidden"'
expect 200 "http://$addr/openapi.json"; body_has securitySchemes
stop

# policy enabled, via a cluster directory
mkdir -p "$tmp/cl/queries"
cat >"$tmp/cl/policy.yaml" <<'YAML'
version: 1
groups:
  team: [alice]
protected_branches: [main]
rules:
  - id: team-unprotected
    allow:
      actors: { group: team }
      actions: [read, change]
      branch_scope: unprotected
YAML
cat >"$tmp/cl/cluster.yaml" <<'YAML'
version: 1
metadata: { name: test }
graphs:
  g1: { queries: queries }
policies:
  p1: { file: policy.yaml, applies_to: [g1] }
YAML
"$build/omnigraph" init --schema "$src/examples/demo.pg" "$tmp/cl/graphs/g1" >/dev/null || fail "init cluster g1"
start --cluster "$tmp/cl"
expect 403 -X POST -H 'Authorization: Bearer tok-alice' -H 'Content-Type: application/json' \
    -d '{"query":"x","branch":"main"}' "http://$addr/graphs/g1/mutate"
body_has "on branch 'main' for actor 'alice'"
expect 403 -H 'Authorization: Bearer tok-alice' "http://$addr/graphs"
expect 404 -X POST -H 'Authorization: Bearer tok-alice' "http://$addr/graphs/g1/queries/nope"
body_has 'stored query not found'
stop
echo "server_basic: ok"
