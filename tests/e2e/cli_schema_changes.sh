#!/usr/bin/env bash
# cli_schema_changes.sh BUILD_DIR — `commit changes`, `changes poll|baseline`
# and `schema plan|apply` through the CLI (human and --json outputs, paging,
# cursors, refusals), then the same feed and diff through omnigraph-server
# (commits/{id}/changes, changes, changes/baseline, and schema/apply's 409
# on a cluster-served graph).
set -u
. "$(dirname "$0")/../lib/e2e.sh"
build=${1:?build dir}
og="$build/omnigraph"
bin="$build/omnigraph-server"
src=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
export OMNIGRAPH_HOME="$tmp/home" NO_COLOR=1
G="$tmp/g.omni"
run() { "$og" --quiet "$@" >"$tmp/out" 2>"$tmp/err"; }
ok() { run "$@" || fail "$* -> $(cat "$tmp/err")"; }
bad() { run "$@" && fail "$* should fail"; return 0; }
has() { grep -qF -- "$1" "$tmp/out" || fail "stdout lacks $1: $(cat "$tmp/out")"; }
err_has() { grep -qF -- "$1" "$tmp/err" || fail "stderr lacks $1: $(cat "$tmp/err")"; }
jq_() { python3 -c "import json,sys; d=json.load(open('$tmp/out')); print($1)"; }

ok init --schema "$src/examples/demo.pg" "$G"
ok load --data "$src/examples/demo.jsonl" --mode overwrite "$G"
ok commit list "$G" --json
load_commit=$(jq_ "d['commits'][0]['graph_commit_id']")
genesis=$(jq_ "d['commits'][-1]['graph_commit_id']")

# ---- commit changes ----
ok commit changes --uri "$G" "$load_commit" --json
[ "$(jq_ "len(d['changes'])")" -gt 4 ] || fail "load diff too small"
[ "$(jq_ "d['cause']['graph_commit_id']")" = "$load_commit" ] || fail "cause names another commit"
[ "$(jq_ "sorted(set(c['op'] for c in d['changes']))")" = "['insert']" ] || fail "a load into an empty graph only inserts"
# nodes before edges, frozen order
[ "$(jq_ "[c['kind'] for c in d['changes']] == sorted([c['kind'] for c in d['changes']], key=lambda k: k == 'edge')")" = True ] || fail "order"
total=$(jq_ "len(d['changes'])")
ok commit changes --uri "$G" "$load_commit" --kind edge --json
[ "$(jq_ "set(c['kind'] for c in d['changes'])")" = "{'edge'}" ] || fail "kind filter"
ok commit changes --uri "$G" "$load_commit" --type Person --op insert --json
[ "$(jq_ "len(d['changes'])")" = 4 ] || fail "type filter: $(cat "$tmp/out")"
# paging: --limit with auto-pagination joins every page; --page-token gives one page
ok commit changes --uri "$G" "$load_commit" --limit 3 --json
[ "$(jq_ "len(d['changes'])")" = "$total" ] || fail "auto-pagination lost changes"
bad commit changes --uri "$G" "$load_commit" --page-token bogus --json; err_has "page token rejected"
bad commit changes --uri "$G" "$genesis" --json; err_has "parentless_commit"
bad commit changes --uri "$G" "$load_commit" --op upsert; err_has "unknown change op 'upsert'"
ok commit changes --uri "$G" "$load_commit" --type Person
has "insert node Person Ada"

# ---- change feed ----
ok changes poll --store "$G" --start beginning --json
[ "$(jq_ "len(d['blocks'])")" = 2 ] || fail "beginning replays genesis + load"
[ "$(jq_ "d['caught_up']")" = True ] || fail "caught_up"
cursor=$(jq_ "d['cursor']")
ok changes poll --store "$G" --cursor "$cursor" --json
[ "$(jq_ "len(d['blocks'])")" = 0 ] || fail "nothing new after the cursor"
printf '{"type":"Person","data":{"name":"Zed","born":2000}}\n' >"$tmp/zed.jsonl"
ok load --data "$tmp/zed.jsonl" --mode merge "$G"
ok changes poll --store "$G" --cursor "$cursor" --json
[ "$(jq_ "[c['id'] for b in d['blocks'] for c in b['changes']]")" = "['Zed']" ] || fail "poll after cursor: $(cat "$tmp/out")"
bad changes poll --store "$G" --cursor "$cursor" --kind edge; err_has "change cursor rejected"
bad changes poll --store "$G" --cursor "$cursor" --branch other; err_has "change cursor rejected"
ok changes poll --store "$G"
has "cursor: "
ok changes baseline --out "$tmp/base.jsonl" --store "$G" --type Person --json
[ "$(wc -l <"$tmp/base.jsonl")" = 5 ] || fail "baseline of Person has 5 records"
bcur=$(jq_ "d['resume_cursor']")
ok changes poll --store "$G" --cursor "$bcur" --type Person --json
[ "$(jq_ "len(d['blocks'])")" = 0 ] || fail "baseline cursor resumes at its snapshot"
echo keep >"$tmp/keep.jsonl"
bad changes baseline --out "$tmp/keep.jsonl" --store "$G" --branch nope
[ "$(cat "$tmp/keep.jsonl")" = keep ] || fail "a failed baseline replaced the out file"

