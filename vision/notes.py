"""Finding the notes: uniform patches of paper with four straight sides, on a downscaled copy.

The photo is cut into regions by its colour edges (after a median filter has
wiped out the handwriting); a region that is the size of a note, nearly a
quadrilateral, and not the colour of the wall is a note.

Same-colour notes that touch edge to edge come out as one region. Such a
region, bigger than the wall's typical note, is cut along the straight seams
found inside it (a faint shadow line or gap between two notes, seen on the
unfiltered copy); what is left that is still a neat grid of typical notes is
cut into that grid.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import cv2
import numpy as np

from vision.colours import to_lab
from vision.geometry import order_quad, quad_sides, warp_quad
from vision.params import Params


@dataclass(frozen=True)
class Candidate:
    quad: np.ndarray  # 4x2, clockwise from top-left, in the coordinates of the image searched
    lab: tuple[float, float, float]  # mean paper colour
    cols: int = 1  # a grid of touching same-colour notes, still to be cut along its seams
    rows: int = 1


@dataclass(frozen=True)
class _Region:
    x: int  # the mask's offset in the image
    y: int
    mask: np.ndarray  # uint8 0/1, holes filled
    quad: np.ndarray  # fitted quad, image coordinates
    area: float  # of the convex hull: dots across the edge are notches, not missing paper
    lab: tuple[float, float, float]
    rectangularity: float  # intersection over union of the region's hull and its quad
    solidity: float  # the region's own area over its hull's


def gradient(lab: np.ndarray) -> np.ndarray:
    """Colour gradient magnitude: the Sobel gradient's length over all three Lab channels.

    Channel by channel into one accumulator: a few single-channel images at a time, not
    six three-channel ones (a 12 MP photo's working copy must stay well under 400 MB)."""
    total = None
    for channel in cv2.split(lab):
        gx = cv2.Sobel(channel, cv2.CV_32F, 1, 0, ksize=3)
        gy = cv2.Sobel(channel, cv2.CV_32F, 0, 1, ksize=3)
        square = cv2.add(cv2.multiply(gx, gx), cv2.multiply(gy, gy))
        total = square if total is None else cv2.add(total, square)
    return cv2.sqrt(total)


def _threshold(mag: np.ndarray, params: Params) -> float:
    """Edge threshold that follows the photo's own noise level."""
    return max(params.edge_min, params.edge_k * float(np.median(mag)))


def _fit_quad(contour: np.ndarray) -> np.ndarray:
    """Four corners for a region's outline. Three guesses, and the one that best covers the
    region's convex hull wins: the hull simplified to four corners; the same with each side
    re-fitted as a straight line through the outline points near it (so a dot stuck across
    an edge, a notch in the outline, does not pull a corner off); and the smallest rectangle
    round the hull (when dots line a whole side, the other two go astray)."""
    hull = cv2.convexHull(contour)
    box = order_quad(cv2.boxPoints(cv2.minAreaRect(hull)))
    perimeter = cv2.arcLength(hull, True)
    quad = None
    for eps in (0.02, 0.035, 0.05, 0.08):
        approx = cv2.approxPolyDP(hull, eps * perimeter, True)
        if len(approx) == 4:
            quad = order_quad(approx.reshape(4, 2))
            break
    if quad is None:
        return box
    guesses = [quad, box]
    refined = _refit_sides(quad, contour.reshape(-1, 2).astype(np.float64))
    if refined is not None:
        guesses.insert(0, refined)
    hull_points = hull.reshape(-1, 2).astype(np.float32)
    return max(guesses, key=lambda q: _iou(q.astype(np.float32), hull_points))


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of two convex polygons."""
    inter, _ = cv2.intersectConvexConvex(a, b)
    union = cv2.contourArea(a) + cv2.contourArea(b) - inter
    return inter / union if union > 0 else 0.0


def _refit_sides(quad: np.ndarray, points: np.ndarray) -> np.ndarray | None:
    """The quad with each side re-fitted through the outline points near its middle part."""
    lines = []
    for i in range(4):
        a, b = quad[i], quad[(i + 1) % 4]
        side = b - a
        length = np.linalg.norm(side)
        if length < 4:
            return None
        u = side / length
        rel = points - a
        t = rel @ u / length
        dist = np.abs(rel[:, 0] * u[1] - rel[:, 1] * u[0])
        near = points[(t > 0.12) & (t < 0.88) & (dist < max(1.5, 0.05 * length))]
        if len(near) < 5:
            lines.append((a, u))
            continue
        vx, vy, x0, y0 = cv2.fitLine(near.astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        lines.append((np.array([x0, y0], dtype=np.float64), np.array([vx, vy], dtype=np.float64)))
    corners = []
    for i in range(4):
        (p, u), (q, v) = lines[i - 1], lines[i]
        det = u[0] * -v[1] - u[1] * -v[0]
        if abs(det) < 1e-6:
            return None
        s = ((q - p)[0] * -v[1] - (q - p)[1] * -v[0]) / det
        corners.append(p + s * u)
    refined = np.array(corners)
    w, h = quad_sides(quad)
    if np.max(np.linalg.norm(refined - quad, axis=1)) > 0.25 * min(w, h):
        return None  # the fit went astray
    return order_quad(refined)


def _region(mask: np.ndarray, x: int, y: int, lab: np.ndarray, min_area: float) -> _Region | None:
    """Describe one region (mask at offset x, y); None if it is too small."""
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not contours:
        return None
    contour = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(contour)
    if area < min_area:
        return None
    # Writing and dots on a note are holes in its region, dots across its edge are notches:
    # judge the shape by the convex hull, which fills both.
    filled = np.zeros_like(mask)
    hull = cv2.convexHull(contour)
    cv2.fillConvexPoly(filled, hull, 1)
    quad = _fit_quad(contour)
    quad_mask = np.zeros_like(mask)
    cv2.fillConvexPoly(quad_mask, np.round(quad).astype(np.int32), 1)
    union = np.count_nonzero(quad_mask | filled)
    overlap = np.count_nonzero(quad_mask & filled)
    h, w = mask.shape
    colour = cv2.mean(lab[y : y + h, x : x + w], mask=mask)[:3]
    return _Region(
        x=x,
        y=y,
        mask=filled,
        quad=quad + (x, y),
        area=float(cv2.contourArea(hull)),
        lab=tuple(float(v) for v in colour),
        rectangularity=overlap / max(union, 1),
        solidity=area / max(float(cv2.contourArea(hull)), 1.0),
    )


def _regions(lab: np.ndarray, params: Params, min_px: float) -> tuple[list[_Region], tuple[float, float, float]]:
    h, w = lab.shape[:2]
    mag = gradient(lab)
    flat = (mag <= _threshold(mag, params)).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(flat, connectivity=4)
    areas = stats[1:, cv2.CC_STAT_AREA]
    if len(areas) == 0:
        return [], (0.0, 0.0, 0.0)
    # The wall is the region that runs along most of the photo's border (a note filling the
    # frame can be bigger than the wall that shows around it).
    border = np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])
    counts = np.bincount(border, minlength=count)
    counts[0] = 0
    wall_label = int(np.argmax(counts)) if counts.any() else 1 + int(np.argmax(areas))
    wall_lab = tuple(float(v) for v in cv2.mean(lab, mask=(labels == wall_label).astype(np.uint8))[:3])

    min_area = min_px**2 * 0.5
    regions = []
    for label in np.flatnonzero(areas >= min_area) + 1:
        if label == wall_label:
            continue
        x, y, bw, bh = (int(v) for v in stats[label, :4])
        if min(bw, bh) < min_px * 0.7:
            continue
        mask = (labels[y : y + bh, x : x + bw] == label).astype(np.uint8)
        region = _region(mask, x, y, lab, min_area)
        if region is not None:
            regions.append(region)
    return regions, wall_lab


def _cut_seams(
    region: _Region, raw_mag: np.ndarray, threshold: float, lab: np.ndarray, typical: float, min_px: float
) -> list[_Region]:
    """Cut a region along long straight edges inside it: the seams between touching notes,
    seen on the unfiltered photo's gradient `raw_mag`."""
    h, w = region.mask.shape
    mag = raw_mag[region.y : region.y + h, region.x : region.x + w]
    inside = cv2.erode(region.mask, np.ones((5, 5), np.uint8))
    seams = ((mag > threshold) & (inside > 0)).astype(np.uint8) * 255
    lines = cv2.HoughLinesP(
        seams, 1, np.pi / 180, threshold=int(0.45 * typical), minLineLength=0.6 * typical, maxLineGap=3
    )
    if lines is None:
        return [region]
    # Notes in a column or a row share its axes: a seam runs along one of them, while a
    # slanted line is writing or a shadow.
    axis = np.radians(cv2.minAreaRect(cv2.findNonZero(region.mask))[2])
    cut = region.mask.copy()
    for x0, y0, x1, y1 in lines.reshape(-1, 4):
        slant = (np.arctan2(y1 - y0, x1 - x0) - axis) % (np.pi / 2)
        if min(slant, np.pi / 2 - slant) > np.radians(12):
            continue
        # Extend each seam a little so that it reaches the region's border and really cuts.
        d = np.array([x1 - x0, y1 - y0], dtype=np.float64)
        d *= 0.25 * typical / max(np.linalg.norm(d), 1e-6)
        a = np.round((x0 - d[0], y0 - d[1])).astype(int)
        b = np.round((x1 + d[0], y1 + d[1])).astype(int)
        cv2.line(cut, tuple(int(v) for v in a), tuple(int(v) for v in b), 0, 2)
    count, labels = cv2.connectedComponents(cut, connectivity=4)
    pieces = []
    min_area = min_px**2 * 0.5
    for label in range(1, count):
        piece = (labels == label).astype(np.uint8)
        # Give back the pixels the cut line took, to the side each is nearest.
        piece = cv2.dilate(piece, np.ones((3, 3), np.uint8)) & region.mask
        r = _region(piece, region.x, region.y, lab, min_area)
        if r is not None:
            pieces.append(r)
    return pieces or [region]


def find_notes(image: np.ndarray, params: Params) -> list[Candidate]:
    """Every note on a BGR photo, as quads in its pixels.

    Found on a copy downscaled to `params.work_size`, in two passes. The first finds the
    notes whose paper is one clean region and learns the wall's typical note size from them.
    The second looks again on a copy where everything smaller than a big dot is wiped out (a
    morphological close then open, sized from the first pass): a note crowded with dots, or
    with dots all along its edges, is a clean region there. It adds the notes the first pass
    missed. Grids of touching notes are then cut along their seams at full resolution.
    """
    bgr, scale = downscale(image, params.work_size)
    # The median wipes out handwriting (a pixel or two wide here) but keeps the notes' edges,
    # so a note covered in writing is still one region.
    first, typical = _find(bgr, to_lab(cv2.medianBlur(bgr, 5)), params.min_note_px, params, None)
    if typical is None:
        return []
    if min(typical) < params.small_note_px and scale < 1.0:
        # Small notes (a big wall from far away): look again at a finer scale, where their
        # corners are not rounded off by the median and their seams still show.
        long_side = min(2 * params.work_size, round(params.work_size * params.small_note_px * 1.3 / min(typical)))
        bgr, scale = downscale(image, long_side)
        again, typical_again = _find(bgr, to_lab(cv2.medianBlur(bgr, 5)), params.min_note_px, params, None)
        if typical_again is not None:
            first, typical = again, typical_again
    side = min(typical)
    factor = min(1.0, 48.0 / side)
    small = bgr if factor == 1.0 else cv2.resize(bgr, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    k = max(3, int(0.3 * side * factor) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))
    clean = cv2.morphologyEx(cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel), cv2.MORPH_OPEN, kernel)
    second, _ = _find(
        small, to_lab(clean), params.min_note_px * factor, params, (typical[0] * factor, typical[1] * factor)
    )
    # Where the passes disagree, keep whichever is nearer the typical note's size: a note cut
    # in two by a band of dots in the first pass is whole in the second.
    typical_area = typical[0] * typical[1]

    def misfit(c: Candidate) -> float:
        w, h = quad_sides(c.quad)
        return abs(np.log(max(w * h, 1.0) / (c.cols * c.rows * typical_area)))

    found = list(first)
    for c in second:
        c = Candidate(quad=c.quad / factor, lab=c.lab, cols=c.cols, rows=c.rows)
        rivals = [f for f in found if _contains(f.quad, c.quad) or _contains(c.quad, f.quad)]
        if all(misfit(c) < misfit(f) - 0.1 for f in rivals):
            found = [f for f in found if not any(f is r for r in rivals)] + [c]

    notes = []
    for c in found:
        quad = c.quad / scale
        cells = _seam_split(image, quad, c.cols, c.rows) if c.cols * c.rows > 1 else [quad]
        notes.extend(Candidate(quad=order_quad(q), lab=c.lab) for q in cells)
    return notes


