#!/usr/bin/env bash
# Query/export benchmark: filter medians and 100k-event export times from
# examples/bench_query.rs, beside the peers measured in the same run:
#   - jq's select over the same files (what a user would otherwise type), and
#   - gzip -c over the same ndjson bytes the export wrote (the compression floor).
# Usage: bench/query.sh   (run bench/load.sh first: it generates bench-data/corpus-1m)
# JQ_RUNS (default 1): runs of each jq filter; jq takes minutes per pass over 1M events.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
CORPUS=bench-data/corpus-1m
JQ_RUNS=${JQ_RUNS:-1}
[[ -f $CORPUS/.trailscope-gen.json ]] || { echo "bench/query.sh: run bench/load.sh first" >&2; exit 1; }

echo "# trailscope query/export benchmark — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p')"
cargo build --release --example bench_query >&2
target/release/examples/bench_query "$CORPUS"

ND=${TMPDIR:-/tmp}/trailscope-bench-100k.ndjson
echo
echo "| peer | median s |"
echo "|---|---:|"
times=()
for _ in 1 2 3; do
    s=$(date +%s.%N); gzip -c "$ND" > /dev/null; e=$(date +%s.%N)
    times+=("$(echo "$e - $s" | bc)")
done
echo "| gzip -c on the 100k ndjson | $(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p) |"

jq_time() {
    local filter=$1 best=()
    for _ in $(seq "$JQ_RUNS"); do
        s=$(date +%s.%N)
        find "$CORPUS" -name '*.json.gz' -print0 | xargs -0 zcat | jq -c "$filter" | wc -l > /dev/null
        e=$(date +%s.%N)
        best+=("$(echo "$e - $s" | bc)")
    done
    printf '%s\n' "${best[@]}" | sort -n | sed -n "$(( (JQ_RUNS + 1) / 2 ))p"
}
if [[ $JQ_RUNS -gt 0 ]]; then
    echo "| jq select(.eventName == \"GetObject\") | $(jq_time '.Records[] | select(.eventName == "GetObject")') |"
fi
