"""Dots that show only in part: one half hidden under a dot found already (step 6), and the
face of a glossy dot round a highlight that reaches its rim, a crescent (step 7)."""

from __future__ import annotations

import math

import cv2
import numpy as np

from vision.dots.arith import SQUARE3, SUM3, median
from vision.dots.highlight import LIT_RISE, WASHED_MISS

# A dot half hidden under another (`hidden_disc`). Its crescent is seeded down to this share
# of the smallest dot's radius deep: people overlap dots by at most about a radius, which
# leaves about half a radius showing.
HIDDEN_DEPTH = 0.5
# Its free rim lies within this mean distance (pixels) of a circle: a blurred rim's pixels
# wander by a pixel or so, a stroke's outline by much more.
_ARC_MISS = 2.0
# The free rim leaves no gap wider than this angle (and 2.5 pixels more at either end: the two
# left out beside the dot over it, and the seam): people overlap dots by at most about a
# radius, so a dot under another shows at least two thirds of its rim; ink beside a dot
# leaves a wider gap.
_HIDDEN_ARC = 2 * math.pi / 3
# Its blob and the dot over it fill this share of the circle, and the blob lies this much
# within it.
_HIDDEN_FIT = 0.85
# The dot over it hides this share of it: some (they touch), but not much more than the lens
# two dots a diameter and a half apart share with the seam round it (people leave most of a
# dot showing; ink beside a dot often fits the arc with much more of it "hidden").
_HIDDEN_UNDER = (0.03, 0.3)
# What only shows in part must score this much to be a dot: ink beside a dot fits the arc
# now and then, and scores just above 0 on what shows.
HIDDEN_MARGIN = 1.0
# A dot's face round a highlight that reaches its rim (`crescent`): the hull of the face fills
# at least this share of its enclosing circle (a half disc fills half), and the face at most this
# share of its hull; at least `_CRESCENT_LIT` of what the circle holds besides is the face's colour
# with light added (keeping less than `_CRESCENT_KEPT` of its chroma); the face's inner edge is
# at most `_CRESCENT_SOFT` times as sharp as its rim (about 0.3-0.85 on glossy dots, 0.75-1.3 on
# a letter's bowl). What shows must score this much to be a dot: a smudge of letters in ink of
# the paper's hue, round, with the paper in its bite, scores about 5 on what shows (on a real
# photo: 4.8); the face of a glossy dot, 6 to 11 on the benchmark's walls (a few about 4).
_CRESCENT_ROUND, _CRESCENT_BITE = 0.45, 0.97
_CRESCENT_LIT, _CRESCENT_KEPT, _CRESCENT_SOFT = 0.6, 0.95, 0.85
CRESCENT_MARGIN = 5.0


