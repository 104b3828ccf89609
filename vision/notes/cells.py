"""A block of touching notes of one colour whose outline is no rectangle, as the rectangles of
whole notes it is made of.

Notes of one colour in a grid of notes of two colours run together into one region where their
seams do not show: an L, a step, a T. Fitted with four corners, such a region is a trapezoid
across notes of the other colour, and cut as a grid its cells run aslant across the notes.
Where the rectangle round it is a grid of the wall's typical note, each of whose cells the
region fills whole or leaves all but empty, its notes are the cells it fills, in rectangles;
else it is peeled into blocks as leftover paper is (`unclaimed._peeled`: the biggest block
first, set against a corner of what is left).
"""

from __future__ import annotations

import cv2
import numpy as np

from vision.notes.regions import _Region
from vision.notes.seams import _cells
from vision.notes.shapes import _area, _ordered, _sides
from vision.notes.unclaimed import _peeled

# A cell the region fills this share of is one of its notes; one it fills this share or
# less is none of them (its edges are the neighbours' seams, blurred: a little of the
# region spills over them). Anything between is no grid of notes.
_HELD = 0.6
_EMPTY = 0.2
# The rectangle round the region is a whole number of typical notes across and down, give
# or take this share (notes off one pad are one size).
_FIT = 0.2
# A region whose fitted quad has opposite sides further from parallel than this (degrees)
# is no rectangle of notes: perspective turns a block's opposite sides a degree or two.
_PARALLEL = 8.0
# The region's filled outline is sampled this many pixels per cell.
_SAMPLES = 12


def _cell_blocks(r: _Region, typical) -> list[tuple[_Region, int, int]] | None:
    """The region as blocks of the wall's typical note (region, columns, rows): each a
    rectangle of the cells of its box it fills, if it fills each whole or not at all; else
    the blocks it peels into; None if neither."""
    if r.contour is None:
        return None
    box = _ordered(cv2.boxPoints(cv2.minAreaRect(r.contour)))
    w, h = _sides(box)
    cols, rows = max(1, round(w / typical[0])), max(1, round(h / typical[1]))
    if not 3 <= cols * rows <= 40:
        return None
    if abs(w / (cols * typical[0]) - 1) > _FIT or abs(h / (rows * typical[1]) - 1) > _FIT:
        return None
    filled = r.mask.copy()
    cv2.drawContours(filled, [r.contour], 0, 1, -1)  # its writing and dots are paper
    size = (cols * _SAMPLES, rows * _SAMPLES)
    to_grid = cv2.getPerspectiveTransform(
        box.astype(np.float32),
        np.float32([[0, 0], [size[0], 0], [size[0], size[1]], [0, size[1]]]),
    )
    grid = cv2.warpPerspective(filled.astype(np.float32), to_grid, size, flags=cv2.INTER_LINEAR)
    share = grid.reshape(rows, _SAMPLES, cols, _SAMPLES).mean(axis=(1, 3))
    held = share >= _HELD
    if held.all():
        return None  # a rectangle of notes after all: a block (see search)
    if np.any((share > _EMPTY) & ~held) or held.sum() < 2:
        return [(_block(r, q), c, n) for q, c, n in _peeled((r.x, r.y, filled), typical)] or None
    quad = box + (r.x, r.y)
    blocks = []
    free = held.copy()
    for row in range(rows):
        for col in range(cols):
            if not free[row, col]:
                continue
            # the widest run from here, then down while the rows below hold the same run
            right = col
            while right + 1 < cols and free[row, right + 1]:
                right += 1
            bottom = row
            while bottom + 1 < rows and free[bottom + 1, col : right + 1].all():
                bottom += 1
            free[row : bottom + 1, col : right + 1] = False
            (cell,) = _cells(
                quad, [col / cols, (right + 1) / cols], [row / rows, (bottom + 1) / rows]
            )
            blocks.append((_block(r, cell), right + 1 - col, bottom + 1 - row))
    return blocks


def _block(r: _Region, quad: np.ndarray) -> _Region:
    """A block of notes cut out of region `r`, as a region of its own: its quad, its paper."""
    return _Region(
        x=r.x,
        y=r.y,
        mask=r.mask,
        quad=quad,
        area=_area(quad),
        lab=r.lab,
        rectangularity=1.0,
        solidity=1.0,
    )
