#!/usr/bin/env bash
# server_maint.sh BUILD_DIR — the server's background maintenance: 20
# single inserts through HTTP push Person past the fragment threshold; the
# reconciler's maintenance tick (interval shortened) compacts it with an
# `omnigraph:maintenance` commit, logs it, and every row stays readable.
set -u
. "$(dirname "$0")/../lib/e2e.sh"
build=$1
bin="$build/omnigraph-server"; og="$build/omnigraph"
src=$(cd "$(dirname "$0")/../.." && pwd); ex="$src/examples"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/og-srv-maint.XXXXXX")
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
g="$tmp/g.omni"
"$og" init --schema "$ex/demo.pg" "$g" >/dev/null 2>&1 || fail "init"
OMNIGRAPH_LOG=info OMNIGRAPH_RECOVERY_INTERVAL_MS=100 OMNIGRAPH_MAINTENANCE_INTERVAL_MS=100 \
    "$bin" --graph g="$g" --unauthenticated --bind 127.0.0.1:0 >"$tmp/out" 2>"$tmp/err" &
pid=$!
addr=$(og_wait_listen "$tmp/out")
[ -n "$addr" ] || { cat "$tmp/err"; fail "server did not start"; }
q=$(python3 -c 'import json,sys;print(json.dumps(open(sys.argv[1]).read()))' "$ex/demo.gq")
ok=0
for i in $(seq 1 20); do
    # a write that races a maintenance commit gets a typed 409: retry it as a
    # client would (bounded), so every insert lands
    for _ in $(seq 1 20); do
        code=$(curl -s -o /dev/null --max-time 10 -H 'Content-Type: application/json' -X POST \
            "http://$addr/graphs/g/mutate" -d "{\"query\":$q,\"name\":\"add_person\",\"params\":{\"name\":\"s$i\",\"born\":$i}}" \
            -w '%{http_code}')
        [ "$code" = 200 ] || [ "$code" = 409 ] || fail "insert $i: HTTP $code"
        [ "$code" = 200 ] && { ok=$((ok + 1)); break; }
        sleep 0.05
    done
done
[ "$ok" -eq 20 ] || fail "only $ok of 20 inserts succeeded after retries"
# watch for the maintenance commit through the server itself (the
# served graph's commit list), bounded at 30 s of wall time
found=0
deadline=$((SECONDS + 30))
while [ $SECONDS -lt $deadline ]; do
    curl -s --max-time 10 "http://$addr/graphs/g/commits" >"$tmp/commits" 2>/dev/null
    # the pass logs after its commit is visible: wait for both
    if grep -q '"actor_id":"omnigraph:maintenance"' "$tmp/commits" && grep -q 'maintenance' "$tmp/err"; then
        found=1; break
    fi
    sleep 0.1
done
grep -q '"actor_id":"omnigraph:maintenance"' "$tmp/commits" || fail "no maintenance commit after 30 s: $(tail -5 "$tmp/err"); commits: $(tail -c 600 "$tmp/commits")"
[ $found = 1 ] || fail "maintenance commit published but not logged after 30 s: $(tail -5 "$tmp/err")"
rows=$(curl -s --max-time 10 -H 'Content-Type: application/json' -X POST "http://$addr/graphs/g/query" \
    -d "{\"query\":$q,\"name\":\"people\"}" | grep -o '"row_count":[0-9]*' | cut -d: -f2)
[ "$rows" = "$ok" ] || fail "$ok inserts acknowledged but $rows people"
kill -INT "$pid"; wait "$pid"; pid=""
# and on disk, through a direct open once the server is gone
"$og" commit list "$g" --json >"$tmp/cl.out" 2>"$tmp/cl.err" || fail "commit list: $(cat "$tmp/cl.err")"
grep -q '"actor_id": "omnigraph:maintenance"' "$tmp/cl.out" || fail "no maintenance commit on disk"
echo ok
