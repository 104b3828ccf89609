"""Growing a note found in part to its whole self: to everything on the wall joined to it
(`_whole`), or across an axis on which it is short of its neighbours (`_lengthened`)."""

from __future__ import annotations

import math

import cv2
import numpy as np

from vision.geometry import rect_homography
from vision.notes.shapes import (
    _MAX_ASPECT,
    _NEAR,
    _NEIGHBOURS,
    _OVERLAP_GROWN,
    _SUM_L1,
    _WALL_DELTA_E,
    _area,
    _aspect,
    _boxes,
    _grow,
    _meeting,
    _neighbourhood,
    _ordered,
    _overlap,
    _sides,
)

# A note shorter than this share of its neighbours across one axis may have been cut short
# by a line of writing or a row of dots (see _extended). Its paper is looked for up to this
# share of a note beyond the neighbours' size; a pixel is its paper within this Lab distance
# of the paper just inside (or of that band's pixels near the whole note's paper colour,
# where writing right along that end fills the band with ink); a row across is no paper
# when less than this share of it is (a dot, a line of writing and another dot leave more);
# the paper ends where this share of a note's side in rows is no paper (an underline or a
# line of writing is thinner), or where this share of it in rows shows next to no paper at
# all (this share of a row or less): a strip of wall between it and a neighbour of its
# colour (an underline is thinner still).
_SHORT = 0.95
_BEYOND = 0.15
_PAPER_DELTA_E = 16.0
_PAPER_SHARE = 0.12
_INK_ROWS = 0.15
_GAP_ROWS = 0.06
_BARE = 0.02
# The rim of a neighbouring note that its found outline leaves out, in working-copy pixels
# (see _whole); where they are left out, what is left of the blob fills this share of its box
# at least (a note's paper does, 0.9 and more; the wall's shading joined on leaves gaps).
_OTHERS_RIM = 2.0
_SOLID = 0.85
# Paper beyond the ends of an axis less than this share of what it is short by: none (wall,
# or another note, beyond both: a smaller note).
_NO_PAPER = 0.5
# A 3 x 5 in note among 3 x 3 in ones is as wide as they are and 1.67 times as long (a little
# more or less in perspective): one whose paper runs on past one end, into no note found,
# may be one, when that paper ends this many times its neighbours' other side from its far
# end (a square note of its colour touching it would make two sides).
_LONG_NOTE = (1.45, 1.85)
# What differs from the wall round a note found in part is its whole self where it overlaps
# no other note by more than this share (see _whole); a long note's, hardly at all (one note
# and a piece of its neighbour of its colour make a blob as long). A long note is as wide as
# the wall's notes within this many times.
_TOUCH = 0.15
_LONG_TOUCH = 0.02
_ONE_WIDE = 1.25
# One note's area, as a share of the wall's typical note's (see _blob_note).
_ONE_AREA = (0.7, 1.4)
# A side grown into another note is drawn back in this many steps, until the quad overlaps
# no note by more than _OVERLAP_GROWN: to within a step or two of that note's edge (the
# corners are re-found on the photo later, where the dots are counted).
_TRIM_STEPS = 10


