#!/usr/bin/env bash
# demo.sh BUILD_DIR — the real thing on a local graph: init, load, query,
# branch, mutate on the branch, query both branches, commit history.
set -euo pipefail
build=${1:-build}
here=$(cd "$(dirname "$0")/.." && pwd)
og="$build/omnigraph"
ex="$here/examples"
work=$(mktemp -d "${TMPDIR:-/tmp}/omnigraph-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
g="$work/demo.omni"
step() { printf '\n== %s\n' "$*"; }

echo "== $("$og" version | head -1) demo (graph at $g)"
step "init with examples/demo.pg"
"$og" init --schema "$ex/demo.pg" "$g"
step "load examples/demo.jsonl"
"$og" --quiet load --data "$ex/demo.jsonl" --mode overwrite "$g"
step "who studies computing (main)"
"$og" query --store "$g" --query "$ex/demo.gq" studying --params '{"slug":"computing"}'
step "branch create review"
"$og" branch create --uri "$g" review
step "mutate on review: Barbara joins and studies computing"
"$og" --as demo-user mutate --store "$g" --query "$ex/demo.gq" add_person \
    --params '{"name":"Barbara","born":1939}' --branch review
"$og" --as demo-user mutate --store "$g" --query "$ex/demo.gq" add_study \
    --params '{"name":"Barbara","slug":"computing"}' --branch review
step "who studies computing on review"
"$og" query --store "$g" --query "$ex/demo.gq" studying --params '{"slug":"computing"}' --branch review
step "main is unchanged"
"$og" query --store "$g" --query "$ex/demo.gq" studying --params '{"slug":"computing"}' --format csv
step "commit list review"
"$og" commit list "$g" --branch review
step "snapshot review"
"$og" snapshot "$g" --branch review
step "branch merge review into main"
"$og" --as demo-user branch merge review --uri "$g"
step "who studies computing on main after the merge"
"$og" query --store "$g" --query "$ex/demo.gq" studying --params '{"slug":"computing"}'
step "what the merge changed on main"
"$og" commit changes "$("$og" commit list "$g" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["commits"][0]["graph_commit_id"])')" --uri "$g"
if [ -x "$build/store_demo" ]; then
    step "object store demo"
    "$build/store_demo" "$work/store"
fi
