"""A dot half hidden under a dot found already, showing only in part (step 6). (A glossy dot
showing only as a crescent round its highlight is gloss.py's.)"""

from __future__ import annotations

import math

import cv2
import numpy as np

from vision.dots.arith import FIT_POINTS, SQUARE3, circle_through

# A dot half hidden under another (`hidden_disc`). Its crescent is seeded down to this share
# of the smallest dot's radius deep: people overlap dots by at most about a radius, which
# leaves about half a radius showing.
HIDDEN_DEPTH = 0.5
# Its free rim lies within this mean distance (pixels) of a circle: a blurred rim's pixels
# wander by a pixel or so, a stroke's outline by much more. (A glossy dot's outer rim too.)
ARC_MISS = 2.0
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
    if len(rim) < FIT_POINTS:
        return []
    x, y = rim[:, 0], rim[:, 1]
    cx, cy, r2 = circle_through(x, y)
    if r2 <= 0:
        return []
    r = math.sqrt(r2)
    if not r_min <= r + 0.5 <= r_max or np.mean(np.abs(np.hypot(x - cx, y - cy) - r)) > ARC_MISS:
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