def _whole(quad: np.ndarray, lab8: np.ndarray, typical, others: list[np.ndarray]) -> np.ndarray:
    """The whole note that `quad` is a part of: what differs from the wall around it (taken
    in a ring a little way out; the wall in a soft shadow, darker but of its hue, does not),
    joined to it, when that is one note's size and shape and reaches no other note (a long
    note's, touching none: `_LONG_TOUCH`); where it runs on into a note of `others`, what is
    left of it without them, if that is one note's size and shape and fills its box as paper
    does. Else `quad` as it was."""
    note_w, note_h = typical[:2]
    reach = max(note_w, note_h)
    h, w = lab8.shape[:2]
    x0, y0 = np.floor(quad.min(axis=0) - reach).astype(int)
    x1, y1 = np.ceil(quad.max(axis=0) + reach).astype(int)
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    window = lab8[y0:y1, x0:x1].astype(np.float32)
    local = quad - (x0, y0)
    ring = np.zeros(window.shape[:2], np.uint8)
    cv2.fillConvexPoly(ring, np.round(_grow(local, 0.75 * reach)).astype(np.int32), 1)
    cv2.fillConvexPoly(ring, np.round(_grow(local, 0.45 * reach)).astype(np.int32), 0)
    if ring.sum() < 20:
        return quad
    wall = np.median(window[ring > 0], axis=0)
    # A soft shadow is the wall darker, its hue unchanged: no note.
    off = window - wall.astype(np.float32)
    off[..., 0] = np.maximum(off[..., 0], 0.0)
    diff = cv2.transform(np.abs(off), _SUM_L1)
    on_wall = (diff > _WALL_DELTA_E * 1.5).astype(np.uint8)
    grown = _blob_note(on_wall, local, typical, long=True)
    long = grown is not None and _area(grown) > _ONE_AREA[1] * note_w * note_h
    touch = _LONG_TOUCH if long else _TOUCH
    if grown is not None and not any(_overlap(grown + (x0, y0), o) > touch for o in others):
        return grown + (x0, y0)
    # A neighbour of its colour across a narrow gap joins it, and the two are no note's size:
    # the notes found already (and the rim of each that its outline leaves out) are not this
    # one. Without them, what is left must fill its box as paper does: wall the light left
    # unlike the ring's wall, joined on, does not.
    for other in others:
        cv2.fillConvexPoly(
            on_wall, np.round(_grow(other, _OTHERS_RIM) - (x0, y0)).astype(np.int32), 0
        )
    grown = _blob_note(on_wall, local, typical, solid=_SOLID)
    return quad if grown is None else grown + (x0, y0)


def _blob_note(
    on_wall: np.ndarray, local: np.ndarray, typical, solid: float = 0.0, long: bool = False
):
    """The box round the blob of `on_wall` that holds the quad `local` (window pixels), if
    that is one note's size and shape (with `long`, a long note's too: `_long_blob`), within
    the window (not running on beyond a note's reach: a block of notes, or the wall's
    shading), and filled by the blob at least `solid`; else None."""
    on_wall = on_wall.copy()
    cv2.fillConvexPoly(on_wall, np.round(local).astype(np.int32), 1)
    count, labels = cv2.connectedComponents(on_wall, connectivity=4)
    centre = np.round(local.mean(axis=0)).astype(int)
    blob = labels == labels[centre[1], centre[0]]
    if blob[0, :].any() or blob[-1, :].any() or blob[:, 0].any() or blob[:, -1].any():
        return None
    points = cv2.findNonZero(blob.astype(np.uint8))
    rect = cv2.minAreaRect(points)
    grown = _ordered(cv2.boxPoints(rect))
    big = _area(grown)
    if (
        not (
            _ONE_AREA[0] <= big / (typical[0] * typical[1]) <= _ONE_AREA[1]
            or (long and _long_blob(grown, typical))
        )
        or not 1 / _MAX_ASPECT <= _aspect(grown) <= _MAX_ASPECT
        or len(points) < solid * big
    ):
        return None
    return _sides_box(points.reshape(-1, 2), rect)


