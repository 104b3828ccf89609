"""A glossy dot whose highlight reaches its rim (step 7): the highlight washes the dot to about
the paper's colour, and only a crescent of its colour shows round it, the dot's face
(`crescent`). A highlight as such (what a blob grows through) is highlight.py's."""

from __future__ import annotations

import math

import cv2
import numpy as np

from vision.dots.arith import FIT_POINTS, SQUARE3, SUM3, circle_through, median
from vision.dots.hidden import ARC_MISS
from vision.dots.highlight import GREYISH, LIT_RISE, WASHED_MISS

# The hull of the face fills at least this share of its enclosing circle (a half disc fills
# half), and the face at most this share of its hull (it is hollowed on one side).
_CRESCENT_ROUND, _CRESCENT_BITE = 0.45, 0.97
# At least `_CRESCENT_LIT` of what the circle holds besides the face is the face's colour with
# light added (keeping less than `_CRESCENT_KEPT` of its chroma).
_CRESCENT_LIT, _CRESCENT_KEPT = 0.6, 0.95
# The face's inner edge is at most this many times as sharp as its rim (about 0.3-0.85 on
# glossy dots, 0.75-1.3 on a letter's bowl).
_CRESCENT_SOFT = 0.85
# The face lies this much within the circle its rim draws. The same share as a dot half hidden
# under another is asked to (hidden.py): a blurred rim's pixels just outside the circle.
_CRESCENT_FIT = 0.85
# The face is at least this share of the smallest dot's disc: a highlight leaves at least a
# thick rim, and less holds too few rim points for a circle (a cheap test, asked first).
_FACE_LEAST = 0.3
# Nor is it longer than a dot's widest diameter, by this share and these pixels (the blur of
# its rim); nor does its hull's enclosing circle exceed the widest radius by that share.
_FACE_SLACK, _FACE_SLACK_PX = 1.1, 2
# A point of the rim is on the circle within this distance (pixels): a blurred rim's pixels
# wander by a pixel or so; the chord across the horns lies much further in.
_ON_CIRCLE = 2.0
# The circle holds at least this share of its disc besides the face: less is the face's own
# notches, no highlight to judge.
_OPENING_LEAST = 0.1
# The rim's edge pixels are those within `_ON_CIRCLE` of the circle, the inner edge's those
# more than `_INNER_IN` pixels inside it (clear of the rim's own blur); each needs at least
# `_EDGE_LEAST` pixels for a median.
_INNER_IN, _EDGE_LEAST = 2.5, 6
# Only on paper of about the dot's hue (within this many `WASHED_MISS` of its hue's line) is a
# highlight of about the paper's colour, and left out of the blob: elsewhere it is told from
# the paper, and is in the blob.
_PAPER_HUE = 3