def hidden_disc(
    blob: np.ndarray, claimed: np.ndarray, r_min: float, r_max: float
) -> list[tuple[float, float, float]]:
    """The dot (x, y, r) a blob is the visible part of, where a dot found already (`claimed`:
    its blob) lies over the rest, or none. The blob's own rim, away from the dot over it, must
    be an arc of a dot's size going most of the way round (a dot under another still shows
    most of its rim), and the disc it draws must be the blob and the dot over it: a letter's
    stroke or a drawn ring beside a dot is not."""
    if np.count_nonzero(blob) < 0.5 * math.pi * r_min * r_min:
        return []  # less than half of the smallest dot shows
    x, y, w, h = cv2.boundingRect(blob)
    if not claimed[max(0, y - 3) : y + h + 3, max(0, x - 3) : x + w + 3].any():
        return []  # no dot found next to it
    near = cv2.dilate(claimed, SQUARE3, iterations=2)
    contours, _ = cv2.findContours(blob, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    rim = max(contours, key=len)[:, 0, :]
    rim = rim[near[rim[:, 1], rim[:, 0]] == 0].astype(np.float64)
    if len(rim) < 12:
        return []
    x, y = rim[:, 0], rim[:, 1]
    # The circle through the rim's points, by least squares: x² + y² + D x + E y + F = 0.
    design = np.column_stack([x, y, np.ones_like(x)])
    _, (d, e, f) = cv2.solve(
        design.T @ design, (design.T @ -(x * x + y * y)).reshape(3, 1), flags=cv2.DECOMP_LU
    )
    cx, cy = -0.5 * float(d[0]), -0.5 * float(e[0])
    r2 = cx * cx + cy * cy - float(f[0])
    if r2 <= 0:
        return []
    r = math.sqrt(r2)
    if not r_min <= r + 0.5 <= r_max or np.mean(np.abs(np.hypot(x - cx, y - cy) - r)) > _ARC_MISS:
        return []
    angles = np.sort(np.arctan2(y - cy, x - cx))
    # The seam between the two (and the pixels left out next to the dot over it) widens the gap.
    if np.max(np.diff(np.append(angles, angles[0] + 2 * math.pi))) > _HIDDEN_ARC + 5.0 / r:
        return []  # too little of its rim shows
    r += 0.5  # the outline runs through the middles of the rim's pixels
    ix, iy = int(round(cx)), int(round(cy))
    if 0 <= iy < blob.shape[0] and 0 <= ix < blob.shape[1] and claimed[iy, ix]:
        return []  # more than half hidden: people leave more of a dot showing
    centre = (int(round(cx * 16)), int(round(cy * 16)))
    disc, grown = np.zeros_like(blob), np.zeros_like(blob)
    cv2.circle(disc, centre, int(r * 16), 1, -1, cv2.LINE_8, 4)
    cv2.circle(grown, centre, int((r + 1) * 16), 1, -1, cv2.LINE_8, 4)
    n = np.count_nonzero(disc)
    shown = np.count_nonzero(grown & blob)
    # The seam between the two blobs (a blurred mix of both colours) is under the dot over it.
    under = np.count_nonzero(disc & near & ~blob)
    if (
        shown < _HIDDEN_FIT * np.count_nonzero(blob)
        or np.count_nonzero(disc & blob) + under < _HIDDEN_FIT * n
        or not _HIDDEN_UNDER[0] * n <= under <= _HIDDEN_UNDER[1] * n
    ):
        return []
    return [(cx, cy, r)]


def crescent(
    blob: np.ndarray, window: np.ndarray, colour: np.ndarray, r_min: float, r_max: float
) -> tuple[float, float, float] | None:
    """The dot (x, y, r) a blob is the face of, round a glossy highlight that reaches the dot's
    rim, or none. The face's outer rim (its outline where it lies on its convex hull) is an arc
    of a dot's size going at least half way round; the circle it draws holds the blob; what it
    holds besides is the dot's colour with light added (no darker, of its hue, less of its
    chroma); and the face fades into it, where its rim is a step onto the paper."""
    pixels = np.count_nonzero(blob)
    bx, by, bw, bh = cv2.boundingRect(blob)
    if pixels < 0.3 * math.pi * r_min * r_min or max(bw, bh) > 2.2 * r_max + 2:
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
        r_min <= enclosing <= 1.1 * r_max
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
    if len(arc) < 12:
        return None
    for _ in range(2):  # the circle through them, then through those on it (not the chord)
        x, y = arc[:, 0], arc[:, 1]
        design = np.column_stack([x, y, np.ones_like(x)])
        _, (d, e, f) = cv2.solve(
            design.T @ design, (design.T @ -(x * x + y * y)).reshape(3, 1), flags=cv2.DECOMP_LU
        )
        cx, cy = -0.5 * float(d[0]), -0.5 * float(e[0])
        r2 = cx * cx + cy * cy - float(f[0])
        if r2 <= 0:
            return None
        on = np.abs(np.hypot(x - cx, y - cy) - math.sqrt(r2)) < 2.0
        if np.count_nonzero(on) < 12:
            return None
        arc = arc[on]
    miss = np.abs(np.hypot(x - cx, y - cy) - math.sqrt(r2))
    r = math.sqrt(r2) + 0.5  # the outline runs through the middles of the rim's pixels
    if not r_min <= r <= r_max or np.mean(miss) > _ARC_MISS:
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
    if np.count_nonzero(grown & blob) < _HIDDEN_FIT * pixels:
        return None
    opening = window[(disc & ~blob).view(bool)]
    if len(opening) < 0.1 * np.count_nonzero(disc) or _lit_share(opening, colour) < _CRESCENT_LIT:
        return None
    # The face fades into a highlight (a soft patch of light), and its rim is a step onto the
    # paper: its inner edge is much softer than its rim. Ink's two edges are alike.
    g2 = cv2.transform(
        cv2.Sobel(window, cv2.CV_32F, 1, 0) ** 2 + cv2.Sobel(window, cv2.CV_32F, 0, 1) ** 2, SUM3
    )
    ys, xs = np.nonzero(blob - cv2.erode(blob, SQUARE3))
    dist = np.hypot(xs - cx, ys - cy)
    outer, inside = np.abs(dist - r) < 2.0, dist < r - 2.5
    if np.count_nonzero(inside) < 6 or np.count_nonzero(outer) < 6:
        return None
    if median(g2[ys[inside], xs[inside]]) > _CRESCENT_SOFT**2 * median(g2[ys[outer], xs[outer]]):
        return None
    return cx + x0, cy + y0, r


def _lit_share(px: np.ndarray, colour: np.ndarray) -> float:
    """The share of pixels (Lab, n x 3) that are a colour with light added, as a highlight adds
    the lamp's: no darker (under noise), of its hue, with less of its chroma."""
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
