#!/usr/bin/env bash
# Explorer benchmark: the real `trailscope bench-data/corpus-1m` in a detached tmux session
# (private socket, fixed size), driven with `tmux send-keys`, timed by the app's own trace
# (TRAILSCOPE_TRACE=FILE, written as it happens; see src/tui/event_loop.rs):
#   (a) first_draw_ms (process start → first drawn screen) over BENCH_LAUNCHES launches;
#   (b) key_ms (key received → screen redrawn), p50/p95/max per phase: scrolling while the
#       load runs, scrolling after it, filter toggles (e, w), typing a search (/ then keys);
#       tick_ms (background redraws: load progress, live refresh) says how long a key can
#       wait before it is even received;
#   (c) search_first_ms / search_complete_ms (query submitted → first results drawn /
#       complete ranking drawn) for the three standard queries of bench/search.sh, each
#       pasted into the search prompt (one submit, lines already cached), alternating with
#       `fzf --filter QUERY` over the same summary lines (bench_search --lines-only).
#
# Usage: bench/tui.sh   (run bench/load.sh first: it generates bench-data/corpus-1m)
# Environment:
#   BENCH_LAUNCHES  launches for (a) (default 7; the median is reported)
#   SEARCH_RUNS     rounds of the three queries, app and fzf alternating (default 5)
#   SCROLL_KEYS     keys of the after-load scrolling burst (default 300)
#   KEY_PACE        seconds between keys of a burst (default 0.03)
#   BENCH_BIN       the trailscope binary to measure (default: the release build), e.g. an
#                   older build kept aside for a before/after comparison
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh

LAUNCHES=${BENCH_LAUNCHES:-7}
SEARCH_RUNS=${SEARCH_RUNS:-5}
SCROLL_KEYS=${SCROLL_KEYS:-300}
PACE=${KEY_PACE:-0.03}
COLS=200
ROWS=50
CORPUS=bench-data/corpus-1m
# The standard queries of bench/search.sh (examples/bench_search.rs, QUERIES).
QUERIES=("accessdenied" "gtobj s3" "AssumeRole 38.140")
# Scrolling keys, cycled through (tmux key names).
SCROLL=(j j j PageDown j k G k k j g PageDown PageDown PageUp j j End Home Down Up)

for v in LAUNCHES SEARCH_RUNS SCROLL_KEYS; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer (got '${!v}')"
done
need tmux tmux
need fzf fzf
[[ -f $CORPUS/.trailscope-gen.json ]] || die "run bench/load.sh first (or link an existing corpus to $CORPUS)"

TARGET=${CARGO_TARGET_DIR:-target}
echo "== building (cargo build --release)" >&2
cargo build --release --bin trailscope --example bench_search >&2
BIN=$(realpath "${BENCH_BIN:-$TARGET/release/trailscope}")
ABS_CORPUS=$(realpath "$CORPUS")

TMP=$(mktemp -d)
SOCK=trailscope-bench-$$
tm() { tmux -L "$SOCK" -f /dev/null "$@"; }
trap 'tm kill-server 2> /dev/null || true; rm -rf "$TMP"' EXIT

load() { cut -d' ' -f1-3 /proc/loadavg; }

# start TRACE: opens the explorer on the corpus in a fresh session, tracing to TRACE.
start() {
    rm -f "$1"
    tm new-session -d -s bench -x "$COLS" -y "$ROWS" "TRAILSCOPE_TRACE=$1 exec $BIN $ABS_CORPUS"
}

# quit: Esc (closes prompts), then q — apart, or the pair reads as alt-q — then waits
# for the session to end.
quit() {
    tm send-keys -t bench Escape
    sleep 0.2
    tm send-keys -t bench q
    for _ in $(seq 500); do
        tm has-session -t bench 2> /dev/null || return 0
        sleep 0.02
    done
    tm kill-session -t bench 2> /dev/null || true
    echo "== the explorer did not quit within 10 s; killed" >&2
}

# wait_count PATTERN FILE N [SECONDS]: waits until FILE has at least N lines matching PATTERN.
wait_count() {
    local i limit=$((${4:-60} * 100))
    for ((i = 0; i < limit; i++)); do
        (($(count "$1" "$2") >= $3)) && return 0
        sleep 0.01
    done
    die "timed out waiting for $3 × '$1' in $2"
}

# count PATTERN FILE: lines of FILE matching PATTERN (0 when FILE does not exist yet).
count() {
    local n
    n=$(grep -c -- "$1" "$2" 2> /dev/null) || true
    echo "${n:-0}"
}

