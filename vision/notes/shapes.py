"""Small measures of quads and colours that every part of the note finder shares."""

from __future__ import annotations

import math

import cv2
import numpy as np

# The longest sticky note is 3 x 5 in (1.67:1); with perspective, up to about 1.9:1.
_MAX_ASPECT = 1.9
# How far a note may be turned from the wall's typical note, in degrees.
_MAX_TURN = 20.0
# Lab distance under which a region is the wall's colour.
_WALL_DELTA_E = 8.0
# A note grown so may overlap a neighbour by this share at most; the neighbours' size is
# the median of this many at least, within this many notes of it (else the typical note).
_OVERLAP_GROWN = 0.1
_NEIGHBOURS = 3
_NEAR = 3.0
# From OpenCV's 8-bit Lab to L 0..100 and signed a, b.
_LAB8_SCALE = np.array([100 / 255, 1.0, 1.0])
_LAB8_OFFSET = np.array([0.0, 128.0, 128.0])
_SUM_L1 = np.float32([[100 / 255, 1.0, 1.0]])  # 8-bit L is stretched to 0..255
# A quad's corners, each one's neighbours (np.roll costs more than the arithmetic).
_PREV = [3, 0, 1, 2]
_NEXT = [1, 2, 3, 0]


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of two convex polygons."""
    inter, _ = cv2.intersectConvexConvex(a, b)
    union = cv2.contourArea(a) + cv2.contourArea(b) - inter
    return inter / union if union > 0 else 0.0


def downscale(image: np.ndarray, long_side: int) -> tuple[np.ndarray, float]:
    """A copy whose long side is at most `long_side`, and the factor applied."""
    h, w = image.shape[:2]
    factor = min(1.0, long_side / max(h, w))
    if factor >= 1.0:
        return image, 1.0
    size = (max(1, round(w * factor)), max(1, round(h * factor)))
    if factor > 0.5:  # a mild shrink: interpolation aliases little, at a fraction of the cost
        return cv2.resize(image, size, interpolation=cv2.INTER_LINEAR), size[0] / w
    # Nearest-neighbour to twice the target first, then averaging 2x2 blocks: averaging all
    # of a 12 MP photo costs more than the rest of the search, and the second step still
    # smooths what the first one skipped.
    half = cv2.resize(image, (2 * size[0], 2 * size[1]), interpolation=cv2.INTER_NEAREST)
    return cv2.resize(half, size, interpolation=cv2.INTER_AREA), size[0] / w


def _corners(quad: np.ndarray) -> np.ndarray:
    """How far each of the quad's corners is from square, as |cos| of its angle."""
    u = quad[_PREV] - quad
    v = quad[_NEXT] - quad
    lengths = np.maximum(np.hypot(u[:, 0], u[:, 1]) * np.hypot(v[:, 0], v[:, 1]), 1e-9)
    return np.minimum(np.abs((u * v).sum(axis=1)) / lengths, 1.0)


def _corners_square(quad: np.ndarray, tolerance_degrees: float = 60.0) -> bool:
    """Whether every corner is within `tolerance_degrees` of a right angle."""
    return bool(np.all(_corners(quad) <= np.sin(np.radians(tolerance_degrees))))


def _skew(quad: np.ndarray) -> float:
    """How far the quad's worst corner is from square, in degrees."""
    return float(np.degrees(np.arcsin(_corners(quad).max())))


def _unparallel(quad: np.ndarray) -> float:
    """How far the quad's opposite sides are from parallel, the worse pair, in degrees."""
    a = _side_angles(quad)
    d = np.abs(np.array([a[0] - a[2], a[1] - a[3]]))
    return float(np.minimum(d, 90.0 - d).max())


