#!/usr/bin/env bash
# Load benchmark: how long `trailscope stats --json` takes to load the standard 1M-event
# corpus, and how much memory it needs, next to the peers measured in the same run:
#   - the parallel decompression floor (xargs -P2 zcat > /dev/null), and
#   - what a user would otherwise type (zcat | jq -c '.Records[]' | wc -l).
#
# Usage: bench/load.sh            (from anywhere; works in the repository root)
# Environment:
#   BENCH_RUNS  runs per command for trailscope and zcat (default 3; the median is reported)
#   JQ_RUNS     runs for the jq pipeline (default 1; it is slow)
#
# The corpus is generated once into bench-data/corpus-1m (git-ignored) with the project's
# deterministic generator and reused afterwards; it may be a symbolic link to a corpus
# elsewhere (the commands name it with a trailing slash so that find follows the link). Page cache cannot be dropped without
# privileges, so every input file is read once before timing and all commands run warm.
# Peak RSS is /usr/bin/time's %M: the largest single process of the command (for a
# pipeline, its hungriest member), not the sum.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh

RUNS=${BENCH_RUNS:-3}
JQ_RUNS=${JQ_RUNS:-1}
CORPUS=bench-data/corpus-1m
GEN_ARGS=(--events 1000000 --seed 42 --days 7 --out "$CORPUS")

