#!/usr/bin/env bash
# server_recovery.sh BUILD_DIR — a running server recovers a write that
# another process abandoned mid-flight, without a restart: a CLI mutation
# dies (failpoint exit) after its table commits and before its publish,
# leaving a sidecar; the server's background reconciler rolls it back or
# forward within a few intervals, and the next write through the server
# succeeds.
set -u
build=$1
bin="$build/omnigraph-server"; og="$build/omnigraph"
src=$(cd "$(dirname "$0")/../.." && pwd); ex="$src/examples"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/og-srv-rec.XXXXXX")
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
g="$tmp/g.omni"
"$og" init --schema "$ex/demo.pg" "$g" >/dev/null 2>&1 || fail "init"
"$og" load --data "$ex/demo.jsonl" --mode overwrite "$g" >/dev/null 2>&1 || fail "load"

OMNIGRAPH_RECOVERY_INTERVAL_MS=100 "$bin" --graph g="$g" --unauthenticated --bind 127.0.0.1:0 \
    >"$tmp/out" 2>"$tmp/err" &
pid=$!
addr=""
for _ in $(seq 1 100); do
    addr=$(sed -n 's/^OMNIGRAPH_LISTEN_ADDR=//p' "$tmp/out"); [ -n "$addr" ] && break; sleep 0.05
done
[ -n "$addr" ] || { cat "$tmp/err"; fail "server did not start"; }

OMNIGRAPH_FAILPOINTS="mutation.post_phase_b_pre_manifest_commit=exit" \
    "$og" mutate --store "$g" --query "$ex/demo.gq" add_person --params '{"name":"Zed","born":1999}' \
    >/dev/null 2>&1
[ $? -eq 86 ] || fail "the mutation did not die at its failpoint"
[ -n "$(ls "$g/__recovery" 2>/dev/null)" ] || fail "no sidecar left by the dead writer"

for _ in $(seq 1 100); do
    [ -z "$(ls "$g/__recovery" 2>/dev/null)" ] && break
    sleep 0.05
done
[ -z "$(ls "$g/__recovery" 2>/dev/null)" ] || fail "sidecar still pending after 5 s: $(cat "$tmp/err")"

body=$(curl -s --max-time 10 -H 'Content-Type: application/json' -X POST "http://$addr/graphs/g/mutate" \
    -d "{\"query\":$(python3 -c 'import json,sys;print(json.dumps(open(sys.argv[1]).read()))' "$ex/demo.gq"),\"name\":\"add_person\",\"params\":{\"name\":\"Amy\",\"born\":2001}}" \
    -w '\n%{http_code}')
[ "$(echo "$body" | tail -1)" = 200 ] || fail "write after recovery: $body"
kill -INT "$pid"; wait "$pid"; pid=""
echo ok
