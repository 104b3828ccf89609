"""`crop(image, note)`: one note cut out of the photo and squared up, for the screen."""

from __future__ import annotations

import numpy as np

from vision.board import Note
from vision.geometry import quad_sides, warp_quad


def crop(image: np.ndarray, note: Note, max_side: int = 480) -> np.ndarray:
    """The note, perspective-corrected, its long side at most `max_side` pixels (BGR)."""
    w, h = quad_sides(note.polygon)
    scale = min(1.0, max_side / max(w, h, 1.0))
    patch, _ = warp_quad(image, note.polygon, max(1, round(w * scale)), max(1, round(h * scale)))
    return patch
