#!/usr/bin/env bash
# Fuzzy search benchmark: examples/bench_search.rs loads the standard 1M-event corpus, builds
# every event's summary line (timed) and writes them to a file, then for three standard
# queries measures both matching engines (nucleo-matcher, fuzzy-matcher's SkimMatcherV2)
# through the real SearchWorker — time to the first update and to the complete ranking,
# medians of 5 — beside `fzf --filter QUERY < lines > /dev/null` (median of 5) in the same
# run, on the same lines. It also reports the first query on a fresh selection (lines built
# during the search) and typing a query one character at a time (incremental refinement).
#
# Usage: bench/search.sh   (run bench/load.sh first: it generates bench-data/corpus-1m)
# Needs fzf for the peer column: apt-get install -y fzf (without it those columns are empty).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
CORPUS=bench-data/corpus-1m
[[ -f $CORPUS/.trailscope-gen.json ]] || { echo "bench/search.sh: run bench/load.sh first" >&2; exit 1; }
if command -v fzf > /dev/null; then
    FZF="fzf $(fzf --version | cut -d' ' -f1)"
else
    FZF="fzf missing"
    echo "bench/search.sh: fzf is not installed (apt-get install -y fzf); measuring trailscope alone" >&2
fi

cargo build --release --example bench_search >&2
LINES=$(mktemp "${TMPDIR:-/tmp}/trailscope-search-lines.XXXXXX")
trap 'rm -f "$LINES"' EXIT
mkdir -p bench-data/results
OUT=bench-data/results/search-$(date -u +%Y%m%dT%H%M%SZ).md
{
    echo "## Fuzzy search benchmark ($(date -u '+%Y-%m-%d %H:%M UTC'))"
    echo
    echo "- Machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p' | head -n 1); $FZF"
    echo "- Load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- Times in ms; medians of 5; complete / fzf compares the best-match ranking with fzf --filter"
    echo
    target/release/examples/bench_search "$CORPUS" "$LINES"
    echo
    echo "- Load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT"
echo "== report saved to $OUT" >&2
