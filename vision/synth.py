"""Seeded synthetic post-it walls with exact ground truth, for tests and the benchmark.

    wall = make_wall(seed, tier="hard")        # wall.image (BGR uint8), wall.truth (a Board)
    scene = make_scene("border", seed)         # the edge cases: empty, no_dots, one_note, border

Same seed, tier and size: the same truth everywhere, and the same pixels on one
platform (OpenCV 4.6 and 5.0 differ by a grey level here and there).

Tiers (vision.synth_layout.TIERS; TIER_SEEDS holds 200 fixed seeds for each):
- easy: 2-5 MP, light paint or whiteboard, notes apart, 12-19 mm dots of
  another hue than their note, no ink traps, little perspective or cast;
- medium: most of issue 3 at moderate strength;
- hard: every condition of issue 3 at its worst at once, in a real wall's
  proportions: 2-12 MP; paint, whiteboard with glare, grey partition, cork,
  wood, brown paper and glass (white notes on the darker ones); headings and
  doodles where one can write; notes 80-450 px wide, stacked edge to edge
  (same colour too, overlapping by up to 8 mm), rotated up to 6 degrees,
  curled with soft shadows; 8-19 mm dots with gloss, overlapping, hanging
  over edges, a dot of its note's own hue on nearly every wall, strays on the
  wall; ink rings, "O"s, ticks, underlines and bullets; 10-20 degrees of
  perspective, uneven light, an 8-15% colour cast, noise, blur and JPEG 70-88.
  A dot is never drawn on paper it cannot be told from (CIE Lab distance
  under 15: an orange dot on a neon-orange note): no one could count it.

The truth follows issue 3: a note's polygon is its four corners in the photo,
clockwise from the top-left; its centre is where its diagonals cross; a dot
counts for the note whose outline holds its centre, and a dot on no note is a
stray. Every dot centre is at least max(2 px, 12% of its radius) from every
note edge, so no truth hangs on a pixel. Ids follow reading order, ranks come
from vision.board.rank_notes.

A note cut by the image border counts when at least 60% of its area is in
the frame (its polygon and centre then are those of the whole note, partly
outside the image); the generator never cuts a note to between 35% and 65%,
so no truth sits on that line, and a note mostly outside carries no dots.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import cv2
import numpy as np

from vision.board import Board, Dot, Note, rank_notes, reading_order
from vision.synth_dots import stick_dots
from vision.synth_ink import INKS, doodles, heading, note_ink
from vision.synth_layout import (
    NOTE_SHADES,
    SQUARE,
    TIERS,
    NoteSpec,
    Plan,
    Tier,
    camera,
    layout_notes,
    local_scale,
    palette,
    project,
    rescale,
)
from vision.synth_paint import (
    DARK_SURFACES,
    add_glare,
    draw_dot,
    draw_note,
    draw_strokes,
    paint_surface,
)
from vision.synth_paint import (
    camera as camera_faults,
)

TIER_NAMES = ("easy", "medium", "hard")
# Fixed seeds per tier for the benchmark; tests and the bench take the first N.
TIER_SEEDS = {
    name: tuple(range(1000 * (k + 1), 1000 * (k + 1) + 200)) for k, name in enumerate(TIER_NAMES)
}
SCENES = ("empty", "no_dots", "one_note", "border")
WRITABLE = ("paint", "paint_dark", "whiteboard", "kraft", "glass")
# A note cut by the border counts when this share of it is in the frame.
VISIBLE_TO_COUNT = 0.6


@dataclass(frozen=True, eq=False)
class Wall:
    image: np.ndarray  # BGR uint8
    truth: Board
    tier: str
    seed: int
    surface: str
    people: int  # how many people voted (truth.total_votes is their dots on notes)


def make_wall(seed: int, tier: str = "hard", size: tuple[int, int] | None = None) -> Wall:
    """A wall of 8-25 notes with votes, drawn as a camera would see it. size = (width, height)."""
    spec = _tier(tier)
    rng = np.random.default_rng([seed, TIER_NAMES.index(tier)])
    width, height = size or spec.sizes[int(rng.integers(len(spec.sizes)))]
    return _render(
        rng,
        spec,
        seed,
        width,
        height,
        _plan(rng, spec, width, height, int(rng.integers(spec.notes[0], spec.notes[1] + 1))),
    )


def make_scene(
    kind: str, seed: int, tier: str = "medium", size: tuple[int, int] | None = None
) -> Wall:
    """An edge case for tests: "empty" (wall only), "no_dots" (notes, no votes),
    "one_note" (one note filling most of the frame), "border" (notes cut by and
    touching the image border; see the module docstring for which count)."""
    if kind not in SCENES:
        raise ValueError(f"unknown scene {kind!r}; choose from {', '.join(SCENES)}")
    spec = _tier(tier)
    rng = np.random.default_rng([seed, 10 + SCENES.index(kind)])
    width, height = size or spec.sizes[int(rng.integers(len(spec.sizes)))]
    if kind == "empty":
        plan = _plan(rng, spec, width, height, 0, votes=False)
    elif kind == "no_dots":
        plan = _plan(
            rng,
            spec,
            width,
            height,
            int(rng.integers(spec.notes[0], spec.notes[1] + 1)),
            votes=False,
        )
    elif kind == "one_note":
        plan = _one_note(rng, spec, width, height)
    else:
        plan = _border(rng, spec, width, height)
    return _render(rng, spec, seed, width, height, plan)


def _tier(name: str) -> Tier:
    if name not in TIERS:
        raise ValueError(f"unknown tier {name!r}; choose from {', '.join(TIER_NAMES)}")
    return TIERS[name]


# -- planning ---------------------------------------------------------------------------------


def _surface(rng, spec: Tier) -> str:
    return str(spec.surfaces[int(rng.integers(len(spec.surfaces)))])


def _plan(rng, spec: Tier, width: int, height: int, n: int, votes: bool = True) -> Plan:
    surface = _surface(rng, spec)
    allow_white = spec.white_notes and surface in DARK_SURFACES
    colours = palette(rng, allow_white)
    lo_px, hi_px = spec.note_px
    plan = None
    for attempt in range(40):
        style = str(spec.styles[int(rng.integers(len(spec.styles)))])
        # Note size in the photo, log-uniform over the tier's range, but never so big that the
        # notes would cover more than the tier's share of the frame (the camera sees the wall).
        room = math.sqrt(width * height * spec.density[1] / max(n, 1))
        target = math.exp(rng.uniform(math.log(lo_px), math.log(max(lo_px, min(hi_px, room)))))
        notes, headings, box = _spread_layout(
            rng, spec, n, colours, width, height, target, style, surface in WRITABLE
        )
        fill = rng.uniform(0.75, 0.95)
        h = camera(rng, spec, box, width, height, target / SQUARE, fill)
        plan = Plan(width, height, h, notes, [True] * len(notes), headings)
        if not notes:
            break
        widths = [_note_width(plan, i) for i in range(len(notes))]
        corners = project(
            h, [(box[0], box[1]), (box[2], box[1]), (box[2], box[3]), (box[0], box[3])]
        )
        span = corners.max(axis=0) - corners.min(axis=0)
        frac = max(span[0] / width, span[1] / height)
        if frac < 0.35:  # a tight block of notes that gaps could not spread: zoom in on it
            k = min(0.35 / frac, hi_px * 0.98 / max(widths))
            if k > 1:
                plan.homography = rescale(h, k, corners.mean(axis=0))
                widths = [_note_width(plan, i) for i in range(len(notes))]
        if max(widths) > hi_px:  # too big: step back
            plan.homography = rescale(
                plan.homography, hi_px / max(widths) * 0.98, (width / 2, height / 2)
            )
            widths = [_note_width(plan, i) for i in range(len(notes))]
        if min(widths) >= lo_px and _inside(plan):
            break
        if attempt % 3 == 2 and n > spec.notes[0]:
            n -= 1
    plan.surface = surface
    if votes:
        stick_dots(rng, spec, plan, None)
    return plan


def _spread_layout(
    rng,
    spec: Tier,
    n: int,
    colours,
    width: int,
    height: int,
    target: float,
    style: str,
    writable: bool,
):
    """Lay the notes out with gaps widened until they span 50-90% of the frame (as far as gaps
    can: a stack of touching notes stays a stack)."""
    if not n:
        return [], [], _content_box([], [])
    seed = int(rng.integers(2**32))
    aspect = width / height
    frame = np.array([width, height]) / (target / SQUARE)  # the frame in mm at the target scale
    want = frame * rng.uniform(0.5, 0.9)

    def box_size(f):
        notes, headings = layout_notes(
            np.random.default_rng(seed), spec, n, colours, aspect, style, f
        )
        headings = headings if writable else []  # no one writes headings on cork or fabric
        box = _content_box(notes, headings)
        return notes, headings, box, np.array([box[2] - box[0], box[3] - box[1]])

    _, _, _, one = box_size((1.0, 1.0))
    _, _, _, two = box_size((2.0, 2.0))
    # The box grows about linearly with the spread: solve for the wanted size, per axis.
    slope = np.maximum(two - one, 1e-6)
    f = np.clip(1 + (want - one) / slope, 1.0, 3.0)
    notes, headings, box, _ = box_size((float(f[0]), float(f[1])))
    return notes, headings, box


def _content_box(notes: list[NoteSpec], headings) -> tuple[float, float, float, float]:
    if not notes:
        return (0.0, 0.0, 1000.0, 600.0)
    pts = np.vstack([n.corners() for n in notes])
    x0, y0 = pts.min(axis=0)
    x1, y1 = pts.max(axis=0)
    for hx, hy, _size, max_w in headings:
        x0, y0 = min(x0, hx), min(y0, hy)
        x1 = max(x1, hx + max_w)
    return (float(x0), float(y0), float(x1), float(y1))


def _note_width(plan: Plan, i: int) -> float:
    p = plan.polygon(i)
    return float((np.linalg.norm(p[1] - p[0]) + np.linalg.norm(p[2] - p[3])) / 2)


def _inside(plan: Plan) -> bool:
    for i in range(len(plan.notes)):
        p = plan.polygon(i)
        if p.min() < 2 or p[:, 0].max() > plan.width - 3 or p[:, 1].max() > plan.height - 3:
            return False
    return True


def _visible(plan: Plan, i: int) -> float:
    """Share of note i's area inside the frame."""
    p = plan.polygon(i).astype(np.float32)
    frame = np.float32([[0, 0], [plan.width, 0], [plan.width, plan.height], [0, plan.height]])
    area = abs(cv2.contourArea(p))
    inter, _ = cv2.intersectConvexConvex(p, frame)
    return float(inter / area) if area > 0 else 0.0


