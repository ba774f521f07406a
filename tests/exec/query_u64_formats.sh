#!/usr/bin/env bash
# query_u64_formats.sh BUILD — U64 values above 2^63-1 print as exact
# integers in every `omnigraph query --format`, and a stored string that
# looks like a big number stays a string.
set -eu
B="$1/omnigraph"
d=$(mktemp -d "${OG_TEST_TMP:-/tmp}/og-u64.XXXXXX")
trap 'rm -rf "$d"' EXIT
cat > "$d/s.pg" <<'PG'
node Counter {
    name: String @key
    seq: U64
}
PG
"$B" init --schema "$d/s.pg" "$d/g" > /dev/null
printf '%s\n' '{"type":"Counter","data":{"name":"18446744073709551614","seq":18446744073709551615}}' \
              '{"type":"Counter","data":{"name":"b","seq":9223372036854775808}}' > "$d/data.jsonl"
"$B" load --data "$d/data.jsonl" --mode append "$d/g" > /dev/null 2>&1
Q='query q() { match { $c: Counter } return { $c.name, $c.seq } order { $c.name } }'
fail() { echo "FAIL: $*"; exit 1; }
out=$("$B" query --store "$d/g" -e "$Q" --format json)
grep -q '"c.seq": 18446744073709551615' <<<"$out" || fail "json: $out"
grep -q '"c.name": "18446744073709551614"' <<<"$out" || fail "json name: $out"
out=$("$B" query --store "$d/g" -e "$Q" --format jsonl)
grep -q '{"c.name":"18446744073709551614","c.seq":18446744073709551615}' <<<"$out" || fail "jsonl: $out"
grep -q '"c.seq":9223372036854775808}' <<<"$out" || fail "jsonl: $out"
out=$("$B" query --store "$d/g" -e "$Q" --format csv)
grep -qx '18446744073709551614,18446744073709551615' <<<"$out" || fail "csv: $out"
grep -qx 'b,9223372036854775808' <<<"$out" || fail "csv: $out"
out=$("$B" query --store "$d/g" -e "$Q" --format table)
grep -q '18446744073709551615' <<<"$out" || fail "table: $out"
out=$("$B" query --store "$d/g" -e "$Q" --format kv)
grep -q '18446744073709551615' <<<"$out" || fail "kv: $out"
if grep -q 'e+1' <<<"$out"; then fail "float in kv: $out"; fi
echo ok