# stats: p50 p95 max n of the numbers on stdin (nearest-rank percentiles).
stats() {
    sort -g | awk '{ a[NR] = $1 }
        END {
            if (NR == 0) { print "- - - 0"; exit }
            p50 = int(NR * 0.50); if (p50 < NR * 0.50) p50++
            p95 = int(NR * 0.95); if (p95 < NR * 0.95) p95++
            printf "%.1f %.1f %.1f %d\n", a[p50], a[p95], a[NR], NR
        }'
}

warm_up "$CORPUS"
echo "== summary lines for fzf (bench_search --lines-only)" >&2
"$TARGET/release/examples/bench_search" --lines-only "$CORPUS" "$TMP/lines"

LOAD_START=$(load)

# ----- (a) first drawn screen -------------------------------------------------------------
FIRST=()
for ((i = 1; i <= LAUNCHES; i++)); do
    start "$TMP/trace-a"
    wait_count '^first_draw_ms' "$TMP/trace-a" 1 30
    FIRST+=("$(awk '/^first_draw_ms/ { print $2 }' "$TMP/trace-a")")
    echo "== launch $i/$LAUNCHES: first_draw_ms ${FIRST[-1]}" >&2
    sleep 0.3
    quit
done
LOAD_A=$(load)

# ----- (b) key latency, (c) search ---------------------------------------------------------
TRACE=$TMP/trace
start "$TRACE"
wait_count '^first_draw_ms' "$TRACE" 1 30

# Phase boundaries are key_ms line counts: every key press produces exactly one.
echo "== scrolling while the load runs" >&2
i=0
while ! grep -q 'loading=false' "$TRACE"; do
    tm send-keys -t bench "${SCROLL[i % ${#SCROLL[@]}]}"
    i=$((i + 1))
    ((i < 20000)) || die "the load did not finish"
    sleep "$PACE"
done
sleep 1
LOADING_KEYS=$(count '^key_ms' "$TRACE")

echo "== scrolling after the load ($SCROLL_KEYS keys)" >&2
for ((i = 0; i < SCROLL_KEYS; i++)); do
    tm send-keys -t bench "${SCROLL[i % ${#SCROLL[@]}]}"
    sleep "$PACE"
done
wait_count '^key_ms' "$TRACE" $((LOADING_KEYS + SCROLL_KEYS))
LOADED_KEYS=$(count '^key_ms' "$TRACE")

echo "== filter toggles" >&2
TOGGLES=(e e w w e w e w e e w w) # an even number of each: the view ends unfiltered
for k in "${TOGGLES[@]}"; do
    tm send-keys -t bench "$k"
    sleep 0.3
