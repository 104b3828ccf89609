"""Small geometry helpers: quads, homographies, points in polygons."""

from __future__ import annotations

import cv2
import numpy as np


def order_quad(points) -> np.ndarray:
    """Four corners ordered clockwise (on screen, y down) starting from the top-left one."""
    pts = np.asarray(points, dtype=np.float64).reshape(4, 2)
    centre = pts.mean(axis=0)
    angles = np.arctan2(pts[:, 1] - centre[1], pts[:, 0] - centre[0])
    pts = pts[np.argsort(angles)]  # increasing angle is clockwise when y points down
    start = int(np.argmin(pts.sum(axis=1)))
    return np.roll(pts, -start, axis=0)


def quad_sides(quad) -> tuple[float, float]:
    """Mean width (top and bottom edges) and mean height (left and right edges)."""
    q = np.asarray(quad, dtype=np.float64)
    w = (np.linalg.norm(q[1] - q[0]) + np.linalg.norm(q[2] - q[3])) / 2
    h = (np.linalg.norm(q[3] - q[0]) + np.linalg.norm(q[2] - q[1])) / 2
    return float(w), float(h)


def inside(polygon, point) -> bool:
    poly = np.asarray(polygon, dtype=np.float32).reshape(-1, 1, 2)
    return cv2.pointPolygonTest(poly, (float(point[0]), float(point[1])), False) >= 0


def depth_inside(polygon, point) -> float:
    """How far inside the polygon a point is, in pixels (negative: outside)."""
    poly = np.asarray(polygon, dtype=np.float32).reshape(-1, 1, 2)
    return cv2.pointPolygonTest(poly, (float(point[0]), float(point[1])), True)


def rect_homography(quad, width: float, height: float, margin: float = 0.0) -> np.ndarray:
    """The homography taking `quad` to the rectangle (margin, margin)-(margin+width, margin+height)."""
    dst = np.float32(
        [
            [margin, margin],
            [margin + width, margin],
            [margin + width, margin + height],
            [margin, margin + height],
        ]
    )
    return cv2.getPerspectiveTransform(np.float32(quad), dst)


def transform(points, homography) -> np.ndarray:
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 1, 2)
    return cv2.perspectiveTransform(pts, np.asarray(homography, dtype=np.float64)).reshape(-1, 2)


def warp_quad(
    image: np.ndarray, quad, width: int, height: int, margin: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Cut `quad` out of `image` squared up to width x height (plus `margin` all round).

    Returns the patch and the homography taking patch pixels back to image pixels. A quad
    much bigger than the patch is shrunk with averaging first: warpPerspective only
    interpolates, so it would alias.
    """
    quad = np.asarray(quad, dtype=np.float64)
    w, h = quad_sides(quad)
    shrink = min(width / max(w, 1.0), height / max(h, 1.0))
    pre, offset = 1.0, np.zeros(2)
    src, src_quad = image, quad
    if shrink < 0.6:
        pad = margin / shrink
        x0, y0 = np.maximum(np.floor(quad.min(axis=0) - pad), 0).astype(int)
        x1, y1 = np.ceil(quad.max(axis=0) + pad).astype(int) + 1
        roi = image[y0:y1, x0:x1]
        if roi.size:
            pre = min(1.0, shrink * 1.5)
            src = cv2.resize(roi, None, fx=pre, fy=pre, interpolation=cv2.INTER_AREA)
            offset = np.array([x0, y0], dtype=np.float64)
            src_quad = (quad - offset) * pre
    to_patch = rect_homography(src_quad, width, height, margin)
    size = (width + 2 * margin, height + 2 * margin)
    patch = cv2.warpPerspective(
        src, to_patch, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    # patch -> shrunk image -> image: undo the warp, then the shrink and the cut.
    undo = np.array([[1 / pre, 0, offset[0]], [0, 1 / pre, offset[1]], [0, 0, 1]], dtype=np.float64)
    return patch, undo @ np.linalg.inv(to_patch)
