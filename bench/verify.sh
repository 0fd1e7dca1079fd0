#!/usr/bin/env bash
# Verify benchmark: how long `trailscope verify` takes to check the standard 1M-event corpus
# against its hourly digests, next to the peer measured in the same run: hashing the
# uncompressed content of every log file with coreutils on both cores
#   find … -name '*.json.gz' -path '*CloudTrail/*' | xargs -P2 … zcat | sha256sum
# (what the check needs at the very least, without pairing, chains or a report).
# Target: trailscope ≤ 1.2 × the peer.
#
# Usage: bench/verify.sh          (from anywhere; works in the repository root)
# Environment:
#   BENCH_RUNS  runs per command (default 3; the median is reported)
#
# The corpus is generated once into bench-data/corpus-1m-digests (git-ignored) with the
# project's deterministic generator (`--digests`) and reused afterwards. Every input file is
# read once before timing, so all commands run with a warm page cache.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh

RUNS=${BENCH_RUNS:-3}
CORPUS=bench-data/corpus-1m-digests
GEN_ARGS=(--events 1000000 --seed 42 --days 7 --digests --out "$CORPUS")

[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer (got '$RUNS')"
[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing (GNU time is needed for peak RSS): apt-get install -y time"
need jq jq
need zcat gzip
need sha256sum coreutils

echo "== building (cargo build --release)" >&2
cargo build --release >&2

# .trailscope-gen.json is written last, so its presence marks a complete corpus.
corpus_ok() {
    [[ -f $CORPUS/.trailscope-gen.json ]] &&
        [[ $(jq -r '"\(.events) \(.seed) \(.start) \(.end) \(.digests // 0)"' "$CORPUS/.trailscope-gen.json" 2> /dev/null) =~ ^"1000000 42 2026-11-02T00:00:00Z 2026-11-09T00:00:00Z "[1-9] ]]
}
corpus_ok || generate "$CORPUS" "${GEN_ARGS[@]}"

META=$CORPUS/.trailscope-gen.json
FILES=$(jq -r .files "$META")
DIGESTS=$(jq -r .digests "$META")
JSON_BYTES=$(jq -r .json_bytes "$META")
GZ_BYTES=$(jq -r .gz_bytes "$META")

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

warm_up "$CORPUS"

# run_once KEY COMMAND: runs COMMAND (a bash string) once; appends its wall seconds to
# TIMES[KEY], keeps the max peak RSS (KB) in RSS[KEY] and a summary of stdout in OUT[KEY].
declare -A TIMES RSS OUT STATUS
run_once() {
    local key=$1 cmd=$2 t m code
    echo "== $key: $cmd" >&2
    set +e
    /usr/bin/time -f '%e %M' -o "$TMP/time" bash -c "set -o pipefail; $cmd" > "$TMP/out" 2> "$TMP/err"
    code=$?
    set -e
    if ((code != 0)); then
        echo "== $key failed with status $code; stderr:" >&2
        tail -n 20 "$TMP/err" >&2
        STATUS[$key]=failed
        return
    fi
    read -r t m < <(tail -n 1 "$TMP/time")
    TIMES[$key]="${TIMES[$key]:-} $t"
    if ((m > ${RSS[$key]:-0})); then RSS[$key]=$m; fi
    # The JSON report lists every digest: summarise it here rather than keep it.
    OUT[$key]=$(jq -r '"\(.verdict): \(.counts.log_files_intact) of \(.counts.log_files_listed) log files intact, \(.counts.digests) digests, \(.counts.links_intact) links intact"' "$TMP/out" 2> /dev/null || echo "?")
    STATUS[$key]=${STATUS[$key]:-ok}
}

TS_CMD="target/release/trailscope verify --json $CORPUS"
PEER_CMD="find $CORPUS -name '*.json.gz' -path '*CloudTrail/*' -print0 | xargs -0 -P2 -n 500 sh -c 'for f; do zcat \"\$f\" | sha256sum; done' _ > /dev/null"

# Alternate the two so that a busy machine slows both alike.
for ((i = 1; i <= RUNS; i++)); do
    run_once trailscope "$TS_CMD"
    run_once peer "$PEER_CMD"
done

secs() { [[ ${STATUS[$1]} == ok ]] && median ${TIMES[$1]} || echo "${STATUS[$1]}"; }
TS_S=$(secs trailscope)
PEER_S=$(secs peer)
ratio=$(awk -v a="$TS_S" -v b="$PEER_S" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "n/a" }')
verdict=${OUT[trailscope]:-?}

CPU=$(lscpu 2> /dev/null | sed -n 's/^Model name: *//p' | head -n 1)
REPORT=$(
    cat << EOF
## Verify benchmark ($(date -u '+%Y-%m-%d %H:%M UTC'))

- Machine: $(nproc) CPUs, ${CPU:-unknown CPU}; $(uname -sr); load average before: $(cut -d' ' -f1-3 /proc/loadavg)
- Corpus: \`$CORPUS\` (\`trailscope-gen ${GEN_ARGS[*]}\`): $FILES log files, $DIGESTS digests,
  $JSON_BYTES bytes of JSON, $GZ_BYTES bytes gzipped
- Cache: warm; runs: median of $RUNS, the two commands alternating

| command | median s | peak RSS MB |
|---|---:|---:|
| \`${TS_CMD//|/\\|}\` | $TS_S | $(awk -v k="${RSS[trailscope]:-0}" 'BEGIN { printf "%.0f", k / 1024 }') |
| \`${PEER_CMD//|/\\|}\` | $PEER_S | $(awk -v k="${RSS[peer]:-0}" 'BEGIN { printf "%.0f", k / 1024 }') |

- trailscope / peer: **${ratio}×** (target ≤ 1.2×)
- trailscope said: $verdict
EOF
)
echo "$REPORT"
mkdir -p bench-data/results
OUTFILE=bench-data/results/verify-$(date -u +%Y%m%dT%H%M%SZ).md
echo "$REPORT" > "$OUTFILE"
echo "== report saved to $OUTFILE" >&2
