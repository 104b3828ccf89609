"""A blob split into discs of one size (step 4): one dot, a bunch of overlapping ones, or discs
peeled one at a time; a band or a straight row of discs is a stroke, not stickers."""

from __future__ import annotations

import math

import cv2
import numpy as np

# A straight row of discs is a stroke (`_in_a_row`) if its blob fills more than this share
# of the band round them: touching stickers leave notches and fill about 0.80 of it, a
# beaded marker stroke fills about 0.87; and if their centres lie within this share of a
# radius of one line (the beads of a stroke lie on the pen's path).
_STROKE_FILL, _STROKE_LINE = 0.85, 1 / 3
# A bunch of three or more dots is fitted again with discs these shares of its widest disc:
# where three dots a radius and a half apart meet, a disc about 1.2 times theirs fits; where
# four meet in a square, about 1.4 times, and discs a little smaller than theirs (0.6 of it)
# cover the bunch best. The two smallest shares fit `_SQUARE_OF_DOTS` discs at most.
_BUNCH_SHRINK = (0.9, 0.8, 0.7, 0.6)
_SQUARE_OF_DOTS = 4
# A blob is one dot only if this share of its outline lies on its enclosing circle: a
# highlight bitten out of a dot's rim takes less of it; a bunch of dots only touches it.
_ONE_DOT_RIM = 0.6
# A blob at most 1.35 times its widest disc is that one dot (with a smudge or a stroke
# attached) if this share of its outline lies on that disc's circle: a bunch of dots bulges
# far past the disc in its middle.
_ONE_DOT_INSCRIBED = 0.5
# A blob filling this share of its smallest rectangle, this many times longer than wide, is a band.
_BAND_FILL, _BAND_LENGTH = 0.88, 1.8
# A blob that no cluster explains is fitted again without the strokes attached to it (`_body`)
# if what is left is at least the first share of it and at most the second: a bunch of dots
# stuck on writing of their colour keeps 0.8-0.9 of its blob so, bold writing with a dot on it
# half.
_BODY = (0.7, 0.9)
# What that body is fitted with is taken only as a bunch of two or three dots (four or more
# such discs fit bold letters stripped of their thinner strokes), each at least this share of
# the smallest dot's radius (smaller ones fit bold letters too), and narrower than this share
# of the blob's first disc: where the dots meet, their blob holds a disc wider than any of them,
# which peels the whole bunch as one dot (a dot with strokes of its colour round it holds none
# wider than itself, and is that one dot).
_BODY_MOST, _BODY_DOT, _BODY_NARROWER = 3, 1.5, 0.97


def discs(
    blob: np.ndarray, r_min: float, r_max: float
) -> tuple[list[tuple[float, float, float]], bool | None]:
    """The dots a blob of one colour is made of: (x, y, r) each, and whether the blob is
    explained as a cluster of overlapping dots (True), was peeled disc by disc (False), or is a
    bunch found once the strokes of its colour attached to it were taken off (None).

    Dots from one sheet are one size, the size of the biggest disc that fits in the blob.
    A blob bigger than one such disc is fitted with k discs of that size (k-means on its
    pixels places them) for k = 2, 3, ...: the k whose discs cover the blob best wins. Two
    dots overlapping by two thirds of a diameter still come apart; a dot with a stroke of
    the same colour attached fits no such cluster and is peeled instead.

    A bunch of dots stuck on writing of their colour fits no cluster either: the strokes
    attached make it ragged, and the widest disc, where the dots meet, peels them all at once.
    Where the blob is mostly dots and partly strokes (`_body`), its body is fitted again; a
    bunch of two or three dots there, each narrower than that first disc, is taken. Its discs
    are each judged on their own, as they are (not as a cluster, whose discs are not held
    against each other: bold letters fit bunches as well; nor as a peeled disc, judged again as
    the widest disc round it: round these are the strokes).
    """
    found = _discs(blob, r_min, r_max)
    if found[1] or not found[0]:
        return found
    first = found[0][0][2]
    if len(found[0]) >= _BODY_MOST or _BODY_NARROWER * first <= _BODY_DOT * r_min:
        return found  # no bunch of more dots, or of dots wide enough, could be taken
    body = _body(blob, first)
    if body is None:
        return found
    bunch, cluster = _discs(body, r_min, r_max)
    if (
        cluster
        and len(found[0]) < len(bunch) <= _BODY_MOST
        and _BODY_DOT * r_min <= bunch[0][2] < _BODY_NARROWER * first
    ):
        return bunch, None
    return found


