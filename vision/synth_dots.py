"""Sticking the dots: votes on notes and strays on the wall, with exact owners.

A dot's owner is the note whose outline holds the dot's centre in the photo.
Every centre keeps a margin of max(2 px, 12% of the dot's radius) from every
note edge, so the truth never hangs on a pixel; dots may hang over an edge,
overlap each other (never more than a person could still count), and are
always wholly inside the frame.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from vision.synth_layout import (
    DOT_SHADES,
    DOT_WEIGHTS,
    MIN_DOT_DELTA_E,
    SAME_HUE,
    DotSpec,
    NoteSpec,
    Plan,
    Tier,
    allocate_votes,
    delta_e,
    local_scale,
    pick,
    project,
)

# Centres of overlapping dots stay at least this share of the two radii apart:
# the lower dot keeps a visible crescent, as when someone squeezes a dot in.
OVERLAP_MIN = 0.72


class _Board:
    """The notes as seen in the photo, for asking which note a point is on."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self.polys = [
            plan.polygon(i).astype(np.float32).reshape(-1, 1, 2) for i in range(len(plan.notes))
        ]

    def owner(self, pt, margin: float):
        """(index of the top note holding pt or None, True when pt is clear of every edge by margin)."""
        p = (float(pt[0]), float(pt[1]))
        inside = []
        for i, poly in enumerate(self.polys):
            d = cv2.pointPolygonTest(poly, p, True)
            if abs(d) < margin:
                return None, False
            if d > 0:
                inside.append(i)
        if len(inside) > 1:  # where two notes overlap: clear, but not worth a doubt
            return None, False
        return (inside[0] if inside else None), True

    def in_frame(self, pt, r_px: float) -> bool:
        return (
            r_px + 1 <= pt[0] <= self.plan.width - r_px - 1
            and r_px + 1 <= pt[1] <= self.plan.height - r_px - 1
        )


def _dot_shade(name: str, paper_bgr, rng):
    """A shade of `name` a person can tell from the paper, or None."""
    shades = [
        s for s in DOT_SHADES[name] if paper_bgr is None or delta_e(s, paper_bgr) >= MIN_DOT_DELTA_E
    ]
    return shades[int(rng.integers(len(shades)))] if shades else None


def stick_dots(
    rng, tier: Tier, plan: Plan, people: int | None, *, strays: int | None = None
) -> None:
    """Fill plan.dots and plan.people: votes on the counted notes, then strays on the wall."""
    board = _Board(plan)
    counted = [i for i, c in enumerate(plan.counted) if c]
    palette = []
    for _ in range(int(rng.integers(2, 6))):
        c = pick(rng, DOT_WEIGHTS)
        if c not in palette:
            palette.append(c)
    sizes = {c: rng.uniform(*tier.dot_mm) for c in palette}
    if rng.random() < 0.5:  # one pack size for everyone
        sizes = dict.fromkeys(palette, rng.uniform(*tier.dot_mm))
    pack = {c: _dot_shade(c, None, rng) for c in palette}
    # Stickers are semi-gloss: only dots facing a lamp show a highlight, and only some of them.
    gloss = tier.gloss * rng.uniform(0.4, 1.0)

    def shine():
        return (
            gloss * rng.uniform(0.3, 1.0) if rng.random() < 0.4 else gloss * rng.uniform(0.0, 0.15)
        )

    if people is None:
        people = int(rng.integers(tier.people[0], tier.people[1] + 1))
    plan.people = people
    colour_of = [palette[int(rng.integers(len(palette)))] for _ in range(people)]

    capacity = []
    for i in counted:
        w, h = plan.notes[i].size
        d = max(sizes.values())
        capacity.append(max(1, min(9, int(0.45 * w * h / (math.pi * d * d / 4)))))
    votes = (
        allocate_votes(rng, len(counted), people, capacity)
        if counted and people
        else [[] for _ in counted]
    )
    wanted = [[colour_of[p] for p in v] for v in votes]

    if tier.same_hue and rng.random() < tier.same_hue:
        # A dot of the note's own hue: yellow on canary, green on lime.
        options = [
            k for k, i in enumerate(counted) if wanted[k] and plan.notes[i].colour in SAME_HUE
        ]
        if options:
            k = options[int(rng.integers(len(options)))]
            wanted[k][0] = SAME_HUE[plan.notes[counted[k]].colour]

    placed: list[DotSpec] = []
    for k, i in enumerate(counted):
        note = plan.notes[i]
        for name in wanted[k]:
            if not tier.same_hue and SAME_HUE.get(note.colour) == name:
                # An easy wall: this person borrows a dot of another colour.
                name = next(c for c in (*palette, "red", "blue") if c != SAME_HUE[note.colour])
            shade = (
                pack.get(name)
                if name in pack and delta_e(pack[name], note.bgr) >= MIN_DOT_DELTA_E
                else None
            )
            shade = shade or _dot_shade(name, note.bgr, rng)
            if (
                shade is None
            ):  # this person's colour would vanish on this paper: a spare from another pack
                for other in palette + list(DOT_SHADES):
                    shade = _dot_shade(other, note.bgr, rng)
                    if shade is not None:
                        name = other
                        break
            d = sizes.get(name, float(np.mean(list(sizes.values()))))
            dot = _place_on_note(rng, tier, board, i, note, d, placed)
            if dot is not None:
                placed.append(DotSpec(dot, d, name, shade, shine(), i))

    n_strays = int(rng.integers(tier.strays[0], tier.strays[1] + 1)) if strays is None else strays
    for _ in range(n_strays):
        name = palette[int(rng.integers(len(palette)))]
        d = sizes[name]
        dot = _place_stray(rng, board, d, placed)
        if dot is not None:
            placed.append(DotSpec(dot, d, name, pack[name], shine(), None))

    order = rng.permutation(len(placed))  # people stick dots in no particular order
    plan.dots = [placed[j] for j in order]


