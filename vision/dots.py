"""Counting the dot stickers on one note: where a dot is told from ink.

The note is warped flat to a fixed width (with a margin for dots across its
edge), so dots are always about the same number of pixels whatever the photo.
Then:

1. The paper: its commonest colour (not the median, which a note half covered
   in writing drags into the ink), then smooth surfaces for L, a and b fitted
   to the pixels of about that colour, so shading, a curled bottom, uneven
   light and a colour cast stay "paper". What differs from it by more than
   `dot_delta_e` (CIE Lab distance) is "odd": dots, ink, shadows. Beyond the
   note's edge, what is not the wall counts too: a dot across the edge is
   whole.
2. A morphological opening a little narrower than the smallest dot leaves only
   the cores of things at least that wide: pen strokes, underlines, ticks and
   drawn circles ("o") are thinner and vanish.
3. From each core, the colour at its middle is followed outwards, within the
   thick parts only: pixels near that colour and nearer it than the paper, or
   more than half way from the paper to it (its own blurred edge). That blob is
   the dot, without ink of other colours or the strokes of its own colour it
   sits on, whatever its contrast (a yellow dot on a canary note).
4. The blob is split into discs of one size: one disc, several overlapping
   ones (two dots of one colour count two), or discs peeled one at a time. A
   blob filling a long rectangle (a shadow, a fold, a thick line) is none.
5. Each disc is judged on what tells a sticker from ink (`_is_dot`): its size
   on the note (stickers are 8-19 mm on 76 mm notes), how even its lightness
   is (a vinyl colour, not a pen's blur), paper showing inside it (a letter's
   bowl), and around it: more of the same blob (a stroke going on), a mix of
   its colour fading into the paper (blurred ink; a sticker's edge is sharp),
   and other things (writing it covers, other dots).
6. One dot found twice (its blob cut by a highlight) is one dot.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from vision.board import Dot
from vision.colours import dot_colour, to_lab
from vision.geometry import quad_sides, transform, warp_quad
from vision.params import Params

# Weights for cv2.transform, which sums an image's channels in one pass: OpenCV's arithmetic
# on a note's patch costs several times less than numpy's, and runs for every note and blob.
_SUM3 = np.ones((1, 3), np.float32)  # L² + a² + b²
_PAPER_WEIGHTS = np.float32([[0.6, 1, 1]])  # 0.6 L² + a² + b²
_CHROMA2 = np.float32([[0, 1, 1]])  # a² + b²
_SQUARE3 = np.ones((3, 3), np.uint8)
# The paper's colour is the fullest cell of a histogram over L, a, b with cells this big.
_MODE_BIN = np.float32([10, 8, 8])
_MODE_LOW = np.float32([0, -128, -128])
_MODE_BINS = 32
# A dot's blob: pixels within this share of the dot's distance from the paper of its colour.
_BLOB_TOL, _BLOB_TOL_MIN, _BLOB_TOL_MAX = 0.3, 8.0, 18.0
_THICK_GROW = 3
# Weights of what tells a sticker from ink (see _is_dot and _Candidate): bigger, one even colour,
# ending sharp on paper; not more of the same going on, not fading into the paper, no paper inside.
_SCORE = {
    "size": 42.5,  # per unit of diameter over the note's short side
    "solid": 1.9,
    "excess": -2.4,
    "spread": -0.42,  # per unit of L
    "halo": 2.1,
    "mixture": -8.0,
    "papery": -32.7,
    "lightness": 0.058,  # per unit of L: ink is dark
    "bias": -6.9,
}
# Two dots found closer than this share of the bigger one's radius are one dot.
_SAME_DOT = 0.6
# Paper is within this Lab distance of the fitted paper colour (for the second fit).
_PAPER_RADIUS = 12.0
# A blob filling this share of its smallest rectangle, this many times longer than wide, is a band.
_BAND_FILL, _BAND_LENGTH = 0.88, 1.8
_KIN_OPEN = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))


def _disc(diameter: float) -> np.ndarray:
    d = max(1, int(diameter) | 1)
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (d, d))


@dataclass(frozen=True)
class _Patch:
    lab: np.ndarray  # the note flattened, with a margin all round
    box: tuple[int, int, int, int]  # left, top, right, bottom: the note itself, re-found here
    quad: np.ndarray  # the note's corners in image pixels, re-found here
    to_image: np.ndarray  # homography from patch pixels to image pixels
    scale: float  # patch pixels per image pixel


def _flatten(image: np.ndarray, quad: np.ndarray, params: Params) -> _Patch:
    w, h = quad_sides(quad)
    scale = params.note_px / max(min(w, h), 1.0)
    width, height = max(8, round(w * scale)), max(8, round(h * scale))
    margin = int(params.dot_max * params.note_px / 2) + 3
    patch, to_image = warp_quad(image, quad, width, height, margin)
    lab = to_lab(cv2.GaussianBlur(patch, (0, 0), 0.8))
    left, top, right, bottom = _edges(lab, margin, width, height)
    corners = transform([[left, top], [right, top], [right, bottom], [left, bottom]], to_image)
    return _Patch(
        lab=lab, box=(left, top, right, bottom), quad=corners, to_image=to_image, scale=scale
    )


def _edges(lab: np.ndarray, margin: int, width: int, height: int) -> tuple[int, int, int, int]:
    """The note's four edges in its flattened patch, each re-found within a few pixels of
    where the coarse pass put it: the row (or column) where the colour changes most, as the
    median along the edge's middle part, so dots and writing across the edge do not move it."""
    band = max(3, int(0.07 * min(width, height)))
    xs = slice(margin + width // 5, margin + width - width // 5)
    ys = slice(margin + height // 5, margin + height - height // 5)

    def peak(profile: np.ndarray, at: int, lo: int) -> int:
        profile = profile[1:-1]  # the strip's own border has no real gradient
        best = int(np.argmax(profile))
        # Only move where there is a clear edge; otherwise trust the coarse pass.
        return lo + 1 + best if profile[best] > 1.5 * np.median(profile) + 1e-6 else at

    def rows(at: int) -> int:  # a top or bottom edge: the gradient down, median across
        lo = max(0, at - band - 1)
        strip = lab[lo : at + band + 2, xs]
        g = np.abs(cv2.Sobel(strip, cv2.CV_32F, 0, 1, ksize=3)).sum(axis=2)
        return peak(np.median(g, axis=1), at, lo)

    def cols(at: int) -> int:  # a left or right edge: the gradient across, median down
        lo = max(0, at - band - 1)
        strip = lab[ys, lo : at + band + 2]
        g = np.abs(cv2.Sobel(strip, cv2.CV_32F, 1, 0, ksize=3)).sum(axis=2)
        return peak(np.median(g, axis=0), at, lo)

    top, bottom = rows(margin), rows(margin + height)
    left, right = cols(margin), cols(margin + width)
    if right - left < width // 2 or bottom - top < height // 2:
        return margin, margin, margin + width, margin + height
    return left, top, right, bottom


def _paper_mode(px: np.ndarray) -> np.ndarray:
    """The paper's colour: the commonest colour on the note, not the median, which a note
    half covered in blurred ink or dots drags off the paper into the mixture."""
    if len(px) < 12:
        return np.median(px, axis=0) if len(px) else np.zeros(3, np.float32)
    q = np.clip(((px - _MODE_LOW) / _MODE_BIN).astype(np.int32), 0, _MODE_BINS - 1)
    key = (q[:, 0] * _MODE_BINS + q[:, 1]) * _MODE_BINS + q[:, 2]
    top = int(np.argmax(np.bincount(key)))
    cell = np.array([top // _MODE_BINS**2, top // _MODE_BINS % _MODE_BINS, top % _MODE_BINS])
    centre = (cell + 0.5) * _MODE_BIN + _MODE_LOW
    for _ in range(2):  # settle on the middle of that colour's own cluster
        d = px - centre
        near = np.einsum("ij,ij->i", d, d) < 144.0
        if np.count_nonzero(near) < 6:
            break
        centre = px[near].mean(axis=0)
    return centre.astype(np.float32)


def _not_wall(lab: np.ndarray, box: tuple[int, int, int, int], threshold: float) -> np.ndarray:
    """Outside the note, what is not the wall (or whatever the note lies on): the part of a dot
    beyond the note's edge, so a dot across the edge is whole for the tests that follow."""
    left, top, right, bottom = box
    h, w = lab.shape[:2]
    strips = [
        lab[:top:3, ::3],
        lab[bottom::3, ::3],
        lab[top:bottom:3, :left:3],
        lab[top:bottom:3, right::3],
    ]
    px = np.concatenate([s.reshape(-1, 3) for s in strips])
    if len(px) < 12:
        return np.zeros((h, w), bool)
    wall = _paper_mode(px)
    delta = cv2.subtract(lab, (float(wall[0]), float(wall[1]), float(wall[2]), 0.0))
    return cv2.transform(cv2.multiply(delta, delta), _PAPER_WEIGHTS) > threshold * threshold


def _paper_difference(
    lab: np.ndarray, box: tuple[int, int, int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """How far each pixel is from the paper (Lab distance), and the paper's colour at the middle.

    The paper's lightness is a quadratic surface fitted to the paper pixels, so shading,
    a curled bottom and uneven light stay "paper"; its a, b are one median colour.
    """
    left, top, right, bottom = box
    # A sample is plenty for the paper's colour and six coefficients a channel.
    step = max(1, int(np.sqrt((right - left) * (bottom - top) / 1200)))
    ys, xs = np.mgrid[top:bottom:step, left:right:step]
    ys, xs = ys.ravel(), xs.ravel()
    px = lab[ys, xs]
    median = _paper_mode(px)
    paper = np.linalg.norm(px - median, axis=1) < 14.0
    if paper.sum() < 12:
        paper[:] = True
    if paper.sum() < 12:  # hardly any note left to model: plain distance from its colour
        diff = (
            np.linalg.norm(lab - median, axis=2) if len(px) else np.zeros(lab.shape[:2], np.float32)
        )
        flat = np.asarray(median if len(px) else (0, 0, 0), dtype=np.float32)
        model = np.empty_like(lab)
        model[:] = flat
        return diff.astype(np.float32), flat, model
    h, w = lab.shape[:2]
    xn, yn = xs / w - 0.5, ys / h - 0.5
    design = np.stack([np.ones_like(xn), xn, yn, xn * xn, xn * yn, yn * yn], axis=1)
    values = px.astype(np.float64)
    for _ in range(2):  # fit, then fit again to what the first fit calls paper (a deeper shadow)
        # cv2.solve: numpy's lstsq goes through LAPACK and costs milliseconds on some BLAS builds.
        _, coef = cv2.solve(design[paper], values[paper], flags=cv2.DECOMP_NORMAL)
        fitted = design @ coef
        again = np.einsum("ij,ij->i", values - fitted, values - fitted) < _PAPER_RADIUS**2
        if np.count_nonzero(again) < 12:
            break
        paper = again
    c = coef.astype(np.float32)  # 6 x 3: a quadratic surface for each of L, a, b
    # The surfaces are smooth: worked out on a coarse grid and stretched to the patch.
    cw, ch = max(2, w // 8), max(2, h // 8)
    gx = ((np.arange(cw, dtype=np.float32) + 0.5) * (w / cw) - 0.5)[None, :] / w - 0.5
    gy = ((np.arange(ch, dtype=np.float32) + 0.5) * (h / ch) - 0.5)[:, None] / h - 0.5
    gx, gy = np.broadcast_arrays(gx, gy)
    terms = (np.ones_like(gx), gx, gy, gx * gx, gx * gy, gy * gy)
    coarse = np.stack([sum(c[i, k] * terms[i] for i in range(6)) for k in range(3)], axis=2)
    model = cv2.resize(coarse, (w, h), interpolation=cv2.INTER_LINEAR)
    delta = cv2.subtract(lab, model)
    # Lightness counts a little less than hue: light varies across a wall more than colour does.
    diff = cv2.sqrt(cv2.transform(cv2.multiply(delta, delta), _PAPER_WEIGHTS))
    middle = model[h // 2, w // 2]
    return diff, middle.astype(np.float32), model


def _peel(blob: np.ndarray, r_min: float, r_max: float) -> list[tuple[float, float, float]]:
    """Discs (x, y, r) that make up a blob, largest first, by taking out the biggest disc
    that fits and looking again."""
    blob = blob.copy()
    circles: list[tuple[float, float, float]] = []
    while len(circles) < 12:
        dist = cv2.distanceTransform(blob, cv2.DIST_L2, 5)
        _, r, _, (x, y) = cv2.minMaxLoc(dist)
        if r < r_min or r > r_max or (circles and r < 0.55 * circles[0][2]):
            break
        circles.append((float(x), float(y), float(r)))
        cv2.circle(blob, (int(x), int(y)), int(round(r * 1.15)) + 1, 0, -1)
    return circles


def _discs(
    blob: np.ndarray, r_min: float, r_max: float
) -> tuple[list[tuple[float, float, float]], bool]:
    """The dots a blob of one colour is made of: (x, y, r) each, and whether the blob is
    explained as a cluster of overlapping dots (True) or was peeled disc by disc (False).

    Dots from one sheet are one size, the size of the biggest disc that fits in the blob.
    A blob bigger than one such disc is fitted with k discs of that size (k-means on its
    pixels places them) for k = 2, 3, ...: the k whose discs cover the blob best wins. Two
    dots overlapping by two thirds of a diameter still come apart; a dot with a stroke of
    the same colour attached fits no such cluster and is peeled instead.
    """
    dist = cv2.distanceTransform(blob, cv2.DIST_L2, 5)
    _, radius, _, (x, y) = cv2.minMaxLoc(dist)
    if radius < r_min or radius > r_max:
        return [], False
    area = float(np.count_nonzero(blob))
    # One dot, maybe with a glossy highlight bitten out of its rim: it fills most of the
    # smallest circle round it.
    contours, _ = cv2.findContours(blob, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    outline = max(contours, key=cv2.contourArea)
    (_, _), (bw, bh), _ = cv2.minAreaRect(outline)
    if area >= _BAND_FILL * bw * bh and max(bw, bh) >= _BAND_LENGTH * min(bw, bh):
        # A band filling its rectangle: a shadow, a fold, a thick line; never round dots.
        return [], False
    (ex, ey), enclosing = cv2.minEnclosingCircle(outline)
    if area >= 0.75 * np.pi * enclosing * enclosing and r_min <= enclosing <= r_max:
        return [(float(ex), float(ey), float(enclosing))], False
    one = np.pi * radius * radius
    if area <= 1.35 * one:
        return [(float(x), float(y), float(radius))], False
    hull_area = cv2.contourArea(cv2.convexHull(max(contours, key=cv2.contourArea)))
    if area > 6 * one or area < 0.8 * hull_area:
        return _peel(blob, r_min, r_max), False  # too big or too ragged for a cluster of dots
    ys, xs = np.nonzero(blob[::2, ::2])  # every other pixel places the discs as well
    points = np.column_stack([xs, ys]).astype(np.float32) * 2
    best, best_iou = None, 0.0
    cv2.setRNGSeed(7)  # k-means++ seeding: the same blob always gives the same answer
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 12, 0.5)
    for k in range(2, min(6, int(area / (0.55 * one)) + 1) + 1):
        _, _, centres = cv2.kmeans(points, k, None, criteria, 1, cv2.KMEANS_PP_CENTERS)
        drawn = np.zeros_like(blob)
        for cx, cy in centres:
            cv2.circle(drawn, (int(round(cx)), int(round(cy))), int(round(radius)), 1, -1)
        iou = np.count_nonzero(drawn & blob) / max(np.count_nonzero(drawn | blob), 1)
        if iou > best_iou + 0.02:
            best, best_iou = centres, iou
    if best is not None and best_iou >= 0.85:
        return [(float(cx), float(cy), float(radius)) for cx, cy in best], True
    return _peel(blob, r_min, r_max), False


def _fill_holes(mask: np.ndarray) -> np.ndarray:
    """Fill small holes (a glossy highlight in a dot) but not big ones: the inside of a letter
    "O" or a drawn ring is a big hole, and filling it would make a disc of it."""
    contours, hierarchy = cv2.findContours(mask, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    filled = mask.copy()
    if hierarchy is None:
        return filled
    for i, (_, _, _, parent) in enumerate(hierarchy[0]):
        if parent >= 0 and cv2.contourArea(contours[i]) < 0.15 * cv2.contourArea(contours[parent]):
            cv2.drawContours(filled, contours, i, 1, -1)
    return filled


def _colour_blob(
    window: np.ndarray,
    wmodel: np.ndarray,
    diff2: np.ndarray,
    allowed: np.ndarray,
    seed: tuple[int, int],
    depth: float,
    paper: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The blob of the seed's own colour around it: the dot (or overlapping dots of one colour),
    without the ink of other colours it sits on, and with any part of it beyond the note's edge.

    Returns the blob (uint8, small holes filled: a glossy highlight) and the seed's colour.
    """
    sx, sy = seed
    r = max(1, int(depth * 0.6))
    probe = window[max(0, sy - r) : sy + r + 1, max(0, sx - r) : sx + r + 1].reshape(-1, 3)
    colour = np.median(probe, axis=0)
    tolerance = float(
        np.clip(_BLOB_TOL * np.linalg.norm(colour - paper), _BLOB_TOL_MIN, _BLOB_TOL_MAX)
    )
    delta = cv2.subtract(window, (float(colour[0]), float(colour[1]), float(colour[2]), 0.0))
    distance2 = cv2.transform(cv2.multiply(delta, delta), _PAPER_WEIGHTS)
    # Near the dot's colour, and nearer it than the paper's (a faint yellow dot on a canary note
    # never runs out into the paper) ...
    same = (distance2 < tolerance * tolerance) & (distance2 < diff2)
    # ... or more than half way from the paper to the dot's colour, and on the way there: the
    # dot's own blurred edge up to its middle, so the blob is as big as the dot.
    axis = colour - wmodel[sy, sx]
    n2 = float(axis @ axis)
    # Any mix of this colour and the paper: what a blob of ink blurs into.
    kin = np.zeros(window.shape[:2], bool)
    if n2 > 1:
        t, orth2 = _along(cv2.subtract(window, wmodel), axis, n2)
        tol = max(_BLOB_TOL_MIN, 0.25 * np.sqrt(n2))
        on_the_way = orth2 < tol * tol
        same |= (t > 0.5) & on_the_way
        kin = (t > 0.25) & on_the_way
    same = (same & allowed).astype(np.uint8)
    same = cv2.morphologyEx(same, cv2.MORPH_CLOSE, _SQUARE3)
    if not same[sy, sx]:
        blob = np.zeros(window.shape[:2], np.uint8)
        cv2.circle(blob, (sx, sy), r, 1, -1)
        return blob, colour, kin
    _, labels = cv2.connectedComponents(same, connectivity=8)
    blob = (labels == labels[sy, sx]).astype(np.uint8)
    return _fill_holes(blob), colour, kin


def _along(p: np.ndarray, axis: np.ndarray, n2: float) -> tuple[np.ndarray, np.ndarray]:
    """Each pixel's offset from the paper `p` split along `axis` (t: 0 paper, 1 the colour at
    the axis' end) and across it (squared distance from the line)."""
    t = cv2.transform(p, (axis / n2).reshape(1, 3).astype(np.float32))
    orth2 = cv2.transform(cv2.multiply(p, p), _SUM3) - t * t * n2
    return t, orth2


@dataclass(frozen=True)
class _Candidate:
    """A disc found in a blob of one colour, with what tells a dot from ink (patch pixels)."""

    x: float
    y: float
    r: float
    solid: float  # share of the inner disc that is the blob's colour (or a highlight on it)
    spread: float  # spread of lightness inside the disc, highlight aside
    papery: float  # share of the inner disc that is about the paper's colour
    excess: float  # share of an annulus round the disc (1.1 r to 1.5 r) that is the blob
    halo: float  # share of that annulus that differs from the paper
    mixture: float  # share of that annulus that is a mix of the disc's colour and the paper
    colour: tuple[float, float, float]  # mean Lab inside the disc


def _candidates(
    lab: np.ndarray, box: tuple[int, int, int, int], params: Params
) -> list[_Candidate]:
    d_min = params.dot_min * params.note_px
    d_max = params.dot_max * params.note_px
    r_min, r_max = 0.5 * d_min, 0.6 * d_max

    h, w = lab.shape[:2]
    left, top, right, bottom = box
    inner = np.zeros((h, w), dtype=bool)
    inner[top:bottom, left:right] = True
    diff, paper, model = _paper_difference(lab, box)
    diff2 = cv2.multiply(diff, diff)
    note = inner | _not_wall(lab, box, params.dot_delta_e)  # the note and what lies on it
    odd = (diff > params.dot_delta_e) & note
    cores = cv2.morphologyEx(odd.astype(np.uint8), cv2.MORPH_OPEN, _disc(0.8 * d_min))
    # Blobs are looked for only in the thick parts: a dot stays whole, the pen strokes it sits
    # on (of its own colour, say) fall away.
    thick = cv2.dilate(cores, _disc(_THICK_GROW)).astype(bool) & note
    # A glossy highlight: whitish, and not paper. It is part of a dot for the tests below.
    whitish = (cv2.transform(cv2.multiply(lab, lab), _CHROMA2) < 400) & odd

    found: list[_Candidate] = []
    count, labels, stats, _ = cv2.connectedComponentsWithStats(cores, connectivity=8)
    pad = int(1.1 * d_max)
    for label in range(1, count):
        bx, by, bw, bh, _ = stats[label]
        core = (labels[by : by + bh, bx : bx + bw] == label).astype(np.uint8)
        # One colour at a time: a core can hold touching dots of several colours.
        for _ in range(16):
            # A zero frame round the core: a core filling its box still has an edge to measure from.
            framed = cv2.copyMakeBorder(core, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)
            _, depth, _, (cx, cy) = cv2.minMaxLoc(cv2.distanceTransform(framed, cv2.DIST_L2, 3))
            if depth < r_min * 0.8:
                break
            sx, sy = cx - 1 + bx, cy - 1 + by
            x0, y0, x1, y1 = (
                max(0, sx - pad),
                max(0, sy - pad),
                min(w, sx + pad + 1),
                min(h, sy + pad + 1),
            )
            win = (slice(y0, y1), slice(x0, x1))
            window, wmodel = lab[win], model[win]
            blob, colour, kin = _colour_blob(
                window, wmodel, diff2[win], thick[win], (sx - x0, sy - y0), depth, paper
            )
            # Whatever it turns out to be, this blob is dealt with: take it out of the core.
            taken = cv2.dilate(blob, _SQUARE3)
            cv2.circle(taken, (sx - x0, sy - y0), max(1, int(depth)), 1, -1)
            cy0, cx0 = max(y0, by), max(x0, bx)
            cy1, cx1 = min(y1, by + bh), min(x1, bx + bw)
            if cy1 > cy0 and cx1 > cx0:
                core[cy0 - by : cy1 - by, cx0 - bx : cx1 - bx][
                    taken[cy0 - y0 : cy1 - y0, cx0 - x0 : cx1 - x0] > 0
                ] = 0
            circles, cluster = _discs(blob, r_min, r_max)
            if not circles:
                continue
            # Pen strokes aside: only thick mixes are the fading edge of a blob of ink.
            kin = cv2.morphologyEx(kin.astype(np.uint8), cv2.MORPH_OPEN, _KIN_OPEN)
            shine = whitish[win] & (window[..., 0] > colour[0] + 8)
            solid = (blob > 0) | shine
            for px, py, r in circles:
                if not inner[min(h - 1, int(py + y0)), min(w - 1, int(px + x0))]:
                    continue  # another note's: it counts there
                centre = (int(px), int(py))
                disc = np.zeros_like(blob)
                cv2.circle(disc, centre, max(1, int(r * 0.7)), 1, -1)
                inside = disc > 0
                ring = np.zeros_like(blob)
                cv2.circle(ring, centre, max(2, int(round(r * 1.5))), 1, -1)
                # The dots of its cluster are not more of it.
                for qx, qy, qr in circles if cluster else [(px, py, r)]:
                    cv2.circle(ring, (int(qx), int(qy)), int(round(qr * 1.1)) + 1, 0, -1)
                around = (ring > 0) & note[win]  # the wall beyond the edge is neither
                plain = inside & ~shine
                if np.count_nonzero(plain) < 5:
                    plain = inside
                mean = cv2.mean(window, mask=disc)[:3]
                found.append(
                    _Candidate(
                        x=px + x0,
                        y=py + y0,
                        r=r,
                        solid=float(solid[inside].mean()),
                        spread=_mad(window[..., 0][plain]),
                        papery=float((diff2[win][inside] < (0.5 * params.dot_delta_e) ** 2).mean()),
                        excess=float(blob[around].mean()) if around.any() else 0.0,
                        halo=float(odd[win][around].mean()) if around.any() else 0.0,
                        mixture=float(kin[around].mean()) if around.any() else 0.0,
                        colour=(float(mean[0]), float(mean[1]), float(mean[2])),
                    )
                )
    return found


def _mad(values: np.ndarray) -> float:
    """A spread that a few odd values (the rim of a highlight) do not move."""
    if not len(values):
        return 0.0
    k = len(values) // 2
    deviation = np.abs(values - np.partition(values, k)[k])
    return float(1.4826 * np.partition(deviation, k)[k])


def _is_dot(c: _Candidate, params: Params) -> bool:
    """A sticker, not ink: a weighted sum of what was measured round the disc (the weights
    were fitted to candidates from the seeded synthetic walls, every tier, and checked on the
    labelled real photos)."""
    w = _SCORE
    score = (
        w["size"] * (2 * c.r / params.note_px)
        + w["solid"] * c.solid
        + w["excess"] * c.excess
        + w["spread"] * c.spread
        + w["halo"] * c.halo
        + w["mixture"] * c.mixture
        + w["papery"] * c.papery
        + w["lightness"] * c.colour[0]
        + w["bias"]
    )
    return score > 0


def find_dots(image: np.ndarray, quad: np.ndarray, params: Params) -> tuple[np.ndarray, list[Dot]]:
    """The note's corners re-found at full resolution, and every dot on it or across its edge
    (image pixels)."""
    patch = _flatten(image, quad, params)
    dots = sorted(
        (c for c in _candidates(patch.lab, patch.box, params) if _is_dot(c, params)),
        key=lambda c: -c.r,
    )
    kept: list[_Candidate] = []
    for c in dots:
        # A dot whose blob was cut in two (by a highlight, by ink of its colour) is found twice.
        if not any(np.hypot(c.x - k.x, c.y - k.y) < _SAME_DOT * k.r for k in kept):
            kept.append(c)
    centres = transform([[c.x, c.y] for c in kept], patch.to_image) if kept else []
    found = [
        Dot(
            center=(float(x), float(y)),
            radius=float(c.r / patch.scale),
            colour=dot_colour(c.colour),
        )
        for (x, y), c in zip(centres, kept, strict=True)
    ]
    return patch.quad, found
