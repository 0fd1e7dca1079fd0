#!/usr/bin/env bash
# Compares builds of trailscope on the load benchmark's corpus: each round runs every given
# binary once (`stats --json`), then the 2-way zcat floor, so a change in the shared host's
# speed hits all of them alike. Prints every run, the medians, each binary's ratio to zcat,
# and the round-by-round ratio of each binary to the first one.
#
# Usage: bench/compare.sh ROUNDS BINARY…   e.g. bench/compare.sh 5 /tmp/old target/release/trailscope
# (keep a copy of the older build first: cp target/release/trailscope /tmp/old). The corpus
# must exist (bench/load.sh makes it).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh

CORPUS=bench-data/corpus-1m
(($# >= 2)) || die "usage: bench/compare.sh ROUNDS BINARY…"
ROUNDS=$1
shift
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive integer (got '$ROUNDS')"
[[ -d $CORPUS ]] || die "$CORPUS is missing: run bench/load.sh once to generate it"
for b in "$@"; do [[ -x $b ]] || die "$b is not an executable"; done
[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing: apt-get install -y time"
need zcat gzip
need python3 python3
need pgrep procps

ZCAT_CMD="find $CORPUS/ -name '*.json.gz' -print0 | xargs -0 -P2 -n 1000 zcat > /dev/null"
TMP=$(mktemp)
trap 'rm -f "$TMP"' EXIT
warm_up "$CORPUS"
echo "== a fresh page costs $(page_cost) µs to touch (bench/lib.sh page_cost)" >&2

# WALL[i] holds the wall seconds of command i (0..n-1 the binaries, n zcat), one per round.
declare -a WALL CPU
n=$#
for ((r = 1; r <= ROUNDS; r++)); do
    i=0
    for b in "$@" zcat; do
        if [[ $b == zcat ]]; then
            /usr/bin/time -f '%e %U %S' -o "$TMP" bash -c "$ZCAT_CMD"
        else
            /usr/bin/time -f '%e %U %S' -o "$TMP" "$b" stats --json "$CORPUS" > /dev/null
            settle "$b"
        fi
        read -r w u s < <(tail -n 1 "$TMP")
        WALL[i]="${WALL[i]:-} $w"
        CPU[i]="${CPU[i]:-} $(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')"
        i=$((i + 1))
    done
    echo "== round $r/$ROUNDS done" >&2
done

echo "fresh page cost after the rounds: $(page_cost) µs"
names=("$@" zcat)
# shellcheck disable=SC2086 # WALL holds space-separated numbers
zmed=$(median ${WALL[n]})
for ((i = 0; i <= n; i++)); do
    # shellcheck disable=SC2086
    med=$(median ${WALL[i]})
    # shellcheck disable=SC2086
    echo "${names[i]}: wall s${WALL[i]} | median $med ($(awk -v a="$med" -v z="$zmed" 'BEGIN { printf "%.3f", a / z }')x zcat) | CPU s median $(median ${CPU[i]})"
done
for ((i = 1; i < n; i++)); do
    # shellcheck disable=SC2086
    ratios=$(paste -d' ' <(printf '%s\n' ${WALL[i]}) <(printf '%s\n' ${WALL[0]}) | awk '{ printf "%.3f ", $1 / $2 }')
    # shellcheck disable=SC2086
    echo "${names[i]} / ${names[0]}, round by round: $ratios(median $(median $ratios))"
done
