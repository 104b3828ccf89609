"""Counting the dot stickers on one note.

The note is warped flat to a fixed width, so dots are always about the same
number of pixels whatever the photo. A dot is told from ink here:

- it differs from the paper by more than `dot_delta_e` (Lab distance, after the
  paper's own shading is fitted away, so a curled shadowy bottom is still paper);
- it survives a morphological opening a little narrower than the smallest dot:
  handwriting strokes, underlines, ticks and drawn circles ("o") are thinner and vanish;
- it is round: the blob is peeled into discs with the distance transform, so two
  overlapping dots of one colour count as two, and a blob that yields no disc
  of dot size (a filled letter, a smear) counts as none.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from vision.colours import dot_colour, to_lab
from vision.geometry import quad_sides, rect_homography, transform
from vision.params import Params


@dataclass(frozen=True)
class FoundDot:
    center: tuple[float, float]  # image pixels
    radius: float  # image pixels
    colour: str


def _disc(diameter: int) -> np.ndarray:
    d = max(1, int(diameter) | 1)
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (d, d))


def _paper_model(lab: np.ndarray, inner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-pixel paper lightness (a quadratic surface fitted to the paper) and the paper's a, b."""
    ys, xs = np.nonzero(inner)
    if len(xs) > 4000:  # a sample is plenty for six coefficients
        pick = np.linspace(0, len(xs) - 1, 4000).astype(int)
        ys, xs = ys[pick], xs[pick]
    px = lab[ys, xs]
    median = np.median(px, axis=0)
    paper = np.linalg.norm(px - median, axis=1) < 14.0
    if paper.sum() < 12:
        paper = np.ones(len(xs), dtype=bool)
    ab = np.median(px[paper, 1:], axis=0)
    h, w = lab.shape[:2]
    xn, yn = xs[paper] / w - 0.5, ys[paper] / h - 0.5
    design = np.stack([np.ones_like(xn), xn, yn, xn * xn, xn * yn, yn * yn], axis=1)
    # cv2.solve: numpy's lstsq goes through LAPACK and costs milliseconds on some BLAS builds.
    _, coef = cv2.solve(design.astype(np.float64), px[paper, 0].astype(np.float64).reshape(-1, 1), flags=cv2.DECOMP_NORMAL)
    coef = coef.ravel()
    gy, gx = np.mgrid[0:h, 0:w].astype(np.float32)
    gx, gy = gx / w - 0.5, gy / h - 0.5
    lightness = coef[0] + coef[1] * gx + coef[2] * gy + coef[3] * gx * gx + coef[4] * gx * gy + coef[5] * gy * gy
    return lightness.astype(np.float32), ab.astype(np.float32)


def _peel(blob: np.ndarray, r_min: float, r_max: float) -> list[tuple[float, float, float]]:
    """Discs (x, y, r) that make up a blob, largest first: overlapping dots come apart here."""
    blob = blob.copy()
    circles: list[tuple[float, float, float]] = []
    while True:
        dist = cv2.distanceTransform(blob, cv2.DIST_L2, 5)
        _, r, _, (x, y) = cv2.minMaxLoc(dist)
        if r < r_min or (circles and r < 0.55 * circles[0][2]):
            break
        if r > r_max:
            break  # too fat for a dot: a patch of something else
        circles.append((float(x), float(y), float(r)))
        cv2.circle(blob, (int(x), int(y)), int(round(r * 1.15)) + 1, 0, -1)
        if len(circles) > 12:
            break
    return circles