def _extended(quad: np.ndarray, bgr: np.ndarray, size, others: list[np.ndarray]) -> np.ndarray:
    """`quad` grown across an axis on which it is short of `size` (its neighbours' width,
    height), where its own paper goes on beyond it: on each side, to the edge where the
    paper ends, or where it runs on into a neighbour of its colour, to the size; or, as
    wide as the size, with its paper running on past one end only and ending as far off as
    a long note's end (see _LONG_NOTE), into no other note, to there. A side grown into
    another note (`others`) is drawn back towards its edge (see _TRIM_STEPS); `quad` as it
    was where none can grow so."""
    w, h = _sides(quad)
    tw, th = size[:2]
    need = [tw - w, th - h]  # across, down
    short = [need[0] > (1 - _SHORT) * tw, need[1] > (1 - _SHORT) * th]
    if not any(short):
        return quad
    caps = [
        int(math.ceil(n + _BEYOND * t)) if s else 0
        for n, t, s in zip(need, (tw, th), short, strict=True)
    ]
    # As far as a long note's end may lie (see _LONG_NOTE), beyond each axis it is short on.
    longs = [
        int(math.ceil(_LONG_NOTE[1] * o - n_)) if s else 0
        for o, n_, s in zip((th, tw), (w, h), short, strict=True)
    ]
    m = max(caps) + 1
    W, H = max(4, round(w)), max(4, round(h))

    square = rect_homography(quad, W, H)

    def warped(x0, y0, x1, y1):
        # The box x0..x1, y0..y1 of the quad squared up to W x H (0, 0 its top-left).
        to_box = np.float64([[1, 0, -x0], [0, 1, -y0], [0, 0, 1]]) @ square
        box = cv2.warpPerspective(
            bgr, to_box, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR
        )  # beyond the photo: black, no paper
        return to_box, cv2.cvtColor(box, cv2.COLOR_BGR2Lab).astype(np.float32)

    to_patch, patch = warped(-m, -m, W + m, H + m)
    bw, bh = max(2, round(0.3 * W)), max(2, round(0.3 * H))

    def run(inner, outward, cap, paper=None):
        band = inner[::2, ::2].reshape(-1, 3)
        if paper is None:
            ref = np.median(band, axis=0)
        else:
            # The band's paper, not its ink: its pixels of about the note's paper colour.
            near = cv2.transform(np.abs(band - paper)[None], _SUM_L1)[0] < _PAPER_DELTA_E
            ref = np.median(band[near], axis=0) if near.any() else paper
        diff = cv2.transform(np.abs(outward[:cap] - ref), _SUM_L1)
        frac = (diff < _PAPER_DELTA_E).mean(axis=1)
        # Where the paper stays off for a few rows: a line of writing or an underline is
        # thinner than that.
        k = max(4, round(_INK_ROWS * min(W, H)))
        g = max(3, round(_GAP_ROWS * min(W, H)))
        off = (frac < _PAPER_SHARE).astype(np.float32)
        window = np.convolve(off, np.ones(k), mode="full")[k - 1 : len(frac)]
        # ... or where no paper at all shows right across for a few: a gap, or a shadow.
        bare = (frac <= _BARE).astype(np.float32)
        gap = np.convolve(bare, np.ones(g), mode="full")[g - 1 : len(frac)]
        ends = np.concatenate([np.flatnonzero(window >= k - 0.5), np.flatnonzero(gap >= g - 0.5)])
        return int(ends.min()) if len(ends) else cap

    c0, c1 = round(0.15 * W), W - round(0.15 * W)
    r0, r1 = round(0.15 * H), H - round(0.15 * H)

    def ends(axis, cap, paper=None):
        # How far the paper runs beyond each end of the axis (0: down, 1: across), judged
        # by the colour of the band inside each end, or by `paper` (see run).
        if axis == 0:
            cols = patch[:, m + c0 : m + c1]
            return (
                run(cols[m : m + bh], cols[m - 1 :: -1], cap, paper),
                run(cols[m + H - bh : m + H], cols[m + H :], cap, paper),
            )
        side = patch[m + r0 : m + r1].transpose(1, 0, 2)
        return (
            run(side[m : m + bw], side[m - 1 :: -1], cap, paper),
            run(side[m + W - bw : m + W], side[m + W :], cap, paper),
        )

    def far_end(axis, after, reach):
        # How far the paper runs beyond one end (`after`: the bottom or right one), looked
        # for up to `reach`, on a strip of the photo along the axis.
        if axis == 0:
            box = (c0, H - bh, c1, H + reach) if after else (c0, -reach, c1, bh)
        else:
            box = (W - bw, r0, W + reach, r1) if after else (-reach, r0, bw, r1)
        _, strip = warped(*box)
        strip = strip if axis == 0 else strip.transpose(1, 0, 2)
        inner = bh if axis == 0 else bw
        if after:
            return run(strip[:inner], strip[inner:], reach)
        return run(strip[reach:], strip[reach - 1 :: -1], reach)

    grow = [0.0, 0.0, 0.0, 0.0]  # top, right, bottom, left
    long = [None, None]  # per axis (down, across): the ends of a long note, if it may be one
    to_size = [False] * 4  # the sides grown to the neighbours' size, no edge seen there
    # Per axis (down, across): its sides in `grow`, its length and the neighbours' length and
    # width along it, and its index in `need`, `caps` and `short`.
    axes = ((0, (0, 2), h, th, tw, 1), (1, (3, 1), w, tw, th, 0))
    for axis, (first, second), own, size_along, _, k in axes:
        if not short[k]:
            continue
        cap = caps[k]
        a, b = ends(axis, cap)
        if a + b < _NO_PAPER * need[k]:
            # No paper beyond either end, by the colour of the bands inside them; unless a
            # line of writing right along an end fills its band, and its ink passed for
            # the paper's colour there. Writing and dots are the lesser part of a whole
            # note: its median is its paper.
            paper = np.median(patch[m : m + H : 2, m : m + W : 2].reshape(-1, 3), axis=0)
            a, b = ends(axis, cap, paper)
        ext = _sharing(a, b, cap, need[k])
        if ext is None or own + sum(ext) > (1 + _BEYOND) * size_along:
            return quad
        grow[first], grow[second] = ext
        to_size[first], to_size[second] = a >= cap, b >= cap
        if (a < cap) != (b < cap):
            long[axis] = (a, b, cap)
    if not any(grow):
        return quad

    boxes = _boxes(others)

    def clear(tried):
        # The quad grown so, if that leaves it clear of the other notes; else None.
        grown = _grown(tried, m, to_patch, W, H)
        near = _meeting(grown, boxes)
        return None if any(_overlap(grown, others[i]) > _OVERLAP_GROWN for i in near) else grown

    # Paper on past one end only, with the neighbours' size reached: maybe a long note.
    for axis, (first, second), own, _, other, _ in axes:
        if long[axis] is None:
            continue
        a, b, cap = long[axis]
        reach = longs[1 - axis]
        across = (w + grow[1] + grow[3]) if axis == 0 else (h + grow[0] + grow[2])
        if reach <= cap or abs(across - other) > _BEYOND * other:
            continue  # not a long note's width
        a2, b2 = (a, far_end(axis, True, reach)) if a < cap else (far_end(axis, False, reach), b)
        if max(a2, b2) < reach and _LONG_NOTE[0] * other <= own + a2 + b2 <= _LONG_NOTE[1] * other:
            tried = list(grow)
            tried[first], tried[second] = float(a2), float(b2)
            grown = clear(tried)
            if grown is not None:
                return _ordered(grown)

    # A side grown to the neighbours' size, its paper running on into a note of its colour:
    # it is drawn back towards that note's edge, if that comes first (notes are not all one
    # size). Drawing it back further, to the edge itself, lost more notes than it mended.
    for share in np.linspace(1.0, 0.0, _TRIM_STEPS + 1) if any(to_size) else (1.0,):
        tried = [g * share if s else g for g, s in zip(grow, to_size, strict=True)]
        if not any(tried):
            break
        grown = clear(tried)
        if grown is not None:
            return _ordered(grown)
    # Still in another note's way: each side grown only as far as the edge of the note in its
    # way (the paper seen beyond that edge is that note's: one of its colour touching it).
    kept = [0.0, 0.0, 0.0, 0.0]
    for i in np.flatnonzero(grow):
        for share in np.linspace(1.0, 0.0, _TRIM_STEPS + 1)[:-1]:
            tried = [0.0, 0.0, 0.0, 0.0]
            tried[i] = grow[i] * share
            if clear(tried) is not None:
                kept[i] = tried[i]
                break
    grown = clear(kept) if any(kept) else None
    return quad if grown is None else _ordered(grown)


