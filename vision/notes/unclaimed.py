"""Paper of a note's colour that no note holds, once every note found is cleared: notes, when
it is one note's size or a block of them (`_unclaimed`)."""

from __future__ import annotations

import cv2
import numpy as np

from vision.notes.regions import _components
from vision.notes.seams import _long_note, _on_seams
from vision.notes.shapes import (
    _LAB8_OFFSET,
    _LAB8_SCALE,
    _MAX_ASPECT,
    _MAX_TURN,
    _SUM_L1,
    _angle,
    _area,
    _delta_e,
    _grow,
    _ordered,
    _paper_lab,
    _sides,
)

# Paper that no note holds, of a note's colour (within this L1 distance, CIE units: its own
# paper under uneven light; a colour nearer the wall than twice that is no guide), that fills
# this much of the rectangle round it, and is a whole number of the wall's notes, up to this
# many, is notes (see _unclaimed): from this share of their area (what shows of a note
# partly covered) to this many times it. Looked for on a copy this many times smaller than
# the search's; each note found is cleared with this margin (pixels there), and slivers
# narrower than this share of a note are no paper. Opened again with a kernel this share of
# a note wide, paper joined to more of its colour by a neck is judged on each side of it.
_UNCLAIMED_E = 16.0
_UNCLAIMED_FILL = 0.85
_UNCLAIMED_MAX = 6
_UNCLAIMED_AREA = (0.4, 1.3)
_UNCLAIMED_SHRINK = 2
_UNCLAIMED_MARGIN = 1.0
_UNCLAIMED_SLIVER = 0.2
_UNCLAIMED_NECK = 0.45
# A patch is peeled into blocks (`_peeled`) whose notes are this share of the wall's note
# across and down, leaving at most this share of a note's area (a strip of a note mostly
# covered, a rim of paper round the notes found; but not a note-sized piece of a sheet).
_PEEL_CELL = (0.75, 1.25)
_PEEL_LEFT = 0.55
# Of two or more blocks peeled off a patch, one has notes found on this share of a ring round
# it at least (see _runs_on).
_PEEL_BESIDE = 0.1
# Notes end at their edges: paper whose own colour covers more than this share of a ring
# round it (this share of a note wide, outside the notes found) is a piece of a sheet.
_UNCLAIMED_RING = 0.15
_UNCLAIMED_RUNS = 0.35
# Paper left over that differs from every wall colour by twice _UNCLAIMED_E (a note's paper
# with its dots and writing) is a note crowded with dots when it is more than this share of
# the wall's note (a whole note, not the rest of one found in part) and this many times it
# at most (its dots across its edges stick out beyond it), and this share of it at least is
# paper of a note's colour.
_CROWDED_AREA = (0.55, 1.6)
_CROWDED_PAPER = 0.15
# ... or, where no note found shares its colour (a note alone of its colour on the wall), its
# own commonest colour is a sticky note's: this light and this strongly coloured at least
# (ink is darker, a sheet or a wall's paint duller).
_CROWDED_LIGHT = 50.0
_CROWDED_CHROMA = 25.0
# Colours are told apart in bins this wide (8-bit Lab) to find a patch's commonest.
_CROWDED_BIN = 12


