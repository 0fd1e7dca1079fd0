#!/usr/bin/env python3
"""Render a `tmux capture-pane -p -e` dump (text with SGR escapes) to a PNG.

Usage: render.py CAPTURE.ansi OUT.png [--cols N] [--rows N] [--cursor COL,ROW]

Understands what tmux writes: SGR colours (16, 256 and 24-bit), bold, dim, italic,
underline, reverse and their resets. Block elements (the histogram's ▁…█, ▏▕, ░) and
light box-drawing lines are drawn as shapes so bars and borders join up at any font size. Needs Pillow and a monospace
TrueType font (DejaVu Sans Mono by default; FONT=/path/to/Regular.ttf and
FONT_BOLD=/path/to/Bold.ttf to choose another).
"""
import os
import re
import sys

from PIL import Image, ImageDraw, ImageFont

FONT_SIZE = int(os.environ.get("FONT_SIZE", "15"))
FONT_DIRS = ["/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/TTF", "/usr/share/fonts/dejavu"]

# A dark terminal: default colours and the 16 ANSI colours (close to xterm's).
DEFAULT_FG = (212, 212, 212)
DEFAULT_BG = (24, 24, 27)
ANSI16 = [
    (0, 0, 0), (205, 49, 49), (13, 188, 121), (229, 229, 16),
    (36, 114, 200), (188, 63, 188), (17, 168, 205), (229, 229, 229),
    (102, 102, 102), (241, 76, 76), (35, 209, 139), (245, 245, 67),
    (59, 142, 234), (214, 112, 214), (41, 184, 219), (255, 255, 255),
]