def _grown(grow, m: int, to_patch: np.ndarray, W: int, H: int) -> np.ndarray:
    """The quad grown by `grow` (top, right, bottom, left; pixels of the squared-up patch
    `to_patch` maps it to, W x H with a margin m), in the photo."""
    top, right, bottom, left = grow
    corners = np.float64(
        [
            [m - left, m - top],
            [m + W + right, m - top],
            [m + W + right, m + H + bottom],
            [m - left, m + H + bottom],
        ]
    )
    back = np.linalg.inv(to_patch)
    return cv2.perspectiveTransform(corners.reshape(-1, 1, 2), back).reshape(4, 2)


def _lengthened(notes: list, bgr: np.ndarray, typical) -> list:
    """The notes (quad, colour), each one short of its neighbours across one axis grown to
    its whole self (see `_extended`). Its neighbours' size is the median over the notes near
    it (perspective makes notes bigger on one side of a wall than on the other), or the
    typical note where there are too few."""
    if not notes:
        return notes
    quads = [quad for quad, _ in notes]
    sides, near = _neighbourhood(quads)
    near = (near < _NEAR * max(typical[:2])) & ~np.eye(len(quads), dtype=bool)
    enough = near.sum(axis=1) >= _NEIGHBOURS
    local = np.empty_like(sides)
    local[:] = typical[:2]
    local[enough] = np.nanmedian(
        np.where(near[enough][:, :, None], sides[None, :, :], np.nan), axis=1
    )
    # The notes furthest short first: one a little short of its neighbours may be just that
    # size, and must not take the paper that a note cut far short lost.
    for k in np.argsort(np.min(sides / local, axis=1), kind="stable"):
        w, h = local[k]
        size = (float(w), float(h), typical[2])
        # Each grown note is a neighbour as grown: two must not grow into one gap.
        quads[k] = _extended(quads[k], bgr, size, quads[:k] + quads[k + 1 :])
    return [(quad, colour) for quad, (_, colour) in zip(quads, notes, strict=True)]


