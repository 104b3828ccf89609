"""A patch of light is no block of notes: paper has a cut edge, a lamp's glow fades out.

A glow on a wall (a lamp behind glass, sun through a window) is lighter than the wall, flat
and of no wall colour, and it can be as big as a block of touching notes whose seams do not
show: the search takes it for one and cuts it into a grid of notes. The edge of a piece of
paper rises from the wall's colour to the paper's within a few pixels, blurred or not; a
glow's over a good part of a note's width. So a block is notes only where at least one side
of its outline shows a rise that steep.
"""

from __future__ import annotations

import cv2
import numpy as np

from vision.colours import to_lab
from vision.notes.shapes import _sides

# Each side is sampled across at this many points along its middle, each the mean of this
# many lines a pixel apart (noise down, edge kept), out to this share of a cell's side on
# either side of it (at least and at most so many pixels).
_SAMPLES = 9
_LINES = 5
_REACH = 0.3
_REACH_PX = (8.0, 100.0)
# A step across a side smaller than this (CIE Lab distance) says nothing of its edge (a
# touching note of one colour, a shadow).
_STEP = 6.0
# An edge of paper rises from 10% to 90% of its step within this share of a cell's side,
# within these many pixels at least and at most (a blurred photo, a big note): the softest
# block of notes seen on 380 synthetic walls and the real photos rose within 8 px on its
# crispest side, a glow over 50. (A glow on cells under about 27 px has no side to judge
# within the reach: it is let through, as before.)
_RISE_SHARE = 0.15
_RISE_PX = (12.0, 24.0)
# A side is judged on this many of its samples at least (those with a step).
_JUDGED = 4


def _soft_edged(image: np.ndarray, quad: np.ndarray, cols: int, rows: int) -> bool:
    """Whether a block's outline (full-size pixels) has sides with a step across them to judge,
    and none of them shows the cut edge of paper (False where none can be judged)."""
    width, height = _sides(quad)
    cell = min(width / cols, height / rows)
    rises = _rises(image, np.asarray(quad, np.float64), cell)
    return bool(rises) and min(rises) > float(np.clip(_RISE_SHARE * cell, *_RISE_PX))


def _rises(image: np.ndarray, quad: np.ndarray, cell: float) -> list[float]:
    """Per side with a step to judge: the median width, in pixels, over which the colour
    across it rises from 10% to 90% of its step (the whole reach where it never does)."""
    reach = float(np.clip(_REACH * cell, *_REACH_PX))
    ts = np.arange(-reach, reach + 0.5)
    n = len(ts)
    band = max(2, n // 6)  # the ends of each line, inside and outside, give the two colours
    centre = quad.mean(axis=0)
    start, end = quad, quad[[1, 2, 3, 0]]
    along = (end - start) / np.linalg.norm(end - start, axis=1, keepdims=True)
    normal = np.stack([along[:, 1], -along[:, 0]], axis=1)
    outward = (((start + end) / 2 - centre) * normal).sum(axis=1, keepdims=True)
    normal = np.where(outward < 0, -normal, normal)
    at = np.linspace(0.15, 0.85, _SAMPLES)
    offsets = np.arange(_LINES) - _LINES // 2
    # sides x samples x lines x steps across x 2
    points = (
        start[:, None, None, None, :]
        + at[None, :, None, None, None] * (end - start)[:, None, None, None, :]
        + offsets[None, None, :, None, None] * along[:, None, None, None, :]
        + ts[None, None, None, :, None] * normal[:, None, None, None, :]
    ).astype(np.float32)
    rows = points.reshape(-1, n, 2)
    profile = cv2.remap(
        image, rows[..., 0], rows[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    lab = to_lab(profile).reshape(4, _SAMPLES, _LINES, n, 3).mean(axis=2)
    inner = np.median(lab[:, :, :band], axis=2)
    outer = np.median(lab[:, :, -band:], axis=2)
    step = np.linalg.norm(outer - inner, axis=2)
    direction = (outer - inner) / np.maximum(step, 1e-6)[..., None]
    rise = np.einsum("ijkc,ijc->ijk", lab - inner[:, :, None], direction)
    rise /= np.maximum(step, 1e-6)[..., None]
    rise = cv2.blur(rise.reshape(-1, n), (3, 1), borderType=cv2.BORDER_REPLICATE)
    rise = rise.reshape(4, _SAMPLES, n)[:, :, band : n - band]
    out = []
    for side in range(4):
        widths = [_width(rise[side, k], n) for k in range(_SAMPLES) if step[side, k] >= _STEP]
        if len(widths) >= _JUDGED:
            out.append(float(np.median(widths)))
    return out


def _width(rise: np.ndarray, whole: int) -> int:
    """From the last point at 10% of the step to the first at 90% after it, in pixels."""
    high = np.flatnonzero(rise >= 0.9)
    if len(high) == 0:
        return whole
    low = np.flatnonzero(rise[: high[0]] <= 0.1)
    return int(high[0] - (low[-1] if len(low) else -1))
