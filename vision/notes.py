"""Finding the notes: uniform patches of paper with four straight sides, on a downscaled copy.

The photo is cut into regions by its colour edges; a region that is the size
of a note, nearly a quadrilateral, and not the colour of the wall is a note.
Same-colour notes that touch edge to edge come out as one region when the seam
between them is too faint: such a region is split into a grid of cells the
size of the wall's typical note.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from vision.colours import to_lab
from vision.geometry import order_quad, quad_sides
from vision.params import Params


@dataclass(frozen=True)
class Candidate:
    quad: np.ndarray  # 4x2, clockwise from top-left, in the coordinates of the image searched
    lab: tuple[float, float, float]  # mean paper colour


def edge_map(lab: np.ndarray, params: Params) -> np.ndarray:
    """Pixels on a colour edge. The threshold follows the image's own noise level."""
    gx = cv2.Sobel(lab, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(lab, cv2.CV_32F, 0, 1, ksize=3)
    mag = np.sqrt((gx * gx + gy * gy).sum(axis=2))
    threshold = max(params.edge_min, params.edge_k * float(np.median(mag)))
    return mag > threshold


def _fit_quad(contour: np.ndarray) -> np.ndarray:
    hull = cv2.convexHull(contour)
    perimeter = cv2.arcLength(hull, True)
    for eps in (0.02, 0.035, 0.05, 0.08):
        approx = cv2.approxPolyDP(hull, eps * perimeter, True)
        if len(approx) == 4:
            return order_quad(approx.reshape(4, 2))
    return order_quad(cv2.boxPoints(cv2.minAreaRect(hull)))


def _grow(quad: np.ndarray, pixels: float) -> np.ndarray:
    """Push each corner outwards, undoing the pixel or two the edge map eats from each side."""
    centre = quad.mean(axis=0)
    w, h = quad_sides(quad)
    scale = np.array([1 + 2 * pixels / max(w, 1.0), 1 + 2 * pixels / max(h, 1.0)])
    # Scale along the quad's own axes (approximately: its top and left edges).
    ux = quad[1] - quad[0]
    ux /= np.linalg.norm(ux) or 1.0
    uy = np.array([-ux[1], ux[0]])
    rel = quad - centre
    u = rel @ ux
    v = rel @ uy
    return centre + np.outer(u * scale[0], ux) + np.outer(v * scale[1], uy)


@dataclass(frozen=True)
class _Region:
    quad: np.ndarray
    area: float  # filled area in pixels
    lab: tuple[float, float, float]
    rectangularity: float  # filled area over the quad's area


def _regions(lab: np.ndarray, params: Params) -> tuple[list[_Region], tuple[float, float, float]]:
    h, w = lab.shape[:2]
    flat = (~edge_map(lab, params)).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(flat, connectivity=4)
    areas = stats[1:, cv2.CC_STAT_AREA]
    if len(areas) == 0:
        return [], (0.0, 0.0, 0.0)
    wall_label = 1 + int(np.argmax(areas))
    wall_lab = tuple(float(v) for v in cv2.mean(lab, mask=(labels == wall_label).astype(np.uint8))[:3])

    min_area = params.min_note_px**2 * 0.5
    regions = []
    for label in np.flatnonzero(areas >= min_area) + 1:
        if label == wall_label and areas[label - 1] > 0.5 * h * w:
            continue
        x, y, bw, bh = stats[label, :4]
        if bw < params.min_note_px * 0.7 or bh < params.min_note_px * 0.7:
            continue
        mask = (labels[y : y + bh, x : x + bw] == label).astype(np.uint8)
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        contour = max(contours, key=cv2.contourArea)
        filled = cv2.contourArea(contour)
        if filled < min_area:
            continue
        quad = _fit_quad(contour) + (x, y)
        quad_area = cv2.contourArea(quad.astype(np.float32))
        colour = cv2.mean(lab[y : y + bh, x : x + bw], mask=mask)[:3]
        regions.append(
            _Region(
                quad=quad,
                area=filled,
                lab=tuple(float(v) for v in colour),
                rectangularity=filled / max(quad_area, 1.0),
            )
        )
    return regions, wall_lab


def _delta_e(a, b) -> float:
    return float(np.linalg.norm(np.subtract(a, b)))


def _split(quad: np.ndarray, cols: int, rows: int) -> list[np.ndarray]:
    """Cut a quad into cols x rows cells by bilinear interpolation of its corners."""
    tl, tr, br, bl = quad
    cells = []
    for r in range(rows):
        for c in range(cols):

            def at(u, v):
                top = tl + (tr - tl) * u
                bottom = bl + (br - bl) * u
                return top + (bottom - top) * v

            u0, u1 = c / cols, (c + 1) / cols
            v0, v1 = r / rows, (r + 1) / rows
            cells.append(np.array([at(u0, v0), at(u1, v0), at(u1, v1), at(u0, v1)]))
    return cells


def find_notes(bgr: np.ndarray, params: Params) -> list[Candidate]:
    """Every note on a (downscaled) photo, as quads in that photo's pixels."""
    lab = to_lab(cv2.GaussianBlur(bgr, (0, 0), 1.0))
    regions, wall_lab = _regions(lab, params)

    notes = [
        r
        for r in regions
        if r.rectangularity > 0.72 and _delta_e(r.lab, wall_lab) > 8.0 and min(quad_sides(r.quad)) >= params.min_note_px
    ]
    if not notes:
        return []

    # The wall's typical note: the area-weighted median of single-looking notes (roughly square
    # to 1:1.8), so a handful of small scraps or corner markers cannot set the scale.
    singles = [r for r in notes if 0.55 < _aspect(r.quad) < 1.8] or notes
    typical_w = _weighted_median([quad_sides(r.quad)[0] for r in singles], [r.area for r in singles])
    typical_h = _weighted_median([quad_sides(r.quad)[1] for r in singles], [r.area for r in singles])
    typical_area = typical_w * typical_h

    found = []
    for r in notes:
        if r.area < 0.3 * typical_area:
            continue  # a scrap, a corner marker or a big dot, not a note
        w, h = quad_sides(r.quad)
        cols = max(1, round(w / typical_w))
        rows = max(1, round(h / typical_h))
        if not 0.7 < r.area / (cols * rows * typical_area) < 1.4:
            cols = rows = 1  # not a grid of typical notes: keep it whole
        quad = _grow(r.quad, 1.0)
        cells = _split(quad, cols, rows) if cols * rows > 1 else [quad]
        found.extend(Candidate(quad=order_quad(c), lab=r.lab) for c in cells)
    return found


def _aspect(quad: np.ndarray) -> float:
    w, h = quad_sides(quad)
    return w / max(h, 1e-6)


def _weighted_median(values, weights) -> float:
    order = np.argsort(values)
    v = np.asarray(values, dtype=np.float64)[order]
    cw = np.cumsum(np.asarray(weights, dtype=np.float64)[order])
    return float(v[np.searchsorted(cw, cw[-1] / 2)])
