#!/usr/bin/env bash
# optimize and cleanup through the CLI: optimize compacts and keeps every
# row, a second optimize is a no-op without a commit, cleanup previews
# without --confirm (nothing deleted, exit 0), refuses without a policy,
# raises --keep below 3 without --force, deletes with --confirm, and a
# --snapshot of a collected commit says "no longer retained"; automatic
# maintenance compacts after writes unless --no-auto-maintenance.
set -u
og="$1/omnigraph"
src=$(cd "$(dirname "$0")/../.." && pwd)
ex="$src/examples"
t=$(mktemp -d "${TMPDIR:-/tmp}/og-e2e-maint.XXXXXX")
trap 'rm -rf "$t"' EXIT
g="$t/g.omni"
fail() { echo "FAIL: $*"; exit 1; }
count() { "$og" query --store "$g" --query "$ex/demo.gq" people --format jsonl "$@" | tail -n +2 | wc -l; }
objects() { find "$g" -type f -not -path '*/.og-lock/*' | wc -l; }
"$og" init --schema "$ex/demo.pg" "$g" >/dev/null || fail init
for i in $(seq 1 6); do
    "$og" mutate --no-auto-maintenance --store "$g" --query "$ex/demo.gq" add_person \
        --params "{\"name\":\"p$i\",\"born\":$i}" >/dev/null || fail "mutate $i"
done
first=$("$og" commit list "$g" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["commits"][-2]["graph_commit_id"])')
"$og" optimize "$g" --json >"$t/opt.json" 2>"$t/opt.err" || fail "optimize: $(cat "$t/opt.err")"
grep -q 'omnigraph optimize → ' "$t/opt.err" || fail "optimize does not echo its target"
python3 - "$t/opt.json" <<'PY' || fail "optimize JSON: $(cat "$t/opt.json")"
import json, sys
j = json.load(open(sys.argv[1]))
p = [d for d in j["datasets"] if d["type_key"] == "node:Person"][0]
assert p["committed"] and p["fragments_removed"] >= 6 and p["fragments_added"] == 1, p
assert j["published"] and any(d["type_key"] == "__manifest" for d in j["datasets"])
PY
[ "$(count)" = 6 ] || fail "rows after optimize: $(count)"
n1=$("$og" commit list "$g" --json | grep -c graph_commit_id)
"$og" optimize "$g" >"$t/opt2.txt" 2>/dev/null || fail "second optimize"
grep -q 'nothing to compact' "$t/opt2.txt" || fail "second optimize: $(cat "$t/opt2.txt")"
n2=$("$og" commit list "$g" --json | grep -c graph_commit_id)
[ "$n1" = "$n2" ] || fail "a no-op optimize committed ($n1 -> $n2)"
"$og" cleanup "$g" --confirm >/dev/null 2>&1 && fail "cleanup without a policy succeeded"
before=$(objects)
"$og" cleanup "$g" --keep 1 --force >/dev/null 2>"$t/pre.err" || fail "preview exit $?"
grep -q 'would remove' "$t/pre.err" || fail "no preview: $(cat "$t/pre.err")"
[ "$(objects)" = "$before" ] || fail "the preview deleted something"
"$og" cleanup "$g" --keep 1 --confirm 2>"$t/k1.err" >/dev/null || fail "cleanup keep 1"
grep -q 'keeping 3' "$t/k1.err" || fail "--keep 1 without --force not raised: $(cat "$t/k1.err")"
"$og" cleanup "$g" --keep 1 --force --confirm >"$t/clean.txt" 2>/dev/null || fail "cleanup --force"
grep -q 'across 6 datasets' "$t/clean.txt" || fail "cleanup output: $(cat "$t/clean.txt")"
after=$(objects)
[ "$after" -lt "$before" ] || fail "cleanup removed nothing ($before -> $after)"
[ "$(count)" = 6 ] || fail "rows after cleanup"
"$og" query --store "$g" --query "$ex/demo.gq" people --snapshot "$first" >/dev/null 2>"$t/snap.err" \
    && fail "snapshot of a collected commit succeeded"
grep -q 'no longer retained' "$t/snap.err" || fail "snapshot error: $(cat "$t/snap.err")"
# automatic maintenance: 20 writes cross the fragment threshold (16)
for i in $(seq 1 20); do
    "$og" mutate --store "$g" --query "$ex/demo.gq" add_person \
        --params "{\"name\":\"a$i\",\"born\":$i}" >/dev/null 2>&1 || fail "auto mutate $i"
done
"$og" commit list "$g" | grep -q 'omnigraph:maintenance' || \
    "$og" commit list "$g" --json | grep -q '"actor_id": "omnigraph:maintenance"' || fail "no automatic optimize commit"
[ "$(count)" = 26 ] || fail "rows after automatic maintenance: $(count)"
echo "cli_maint: objects $before -> $after after optimize + cleanup"
