"""Where things go on a synthetic wall: tiers, notes, votes, dots and the camera.

All placement is done in millimetres on the wall plane (x right, y down) and
checked in image pixels through the camera homography, so the ground truth is
exact: a dot belongs to the note whose outline holds its centre in the photo,
and every centre keeps a margin from every edge so no truth is a coin toss.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np

# Sticky-note shades (BGR) per colour name, neon to pale; chosen so that each
# shade's CIE Lab hue falls in its name's band (vision.colours).
NOTE_SHADES = {
    "yellow": ((128, 236, 252), (85, 245, 250), (200, 242, 250), (70, 215, 255)),
    "orange": ((50, 140, 255), (100, 165, 255), (70, 150, 255)),
    "pink": ((150, 60, 255), (195, 175, 255), (180, 90, 240)),
    "green": ((80, 230, 170), (110, 240, 120), (190, 235, 180)),
    "blue": ((235, 205, 100), (245, 215, 170), (230, 170, 80)),
    "purple": ((230, 160, 190), (215, 110, 165)),
    "white": ((246, 246, 244),),
}
# How often each note colour turns up on a wall: yellow pads are everywhere.
NOTE_WEIGHTS = {
    "yellow": 4.0,
    "orange": 1.5,
    "pink": 1.5,
    "green": 1.5,
    "blue": 1.2,
    "purple": 0.7,
    "white": 1.0,
}
# Dot-sticker shades (BGR) per colour name.
DOT_SHADES = {
    "red": ((40, 30, 215), (50, 40, 190)),
    "orange": ((20, 120, 250), (40, 140, 245)),
    "yellow": ((20, 210, 250), (40, 225, 250)),
    "green": ((60, 165, 40), (90, 200, 60)),
    "blue": ((200, 110, 20), (230, 150, 40)),
    "purple": ((140, 50, 120), (170, 70, 130)),
    "pink": ((160, 70, 240), (180, 110, 250)),
    "black": ((35, 35, 38),),
}
DOT_WEIGHTS = {
    "red": 3.0,
    "green": 2.5,
    "blue": 2.5,
    "yellow": 2.0,
    "orange": 1.0,
    "purple": 0.6,
    "pink": 0.8,
    "black": 0.4,
}
# The dot colour that shares each note colour's hue (the hard case: yellow on canary).
SAME_HUE = {
    "yellow": "yellow",
    "orange": "orange",
    "pink": "pink",
    "green": "green",
    "blue": "blue",
    "purple": "purple",
}
# A person can still tell a sticker from its note at this CIE Lab distance; closer pairs
# (an orange dot on a neon-orange note) are not drawn: no one could count them either.
MIN_DOT_DELTA_E = 15.0

# (width, height) in mm and how common: 76 mm squares, 3x5 in landscape, 4x3 in, 4x4 in, 3x5 portrait.
NOTE_SIZES = (
    ((76, 76), 8.0),
    ((127, 76), 1.5),
    ((102, 76), 1.0),
    ((102, 102), 1.0),
    ((76, 127), 0.5),
)
SQUARE = 76.0

# Image sizes (width, height) from 2 to 12 MP: webcams, Pi cameras, phones.
SIZES_SMALL = ((1920, 1080), (2048, 1536), (2592, 1944))
SIZES_MID = SIZES_SMALL + ((3264, 2448), (3280, 2464))
SIZES_ALL = SIZES_MID + ((4056, 3040), (4608, 2592), (4032, 3024), (3024, 4032), (2448, 3264))


@dataclass(frozen=True)
class Tier:
    """How hard a wall is: each field is one condition of issue 3 and its range."""

    name: str
    sizes: tuple
    surfaces: tuple[str, ...]
    notes: tuple[int, int]  # how many notes
    note_px: tuple[float, float]  # width of a note in the photo, pixels
    touching: float  # share of columns stacked edge to edge
    overlap_mm: float  # how far a stacked note may cover the one above it
    rotation: float  # degrees, at most
    rect_share: float  # share of notes that are not 76 mm squares
    curl: float  # strength of curled bottoms, 0..1
    shadow: float  # darkness of soft shadows
    people: tuple[int, int]
    dot_mm: tuple[float, float]
    dot_overlap: float  # share of dots stuck overlapping another
    straddle: float  # share of dots hanging over their note's edge
    strays: tuple[int, int]
    same_hue: float  # share of walls with a dot of its note's own hue (hard: all)
    gloss: float
    ink_traps: bool  # rings, "o"s, ticks and bullets of a dot's size
    headings: float  # chance of column headings written on the wall
    doodles: tuple[int, int]
    tilt: tuple[float, float]  # perspective: angle between camera axis and wall normal, degrees
    roll: float
    light: float  # unevenness of the light, 0..1
    glare: float  # whiteboard glare strength
    cast: tuple[float, float]  # white balance error
    noise: tuple[float, float]  # sigma, grey levels
    blur: tuple[float, float]  # sigma, pixels
    jpeg: tuple[int, int]
    white_notes: bool
    density: tuple[float, float] = (0.1, 0.3)  # share of the frame the notes may cover
    min_gap: float = 4.0  # mm between notes that are not stacked
    styles: tuple[str, ...] = ("columns", "grid", "scatter")


TIERS = {
    "easy": Tier(
        name="easy",
        sizes=SIZES_SMALL,
        surfaces=("paint", "whiteboard"),
        notes=(8, 14),
        note_px=(150, 300),
        touching=0.0,
        overlap_mm=0.0,
        rotation=2.0,
        rect_share=0.0,
        curl=0.0,
        shadow=0.08,
        people=(5, 10),
        dot_mm=(12, 19),
        dot_overlap=0.0,
        straddle=0.0,
        strays=(0, 0),
        same_hue=0.0,
        gloss=0.2,
        ink_traps=False,
        headings=0.0,
        doodles=(0, 0),
        tilt=(0, 5),
        roll=1.0,
        light=0.1,
        glare=0.0,
        cast=(0.0, 0.03),
        noise=(1.0, 2.0),
        blur=(0.0, 0.3),
        jpeg=(90, 95),
        white_notes=False,
        min_gap=12.0,
        styles=("columns", "grid"),
    ),
    "medium": Tier(
        name="medium",
        sizes=SIZES_MID,
        surfaces=("paint", "paint_dark", "whiteboard", "partition", "cork", "wood"),
        notes=(8, 20),
        note_px=(100, 380),
        touching=0.35,
        overlap_mm=3.0,
        rotation=4.0,
        rect_share=0.2,
        curl=0.5,
        shadow=0.2,
        people=(5, 15),
        dot_mm=(10, 19),
        dot_overlap=0.08,
        straddle=0.08,
        strays=(0, 2),
        same_hue=0.5,
        gloss=0.5,
        ink_traps=True,
        headings=0.5,
        doodles=(0, 2),
        tilt=(0, 12),
        roll=2.0,
        light=0.25,
        glare=0.3,
        cast=(0.0, 0.08),
        noise=(1.5, 3.5),
        blur=(0.3, 0.7),
        jpeg=(82, 92),
        white_notes=True,
    ),
    "hard": Tier(
        name="hard",
        sizes=SIZES_ALL,
        # Meetings happen mostly on painted walls and whiteboards: they come up twice as often.
        surfaces=(
            "paint",
            "paint",
            "whiteboard",
            "whiteboard",
            "paint_dark",
            "partition",
            "cork",
            "wood",
            "kraft",
            "glass",
        ),
        notes=(8, 25),
        note_px=(80, 450),
        touching=0.65,
        overlap_mm=8.0,
        rotation=6.0,
        rect_share=0.3,
        curl=1.0,
        shadow=0.35,
        people=(5, 15),
        dot_mm=(8, 19),
        dot_overlap=0.15,
        straddle=0.15,
        strays=(1, 5),
        same_hue=1.0,
        gloss=0.9,
        ink_traps=True,
        headings=1.0,
        doodles=(2, 6),
        tilt=(10, 20),
        roll=3.0,
        light=0.45,
        glare=0.6,
        cast=(0.08, 0.15),
        noise=(2.5, 5.0),
        blur=(0.5, 1.1),
        jpeg=(70, 88),
        white_notes=True,
        min_gap=0.0,
    ),
}


@dataclass(frozen=True)
class NoteSpec:
    center: tuple[float, float]  # mm on the wall
    size: tuple[float, float]  # width, height, mm
    angle: float  # degrees, clockwise on screen
    colour: str
    bgr: tuple[int, int, int]
    curl: float = 0.0  # 0 flat .. 1 a strongly curled bottom

    def to_wall(self, uv) -> np.ndarray:
        """Note coordinates (u right, v down, mm from the centre) to wall millimetres."""
        uv = np.asarray(uv, dtype=np.float64).reshape(-1, 2)
        a = math.radians(self.angle)
        rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
        return uv @ rot.T + np.asarray(self.center)

    def corners(self) -> np.ndarray:
        w, h = self.size
        return self.to_wall([(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)])


@dataclass(frozen=True)
class DotSpec:
    center: tuple[float, float]  # mm on the wall
    diameter: float  # mm
    colour: str
    bgr: tuple[int, int, int]
    gloss: float
    owner: int | None  # index of the note holding its centre, None for a stray


@dataclass
class Plan:
    """Everything a wall is made of, before a single pixel is drawn."""

    width: int
    height: int
    homography: np.ndarray  # wall mm -> image px
    notes: list[NoteSpec]  # in drawing order: a later note covers an earlier one
    counted: list[bool]  # False for a note too far outside the frame to count
    headings: list = field(default_factory=list)  # (x, y, size, max width) in mm
    dots: list[DotSpec] = field(default_factory=list)
    people: int = 0
    surface: str = "paint"

    def polygon(self, i: int) -> np.ndarray:
        return project(self.homography, self.notes[i].corners())


def project(homography, pts) -> np.ndarray:
    pts = np.asarray(pts, dtype=np.float64).reshape(-1, 1, 2)
    return cv2.perspectiveTransform(pts, homography).reshape(-1, 2)


def local_scale(homography, point) -> float:
    """Pixels per millimetre around a wall point."""
    p = np.asarray(point, dtype=np.float64)
    q = project(homography, [p, p + (1.0, 0.0), p + (0.0, 1.0)])
    a, b = q[1] - q[0], q[2] - q[0]
    return float(math.sqrt(abs(a[0] * b[1] - a[1] * b[0])))


def pick(rng, weights: dict, allowed=None) -> str:
    names = [k for k in weights if allowed is None or k in allowed]
    p = np.array([weights[k] for k in names], dtype=np.float64)
    return str(names[int(rng.choice(len(names), p=p / p.sum()))])


# -- notes ------------------------------------------------------------------------------------


def _note_size(rng, tier: Tier, main):
    if rng.random() < tier.rect_share:
        sizes, weights = zip(*NOTE_SIZES, strict=True)
        w = np.array(weights) / sum(weights)
        return tuple(float(v) for v in sizes[int(rng.choice(len(sizes), p=w))])
    return main


def palette(rng, allow_white: bool) -> list[str]:
    weights = {k: v for k, v in NOTE_WEIGHTS.items() if allow_white or k != "white"}
    n = int(rng.integers(1, 5))
    chosen = []
    while len(chosen) < n:
        c = pick(rng, weights)
        if c not in chosen:
            chosen.append(c)
    return chosen


def layout_notes(
    rng, tier: Tier, n: int, palette: list[str], aspect: float, style: str, spread=(1.0, 1.0)
):
    """n notes on the wall plane: (specs, heading anchors). Millimetres, origin anywhere.

    spread multiplies the gaps between notes that are not stacked (x, y), so a wall of few
    or small notes can fill the frame; the same rng state gives the same wall at any spread.
    """
    fx, fy = spread
    main = (SQUARE, SQUARE)
    if tier.rect_share > 0 and rng.random() < tier.rect_share:
        main = _note_size(rng, tier, main)
    shades = {c: NOTE_SHADES[c][int(rng.integers(len(NOTE_SHADES[c])))] for c in palette}
    weights = np.array([NOTE_WEIGHTS[c] for c in palette])
    weights /= weights.sum()

    def colour():
        c = palette[int(rng.choice(len(palette), p=weights))]
        return c

    def angle(limit):
        return float(np.clip(rng.normal(0, limit / 2), -limit, limit))

    specs: list[NoteSpec] = []
    headings = []

    def add(cx, cy, size, col, limit):
        jitter = rng.uniform(0.85, 1.08)  # pads differ and the light is not flat
        bgr = tuple(int(min(255, v * jitter)) for v in shades[col])
        curl = float(rng.uniform(0, tier.curl)) if tier.curl > 0 and rng.random() < 0.6 else 0.0
        specs.append(NoteSpec((cx, cy), size, angle(limit), col, bgr, curl))

    if style == "columns":
        cols = max(1, min(n, round(math.sqrt(n * aspect * 1.1 * SQUARE / (SQUARE + 40)))))
        counts = np.full(cols, n // cols)
        counts[: n % cols] += 1
        rng.shuffle(counts)
        x = 0.0
        for k in counts:
            stacked = rng.random() < tier.touching
            same = rng.random() < (0.6 if stacked else 0.3)
            col_colour = colour()
            sizes = [_note_size(rng, tier, main) for _ in range(k)]
            col_w = max(s[0] for s in sizes)
            if tier.headings and rng.random() < tier.headings:
                headings.append([x, -rng.uniform(60, 110), rng.uniform(25, 45), col_w + 200])
            y = 0.0
            for s in sizes:
                if stacked:
                    gap = -rng.uniform(0, tier.overlap_mm) if rng.random() < 0.5 else 0.0
                    dx, limit = rng.uniform(-3, 3), tier.rotation / 2
                else:
                    gap, dx, limit = (
                        rng.uniform(max(4, tier.min_gap), 35) * fy,
                        rng.uniform(-8, 8),
                        tier.rotation,
                    )
                c = col_colour if same else colour()
                add(x + col_w / 2 + dx, y + s[1] / 2, s, c, limit)
                y += s[1] + gap
            x += col_w + (
                0.0
                if rng.random() < tier.touching * 0.2
                else rng.uniform(max(25, tier.min_gap), 110) * fx
            )
        # A heading may run over its column's gap but not into the next heading.
        for a, b in zip(headings, headings[1:], strict=False):
            a[3] = min(a[3], b[0] - a[0] - 15)
        headings = [tuple(hd) for hd in headings if hd[3] > 40]
    elif style == "grid":
        cols = max(1, min(n, round(math.sqrt(n * aspect))))
        gx = 0.0 if rng.random() < tier.touching else rng.uniform(max(8, tier.min_gap), 50) * fx
        gy = 0.0 if rng.random() < tier.touching else rng.uniform(max(8, tier.min_gap), 40) * fy
        tight = gx == 0 or gy == 0
        limit = tier.rotation / 2 if tight else tier.rotation
        for i in range(n):
            r, c = divmod(i, cols)
            jx, jy = (
                (rng.uniform(-2, 2), 0.0) if tight else (rng.uniform(-6, 6), rng.uniform(-5, 5))
            )
            cx = c * (main[0] + gx) + main[0] / 2 + jx
            cy = r * (main[1] + gy) + main[1] / 2 + jy
            add(cx, cy, main, colour(), limit)
        if tier.headings and rng.random() < tier.headings:
            headings.append(
                (0.0, -rng.uniform(60, 110), rng.uniform(30, 50), cols * (main[0] + gx))
            )
    else:  # scatter: stuck wherever there was room, some touching a neighbour
        area = n * SQUARE * SQUARE / 0.3
        wall_w = math.sqrt(area * aspect) * fx
        wall_h = area / wall_w * fx * fy
        boxes = []
        for _ in range(n):
            s = _note_size(rng, tier, main)
            for _try in range(200):
                if boxes and rng.random() < tier.touching * 0.5:
                    bx, by, bw, bh = boxes[int(rng.integers(len(boxes)))]
                    side = rng.integers(4)
                    cx = (
                        bx
                        + (bw + s[0]) / 2 * (1 if side == 0 else -1 if side == 1 else 0)
                        + rng.uniform(-10, 10) * (side >= 2)
                    )
                    cy = (
                        by
                        + (bh + s[1]) / 2 * (1 if side == 2 else -1 if side == 3 else 0)
                        + rng.uniform(-10, 10) * (side < 2)
                    )
                else:
                    cx, cy = rng.uniform(0, wall_w), rng.uniform(0, wall_h)
                ok = all(
                    abs(cx - bx) >= (bw + s[0]) / 2 - 0.01 or abs(cy - by) >= (bh + s[1]) / 2 - 0.01
                    for bx, by, bw, bh in boxes
                )
                if ok:
                    break
            boxes.append((cx, cy, s[0], s[1]))
            touching = any(
                abs(abs(cx - bx) - (bw + s[0]) / 2) < 0.1
                or abs(abs(cy - by) - (bh + s[1]) / 2) < 0.1
                for bx, by, bw, bh in boxes[:-1]
            )
            add(cx, cy, s, colour(), tier.rotation / 2 if touching else tier.rotation)
        # Later notes may land on earlier ones when the loop above gave up: real walls do that too.
    return specs, headings


# -- camera -----------------------------------------------------------------------------------


def camera(rng, tier: Tier, box, width: int, height: int, px_per_mm: float, fill: float):
    """A homography from wall mm to image px: a pinhole camera looking at the box centre, tilted."""
    x0, y0, x1, y1 = box
    tilt = math.radians(rng.uniform(*tier.tilt))
    direction = rng.uniform(0, 2 * math.pi)
    yaw, pitch = tilt * math.cos(direction), tilt * math.sin(direction) * 0.6
    roll = math.radians(rng.uniform(-tier.roll, tier.roll))
    hfov = math.radians(rng.uniform(55, 75))
    f = max(width, height) / (2 * math.tan(hfov / 2))
    cy_, sy_ = math.cos(yaw), math.sin(yaw)
    cp, sp = math.cos(pitch), math.sin(pitch)
    cr, sr = math.cos(roll), math.sin(roll)
    ry = np.array([[cy_, 0, sy_], [0, 1, 0], [-sy_, 0, cy_]])
    rx = np.array([[1, 0, 0], [0, cp, -sp], [0, sp, cp]])
    rz = np.array([[cr, -sr, 0], [sr, cr, 0], [0, 0, 1]])
    rot = rz @ rx @ ry
    dist = f / px_per_mm
    k = np.array([[f, 0, width / 2], [0, f, height / 2], [0, 0, 1]])
    centre = np.array([[1, 0, -(x0 + x1) / 2], [0, 1, -(y0 + y1) / 2], [0, 0, 1]])
    h0 = k @ np.column_stack([rot[:, 0], rot[:, 1], [0, 0, dist]]) @ centre
    corners = project(h0, [(x0, y0), (x1, y0), (x1, y1), (x0, y1)])
    lo, hi = corners.min(axis=0), corners.max(axis=0)
    margin = 0.5 * (1 - fill) * np.array([width, height])
    scale = min(
        1.0, (width - 2 * margin[0]) / (hi[0] - lo[0]), (height - 2 * margin[1]) / (hi[1] - lo[1])
    )
    return _fit(h0, lo, hi, scale, width, height, rng)


def _fit(h0, lo, hi, scale, width, height, rng):
    """Scale h0 about its content and place the content in the frame, a little off centre."""
    size = (hi - lo) * scale
    slack = np.array([width, height]) - size
    offset = slack / 2 + rng.uniform(-0.3, 0.3, 2) * np.maximum(slack, 0) / 2
    s = np.array(
        [[scale, 0, -lo[0] * scale + offset[0]], [0, scale, -lo[1] * scale + offset[1]], [0, 0, 1]]
    )
    return s @ h0


def rescale(homography, factor: float, about) -> np.ndarray:
    ax, ay = about
    s = np.array([[factor, 0, ax * (1 - factor)], [0, factor, ay * (1 - factor)], [0, 0, 1]])
    return s @ homography


# -- votes ------------------------------------------------------------------------------------


def allocate_votes(rng, n_notes: int, people: int, capacity: list[int]) -> list[list[int]]:
    """For each note, the people who voted for it (one entry per dot), as on a Lean Coffee wall.

    Each person has three dots (a few forget one); topics differ a lot in appeal, so a
    few leaders collect 5-9 and some notes get none; now and then someone puts two
    dots on one topic. A note holds no more dots than fit on it.
    """
    appeal = rng.gamma(1.0, size=n_notes) + 0.02
    p = appeal / appeal.sum()
    votes: list[list[int]] = [[] for _ in range(n_notes)]
    for person in range(people):
        k = min(3 if rng.random() > 0.1 else 2, n_notes)
        picks = [int(i) for i in rng.choice(n_notes, size=k, replace=False, p=p)]
        if k > 1 and rng.random() < 0.12:
            picks[-1] = picks[0]
        for i in picks:
            votes[i].append(person)
    order = [int(j) for j in np.argsort(-appeal)]
    for i in range(n_notes):
        while len(votes[i]) > capacity[i]:
            person = votes[i].pop()
            room = [j for j in order if j != i and len(votes[j]) < capacity[j]]
            if room:
                votes[room[0]].append(person)
    return votes


def delta_e(bgr1, bgr2) -> float:
    lab = cv2.cvtColor(np.float32([[bgr1, bgr2]]) / 255.0, cv2.COLOR_BGR2Lab)[0]
    return float(np.linalg.norm(lab[0] - lab[1]))
