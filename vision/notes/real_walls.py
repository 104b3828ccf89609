"""What real walls add: strips of notes stuck on in overlapping rows (`_covered`), far notes on
their own (`_alone`), printed frames (`_framed`) and boxes drawn on notes (`_drawn_on`), big
writing smeared by the wipe into a false colour (`_bare_wall`)."""

from __future__ import annotations

import cv2
import numpy as np

from vision.notes.regions import _Region
from vision.notes.shapes import (
    _LAB8_OFFSET,
    _LAB8_SCALE,
    _MAX_ASPECT,
    _NEXT,
    _area,
    _contains,
    _delta_e,
    _grow,
    _median_lab,
    _overlap,
    _pixels_inside,
    _sides,
)

# What shows of a note stuck on in overlapping rows, mostly covered by the next one, is a
# strip as long as a note (this share of it) and at least this share of it wide (a narrower
# rim is too little to read or vote on); it is paper plainly unlike the wall (this Lab
# distance), as a strip of wall between two notes is not, and the paper that covers it runs
# on past one long side (sampled these shares of a note out: one paper at the first two, and
# still paper, not wall, nearly a whole note out), unlike the strip's (within this Lab
# distance: then it is a piece of a bigger note, cut off by writing or dots).
_STRIP_LONG = (0.8, 1.25)
_STRIP_SHORT = 0.2
_STRIP_WALL_E = 24.0
_STRIP_LOOK = (0.15, 0.3, 0.85)
_CONTINUES = 25.0
# A frame round a quad: a line this much darker (Lab L) than the paper inside and the paper
# beyond (far darker than the soft shadow or dark rim at a note's edge), within this share
# of the quad's side either side of its outline.
_FRAME_DARK = 40.0
_FRAME_LOOK = 0.2
# A note found in the second search is judged by the paper in its middle, inside this share
# of its side from its outline, on the photo (see _bare_wall): within this Lab distance of
# the wall's colour (a little more than _WALL_DELTA_E: the light on a wall varies), it is
# bare wall.
_INNER = 0.15
_BARE_DELTA_E = 12.0
# ... and that close to the wall's colour pixel by pixel over at least this share of it (bare
# wall between smeared strokes: 0.31-0.95 on 600 synthetic walls; notes crowded with writing
# and dots, whose median the ink drags near a light wall's: 0.27 at most, mostly under 0.2).
_BARE_SHARE = 0.3


def _beyond(quad: np.ndarray, a, b, distances, lab8: np.ndarray) -> list:
    """The paper's colour (Lab; None off the photo) past the side a-b of a quad, at each of
    the distances (pixels) out from it: the median along the side's middle part."""
    out = (a + b) / 2 - quad.mean(axis=0)
    out = out / (np.linalg.norm(out) or 1.0)
    along = a + np.outer(np.linspace(0.2, 0.8, 7), b - a)
    height, width = lab8.shape[:2]
    colours = []
    for distance in distances:
        points = np.round(along + out * distance).astype(int)
        if (
            points[:, 0].min() < 0
            or points[:, 1].min() < 0
            or points[:, 0].max() >= width
            or points[:, 1].max() >= height
        ):
            colours.append(None)  # off the photo: nothing known there
            continue
        px = lab8[points[:, 1], points[:, 0]].astype(np.float64)
        colours.append(tuple((np.median(px, axis=0) - _LAB8_OFFSET) * _LAB8_SCALE))
    return colours


def _alone(r: _Region, lab8: np.ndarray, across: float | None = None) -> bool:
    """Whether a region's paper runs on past none of its four sides: a whole note, not a
    piece of one that writing or dots cut off (whose paper goes on past the cut). Looked for
    a share of the region's size out from each side, or of `across` (a note's size) if given."""
    q = r.quad
    w, h = _sides(q)
    for i in range(4):
        size = h if i % 2 == 0 else w  # out from the top and bottom, a share of the height
        size = size if across is None else across
        near = _beyond(q, q[i], q[(i + 1) % 4], [d * size for d in _STRIP_LOOK[:2]], lab8)
        if any(c is not None and _delta_e(c, r.lab) < _CONTINUES for c in near):
            return False
    return True


def _covered(r: _Region, lab8: np.ndarray, typical, walls: list) -> bool:
    """Whether a region is what shows of a note mostly covered by another (notes stuck on in
    overlapping rows): a strip as long as the typical note, too short to be a note itself,
    with paper of another colour, not the wall, running on past one of its long sides (the
    note on top), and its own paper running on past neither (else it is a piece of a bigger
    note that writing or dots cut off)."""
    w, h = _sides(r.quad)
    long, short = max(w, h), min(w, h)
    note_long, note_short = max(typical[:2]), min(typical[:2])
    if not (
        long / max(short, 1e-6) > _MAX_ASPECT
        and _STRIP_LONG[0] * note_long <= long <= _STRIP_LONG[1] * note_long
        and short >= _STRIP_SHORT * note_short
    ):
        return False
    q = r.quad
    covered = False
    for a, b in [(q[0], q[1]), (q[3], q[2])] if w >= h else [(q[0], q[3]), (q[1], q[2])]:
        beyond = _beyond(q, a, b, [step * note_short for step in _STRIP_LOOK], lab8)
        if any(c is not None and _delta_e(c, r.lab) < _CONTINUES for c in beyond[:2]):
            return False  # its own paper goes on: a piece of a bigger note
        # The note on top: one paper near the side, plainly not the wall (whose light varies
        # across the photo far more than a note's does across a note), and a whole note of
        # paper beyond (a band of writing across a note is no note on top).
        covered = covered or (
            all(
                c is not None and min(_delta_e(c, wall) for wall in walls) > _STRIP_WALL_E
                for c in beyond
            )
            and _delta_e(beyond[0], beyond[1]) < _CONTINUES
        )
    return covered


