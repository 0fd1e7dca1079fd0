#!/usr/bin/env bash
# Regenerates the screenshots in this folder from the real binary on the demo archive:
# runs trailscope in a private tmux server at a fixed size, drives it with keys, captures
# each screen with its colours (`tmux capture-pane -p -e`) and renders it to PNG with
# render.py (Pillow + DejaVu Sans Mono).
#
#   screenshots/make.sh            # builds the debug binary with cargo first
#   TRAILSCOPE=path/to/trailscope screenshots/make.sh
#   PYTHON=/path/to/venv/bin/python screenshots/make.sh   # a python that has Pillow
#
# Writes timeline.png, search.png, raw-json.png and help.png (and the .ansi captures to a
# temp dir, kept when KEEP_ANSI=1). There is no identities pane yet, so no identities.png.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
PYTHON="${PYTHON:-python3}"
COLS=160
ROWS=45

die() { echo "screenshots/make.sh: $*" >&2; exit 1; }

command -v tmux >/dev/null 2>&1 || die "tmux is needed (apt-get install -y tmux)"
command -v "$PYTHON" >/dev/null 2>&1 || die "python3 is needed (or set PYTHON=…)"
"$PYTHON" -c 'import PIL' 2>/dev/null \
  || die "Pillow is needed: $PYTHON -m pip install pillow (in a venv: python3 -m venv /tmp/v && /tmp/v/bin/pip install pillow, then PYTHON=/tmp/v/bin/python)"
if [ -z "${FONT:-}" ] && ! [ -e /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf ]; then
  die "DejaVu Sans Mono is needed: apt-get install -y fonts-dejavu-core (or set FONT=/path/to/Mono.ttf and FONT_BOLD=…)"
fi

if [ -z "${TRAILSCOPE:-}" ]; then
  (cd "$root" && cargo build --quiet --bin trailscope)
  target="${CARGO_TARGET_DIR:-$root/target}"
  case "$target" in /*) ;; *) target="$root/$target" ;; esac
  TRAILSCOPE="$target/debug/trailscope"
fi
[ -x "$TRAILSCOPE" ] || die "no trailscope binary at $TRAILSCOPE"

work="$(mktemp -d)"
socket="trailscope-shots-$$"
t() { tmux -L "$socket" -f /dev/null "$@"; }
cleanup() {
  local path
  path="$(t display -p '#{socket_path}' 2>/dev/null || true)"
  t kill-server 2>/dev/null || true
  [ -n "$path" ] && rm -f "$path"
  if [ "${KEEP_ANSI:-0}" = 1 ]; then echo "captures kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
mkdir -p "$work/config" "$work/cwd"

# Waits (up to 60 s) until the plain screen contains the fixed string $1.
wait_for() {
  local i
  for i in $(seq 1 1200); do
    if t capture-pane -p -t shots | grep -qF -- "$1"; then return 0; fi
    sleep 0.05
  done
  t capture-pane -p -t shots >&2
  die "timed out waiting for: $1"
}

# Waits until the screen stops changing (a redraw after the last key has landed).
settle() {
  local a b
  a="$(t capture-pane -p -e -t shots)"
  for _ in $(seq 1 40); do
    sleep 0.1
    b="$(t capture-pane -p -e -t shots)"
    [ "$a" = "$b" ] && return 0
    a="$b"
  done
}

# shot NAME: captures the screen and renders screenshots/NAME.png.
shot() {
  settle
  t capture-pane -p -e -t shots > "$work/$1.ansi"
  local cursor=()
  if [ "$(t display -p -t shots '#{cursor_flag}')" = 1 ]; then
    cursor=(--cursor "$(t display -p -t shots '#{cursor_x},#{cursor_y}')")
  fi
  "$PYTHON" "$here/render.py" "$work/$1.ansi" "$here/$1.png" --cols "$COLS" --rows "$ROWS" "${cursor[@]}"
  echo "wrote screenshots/$1.png"
}

t new-session -d -s shots -x "$COLS" -y "$ROWS" -c "$work/cwd" \
  env TERM=xterm-256color XDG_CONFIG_HOME="$work/config" TZ=UTC "$TRAILSCOPE" "$root/assets/demo"
wait_for "3,000 of 3,000 events"

# Timeline: the incident's source address, the cursor on the new access key for backup-svc.
t send-keys -t shots f
wait_for "Filter> "
t send-keys -t shots -l "ip:185.220.101.47"
t send-keys -t shots Enter
wait_for "62 of 3,000 events"
t send-keys -t shots g
for _ in $(seq 1 22); do t send-keys -t shots j; done
wait_for "│Event           CreateAccessKey"
shot timeline

# Search: fuzzy matches over the whole trail, matched characters highlighted.
t send-keys -t shots c
wait_for "3,000 of 3,000 events"
t send-keys -t shots /
t send-keys -t shots -l "svc-maint cloudtrail"
wait_for "Search> svc-maint cloudtrail"
wait_for " hits · "
shot search

# Raw JSON: the call whose user agent carries terminal escapes (shown neutralised).
t send-keys -t shots Escape
wait_for "3,000 of 3,000 events"
t send-keys -t shots f
wait_for "Filter> "
t send-keys -t shots -l "key:AKIA3EJM4JOGBMNIWT2O name:GetCallerIdentity"
t send-keys -t shots Enter
wait_for "1 of 3,000 events"
t send-keys -t shots 3
for _ in $(seq 1 15); do t send-keys -t shots j; done
wait_for '"userAgent": '
shot raw-json

# Identities: principals by account and type, the compromised user's drill-down below.
t send-keys -t shots 1 c
wait_for "3,000 of 3,000 events"
t send-keys -t shots i
wait_for " Identities · "
t send-keys -t shots /
t send-keys -t shots -l "ci-deploy"
t send-keys -t shots Enter
t send-keys -t shots g j j
wait_for "Principal       arn:aws:iam::206395114311:user/ci-deploy"
shot identities

# Credential chain of the attacker's role session, back to the leaked key.
t send-keys -t shots i
t send-keys -t shots f
wait_for "Filter> "
t send-keys -t shots -l "key:ASIA3Y6Y3WRLONBEDPAZ"
t send-keys -t shots Enter
t send-keys -t shots C
wait_for " Credential chain "
shot chain

# Help: generated from the keymap, over the whole trail.
t send-keys -t shots Escape
t send-keys -t shots 1 c
wait_for "3,000 of 3,000 events"
t send-keys -t shots '?'
wait_for " Help "
shot help

t send-keys -t shots Escape q