def _body(blob: np.ndarray, radius: float) -> np.ndarray | None:
    """A blob without the strokes attached to it: opened by a disc `radius` across (its first
    disc's radius: half a dot's width), which dots keep whole; None unless the blob is bigger
    than its first disc and what is left is within `_BODY` of it (a few strokes taken off a
    bunch, not bold writing with a dot on it)."""
    area = np.count_nonzero(blob)
    if area < 1.35 * math.pi * radius * radius:
        return None  # one dot, maybe with a stroke attached
    d = max(3, int(radius) | 1)
    body = cv2.morphologyEx(
        blob, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (d, d))
    )
    if not _BODY[0] * area <= np.count_nonzero(body) <= _BODY[1] * area:
        return None
    return body


def _discs(
    blob: np.ndarray, r_min: float, r_max: float
) -> tuple[list[tuple[float, float, float]], bool]:
    """`discs`, the blob taken as it is."""
    # What runs out of the window a dot could fill (or of the patch, across the note's edge)
    # wider than any sticker is a field of colour (paper, a neighbouring note), not dots.
    # The blob's pixels along each side of the window: how far it is cut by it.
    cut = max(cv2.countNonZero(side) for side in (blob[0], blob[-1], blob[:, 0], blob[:, -1]))
    if cut > 2 * r_max:
        # (A disc wider than any sticker at a side's cut needs more than its width of the blob
        # along that side.)
        blob = _off_field(blob, r_max)
        if not blob.any():
            return [], False
    # Depth within the blob: what lies beyond the window is unknown, not more of the blob.
    dist = depth(blob) if cut else cv2.distanceTransform(blob, cv2.DIST_L2, 5)
    _, radius, _, (x, y) = cv2.minMaxLoc(dist)
    if radius < r_min:
        return [], False
    # (A widest disc wider than any sticker is one round thing that big, no vote; or the
    # middle of a bunch of dots, fitted below with discs of a sticker's size.)
    pixels = np.count_nonzero(blob)
    area = float(pixels)
    # One dot, maybe with a glossy highlight bitten out of its rim: it fills most of the
    # smallest circle round it.
    contours, _ = cv2.findContours(blob, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    outline = max(contours, key=cv2.contourArea)
    (_, _), (bw, bh), _ = cv2.minAreaRect(outline)
    # The outline's own area, not the pixel count: the rectangle is fitted to the outline's
    # points, the middles of the blob's rim pixels (a pair of touching discs, which fill at
    # most 0.82 of their rectangle, would fill more than 0.88 of it by pixel count).
    fill = cv2.contourArea(outline) / max(bw * bh, 1.0)
    if fill >= _BAND_FILL and max(bw, bh) >= _BAND_LENGTH * min(bw, bh):
        # A band filling its rectangle: a shadow, a fold, a thick line; never round dots.
        return [], False
    (ex, ey), enclosing = cv2.minEnclosingCircle(outline)
    # A bite out of one dot's rim leaves most of its rim on that circle; a bunch of three
    # or four dots fills its enclosing circle about as well, but only touches it.
    on_circle = _on_circle(blob, ex, ey, enclosing)
    if area >= 0.75 * np.pi * enclosing * enclosing and on_circle >= _ONE_DOT_RIM:
        if radius > r_max:
            return [], False  # a round blot wider than any sticker
        if r_min <= enclosing <= r_max:
            return [(float(ex), float(ey), float(enclosing))], False
    one = np.pi * radius * radius
    if area <= 1.35 * one and _on_circle(blob, x, y, radius) >= _ONE_DOT_INSCRIBED:
        return [(float(x), float(y), float(radius))], False
    hull_area = cv2.contourArea(cv2.convexHull(outline))
    if area > 6 * one or area < 0.8 * hull_area:
        return _peel(blob, r_min, r_max), False  # too big or too ragged for a cluster of dots
    ys, xs = np.nonzero(blob[::2, ::2])  # every other pixel places the discs as well
    points = np.column_stack([xs, ys]).astype(np.float32) * 2
    cv2.setRNGSeed(7)  # k-means++ seeding: the same blob always gives the same answer
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 12, 0.5)
    placed: dict[int, np.ndarray] = {}
    # Where three or more dots meet, the widest disc in their blob is wider than any of them:
    # a bunch that no discs of that size fit is fitted again with discs a little smaller.
    for size in [radius] + [share * radius for share in _BUNCH_SHRINK]:
        if size > r_max:
            continue
        if size < radius and (size < r_min or on_circle >= _ONE_DOT_RIM):
            break  # no bunch: discs smaller than any sticker, or one round thing
        best, best_iou = None, 0.0
        # Only a bunch of three or more is wider than its dots; only four in a square need
        # discs that much smaller (more, so small, fit a strip of paper or bold writing).
        most = 6 if size >= _BUNCH_SHRINK[1] * radius else _SQUARE_OF_DOTS
        for k in range(
            2 if size == radius else 3,
            min(most, int(area / (0.55 * math.pi * size * size)) + 1) + 1,
        ):
            if k not in placed:
                placed[k] = cv2.kmeans(points, k, None, criteria, 1, cv2.KMEANS_PP_CENTERS)[2]
            drawn = np.zeros(blob.shape, np.uint8)
            # Sub-pixel circles (4 bits), as wide as the blob's discs: the distance transform's
            # peak falls short of a digital disc's radius by a third of a pixel or so.
            for cx, cy in (placed[k] * 16).astype(np.int32).tolist():
                cv2.circle(drawn, (cx, cy), int((size + 0.4) * 16), 1, -1, cv2.LINE_8, 4)
            both = np.count_nonzero(drawn & blob)
            iou = both / max(np.count_nonzero(drawn) + pixels - both, 1)
            if iou > best_iou + 0.02:
                best, best_iou = placed[k], iou
        if best is not None and best_iou >= 0.85:
            if len(best) >= 4 and _in_a_row(best, size, area):
                return [], False  # a thick stroke, not stickers in a queue
            if size < radius and min(cv2.minAreaRect(best)[1]) < size:
                continue  # a line of discs is a stroke, not a bunch
            return [(float(cx), float(cy), float(size)) for cx, cy in best], True
        if area < 2.5 * math.pi * (_BUNCH_SHRINK[-1] * radius) ** 2:
            break  # too small for a bunch of three
    return _peel(blob, r_min, r_max), False