def _cyclic(points) -> np.ndarray:
    """A convex quad's corners, given in order round it either way, as `order_quad` gives
    them (clockwise from the top-left), for a fraction of its cost."""
    # In plain floats (numpy costs more on four points), summed in numpy's order.
    q = np.asarray(points, dtype=np.float64).reshape(4, 2).tolist()
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = q
    if (x0 * y1 - x1 * y0) + (x1 * y2 - x2 * y1) + (x2 * y3 - x3 * y2) + (x3 * y0 - x0 * y3) < 0:
        q.reverse()
    sums = [x + y for x, y in q]
    start = sums.index(min(sums))
    return np.array(q[start:] + q[:start])


def _ordered(points) -> np.ndarray:
    """Four corners as `vision.geometry.order_quad` orders them (clockwise from the top-left),
    the same floats, for a fraction of its cost: its centre and angles and their order by
    numpy as there (ties too; a centre summed in plain floats can differ in the sign of a zero,
    which turns an angle from pi to -pi), the rest in plain floats."""
    pts = np.asarray(points, dtype=np.float64).reshape(4, 2)
    rows = pts.tolist()
    cx, cy = pts.mean(axis=0)
    rows = [rows[i] for i in np.argsort(np.arctan2(pts[:, 1] - cy, pts[:, 0] - cx)).tolist()]
    sums = [x + y for x, y in rows]
    start = sums.index(min(sums))
    return np.array(rows[start:] + rows[:start])


def _is_strip(quad: np.ndarray) -> bool:
    """Longer than any note: found as a strip, what shows of a note mostly covered."""
    return not 1 / _MAX_ASPECT <= _aspect(quad) <= _MAX_ASPECT


def _pixels_inside(quad: np.ndarray, lab8: np.ndarray, step: int = 1) -> np.ndarray:
    """Every `step`-th pixel each way inside a quad (8-bit Lab, n x 3)."""
    h, w = lab8.shape[:2]
    x0, y0 = np.clip(np.floor(quad.min(axis=0)).astype(int), 0, (w, h))
    x1, y1 = np.clip(np.ceil(quad.max(axis=0)).astype(int) + 1, 0, (w, h))
    window = lab8[y0:y1, x0:x1]
    mask = np.zeros(window.shape[:2], np.uint8)
    cv2.fillConvexPoly(mask, np.round(quad - (x0, y0)).astype(np.int32), 1)
    return window[::step, ::step][mask[::step, ::step] > 0]


def _paper_lab(quad: np.ndarray, lab8: np.ndarray, step: int = 1):
    """The median colour (L 0..100, signed a, b) inside a quad, its paper (writing and dots
    are the lesser part), from every `step`-th pixel each way; None if it holds no pixel."""
    return _median_lab(_pixels_inside(quad, lab8, step))


def _median_lab(picked: np.ndarray):
    """The median colour (L 0..100, signed a, b) of 8-bit Lab pixels (n x 3); None if none."""
    if not len(picked):
        return None
    colour = (np.median(picked, axis=0) - _LAB8_OFFSET) * _LAB8_SCALE
    return tuple(float(v) for v in colour)


def _area(quad: np.ndarray) -> float:
    return float(cv2.contourArea(quad.astype(np.float32)))


def _neighbourhood(quads: list) -> tuple[np.ndarray, np.ndarray]:
    """Each quad's (width, height), and the distances between their centres (n x n)."""
    centres = np.array([q.mean(axis=0) for q in quads])
    sides = np.array([_sides(q) for q in quads])
    return sides, np.hypot(*(centres[:, None, :] - centres[None, :, :]).transpose(2, 0, 1))


def _grow(quad: np.ndarray, pixels: float) -> np.ndarray:
    """Push each side outwards, undoing the pixel or two the edge map eats from each side."""
    centre = quad.mean(axis=0)
    w, h = _sides(quad)
    ux = quad[1] - quad[0]
    ux = ux / (np.linalg.norm(ux) or 1.0)
    uy = np.array([-ux[1], ux[0]])
    rel = quad - centre
    u = (rel @ ux) * (1 + 2 * pixels / max(w, 1.0))
    v = (rel @ uy) * (1 + 2 * pixels / max(h, 1.0))
    return centre + np.outer(u, ux) + np.outer(v, uy)


