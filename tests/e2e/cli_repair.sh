#!/usr/bin/env bash
# `omnigraph repair` end to end: a clean graph previews as no drift; drift
# made on purpose (a mutation killed after its table commits, its recovery
# sidecar then removed, so nothing covers the movement; a crash whose
# sidecar is still there is recovery's, not repair's) previews, is
# refused by --confirm (exit 1, nothing published), published by
# --confirm --force (one commit by omnigraph:repair:force), after which the
# graph is clean and writable. Addressing guards: --server, --force alone.
set -u
og="$1/omnigraph"
src=$(cd "$(dirname "$0")/../.." && pwd)
ex="$src/examples"
t=$(mktemp -d "${TMPDIR:-/tmp}/og-repair.XXXXXX")
trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
jq_() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
g="$t/g.omni"
"$og" init --schema "$ex/demo.pg" "$g" >/dev/null 2>&1 || fail "init"
"$og" load --data "$ex/demo.jsonl" --mode overwrite "$g" >/dev/null 2>&1 || fail "load"

out=$("$og" repair --json "$g" 2>"$t/err") || fail "clean repair: $(cat "$t/err")"
[ "$(echo "$out" | jq_ 'all(x["classification"]=="no_drift" and x["action"]=="no_op" for x in d["datasets"])')" = True ] \
    || fail "clean graph not all no_drift: $out"
[ "$(echo "$out" | jq_ 'd["graph_manifest_version"]')" = None ] || fail "clean preview published: $out"
human=$("$og" repair "$g" 2>/dev/null) || fail "human repair"
echo "$human" | grep -q "preview mode, " || fail "human output: $human"
echo "$human" | grep -q "node type '" || fail "human output names no node type: $human"

crash() {
    OMNIGRAPH_FAILPOINTS="mutation.post_phase_b_pre_manifest_commit=exit" "$og" mutate --store "$g" \
        --query "$ex/demo.gq" add_person --params "{\"name\":\"$1\",\"born\":1999}" >/dev/null 2>&1
    [ $? -eq 86 ] || fail "the failpoint exit did not fire"
    n=$(ls "$g/__recovery" | wc -l)
    [ "$n" -eq 1 ] || fail "expected one sidecar, found $n"
}
# A covered crash is recovery's: repair's read-write open rolls it forward first.
crash Yan
out=$("$og" repair --json "$g" 2>"$t/err") || fail "repair after a covered crash: $(cat "$t/err")"
[ "$(echo "$out" | jq_ 'all(x["classification"]=="no_drift" for x in d["datasets"])')" = True ] \
    || fail "recovery did not run before repair: $out"
[ -z "$(ls "$g/__recovery")" ] || fail "sidecar left after repair's open"
crash Zed
rm -f "$g"/__recovery/*.json                               # lose the intent: uncovered drift

out=$("$og" repair --json "$g" 2>"$t/err") || fail "preview: $(cat "$t/err")"
drifted=$(echo "$out" | jq_ 'len([x for x in d["datasets"] if x["classification"]=="suspicious" and x["action"]=="preview"])')
[ "$drifted" -ge 1 ] || fail "no suspicious drift previewed: $out"
ver=$("$og" snapshot "$g" --json | jq_ 'd["graph_manifest_version"]')

out=$("$og" repair --confirm --json "$g" 2>"$t/err"); rc=$?
[ $rc -eq 1 ] || fail "--confirm on suspicious drift exited $rc, want 1"
[ "$(echo "$out" | jq_ 'd["graph_manifest_version"]')" = None ] || fail "refused repair published: $out"
[ "$(echo "$out" | jq_ 'len([x for x in d["datasets"] if x["action"]=="refused"])')" = "$drifted" ] \
    || fail "not every drifted dataset refused: $out"
[ "$("$og" snapshot "$g" --json | jq_ 'd["graph_manifest_version"]')" = "$ver" ] || fail "refused repair moved main"

"$og" repair --force "$g" >/dev/null 2>&1; [ $? -eq 2 ] || fail "--force without --confirm is not a usage error"
"$og" repair --server http://127.0.0.1:1 "$g" >/dev/null 2>"$t/err" && fail "repair accepted --server"
grep -q "direct (storage-native)" "$t/err" || fail "--server refusal wording: $(cat "$t/err")"

out=$("$og" repair --confirm --force --json "$g" 2>"$t/err") || fail "forced repair: $(cat "$t/err")"
[ "$(echo "$out" | jq_ 'd["graph_manifest_version"]')" = $((ver + 1)) ] || fail "forced repair is not one commit: $out"
cid=$(echo "$out" | jq_ 'd["graph_commit_id"]')
[ "$("$og" commit show "$cid" --uri "$g" --json | jq_ 'd["actor_id"]')" = "omnigraph:repair:force" ] \
    || fail "forced repair commit actor"
out=$("$og" repair --json "$g") || fail "repair after heal"
[ "$(echo "$out" | jq_ 'all(x["classification"]=="no_drift" for x in d["datasets"])')" = True ] || fail "drift left: $out"
"$og" query --store "$g" --query "$ex/demo.gq" people --json | grep -q '"Zed"' || fail "forced heads not visible"
"$og" mutate --store "$g" --query "$ex/demo.gq" add_person --params '{"name":"Amy","born":2001}' \
    >/dev/null 2>"$t/err" || fail "next write: $(cat "$t/err")"
echo "ok: repair preview, refuse, force, heal"
