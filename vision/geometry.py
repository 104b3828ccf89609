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