def _clear_of_dots(c, r, placed, ratio) -> bool:
    for p in placed:
        if math.dist(c, p.center) < ratio * (r + p.diameter / 2):
            return False
    return True


def _check(board: _Board, c_mm, r_mm, want_owner):
    pt = project(board.plan.homography, [c_mm])[0]
    r_px = r_mm * local_scale(board.plan.homography, c_mm)
    if not board.in_frame(pt, r_px):
        return False
    owner, clear = board.owner(pt, max(2.0, 0.12 * r_px))
    return clear and owner == want_owner


def _place_on_note(rng, tier: Tier, board: _Board, i: int, note: NoteSpec, d: float, placed):
    w, h = note.size
    r = d / 2
    mine = [p for p in placed if p.owner == i]
    mode = "free"
    roll = rng.random()
    if mine and roll < tier.dot_overlap:
        mode = "overlap"
    elif roll < tier.dot_overlap + tier.straddle:
        mode = "straddle"
    for attempt in range(120):
        if attempt == 60:
            mode = "crowded"  # a full note: squeeze the dot in where it fits
        if mode == "overlap":
            t = mine[int(rng.integers(len(mine)))]
            a = rng.uniform(0, 2 * math.pi)
            dist = rng.uniform(OVERLAP_MIN + 0.02, 0.95) * (r + t.diameter / 2)
            c = (t.center[0] + dist * math.cos(a), t.center[1] + dist * math.sin(a))
        else:
            if mode == "straddle":
                inset = rng.uniform(0.25, 0.8) * r
                side = int(rng.integers(4))
                along = rng.uniform(-0.45, 0.45)
                u, v = [
                    (along * w, -h / 2 + inset),
                    (w / 2 - inset, along * h),
                    (along * w, h / 2 - inset),
                    (-w / 2 + inset, along * h),
                ][side]
            else:
                m = min(r * 1.1, w / 2 - 1, h / 2 - 1)
                u, v = rng.uniform(-w / 2 + m, w / 2 - m), rng.uniform(-h / 2 + m, h / 2 - m)
            c = tuple(note.to_wall([(u, v)])[0])
        ratio = OVERLAP_MIN if mode in ("overlap", "crowded") else 1.0
        if _clear_of_dots(c, r, placed, ratio) and _check(board, c, r, i):
            return (float(c[0]), float(c[1]))
    return None


def _place_stray(rng, board: _Board, d: float, placed):
    """A dot on no note: on the open wall, or hanging over a note's edge from outside."""
    plan = board.plan
    r = d / 2
    inv = np.linalg.inv(plan.homography)
    for _ in range(200):
        if plan.notes and rng.random() < 0.6:
            note = plan.notes[int(rng.integers(len(plan.notes)))]
            w, h = note.size
            out = rng.uniform(0.25, 0.9) * r
            along = rng.uniform(-0.45, 0.45)
            side = int(rng.integers(4))
            u, v = [
                (along * w, -h / 2 - out),
                (w / 2 + out, along * h),
                (along * w, h / 2 + out),
                (-w / 2 - out, along * h),
            ][side]
            c = tuple(note.to_wall([(u, v)])[0])
        else:
            px = (rng.uniform(0, plan.width), rng.uniform(0, plan.height))
            c = tuple(project(inv, [px])[0])
        if _clear_of_dots(c, r, placed, 1.0) and _check(board, c, r, None):
            return (float(c[0]), float(c[1]))
    return None
