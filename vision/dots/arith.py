"""The arithmetic every step of the dot counter shares: OpenCV's, cheaper than numpy's."""

from __future__ import annotations

import cv2
import numpy as np

# Weights for cv2.transform, which sums an image's channels in one pass: OpenCV's arithmetic
# on a note's patch costs several times less than numpy's, and runs for every note and blob.
SUM3 = np.ones((1, 3), np.float32)  # L² + a² + b²
PAPER_WEIGHTS = np.float32([[0.6, 1, 1]])  # 0.6 L² + a² + b²
CHROMA2 = np.float32([[0, 1, 1]])  # a² + b²
SQUARE3 = np.ones((3, 3), np.uint8)


def median(values: np.ndarray, axis: int = 0) -> np.ndarray:
    """np.median along an axis (the first by default), without its overhead (it runs for
    every blob)."""
    s = np.sort(values, axis=axis)
    if axis:
        s = np.moveaxis(s, axis, 0)
    k = len(s) // 2
    return s[k] if len(s) % 2 else (s[k - 1] + s[k]) * 0.5


# A circle is fitted to at least this many points of a rim: fewer fit a circle to a stroke's
# corner as well as to a dot's arc.
FIT_POINTS = 12


def circle_through(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """The circle through the points (x, y) by least squares, x² + y² + D x + E y + F = 0: its
    centre and its squared radius (not above 0: the points draw no circle)."""
    design = np.column_stack([x, y, np.ones_like(x)])
    _, (d, e, f) = cv2.solve(
        design.T @ design, (design.T @ -(x * x + y * y)).reshape(3, 1), flags=cv2.DECOMP_LU
    )
    cx, cy = -0.5 * float(d[0]), -0.5 * float(e[0])
    return cx, cy, cx * cx + cy * cy - float(f[0])
