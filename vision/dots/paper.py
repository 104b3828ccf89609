"""The paper and what is "odd" on it (step 1): the paper's colour and the smooth surfaces of
L, a and b fitted to it, each pixel's difference from it, and beyond the note's edge, from the
wall (or another surface all along that edge)."""

from __future__ import annotations

import cv2
import numpy as np

from vision.dots.arith import PAPER_WEIGHTS, SUM3

# Pixels this near a colour (Lab) are of it: one paper, one wall, under noise and shading.
_ONE_COLOUR = 12.0
# The paper's colour is the fullest cell of a histogram over L, a, b with cells this big.
_MODE_BIN = np.float32([10, 8, 8])
_MODE_LOW = np.float32([0, -128, -128])
_MODE_BINS = 32
_MODE_BIN4, _MODE_LOW4 = (10.0, 8.0, 8.0, 1.0), (0.0, -128.0, -128.0, 0.0)  # as OpenCV takes them
_MODE_TOP4 = (_MODE_BINS - 1.0,) * 4
_MODE_KEY = np.float32([[_MODE_BINS**2, _MODE_BINS, 1]])  # a cell's number
# Paper is within this Lab distance of the fitted paper colour (for the second fit).
_PAPER_RADIUS = 12.0
# Beyond one edge of the note, a colour this far (Lab) from the wall's that more than this share
# of the strip along that edge is of is another surface there (`wall_difference`).
_SIDE_APART, _SIDE_SHARE = 30.0, 0.5