def crescent(
    blob: np.ndarray,
    window: np.ndarray,
    colour: np.ndarray,
    axis: np.ndarray,
    r_min: float,
    r_max: float,
) -> tuple[float, float, float] | None:
    """The dot (x, y, r) a blob is the face of, round a glossy highlight that reaches the dot's
    rim, or none. `axis`: the way (Lab) from the paper to the blob's colour `colour`.

    The dot's colour has a hue (a grey or black crescent round something lighter is as much a
    letter's bowl: a highlight and white paper both lie towards white), and the paper is of
    about that hue. The face's outer rim (its outline where it lies on its convex hull) is an
    arc of a dot's size going at least half way round; the circle it draws holds the blob; what
    it holds besides is the dot's colour with light added (no darker, of its hue, less of its
    chroma); and the face fades into it, where its rim is a step onto the paper."""
    a, b = float(colour[1]), float(colour[2])
    if a * a + b * b <= GREYISH**2:
        return None
    pa, pb = a - float(axis[1]), b - float(axis[2])  # the paper's
    off_hue2 = (pa * b - pb * a) ** 2 / (a * a + b * b)
    if pa * a + pb * b <= 0 or off_hue2 > (_PAPER_HUE * WASHED_MISS) ** 2:
        return None
    pixels = np.count_nonzero(blob)
    bx, by, bw, bh = cv2.boundingRect(blob)
    if (
        pixels < _FACE_LEAST * math.pi * r_min * r_min
        or max(bw, bh) > _FACE_SLACK * 2 * r_max + _FACE_SLACK_PX
    ):
        return None  # too small, or too long for a dot's circle (cheap tests first)
    part = blob[by : by + bh, bx : bx + bw]
    contours, _ = cv2.findContours(
        part, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE, offset=(int(bx), int(by))
    )
    outline = max(contours, key=len)
    hull = cv2.convexHull(outline)
    hull_area = cv2.contourArea(hull)
    (_, _), enclosing = cv2.minEnclosingCircle(hull)
    # Round (a half disc fills half its enclosing circle) and hollowed on one side.
    if not (
        r_min <= enclosing <= _FACE_SLACK * r_max
        and hull_area >= _CRESCENT_ROUND * math.pi * enclosing * enclosing
        and pixels < _CRESCENT_BITE * hull_area
    ):
        return None
    # What lies in the bite between its horns is the highlight: cheap to ask before the circle.
    bite = np.zeros_like(part)
    cv2.fillPoly(bite, [hull], 1, offset=(-int(bx), -int(by)))
    bitten = window[by : by + bh, bx : bx + bw][(bite & ~part).view(bool)]
    if _lit_share(bitten, colour) < _CRESCENT_LIT:
        return None
    # The outline's points on the hull: its outer rim (and the chord across its horns). Each
    # point lies under the hull's side between the corners before and after it on the outline.
    rim = outline[:, 0, :].astype(np.float64)
    corners = np.sort(cv2.convexHull(outline, returnPoints=False)[:, 0])
    side = np.searchsorted(corners, np.arange(len(rim)), side="right") - 1  # -1: the last side
    a, b = rim[corners[side]], rim[corners[(side + 1) % len(corners)]]
    ab, ap = b - a, rim - a
    cross = ab[:, 0] * ap[:, 1] - ab[:, 1] * ap[:, 0]
    arc = rim[cross * cross < np.maximum((ab * ab).sum(axis=1), 1.0)]
    if len(arc) < FIT_POINTS:
        return None
    for _ in range(2):  # the circle through them, then through those on it (not the chord)
        x, y = arc[:, 0], arc[:, 1]
        cx, cy, r2 = circle_through(x, y)
        if r2 <= 0:
            return None
        on = np.abs(np.hypot(x - cx, y - cy) - math.sqrt(r2)) < _ON_CIRCLE
        if np.count_nonzero(on) < FIT_POINTS:
            return None
        arc = arc[on]
    # `x, y` are still the points the last circle was fitted to, the one or two its `on` just
    # left out among them, and the miss and the half-way-round test are asked of those: left as
    # it is on purpose. Asked of `arc` alone, every point is within `_ON_CIRCLE` of the circle,
    # so their mean miss is always under `ARC_MISS` and that test means nothing.
    miss = np.abs(np.hypot(x - cx, y - cy) - math.sqrt(r2))
    r = math.sqrt(r2) + 0.5  # the outline runs through the middles of the rim's pixels
    if not r_min <= r <= r_max or np.mean(miss) > ARC_MISS:
        return None
    angles = np.sort(np.arctan2(y - cy, x - cx))
    if np.max(np.diff(np.append(angles, angles[0] + 2 * math.pi))) > math.pi:
        return None  # less than half way round
    # Only the circle's box (and a few pixels for the gradient) is looked at from here on.
    h, w = blob.shape
    x0, y0 = max(0, int(cx - r) - 4), max(0, int(cy - r) - 4)
    x1, y1 = min(w, int(cx + r) + 5), min(h, int(cy + r) + 5)
    blob, window = blob[y0:y1, x0:x1], window[y0:y1, x0:x1]
    cx, cy = cx - x0, cy - y0
    centre = (int(round(cx * 16)), int(round(cy * 16)))
    disc, grown = np.zeros_like(blob), np.zeros_like(blob)
    cv2.circle(disc, centre, int(r * 16), 1, -1, cv2.LINE_8, 4)
    cv2.circle(grown, centre, int((r + 1) * 16), 1, -1, cv2.LINE_8, 4)
    if np.count_nonzero(grown & blob) < _CRESCENT_FIT * pixels:
        return None
    opening = window[(disc & ~blob).view(bool)]
    if (
        len(opening) < _OPENING_LEAST * np.count_nonzero(disc)
        or _lit_share(opening, colour) < _CRESCENT_LIT
    ):
        return None
    # The face fades into a highlight (a soft patch of light), and its rim is a step onto the
    # paper: its inner edge is much softer than its rim. Ink's two edges are alike.
    g2 = cv2.transform(
        cv2.Sobel(window, cv2.CV_32F, 1, 0) ** 2 + cv2.Sobel(window, cv2.CV_32F, 0, 1) ** 2, SUM3
    )
    ys, xs = np.nonzero(blob - cv2.erode(blob, SQUARE3))
    dist = np.hypot(xs - cx, ys - cy)
    outer, inside = np.abs(dist - r) < _ON_CIRCLE, dist < r - _INNER_IN
    if np.count_nonzero(inside) < _EDGE_LEAST or np.count_nonzero(outer) < _EDGE_LEAST:
        return None
    if median(g2[ys[inside], xs[inside]]) > _CRESCENT_SOFT**2 * median(g2[ys[outer], xs[outer]]):
        return None
    return cx + x0, cy + y0, r


def _lit_share(px: np.ndarray, colour: np.ndarray) -> float:
    """The share of pixels (Lab, n x 3) that are a colour (not greyish: `crescent` asks first)
    with light added, as a highlight adds the lamp's: no darker (under noise), of its hue, with
    less of its chroma.

    The same model as `highlight.lit`'s, with limits of its own: it is asked of all that a
    crescent's circle holds besides the face (the blurred band where the face fades into the
    highlight too), and of a share of it, where `lit` is asked of each pixel a blob grows
    through. So: no darker than the dot by `LIT_RISE`, where `lit` asks it lighter by that
    (the band is about the face's lightness); off the hue's line by twice `WASHED_MISS`, not
    once (the highlight is about the paper's colour, which `crescent` lets lie three times off
    the dot's hue); any share of the chroma below `_CRESCENT_KEPT`, down to none, where `lit`
    keeps its share above 0.1. `lit`'s lightness limit is fixed (a rise of `LIT_RISE`), so
    this stays a function of its own."""
    if not len(px):
        return 0.0
    a, b = float(colour[1]), float(colour[2])
    n2 = a * a + b * b
    pa, pb = px[:, 1], px[:, 2]
    kept = (pa * a + pb * b) / n2
    # The squared distance from the hue's line (through grey), for any chroma along it.
    orth2 = (pa * b - pb * a) ** 2 / n2
    lit = (
        (kept > 0)
        & (kept < _CRESCENT_KEPT)
        & (orth2 < (2 * WASHED_MISS) ** 2)
        & (px[:, 0] > colour[0] - LIT_RISE)
    )
    return np.count_nonzero(lit) / len(px)