def _sides(quad) -> tuple[float, float]:
    """Mean width and height of a quad, as `vision.geometry.quad_sides` gives them, for a
    fraction of its cost (it is asked thousands of times per photo)."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = quad.tolist()
    w = (math.hypot(x1 - x0, y1 - y0) + math.hypot(x2 - x3, y2 - y3)) / 2
    h = (math.hypot(x3 - x0, y3 - y0) + math.hypot(x2 - x1, y2 - y1)) / 2
    return w, h


def _delta_e(a, b) -> float:
    return math.dist(a, b)


def _aspect(quad: np.ndarray) -> float:
    w, h = _sides(quad)
    return w / max(h, 1e-6)


def _side_angles(quad: np.ndarray) -> np.ndarray:
    """The directions of a quad's four sides, in degrees, each folded into [-45, 45)."""
    d = quad[_NEXT] - quad
    return (np.degrees(np.arctan2(d[:, 1], d[:, 0])) + 45.0) % 90.0 - 45.0


def _angle(quad: np.ndarray) -> float:
    """The direction of a quad's top side, in degrees, folded into [-45, 45)."""
    dx, dy = quad[1] - quad[0]
    return (float(np.degrees(np.arctan2(dy, dx))) + 45.0) % 90.0 - 45.0


def _overlap(a: np.ndarray, b: np.ndarray) -> float:
    """The area two convex quads share, over the smaller one's."""
    a, b = a.astype(np.float32), b.astype(np.float32)
    # Most pairs asked about are far apart (every note against every other): boxes apart
    # share nothing, without the polygons' intersection.
    (ax, ay), (bx, by) = a.reshape(-1, 2).T.tolist(), b.reshape(-1, 2).T.tolist()
    if max(ax) < min(bx) or max(bx) < min(ax) or max(ay) < min(by) or max(by) < min(ay):
        return 0.0
    inter, _ = cv2.intersectConvexConvex(a, b)
    return inter / max(min(cv2.contourArea(a), cv2.contourArea(b)), 1e-6)


def _boxes(quads: list) -> np.ndarray:
    """Each quad's bounding box (x0, y0, x1, y1), a pixel bigger all round (more than the
    rounding of `_overlap`'s float32 moves a corner)."""
    if not quads:
        return np.zeros((0, 4))
    points = np.stack([np.asarray(q, dtype=np.float64).reshape(-1, 2) for q in quads])
    return np.concatenate([points.min(axis=1) - 1.0, points.max(axis=1) + 1.0], axis=1)


def _meeting(quad: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """The indices (in order) of the `boxes` (see `_boxes`) that the quad's box meets: the
    only quads it can overlap (`_overlap` of any other is 0) or hold the centre of, or
    have its centre held by (`_contains`)."""
    points = np.asarray(quad, dtype=np.float64).reshape(-1, 2)
    (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
    return np.flatnonzero(
        (boxes[:, 2] >= x0) & (x1 >= boxes[:, 0]) & (boxes[:, 3] >= y0) & (y1 >= boxes[:, 1])
    )


def _contains(outer: np.ndarray, inner: np.ndarray) -> bool:
    """Whether `inner`'s centre lies inside `outer` (a cheap box test first: walls with a
    hundred notes ask this for every pair)."""
    xs, ys = inner.T.tolist()  # plain floats: numpy's reductions cost more on four points
    cx, cy = sum(xs) / len(xs), sum(ys) / len(ys)
    xs, ys = outer.T.tolist()
    if not (min(xs) < cx < max(xs) and min(ys) < cy < max(ys)):
        return False
    poly = outer.astype(np.float32).reshape(-1, 1, 2)
    return cv2.pointPolygonTest(poly, (cx, cy), False) > 0


def _weighted_median(values, weights) -> float:
    order = np.argsort(values)
    v = np.asarray(values, dtype=np.float64)[order]
    cw = np.cumsum(np.asarray(weights, dtype=np.float64)[order])
    return float(v[np.searchsorted(cw, cw[-1] / 2)])