# ---- schema plan / apply ----
sed 's/    born: I32?/    born: I32?\n    nickname: String?/' "$src/examples/demo.pg" >"$tmp/v2.pg"
sed 's/    born: I32?/    born: I64?/' "$src/examples/demo.pg" >"$tmp/bad.pg"
ok schema plan --schema "$tmp/v2.pg" "$G"
has "add property 'Person.nickname' (String?) on node 'Person'"; has "supported: yes"
ok schema plan --schema "$tmp/bad.pg" "$G" --json
[ "$(jq_ "d['supported']")" = False ] || fail "type change supported"
bad schema apply --schema "$tmp/bad.pg" "$G"; err_has "[OG-MF-106]"
ok schema apply --schema "$src/examples/demo.pg" "$G"
has "applied: no"; has "no schema changes"
ok schema apply --schema "$tmp/v2.pg" "$G" --json
[ "$(jq_ "d['applied']")" = True ] || fail "not applied"
apply_commit=$(jq_ "d['graph_commit_id']")
ok schema show "$G"; has "nickname: String?"
ok query --store "$G" -e 'query q(){ match { $p: Person { name: "Ada" } } return { $p.nickname } }' --json
has '"p.nickname": null'
bad commit changes --uri "$G" "$apply_commit"; err_has "schema_boundary"
ok changes poll --store "$G" --cursor "$cursor" --json   # a schema block is empty, not an error
ok branch create --uri "$G" feature
bad schema apply --schema "$src/examples/demo.pg" "$G"
err_has "schema apply requires a graph with only main; found non-main branches: feature"

# ---- server ----
mkdir -p "$tmp/cl/graphs"
"$og" init --schema "$src/examples/demo.pg" "$tmp/cl/graphs/g1" >/dev/null 2>&1 || fail init
"$og" load --data "$src/examples/demo.jsonl" --mode overwrite "$tmp/cl/graphs/g1" >/dev/null 2>&1 || fail load
printf 'version: 1\nmetadata: { name: t }\ngraphs:\n  g1: {}\n' >"$tmp/cl/cluster.yaml"
bad schema apply --schema "$tmp/v2.pg" "$tmp/cl/graphs/g1"; err_has "omnigraph cluster apply"
"$bin" --cluster "$tmp/cl" --unauthenticated --bind 127.0.0.1:0 >"$tmp/sout" 2>"$tmp/serr" &
pid=$!
addr=$(og_wait_listen "$tmp/sout")
[ -n "$addr" ] || fail "server did not start: $(cat "$tmp/serr")"
base="http://$addr/graphs/g1"
code() { curl -s -o "$tmp/out" -w '%{http_code}' --max-time 20 "$@"; }
[ "$(code "$base/commits")" = 200 ] || fail "commits"
c=$(jq_ "d['commits'][0]['graph_commit_id']")
[ "$(code "$base/commits/$c/changes?type=Person&limit=2")" = 200 ] || fail "commit changes: $(cat "$tmp/out")"
[ "$(jq_ "len(d['changes'])")" = 2 ] || fail "limit 2"
tok=$(jq_ "d['next_page_token']")
[ "$(code "$base/commits/$c/changes?type=Person&limit=2&page_token=$tok")" = 200 ] || fail "page 2"
[ "$(jq_ "[x['id'] for x in d['changes']]")" = "['Charles', 'Grace']" ] || fail "page 2 content: $(cat "$tmp/out")"
[ "$(code "$base/commits/$c/changes?op=bogus")" = 400 ] || fail "bad op not 400"
[ "$(code "$base/changes?start=beginning")" = 200 ] || fail "changes"
[ "$(jq_ "len(d['blocks'])")" = 2 ] || fail "feed blocks"
[ "$(code "$base/changes?cursor=garbage")" = 400 ] || fail "bad cursor not 400"
[ "$(code -X POST -H 'Content-Type: application/json' -d '{"type":["Topic"]}' "$base/changes/baseline")" = 200 ] || fail "baseline"
tail -1 "$tmp/out" | grep -q '"baseline":{' || fail "baseline trailer: $(cat "$tmp/out")"
grep -q '"type":"Topic"' "$tmp/out" || fail "baseline records"
grep -q '"type":"Person"' "$tmp/out" && fail "baseline ignored the type filter"
[ "$(code -X POST -H 'Content-Type: application/json' -d '{"schema_source":"node A { x: String }"}' "$base/schema/apply")" = 409 ] \
    || fail "schema/apply on a cluster graph is not 409"
kill -INT "$pid"; wait "$pid"; pid=""
echo "cli_schema_changes: ok"