def _unclaimed(
    notes: list,
    dropped: list,
    bgr: np.ndarray,
    lab: np.ndarray,
    image: np.ndarray,
    scale: float,
    typical,
    walls,
):
    """The notes (quad, colour), and the notes in the paper that none of them holds: a note
    colour's paper, left over once every note found (and every quad `dropped` as no note: a
    printed frame, a box drawn on a note) is cleared, that is one note or a block of touching
    ones (a block of one colour whose outline writing and dots made ragged at every level of
    the search, or one the search fitted askew, leaving its neighbour bare); and a note
    crowded with dots, its paper with its dots on it, no note holds."""
    if not notes:
        return notes
    colours: list = []
    for _, colour in notes:
        if min(_delta_e(colour, w) for w in walls) > 2 * _UNCLAIMED_E and all(
            _delta_e(colour, c) > _UNCLAIMED_E / 2 for c in colours
        ):
            colours.append(colour)
    if not colours:
        return notes
    k = _UNCLAIMED_SHRINK
    small = cv2.resize(bgr, None, fx=1 / k, fy=1 / k, interpolation=cv2.INTER_AREA)
    lab8 = cv2.cvtColor(small, cv2.COLOR_BGR2Lab)
    mask = np.zeros(lab8.shape[:2], np.uint8)
    for colour in colours:
        own = np.clip(np.round(np.asarray(colour) / _LAB8_SCALE + _LAB8_OFFSET), 0, 255)
        diff = cv2.absdiff(lab8, (*own.tolist(), 0.0))
        mask |= (cv2.transform(diff, _SUM_L1) < _UNCLAIMED_E).view(np.uint8)
    held = np.zeros_like(mask)
    for quad in [quad for quad, _ in notes] + dropped:
        cv2.fillConvexPoly(held, np.round(_grow(quad / k, _UNCLAIMED_MARGIN)).astype(np.int32), 1)
    size = (typical[0] / k, typical[1] / k, typical[2])
    blocks = _blocks(mask & (held == 0), size, peel=True)
    # A note crowded with dots (clumps of them wider than the gaps between its neighbours)
    # shows too little of its paper for that, and none of it is note-shaped: what differs
    # from every wall colour (its paper, its dots, its writing) and no note holds is a note,
    # when it is the size and shape of one whole note (more than half the wall's, unlike the
    # rest of a note found in part) and its paper shows.
    far = np.ones_like(mask)
    for wall in walls:
        own = np.clip(np.round(np.asarray(wall) / _LAB8_SCALE + _LAB8_OFFSET), 0, 255)
        diff = cv2.absdiff(lab8, (*own.tolist(), 0.0))
        far &= (cv2.transform(diff, _SUM_L1) > 2 * _UNCLAIMED_E).view(np.uint8)
    taken = held.copy()
    for box, _, _, _ in blocks:
        cv2.fillConvexPoly(taken, np.round(_grow(box, _UNCLAIMED_MARGIN)).astype(np.int32), 1)
    crowded = []
    for box, cols, rows, _ in _blocks(far & (taken == 0), size, _CROWDED_AREA[1]):
        inside = np.zeros_like(mask)
        cv2.fillConvexPoly(inside, np.round(box).astype(np.int32), 1)
        paper = lab8[(inside & mask) > 0]
        if cols * rows != 1 or _area(box) <= _CROWDED_AREA[0] * size[0] * size[1]:
            continue
        if len(paper) < _CROWDED_PAPER * inside.sum():
            paper = _own_paper(lab8[(inside & far) > 0])
        if len(paper) >= _CROWDED_PAPER * inside.sum():
            colour = (np.median(paper, axis=0) - _LAB8_OFFSET) * _LAB8_SCALE
            crowded.append((box, tuple(float(v) for v in colour)))
    out = list(notes)
    for box, cols, rows, siblings in blocks:
        beside = held
        if siblings and all(
            _held_round(b, held, min(size[:2])) < _PEEL_BESIDE for b in [box, *siblings]
        ):
            # Blocks peeled off one patch, cut where no seam need show: the rest of a block
            # whose other notes were found lies beside them (a card two notes long alone on the
            # wall is no notes).
            continue
        if siblings:
            # (the blocks peeled off the same patch are notes beside it, not paper running on)
            beside = held.copy()
            for other in siblings:
                cv2.fillConvexPoly(beside, np.round(other).astype(np.int32), 1)
        if _runs_on(box, lab8, beside, min(size[:2])):
            continue
        quad = box * k
        colour = _paper_lab(quad, lab, step=2)
        if colour is None:
            continue
        if cols * rows == 1 or _long_note(image, quad, scale, cols, rows, typical):
            # (a row of two with no seam across it is one long note on its side, as in the
            # search's blocks: cut on a line of its writing, its halves were two notes)
            out.append((quad, colour))
        else:
            # cut only on seams seen: a blank sheet of a note's colour shows none
            out += [(c, colour) for c in _on_seams(image, quad, scale, cols, rows)]
    # (its colour: its paper's, not its dots')
    out += [
        (box * k, colour) for box, colour in crowded if not _runs_on(box, lab8, held, min(size[:2]))
    ]
    return out


def _own_paper(pixels: np.ndarray) -> np.ndarray:
    """The pixels (8-bit Lab) of a patch's commonest colour (its paper: dots and writing
    each cover less of it), if that is a sticky note's colour (see _CROWDED_LIGHT); none
    otherwise."""
    if not len(pixels):
        return pixels
    bins = pixels // _CROWDED_BIN
    key = (bins[:, 0].astype(np.int64) * 256 + bins[:, 1]) * 256 + bins[:, 2]
    values, counts = np.unique(key, return_counts=True)
    own = np.median(pixels[key == values[np.argmax(counts)]], axis=0)
    lab = (own - _LAB8_OFFSET) * _LAB8_SCALE
    if lab[0] < _CROWDED_LIGHT or np.hypot(lab[1], lab[2]) < _CROWDED_CHROMA:
        return pixels[:0]
    near = np.abs(pixels.astype(np.float64) - own) @ np.asarray(_LAB8_SCALE, np.float64)
    return pixels[near < _UNCLAIMED_E]


