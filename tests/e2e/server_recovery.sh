#!/usr/bin/env bash
# server_recovery.sh BUILD_DIR — a running server recovers a write that
# another process abandoned mid-flight, without a restart: a CLI mutation
# dies (failpoint exit) after its table commits and before its publish,
# leaving a sidecar; the server's background reconciler rolls it back or
# forward within a few intervals, and the next write through the server
# succeeds. Then recovery-required (503): a sidecar recovery cannot finish
# (unreadable) appears under the running server: writes answer 503 with
# recovery_required.operation_id and no code, reads still answer 200; once
# the sidecar is gone writes succeed again. A server booted on a graph in
# that state serves it read-only (503 for writes) and recovers it in the
# background once the sidecar is resolved.
set -u
. "$(dirname "$0")/../lib/e2e.sh"
build=$1
bin="$build/omnigraph-server"; og="$build/omnigraph"
src=$(cd "$(dirname "$0")/../.." && pwd); ex="$src/examples"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/og-srv-rec.XXXXXX")
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
# every wait below is bounded at 30 s of wall time (slow under ASan and load)
g="$tmp/g.omni"
"$og" init --schema "$ex/demo.pg" "$g" >/dev/null 2>&1 || fail "init"
"$og" load --data "$ex/demo.jsonl" --mode overwrite "$g" >/dev/null 2>&1 || fail "load"

OMNIGRAPH_RECOVERY_INTERVAL_MS=100 "$bin" --graph g="$g" --unauthenticated --bind 127.0.0.1:0 \
    >"$tmp/out" 2>"$tmp/err" &
pid=$!
addr=$(og_wait_listen "$tmp/out")
[ -n "$addr" ] || { cat "$tmp/err"; fail "server did not start"; }

OMNIGRAPH_FAILPOINTS="mutation.post_phase_b_pre_manifest_commit=exit" \
    "$og" mutate --store "$g" --query "$ex/demo.gq" add_person --params '{"name":"Zed","born":1999}' \
    >/dev/null 2>&1
[ $? -eq 86 ] || fail "the mutation did not die at its failpoint"
[ -n "$(ls "$g/__recovery" 2>/dev/null)" ] || fail "no sidecar left by the dead writer"

deadline=$((SECONDS + 30)); while [ $SECONDS -lt $deadline ]; do
    [ -z "$(ls "$g/__recovery" 2>/dev/null)" ] && break
    sleep 0.05
done
[ -z "$(ls "$g/__recovery" 2>/dev/null)" ] || fail "sidecar still pending after 30 s: $(cat "$tmp/err")"

body=$(curl -s --max-time 10 -H 'Content-Type: application/json' -X POST "http://$addr/graphs/g/mutate" \
    -d "{\"query\":$(python3 -c 'import json,sys;print(json.dumps(open(sys.argv[1]).read()))' "$ex/demo.gq"),\"name\":\"add_person\",\"params\":{\"name\":\"Amy\",\"born\":2001}}" \
    -w '\n%{http_code}')
[ "$(echo "$body" | tail -1)" = 200 ] || fail "write after recovery: $body"

gq=$(python3 -c 'import json,sys;print(json.dumps(open(sys.argv[1]).read()))' "$ex/demo.gq")
mutate() {
    curl -s --max-time 10 -H 'Content-Type: application/json' -X POST "http://$addr/graphs/g/mutate" \
        -d "{\"query\":$gq,\"name\":\"add_person\",\"params\":{\"name\":\"$1\",\"born\":2001}}" -w '\n%{http_code}'
}
read_status() {
    curl -s --max-time 10 -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
        -X POST "http://$addr/graphs/g/query" -d "{\"query\":$gq,\"name\":\"people\"}"
}
op=01JZZZZZZZZZZZZZZZZZZZZZZZ
printf '{"schema_version": 1, "trunc' >"$g/__recovery/$op.json"   # recovery cannot finish it
code=""
deadline=$((SECONDS + 30)); while [ $SECONDS -lt $deadline ]; do
    body=$(mutate "Bo"); code=$(echo "$body" | tail -1)
    [ "$code" = 503 ] && break
    sleep 0.05
done
[ "$code" = 503 ] || fail "no 503 while a sidecar cannot be recovered: $body"
echo "$body" | head -1 | python3 -c "
import json,sys
d=json.load(sys.stdin)
assert d['recovery_required']=={'operation_id':'$op'}, d
assert 'code' not in d, d
assert d['error'], d" || fail "503 body: $body"
[ "$(read_status)" = 200 ] || fail "reads not served while recovery is required"
rm -f "$g/__recovery/$op.json"
deadline=$((SECONDS + 30)); while [ $SECONDS -lt $deadline ]; do
    body=$(mutate "Cy"); code=$(echo "$body" | tail -1)
    [ "$code" = 200 ] && break
    sleep 0.05
done
[ "$code" = 200 ] || fail "writes not served again after the sidecar was resolved: $body"
kill -INT "$pid"; wait "$pid"; pid=""

# Boot on a graph whose read-write open is recovery-required.
printf 'garbage' >"$g/__recovery/$op.json"
OMNIGRAPH_RECOVERY_INTERVAL_MS=100 "$bin" --graph g="$g" --unauthenticated --bind 127.0.0.1:0 \
    >"$tmp/out2" 2>"$tmp/err2" &
pid=$!
addr=$(og_wait_listen "$tmp/out2")
[ -n "$addr" ] || { cat "$tmp/err2"; fail "server did not boot on a recovery-required graph"; }
body=$(mutate "Di"); [ "$(echo "$body" | tail -1)" = 503 ] || fail "boot: write not 503: $body"
echo "$body" | head -1 | grep -q "\"operation_id\":\"$op\"" || fail "boot: 503 body: $body"
[ "$(read_status)" = 200 ] || fail "boot: reads not served from the read-only handle"
rm -f "$g/__recovery/$op.json"
deadline=$((SECONDS + 30)); while [ $SECONDS -lt $deadline ]; do
    body=$(mutate "Ed"); code=$(echo "$body" | tail -1)
    [ "$code" = 200 ] && break
    sleep 0.05
done
[ "$code" = 200 ] || fail "boot: writes not served after background recovery: $body"
kill -INT "$pid"; wait "$pid"; pid=""
echo ok