def _sharing(a: int, b: int, cap: int, need: float) -> tuple[float, float] | None:
    """How far to grow each end of an axis `need` short, given how far its paper runs beyond
    each (`cap`: on and on): to the edge where one is seen, else to the size wanted. None:
    paper on and on both ways, inside a block of notes of one colour."""
    if a + b < _NO_PAPER * need:
        return (0.0, 0.0)  # wall (or another note) beyond both: a smaller note
    if a < cap and b < cap:
        ext = (float(a), float(b))
    elif a < cap:
        ext = (float(a), max(0.0, need - a))
    elif b < cap:
        ext = (max(0.0, need - b), float(b))
    else:
        return None  # paper all round: inside a block of notes, no telling where
    return ext


def _long_blob(box: np.ndarray, typical) -> bool:
    """Whether a box is a 3 x 5 in note among the wall's 3 x 3 in ones: as wide as they are,
    and one and a half to two of them long (see _LONG_NOTE)."""
    w, h = _sides(box)
    tw, th = typical[:2]
    return (
        _LONG_NOTE[0] <= max(w, h) / max(tw, th) <= _LONG_NOTE[1]
        and 1 / _ONE_WIDE <= min(w, h) / min(tw, th) <= _ONE_WIDE
    )


def _sides_box(points: np.ndarray, rect) -> np.ndarray:
    """The box of a blob of a note's pixels (`rect`: the smallest one round them, as
    cv2.minAreaRect gives it), each side where most of the note's rows (or columns) end: a
    dot stuck across the edge, or two, is a bump a few rows long on the side, and does not
    stretch the box as it stretches the smallest one round the blob."""
    (cx, cy), _, angle = rect
    a = math.radians(angle)
    u = np.array([math.cos(a), math.sin(a)])
    v = np.array([-math.sin(a), math.cos(a)])
    rel = points - (cx, cy)
    pu, pv = rel @ u, rel @ v
    ends = []
    for along, across in ((pv, pu), (pu, pv)):
        line = np.round(along).astype(np.int64)
        line -= line.min()
        lo = np.full(line.max() + 1, np.inf)
        hi = np.full(line.max() + 1, -np.inf)
        np.minimum.at(lo, line, across)
        np.maximum.at(hi, line, across)
        held = np.isfinite(lo)
        ends.append((float(np.median(lo[held])) - 0.5, float(np.median(hi[held])) + 0.5))
    (u0, u1), (v0, v1) = ends
    corners = [(u0, v0), (u1, v0), (u1, v1), (u0, v1)]
    return _ordered([(cx, cy) + s * u + t * v for s, t in corners])