def _blocks(
    mask: np.ndarray, typical, most: float = _UNCLAIMED_AREA[1], peel: bool = False
) -> list:
    """The notes and blocks of notes (quad, cols, rows, the other blocks peeled off the same
    patch) in a mask of leftover paper, on the scale of `typical` (the wall's note: width,
    height, angle), each note `most` times the wall's at most. With `peel`, a patch of no
    block's shape is peeled into blocks (`_peeled`)."""
    note_w, note_h = typical[:2]
    kernel = _sliver(note_w, note_h)
    mask = cv2.morphologyEx(cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel), cv2.MORPH_OPEN, kernel)
    note_area = note_w * note_h
    # A note's paper may join another patch of its colour by a neck (a dot, a strip of
    # paper): opened again with a kernel too wide for the neck, each side is judged alone.
    neck = cv2.getStructuringElement(
        cv2.MORPH_RECT, (max(3, int(_UNCLAIMED_NECK * min(note_w, note_h)) | 1),) * 2
    )
    blocks = []
    for piece in _patches(mask, _UNCLAIMED_AREA[0] * note_area):
        block = _block(piece, typical, most)
        if block is None:
            opened = cv2.morphologyEx(piece[2], cv2.MORPH_OPEN, neck)
            x, y = piece[:2]
            for px, py, part in _patches(opened, _UNCLAIMED_AREA[0] * note_area):
                block = _block((x + px, y + py, part), typical, most)
                if block is not None:
                    blocks.append((*block, None))
                elif peel:
                    peeled = _peeled((x + px, y + py, part), typical, most)
                    blocks += [(*b, [o[0] for o in peeled if o is not b]) for b in peeled]
        else:
            blocks.append((*block, None))
    return blocks


def _sliver(note_w: float, note_h: float) -> np.ndarray:
    """A square kernel `_UNCLAIMED_SLIVER` of a note wide: an opening by it takes slivers off."""
    return cv2.getStructuringElement(
        cv2.MORPH_RECT, (max(3, int(_UNCLAIMED_SLIVER * min(note_w, note_h)) | 1),) * 2
    )


def _peeled(piece, typical, most: float = _UNCLAIMED_AREA[1]) -> list:
    """The blocks (quad, cols, rows) a patch of paper (x, y, mask) of no block's shape is
    made of: a column of notes with a note beside one of them (the rest of a block whose other
    notes were found), an L of them. Taken the biggest first, each a rectangle square to the
    patch's box, set against a corner of what is left, that the paper fills as a block's does
    (see `_block`). They must take all of it but slivers and scraps: paper of a note's
    colour left over that no note fits is a sheet's, and so are the blocks cut from it; one
    note and scraps is a card too long or too big for a note."""
    x, y, mask = piece
    note_w, note_h, angle = typical
    box = _ordered(cv2.boxPoints(cv2.minAreaRect(cv2.findNonZero(mask))))
    turn = abs(_angle(box) - angle)
    if min(turn, 90 - turn) > _MAX_TURN:
        return []
    bw, bh = _sides(box)
    if min(bw, bh) < 2:
        return []  # a line of pixels: no box to peel in
    width, height = int(round(bw)), int(round(bh))
    frame = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    to_frame = cv2.getPerspectiveTransform(box.astype(np.float32), frame)
    left = cv2.warpPerspective(mask, to_frame, (width, height), flags=cv2.INTER_NEAREST)
    back = np.linalg.inv(to_frame)
    sliver = _sliver(note_w, note_h)
    out = []
    while True:
        left = cv2.morphologyEx(left, cv2.MORPH_OPEN, sliver)
        if cv2.countNonZero(left) <= _PEEL_LEFT * note_w * note_h:
            return out if len(out) > 1 or (out and out[0][1] * out[0][2] > 1) else []
        if len(out) == _UNCLAIMED_MAX:
            return []
        sums = cv2.integral(left)
        lx, ly, lw, lh = cv2.boundingRect(left)
        best = None
        ws = {min(lw, round(c * note_w)) for c in range(1, max(1, round(lw / note_w)) + 1)} | {lw}
        hs = {min(lh, round(r * note_h)) for r in range(1, max(1, round(lh / note_h)) + 1)} | {lh}
        for w in ws:
            for h in hs:
                cols, rows = max(1, round(w / note_w)), max(1, round(h / note_h))
                if cols * rows > _UNCLAIMED_MAX:
                    continue
                if not (
                    _PEEL_CELL[0] <= w / cols / note_w <= _PEEL_CELL[1]
                    and _PEEL_CELL[0] <= h / rows / note_h <= _PEEL_CELL[1]
                    and 1 / _MAX_ASPECT <= (w / cols) / (h / rows) <= _MAX_ASPECT
                ):
                    continue
                for x0 in {lx, lx + lw - w}:
                    for y0 in {ly, ly + lh - h}:
                        area = int(
                            sums[y0 + h, x0 + w]
                            - sums[y0, x0 + w]
                            - sums[y0 + h, x0]
                            + sums[y0, x0]
                        )
                        share = area / (cols * rows * note_w * note_h)
                        if area < _UNCLAIMED_FILL * w * h or not (
                            _UNCLAIMED_AREA[0] <= share <= most
                        ):
                            continue
                        if best is None or area > best[0]:
                            best = (area, x0, y0, w, h, cols, rows)
        if best is None:
            return []  # paper left over that is no note: a sheet's, not notes'
        _, x0, y0, w, h, cols, rows = best
        left[y0 : y0 + h, x0 : x0 + w] = 0
        corners = np.float64([[x0, y0], [x0 + w, y0], [x0 + w, y0 + h], [x0, y0 + h]])
        quad = cv2.perspectiveTransform(corners.reshape(-1, 1, 2), back).reshape(4, 2)
        out.append((_ordered(quad) + (x, y), cols, rows))