[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer (got '$RUNS')"
[[ $JQ_RUNS =~ ^[0-9]+$ ]] || die "JQ_RUNS must be a non-negative integer (got '$JQ_RUNS')"
[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing (GNU time is needed for peak RSS): apt-get install -y time"
need jq jq
need zcat gzip
need python3 python3
need pgrep procps

echo "== building (cargo build --release)" >&2
cargo build --release >&2

# The generator writes .trailscope-gen.json last, so its presence marks a complete corpus;
# a corpus made with other parameters is regenerated. (After changing the generator's
# output, delete bench-data/corpus-1m by hand.)
corpus_ok() {
    [[ -f $CORPUS/.trailscope-gen.json ]] &&
        [[ $(jq -r '"\(.events) \(.seed) \(.start) \(.end)"' "$CORPUS/.trailscope-gen.json" 2> /dev/null) == \
            "1000000 42 2026-11-02T00:00:00Z 2026-11-09T00:00:00Z" ]]
}
corpus_ok || generate "$CORPUS" "${GEN_ARGS[@]}"

META=$CORPUS/.trailscope-gen.json
EVENTS=$(jq -r .events "$META")
DUPS=$(jq -r .duplicate_copies "$META")
FILES=$(jq -r .files "$META")
JSON_BYTES=$(jq -r .json_bytes "$META")
GZ_BYTES=$(jq -r .gz_bytes "$META")
RECORDS=$((EVENTS + DUPS))

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

warm_up "$CORPUS"
PAGE_BEFORE=$(page_cost)

# run_once KEY COMMAND I N: runs COMMAND (a bash string) once; appends its wall seconds to
# TIMES[KEY], keeps the max peak RSS (KB) in RSS[KEY] and the stdout in OUT[KEY]; a failure
# marks STATUS[KEY] failed and the key is not run again.
declare -A SECS RSS OUT STATUS TIMES
run_once() {
    local key=$1 cmd=$2 i=$3 n=$4 t m
    [[ ${STATUS[$key]:-} == failed ]] && return
    echo "== $key run $i/$n: $cmd" >&2
    if ! /usr/bin/time -f '%e %M' -o "$TMP/time" bash -c "set -o pipefail; $cmd" > "$TMP/out" 2> "$TMP/err"; then
        echo "== $key failed; stderr:" >&2
        tail -n 20 "$TMP/err" >&2
        STATUS[$key]=failed
        return
    fi
    read -r t m < <(tail -n 1 "$TMP/time")
    TIMES[$key]="${TIMES[$key]:-} $t"
    if ((m > ${RSS[$key]:-0})); then RSS[$key]=$m; fi
    OUT[$key]=$(head -c 100000 "$TMP/out")
    STATUS[$key]=ok
}

# summarize KEY RUNS: the median of KEY's times into SECS[KEY] (or "skipped" for 0 runs).
summarize() {
    local key=$1 runs=$2
    if ((runs == 0)); then
        STATUS[$key]=skipped
    elif [[ ${STATUS[$key]:-} == ok ]]; then
        # shellcheck disable=SC2086 # TIMES holds space-separated numbers
        SECS[$key]=$(median ${TIMES[$key]})
    fi
}

TS_CMD="target/release/trailscope stats --json $CORPUS"
ZCAT_CMD="find $CORPUS/ -name '*.json.gz' -print0 | xargs -0 -P2 -n 1000 zcat > /dev/null"
JQ_CMD="find $CORPUS/ -name '*.json.gz' -print0 | xargs -0 zcat | jq -c '.Records[]' | wc -l"

# trailscope and the zcat floor alternate, run by run, so that a change in the shared
# host's load hits both alike.
HAVE_TS=1
if [[ ! -x target/release/trailscope ]]; then
    echo "== target/release/trailscope does not exist; skipping it" >&2
    STATUS[trailscope]="not built"
    HAVE_TS=0
fi
for ((i = 1; i <= RUNS; i++)); do
    if ((HAVE_TS)); then
        run_once trailscope "$TS_CMD" "$i" "$RUNS"
        settle target/release/trailscope
    fi
    run_once zcat "$ZCAT_CMD" "$i" "$RUNS"
done
PAGE_AFTER=$(page_cost)
for ((i = 1; i <= JQ_RUNS; i++)); do run_once jq "$JQ_CMD" "$i" "$JQ_RUNS"; done
if ((HAVE_TS)); then summarize trailscope "$RUNS"; fi
summarize zcat "$RUNS"
summarize jq "$JQ_RUNS"

# Sanity checks of what the commands saw.
NOTES=()
if [[ ${STATUS[trailscope]} == ok ]]; then
    got=$(jq -r '.events // empty' <<< "${OUT[trailscope]}" 2> /dev/null || true)
    if [[ $got == "$EVENTS" ]]; then
        NOTES+=("trailscope reported $got events (expected $EVENTS): ok")
    else
        NOTES+=("**trailscope reported '${got:-?}' events, expected $EVENTS**")
    fi
fi
if [[ ${STATUS[jq]} == ok ]]; then
    got=$(tr -d '[:space:]' <<< "${OUT[jq]}")
    if [[ $got == "$RECORDS" ]]; then
        NOTES+=("jq counted $got records (events + re-delivered copies): ok")
    else
        NOTES+=("**jq counted $got records, expected $RECORDS**")
    fi
fi

# a command as a markdown table cell (pipes escaped)
cell() { printf '`%s`' "${1//|/\\|}"; }
secs() { [[ ${STATUS[$1]} == ok ]] && echo "${SECS[$1]}" || echo "${STATUS[$1]}"; }
mb() { [[ ${STATUS[$1]} == ok ]] && awk -v k="${RSS[$1]}" 'BEGIN { printf "%.0f", k / 1024 }' || echo "-"; }
runs_of() { [[ ${STATUS[$1]} == ok ]] && echo "$2" || echo "-"; }
ratio() { # ratio A B: SECS[A] / SECS[B]
    if [[ ${STATUS[$1]} == ok && ${STATUS[$2]} == ok ]]; then
        awk -v a="${SECS[$1]}" -v b="${SECS[$2]}" 'BEGIN { if (b > 0) printf "%.2f×", a / b; else print "n/a" }'
    else
        echo "n/a"
    fi
}

# pair_ratios A B: A's time over B's for each alternating pair of runs, and their median:
# on a shared host whose speed drifts, neighbouring runs are the fairest comparison.
pair_ratios() {
    if [[ ${STATUS[$1]} != ok || ${STATUS[$2]} != ok ]]; then
        echo "n/a"
        return
    fi
    local -a a b r
    read -r -a a <<< "${TIMES[$1]}"
    read -r -a b <<< "${TIMES[$2]}"
    for ((k = 0; k < ${#a[@]} && k < ${#b[@]}; k++)); do
        r+=("$(awk -v x="${a[k]}" -v y="${b[k]}" 'BEGIN { printf "%.2f", x / y }')")
    done
    echo "${r[*]} (median $(median "${r[@]}")×)"
}

CPU=$(lscpu 2> /dev/null | sed -n 's/^Model name: *//p' | head -n 1)
REPORT=$(
    cat << EOF
## Load benchmark ($(date -u '+%Y-%m-%d %H:%M UTC'))

- Machine: $(nproc) CPUs, ${CPU:-unknown CPU}; $(uname -sr)
- Corpus: \`$CORPUS\` (\`trailscope-gen ${GEN_ARGS[*]}\`): $EVENTS events + $DUPS re-delivered copies,
  $FILES files, $JSON_BYTES bytes of JSON, $GZ_BYTES bytes gzipped
- Cache: warm — no privileges to drop the page cache, so every file was read once before timing
- Host: a fresh page cost $PAGE_BEFORE µs to touch before the runs and $PAGE_AFTER µs after (\`page_cost\` in bench/lib.sh; a load touches ~175k pages, zcat almost none; 1.9–7 µs were seen in one hour of session 9)
- Runs: median of $RUNS alternating runs of trailscope and zcat, $JQ_RUNS for jq; peak RSS is the largest single process, max over runs

| command | runs | median s | every run, s | peak RSS MB |
|---|---:|---:|---|---:|
| $(cell "$TS_CMD") | $(runs_of trailscope "$RUNS") | $(secs trailscope) | ${TIMES[trailscope]:-} | $(mb trailscope) |
| $(cell "$ZCAT_CMD") | $(runs_of zcat "$RUNS") | $(secs zcat) | ${TIMES[zcat]:-} | $(mb zcat) |
| $(cell "$JQ_CMD") | $(runs_of jq "$JQ_RUNS") | $(secs jq) | ${TIMES[jq]:-} | $(mb jq) |

- trailscope / zcat floor: $(ratio trailscope zcat) (ratio of the medians); run by run: $(pair_ratios trailscope zcat)
- jq / trailscope: $(ratio jq trailscope)
- trailscope peak RSS / uncompressed JSON bytes: $(
        if [[ ${STATUS[trailscope]} == ok ]]; then
            awk -v k="${RSS[trailscope]}" -v j="$JSON_BYTES" 'BEGIN { printf "%.3f", k * 1024 / j }'
        else
            echo "n/a"
        fi
    )
EOF
    for n in "${NOTES[@]}"; do echo "- $n"; done
)

echo "$REPORT"
mkdir -p bench-data/results
OUTFILE=bench-data/results/load-$(date -u +%Y%m%dT%H%M%SZ).md
echo "$REPORT" > "$OUTFILE"
echo "== report saved to $OUTFILE" >&2
