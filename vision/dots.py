"""Counting the dot stickers on one note: where a dot is told from ink.

The note is warped flat to a fixed width (with a margin for dots across its
edge), so dots are always about the same number of pixels whatever the photo.
Then:

1. What differs from the paper by more than `dot_delta_e` (CIE Lab distance,
   after the paper's own shading is fitted away, so a curled shadowy bottom is
   still paper) is "odd": dots, ink, shadows.
2. A morphological opening a little narrower than the smallest dot leaves only
   the cores of things at least that wide: pen strokes, underlines, ticks and
   drawn circles ("o") are thinner and vanish.
3. From each core, the dot's own colour (taken at its middle) is followed
   outwards: the blob of that one colour is the dot, without the ink it sits
   on (ink is a different, darker colour) and including any part of it that
   lies beyond the note's edge.
4. The blob is peeled into discs with the distance transform: two overlapping
   dots of one colour count as two. A blob that is not mostly discs of dot
   size (a word in thick marker, a smear) counts as none.
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


def _disc(diameter: float) -> np.ndarray:
    d = max(1, int(diameter) | 1)
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (d, d))


@dataclass(frozen=True)
class _Patch:
    lab: np.ndarray  # the note flattened, with a margin all round
    inner: np.ndarray  # bool: the note itself (not the margin), its edges re-found here
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
    inner = np.zeros(patch.shape[:2], dtype=bool)
    inner[top:bottom, left:right] = True
    corners = transform([[left, top], [right, top], [right, bottom], [left, bottom]], to_image)
    return _Patch(lab=lab, inner=inner, quad=corners, to_image=to_image, scale=scale)


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


def _paper_difference(lab: np.ndarray, inner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """How far each pixel is from the paper (Lab distance), and the paper's colour at the middle.

    The paper's lightness is a quadratic surface fitted to the paper pixels, so shading,
    a curled bottom and uneven light stay "paper"; its a, b are one median colour.
    """
    ys, xs = np.nonzero(inner)
    if len(xs) > 4000:  # a sample is plenty for six coefficients
        pick = np.linspace(0, len(xs) - 1, 4000).astype(int)
        ys, xs = ys[pick], xs[pick]
    px = lab[ys, xs]
    median = np.median(px, axis=0)
    paper = np.linalg.norm(px - median, axis=1) < 14.0
    if paper.sum() < 12:
        paper[:] = True
    if paper.sum() < 12:  # hardly any note left to model: plain distance from its colour
        diff = np.linalg.norm(lab - median, axis=2) if len(px) else np.zeros(lab.shape[:2], np.float32)
        return diff, np.asarray(median if len(px) else (0, 0, 0), dtype=np.float32)
    ab = np.median(px[paper, 1:], axis=0)
    h, w = lab.shape[:2]
    xn, yn = xs[paper] / w - 0.5, ys[paper] / h - 0.5
    design = np.stack([np.ones_like(xn), xn, yn, xn * xn, xn * yn, yn * yn], axis=1)
    # cv2.solve: numpy's lstsq goes through LAPACK and costs milliseconds on some BLAS builds.
    _, coef = cv2.solve(design, px[paper, 0].astype(np.float64).reshape(-1, 1), flags=cv2.DECOMP_NORMAL)
    c = coef.ravel().astype(np.float32)
    gx = (np.arange(w, dtype=np.float32) / w - 0.5)[None, :]
    gy = (np.arange(h, dtype=np.float32) / h - 0.5)[:, None]
    model = np.empty_like(lab)
    model[..., 0] = c[0] + c[1] * gx + c[2] * gy + c[3] * gx * gx + c[4] * gx * gy + c[5] * gy * gy
    model[..., 1], model[..., 2] = ab
    delta = cv2.subtract(lab, model)
    # Lightness counts a little less than hue: light varies across a wall more than colour does.
    diff = cv2.sqrt(cv2.transform(cv2.multiply(delta, delta), _PAPER_WEIGHTS))
    return diff, np.array([median[0], ab[0], ab[1]], dtype=np.float32)


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


def _discs(blob: np.ndarray, r_min: float, r_max: float) -> tuple[list[tuple[float, float, float]], bool]:
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
    (ex, ey), enclosing = cv2.minEnclosingCircle(max(contours, key=cv2.contourArea))
    if area >= 0.75 * np.pi * enclosing * enclosing and r_min <= enclosing <= r_max:
        return [(float(ex), float(ey), float(enclosing))], False
    one = np.pi * radius * radius
    if area <= 1.35 * one:
        return [(float(x), float(y), float(radius))], False
    hull_area = cv2.contourArea(cv2.convexHull(max(contours, key=cv2.contourArea)))
    if area > 6 * one or area < 0.8 * hull_area:
        return _peel(blob, r_min, r_max), False  # too big or too ragged for a cluster of dots
    points = np.column_stack(np.nonzero(blob)[::-1]).astype(np.float32)
    best, best_iou = None, 0.0
    cv2.setRNGSeed(7)  # k-means++ seeding: the same blob always gives the same answer
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 0.5)
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


def _outline_support(blob: np.ndarray, cx: float, cy: float, r: float) -> float:
    """Share of a circle just outside a disc that is not the blob: near 1 for a lone dot,
    still well over half for a dot overlapped by another or touched by writing, low where the
    "disc" is the widest part of a blob that goes on (thick strokes, a shadow band)."""
    angles = np.linspace(0, 2 * np.pi, 32, endpoint=False)
    xs = np.round(cx + (r + 2.5) * np.cos(angles)).astype(int)
    ys = np.round(cy + (r + 2.5) * np.sin(angles)).astype(int)
    ok = (xs >= 0) & (ys >= 0) & (xs < blob.shape[1]) & (ys < blob.shape[0])
    outside = np.ones(len(angles), dtype=bool)
    outside[ok] = blob[ys[ok], xs[ok]] == 0
    return float(outside.mean())


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


def _colour_blob(window: np.ndarray, odd: np.ndarray, seed: tuple[int, int], depth: float, paper: np.ndarray):
    """The blob of the seed's own colour around it: the dot (or overlapping dots of one colour),
    without the ink it sits on, and with any part of it beyond the note's edge.

    Returns the blob with small holes filled (a glossy highlight) and the blob as found.
    """
    sx, sy = seed
    probe = np.zeros(window.shape[:2], np.uint8)
    cv2.circle(probe, (sx, sy), max(1, int(depth * 0.6)), 1, -1)
    colour = np.median(window[probe.astype(bool)], axis=0)
    tolerance = float(np.clip(0.3 * np.linalg.norm(colour - paper), 8.0, 18.0))
    delta = cv2.subtract(window, (float(colour[0]), float(colour[1]), float(colour[2]), 0.0))
    distance2 = cv2.transform(cv2.multiply(delta, delta), _SUM3)
    same = (distance2 < tolerance * tolerance).astype(np.uint8)
    same = cv2.morphologyEx(same, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    if not same[sy, sx]:
        return probe, probe.astype(bool)
    _, labels = cv2.connectedComponents(same, connectivity=8)
    blob = (labels == labels[sy, sx]).astype(np.uint8)
    # A glossy highlight is part of the dot for the "one colour all through" test: brighter
    # and whiter than the dot, and not paper (`odd` is what differs from the note's paper).
    chroma2 = cv2.transform(cv2.multiply(window, window), _CHROMA2)
    shine = (delta[..., 0] > 8) & (chroma2 < 400) & (odd > 0)
    return _fill_holes(blob), blob.astype(bool) | shine


def find_dots(image: np.ndarray, quad: np.ndarray, params: Params) -> tuple[np.ndarray, list[Dot]]:
    """The note's corners re-found at full resolution, and every dot on it or across its edge
    (image pixels)."""
    patch = _flatten(image, quad, params)
    lab, inner = patch.lab, patch.inner
    d_min = params.dot_min * params.note_px
    d_max = params.dot_max * params.note_px
    r_min, r_max = 0.5 * d_min, 0.6 * d_max

    diff, paper = _paper_difference(lab, inner)
    odd = ((diff > params.dot_delta_e) & inner).astype(np.uint8)
    cores = cv2.morphologyEx(odd, cv2.MORPH_OPEN, _disc(0.8 * d_min))
    h, w = lab.shape[:2]

    found: list[Dot] = []
    count, labels, stats, _ = cv2.connectedComponentsWithStats(cores, connectivity=8)
    pad = int(1.1 * d_max)
    for label in range(1, count):
        bx, by, bw, bh, _ = stats[label]
        core = (labels[by : by + bh, bx : bx + bw] == label).astype(np.uint8)
        # One colour at a time: a core can hold touching dots of several colours.
        for _ in range(16):
            _, depth, _, (cx, cy) = cv2.minMaxLoc(cv2.distanceTransform(core, cv2.DIST_L2, 3))
            if depth < r_min * 0.8:
                break
            sx, sy = cx + bx, cy + by
            x0, y0, x1, y1 = max(0, sx - pad), max(0, sy - pad), min(w, sx + pad + 1), min(h, sy + pad + 1)
            window = lab[y0:y1, x0:x1]
            blob, solid = _colour_blob(window, odd[y0:y1, x0:x1], (sx - x0, sy - y0), depth, paper)
            # Whatever it turns out to be, this blob is dealt with: take it out of the core.
            taken = np.zeros((h, w), np.uint8)
            taken[y0:y1, x0:x1] = cv2.dilate(blob, np.ones((3, 3), np.uint8))
            cv2.circle(taken, (sx, sy), max(1, int(depth)), 1, -1)
            core[taken[by : by + bh, bx : bx + bw].astype(bool)] = 0
            circles, cluster = _discs(blob, r_min, r_max)
            for px, py, r in circles:
                disc = np.zeros_like(blob)
                cv2.circle(disc, (int(px), int(py)), max(1, int(r * 0.7)), 1, -1)
                inside = disc.astype(bool)
                if not cluster and _outline_support(blob, px, py, r) < params.dot_outline:
                    continue  # not the edge of a disc: a crossing of thick strokes, a shadow band
                if diff[y0:y1, x0:x1][inside].mean() < params.dot_delta_e:
                    continue  # paper, e.g. the inside of a letter "O"
                if solid[inside].mean() < 0.78:
                    continue  # not one colour all through: crowded letters with paper between
                name = dot_colour(cv2.mean(window, mask=disc)[:3])
                centre = transform([[px + x0, py + y0]], patch.to_image)[0]
                found.append(Dot(center=(float(centre[0]), float(centre[1])), radius=float(r / patch.scale), colour=name))
    return patch.quad, found