def _one_note(rng, spec: Tier, width: int, height: int) -> Plan:
    surface = _surface(rng, spec)
    colour = str(rng.choice([c for c in NOTE_SHADES if c != "white" or surface in DARK_SURFACES]))
    bgr = NOTE_SHADES[colour][int(rng.integers(len(NOTE_SHADES[colour])))]
    note = NoteSpec(
        (0.0, 0.0),
        (SQUARE, SQUARE),
        float(rng.uniform(-3, 3)),
        colour,
        bgr,
        float(rng.uniform(0, spec.curl)),
    )
    fill = rng.uniform(0.7, 0.85)
    target = fill * min(width, height)
    box = (-SQUARE / 2, -SQUARE / 2, SQUARE / 2, SQUARE / 2)
    h = camera(rng, spec, box, width, height, target / SQUARE, 0.98)
    plan = Plan(width, height, h, [note], [True], [])
    plan.surface = surface
    stick_dots(rng, spec, plan, int(rng.integers(2, 6)), strays=0)
    return plan


def _border(rng, spec: Tier, width: int, height: int) -> Plan:
    """A wall framed too tight: notes cut by the border (some counting, some not), one touching it."""
    base = _plan(rng, spec, width, height, int(rng.integers(12, 21)), votes=False)
    for attempt in range(60):
        plan = Plan(
            width,
            height,
            base.homography,
            list(base.notes),
            [True] * len(base.notes),
            base.headings,
            surface=base.surface,
        )
        corners = np.vstack([plan.polygon(i) for i in range(len(plan.notes))])
        span = corners.max(axis=0) - corners.min(axis=0)
        grow = rng.uniform(1.05, 1.5) / max(span[0] / width, span[1] / height)
        about = corners.mean(axis=0) + rng.uniform(-0.2, 0.2, 2) * span
        plan.homography = rescale(plan.homography, grow, about)
        plan.homography = (
            np.array([[1, 0, width / 2 - about[0]], [0, 1, height / 2 - about[1]], [0, 0, 1]])
            @ plan.homography
        )
        # Slide the wall so that one whole note touches the left or top border.
        whole = [i for i in range(len(plan.notes)) if _visible(plan, i) > 0.999]
        if not whole:
            continue
        axis = int(rng.integers(2))
        i = min(whole, key=lambda k: plan.polygon(k)[:, axis].min())
        shift = 0.5 - plan.polygon(i)[:, axis].min()
        t = np.eye(3)
        t[axis, 2] = shift
        plan.homography = t @ plan.homography
        seen = [_visible(plan, k) for k in range(len(plan.notes))]
        keep = [k for k, v in enumerate(seen) if not 0.35 < v < 0.65]  # none on the line
        cut_counted = any(0.65 <= seen[k] < 0.999 for k in keep)
        cut_out = any(0.0 < seen[k] <= 0.35 for k in keep)
        if cut_counted and (cut_out or attempt >= 30) and seen[i] > 0.999:
            plan.notes = [plan.notes[k] for k in keep]
            plan.counted = [seen[k] >= VISIBLE_TO_COUNT for k in keep]
            break
    else:
        raise RuntimeError("could not frame a border scene")  # not seen in practice
    stick_dots(rng, spec, plan, None)
    return plan


