#!/usr/bin/env bash
# search_surface.sh BUILD_DIR — the search functions through the two front
# ends that are not the C API: `omnigraph query` (bm25 ranking, string
# nearest under the mock embedder, the model-mismatch and missing-key
# errors with a failing exit) and the HTTP `query` route of
# omnigraph-server (same rows as the CLI). No provider key is ever set, so
# nothing reaches the network. The server is always killed.
set -u
. "$(dirname "$0")/../lib/e2e.sh"
build=${1:?build dir}
og="$build/omnigraph"
bin="$build/omnigraph-server"
tmp=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
unset OMNIGRAPH_EMBEDDINGS_MOCK OMNIGRAPH_EMBED_PROVIDER OMNIGRAPH_EMBED_MODEL OMNIGRAPH_EMBED_BASE_URL \
      OPENROUTER_API_KEY OPENAI_API_KEY GEMINI_API_KEY

cat >"$tmp/s.pg" <<'PG'
node Doc {
    slug: String @key
    title: String @index
    embedding: Vector(4) @embed("title", model="m-a")
}
PG
# vectors: the mock embedding of each title (surface.md §9), rounded
cat >"$tmp/d.jsonl" <<'JSONL'
{"type":"Doc","data":{"slug":"alpha-doc","title":"alpha guide","embedding":[-0.54204881,-0.47179943,0.16090508,0.67653376]}}
{"type":"Doc","data":{"slug":"beta-doc","title":"beta guide","embedding":[0.66596329,-0.56221950,-0.41636753,0.25892115]}}
{"type":"Doc","data":{"slug":"gamma-doc","title":"gamma handbook","embedding":[0.50424933,0.25277379,0.44896162,-0.69301629]}}
JSONL
cat >"$tmp/q.gq" <<'GQ'
query near($q: String) {
    match { $d: Doc }
    return { $d.slug }
    order { nearest($d.embedding, $q) }
    limit 2
}
query rank($q: String) {
    match { $d: Doc }
    return { $d.slug }
    order { bm25($d.title, $q) }
    limit 5
}
GQ
"$og" init --schema "$tmp/s.pg" "$tmp/g" >/dev/null || fail init
"$og" load --data "$tmp/d.jsonl" --mode overwrite "$tmp/g" >/dev/null 2>&1 || fail load

# CLI
out=$("$og" query --store "$tmp/g" --query "$tmp/q.gq" rank --params '{"q":"guide"}' --format jsonl) || fail "bm25: $out"
[ "$(grep -c "d.slug\":" <<<"$out")" = 2 ] || fail "bm25 rows: $out"
grep -q gamma <<<"$out" && fail "bm25 returned a non-matching row: $out"
out=$(OMNIGRAPH_EMBEDDINGS_MOCK=1 OMNIGRAPH_EMBED_MODEL=m-a \
      "$og" query --store "$tmp/g" --query "$tmp/q.gq" near --params '{"q":"alpha"}' --format jsonl) || fail "near: $out"
[ "$(sed -n 2p <<<"$out")" = '{"d.slug":"alpha-doc"}' ] || fail "near first row: $out"
if out=$(OMNIGRAPH_EMBEDDINGS_MOCK=1 OMNIGRAPH_EMBED_MODEL=m-b \
         "$og" query --store "$tmp/g" --query "$tmp/q.gq" near --params '{"q":"alpha"}' 2>&1); then
    fail "model mismatch accepted: $out"
fi
grep -q "m-a" <<<"$out" && grep -q "m-b" <<<"$out" || fail "mismatch message: $out"
if out=$(OMNIGRAPH_EMBED_MODEL=m-a "$og" query --store "$tmp/g" --query "$tmp/q.gq" near --params '{"q":"alpha"}' 2>&1); then
    fail "no key accepted: $out"
fi
grep -q "OPENROUTER_API_KEY or OPENAI_API_KEY" <<<"$out" || fail "key message: $out"

# HTTP: the same query through POST /graphs/g1/query
: >"$tmp/out"
OMNIGRAPH_EMBEDDINGS_MOCK=1 OMNIGRAPH_EMBED_MODEL=m-a \
    "$bin" --graph g1="$tmp/g" --unauthenticated --bind 127.0.0.1:0 >"$tmp/out" 2>"$tmp/err" &
pid=$!
addr=$(og_wait_listen "$tmp/out")
[ -n "$addr" ] || { cat "$tmp/err"; fail "server did not start"; }
Q='query near($q: String) { match { $d: Doc } return { $d.slug } order { nearest($d.embedding, $q) } limit 2 }'
body=$(curl -s --max-time 20 -H 'Content-Type: application/json' \
       -d "{\"query\":\"$Q\",\"params\":{\"q\":\"gamma\"}}" "http://$addr/graphs/g1/query") || fail "curl"
grep -qF '"rows":[{"d.slug":"gamma-doc"},' <<<"$body" || fail "http near: $body"
Q='query rank($q: String) { match { $d: Doc } return { $d.slug } order { bm25($d.title, $q) } limit 5 }'
body=$(curl -s --max-time 20 -H 'Content-Type: application/json' \
       -d "{\"query\":\"$Q\",\"params\":{\"q\":\"handbook\"}}" "http://$addr/graphs/g1/query") || fail "curl"
