"""An outline with a side cut aslant (by a stroke or a dot across the note's corner, or into a
neighbour of its colour), its corner far from square, squared up on the note's edge
(`_squared`)."""

from __future__ import annotations

import numpy as np

from vision.notes.regions import _gradient
from vision.notes.shapes import (
    _NEAR,
    _NEIGHBOURS,
    _NEXT,
    _OVERLAP_GROWN,
    _PREV,
    _area,
    _corners,
    _neighbourhood,
    _overlap,
    _skew,
)

# A note is a rectangle, and perspective changes slowly across a wall: its corners are about
# as square as its neighbours'. An outline with a corner this many degrees further from
# square than theirs (and this many from square at least) has a side cut aslant; squared
# up, it is within half of each (half this many from square, or half that many more than
# theirs, whichever is more) or is left as it was.
_SKEW_MORE = 8.0
_SKEW_MIN = 12.0
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
        ratio = _area(best) / max(_area(quad), 1e-6)
        if not _SQUARED_AREA[0] <= ratio <= _SQUARED_AREA[1]:
            continue
        others = quads[:k] + quads[k + 1 :]
        if any(_overlap(best, o) > _OVERLAP_GROWN for o in others):
            continue
        quads[k] = best
        out[k] = (best, notes[k][1])
    return out
