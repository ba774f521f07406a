#!/usr/bin/env bash
# A CLI process that dies at each phase of a mutation (OMNIGRAPH_FAILPOINTS
# with the `exit` action) leaves a graph that the next command recovers:
# the mutation is wholly there (died after its publish) or wholly absent
# (died before it), and the next write succeeds.
set -u
og="$1/omnigraph"
src=$(cd "$(dirname "$0")/../.." && pwd)
ex="$src/examples"
t=$(mktemp -d "${TMPDIR:-/tmp}/og-crash-fp.XXXXXX")
trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
count_people() {
    "$og" query --store "$1" --query "$ex/demo.gq" people --json 2>"$t/err" \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["row_count"])'
}
n=0
for fp in mutation.post_phase_a mutation.post_table_commit \
          mutation.post_phase_b_pre_manifest_commit mutation.post_phase_c_pre_phase_d; do
    g="$t/$fp.omni"
    "$og" init --schema "$ex/demo.pg" "$g" >/dev/null 2>&1 || fail "init"
    "$og" load --data "$ex/demo.jsonl" --mode overwrite "$g" >/dev/null 2>&1 || fail "load"
    before=$(count_people "$g") || fail "count before: $(cat "$t/err")"
    OMNIGRAPH_FAILPOINTS="$fp=exit" "$og" mutate --store "$g" --query "$ex/demo.gq" add_person \
        --params '{"name":"Zed","born":1999}' >/dev/null 2>&1
    rc=$?
    [ $rc -eq 86 ] || fail "$fp: expected the failpoint exit (86), got $rc"
    # The next read-write command runs the sweep; then the write is whole or absent.
    "$og" mutate --store "$g" --query "$ex/demo.gq" add_person \
        --params '{"name":"Amy","born":2001}' >/dev/null 2>"$t/err" || fail "$fp: next write: $(cat "$t/err")"
    after=$(count_people "$g") || fail "$fp: count after: $(cat "$t/err")"
    case "$fp" in
        mutation.post_phase_c_pre_phase_d) want=$((before + 2)) ;;   # published before dying
        *) want=$((before + 1)); [ "$after" -eq $((before + 2)) ] && want=$((before + 2)) ;;  # rolled back or forward
    esac
    [ "$after" -eq "$want" ] || fail "$fp: $after people after, want $want (before $before)"
    [ -z "$(ls "$g/__recovery" 2>/dev/null)" ] || fail "$fp: sidecar left: $(ls "$g/__recovery")"
    n=$((n + 1))
done
echo "ok: $n crash points through the CLI"