grep -qF '"row_count":1,' <<<"$body" && grep -qF '"rows":[{"d.slug":"gamma-doc"}]' <<<"$body" || fail "http bm25: $body"
kill -INT "$pid"; wait "$pid"; pid=""

# The HTTP clients against a local fake provider (no network): it answers
# the scripted (status, body) pairs in order and logs every request.
# OpenAI-compatible: a 503 is retried, then a non-normalised vector along
# gamma's wins; Gemini: path, key header and task type; a wrong dimension
# is refused. Skipped without python3.
if command -v python3 >/dev/null; then
    cat >"$tmp/fake.py" <<'PY'
import http.server, json, sys
script = json.load(open(sys.argv[2]))
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with open(sys.argv[1], "a") as f:
            f.write(json.dumps({"path": self.path, "auth": self.headers.get("Authorization"),
                                "goog": self.headers.get("x-goog-api-key"), "body": body}) + "\n")
        status, answer = script.pop(0)
        out = json.dumps(answer).encode()
        self.send_response(status); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out))); self.end_headers(); self.wfile.write(out)
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
for _ in range(int(sys.argv[3])): s.handle_request()
PY
    fake() {   # fake SCRIPT_JSON N_REQUESTS; sets port and fpid
        echo "$1" >"$tmp/script.json"; : >"$tmp/reqs"; : >"$tmp/port"
        python3 "$tmp/fake.py" "$tmp/reqs" "$tmp/script.json" "$2" >"$tmp/port" &
        fpid=$!
        for _ in $(seq 1 600); do [ -s "$tmp/port" ] && break; sleep 0.05; done
        port=$(cat "$tmp/port")
    }
    G='[1.51274799, 0.75832137, 1.34688486, -2.07904887]'   # 3 x gamma's vector
    fake "[[503, {\"error\": \"busy\"}], [200, {\"data\": [{\"embedding\": $G}]}]]" 2
    out=$(OMNIGRAPH_EMBED_PROVIDER=openai OMNIGRAPH_EMBED_MODEL=m-a OPENAI_API_KEY=sk-test \
          OMNIGRAPH_EMBED_BASE_URL="http://127.0.0.1:$port/v1/" OMNIGRAPH_EMBED_RETRY_BACKOFF_MS=10 \
          "$og" query --store "$tmp/g" --query "$tmp/q.gq" near --params '{"q":"anything"}' --format jsonl 2>&1)
    rc=$?
    kill "$fpid" 2>/dev/null; wait "$fpid" 2>/dev/null
    [ $rc -eq 0 ] || fail "fake provider query: $out"
    [ "$(sed -n 2p <<<"$out")" = '{"d.slug":"gamma-doc"}' ] || fail "fake provider ranking: $out"
    [ "$(wc -l <"$tmp/reqs")" = 2 ] || fail "expected a retry: $(cat "$tmp/reqs")"
    grep -qF '"path": "/v1/embeddings"' "$tmp/reqs" || fail "path: $(cat "$tmp/reqs")"
    grep -qF '"auth": "Bearer sk-test"' "$tmp/reqs" || fail "auth: $(cat "$tmp/reqs")"
    grep -qF '"body": {"model": "m-a", "input": "anything", "dimensions": 4}' "$tmp/reqs" || fail "body: $(cat "$tmp/reqs")"

    fake "[[200, {\"embedding\": {\"values\": $G}}]]" 1
    out=$(OMNIGRAPH_EMBED_PROVIDER=gemini OMNIGRAPH_EMBED_MODEL=m-a GEMINI_API_KEY=g-test \
          OMNIGRAPH_EMBED_BASE_URL="http://127.0.0.1:$port/v1beta" \
          "$og" query --store "$tmp/g" --query "$tmp/q.gq" near --params '{"q":"anything"}' --format jsonl 2>&1)
    rc=$?
    kill "$fpid" 2>/dev/null; wait "$fpid" 2>/dev/null
    [ $rc -eq 0 ] || fail "fake gemini query: $out"
    [ "$(sed -n 2p <<<"$out")" = '{"d.slug":"gamma-doc"}' ] || fail "fake gemini ranking: $out"
    grep -qF '"path": "/v1beta/models/m-a:embedContent"' "$tmp/reqs" || fail "gemini path: $(cat "$tmp/reqs")"
    grep -qF '"goog": "g-test"' "$tmp/reqs" || fail "gemini key: $(cat "$tmp/reqs")"
    grep -qF '"taskType": "RETRIEVAL_QUERY", "outputDimensionality": 4' "$tmp/reqs" || fail "gemini body: $(cat "$tmp/reqs")"

    fake '[[200, {"data": [{"embedding": [0.1, 0.2, 0.3]}]}]]' 1
    out=$(OMNIGRAPH_EMBED_PROVIDER=openai-compatible OMNIGRAPH_EMBED_MODEL=m-a OPENROUTER_API_KEY=k \
          OMNIGRAPH_EMBED_BASE_URL="http://127.0.0.1:$port" \
          "$og" query --store "$tmp/g" --query "$tmp/q.gq" near --params '{"q":"anything"}' 2>&1)
    rc=$?
    kill "$fpid" 2>/dev/null; wait "$fpid" 2>/dev/null
    [ $rc -ne 0 ] || fail "a 3-dimension answer was accepted: $out"
    grep -q "returned 3 dimensions, expected 4" <<<"$out" || fail "dimension message: $out"
fi
echo ok