def _drawn_on(note, found) -> bool:
    """Whether a found note is a box drawn on another one of its colour: inside it, smaller,
    and its paper the same. (A note stuck on another is of another colour, or covers it.)"""
    quad, lab, cols, rows = note
    area = _area(quad)
    return cols * rows == 1 and any(
        f is not note
        and f[2] * f[3] == 1
        and _delta_e(f[1], lab) < _CONTINUES
        and _contains(f[0], quad)
        and _area(f[0]) > area
        and _overlap(f[0], quad) > 0.9
        for f in found
    )


def _framed(quad: np.ndarray, bgr: np.ndarray) -> bool:
    """Whether a quad is framed: just past three of its four sides at least (one may be lost
    in a drawing) a dark line (ink), and past that, lighter paper again, one sheet's all
    round. A note on a dark wall has no lighter paper beyond, or notes of other colours; a
    note's shadow falls along two sides, not three; touching notes are paper at their seams."""
    w, h = _sides(quad)
    side = min(w, h)
    height, width = bgr.shape[:2]
    steps = np.arange(-0.5 * _FRAME_LOOK * side, _FRAME_LOOK * side, 1.0)
    inner = steps < -0.05 * side  # the paper inside, clear of the edge
    near = np.flatnonzero(np.abs(steps) < 0.5 * _FRAME_LOOK * side)  # the outline may be on ink
    if not near.size or not inner.any():
        return False  # a quad of a few pixels: too small to see a frame round it
    # All four sides at once: [side, step, sample along the side's middle part].
    ends = quad[_NEXT]
    out = (quad + ends) / 2 - quad.mean(axis=0)
    out /= np.maximum(np.hypot(out[:, 0], out[:, 1]), 1e-9)[:, None]
    along = quad[:, None, :] + np.linspace(0.2, 0.8, 9)[None, :, None] * (ends - quad)[:, None, :]
    points = np.rint(along[:, None] + steps[None, :, None, None] * out[:, None, None]).astype(int)
    if (
        points[..., 0].min() < 0
        or points[..., 1].min() < 0
        or points[..., 0].max() >= width
        or points[..., 1].max() >= height
    ):
        return False  # the frame would run off the photo: nothing known
    # Only the pixels sampled are turned to Lab (pixel by pixel, as the whole photo would be).
    # Lightness first (most notes fail there), colour only where that holds; the median of
    # the nine samples across each step by partition (np.median costs more than the rest).
    lab8 = cv2.cvtColor(
        bgr[points[..., 1], points[..., 0]].reshape(-1, points.shape[2], 3), cv2.COLOR_BGR2Lab
    ).reshape(points.shape[:3] + (3,))
    samples = lab8[..., 0]
    profile = np.partition(samples, 4, axis=2)[:, :, 4] * (100 / 255)
    inside_l = np.sort(profile[:, inner], axis=1)
    paper = inside_l[:, inside_l.shape[1] // 2]  # the paper inside's lightness, each side
    lined = 0
    sheet: list = []  # the paper beyond each lined side
    for k in range(4):
        at = int(near[np.argmin(profile[k, near])])
        beyond = at + int(np.argmax(profile[k, at:]))
        if (
            profile[k, at] < paper[k] - _FRAME_DARK
            and profile[k, at] < profile[k, beyond] - _FRAME_DARK
        ):
            px = lab8[k].astype(np.float64)
            lab = (px - _LAB8_OFFSET) * _LAB8_SCALE
            inside = np.median(lab[inner].reshape(-1, 3), axis=0)
            # other paper beyond: a line drawn round the inside of a note is no frame
            if _delta_e(inside, np.median(lab[beyond], axis=0)) > _CONTINUES:
                lined += 1
                sheet.append(np.median(lab[beyond], axis=0))
        if k + 1 - lined > 1:
            return False  # two sides unlined: no frame
    # a frame is printed on one sheet: the same paper beyond every lined side (notes of
    # other colours round a note on a dark board are not)
    return all(_delta_e(sheet[0], other) <= _CONTINUES for other in sheet[1:])


def _bare_wall(quad: np.ndarray, lab8: np.ndarray, walls: list) -> bool:
    """Whether a quad found on the wiped copy is the wall's colour on the photo (its inner
    part, where most of a note's paper shows between its writing and dots)."""
    picked = _pixels_inside(_grow(quad, -_INNER * min(_sides(quad))), lab8, step=2)
    inner = _median_lab(picked)
    if inner is None or min(_delta_e(inner, w) for w in walls) > _BARE_DELTA_E:
        return False
    # The median alone is no proof: on a pale note crowded with writing and dots it is
    # dragged towards grey, near a light wall's. Bare wall shows as itself between the
    # smeared strokes; a note's paper nowhere does.
    pixels = (picked - _LAB8_OFFSET) * _LAB8_SCALE
    near = np.zeros(len(pixels), bool)
    for wall in walls:
        near |= np.linalg.norm(pixels - np.asarray(wall), axis=1) <= _BARE_DELTA_E
    return near.mean() >= _BARE_SHARE