def downscale(image: np.ndarray, long_side: int) -> tuple[np.ndarray, float]:
    """A copy whose long side is at most `long_side`, and the factor applied."""
    h, w = image.shape[:2]
    factor = min(1.0, long_side / max(h, w))
    if factor >= 1.0:
        return image, 1.0
    # Nearest-neighbour to 1.5x the target first: averaging all 12 MP costs more than the rest
    # of the tally, and the second, averaging step still smooths what the first one skipped.
    step = int(1 / (1.5 * factor))
    if step >= 2:
        image = image[::step, ::step]
    size = (max(1, round(w * factor)), max(1, round(h * factor)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA), size[0] / w


def _seam_split(image: np.ndarray, quad: np.ndarray, cols: int, rows: int) -> list[np.ndarray]:
    """Cut a grid of touching notes along its seams, found at full resolution.

    Squared up, a seam is a straight line across the whole grid: the median over the rows
    of the horizontal gradient peaks there, while writing and dots, which fill only a few
    rows, do not move the median. Where no seam stands out, the cut falls at the even split
    (two same-colour notes can touch without one); where none stands out anywhere in a grid
    of five or more, or fewer than three in four in a grid of more than twelve, it is one big sheet
    (a poster, a blank card, a patch of wall) and stays whole.
    """
    cell = 48
    patch, _ = warp_quad(image, quad, cols * cell, rows * cell)
    lab = to_lab(patch)
    gx = np.abs(cv2.Sobel(lab, cv2.CV_32F, 1, 0, ksize=3)).sum(axis=2)
    gy = np.abs(cv2.Sobel(lab, cv2.CV_32F, 0, 1, ksize=3)).sum(axis=2)
    trim_y, trim_x = max(1, rows * cell // 10), max(1, cols * cell // 10)
    us, seen_x = _cuts(np.median(gx[trim_y:-trim_y], axis=0), cols, cell)
    vs, seen_y = _cuts(np.median(gy[:, trim_x:-trim_x], axis=1), rows, cell)
    if cols * rows > 4 and seen_x + seen_y == 0:
        return [quad]  # a big blank sheet: a grid of five notes or more shows a seam somewhere
    if cols * rows > 12 and seen_x + seen_y < 0.75 * (cols + rows - 2):
        return [quad]  # a big grid needs most of its seams seen, or it is something else
    return _cells(quad, us, vs)


def _cuts(profile: np.ndarray, n: int, cell: int) -> tuple[list[float], int]:
    """Where to cut a profile of n cells (the strongest seam near each even split), and how
    many of the cuts found a seam there."""
    floor = 1.5 * float(np.median(profile)) + 1e-6
    cuts, seen = [0.0], 0
    for k in range(1, n):
        lo, hi = k * cell - cell // 3, k * cell + cell // 3
        at = lo + int(np.argmax(profile[lo:hi]))
        seen += bool(profile[at] > floor)
        cuts.append((at if profile[at] > floor else k * cell) / (n * cell))
    return cuts + [1.0], seen


def _cells(quad: np.ndarray, us: list[float], vs: list[float]) -> list[np.ndarray]:
    """The cells of a quad cut at fractions `us` across and `vs` down (bilinear in the corners)."""
    tl, tr, br, bl = quad

    def at(u, v):
        top = tl + (tr - tl) * u
        bottom = bl + (br - bl) * u
        return top + (bottom - top) * v

    return [
        np.array([at(u0, v0), at(u1, v0), at(u1, v1), at(u0, v1)])
        for v0, v1 in pairwise(vs)
        for u0, u1 in pairwise(us)
    ]


def _find(bgr, lab, min_px, params, typical):
    """One pass: notes on `lab` (a filtered copy of `bgr`), and the typical note's (w, h)."""
    regions, wall_lab = _regions(lab, params, min_px)
    # Not the wall's colour, and not dark: no sticky note is as dark as marker ink.
    regions = [r for r in regions if _delta_e(r.lab, wall_lab) > 8.0 and r.lab[0] > params.note_min_lightness]
    if typical is None:
        # The wall's typical note: the area-weighted median of single-looking notes (roughly
        # square to 1:1.8), so a handful of small scraps or corner markers cannot set the scale.
        shapely = [r for r in regions if _is_quad(r, min_px)]
        if not shapely:
            return [], None
        singles = [r for r in shapely if 0.55 < _aspect(r.quad) < 1.8] or shapely
        typical = (
            _weighted_median([quad_sides(r.quad)[0] for r in singles], [r.area for r in singles]),
            _weighted_median([quad_sides(r.quad)[1] for r in singles], [r.area for r in singles]),
        )
    typical_w, typical_h = typical
    typical_area = typical_w * typical_h

    raw_mag = None
    pieces: list[_Region] = []
    for r in regions:
        if r.area > 1.4 * typical_area and not _is_quad(r, min_px):
            boxed = _boxed(r)
            if boxed is not None:  # a column or row of notes, not quite aligned: a grid
                pieces.append(boxed)
                continue
            if raw_mag is None:  # the unfiltered photo's edges, where seams still show
                raw_mag = gradient(to_lab(cv2.GaussianBlur(bgr, (0, 0), 0.7)))
                seam_threshold = 0.5 * _threshold(raw_mag, params)
            pieces.extend(_cut_seams(r, raw_mag, seam_threshold, lab, min(typical), min_px))
        else:
            pieces.append(r)

    notes = [r for r in pieces if _is_quad(r, min_px) and r.area >= 0.3 * typical_area]
    # A sheet with notes stuck on it is background, not a giant note: a solid region (the
    # notes on it are holes in it) holding a note of another colour. A ragged piece of a
    # grid of touching notes can reach round a note of another colour in that grid too.
    notes = [
        r
        for r in notes
        if not (
            r.solidity > 0.8
            and any(o is not r and _delta_e(o.lab, r.lab) > 15 and _contains(r.quad, o.quad) for o in notes)
        )
    ]

    found = []
    for r in notes:
        w, h = quad_sides(r.quad)
        cols = max(1, round(w / typical_w))
        rows = max(1, round(h / typical_h))
        if cols * rows > 40 or not 0.7 < r.area / (cols * rows * typical_area) < 1.4:
            cols = rows = 1  # not a neat grid of a few typical notes: keep it whole
        found.append(Candidate(quad=_grow(r.quad, 1.5), lab=r.lab, cols=cols, rows=rows))
    return found, typical


def _boxed(r: _Region) -> _Region | None:
    """A region as the rectangle round it, when it fills most of that rectangle: a column
    of touching notes pushed a little left and right is still a column, to be cut along
    its seams, while its outline is no quadrilateral."""
    points = cv2.findNonZero(r.mask)
    rect = cv2.minAreaRect(points)
    box = order_quad(cv2.boxPoints(rect)) + (r.x, r.y)
    box_area = rect[1][0] * rect[1][1]
    if box_area <= 0 or len(points) < 0.75 * box_area or not _corners_square(box):
        return None
    return _Region(x=r.x, y=r.y, mask=r.mask, quad=box, area=box_area, lab=r.lab, rectangularity=1.0, solidity=1.0)


def _is_quad(r: _Region, min_px: float) -> bool:
    """Shaped like a note: its hull is a quadrilateral with no corner far from square (a
    strip of shadow along two sides has a triangle for a hull), and the region fills a fair
    part of that hull (dots along the edges take bites out of it; a thin frame is all bite)."""
    return (
        r.rectangularity > 0.85
        and r.solidity > 0.3
        and min(quad_sides(r.quad)) >= min_px
        and _corners_square(r.quad)
    )


def _corners_square(quad: np.ndarray, tolerance_degrees: float = 60.0) -> bool:
    for i in range(4):
        a, b, c = quad[i - 1], quad[i], quad[(i + 1) % 4]
        u, v = a - b, c - b
        cos = float(u @ v) / max(float(np.linalg.norm(u) * np.linalg.norm(v)), 1e-9)
        if abs(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))) - 90.0) > tolerance_degrees:
            return False
    return True


