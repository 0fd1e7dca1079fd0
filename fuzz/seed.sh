#!/usr/bin/env bash
# Builds the seed corpora under fuzz/corpus/<target>/ from tests/fixtures (run before the
# first `cargo fuzz run`; the corpora are not committed). Safe to re-run: it only adds.
#   decode   every fixture's content, gzip decompressed (the decoder sees decompressed bytes),
#            and each trail fixture's records joined by commas (needs jq)
#   archive  every fixture as stored: archives, gzip, plain files
#   csv      the rows of the Event-history CSV fixtures (the target adds the header)
#   filter   the filters used in docs/filter-language.md and the README, one per file
set -euo pipefail
cd "$(dirname "$0")"
fixtures=../tests/fixtures
mkdir -p corpus/decode corpus/archive corpus/csv corpus/filter

n=0
while IFS= read -r -d '' f; do
  n=$((n + 1))
  size=$(stat -c %s "$f")
  # libFuzzer's default -max_len is 4096 for new inputs, but seeds may be larger; keep
  # them under 256 KiB so each run stays fast.
  [ "$size" -le 262144 ] || continue
  cp "$f" "corpus/archive/fixture-$n"
  if gzip -t "$f" 2>/dev/null; then
    gzip -dc "$f" | head -c 262144 >"corpus/decode/fixture-$n" || true
  else
    cp "$f" "corpus/decode/fixture-$n"
  fi
done < <(find "$fixtures" -type f ! -name '*.py' ! -name '*.pem' ! -name '*.der' -print0 | sort -z)

# The decode target also reads comma-separated records from byte 0, as the fast reader
# meets them inside `Records`: each trail fixture's records, compact, in that form.
m=0
while IFS= read -r -d '' f; do
  records=$( { gzip -dc "$f" 2>/dev/null || cat "$f"; } | jq -c '.Records[]?' 2>/dev/null | paste -sd, -) || continue
  [ -n "$records" ] || continue
  m=$((m + 1))
  printf '%s' "$records" | head -c 262144 >"corpus/decode/records-$m"
done < <(find "$fixtures" -type f \( -name '*.json' -o -name '*.json.gz' \) -print0 | sort -z)

# CSV rows without their header line; the target's first byte picks the header.
i=0
for f in $(grep -rl --include='*.csv' -i 'event name' "$fixtures"); do
  i=$((i + 1))
  { printf '\0'; tail -n +2 "$f"; } >"corpus/csv/rows-$i"
done
printf '\0alice,AKIA1,2024-03-01T10:00:00Z,s3.amazonaws.com,GetObject,us-east-1,1.2.3.4,"ua, ""quoted""",,"[{""resourceType"":""AWS::S3::Bucket"",""resourceName"":""b""}]",r1,e1,true,AwsApiCall,111122223333,Management\n' >corpus/csv/handmade-1
printf '\1e2,PutObject,2024-03-01 10:00:00,s3.amazonaws.com,[]\r\n\r\n,,,,\n' >corpus/csv/handmade-2

# Filters: the lines of the fenced examples in docs/filter-language.md and the README
# (comments cut), and every `inline code` span there that has a field (`name:Get*`).
rm -f corpus/filter/doc-*
j=0
while IFS= read -r line; do
  [ -n "$line" ] || continue
  j=$((j + 1))
  printf '%s' "$line" >"corpus/filter/doc-$j"
done < <(
  {
    awk '/^```/{inside=!inside; next} inside' ../docs/filter-language.md ../README.md \
      | grep -v -E '^\s*(\$|trailscope|cargo|#)' | sed -E 's/ +# .*$//'
    grep -hoE '`[^`]*[a-zA-Z]:[^`]*`' ../docs/filter-language.md | tr -d '`'
  } | sort -u | head -400
)

for t in decode archive csv filter; do
  echo "corpus/$t: $(ls corpus/$t | wc -l) seeds"
done
