#!/usr/bin/env bash
# The CLI prints its version and internal schema version, and rejects
# unknown verbs with a usage exit code.
set -u
og="$1/omnigraph"
out=$("$og" version) || { echo "version failed"; exit 1; }
echo "$out" | grep -qE '^omnigraph [0-9]+\.[0-9]+\.[0-9]+$' || { echo "bad version line: $out"; exit 1; }
echo "$out" | grep -qx 'internal-schema 6' || { echo "bad schema line: $out"; exit 1; }
"$og" no-such-verb 2>/dev/null; rc=$?
[ $rc -eq 2 ] || { echo "unknown verb exit $rc, want 2"; exit 1; }
echo ok
