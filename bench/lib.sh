# Shared by the benchmark scripts (sourced, not run).

# die MESSAGE…: prints "script: MESSAGE" on stderr and exits 1.
die() {
    echo "$(basename "$0"): $*" >&2
    exit 1
}

# need COMMAND PACKAGE: dies with an install hint when COMMAND is missing.
need() {
    command -v "$1" > /dev/null || die "$1 is missing: apt-get install -y $2"
}

# median N…: the median of the numbers given as arguments.
median() {
    printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 }
        END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# settle BINARY: waits (up to 5 s) until no process of this user has BINARY's name (so
# any other trailscope the user runs meanwhile holds the benchmark up, with a warning).
# trailscope leaves the freeing of a large store to a holder process that ends just after
# it has exited (src/cli/quick_exit.rs); waiting keeps that work from overlapping the next
# command.
settle() {
    local name i
    name=$(basename "$1")
    for ((i = 0; i < 500; i++)); do
        pgrep -u "$(id -u)" -x "${name:0:15}" > /dev/null || return 0
        sleep 0.01
    done
    echo "== settle: a process named ${name:0:15} is still running after 5 s; going on" >&2
}

# warm_up DIR: reads every .json.gz under DIR once, so every command runs on a warm page
# cache (dropping the cache needs privileges we do not assume).
warm_up() {
    echo "== warm-up: reading every input file once" >&2
    find "$1/" -name '*.json.gz' -print0 | xargs -0 cat > /dev/null
}

# generate DIR ARG…: (re)generates a benchmark corpus in DIR with the project's generator
# (release build; the arguments include --out DIR) and says how long it took.
generate() {
    local dir=$1 start end
    shift
    echo "== generating $dir: trailscope-gen $*" >&2
    start=$(date +%s.%N)
    target/release/trailscope-gen "$@" --force
    end=$(date +%s.%N)
    awk -v s="$start" -v e="$end" 'BEGIN { printf "== generated in %.1f s\n", e - s }' >&2
}

# page_cost: microseconds per page to write 256 MB of freshly allocated memory, one byte a
# page (median of 3). On these VMs the first touch of a page costs microseconds and the cost
# swings with the host's load; a 1M-event load touches ~175k pages and zcat almost none, so
# this figure says how far a run's trailscope/zcat ratio is the host's (see the README's
# Performance section, session 9).
page_cost() {
    python3 -c '
import statistics, time
def cost(n=256 << 20):
    start = time.perf_counter()
    b = bytearray(n)
    for i in range(0, n, 4096):
        b[i] = 1
    return (time.perf_counter() - start) / (n // 4096) * 1e6
print("%.2f" % statistics.median(cost() for _ in range(3)))'
}
