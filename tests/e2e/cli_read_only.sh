#!/usr/bin/env bash
# Read verbs (query, export, snapshot, commit list/show, branch list) open
# the graph read-only: with a crashed writer's sidecar pending they neither
# recover it nor write anything, and they answer from the last published
# state. The next write verb's read-write open rolls the crash forward.
set -u
og="$1/omnigraph"
src=$(cd "$(dirname "$0")/../.." && pwd)
ex="$src/examples"
t=$(mktemp -d "${TMPDIR:-/tmp}/og-ro.XXXXXX")
trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
g="$t/g.omni"
"$og" init --schema "$ex/demo.pg" "$g" >/dev/null 2>&1 || fail "init"
"$og" load --data "$ex/demo.jsonl" --mode overwrite "$g" >/dev/null 2>&1 || fail "load"
OMNIGRAPH_FAILPOINTS="mutation.post_phase_b_pre_manifest_commit=exit" "$og" mutate --store "$g" \
    --query "$ex/demo.gq" add_person --params '{"name":"Yan","born":1999}' >/dev/null 2>&1
[ $? -eq 86 ] || fail "the failpoint exit did not fire"
[ "$(ls "$g/__recovery" | wc -l)" -eq 1 ] || fail "expected one pending sidecar"
snap() { find "$g" -type f ! -path '*/.og-*' -printf '%P %s\n' | sort; }
snap >"$t/before"
"$og" query --store "$g" --query "$ex/demo.gq" people --format jsonl >"$t/q" 2>"$t/e" || fail "query: $(cat "$t/e")"
grep -q '"Yan"' "$t/q" && fail "a read saw the unpublished write"
grep -q '"Ada' "$t/q" || fail "query output: $(cat "$t/q")"
"$og" export "$g" >"$t/x" 2>"$t/e" || fail "export: $(cat "$t/e")"
grep -q 'Yan' "$t/x" && fail "export saw the unpublished write"
"$og" snapshot "$g" --json >/dev/null 2>"$t/e" || fail "snapshot: $(cat "$t/e")"
"$og" commit list "$g" --json >"$t/cl" 2>"$t/e" || fail "commit list: $(cat "$t/e")"
"$og" branch list --uri "$g" >/dev/null 2>"$t/e" || fail "branch list: $(cat "$t/e")"
snap >"$t/after"
diff "$t/before" "$t/after" >"$t/d" || fail "a read verb wrote to the graph: $(cat "$t/d")"
[ "$(ls "$g/__recovery" | wc -l)" -eq 1 ] || fail "a read verb recovered the sidecar"
# a write verb opens read-write: the sweep rolls the crash forward first
"$og" mutate --store "$g" --query "$ex/demo.gq" add_person --params '{"name":"Zed","born":2000}' \
    >/dev/null 2>"$t/e" || fail "mutate: $(cat "$t/e")"
[ "$(ls "$g/__recovery" | wc -l)" -eq 0 ] || fail "the write did not recover the sidecar"
"$og" query --store "$g" --query "$ex/demo.gq" people --format jsonl >"$t/q" 2>"$t/e" || fail "query 2"
grep -q '"Yan"' "$t/q" || fail "the rolled-forward write is missing: $(cat "$t/q")"
grep -q '"Zed"' "$t/q" || fail "the new write is missing"
echo ok
