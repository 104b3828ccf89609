"""An outline with a side cut aslant (by a stroke or a dot across the note's corner, or into a
neighbour of its colour), its corner far from square, squared up on the note's edge
(`_squared`); and an outline square to the photo round a note turned from it, fitted to the
paper's own edges (`_turned`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vision.notes.regions import _gradient
from vision.notes.shapes import (
    _LAB8_OFFSET,
    _LAB8_SCALE,
    _NEAR,
    _NEIGHBOURS,
    _NEXT,
    _OVERLAP_GROWN,
    _PREV,
    _area,
    _corners,
    _neighbourhood,
    _overlap,
    _side_angles,
    _skew,
)

# A note is a rectangle, and perspective changes slowly across a wall: its corners are about
# as square as its neighbours'. An outline with a corner this many degrees further from
# square than theirs (and this many from square at least) has a side cut aslant; squared
# up, it is within half of each (half this many from square, or half that many more than
# theirs, whichever is more) or is left as it was.
_SKEW_MORE = 8.0
_SKEW_MIN = 8.0
# Squared up, the outline keeps this share of its area at least, and this many times at most
# (a slice off a note, not half a note).
_SQUARED_AREA = (0.7, 1.4)
# An outline this near the photo's edge (pixels) is cut by it, not aslant by something on it.
_FRAME = 2.0
# The side's edge is looked for this many pixels beyond where its corners were, too.
_SLACK = 2.0


def _meet(p, u, q, v):
    """Where the line through p along u meets the line through q along v (None: parallel)."""
    det = u[0] * -v[1] - u[1] * -v[0]
    if abs(det) < 1e-9:
        return None
    s = ((q - p)[0] * -v[1] - (q - p)[1] * -v[0]) / det
    return p + s * u


def _side_squared(quad: np.ndarray, i: int, mag: np.ndarray) -> np.ndarray | None:
    """The quad with side i (corner i to the next) turned parallel to the opposite side, on
    the strongest edge (median gradient `mag` along it) between where its two corners were:
    a side cut aslant (by a line of writing, a dot on a corner, a neighbour of the note's
    colour) set square where the note's edge shows."""
    a, b = quad[i], quad[_NEXT[i]]
    c, d = quad[(i + 2) % 4], quad[(i + 3) % 4]
    along = d - c
    length = float(np.hypot(*along))
    if length < 1e-6:
        return None
    normal = np.array([-along[1], along[0]]) / length
    # The side's ends, on the lines of the sides next to it, as the side moves out along
    # the normal: both move in step with it.
    first0, second0 = _meet(c, along, d, a - d), _meet(c, along, c, b - c)
    first1, second1 = _meet(c + normal, along, d, a - d), _meet(c + normal, along, c, b - c)
    if first0 is None or second0 is None:
        return None
    reach = sorted(((a - c) @ normal, (b - c) @ normal))
    offsets = np.arange(reach[0] - _SLACK, reach[1] + _SLACK + 0.5)
    firsts = first0 + np.outer(offsets, first1 - first0)
    seconds = second0 + np.outer(offsets, second1 - second0)
    t = np.linspace(0.1, 0.9, 24)
    points = firsts[:, None, :] + t[None, :, None] * (seconds - firsts)[:, None, :]
    h, w = mag.shape
    xs = np.clip(np.round(points[:, :, 0]).astype(np.intp), 0, w - 1)
    ys = np.clip(np.round(points[:, :, 1]).astype(np.intp), 0, h - 1)
    best = int(np.argmax(np.median(mag[ys, xs], axis=1)))
    out = quad.copy()
    out[i], out[_NEXT[i]] = firsts[best], seconds[best]
    return out


def _fits_in(quad: np.ndarray, quads: list, k: int) -> bool:
    """Whether `quad`, fitted again for note `k` of `quads`, may stand for it: about as big
    (a re-fit that grows or shrinks it much found some other edge) and over no other note."""
    ratio = _area(quad) / max(_area(quads[k]), 1e-6)
    if not _SQUARED_AREA[0] <= ratio <= _SQUARED_AREA[1]:
        return False
    return not any(_overlap(quad, o) > _OVERLAP_GROWN for i, o in enumerate(quads) if i != k)