def paper_mode(px: np.ndarray) -> np.ndarray:
    """The paper's colour: the commonest colour on the note, not the median, which a note
    half covered in blurred ink or dots drags off the paper into the mixture."""
    if len(px) < 12:
        return np.median(px, axis=0) if len(px) else np.zeros(3, np.float32)
    # The histogram's cells, by OpenCV: numpy's broadcasting over rows of three costs several
    # times more. Clipped to the histogram, then cut down to whole cells; the keys are whole
    # numbers under 2^15, exact in float32.
    column = px.reshape(-1, 1, 3)
    q = cv2.divide(cv2.subtract(column, _MODE_LOW4), _MODE_BIN4)
    q = np.floor(cv2.min(cv2.max(q, (0.0, 0.0, 0.0, 0.0)), _MODE_TOP4))
    key = cv2.transform(q, _MODE_KEY).astype(np.int32).ravel()
    top = int(np.argmax(np.bincount(key)))
    cell = np.array([top // _MODE_BINS**2, top // _MODE_BINS % _MODE_BINS, top % _MODE_BINS])
    centre = ((cell + 0.5) * _MODE_BIN + _MODE_LOW).astype(np.float32)
    for _ in range(2):  # settle on the middle of that colour's own cluster
        d = cv2.subtract(column, (float(centre[0]), float(centre[1]), float(centre[2]), 0.0))
        near = (cv2.transform(cv2.multiply(d, d), SUM3) < _ONE_COLOUR**2).view(np.uint8)
        if np.count_nonzero(near) < 6:
            break
        centre = np.float32(cv2.mean(column, mask=near)[:3])
    return centre


def wall_difference(lab: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """Outside the note, how far each pixel is from the wall (or whatever the note lies on;
    squared, weighted as the paper's difference): what is not the wall there is the part of a
    dot beyond the note's edge, so a dot across the edge is whole for the tests that follow.
    Inside the note's box the answer is always 0."""
    left, top, right, bottom = box
    h, w = lab.shape[:2]
    found = np.zeros((h, w), np.float32)
    strips = [
        lab[:top:3, ::3],
        lab[bottom::3, ::3],
        lab[top:bottom:3, :left:3],
        lab[top:bottom:3, right::3],
    ]
    px = np.concatenate([s.reshape(-1, 3) for s in strips])
    if len(px) < 12:
        return found
    wall = paper_mode(px)
    delta = cv2.subtract(
        px.reshape(-1, 1, 3), (float(wall[0]), float(wall[1]), float(wall[2]), 0.0)
    )
    walled = (cv2.transform(cv2.multiply(delta, delta), SUM3) < _ONE_COLOUR**2).ravel()
    ends = np.cumsum([0] + [s.shape[0] * s.shape[1] for s in strips])
    # Only round the note is asked: on it, everything counts anyway.
    for k, (rows, cols) in enumerate(
        (
            (slice(0, top), slice(0, w)),
            (slice(bottom, h), slice(0, w)),
            (slice(top, bottom), slice(0, left)),
            (slice(top, bottom), slice(right, w)),
        )
    ):
        part = lab[rows, cols]
        if not part.size:
            continue
        found[rows, cols] = _difference2(part, wall)
        # What lies along one edge may be another surface than the wall: a neighbouring note,
        # a deep, wide shadow. Where most of that strip is one colour far from the wall's,
        # that is not a dot either (a dot across the edge would run into it and be lost).
        # (Where at least that share is about the wall's colour, no other colour is.)
        sample = px[ends[k] : ends[k + 1]]
        on_wall = np.count_nonzero(walled[ends[k] : ends[k + 1]])
        if len(sample) < 12 or on_wall >= _SIDE_SHARE * len(sample):
            continue
        side = paper_mode(sample)
        if float(((side - wall) ** 2).sum()) > _SIDE_APART**2 and np.count_nonzero(
            _distance2(sample, side) < _ONE_COLOUR**2
        ) > _SIDE_SHARE * len(sample):
            np.minimum(found[rows, cols], _difference2(part, side), out=found[rows, cols])
    return found


def _minus(px: np.ndarray, colour: np.ndarray) -> np.ndarray:
    """Pixels (n x 3) less a colour. OpenCV's: numpy's broadcast over rows of three costs several
    times more (and its sum along them, in `_distance2`)."""
    c = (float(colour[0]), float(colour[1]), float(colour[2]), 0.0)
    return cv2.subtract(px.reshape(-1, 1, 3), c).reshape(-1, 3)


def _distance2(px: np.ndarray, colour: np.ndarray) -> np.ndarray:
    """Each pixel's (n x 3) squared distance from a colour."""
    d = _minus(px, colour)
    d *= d
    return d[:, 0] + d[:, 1] + d[:, 2]


def _difference2(lab: np.ndarray, colour: np.ndarray) -> np.ndarray:
    """Each pixel's squared distance from a colour, weighted as the paper's difference."""
    delta = cv2.subtract(lab, (float(colour[0]), float(colour[1]), float(colour[2]), 0.0))
    return cv2.transform(cv2.multiply(delta, delta), PAPER_WEIGHTS).reshape(lab.shape[:2])


def paper_difference(
    lab: np.ndarray, box: tuple[int, int, int, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """How far each pixel is from the paper (squared Lab distance), the paper's colour at the
    middle, the paper's colour everywhere (the fitted surfaces), and each pixel's offset from
    it and that offset's squared length (for the colour axes of the blobs).

    The paper's L, a and b are each a quadratic surface fitted to the paper pixels, so shading,
    a curled bottom and uneven light stay "paper".
    """
    left, top, right, bottom = box
    # A sample is plenty for the paper's colour and six coefficients a channel.
    step = max(1, int(np.sqrt((right - left) * (bottom - top) / 1200)))
    grid = lab[top:bottom:step, left:right:step]
    px = grid.reshape(-1, 3)
    median = paper_mode(px)
    off = _minus(px, median)
    paper = np.einsum("ij,ij->i", off, off) < 14.0**2
    # A note thick with dots of one colour can show more of them than of itself (where less
    # than half of it is of its commonest colour): the paper is whichever of that colour and
    # the commonest one of a band round its edges (a sixth of the note wide, where dots and
    # writing crowd less) more of that band is about.
    gh, gw = grid.shape[:2]
    if 2 * np.count_nonzero(paper) < len(px):
        band = np.ones((gh, gw), bool)
        band[gh // 6 : gh - gh // 6, gw // 6 : gw - gw // 6] = False
        rim = grid[band]
        edge = paper_mode(rim) if len(rim) >= 12 else median
        if float(((edge - median) ** 2).sum()) > 14.0**2:  # two colours, not two shades
            near = [np.count_nonzero(_distance2(rim, c) < 14.0**2) for c in (median, edge)]
            if near[1] > near[0]:
                median = edge
                off = _minus(px, median)
                paper = np.einsum("ij,ij->i", off, off) < 14.0**2
    if paper.sum() < 12:
        paper[:] = True
    if paper.sum() < 12:  # hardly any note left to model: plain distance from its colour
        flat = np.asarray(median if len(px) else (0, 0, 0), dtype=np.float32)
        delta = cv2.subtract(lab, (float(flat[0]), float(flat[1]), float(flat[2]), 0.0))
        model = np.empty_like(lab)
        model[:] = flat
        off = cv2.subtract(lab, model)
        off2 = cv2.transform(cv2.multiply(off, off), SUM3)
        return cv2.transform(cv2.multiply(delta, delta), SUM3), flat, model, off, off2
    h, w = lab.shape[:2]
    xn = (np.arange(left, right, step) / w - 0.5)[None, :]
    yn = (np.arange(top, bottom, step) / h - 0.5)[:, None]
    design = _quadratic(xn, yn, np.float64).reshape(-1, 6)  # a row for each pixel of the grid
    values = px.astype(np.float64)
    for _ in range(2):  # fit, then fit again to what the first fit calls paper (a deeper shadow)
        # The normal equations, solved by OpenCV: numpy's lstsq goes through LAPACK and costs
        # milliseconds on some BLAS builds.
        used = np.compress(paper, design, axis=0)
        target = np.compress(paper, values, axis=0)
        _, coef = cv2.solve(used.T @ used, used.T @ target, flags=cv2.DECOMP_LU)
        miss = values - design @ coef
        again = np.einsum("ij,ij->i", miss, miss) < _PAPER_RADIUS**2
        if np.count_nonzero(again) < 12:
            break
        paper = again
    c = coef.astype(np.float32)  # 6 x 3: a quadratic surface for each of L, a, b
    # The surfaces are smooth: worked out on a coarse grid and stretched to the patch.
    cw, ch = max(2, w // 8), max(2, h // 8)
    gx = ((np.arange(cw, dtype=np.float32) + 0.5) * (w / cw) - 0.5)[None, :] / w - 0.5
    gy = ((np.arange(ch, dtype=np.float32) + 0.5) * (h / ch) - 0.5)[:, None] / h - 0.5
    coarse = _quadratic(gx, gy, np.float32) @ c
    model = cv2.resize(coarse, (w, h), interpolation=cv2.INTER_LINEAR)
    delta = cv2.subtract(lab, model)
    # Lightness counts a little less than hue: light varies across a wall more than colour does.
    square = cv2.multiply(delta, delta)
    diff2 = cv2.transform(square, PAPER_WEIGHTS)
    off2 = cv2.transform(square, SUM3)
    return diff2, model[h // 2, w // 2].astype(np.float32), model, delta, off2


def _quadratic(x: np.ndarray, y: np.ndarray, dtype: type) -> np.ndarray:
    """The terms of a quadratic surface (1, x, y, x², xy, y²) at each point of the grid of a row
    `x` and a column `y`, along a last axis (filled in place: numpy's stack costs more)."""
    terms = np.empty((len(y), x.shape[1], 6), dtype)
    terms[..., 0] = 1
    terms[..., 1] = x
    terms[..., 2] = y
    terms[..., 3] = x * x
    terms[..., 4] = x * y
    terms[..., 5] = y * y
    return terms


def along(
    p: np.ndarray, p2: np.ndarray, axis: np.ndarray, n2: float
) -> tuple[np.ndarray, np.ndarray]:
    """Each pixel's offset from the paper `p` (`p2` its squared length) split along `axis`
    (t: 0 paper, 1 the colour at the axis' end) and across it (squared distance from the line)."""
    t = cv2.transform(p, (axis / n2).reshape(1, 3).astype(np.float32))
    return t, cv2.subtract(p2, cv2.multiply(t, t, scale=n2))
