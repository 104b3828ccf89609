"""`crop(image, note)`: one note cut out of the photo and squared up, for the screen."""

from __future__ import annotations

import cv2
import numpy as np

from vision.board import Note
from vision.geometry import quad_sides, rect_homography


def crop(image: np.ndarray, note: Note, max_side: int = 480) -> np.ndarray:
    """The note, perspective-corrected, its long side at most `max_side` pixels (BGR)."""
    quad = np.asarray(note.polygon, dtype=np.float64)
    w, h = quad_sides(quad)
    scale = min(1.0, max_side / max(w, h, 1.0))
    out_w, out_h = max(1, round(w * scale)), max(1, round(h * scale))
    if scale < 0.6:
        # Average before the warp, which only interpolates: a big note would alias otherwise.
        x0, y0 = np.maximum(np.floor(quad.min(axis=0)), 0).astype(int)
        x1, y1 = np.ceil(quad.max(axis=0)).astype(int) + 1
        roi = image[y0:y1, x0:x1]
        f = scale * 1.5
        image = cv2.resize(roi, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
        quad = (quad - (x0, y0)) * f
    homography = rect_homography(quad, out_w, out_h)
    return cv2.warpPerspective(image, homography, (out_w, out_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