def _peel(blob: np.ndarray, r_min: float, r_max: float) -> list[tuple[float, float, float]]:
    """Discs (x, y, r) that make up a blob, largest first, by taking out the biggest disc
    that fits and looking again."""
    # In a zero frame: the window's edge bounds the blob (`depth`).
    framed = cv2.copyMakeBorder(blob, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)
    circles: list[tuple[float, float, float]] = []
    while len(circles) < 12:
        _, r, _, (x, y) = cv2.minMaxLoc(cv2.distanceTransform(framed, cv2.DIST_L2, 5))
        if r < r_min or r > r_max or (circles and r < 0.55 * circles[0][2]):
            break
        circles.append((float(x - 1), float(y - 1), float(r)))
        cv2.circle(framed, (int(x), int(y)), int(round(r * 1.15)) + 1, 0, -1)
    return circles


def depth(blob: np.ndarray) -> np.ndarray:
    """Each pixel's distance from the nearest pixel off the blob, the window's edge being off it
    (OpenCV's distance transform takes what lies beyond the array for the blob: a blob cut by
    the window would hold a disc centred on its edge, as wide as the cut)."""
    framed = cv2.copyMakeBorder(blob, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)
    return cv2.distanceTransform(framed, cv2.DIST_L2, 5)[1:-1, 1:-1]


