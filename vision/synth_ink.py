"""Marker ink for the synthetic walls: handwriting, headings, doodles and the ink traps.

Everything here is geometry: strokes are polylines in millimetres on the wall
plane (x right, y down), drawn later through the camera homography. A tiny
hand-made capital font plus a cursive scribble is enough to look like marker
writing from two metres away, and it puts the shapes that fool a dot counter
(letters "O", drawn circles, full stops and bullets, ticks, underlines) where
real writing puts them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Marker colours, BGR: black, blue, red, green, purple (issue 3's list).
INKS = {
    "black": (38, 34, 32),
    "blue": (150, 62, 22),
    "red": (45, 40, 185),
    "green": (50, 120, 30),
    "purple": (125, 45, 105),
}


@dataclass(frozen=True)
class Stroke:
    points: np.ndarray  # (n, 2) millimetres on the wall plane
    width_mm: float
    bgr: tuple[int, int, int]
    closed: bool = False
    filled: bool = False  # a filled blob (full stop, bullet, smiley eye)


def _arc(cx, cy, rx, ry, a0, a1, n=10):
    t = np.radians(np.linspace(a0, a1, n))
    return [(cx + rx * np.cos(a), cy + ry * np.sin(a)) for a in t]


# Capitals in a box 0..0.7 wide, 0..1 tall (y down); each glyph is a list of strokes.
_GLYPHS = {
    "A": [[(0, 1), (0.35, 0), (0.7, 1)], [(0.15, 0.6), (0.55, 0.6)]],
    "B": [
        [(0, 1), (0, 0), (0.4, 0), *_arc(0.4, 0.24, 0.2, 0.24, -90, 90, 6), (0, 0.48)],
        [(0.42, 0.48), *_arc(0.42, 0.74, 0.24, 0.26, -90, 90, 6), (0, 1)],
    ],
    "C": [_arc(0.38, 0.5, 0.36, 0.5, 40, 320, 12)],
    "D": [[(0, 0), (0, 1), *_arc(0.2, 0.5, 0.48, 0.5, 90, -90, 10), (0, 0)]],
    "E": [[(0.6, 0), (0, 0), (0, 1), (0.6, 1)], [(0, 0.5), (0.45, 0.5)]],
    "F": [[(0.6, 0), (0, 0), (0, 1)], [(0, 0.5), (0.45, 0.5)]],
    "G": [[*_arc(0.38, 0.5, 0.36, 0.5, -40, -320, 12), (0.7, 0.55), (0.42, 0.55)]],
    "H": [[(0, 0), (0, 1)], [(0.6, 0), (0.6, 1)], [(0, 0.5), (0.6, 0.5)]],
    "I": [[(0.15, 0), (0.15, 1)]],
    "K": [[(0, 0), (0, 1)], [(0.6, 0), (0, 0.55)], [(0.2, 0.42), (0.65, 1)]],
    "L": [[(0, 0), (0, 1), (0.55, 1)]],
    "M": [[(0, 1), (0, 0), (0.4, 0.6), (0.8, 0), (0.8, 1)]],
    "N": [[(0, 1), (0, 0), (0.6, 1), (0.6, 0)]],
    "O": [_arc(0.36, 0.5, 0.36, 0.5, -100, 250, 16)],
    "P": [[(0, 1), (0, 0), (0.35, 0), *_arc(0.35, 0.26, 0.25, 0.26, -90, 90, 7), (0, 0.52)]],
    "R": [
        [(0, 1), (0, 0), (0.35, 0), *_arc(0.35, 0.26, 0.25, 0.26, -90, 90, 7), (0, 0.52)],
        [(0.25, 0.52), (0.62, 1)],
    ],
    "S": [[*_arc(0.33, 0.25, 0.3, 0.25, -20, -270, 8), *_arc(0.33, 0.75, 0.3, 0.25, -90, 160, 9)]],
    "T": [[(0, 0), (0.7, 0)], [(0.35, 0), (0.35, 1)]],
    "U": [[(0, 0), (0, 0.65), *_arc(0.32, 0.65, 0.32, 0.35, 180, 0, 8), (0.64, 0)]],
    "V": [[(0, 0), (0.35, 1), (0.7, 0)]],
    "W": [[(0, 0), (0.2, 1), (0.45, 0.35), (0.7, 1), (0.9, 0)]],
    "X": [[(0, 0), (0.65, 1)], [(0.65, 0), (0, 1)]],
    "Y": [[(0, 0), (0.35, 0.5), (0.7, 0)], [(0.35, 0.5), (0.35, 1)]],
    "?": [
        [
            *_arc(0.3, 0.25, 0.28, 0.25, 200, 360, 6),
            *_arc(0.3, 0.25, 0.28, 0.25, 0, 90, 4),
            (0.3, 0.7),
        ]
    ],
    "!": [[(0.15, 0), (0.15, 0.7)]],
}
_WIDTH = {"I": 0.3, "M": 0.8, "W": 0.9, "!": 0.3, "?": 0.6}
# Letters by rough English frequency, with "O" common on purpose: it is a ring the size of a dot.
_LETTERS = "EEETTAAOOOOIINNSSRRHLDCUMWFGYPBVK"


def _glyph_strokes(ch: str, x0: float, y0: float, size: float, rng, slant: float):
    out = []
    for stroke in _GLYPHS[ch]:
        pts = np.asarray(stroke, dtype=np.float64)
        pts = pts + rng.normal(0.0, 0.035, pts.shape)  # a hand is not a plotter
        pts[:, 0] += slant * (1 - pts[:, 1])
        out.append(np.column_stack([x0 + pts[:, 0] * size, y0 + pts[:, 1] * size]))
    return out


def _cursive_word(x0: float, y0: float, size: float, n: int, rng):
    """A joined-up scribble of n letters: humps, loops, ascenders, descenders and a few "o"s."""
    pts = [(x0, y0 + size)]
    x = x0
    blobs = []
    for _ in range(n):
        kind = rng.choice(["n", "o", "l", "e", "i", "g"], p=[0.3, 0.2, 0.15, 0.15, 0.1, 0.1])
        w = size * rng.uniform(0.45, 0.7)
        if kind == "n":
            pts += [
                (x + w * 0.1, y0 + size * 0.35),
                (x + w * 0.5, y0 + size * 0.3),
                (x + w * 0.7, y0 + size),
            ]
        elif kind == "o":
            pts += _arc(x + w * 0.5, y0 + size * 0.68, w * 0.38, size * 0.32, 180, -180, 12)
            pts.append((x + w * 0.9, y0 + size * 0.5))
        elif kind == "l":
            pts += [
                (x + w * 0.4, y0 - size * 0.5),
                (x + w * 0.25, y0 - size * 0.45),
                (x + w * 0.3, y0 + size),
            ]
        elif kind == "e":
            pts += _arc(x + w * 0.45, y0 + size * 0.65, w * 0.35, size * 0.3, 160, -160, 9)
        elif kind == "i":
            pts += [(x + w * 0.3, y0 + size * 0.35), (x + w * 0.4, y0 + size)]
            blobs.append((x + w * 0.35, y0 + size * 0.05))
        else:
            pts += [
                (x + w * 0.3, y0 + size * 0.4),
                (x + w * 0.4, y0 + size * 1.6),
                (x + w * 0.1, y0 + size * 1.4),
            ]
        x += w
        pts.append((x, y0 + size))
    arr = np.asarray(pts, dtype=np.float64) + rng.normal(0.0, size * 0.03, (len(pts), 2))
    return arr, x, blobs


def write_text(rng, box, size: float, width_mm: float, bgr, lines: int, caps: float = 0.6):
    """Strokes of `lines` lines of writing filling the box (x0, y0, x1, y1) from its top-left."""
    x0, y0, x1, y1 = box
    strokes: list[Stroke] = []
    y = y0 + size * 0.3
    for _ in range(lines):
        if y + size > y1:
            break
        x = x0 + rng.uniform(0, size * 0.4)
        slope = rng.normal(0, 0.03)
        line_start = x
        while x < x1 - size:
            if rng.random() < caps:
                n = int(rng.integers(2, 7))
                slant = rng.normal(0.05, 0.05)
                for ch in rng.choice(list(_LETTERS), n):
                    w = size * _WIDTH.get(ch, 0.7)
                    if x + w > x1:
                        break
                    yy = y + slope * (x - line_start)
                    for pts in _glyph_strokes(ch, x, yy, size, rng, slant):
                        strokes.append(Stroke(pts, width_mm, bgr))
                    x += w + size * 0.25
            else:
                n = int(rng.integers(2, 7))
                yy = y + slope * (x - line_start)
                pts, x_end, blobs = _cursive_word(x, yy, size * 0.6, n, rng)
                if x_end > x1:
                    break
                strokes.append(Stroke(pts, width_mm, bgr))
                for bx, by in blobs:
                    strokes.append(_blob(bx, by, width_mm * 0.6, bgr))
                x = x_end
            x += size * rng.uniform(0.5, 0.9)
        if rng.random() < 0.3:  # a full stop or a question mark's dot at the end of the line
            strokes.append(_blob(min(x, x1 - width_mm), y + size, width_mm * 0.7, bgr))
        y += size * rng.uniform(1.4, 1.8)
    return strokes


def _blob(x, y, r, bgr) -> Stroke:
    return Stroke(np.asarray(_arc(x, y, r, r, 0, 360, 12)), 0.0, bgr, closed=True, filled=True)


def circle(rng, cx, cy, r, width_mm, bgr) -> Stroke:
    """A hand-drawn ring, often not quite closed: a drawn circle, not a sticker."""
    a0 = rng.uniform(0, 360)
    sweep = rng.uniform(330, 380)
    pts = np.asarray(_arc(cx, cy, r * rng.uniform(0.9, 1.1), r, a0, a0 + sweep, 24))
    pts += rng.normal(0, r * 0.03, pts.shape)
    return Stroke(pts, width_mm, bgr)


def tick(x, y, size, width_mm, bgr) -> Stroke:
    pts = np.asarray([(x, y + size * 0.55), (x + size * 0.35, y + size), (x + size, y)])
    return Stroke(pts, width_mm, bgr)


def underline(rng, x0, x1, y, width_mm, bgr) -> Stroke:
    xs = np.linspace(x0, x1, 6)
    ys = y + rng.normal(0, width_mm * 0.4, 6)
    return Stroke(np.column_stack([xs, ys]), width_mm, bgr)


def bullet(rng, x, y, r, bgr) -> Stroke:
    return _blob(x, y, r * rng.uniform(0.8, 1.2), bgr)


def note_ink(rng, w: float, h: float, traps: bool):
    """Writing on a w x h mm note, in note coordinates centred on the note (u right, v down)."""
    bgr = INKS[str(rng.choice(list(INKS), p=[0.55, 0.2, 0.1, 0.08, 0.07]))]
    size = rng.uniform(7.0, 13.0)
    width = rng.uniform(0.6, 1.6)
    m = rng.uniform(5, 9)
    box = (-w / 2 + m, -h / 2 + m, w / 2 - m, h / 2 - m * 0.7)
    lines = int(rng.integers(1, max(2, int((h - 2 * m) / (size * 1.5))) + 1))
    strokes = write_text(rng, box, size, width, bgr, lines, caps=rng.uniform(0.3, 0.9))
    if rng.random() < (0.5 if traps else 0.15):
        strokes.append(
            underline(
                rng,
                box[0],
                box[0] + rng.uniform(0.4, 0.9) * (box[2] - box[0]),
                box[1] + size * 1.45,
                width,
                bgr,
            )
        )
    if traps:
        # The shapes that look most like a sticker: rings of a dot's size, ticks, bullets.
        if rng.random() < 0.45:
            r = rng.uniform(4.0, 10.0)
            strokes.append(
                circle(
                    rng,
                    rng.uniform(-w / 2 + r + 3, w / 2 - r - 3),
                    rng.uniform(-h / 2 + r + 3, h / 2 - r - 3),
                    r,
                    width * rng.uniform(1.0, 1.6),
                    bgr,
                )
            )
        if rng.random() < 0.3:
            strokes.append(
                tick(
                    rng.uniform(-w / 2 + 4, w / 2 - 16),
                    rng.uniform(-h / 2 + 4, h / 2 - 16),
                    rng.uniform(7, 12),
                    width,
                    bgr,
                )
            )
        if rng.random() < 0.3:
            for k in range(int(rng.integers(1, 4))):
                strokes.append(
                    bullet(
                        rng,
                        -w / 2 + m * 0.7,
                        -h / 2 + m + size * 0.6 + k * size * 1.5,
                        rng.uniform(1.0, 1.8),
                        bgr,
                    )
                )
    return strokes


_HEADINGS = (
    "TO DISCUSS",
    "DISCUSSING",
    "DONE",
    "TOPICS",
    "LEAN COFFEE",
    "IDEAS",
    "NEXT",
    "PARKING LOT",
)


def heading(rng, x: float, y: float, size: float, bgr, width_mm: float, max_w: float, used=()):
    """A column heading (not one of `used`) written on the wall with its top-left at (x, y),
    no wider than max_w; returns its strokes and its text."""

    def text_width(t):
        return sum(size * 0.6 if ch == " " else size * (_WIDTH.get(ch, 0.7) + 0.25) for ch in t)

    fits = [t for t in _HEADINGS if text_width(t) <= max_w and t not in used]
    if not fits:
        return [], ""
    text = str(fits[int(rng.integers(len(fits)))])
    strokes = []
    cx = x
    slant = rng.normal(0.03, 0.04)
    for ch in text:
        if ch == " ":
            cx += size * 0.6
            continue
        w = size * _WIDTH.get(ch, 0.7)
        if cx + w - x > max_w:
            break
        strokes += [Stroke(p, width_mm, bgr) for p in _glyph_strokes(ch, cx, y, size, rng, slant)]
        cx += w + size * 0.25
    if rng.random() < 0.5:
        strokes.append(underline(rng, x, cx, y + size * 1.3, width_mm, bgr))
    return strokes, text


def doodles(rng, region, n: int, traps: bool):
    """Marker doodles on the wall inside region (x0, y0, x1, y1): arrows, lines, rings, smileys, stars."""
    x0, y0, x1, y1 = region
    out: list[Stroke] = []
    for _ in range(n):
        bgr = INKS[str(rng.choice(list(INKS)))]
        width = rng.uniform(1.2, 3.5)
        x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
        kind = rng.choice(["arrow", "line", "ring", "smiley", "star", "wave", "plus"])
        if kind == "arrow":
            L = rng.uniform(60, 200)
            a = rng.uniform(0, 2 * np.pi)
            ex, ey = x + L * np.cos(a), y + L * np.sin(a)
            out.append(Stroke(np.asarray([(x, y), (ex, ey)]), width, bgr))
            for da in (2.6, -2.6):
                out.append(
                    Stroke(
                        np.asarray(
                            [(ex, ey), (ex + 15 * np.cos(a + da), ey + 15 * np.sin(a + da))]
                        ),
                        width,
                        bgr,
                    )
                )
        elif kind == "line":  # a column divider or a timeline
            if rng.random() < 0.5:
                pts = [(x, y0), (x + rng.normal(0, 10), y1)]
            else:
                pts = [(x0, y), (x1, y + rng.normal(0, 10))]
            out.append(Stroke(np.asarray(pts) + rng.normal(0, 1.0, (2, 2)), width, bgr))
        elif kind == "ring":
            r = rng.uniform(4, 12) if traps else rng.uniform(20, 50)
            out.append(circle(rng, x, y, r, width, bgr))
        elif kind == "smiley":
            r = rng.uniform(12, 30)
            out.append(circle(rng, x, y, r, width, bgr))
            out.append(_blob(x - r * 0.35, y - r * 0.25, max(width * 0.8, r * 0.1), bgr))
            out.append(_blob(x + r * 0.35, y - r * 0.25, max(width * 0.8, r * 0.1), bgr))
            out.append(Stroke(np.asarray(_arc(x, y, r * 0.55, r * 0.5, 20, 160, 8)), width, bgr))
        elif kind == "star":
            r = rng.uniform(10, 25)
            ang = np.radians(np.arange(6) * 144 - 90)
            out.append(
                Stroke(np.column_stack([x + r * np.cos(ang), y + r * np.sin(ang)]), width, bgr)
            )
        elif kind == "wave":
            xs = np.linspace(x, x + rng.uniform(60, 200), 20)
            out.append(Stroke(np.column_stack([xs, y + 6 * np.sin(xs / 9.0)]), width, bgr))
        else:
            s = rng.uniform(8, 15)
            out.append(Stroke(np.asarray([(x - s, y), (x + s, y)]), width, bgr))
            out.append(Stroke(np.asarray([(x, y - s), (x, y + s)]), width, bgr))
    return out