def _squared(notes: list, lab8: np.ndarray, typical) -> list:
    """The notes (quad, colour), each whose outline has a corner far less square than its
    neighbours' (`lab8`: the photo they were found on, in Lab) squared up: of the two sides
    at its worst corner, the one that leaves the squarer outline once set parallel to its
    opposite side on the note's edge (see `_side_squared`); then again, if need be (a corner
    run off slants both its sides). Kept as it was when that leaves it far less square than
    its neighbours still, or changes its size much, or runs it into another note."""
    if not notes:
        return notes
    quads = [np.asarray(quad, dtype=np.float64) for quad, _ in notes]
    skews = np.array([_skew(q) for q in quads])
    if skews.max() <= _SKEW_MIN:
        return notes
    _, near = _neighbourhood(quads)
    near = (near < _NEAR * max(typical[:2])) & ~np.eye(len(quads), dtype=bool)
    # (A note alone on the wall is compared with a rectangle seen face on.)
    wall = float(np.median(skews)) if len(quads) > 1 else 0.0
    out = list(notes)
    for k, quad in enumerate(quads):
        if skews[k] <= _SKEW_MIN:
            continue
        ref = float(np.median(skews[near[k]])) if near[k].sum() >= _NEIGHBOURS else wall
        if skews[k] <= max(_SKEW_MIN, ref + _SKEW_MORE):
            continue
        limit = max(_SKEW_MIN / 2, ref + _SKEW_MORE / 2)
        h, w = lab8.shape[:2]
        if (quad.min(axis=0) < _FRAME).any() or (
            quad.max(axis=0) > (w - 1 - _FRAME, h - 1 - _FRAME)
        ).any():
            continue  # cut by the photo's edge: a note tilted there shows a corner far from square
        # The gradient round the note alone: a few notes in a wall need it.
        x0, y0 = np.clip(np.floor(quad.min(axis=0)).astype(int) - 4, 0, (w, h))
        x1, y1 = np.clip(np.ceil(quad.max(axis=0)).astype(int) + 5, 0, (w, h))
        if x1 - x0 < 3 or y1 - y0 < 3:
            continue  # off the photo
        mag = _gradient(lab8[y0:y1, x0:x1])
        best = quad - (x0, y0)
        for _ in range(2):  # a corner run off can slant both its sides
            # one of the two sides at the worst corner is the one cut aslant
            worst = int(np.argmax(_corners(best)))
            tries = [_side_squared(best, i, mag) for i in (_PREV[worst], worst)]
            tries = [t for t in tries if t is not None]
            if not tries:
                break
            best = min(tries, key=_skew)
            if _skew(best) <= limit:
                break
        if _skew(best) > limit:
            continue
        best = best + (x0, y0)
        if not _fits_in(best, quads, k):
            continue
        quads[k] = best
        out[k] = (best, notes[k][1])
    return out


# An outline square to the photo (a box round paper that writing cut in pieces) may sit on a
# note turned from it: the note, a rectangle, is looked for turned as one this many degrees
# either way, each side shifted up to this share of the typical note's side out or in.
_TURNS = np.radians(np.arange(-12.0, 12.1, 1.0))
_SHIFT_SEARCH = 0.3
# A box round a note turned less than this (radians) is left as it is: the box is its outline.
_TURNED = np.radians(1.5)
# The paper's edge is where, this many pixels inside, the note's colour is (Lab distance, L1,
# under the second) and, as far outside, something else (over the first: the wall) ...
_BESIDE = 2
_OTHER_E = 40.0
_PAPER_E = 30.0
# ... along this share of every side at least (at these points along it, from its middle): an
# edge hidden by a neighbour of the note's colour, or by dots, along much of a side says
# nothing of where the paper ends.
_EDGE_SEEN = 0.65
_ALONG = np.linspace(-0.45, 0.45, 32)