def widest_in(blob: np.ndarray) -> float:
    """The radius of the widest disc that fits in a blob, the array's edge not bounding it. It
    is at least the depth of any part of the blob (`depth` bounds it by the array's edge: less
    room, never more), and `discs` finds no disc where that depth is under its smallest radius;
    the circle it returns round a cluster can be wider, but only where the depth allows one."""
    return cv2.minMaxLoc(cv2.distanceTransform(blob, cv2.DIST_L2, 5))[1]


def _off_field(blob: np.ndarray, r_max: float) -> np.ndarray:
    """The blob without what of it is a field running out of the array (the window a dot could
    fill, or the patch) wider than any sticker: what discs wider than the widest sweep, with
    the blob taken to go on straight across each side it is cut by. A dot cut by a side holds
    no such disc (round a point of its chord fits half the chord at most), nor does a stroke
    crossing it, which is thinner; a dot on the field's edge is left."""
    g = int(r_max) + 2
    h, w = blob.shape
    # Each side's pixels drawn on straight out from it (not the corners': a dot cut by a corner
    # would fill the square beyond it), in a zero frame.
    grown = np.zeros((h + 2 * g + 2, w + 2 * g + 2), np.uint8)
    top, left = g + 1, g + 1
    grown[top : top + h, left : left + w] = blob
    grown[1:top, left : left + w] = blob[0]
    grown[top + h : -1, left : left + w] = blob[-1]
    grown[top : top + h, 1:left] = blob[:, :1]
    grown[top : top + h, left + w : -1] = blob[:, -1:]
    wide = (cv2.distanceTransform(grown, cv2.DIST_L2, 5) <= r_max).view(np.uint8)
    if wide.all():
        return blob
    # The field: what lies within the wide discs (and a pixel more, its blurred rim).
    field = cv2.distanceTransform(wide, cv2.DIST_L2, 5)[top : top + h, left : left + w]
    return blob & (field > r_max + 1.5).view(np.uint8)


def hull(blob: np.ndarray) -> np.ndarray:
    """The convex hull of a blob's biggest part, filled (uint8)."""
    outlines, _ = cv2.findContours(blob, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    hull = np.zeros_like(blob)
    cv2.fillPoly(hull, [cv2.convexHull(max(outlines, key=len))], 1)
    return hull


def _on_circle(blob: np.ndarray, x: float, y: float, r: float) -> float:
    """The share of the points of a blob's outline that lie on a circle."""
    contours, _ = cv2.findContours(blob, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    rim = max(contours, key=len)[:, 0, :].astype(np.float32)
    off = np.abs(np.hypot(rim[:, 0] - x, rim[:, 1] - y) - r)
    return float(np.count_nonzero(off < max(1.5, 0.1 * r))) / len(rim)


def _in_a_row(centres: np.ndarray, radius: float, area: float) -> bool:
    """Whether discs lie on one straight line (within a third of a radius) and their blob
    fills the band from the first to the last like a marker's stroke. Stickers stuck in a
    row leave notches between them: touching ones fill about 0.8 of that band, a beaded
    stroke about 0.87."""
    pts = np.asarray(centres, np.float32).reshape(-1, 2)
    (_, _), (w, h), _ = cv2.minAreaRect(pts)
    band = 2 * radius * max(w, h) + math.pi * radius**2
    return min(w, h) < _STROKE_LINE * radius and area > _STROKE_FILL * band


def widest(depth: np.ndarray, x: float, y: float, r: float) -> tuple[float, float, float] | None:
    """The widest disc (x, y, r) of a mask (`depth`: its distance transform) centred within
    the disc (x, y, r), if it is much wider than that disc."""
    h, w = depth.shape
    x0, y0 = max(0, int(x - r)), max(0, int(y - r))
    x1, y1 = min(w, int(x + r) + 1), min(h, int(y + r) + 1)
    within = np.zeros((y1 - y0, x1 - x0), np.uint8)
    cv2.circle(within, (int(x) - x0, int(y) - y0), max(1, int(r)), 1, -1)
    _, best, _, (bx, by) = cv2.minMaxLoc(depth[y0:y1, x0:x1], mask=within)
    if best < 1.25 * r:
        return None
    return float(bx + x0), float(by + y0), float(best)
