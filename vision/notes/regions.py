"""The tree of flat regions a photo falls into at falling edge thresholds, and the quads fitted
to them."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from vision.notes.shapes import (
    _LAB8_OFFSET,
    _LAB8_SCALE,
    _SUM_L1,
    _corners_square,
    _cyclic,
    _iou,
    _ordered,
    _sides,
)

# From 8-bit Lab, in plain floats (see shapes).
_OFFSET, _SCALE = _LAB8_OFFSET.tolist(), _LAB8_SCALE.tolist()
# A map of flat pixels this big (pixels) is labelled alone, its regions' boxes and sizes
# taken from its rows (see _components).
_BIG_MAP = 1 << 16
# A region that keeps this share of its pixels at the next level is the same region there.
_SAME = 0.985
# How far a note's corner may be from square, in degrees: perspective up to 20 degrees and
# a note rotated a few degrees.
_CORNER_TOLERANCE = 35.0
# Shaped like a note: the region's hull and its quad overlap this much (intersection over
# union; a dot sticker, round, does not), and the region fills this share of its hull (dots
# along the edges and writing near them take bites out of it; a thin frame is all bite).
_RECTANGULAR = 0.85
_SOLID = 0.3


@dataclass(frozen=True)
class _Region:
    x: int  # the mask's offset in the image
    y: int
    mask: np.ndarray  # uint8 0/1
    quad: np.ndarray  # fitted quad, image coordinates
    area: float  # of the convex hull: dots across the edge are notches, not missing paper
    lab: tuple[float, float, float]
    rectangularity: float  # intersection over union of the region's hull and its quad
    solidity: float  # the region's own area over its hull's
    border: bool = False  # touches the image's border
    contour: np.ndarray | None = None  # its outline, relative to (x, y)
    # What has been judged of it already (a region is judged again and again, level by
    # level); not copied by `replace`, whose region has another quad.
    judged: dict = field(default_factory=dict, init=False, repr=False, compare=False)


@dataclass
class _Node:
    region: _Region | None  # None: not worth describing (too thin)
    pixels: int = 0  # its own pixel count
    children: list[_Node] = field(default_factory=list)


def _gradient(lab8: np.ndarray) -> np.ndarray:
    """Colour gradient, uint8: max(|d/dx|, |d/dy|) of the Sobel filter summed over L, a and b
    (in CIE units: 8-bit L is stretched to 0..255). 16-bit and 8-bit arithmetic: a float
    gradient of three channels costs more than the rest of the search."""
    gx = cv2.convertScaleAbs(cv2.Sobel(lab8, cv2.CV_16S, 1, 0, ksize=3))
    gy = cv2.convertScaleAbs(cv2.Sobel(lab8, cv2.CV_16S, 0, 1, ksize=3))
    return cv2.transform(cv2.max(gx, gy), _SUM_L1)


def _descendants(roots: list[_Node]) -> list[_Region]:
    out, pending = [], list(roots)
    while pending:
        node = pending.pop()
        pending.extend(node.children)
        if node.region is not None:
            out.append(node.region)
    return out


class _Tree:
    """The flat regions of a photo at falling edge thresholds: each level's regions lie
    inside the previous level's, their children. The wall is the first level's region
    that runs along most of the photo's border (a note filling the frame can be bigger
    than the wall that shows around it)."""

    def __init__(self, lab8: np.ndarray, mag: np.ndarray, min_px: float):
        self.lab8, self.mag, self.min_px = lab8, mag, min_px
        self.min_area = 0.5 * min_px**2
        self.wall: _Region | None = None
        self._last: list[_Node] | None = None  # the last level's nodes

    @staticmethod
    def regions(nodes):
        return [n.region for n in nodes if n.region is not None]

    def level(self, threshold: float, expand, min_area: float = 0.0) -> list[_Node]:
        """The next level's nodes: on the first level, the whole photo's; below it, those
        inside the last level's nodes that `expand` picks, found in each one's box alone.
        Only regions of at least `min_area` pixels are made."""
        if self._last is None:
            made = self._regions(cv2.compare(self.mag, threshold, cv2.CMP_LE), 0, 0, None, min_area)
            if made:
                self.wall = made[0].region  # found first: see _regions
        else:
            made = []
            kernel = np.ones((3, 3), np.uint8)
            h, w = self.mag.shape
            for parent in self._last:
                if parent.region is None or not expand(parent):
                    continue
                r = parent.region
                mh, mw = r.mask.shape
                flat = cv2.compare(self.mag[r.y : r.y + mh, r.x : r.x + mw], threshold, cv2.CMP_LE)
                flat = cv2.bitwise_and(flat, flat, mask=r.mask)
                # An erosion closes the one-pixel gaps in an outline through which a region
                # leaks. Beyond the box is not this region, unless it is beyond the photo.
                pad = cv2.copyMakeBorder(flat, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)
                if r.y == 0:
                    pad[0, 1:-1] = flat[0]
                if r.y + mh == h:
                    pad[-1, 1:-1] = flat[-1]
                if r.x == 0:
                    pad[1:-1, 0] = flat[:, 0]
                if r.x + mw == w:
                    pad[1:-1, -1] = flat[:, -1]
                flat = cv2.erode(pad, kernel)[1:-1, 1:-1]
                made += self._regions(flat, r.x, r.y, parent, min_area)
        self._last = made
        return made

    def _regions(
        self, flat: np.ndarray, x0: int, y0: int, parent: _Node | None, min_area: float
    ) -> list[_Node]:
        """Nodes for the regions of a flat-pixel map whose top-left is at (x0, y0) in the
        photo, as children of `parent`. With no parent (the first level), the wall comes
        first: the region that runs along most of the photo's border (a note filling the
        frame can be bigger than the wall that shows around it); none, if nothing does."""
        h, w = self.mag.shape
        count, labels, stats = _components(flat)
        sizes = stats[1:, cv2.CC_STAT_AREA]
        thick = (
            np.minimum(stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT])
            >= 0.7 * self.min_px
        )
        order = list(np.flatnonzero((sizes >= max(self.min_area, min_area)) & thick) + 1)
        if parent is None:
            border = np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])
            counts = np.bincount(border, minlength=count)
            counts[0] = 0
            if not counts.any():
                return []
            wall = int(np.argmax(counts))
            order = [wall] + [label for label in order if label != wall]
        made = []
        for label in order:
            x, y, bw, bh, pixels = stats[label, :5].tolist()
            if parent is not None and pixels >= _SAME * parent.pixels:
                node = _Node(parent.region, pixels=parent.pixels)  # the same region, barely eroded
            else:
                mask = (labels[y : y + bh, x : x + bw] == label).view(np.uint8)
                node = _Node(
                    _region(mask, x0 + x, y0 + y, self.lab8, self.min_area, h, w), pixels=pixels
                )
            if parent is not None:
                parent.children.append(node)
            made.append(node)
        return made


def _components(flat: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """`cv2.connectedComponentsWithStats(flat, connectivity=4)`'s count, labels and stats,
    for a map of zeros and one other value (the background's stats are not filled in). On a
    big map the stats are taken from the runs of flat pixels along its rows, far fewer than
    its pixels: the labelling alone costs about half as much."""
    if flat.size < _BIG_MAP:
        count, labels, stats, _ = cv2.connectedComponentsWithStats(flat, connectivity=4)
        return count, labels, stats
    count, labels = cv2.connectedComponents(flat, connectivity=4)
    stats = np.zeros((count, 5), np.int32)
    # Where a row steps on and off flat pixels (a blank column each side: a row starts and
    # ends off them), in the order of the rows: each run's start, then the step past its end.
    pad = cv2.copyMakeBorder(flat, 0, 0, 1, 1, cv2.BORDER_CONSTANT, value=0)
    steps = cv2.findNonZero(cv2.absdiff(pad[:, 1:], pad[:, :-1]))
    if steps is None:
        return count, labels, stats
    steps = steps.reshape(-1, 2, 2)  # [run, (start, past its end), (x, y)]
    x0, y, x1 = steps[:, 0, 0], steps[:, 0, 1], steps[:, 1, 0] - 1
    label = labels[y, x0]
    order = np.argsort(label, kind="stable")  # by label, each one's runs still top down
    label, y, x0, x1 = label[order], y[order], x0[order], x1[order]
    first = np.flatnonzero(np.r_[True, label[1:] != label[:-1]])
    last = np.r_[first[1:], len(label)] - 1
    left, right = np.minimum.reduceat(x0, first), np.maximum.reduceat(x1, first)
    which = label[first]
    stats[which, cv2.CC_STAT_LEFT] = left
    stats[which, cv2.CC_STAT_TOP] = y[first]
    stats[which, cv2.CC_STAT_WIDTH] = right - left + 1
    stats[which, cv2.CC_STAT_HEIGHT] = y[last] - y[first] + 1
    stats[which, cv2.CC_STAT_AREA] = np.add.reduceat(x1 - x0 + 1, first)
    return count, labels, stats


def _region(mask: np.ndarray, x: int, y: int, lab8: np.ndarray, min_area: float, h: int, w: int):
    """Describe one region (mask at offset x, y in an h x w image); None if it is too small.
    Its quad is a quick fit, good enough to judge its shape (`_refined` fits it well)."""
    # The mask is one 4-connected region, so it has one outside outline (`_boxed` relies on
    # that too).
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not contours:
        return None
    contour = contours[0]
    area = cv2.contourArea(contour)
    if area < min_area:
        return None
    # Writing and dots on a note are holes in its region, dots across its edge are notches:
    # judge the shape by the convex hull, which fills both.
    hull = cv2.convexHull(contour)
    hull_area = float(cv2.contourArea(hull))
    hull_points = hull.reshape(-1, 2).astype(np.float32)
    guesses = [_cyclic(cv2.boxPoints(cv2.minAreaRect(hull)))]
    ious = [_iou(guesses[0].astype(np.float32), hull_points)]
    approx = _approx_quad(hull) if ious[0] < 0.97 else None  # not a rectangle: a trapezoid?
    if approx is not None:
        guesses.append(approx)
        ious.append(_iou(approx.astype(np.float32), hull_points))
    best = 1 if len(ious) > 1 and ious[1] > ious[0] else 0
    mh, mw = mask.shape
    mean = cv2.mean(lab8[y : y + mh, x : x + mw], mask=mask)
    colour = [(v - o) * k for v, o, k in zip(mean[:3], _OFFSET, _SCALE, strict=True)]
    return _Region(
        x=x,
        y=y,
        mask=mask,
        quad=guesses[best] + (x, y),
        area=hull_area,
        lab=tuple(colour),
        rectangularity=ious[best],
        solidity=area / max(hull_area, 1.0),
        border=x == 0 or y == 0 or x + mw == w or y + mh == h,
        contour=contour,
    )


def _approx_quad(hull: np.ndarray) -> np.ndarray | None:
    perimeter = cv2.arcLength(hull, True)
    for eps in (0.02, 0.035, 0.05, 0.08):
        approx = cv2.approxPolyDP(hull, eps * perimeter, True)
        if len(approx) == 4:
            return _cyclic(approx)
    return None


def _refined(r: _Region) -> _Region:
    """The region with its quad fitted with care (see `_fit_quad`)."""
    if r.contour is None:
        return r
    return replace(r, quad=_fit_quad(r.contour) + (r.x, r.y))


def _fit_quad(contour: np.ndarray) -> np.ndarray:
    """Four corners for a region's outline. Three guesses, and the one that best covers the
    region's convex hull wins: the hull simplified to four corners; the same with each side
    re-fitted as a straight line through the outline points near it (so a dot stuck across
    an edge, a notch in the outline, does not pull a corner off); and the smallest rectangle
    round the hull (when dots line a whole side, the other two go astray)."""
    hull = cv2.convexHull(contour)
    box = _ordered(cv2.boxPoints(cv2.minAreaRect(hull)))
    perimeter = cv2.arcLength(hull, True)
    quad = None
    for eps in (0.02, 0.035, 0.05, 0.08):
        approx = cv2.approxPolyDP(hull, eps * perimeter, True)
        if len(approx) == 4:
            quad = _ordered(approx.reshape(4, 2))
            break
    if quad is None:
        return box
    guesses = [quad, box]
    refined = _refit_sides(quad, contour.reshape(-1, 2).astype(np.float64))
    if refined is not None:
        guesses.insert(0, refined)
    hull_points = hull.reshape(-1, 2).astype(np.float32)
    return max(guesses, key=lambda q: _iou(q.astype(np.float32), hull_points))


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
    w, h = _sides(quad)
    if np.max(np.linalg.norm(refined - quad, axis=1)) > 0.25 * min(w, h):
        return None  # the fit went astray
    return _ordered(refined)


def _boxed(r: _Region) -> _Region | None:
    """A region as the rectangle round it, when it fills most of that rectangle: a column
    of touching notes pushed a little left and right is still a column, to be cut along
    its seams, while its outline is no quadrilateral. (Its writing and dots, holes in the
    region, are paper here.)"""
    filled = np.zeros_like(r.mask)
    if r.contour is not None:
        cv2.drawContours(filled, [r.contour], 0, 1, -1)
        # The region is one patch inside its one outline (`_region`): the rectangle round its
        # outline is the one round all its pixels (the same hull), found from far fewer points.
        rect = cv2.minAreaRect(r.contour)
    else:
        rect = cv2.minAreaRect(cv2.findNonZero(r.mask))
    box = _ordered(cv2.boxPoints(rect)) + (r.x, r.y)
    box_area = rect[1][0] * rect[1][1]
    filled |= r.mask
    if box_area <= 0 or cv2.countNonZero(filled) < 0.75 * box_area or not _corners_square(box):
        return None
    return _Region(
        x=r.x,
        y=r.y,
        mask=r.mask,
        quad=box,
        area=box_area,
        lab=r.lab,
        rectangularity=1.0,
        solidity=1.0,
    )


def _is_quad(r: _Region, min_px: float) -> bool:
    """Shaped like a note: its hull is a quadrilateral with no corner far from square (a
    strip of shadow along two sides has a triangle for a hull), and the region fills a fair
    part of that hull (dots along the edges take bites out of it; a thin frame is all bite)."""
    key = ("quad", min_px)
    if key not in r.judged:
        r.judged[key] = (
            r.rectangularity > _RECTANGULAR
            and r.solidity > _SOLID
            and min(_sides(r.quad)) >= min_px
            and _corners_square(r.quad, _CORNER_TOLERANCE)
        )
    return r.judged[key]
