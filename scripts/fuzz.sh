#!/usr/bin/env bash
# fuzz.sh BUILD_DIR SECONDS — runs every libFuzzer target of BUILD_DIR/fuzz for
# SECONDS each, seeded from fuzz/corpus/<target>/ (copied, so the checked-in
# corpus is not modified). A crash fails the script and leaves the input in
# BUILD_DIR/fuzz-artifacts/.
set -euo pipefail
build=${1:?build dir}; secs=${2:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$build/fuzz-artifacts"
status=0; n=0
for bin in "$build"/fuzz/fuzz_*; do
  [ -x "$bin" ] || continue
  name=$(basename "$bin")
  work="$build/fuzz-work/$name"; mkdir -p "$work"
  if [ -d "$root/fuzz/corpus/$name" ]; then cp -n "$root/fuzz/corpus/$name"/* "$work"/ 2>/dev/null || true; fi
  echo "fuzz: $name for ${secs}s"
  if ! "$bin" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$build/fuzz-artifacts/$name-" "$work" > "$build/fuzz-artifacts/$name.log" 2>&1; then
    echo "fuzz: $name FAILED; see $build/fuzz-artifacts/$name.log"; tail -n 30 "$build/fuzz-artifacts/$name.log"; status=1
  fi
  n=$((n+1))
done
echo "fuzz: ran $n targets"
exit $status
