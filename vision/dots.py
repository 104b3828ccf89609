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

from vision.colours import dot_colour, to_lab
from vision.geometry import quad_sides, transform, warp_quad
from vision.params import Params


@dataclass(frozen=True)
class FoundDot:
    center: tuple[float, float]  # image pixels
    radius: float  # image pixels
    colour: str


def _disc(diameter: float) -> np.ndarray:
    d = max(1, int(diameter) | 1)
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (d, d))


@dataclass(frozen=True)
class _Patch:
    lab: np.ndarray  # the note flattened, with a margin all round
    inner: np.ndarray  # bool: the note itself (not the margin)
    to_image: np.ndarray  # homography from patch pixels to image pixels
    scale: float  # patch pixels per image pixel


def _flatten(image: np.ndarray, quad: np.ndarray, params: Params) -> _Patch:
    w, h = quad_sides(quad)
    scale = params.note_px / max(min(w, h), 1.0)
    width, height = max(8, round(w * scale)), max(8, round(h * scale))
    margin = int(params.dot_max * params.note_px / 2) + 3
    patch, to_image = warp_quad(image, quad, width, height, margin)
    inner = np.zeros(patch.shape[:2], dtype=bool)
    inner[margin : margin + height, margin : margin + width] = True
    return _Patch(lab=to_lab(cv2.GaussianBlur(patch, (0, 0), 0.8)), inner=inner, to_image=to_image, scale=scale)


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
    ab = np.median(px[paper, 1:], axis=0)
    h, w = lab.shape[:2]
    xn, yn = xs[paper] / w - 0.5, ys[paper] / h - 0.5
    design = np.stack([np.ones_like(xn), xn, yn, xn * xn, xn * yn, yn * yn], axis=1)
    # cv2.solve: numpy's lstsq goes through LAPACK and costs milliseconds on some BLAS builds.
    _, coef = cv2.solve(design, px[paper, 0].astype(np.float64).reshape(-1, 1), flags=cv2.DECOMP_NORMAL)
    c = coef.ravel()
    gx = (np.arange(w, dtype=np.float32) / w - 0.5)[None, :]
    gy = (np.arange(h, dtype=np.float32) / h - 0.5)[:, None]
    lightness = c[0] + c[1] * gx + c[2] * gy + c[3] * gx * gx + c[4] * gx * gy + c[5] * gy * gy
    dl = lab[..., 0] - lightness
    da = lab[..., 1] - ab[0]
    db = lab[..., 2] - ab[1]
    # Lightness counts a little less than hue: light varies across a wall more than colour does.
    diff = np.sqrt(0.6 * dl * dl + da * da + db * db)
    return diff, np.array([median[0], ab[0], ab[1]], dtype=np.float32)


def _peel(blob: np.ndarray, r_min: float, r_max: float) -> list[tuple[float, float, float]]:
    """Discs (x, y, r) that make up a blob, largest first: overlapping dots come apart here."""
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


def find_dots(image: np.ndarray, quad: np.ndarray, params: Params) -> list[FoundDot]:
    """Every dot on or across the edge of the note `quad` (image pixels)."""
    patch = _flatten(image, quad, params)
    lab, inner = patch.lab, patch.inner
    d_min = params.dot_min * params.note_px
    d_max = params.dot_max * params.note_px
    r_min, r_max = 0.5 * d_min, 0.6 * d_max

    diff, paper = _paper_difference(lab, inner)
    odd = ((diff > params.dot_delta_e) & inner).astype(np.uint8)
    cores = cv2.morphologyEx(odd, cv2.MORPH_OPEN, _disc(0.8 * d_min))
    close = np.ones((3, 3), np.uint8)
    h, w = lab.shape[:2]

    found: list[FoundDot] = []
    for _ in range(64):  # each round takes one dot-coloured blob; a note holds far fewer
        dist = cv2.distanceTransform(cores, cv2.DIST_L2, 5)
        _, depth, _, (sx, sy) = cv2.minMaxLoc(dist)
        if depth < r_min * 0.8:
            break
        # The dot's own colour, from its middle.
        probe = np.zeros((h, w), np.uint8)
        cv2.circle(probe, (sx, sy), max(1, int(depth * 0.6)), 1, -1)
        colour = np.median(lab[probe.astype(bool)], axis=0)
        # Follow that colour outwards (also past the note's edge): the blob is the dot(s).
        pad = int(d_max)
        x0, y0, x1, y1 = max(0, sx - 2 * pad), max(0, sy - 2 * pad), min(w, sx + 2 * pad), min(h, sy + 2 * pad)
        window = lab[y0:y1, x0:x1]
        tolerance = float(np.clip(0.3 * np.linalg.norm(colour - paper), 8.0, 18.0))
        same = (np.linalg.norm(window - colour, axis=2) < tolerance).astype(np.uint8)
        same = cv2.morphologyEx(same, cv2.MORPH_CLOSE, close)
        _, labels = cv2.connectedComponents(same, connectivity=8)
        blob = (labels == labels[sy - y0, sx - x0]).astype(np.uint8) if same[sy - y0, sx - x0] else probe[y0:y1, x0:x1]
        solid = blob.astype(bool)
        blob = _fill_holes(blob)
        # Whatever happens, this blob is dealt with: take it out of the cores.
        cores[y0:y1, x0:x1][cv2.dilate(blob, close).astype(bool)] = 0
        cores[probe.astype(bool)] = 0

        for cx, cy, r in _peel(blob, r_min, r_max):
            if _outline_support(blob, cx, cy, r) < params.dot_outline:
                continue  # not the edge of a disc: a crossing of thick strokes, a smear, a shadow
            disc = np.zeros_like(blob)
            cv2.circle(disc, (int(cx), int(cy)), max(1, int(r * 0.7)), 1, -1)
            inside = disc.astype(bool)
            if diff[y0:y1, x0:x1][inside].mean() < params.dot_delta_e:
                continue  # paper, e.g. the inside of a letter "O"
            if solid[inside].mean() < 0.85:
                continue  # not one colour all through: letters crowded together, with paper between
            name = dot_colour(np.median(window[inside], axis=0))
            centre = transform([[cx + x0, cy + y0]], patch.to_image)[0]
            found.append(FoundDot(center=(float(centre[0]), float(centre[1])), radius=float(r / patch.scale), colour=name))
    return found
