#!/usr/bin/env bash
# demo.sh BUILD_DIR — the main job on the embedded local store.
set -euo pipefail
build=${1:-build}
work=$(mktemp -d "${TMPDIR:-/tmp}/omnigraph-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "== omnigraph $("$build"/omnigraph version | head -1 | cut -d' ' -f2) demo (local store in $work)"
"$build"/store_demo "$work/store"