def _grow(quad: np.ndarray, pixels: float) -> np.ndarray:
    """Push each side outwards, undoing the pixel or two the edge map eats from each side."""
    centre = quad.mean(axis=0)
    w, h = quad_sides(quad)
    ux = quad[1] - quad[0]
    ux = ux / (np.linalg.norm(ux) or 1.0)
    uy = np.array([-ux[1], ux[0]])
    rel = quad - centre
    u = (rel @ ux) * (1 + 2 * pixels / max(w, 1.0))
    v = (rel @ uy) * (1 + 2 * pixels / max(h, 1.0))
    return centre + np.outer(u, ux) + np.outer(v, uy)


def _delta_e(a, b) -> float:
    return float(np.linalg.norm(np.subtract(a, b)))


def _aspect(quad: np.ndarray) -> float:
    w, h = quad_sides(quad)
    return w / max(h, 1e-6)


def _contains(outer: np.ndarray, inner: np.ndarray) -> bool:
    """Whether `inner`'s centre lies inside `outer` (a cheap box test first: walls with a
    hundred notes ask this for every pair)."""
    cx, cy = inner.mean(axis=0)
    (x0, y0), (x1, y1) = outer.min(axis=0), outer.max(axis=0)
    if not (x0 < cx < x1 and y0 < cy < y1):
        return False
    poly = outer.astype(np.float32).reshape(-1, 1, 2)
    return cv2.pointPolygonTest(poly, (float(cx), float(cy)), False) > 0


def _weighted_median(values, weights) -> float:
    order = np.argsort(values)
    v = np.asarray(values, dtype=np.float64)[order]
    cw = np.cumsum(np.asarray(weights, dtype=np.float64)[order])
    return float(v[np.searchsorted(cw, cw[-1] / 2)])
