"""Blobs grown from seeds (step 3): from a core's middle, its colour followed outwards within
the thick parts, with its holes filled where they are small or a highlight; what a blob of ink
blurs into; and the parts of a mask, each with its box."""

from __future__ import annotations

import math

import cv2
import numpy as np

from vision.dots.arith import CHROMA2, PAPER_WEIGHTS, SQUARE3, median
from vision.dots.highlight import GREYISH, lit, washed
from vision.dots.paper import along

# A dot's blob: pixels within this share of the dot's distance from the paper of its colour.
_BLOB_TOL, _BLOB_TOL_MIN, _BLOB_TOL_MAX = 0.3, 8.0, 18.0
# The seed's colour is the median within this share of the core's depth round it: inside the
# dot, clear of its blurred rim.
_SEED_PROBE = 0.6
# A blob less than this share of the core's disc round its seed lost its middle to a highlight
# (a whole dot covers that disc): its colour is then the darker half within `_DARK_PROBE` of
# the depth (wide enough to reach round a highlight), and the blob that gives is taken if it is
# `DARK_GAIN` times as big (the dot's face round the highlight, not a few pixels more).
SHORT_BLOB, _DARK_PROBE, DARK_GAIN = 0.6, 0.85, 1.3
# Where fewer than this share of the pixels round a seed are of about their median colour, the
# median is a mix of two things that meet there, not the colour of either (`_of_two`).
_MIXED = 0.4
# A big hole in a blob at least this share of which is the dot's colour washed out is a
# highlight, not a letter's bowl.
_HOLE_LIT = 0.5