# -- drawing ----------------------------------------------------------------------------------


def _render(rng, spec: Tier, seed: int, width: int, height: int, plan: Plan) -> Wall:
    h = plan.homography
    centre = project(np.linalg.inv(h), [(width / 2, height / 2)])[0]
    scale = local_scale(h, centre)
    surface = plan.surface
    img = paint_surface(rng, surface, width, height, scale)
    if surface == "whiteboard" and spec.glare > 0:
        add_glare(rng, img, rng.uniform(0.3, 1.0) * spec.glare)
    a = rng.uniform(0, 2 * math.pi)
    light = (
        math.cos(a) * 0.5 + 0.3,
        abs(math.sin(a)) * 0.5 + 0.5,
    )  # lamps are above: shadows fall down
    light = tuple(v / math.hypot(*light) for v in light)

    wall_ink = []
    # Nobody writes on cork, fabric or wood: headings and doodles go on boards, paint, paper and glass.
    writable = surface in WRITABLE
    written: set[str] = set()
    for hx, hy, size, max_w in plan.headings if writable else ():
        bgr = INKS[str(rng.choice(list(INKS)))]
        strokes, text = heading(rng, hx, hy, size, bgr, rng.uniform(2.5, 5.0), max_w, written)
        written.add(text)
        wall_ink += strokes
    if spec.doodles[1] > 0 and writable:
        wall_ink += doodles(
            rng,
            _frame_region(plan),
            int(rng.integers(spec.doodles[0], spec.doodles[1] + 1)),
            spec.ink_traps,
        )
    draw_strokes(img, h, wall_ink)

    for note in plan.notes:
        draw_note(img, h, note, light, spec.shadow * rng.uniform(0.5, 1.0), rng)
        w, nh = note.size
        draw_strokes(img, h, note_ink(rng, w, nh, spec.ink_traps), note.to_wall)
    for dot in plan.dots:
        draw_dot(img, h, dot, light, rng)
    img = camera_faults(rng, img, spec, light)
    return Wall(img, _truth(plan), spec.name, seed, surface, plan.people)