def color256(n):
    if n < 16:
        return ANSI16[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    v = 8 + (n - 232) * 10
    return (v, v, v)


# Light box-drawing characters: which of (up, down, left, right) each one joins.
BOX = {
    "─": (0, 0, 1, 1), "│": (1, 1, 0, 0), "┌": (0, 1, 0, 1), "┐": (0, 1, 1, 0),
    "└": (1, 0, 0, 1), "┘": (1, 0, 1, 0), "├": (1, 1, 0, 1), "┤": (1, 1, 1, 0),
    "┬": (0, 1, 1, 1), "┴": (1, 0, 1, 1), "┼": (1, 1, 1, 1),
}


def find_font(name):
    for d in FONT_DIRS:
        p = os.path.join(d, name)
        if os.path.exists(p):
            return p
    return None


class Style:
    __slots__ = ("fg", "bg", "bold", "dim", "italic", "underline", "reverse")

    def __init__(self):
        self.reset()

    def reset(self):
        self.fg = None
        self.bg = None
        self.bold = self.dim = self.italic = self.underline = self.reverse = False

    def copy(self):
        s = Style()
        for k in Style.__slots__:
            setattr(s, k, getattr(self, k))
        return s


def extended_color(params, i):
    """Parses `38;5;N` / `38;2;R;G;B` at params[i] (the 5 or 2); returns (colour, next index)."""
    if i < len(params) and params[i] == 5 and i + 1 < len(params):
        return color256(params[i + 1]), i + 2
    if i < len(params) and params[i] == 2 and i + 3 < len(params):
        return tuple(params[i + 1:i + 4]), i + 4
    return None, len(params)


def apply_sgr(style, text):
    # tmux may use ':' as the sub-parameter separator (38:2::R:G:B); treat it like ';'.
    parts = [p for p in re.split(r"[;:]", text)] if text else ["0"]
    params = [int(p) if p.isdigit() else 0 for p in parts]
    i = 0
    while i < len(params):
        p = params[i]
        i += 1
        if p == 0:
            style.reset()
        elif p == 1:
            style.bold = True
        elif p == 2:
            style.dim = True
        elif p == 3:
            style.italic = True
        elif p in (4, 21):
            style.underline = True
        elif p == 7:
            style.reverse = True
        elif p == 22:
            style.bold = style.dim = False
        elif p == 23:
            style.italic = False
        elif p == 24:
            style.underline = False
        elif p == 27:
            style.reverse = False
        elif 30 <= p <= 37:
            style.fg = ANSI16[p - 30]
        elif p == 38:
            style.fg, i = extended_color(params, i)
        elif p == 39:
            style.fg = None
        elif 40 <= p <= 47:
            style.bg = ANSI16[p - 40]
        elif p == 48:
            style.bg, i = extended_color(params, i)
        elif p == 49:
            style.bg = None
        elif 90 <= p <= 97:
            style.fg = ANSI16[p - 90 + 8]
        elif 100 <= p <= 107:
            style.bg = ANSI16[p - 100 + 8]


SGR = re.compile(r"\x1b\[([0-9;:]*)m")


def parse(text, cols, rows):
    """The screen as rows of (char, Style) cells."""
    grid = []
    # tmux writes only changes of style, and a line goes on in the style the previous one
    # ended with: the state carries over line breaks.
    style = Style()
    for line in text.split("\n")[:rows]:
        cells = []
        pos = 0
        for m in SGR.finditer(line):
            for ch in line[pos:m.start()]:
                cells.append((ch, style.copy()))
            apply_sgr(style, m.group(1))
            pos = m.end()
        for ch in line[pos:]:
            cells.append((ch, style.copy()))
        if any(ch == "\x1b" for ch, _ in cells):
            raise SystemExit("render.py: an escape sequence that is not SGR in the capture")
        cells = cells[:cols]
        while len(cells) < cols:
            cells.append((" ", Style()))
        grid.append(cells)
    while len(grid) < rows:
        grid.append([(" ", Style()) for _ in range(cols)])
    return grid


def blend(a, b, t):
    return tuple(int(x * (1 - t) + y * t) for x, y in zip(a, b))


def render(grid, out, cursor=None):
    regular = os.environ.get("FONT") or find_font("DejaVuSansMono.ttf")
    bold = os.environ.get("FONT_BOLD") or find_font("DejaVuSansMono-Bold.ttf") or regular
    italic = find_font("DejaVuSansMono-Oblique.ttf") or regular
    if not regular:
        raise SystemExit("render.py: no monospace font found (install fonts-dejavu-core or set FONT=…)")
    fonts = {
        (False, False): ImageFont.truetype(regular, FONT_SIZE),
        (True, False): ImageFont.truetype(bold, FONT_SIZE),
        (False, True): ImageFont.truetype(italic, FONT_SIZE),
        (True, True): ImageFont.truetype(bold, FONT_SIZE),
    }
    base = fonts[(False, False)]
    ascent, descent = base.getmetrics()
    cw = round(base.getlength("M"))
    ch = ascent + descent + 1
    pad = 12
    rows, cols = len(grid), len(grid[0])
    img = Image.new("RGB", (cols * cw + 2 * pad, rows * ch + 2 * pad), DEFAULT_BG)
    draw = ImageDraw.Draw(img)
    for y, row in enumerate(grid):
        for x, (c, s) in enumerate(row):
            fg = s.fg or DEFAULT_FG
            bg = s.bg or DEFAULT_BG
            if s.bold and s.fg in ANSI16[:8]:
                fg = ANSI16[ANSI16.index(s.fg) + 8]
            if s.reverse:
                fg, bg = bg, fg
            if s.dim:
                fg = blend(fg, bg, 0.45)
            if cursor == (x, y):
                fg, bg = bg, fg
            x0, y0 = pad + x * cw, pad + y * ch
            if bg != DEFAULT_BG:
                draw.rectangle([x0, y0, x0 + cw - 1, y0 + ch - 1], fill=bg)
            o = ord(c)
            if 0x2581 <= o <= 0x2588:  # lower eighth … full block
                h = round(ch * (o - 0x2580) / 8)
                draw.rectangle([x0, y0 + ch - h, x0 + cw - 1, y0 + ch - 1], fill=fg)
            elif c == "▏":
                draw.rectangle([x0, y0, x0 + max(1, cw // 8) - 1, y0 + ch - 1], fill=fg)
            elif c == "▕":
                draw.rectangle([x0 + cw - max(1, cw // 8), y0, x0 + cw - 1, y0 + ch - 1], fill=fg)
            elif c in BOX:
                # Light box drawing through the cell's centre, so borders join up.
                up, down, left, right = BOX[c]
                mx, my = x0 + cw // 2, y0 + ch // 2
                if left:
                    draw.line([x0, my, mx, my], fill=fg)
                if right:
                    draw.line([mx, my, x0 + cw - 1, my], fill=fg)
                if up:
                    draw.line([mx, y0, mx, my], fill=fg)
                if down:
                    draw.line([mx, my, mx, y0 + ch - 1], fill=fg)
            elif c == "░":
                draw.rectangle([x0, y0, x0 + cw - 1, y0 + ch - 1], fill=blend(bg, fg, 0.25))
            elif c != " ":
                font = fonts[(s.bold, s.italic)]
                draw.text((x0, y0 + 1), c, font=font, fill=fg)
            if s.underline:
                draw.line([x0, y0 + ascent + 2, x0 + cw - 1, y0 + ascent + 2], fill=fg)
    img.save(out, optimize=True)


def main(argv):
    args = argv[1:]
    cols, rows, cursor = 160, 45, None
    files = []
    i = 0
    while i < len(args):
        if args[i] == "--cols":
            cols = int(args[i + 1])
            i += 2
        elif args[i] == "--rows":
            rows = int(args[i + 1])
            i += 2
        elif args[i] == "--cursor":
            cx, cy = args[i + 1].split(",")
            cursor = (int(cx), int(cy))
            i += 2
        else:
            files.append(args[i])
            i += 1
    if len(files) != 2:
        raise SystemExit(__doc__)
    with open(files[0], encoding="utf-8") as f:
        text = f.read()
    render(parse(text, cols, rows), files[1], cursor)


if __name__ == "__main__":
    main(sys.argv)