def parts(mask: np.ndarray) -> tuple[np.ndarray, dict[int, tuple[int, int, int, int]]]:
    """The 8-connected parts of a mask: their labels, and each label's box (x, y, w, h).

    The boxes come from each part's outside outline (a part in another's hole has one too):
    OpenCV's own statistics cost several times more than the labelling."""
    _, labels = cv2.connectedComponents(mask, connectivity=8)
    outlines, hierarchy = cv2.findContours(mask, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    boxes = {}
    if outlines:
        for i in np.flatnonzero(hierarchy[0][:, 3] < 0):  # outside outlines, not holes'
            x, y = outlines[i][0, 0]
            boxes[int(labels[y, x])] = cv2.boundingRect(outlines[i])
    return labels, boxes


def colour_blob(
    window: np.ndarray,
    wmodel: np.ndarray,
    off: tuple[np.ndarray, np.ndarray],
    diff2: np.ndarray,
    allowed: np.ndarray,
    seed: tuple[int, int],
    depth: float,
    paper: np.ndarray,
    darker: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The blob of the seed's own colour around it: the dot (or overlapping dots of one colour),
    without the ink of other colours it sits on, and with any part of it beyond the note's edge.

    Returns the blob (uint8, small holes filled: a glossy highlight), the seed's colour, the
    way from the paper to that colour (Lab), and what is loosely of that colour (uint8).
    `darker`: the seed's colour is that of the darker half round it (a glossy highlight, lighter
    than the dot's face, can cover the dot's middle).
    """
    sx, sy = seed
    r = max(1, int(depth * (_DARK_PROBE if darker else _SEED_PROBE)))
    around = (slice(max(0, sy - r), sy + r + 1), slice(max(0, sx - r), sx + r + 1))
    probe = window[around].reshape(-1, 3)
    if darker:
        probe = probe[np.argsort(probe[:, 0])[: max(1, len(probe) // 2)]]
    colour = median(probe)
    tolerance = _tolerance(colour, paper)
    square, distance2 = _distance2(window, colour)
    if not darker and (
        np.count_nonzero(distance2[around] < tolerance * tolerance) < _MIXED * len(probe)
    ):
        one = _of_two(probe, paper)
        if one is not None:
            colour, tolerance = one, _tolerance(one, paper)
            square, distance2 = _distance2(window, colour)
            seed = _nearest(distance2[around] < tolerance * tolerance, around, seed)
            sx, sy = seed
    # Near the dot's colour, and nearer it than the paper's (a faint yellow dot on a canary note
    # never runs out into the paper) ...
    same = distance2 < np.minimum(diff2, tolerance * tolerance)
    # Loosely of that colour: of about its hue and chroma, however light or dark (its own
    # shaded side, a highlight's rim).
    loose = cv2.transform(square, CHROMA2) < (1.25 * tolerance) ** 2
    # ... or more than half way from the paper to the dot's colour, and on the way there: the
    # dot's own blurred edge up to its middle, so the blob is as big as the dot.
    axis = colour - wmodel[sy, sx]
    n2 = float(axis @ axis)
    if n2 > 1:
        t, orth2 = along(off[0], off[1], axis, n2)
        tol = max(_BLOB_TOL_MIN, 0.25 * math.sqrt(n2))
        same |= (t > 0.5) & (orth2 < tol * tol)
    if darker and colour[1] ** 2 + colour[2] ** 2 > GREYISH**2:
        # ... or that colour washed out: the highlight, on a coloured dot; unless the paper
        # itself lies that way (a lighter shade of the dot's colour).
        if not lit(wmodel[sy : sy + 1, sx : sx + 1], colour, 3 * tolerance, (0.0, 1.0))[0, 0]:
            same |= lit(window, colour, tolerance, (0.0, 1.0), wmodel[..., 0])
    same = cv2.morphologyEx((same & allowed).view(np.uint8), cv2.MORPH_CLOSE, SQUARE3)
    blob = np.zeros(window.shape[:2], np.uint8)
    if same[sy, sx]:
        # The seed's own 8-connected part (filling it costs less than labelling every part).
        cv2.floodFill(same, None, (int(sx), int(sy)), 2, 0, 0, 8)
        blob = (same == 2).view(np.uint8)
    if darker:
        near_face = distance2 < tolerance * tolerance
        blob |= _round_highlight(window, wmodel, same, near_face, colour, around, seed)
    if not blob.any():
        cv2.circle(blob, (sx, sy), r, 1, -1)
        return blob, colour, axis, loose.view(np.uint8)
    return _fill_holes(blob, window, colour, allowed), colour, axis, loose.view(np.uint8)


def _round_highlight(
    window: np.ndarray,
    paper: np.ndarray,
    same: np.ndarray,
    face: np.ndarray,
    colour: np.ndarray,
    around: tuple[slice, slice],
    seed: tuple[int, int],
) -> np.ndarray:
    """The dot's face round a highlight at the seed, with the highlight, where the seed's colour
    was the highlight's (or a mix of it and the face): on a dot of about the paper's colour, the
    two are parted by a ring that is neither (the highlight blurred into the face, of neither's
    colour). The face is the part of `same` (its parts not yet taken: 1) of the face's colour
    (`face`: near `colour`) nearest the seed; it is taken if the seed lies in a hole of it and
    that hole is the face's colour washed out, however little lighter (the dot is about as
    light as the paper, the lamp's reflection hardly lighter still), but more than a mix of
    the face and the paper would be (`paper`: its colour there): the highlight, not a dot of
    another colour ringed by ink of this one. Empty where there is no such face (uint8)."""
    sx, sy = seed
    found = np.zeros(same.shape, np.uint8)
    ring = (same[around] == 1) & face[around]
    if not ring.any():
        return found
    x, y = _nearest(ring, around, seed)
    mask = np.zeros((same.shape[0] + 2, same.shape[1] + 2), np.uint8)
    cv2.floodFill(same, mask, (x, y), 3, 0, 0, 8 | cv2.FLOODFILL_MASK_ONLY | (1 << 8))
    part = mask[1:-1, 1:-1]
    if part[sy, sx]:
        return found  # the seed's own part: nothing round it
    outlines, _ = cv2.findContours(part, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    cv2.drawContours(found, outlines, -1, 1, -1)
    if not found[sy, sx]:
        return np.zeros_like(found)  # the seed lies beside it, not inside
    # The hole round the seed (with anything in it), and the face.
    hole = cv2.subtract(found, part)
    inner = np.zeros((same.shape[0] + 2, same.shape[1] + 2), np.uint8)
    cv2.floodFill(hole, inner, (sx, sy), 1, 0, 0, 8 | cv2.FLOODFILL_MASK_ONLY | (1 << 8))
    inner = inner[1:-1, 1:-1]
    if not washed(median(window[inner > 0]), colour, rise=0.0, paper_l=float(paper[sy, sx, 0])):
        return np.zeros_like(found)
    return cv2.bitwise_or(part, inner)


def _nearest(
    mask: np.ndarray, around: tuple[slice, slice], seed: tuple[int, int]
) -> tuple[int, int]:
    """The pixel (x, y) of `mask` (the pixels `around` a seed) nearest the seed, or the seed.
    Where two things meet (`_of_two`), the seed can lie on their blurred boundary, a mix of
    both: the blob of the one followed grows from its own pixels next to it."""
    ys, xs = np.nonzero(mask)
    if not len(ys):
        return seed
    ys, xs = ys + around[0].start, xs + around[1].start
    k = int(np.argmin((xs - seed[0]) ** 2 + (ys - seed[1]) ** 2))
    return int(xs[k]), int(ys[k])


def _tolerance(colour: np.ndarray, paper: np.ndarray) -> float:
    """How near the dot's colour a pixel of its blob is (Lab): a share of its distance from the
    paper, so a faint dot's blob does not run out into the paper."""
    away = colour - paper
    return min(max(_BLOB_TOL * math.sqrt(float(away @ away)), _BLOB_TOL_MIN), _BLOB_TOL_MAX)


def _distance2(window: np.ndarray, colour: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each pixel's squared offset from `colour` (Lab, per channel), and its weighted sum."""
    delta = cv2.subtract(window, (float(colour[0]), float(colour[1]), float(colour[2]), 0.0))
    square = cv2.multiply(delta, delta)
    return square, cv2.transform(square, PAPER_WEIGHTS)


def _of_two(probe: np.ndarray, paper: np.ndarray) -> np.ndarray | None:
    """The colour of the bigger of two things round a seed (`probe`: its pixels, Lab), whose
    median is neither (`_MIXED`): a dot on a stroke of other ink, seeded where the two meet
    (the core is deepest there) takes the colour of neither, and its blob is neither; or None.
    Not where the two are one dot's face and its highlight, nor a colour and its mix with the
    paper (ink's blurred edge): those are one thing, which the median stands for."""
    # Two means, from the pixel farthest from the median and the one farthest from that.
    d = probe - median(probe)
    a = probe[np.argmax((d * d).sum(1))]
    b = probe[np.argmax(((probe - a) ** 2).sum(1))]
    for _ in range(4):
        nearer_a = ((probe - a) ** 2).sum(1) < ((probe - b) ** 2).sum(1)
        if nearer_a.all() or not nearer_a.any():
            return None
        a, b = median(probe[nearer_a]), median(probe[~nearer_a])
    if washed(a, b) or washed(b, a) or _mix(a, b, paper) or _mix(b, a, paper):
        return None
    return a if 2 * np.count_nonzero(nearer_a) >= len(probe) else b


def _mix(mix: np.ndarray, colour: np.ndarray, paper: np.ndarray) -> bool:
    """Whether `mix` lies on the way from the paper to `colour` (as `kin` asks of pixels)."""
    axis = colour - paper
    n2 = float(axis @ axis)
    if n2 <= 1:
        return False
    d = mix - paper
    t = float(d @ axis) / n2
    tol = max(_BLOB_TOL_MIN, 0.25 * math.sqrt(n2))
    return 0 < t < 1 and float(d @ d) - t * t * n2 < tol * tol


def _fill_holes(
    mask: np.ndarray, window: np.ndarray, colour: np.ndarray, allowed: np.ndarray
) -> np.ndarray:
    """Fill the holes of a dot's blob that are small, or that are mostly its colour washed
    towards white (`window`: Lab; `allowed`: what is not paper): a glossy highlight. The
    inside of a letter "O" or a drawn ring is a big hole of paper, and filling it would make
    a disc of it."""
    contours, hierarchy = cv2.findContours(mask, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if len(contours) < 2:  # one outline: no hole
        return mask
    holes = np.flatnonzero(hierarchy[0][:, 3] >= 0)
    if not len(holes):
        return mask
    filled = mask.copy()
    for i in holes:
        parent = hierarchy[0][i, 3]
        if cv2.contourArea(contours[i]) >= 0.15 * cv2.contourArea(contours[parent]):
            x, y, w, h = cv2.boundingRect(contours[i])
            hole = np.zeros((h, w), np.uint8)
            cv2.drawContours(hole, contours, int(i), 1, -1, offset=(-x, -y))
            hole[mask[y : y + h, x : x + w] > 0] = 0
            washed_out = lit(window[y : y + h, x : x + w], colour) & allowed[y : y + h, x : x + w]
            if np.count_nonzero(washed_out & (hole > 0)) < _HOLE_LIT * np.count_nonzero(hole):
                continue
        cv2.drawContours(filled, contours, int(i), 1, -1)
    return filled


def kin(off: np.ndarray, off2: np.ndarray, axis: np.ndarray) -> np.ndarray:
    """Any mix of the paper and the colour at the end of `axis`: what a blob of ink blurs into
    (`off`: each pixel's offset from the paper, `off2` its squared length)."""
    n2 = float(axis @ axis)
    if n2 <= 1:
        return np.zeros(off.shape[:2], bool)
    t, orth2 = along(off, off2, axis, n2)
    tol = max(_BLOB_TOL_MIN, 0.25 * math.sqrt(n2))
    return (t > 0.25) & (orth2 < tol * tol)


def near(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two colours are about one (as near as the pixels of one blob are)."""
    d = a - b
    return float(0.6 * d[0] * d[0] + d[1] * d[1] + d[2] * d[2]) < _BLOB_TOL_MAX**2