@dataclass(frozen=True)
class _Sides:
    """The sides of boxes square to the photo, four a box, looked at across: `edge` (sides,
    K, points) is where the paper's edge shows on the pixel row or column across each side
    at each of its points, `start` (sides, turns, points) where on it (index into K) the side
    turned so and shifted the least crosses it: each further shift, one pixel further out."""

    edge: np.ndarray
    start: np.ndarray
    mid: np.ndarray
    along: np.ndarray
    normal: np.ndarray
    out: np.ndarray


def _sides(boxes: np.ndarray, colours: np.ndarray, lab8: np.ndarray, reach: float) -> _Sides:
    """The sides of `boxes` ((N, 4, 2), square to the photo) on notes of `colours` ((N, 3),
    Lab), looked at across as far as each side turned `_TURNS` and shifted -reach..reach
    reaches. Only these pixels are looked at, all boxes' at once: most boxes are done with
    when their edges are seen on too few of the lines across."""
    a = boxes.reshape(-1, 2)
    along = boxes[:, _NEXT].reshape(-1, 2) - a
    along /= np.hypot(along[:, 0], along[:, 1])[:, None]
    length = np.hypot(*(boxes[:, _NEXT] - boxes).reshape(-1, 2).T)
    # (the turns are the same way round for every side)
    normal = np.stack([-along[:, 1], along[:, 0]], axis=1)
    mid = a + along * length[:, None] / 2
    centre = np.repeat(boxes.mean(axis=1), 4, axis=0)
    sign = np.where(((mid - centre) * normal).sum(axis=1) >= 0, 1.0, -1.0)
    out = normal * sign[:, None]
    # each side of a box square to the photo looks out along an axis, one way or the other
    sides = np.arange(len(a))
    axis = np.argmax(np.abs(out), axis=1)
    way = np.sign(out[sides, axis]).astype(np.intp)
    t = _ALONG * length[:, None]
    on = mid[:, None, :] + t[:, :, None] * along[:, None, :]  # (sides, points, 2)
    # how far out (pixels, along its axis) the side turned so, shifted the least, crosses
    # the line across each point
    first = np.round(
        (on[sides, :, axis] * way[:, None])[:, None, :]
        - reach
        + np.sin(_TURNS)[None, :, None] * t[:, None, :] * sign[:, None, None]
    ).astype(np.intp)
    low = first.min(axis=(1, 2)) - _BESIDE
    shifts = len(np.arange(-reach, reach + 0.5, 1.0))
    span = int((first.max(axis=(1, 2)) - low).max()) + shifts + _BESIDE
    # the lines' pixels: across each side along its axis, at its points' pixel the other way
    h, w = lab8.shape[:2]
    size = np.array([w, h])
    across = np.clip((low[:, None] + np.arange(span)) * way[:, None], 0, size[axis, None] - 1)
    other = 1 - axis
    at = np.clip(np.round(on[sides, :, other]), 0, size[other, None] - 1).astype(np.intp)
    # (a pixel's index: 3 per pixel, w per row)
    pixels = 3 * (
        (across * np.where(axis == 0, 1, w)[:, None])[:, :, None]
        + (at * np.where(axis == 0, w, 1)[:, None])[:, None, :]
    )
    # the Lab distance (L1) to the note's colour, a channel at a time, from a table per note
    levels = np.arange(256) * _LAB8_SCALE[:, None] - (_LAB8_OFFSET * _LAB8_SCALE)[:, None]
    tables = np.abs(levels[None] - colours[:, :, None]).astype(np.float32).ravel()
    table = np.repeat(np.arange(len(boxes)) * 3 * 256, 4)[:, None, None]
    flat = lab8.ravel()
    distance = tables.take(flat.take(pixels) + table)
    distance += tables.take(flat.take(pixels + 1) + (table + 256))
    distance += tables.take(flat.take(pixels + 2) + (table + 512))
    # the note's colour _BESIDE pixels in, something else as far out
    edge = (distance[:, 2 * _BESIDE :] > _OTHER_E) & (distance[:, : -2 * _BESIDE] < _PAPER_E)
    start = first - (low + _BESIDE)[:, None, None]
    return _Sides(edge, start, mid, along, normal, out)