def find_dots(image: np.ndarray, quad: np.ndarray, params: Params) -> list[FoundDot]:
    """Every dot on or across the edge of the note `quad` (image pixels)."""
    w, h = quad_sides(quad)
    short = max(min(w, h), 1.0)
    scale = params.note_px / short
    width, height = max(8, int(round(w * scale))), max(8, int(round(h * scale)))
    d_min = params.dot_min * params.note_px
    d_max = params.dot_max * params.note_px
    margin = int(d_max / 2) + 3

    # Shrink a big note before warping so the warp does not alias; warpPerspective cannot average.
    src = image
    src_quad = np.asarray(quad, dtype=np.float64)
    offset = np.zeros(2)
    if scale < 0.6:
        pad = margin / scale
        x0, y0 = np.maximum(np.floor(src_quad.min(axis=0) - pad), 0).astype(int)
        x1, y1 = np.ceil(src_quad.max(axis=0) + pad).astype(int)
        roi = image[y0 : max(y1, y0 + 1), x0 : max(x1, x0 + 1)]
        if roi.size:
            f = min(1.0, scale * 1.5)
            src = cv2.resize(roi, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
            offset = np.array([x0, y0], dtype=np.float64)
            src_quad = (src_quad - offset) * f
            pre = f
        else:
            pre = 1.0
    else:
        pre = 1.0

    homography = rect_homography(src_quad, width, height, margin)
    size = (width + 2 * margin, height + 2 * margin)
    patch = cv2.warpPerspective(src, homography, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    lab = to_lab(cv2.GaussianBlur(patch, (0, 0), 0.8))

    inner = np.zeros(lab.shape[:2], dtype=np.uint8)
    inner[margin : margin + height, margin : margin + width] = 1
    lightness, ab = _paper_model(lab, inner.astype(bool))
    dl = lab[..., 0] - lightness
    da = lab[..., 1] - ab[0]
    db = lab[..., 2] - ab[1]
    diff = np.sqrt(0.6 * dl * dl + da * da + db * db)
    odd = ((diff > params.dot_delta_e) & inner.astype(bool)).astype(np.uint8)
    # Only what is at least nearly as wide as the smallest dot survives: pen strokes do not.
    cores = cv2.morphologyEx(odd, cv2.MORPH_OPEN, _disc(0.8 * d_min))
    near, far = _disc(5), _disc(5 + 0.6 * d_min)

    count, labels, stats, _ = cv2.connectedComponentsWithStats(cores, connectivity=8)
    back = np.linalg.inv(homography)
    found = []
    for label in range(1, count):
        x, y, bw, bh, area = stats[label]
        if area < 0.35 * np.pi * (d_min / 2) ** 2:
            continue
        pad = int(d_max)
        x0, y0 = max(0, x - pad), max(0, y - pad)
        x1, y1 = min(size[0], x + bw + pad), min(size[1], y + bh + pad)
        seed = (labels[y0:y1, x0:x1] == label).astype(np.uint8)
        # Where a thick pen stroke crossed itself, the stroke goes on outside the core; around a
        # dot there is paper. Count what differs from paper in a ring just outside the core.
        ring = cv2.dilate(seed, far) & ~cv2.dilate(seed, near) & inner[y0:y1, x0:x1]
        if ring.any() and odd[y0:y1, x0:x1][ring.astype(bool)].mean() > params.ink_leak:
            continue
        # Grow the core into the margin by colour, so a dot across the note's edge is whole.
        window = lab[y0:y1, x0:x1]
        blob_colour = np.median(window[seed.astype(bool)], axis=0)
        same = np.linalg.norm(window - blob_colour, axis=2) < 0.6 * params.dot_delta_e + 6
        grown = (seed.astype(bool) | (same & ~inner[y0:y1, x0:x1].astype(bool))).astype(np.uint8)
        _, lab_grown = cv2.connectedComponents(grown, connectivity=8)
        keep = np.unique(lab_grown[seed.astype(bool)])
        blob = np.isin(lab_grown, keep[keep > 0]).astype(np.uint8)
        # Fill holes (a glossy highlight inside a dot) before measuring.
        contours, _ = cv2.findContours(blob, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        blob = np.zeros_like(blob)
        cv2.drawContours(blob, contours, -1, 1, -1)
        circles = _peel(blob, 0.5 * d_min, 0.6 * d_max)
        for cx, cy, r in circles:
            disc = np.zeros_like(blob)
            cv2.circle(disc, (int(cx), int(cy)), max(1, int(r * 0.7)), 1, -1)
            colour = np.median(window[disc.astype(bool)], axis=0)
            centre = transform([[cx + x0, cy + y0]], back)[0] / pre + offset
            found.append(
                FoundDot(center=(float(centre[0]), float(centre[1])), radius=float(r / scale), colour=dot_colour(colour))
            )
    return found