done
wait_count '^key_ms' "$TRACE" $((LOADED_KEYS + ${#TOGGLES[@]}))
TOGGLE_KEYS=$(count '^key_ms' "$TRACE")

echo "== typing a search: /${QUERIES[0]}" >&2
tm send-keys -t bench /
sleep "$PACE"
for ((i = 0; i < ${#QUERIES[0]}; i++)); do
    tm send-keys -t bench -l "${QUERIES[0]:i:1}"
    sleep "$PACE"
done
wait_count "^search_complete_ms .* query=${QUERIES[0]}\$" "$TRACE" 1
TYPED_KEYS=$(count '^key_ms' "$TRACE")
TYPED_FIRST=$(grep "^search_first_ms .* query=${QUERIES[0]}\$" "$TRACE" | tail -n 1 | cut -d' ' -f2)
TYPED_COMPLETE=$(grep "^search_complete_ms .* query=${QUERIES[0]}\$" "$TRACE" | tail -n 1 | cut -d' ' -f2)
LOAD_B=$(load)

# Each query pasted into the open prompt after ctrl-u (which clears it and the search);
# then fzf over the same lines, in turn.
declare -A APP_FIRST APP_COMPLETE APP_HITS FZF_MS FZF_HITS
for ((r = 1; r <= SEARCH_RUNS; r++)); do
    for q in "${QUERIES[@]}"; do
        pattern="^search_complete_ms .* query=$q\$"
        n=$(count "$pattern" "$TRACE")
        tm send-keys -t bench C-u
        sleep 0.2
        tm set-buffer -b query -- "$q"
        tm paste-buffer -p -d -b query -t bench
        wait_count "$pattern" "$TRACE" $((n + 1))
        first=$(grep "^search_first_ms .* query=$q\$" "$TRACE" | tail -n 1 | cut -d' ' -f2)
        line=$(grep "$pattern" "$TRACE" | tail -n 1)
        complete=$(cut -d' ' -f2 <<< "$line")
        APP_FIRST[$q]+=" $first"
        APP_COMPLETE[$q]+=" $complete"
        APP_HITS[$q]=$(sed 's/.* hits=\([0-9]*\) .*/\1/' <<< "$line")
        t0=$EPOCHREALTIME
        fzf --filter "$q" < "$TMP/lines" > "$TMP/fzf-out"
        t1=$EPOCHREALTIME
        FZF_MS[$q]+=" $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) * 1000 }')"
        FZF_HITS[$q]=$(wc -l < "$TMP/fzf-out")
        echo "== round $r '$q': app first $first ms, complete $complete ms; fzf ${FZF_MS[$q]##* } ms" >&2
    done
done
quit
LOAD_END=$(load)
mkdir -p bench-data/results
cp "$TRACE" "bench-data/results/tui-trace-$(date -u +%Y%m%dT%H%M%SZ).txt"

# ----- report ------------------------------------------------------------------------------
# keys FROM TO [PATTERN]: key_ms values of key lines FROM+1..TO (those matching PATTERN).
keys() { grep '^key_ms' "$TRACE" | sed -n "$(($1 + 1)),$2p" | grep -e "${3:-}" | cut -d' ' -f2; }
row() { # row NAME STATS
    read -r p50 p95 max n <<< "$2"
    echo "| $1 | $n | $p50 | $p95 | $max |"
}
CPU=$(lscpu 2> /dev/null | sed -n 's/^Model name: *//p' | head -n 1)
REPORT=$(
    cat << EOF
## Explorer benchmark ($(date -u '+%Y-%m-%d %H:%M UTC'))

- Machine: $(nproc) CPUs, ${CPU:-unknown CPU}; $(uname -sr); tmux $(tmux -V | cut -d' ' -f2), ${COLS}x$ROWS; fzf $(fzf --version | cut -d' ' -f1)
- Command: \`TRAILSCOPE_TRACE=FILE $BIN $CORPUS\` in tmux, keys by \`tmux send-keys\` every ${PACE} s
- Load average (1/5/15 min): start $LOAD_START; after (a) $LOAD_A; after (b) $LOAD_B; end $LOAD_END

**(a) First drawn screen** (process start → first frame, $LAUNCHES launches): median **$(median "${FIRST[@]}") ms**
(all: ${FIRST[*]})

**(b) Key → redrawn screen** (ms; key received by the event loop → frame written)

| phase | keys | p50 | p95 | max |
|---|---:|---:|---:|---:|
$(row "scrolling while the load runs" "$(keys 0 "$LOADING_KEYS" loading=true | stats)")
$(row "scrolling after the load" "$(keys "$LOADING_KEYS" "$LOADED_KEYS" | stats)")
$(row "filter toggles (e / w on 1M events)" "$(keys "$LOADED_KEYS" "$TOGGLE_KEYS" | stats)")
$(row "typing a search (/${QUERIES[0]}, first search: lines built)" "$(keys "$TOGGLE_KEYS" "$TYPED_KEYS" | stats)")
$(row "background redraws while loading (tick_ms: keys wait behind these)" "$(grep '^tick_ms .* loading=true' "$TRACE" | cut -d' ' -f2 | stats)")

**(c) Fuzzy search** (ms; query submitted → first results drawn / complete ranking drawn; medians of $SEARCH_RUNS, alternating with fzf)

| query | matches (fzf) | first results | complete ranking | fzf --filter | complete / fzf |
|---|---:|---:|---:|---:|---:|
EOF
    for q in "${QUERIES[@]}"; do
        # shellcheck disable=SC2086
        c=$(median ${APP_COMPLETE[$q]})
        # shellcheck disable=SC2086
        f=$(median ${FZF_MS[$q]})
        # shellcheck disable=SC2086
        echo "| \`$q\` | ${APP_HITS[$q]} (${FZF_HITS[$q]}) | $(median ${APP_FIRST[$q]}) | $c | $f | $(awk -v c="$c" -v f="$f" 'BEGIN { printf "%.2f", c / f }') |"
    done
    echo
    echo "Typed \`/${QUERIES[0]}\` on the freshly loaded selection (summary lines built during the search): the"
    echo "last keystroke's first results drawn after $TYPED_FIRST ms, complete ranking after $TYPED_COMPLETE ms."
)

echo "$REPORT"
OUTFILE=bench-data/results/tui-$(date -u +%Y%m%dT%H%M%SZ).md
echo "$REPORT" > "$OUTFILE"
echo "== report saved to $OUTFILE" >&2
