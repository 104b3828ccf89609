"""`tally(image) -> Board`: find the notes coarse, count the dots fine, only where notes are."""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np

from vision.board import Board, Dot, Note, rank_notes, reading_order
from vision.colours import note_colour
from vision.dots import count_wall
from vision.geometry import depth_inside
from vision.notes import find_notes
from vision.params import Params


def as_bgr(image) -> np.ndarray:
    """Any photo-like array as 8-bit BGR: grey, BGRA, 16-bit and float [0, 1] are accepted."""
    if image is None:
        raise ValueError("no image")
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim not in (2, 3) or image.size == 0:
        raise ValueError(f"not an image: array of shape {image.shape}")
    if image.ndim == 3 and image.shape[2] not in (3, 4):
        raise ValueError(f"not an image: {image.shape[2]} channels")
    if image.dtype != np.uint8:
        if image.dtype == np.uint16:
            image = (image >> 8).astype(np.uint8)
        elif np.issubdtype(image.dtype, np.floating):
            image = np.clip(np.nan_to_num(image) * 255.0, 0, 255).astype(np.uint8)
        else:
            image = np.clip(image, 0, 255).astype(np.uint8)
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    return np.ascontiguousarray(image)


def tally(image, params: Params | None = None) -> Board:
    """Find every note on a BGR photo of a wall, count the dots on each, and rank them."""
    params = params or Params()
    image = as_bgr(image)
    height, width = image.shape[:2]
    if min(height, width) < params.min_note_px:
        return Board(width=width, height=height)

    candidates = find_notes(image, params)
    measured = [(c.quad, c.dots) for c in count_wall(image, [c.quad for c in candidates], params)]
    quads = [quad for quad, _ in measured]
    # Each note's patch sees the dots near its edges too, so a dot can turn up twice: keep
    # one of each, and give it to the note that holds its centre (the deepest inside, where
    # two notes overlap a little); a dot on no note is a stray.
    seen: list[Dot] = []
    for _, found in measured:
        for d in found:
            if not any(
                np.hypot(k.center[0] - d.center[0], k.center[1] - d.center[1])
                < 0.6 * max(k.radius, d.radius)
                for k in seen
            ):
                seen.append(d)
    dots_by_note: list[list[Dot]] = [[] for _ in quads]
    strays: list[Dot] = []
    for dot in seen:
        depth = [depth_inside(q, dot.center) for q in quads]
        best = int(np.argmax(depth)) if depth else -1
        if best >= 0 and depth[best] >= 0:
            dots_by_note[best].append(dot)
        else:
            strays.append(dot)

    notes = [
        Note(
            id=0,
            polygon=tuple((float(x), float(y)) for x, y in quad),
            center=(float(quad[:, 0].mean()), float(quad[:, 1].mean())),
            colour=note_colour(c.lab),
            dots=tuple(dots),
        )
        for quad, c, dots in zip(quads, candidates, dots_by_note, strict=True)
    ]
    notes = [replace(n, id=i + 1) for i, n in enumerate(reading_order(notes))]
    return Board(width=width, height=height, notes=rank_notes(notes), stray_dots=tuple(strays))