def _runs_on(box: np.ndarray, lab8: np.ndarray, held: np.ndarray, side: float) -> bool:
    """Whether the paper in `box` runs on past it (in a ring round it, outside the notes
    `held`): a piece of a sheet of that colour, not notes, which end at their edges."""
    window, inside, ring = _round(box, held.shape, side)
    ring &= held[window] == 0
    window = lab8[window]
    if not ring.any() or not inside.any():
        return False
    own = np.median(window[inside > 0], axis=0)
    diff = cv2.transform(cv2.absdiff(window, (*own.tolist(), 0.0)), _SUM_L1)
    return float(np.mean(diff[ring] < _UNCLAIMED_E)) > _UNCLAIMED_RUNS


def _held_round(box: np.ndarray, held: np.ndarray, side: float) -> float:
    """The share of the ring round `box` (`_round`) that the notes `held` cover."""
    window, _, ring = _round(box, held.shape, side)
    return float(np.mean(held[window][ring] > 0)) if ring.any() else 0.0


def _round(box: np.ndarray, shape, side: float):
    """A ring round `box`, `_UNCLAIMED_RING` of a note's `side` wide: the window holding it
    (slices into an image of `shape`), and in that window the box (uint8) and the ring
    (bool)."""
    h, w = shape[:2]
    outer = _grow(box, _UNCLAIMED_RING * side)
    x0, y0 = np.clip(np.floor(outer.min(axis=0)).astype(int), 0, (w, h))
    x1, y1 = np.clip(np.ceil(outer.max(axis=0)).astype(int) + 1, 0, (w, h))
    inside = np.zeros((y1 - y0, x1 - x0), np.uint8)
    cv2.fillConvexPoly(inside, np.round(box - (x0, y0)).astype(np.int32), 1)
    ring = np.zeros_like(inside)
    cv2.fillConvexPoly(ring, np.round(outer - (x0, y0)).astype(np.int32), 1)
    return (slice(y0, y1), slice(x0, x1)), inside, ring > inside


def _patches(mask: np.ndarray, min_area: float):
    """Each 4-connected patch of a mask of at least `min_area` pixels, as (x, y, its own mask
    cut to its box)."""
    count, labels, stats = _components(mask)
    for i in range(1, count):
        x, y, w, h, area = stats[i]
        if area >= min_area:
            yield x, y, (labels[y : y + h, x : x + w] == i).view(np.uint8)


def _block(piece, typical, most: float = _UNCLAIMED_AREA[1]):
    """A patch of paper (x, y, mask) as (quad, cols, rows) when it is one note or a block of
    them: it fills the rectangle round it, square to the wall's notes, a whole number of
    them, each `most` times the wall's note at most; else None."""
    x, y, mask = piece
    note_w, note_h, angle = typical
    area = int(mask.sum())
    # The rectangle round a patch's outline is the one round all its pixels (the same hull),
    # found from far fewer points. (The patch is one: its outline holds all of it.)
    outline, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    rect = cv2.minAreaRect(outline[0] if len(outline) == 1 else cv2.findNonZero(mask))
    box = _ordered(cv2.boxPoints(rect)) + (x, y)
    if area < _UNCLAIMED_FILL * rect[1][0] * rect[1][1]:
        return None
    turn = abs(_angle(box) - angle)
    if min(turn, 90 - turn) > _MAX_TURN:
        return None
    bw, bh = _sides(box)
    cols, rows = max(1, round(bw / note_w)), max(1, round(bh / note_h))
    if cols * rows > _UNCLAIMED_MAX:
        return None
    # each cell shaped like a note: a strip (what shows of a note mostly covered, or a rim
    # of paper) is no note here (see real_walls._covered for strips that are)
    if not 1 / _MAX_ASPECT <= (bw / cols) / (bh / rows) <= _MAX_ASPECT:
        return None
    share = area / (cols * rows * note_w * note_h)
    if not _UNCLAIMED_AREA[0] <= share <= most:
        return None
    return box, cols, rows
