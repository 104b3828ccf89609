"""The note flattened: warped to a fixed width, with a margin all round for dots across its
edge, and its four edges re-found there."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from vision.colours import to_lab
from vision.dots.arith import SUM3, median
from vision.geometry import quad_sides, transform, warp_quad
from vision.params import Params


@dataclass(frozen=True)
class Patch:
    lab: np.ndarray  # the note flattened, with a margin all round
    box: tuple[int, int, int, int]  # left, top, right, bottom: the note itself, re-found here
    quad: np.ndarray  # the note's corners in image pixels, re-found here
    to_image: np.ndarray  # homography from patch pixels to image pixels
    scale: float  # patch pixels per image pixel


def flatten(image: np.ndarray, quad: np.ndarray, params: Params) -> Patch:
    w, h = quad_sides(quad)
    scale = params.note_px / max(min(w, h), 1.0)
    width, height = max(8, round(w * scale)), max(8, round(h * scale))
    margin = int(params.dot_max * params.note_px / 2) + 3
    patch, to_image = warp_quad(image, quad, width, height, margin)
    # 5 x 5 taps: what OpenCV would add for sigma 0.8 (7 x 7) weighs under 0.1% a tap.
    lab = to_lab(cv2.GaussianBlur(patch, (5, 5), 0.8))
    left, top, right, bottom = _edges(lab, margin, width, height)
    corners = transform([[left, top], [right, top], [right, bottom], [left, bottom]], to_image)
    return Patch(
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
        return lo + 1 + best if profile[best] > 1.5 * median(profile) + 1e-6 else at

    def rows(at: int) -> int:  # a top or bottom edge: the gradient down, median across
        lo = max(0, at - band - 1)
        strip = lab[lo : at + band + 2, xs]
        g = cv2.transform(np.abs(cv2.Sobel(strip, cv2.CV_32F, 0, 1, ksize=3)), SUM3)
        return peak(median(g.T), at, lo)

    def cols(at: int) -> int:  # a left or right edge: the gradient across, median down
        lo = max(0, at - band - 1)
        strip = lab[ys, lo : at + band + 2]
        g = cv2.transform(np.abs(cv2.Sobel(strip, cv2.CV_32F, 1, 0, ksize=3)), SUM3)
        return peak(median(g), at, lo)

    top, bottom = rows(margin), rows(margin + height)
    left, right = cols(margin), cols(margin + width)
    if right - left < width // 2 or bottom - top < height // 2:
        return margin, margin, margin + width, margin + height
    return left, top, right, bottom