def _seen(sides: _Sides, box: int, reach: float):
    """For the four sides of box number `box`, each turn (`_TURNS`) and shift out: the share
    of the side along which its edge shows (4, turns, shifts), with the shifted sides'
    middles (4, shifts, 2) and the turned directions (4, turns, 2). Each edge point votes
    for every turned and shifted side through it."""
    rows = slice(4 * box, 4 * box + 4)
    shifts = np.arange(-reach, reach + 0.5, 1.0)
    side, k, j = np.nonzero(sides.edge[rows])
    shift = k - sides.start[rows][side, :, j].T  # (turns, edge points)
    keep = (shift >= 0) & (shift < len(shifts))
    index = (side * len(_TURNS) + np.arange(len(_TURNS))[:, None]) * len(shifts) + shift
    votes = np.bincount(index[keep], minlength=4 * len(_TURNS) * len(shifts))
    seen = votes.reshape(4, len(_TURNS), len(shifts)) / len(_ALONG)
    cos, sin = np.cos(_TURNS)[:, None], np.sin(_TURNS)[:, None]
    dirs = cos * sides.along[rows, None, :] + sin * sides.normal[rows, None, :]
    middles = sides.mid[rows, None, :] + shifts[:, None] * sides.out[rows, None, :]
    return seen, middles, dirs


def _turned(notes: list, lab8: np.ndarray, typical) -> list:
    """The notes, each whose outline is square to the photo (a box round paper that writing
    cut in pieces) but sits on paper turned from it, fitted to the paper's own four edges:
    only where each edge shows clearly along most of its side, and the four make a
    rectangle turned as one."""
    out = list(notes)
    quads = [np.asarray(q, dtype=np.float64) for q, _ in notes]
    boxes = [
        k
        for k, quad in enumerate(quads)
        if np.abs(_side_angles(quad)).max() <= 0.5 and np.hypot(*(quad[_NEXT] - quad).T).min() >= 8
    ]
    if not boxes:
        return out
    reach = _SHIFT_SEARCH * max(typical[:2])
    # the note's own colour (a median per channel of paper crowded with writing is neither)
    colours = np.array([notes[k][1] for k in boxes], dtype=np.float64)
    sides = _sides(np.array([quads[k] for k in boxes]), colours, lab8, reach)
    # a side whose edge shows on too few of the lines across shows on too few at any turn
    shown = sides.edge.any(axis=1).mean(axis=1).reshape(-1, 4).min(axis=1)
    for b in np.flatnonzero(shown >= _EDGE_SEEN):
        k = boxes[b]
        seen, middles, dirs = _seen(sides, b, reach)
        # a note is a rectangle: its four sides turn as one
        best_per_turn = seen.max(axis=2)  # (4, turns)
        total = best_per_turn.sum(axis=0)
        # the turns that fit best make a band (an edge shows a few pixels wide): its middle,
        # unless the box square to the photo fits as well (then nothing says it is turned)
        band = np.flatnonzero(total >= total.max() - 1e-9)
        middle = band[[(len(band) - 1) // 2, len(band) // 2]]
        turn = int(middle[np.argmin(np.abs(_TURNS[middle]))])  # of two, the nearer square
        if _TURNS[band].min() <= 0 <= _TURNS[band].max() or abs(_TURNS[turn]) < _TURNED:
            continue
        if best_per_turn[:, turn].min() < _EDGE_SEEN:
            continue
        lines = []
        for i in range(4):
            row = seen[i, turn]
            top = np.flatnonzero(row >= row.max() - 1e-9)
            # the edge's band: its middle
            lines.append((middles[i, round(float(np.median(top)))], dirs[i, turn]))
        corners = [
            _meet(lines[_PREV[i]][0], lines[_PREV[i]][1], lines[i][0], lines[i][1])
            for i in range(4)
        ]
        if any(c is None for c in corners):
            continue
        best = np.array(corners)
        if not _fits_in(best, quads, k):
            continue
        quads[k] = best
        out[k] = (best, notes[k][1])
    return out