def _frame_region(plan: Plan):
    """The wall seen by the camera, in mm (bounding box of the frame's corners)."""
    inv = np.linalg.inv(plan.homography)
    c = project(inv, [(0, 0), (plan.width, 0), (plan.width, plan.height), (0, plan.height)])
    return (*c.min(axis=0), *c.max(axis=0))


def _truth(plan: Plan) -> Board:
    h = plan.homography
    dots_of: dict[int, list[Dot]] = {}
    strays = []
    for d in plan.dots:
        c = project(h, [d.center])[0]
        r = float(np.mean(np.linalg.norm(_rim(h, d) - c, axis=1)))
        dot = Dot((float(c[0]), float(c[1])), r, d.colour)
        if d.owner is None:
            strays.append(dot)
        else:
            dots_of.setdefault(d.owner, []).append(dot)
    notes = []
    for i, spec in enumerate(plan.notes):
        if not plan.counted[i]:
            continue
        poly = tuple((float(x), float(y)) for x, y in plan.polygon(i))
        c = project(h, [spec.center])[0]
        notes.append(
            Note(
                id=0,
                polygon=poly,
                center=(float(c[0]), float(c[1])),
                colour=spec.colour,
                dots=tuple(dots_of.get(i, ())),
            )
        )
    ordered = reading_order(notes)
    notes = [replace(n, id=k + 1) for k, n in enumerate(ordered)]
    return Board(plan.width, plan.height, rank_notes(notes), tuple(strays))


def _rim(h, d):
    t = np.linspace(0, 2 * math.pi, 16, endpoint=False)
    r = d.diameter / 2
    return project(h, np.column_stack([d.center[0] + r * np.cos(t), d.center[1] + r * np.sin(t)]))
