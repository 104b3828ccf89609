"""The search: the notes among a photo's flat regions, judged against the wall's typical note
(learnt from them), level by level down the tree (`_search`)."""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np

from vision.notes.cells import _PARALLEL, _cell_blocks
from vision.notes.real_walls import _STRIP_LONG, _STRIP_WALL_E, _alone, _covered
from vision.notes.regions import (
    _RECTANGULAR,
    _boxed,
    _descendants,
    _gradient,
    _is_quad,
    _Node,
    _refined,
    _Region,
    _Tree,
)
from vision.notes.seams import _cells, _seam_split
from vision.notes.shapes import (
    _MAX_ASPECT,
    _MAX_TURN,
    _WALL_DELTA_E,
    _angle,
    _area,
    _aspect,
    _boxes,
    _contains,
    _delta_e,
    _grow,
    _iou,
    _meeting,
    _side_angles,
    _sides,
    _skew,
    _unparallel,
    _weighted_median,
)
from vision.notes.squared import _SKEW_MORE
from vision.params import Params

# Edge thresholds tried: the photo's own (Params.edge_min, edge_k), then up to _LEVELS - 1
# lower ones, each _LEVEL_STEP times lower, down to _NOISE_FLOOR times the median gradient
# (the photo's noise) or _EDGE_FLOOR, whichever is higher.
_LEVELS = 4
_LEVEL_STEP = 1.6
_NOISE_FLOOR = 2.5
_EDGE_FLOOR = 5.0
# A region this rectangular is surely a note or a card, not a blob of dots.
_CRISP = 0.9
# A single note's area, relative to the wall's typical note.
_SINGLE_AREA = (0.3, 1.6)
# A region bigger than the typical note by this much, with a corner further from square than
# this (degrees), is no single note: two of one colour run together where dots cut one of
# them, their outline spanning one and a piece of the other aslant (a note seen in
# perspective, or with a corner cut off, is about its size).
_MERGED_AREA = 1.1
_MERGED_SKEW = 12.0
# A note off a bigger pad than the wall's typical note's can be this many times its area
# (see _search's one_size).
_BIGGER_PAD = 2.25
# Notes this many times longer than wide are long ones (3 x 5 in, 1.67:1).
_OBLONG = 1.3
# A note darker than Params.note_min_lightness and duller than _DARK_CHROMA is still one
# when it is this size (share of the typical note), this solid, and coloured at least this
# much (ink and shadow are dark, but a note-sized, solid, crisp quad of them is not seen).
_DIM_AREA = (0.7, 1.4)
_DIM_SOLID = 0.9
_DIM_CHROMA = 15.0
# A note seen far off on a wall at a steep angle can be this share of the typical note.
_FAR_AREA = 0.1
# A note this much bigger than the typical one may be a note and part of its neighbour:
# it is looked at one level down too.
_OVERSIZED = 1.25
# The typical note is the biggest size that this share of the note-shaped area is a whole
# number of (see _typical).
_EXPLAINED = 0.6
# A size is no note's if a region of its paper (within this Lab distance) this many times its
# area holds it, as one note of it, or as a grid of it that it tiles closely (each side
# within this share of a note of a whole number of it) that shows no seams there: it is a
# piece of a note (see _typical).
_HOLDS = 1.25
_SAME_PAPER = 12.0
_TILES = 0.3
# ... unless that region holds a twin of it beside it too (its area to within this share).
_TWIN = 0.3
# A region is cut as a grid of typical notes only if the notes seen inside it at lower
# thresholds cover less than this share of it.
_PIECES_COVER = 0.7
# A note of another colour in a grid of touching notes covers one of its cells this well
# (intersection over union).
_IN_CELL = 0.5
# A grid of touching notes has at most this share of notes of other colours among them.
_AMONG = 0.25
# A grid of touching notes is about as square as this percentile of the note-shaped regions
# (a corner up to _SKEW_MORE degrees further from square than theirs), or has no corner more
# than this many degrees from square.
_SQUARE_SHARE = 90.0
_BLOCK_SKEW = 12.0
# Chroma above which paper is a sticky note's, not a sheet's.
_SHEET_CHROMA = 25.0
# A region along the photo's border this many typical notes big is more wall.
_WALL_NOTES = 5.0
# Chroma above which a region darker than Params.note_min_lightness is still paper.
_DARK_CHROMA = 30.0
# Pixels each side of a found quad is pushed out by: the edge map eats about that much of
# the paper.
_GROW = 2.0
# A region of paper too long for one note, but no longer than this many times its width (short
# of a row of three square notes, 3:1), may be two notes side by side (see _search's pair).
_PAIR_LONG = 2.8
# A piece of paper turned from the wall's notes or ragged, this share of the typical note,
# may be part of a note (see find_notes): as little as a fifth of it (big writing in lines
# right across a note, and dots on it, can leave its paper in bands that narrow).
_PART_OF = (0.2, 0.75)
# A row (column) of touching notes whose outline steps across by this share of the typical
# note at least, each side of the step straight to within this share of it, is notes off
# pads of two sizes: cut at the step (see _stepped).
_STEP = 0.15
_STEP_FLAT = 0.05
# ... each of them, each side this many times the typical note's (a 4 in note is 1.33 times
# a 3 in one's; a strip of a note, or a note's end that dots across its edge notched, is
# no note).
_NOTE_SIDE = (0.8, 1.5)


def _search(bgr: np.ndarray, params: Params, min_px: float, typical=None, lab8=None, seamed=None):
    """The notes on a downscaled, filtered photo, as (region, cols, rows) with cols x rows > 1
    for a grid still to be cut; and the typical note's (width, height, angle) (learnt here
    unless given), None if there is none. `lab8`: the photo in Lab, if made already;
    `seamed(quad, cols, rows, every=False)`: whether a region cut as a grid shows its seams
    (see _typical), or with `every`, every one of them (see `sheet`)."""
    wiped = typical is not None
    lab8 = cv2.cvtColor(bgr, cv2.COLOR_BGR2Lab) if lab8 is None else lab8
    mag = _gradient(lab8)
    noise = float(np.median(mag[::4, ::4]))
    thresholds = [max(params.edge_min, params.edge_k * noise)]
    floor = max(_EDGE_FLOOR, _NOISE_FLOOR * noise)
    while len(thresholds) < _LEVELS and thresholds[-1] / _LEVEL_STEP >= floor:
        thresholds.append(thresholds[-1] / _LEVEL_STEP)
    h, w = mag.shape
    tree = _Tree(lab8, mag, min_px)
    roots = tree.level(thresholds[0], None)
    if tree.wall is None:
        return [], None, [], []
    image_area = h * w
    walls = [tree.wall.lab] + [
        r.lab for r in tree.regions(roots) if r.border and r.area > image_area / 8
    ]

    def paper(r: _Region) -> bool:
        # Not the wall's colour; not dark as ink or shadow, unless strongly coloured (a
        # purple or neon pink note in dim light).
        bright = r.lab[0] > params.note_min_lightness or np.hypot(r.lab[1], r.lab[2]) > _DARK_CHROMA
        return bright and min(_delta_e(r.lab, c) for c in walls) > _WALL_DELTA_E

    def shaped(r: _Region) -> bool:
        return (
            _is_quad(r, min_px) and 1 / _MAX_ASPECT <= _aspect(r.quad) <= _MAX_ASPECT and paper(r)
        )

    def narrow(r: _Region) -> bool:
        # A long note (3 x 5 in) seen from the side, foreshortened across: longer than the
        # plain limit, but as long as the wall's long notes and lying the same way. Its aspect
        # is judged with the pixel or two of each side the edge map ate put back (a good part
        # of a small note's width), once the typical note (learnt within the plain limit, so
        # that two dot stickers side by side cannot set it) says the wall's notes are long.
        w, h = _sides(r.quad)
        return (
            max(typical_w, typical_h) >= _OBLONG * min(typical_w, typical_h)
            and (h > w) == (typical_h > typical_w)
            and _STRIP_LONG[0] <= max(w, h) / max(typical_w, typical_h) <= _STRIP_LONG[1]
            and _is_quad(r, min_px)
            and 1 / _MAX_ASPECT <= _aspect(_grow(r.quad, _GROW)) <= _MAX_ASPECT
            and paper(r)
        )

    def aligned(r: _Region, sides=(0,)) -> bool:
        # Notes on a wall are square to each other, give or take (the sides given: 0 the
        # top, then clockwise).
        turns = np.abs(_side_angles(r.quad)[list(sides)] - typical_angle)
        return bool(np.all(np.minimum(turns, 90 - turns) <= _MAX_TURN))

    if typical is None:
        # The whole tree, to learn the typical note from all its note-shaped regions (a
        # block of touching notes at one level is its notes at a lower one).
        for t in thresholds[1:]:
            tree.level(t, lambda node: node.region is not tree.wall)  # see below
        first = list({id(r): r for r in _descendants(roots) if shaped(r)}.values())
        # A sheet with notes of another colour stuck on it is background, not a note: two
        # of them at least, crisp quadrilaterals and not too small for notes on it (two
        # dot stickers of one colour overlapping can pass for a small note, but not that).
        first = [r for r, on in zip(first, _notes_stuck_on(first), strict=True) if on < 2]
        if not first:
            return [], None, [], []
        typical = _typical(first, seamed)
        thresholds = thresholds[:1]  # the tree is whole already
    typical_w, typical_h, typical_angle = typical
    typical_area = typical_w * typical_h

    def wall_piece(r: _Region) -> bool:
        # A region along the photo's border far bigger than a note is more wall (cut off
        # from the rest by a drawn line, a shadow or a change of light).
        return r.border and r.area > _WALL_NOTES * typical_area

    def one_size(r: _Region) -> bool:
        if _SINGLE_AREA[0] * typical_area <= r.area <= _SINGLE_AREA[1] * typical_area:
            return True
        # A note off a bigger pad (a 4 in square among 3 in ones: each side 1.33 times as
        # long, 1.8 times the area): no side as long as one and a half of the typical note's,
        # as two notes side by side are (one bigger note and a piece of its neighbour, run
        # together, is looked at one level down: see oversized).
        w, h = _sides(r.quad)
        return (
            _SINGLE_AREA[1] * typical_area < r.area <= _BIGGER_PAD * typical_area
            and round(w / typical_w) == 1
            and round(h / typical_h) == 1
        )

    def single(r: _Region) -> bool:
        return (
            (one_size(r) and (shaped(r) or narrow(r)) and aligned(r) and not merged(r))
            or strip(r)
            or far(r)
            or dim(r)
        )

    def merged(r: _Region) -> bool:
        return r.area > _MERGED_AREA * typical_area and _skew(r.quad) > _MERGED_SKEW

    def dim(r: _Region) -> bool:
        # A dark note (purple, in poor light) too dull to pass for paper by its colour: a
        # crisp, solid quad of the typical note's size, as a blot of ink or a shadow is not.
        return (
            _DIM_AREA[0] * typical_area <= r.area <= _DIM_AREA[1] * typical_area
            and r.rectangularity >= _CRISP
            and r.solidity >= _DIM_SOLID
            and np.hypot(r.lab[1], r.lab[2]) > _DIM_CHROMA
            and min(_delta_e(r.lab, c) for c in walls) > _WALL_DELTA_E
            and _is_quad(r, min_px)
            and 1 / _MAX_ASPECT <= _aspect(r.quad) <= _MAX_ASPECT
            and aligned(r)
        )

    def far(r: _Region) -> bool:
        # A note far smaller than the wall's typical one: far off, on a wall seen at a steep
        # angle. Whole, crisp and on its own (see _alone), unlike a piece of a note.
        return (
            not wiped
            and _FAR_AREA * typical_area <= r.area < _SINGLE_AREA[0] * typical_area
            and r.rectangularity >= _CRISP
            and shaped(r)
            and aligned(r)
            and _alone(r, lab8)
        )

    def strip(r: _Region) -> bool:
        # What shows of a note the next one in its stack covers most of (see _covered). Not
        # on the copy wiped of everything narrower than a big dot (typical given): a strip
        # is often that narrow, and there the wipe smears the notes round a gap into one.
        return (
            not wiped
            and r.rectangularity >= _CRISP
            and paper(r)
            and min(_delta_e(r.lab, c) for c in walls) > _STRIP_WALL_E
            and aligned(r)
            and _covered(r, lab8, typical, walls)
        )

    def oversized(r: _Region) -> bool:  # a note, or one and a piece of its neighbour?
        return r.area > _OVERSIZED * typical_area

    def grid(r: _Region):
        cells = shaped_block(r)
        if cells is not None:
            return cells
        cut = block(r) or pair(r)
        # A row or column of notes off pads of two sizes: its notes, cut where its outline
        # steps, each one note's size (not a grid of the typical note's cells, which the
        # bigger note's area may not even fit).
        row = cut if cut is not None else stepped_row(r)
        notes = _stepped(*row, typical) if row is not None and min(row[1:]) == 1 else None
        if notes and all(one_size(n) and note_sized(n) for n in notes):
            return [(n, 1, 1) for n in notes]
        return None if cut is None else [cut]

    def note_sized(r: _Region) -> bool:
        # each side a note's, of some pad (see _NOTE_SIDE)
        w, h = _sides(r.quad)
        return _NOTE_SIDE[0] < w / typical_w < _NOTE_SIDE[1] and (
            _NOTE_SIDE[0] < h / typical_h < _NOTE_SIDE[1]
        )

    def may_be_block(r: _Region) -> bool:
        # paper too big for one note, clear of the photo's border: maybe a block of them
        return r.area >= 1.4 * typical_area and not r.border and paper(r)

    def stepped_row(r: _Region):
        if not may_be_block(r) or not _is_quad(r, min_px):
            return None
        w, h = _sides(r.quad)
        cols, rows = max(1, round(w / typical_w)), max(1, round(h / typical_h))
        if min(cols, rows) == 1 and 2 <= cols * rows <= 3 and aligned(r, (0, 1, 3)):
            return r, cols, rows
        return None

    def pair(r: _Region):
        # Two notes of one colour side by side (or one above the other) run together where
        # their seam is faint, too small together to be a block of the wall's typical note
        # (a wall's notes come in more than one size): a region too long for one note (none
        # is longer than _MAX_ASPECT; see narrow for one seen from the side) but not for two,
        # each half a note's size, with a seam seen across its middle (a card or a banner
        # shows none), and its paper ending all round it, looked for as far out as a note is
        # across (a piece of a note that a line of writing cut off goes on past the cut).
        # Not on the copy wiped of everything narrower than a big dot: its seams are wiped
        # out too, and what shows there is the edge of a smear.
        if wiped or r.border or not _is_quad(r, min_px) or not paper(r) or narrow(r):
            return None
        w, h = _sides(r.quad)
        long, short = max(w, h), min(w, h)
        if not _MAX_ASPECT * short < long <= _PAIR_LONG * short or not aligned(r):
            return None
        if not 2 * _SINGLE_AREA[0] <= r.area / typical_area <= 2 * _SINGLE_AREA[1]:
            return None
        cols, rows = (2, 1) if w > h else (1, 2)
        if not _alone(r, lab8, short) or not _seam_split(bgr, r.quad, cols, rows, on_seams=True):
            return None
        return r, cols, rows

    def shaped_block(r: _Region):
        # Notes of one colour run together in an L or a step, in among notes of another
        # colour: no quadrilateral, or one with a side aslant across the other notes.
        if not may_be_block(r):
            return None
        if _is_quad(r, min_px) and _unparallel(r.quad) <= _PARALLEL:
            return None
        cells = _cell_blocks(r, typical)
        if cells is None or not all(aligned(c, (0, 1, 2, 3)) for c, _, _ in cells):
            return None
        # A white or dull sheet with a note stuck in its corner is an L too: the notes are
        # coloured, or all their seams show (as in `sheet`).
        if np.hypot(r.lab[1], r.lab[2]) <= _SHEET_CHROMA and (
            seamed is None
            or not all(seamed(c.quad, n, m, every=True) for c, n, m in cells if n * m > 1)
        ):
            return None
        return cells

    def block(r: _Region):
        if not may_be_block(r):
            return None
        if not _is_quad(r, min_px):
            r = _boxed(r)  # a column or row of notes, not quite aligned
            if r is None:
                return None
        w, h = _sides(r.quad)
        cols, rows = max(1, round(w / typical_w)), max(1, round(h / typical_h))
        if (
            2 <= cols * rows <= 40
            and 0.7 < r.area / (cols * rows * typical_area) < 1.4
            # the top and both sides (a bottom curls): a trapezoid with a side leaning far is
            # notes of different widths
            and aligned(r, (0, 1, 3))
            # and a grid of rows and columns of them a rectangle (its opposite sides as
            # near parallel as perspective leaves them): a trapezoid is notes of one colour
            # and the wall or another note between them (a row or column alone may lean)
            and (min(cols, rows) == 1 or (square(r) and _unparallel(r.quad) <= _PARALLEL))
        ):
            return r, cols, rows
        return None

    skews: list[float] = []

    def square(r: _Region) -> bool:
        # Touching notes off one pad make a rectangle, seen as square as the wall's notes (all
        # but the least square of them: curled, or seen aslant): a block of rows and columns
        # much less square is notes stuck on staggered or askew, no grid to cut evenly (its
        # pieces, outlines really seen, stand). (A single column or row is cut across only:
        # a stack of notes, each a little to the side of the last, is still cut where it was.)
        if not skews:
            seen = [_skew(o.quad) for o in _descendants(roots) if shaped(o)] or [0.0]
            skews.append(float(np.percentile(seen, _SQUARE_SHARE)))
        return _skew(_refined(r).quad) <= max(_BLOCK_SKEW, skews[0] + _SKEW_MORE)

    # Down the levels, only into the regions that are not a note already (nor the wall: a
    # note on it is a hole in it, not a piece of it).
    for t in thresholds[1:]:
        tree.level(
            t,
            lambda node: (
                node.region is not None
                and node.region is not tree.wall
                and (not single(node.region) or oversized(node.region))
            ),
            _SINGLE_AREA[0] * typical_area,
        )
    walls += [r.lab for r in _descendants(roots) if wall_piece(r)]

    found = [s for root in roots for s in _select(root, single, grid, oversized)]

    # Pieces of paper a note's size or less that are no note themselves: turned from the
    # wall's notes (a line of writing or a clump of dots across a note cut them off aslant),
    # ragged (writing all over the note), too narrow for a note (a column of big dots cut off
    # the rest of it) or too small (a band of it between lines of big writing): maybe part
    # of a note (see _whole). (One that is a note is grown as one if short: see find_notes.)
    # One too long and narrow for a note may be as big as one: a long note whose curled
    # bottom is cut off at every level. Only those are taken from the wiped copy, where a
    # note busy with writing and dots is whole but for its curl (the wipe smears the rest).
    def part(r: _Region) -> bool:
        narrow = not 1 / _MAX_ASPECT <= _aspect(r.quad) <= _MAX_ASPECT
        most = _SINGLE_AREA[1] if narrow else _PART_OF[1]
        return (
            (narrow or not wiped)
            and _PART_OF[0] * typical_area <= r.area <= most * typical_area
            and r.rectangularity > _RECTANGULAR
            and not r.border
            and paper(r)
            and not single(r)
        )

    parts = [r.quad for r in _descendants(roots) if part(r)]

    # A sheet with notes stuck on it is background, not a giant note: a solid region (the
    # notes on it are holes in it) holding a note of another colour. (A ragged piece of a
    # grid of touching notes can reach round a note of another colour in that grid; a grid
    # of notes of one colour holds none.)
    # But a grid of touching notes, coloured (sheets put up on walls are white or dull:
    # flip-chart, printer and brown paper), can have a few notes of other colours among
    # them, each in a cell of the grid (on a sheet, notes are stuck anywhere); and so can a
    # grid of dull notes (off-white, grey), if every one of its seams shows (seams_seen).
    # (Only a region less than half its size, and in its box, can be stuck on it: _on_sheet.)
    areas = np.array([o[0].area for o in found], dtype=np.float64)
    boxes = _boxes([o[0].quad for o in found])

    def sheet(s) -> bool:
        r, cols, rows = s
        if r.solidity <= 0.8 and cols * rows == 1:
            return False
        near = _meeting(r.quad, boxes)
        on = [found[i][0] for i in near[areas[near] < 0.5 * r.area] if _on_sheet(found[i][0], r)]
        return bool(on) and not (
            len(on) <= _AMONG * cols * rows
            and all(_in_cell(o, r, cols, rows) for o in on)
            and (np.hypot(r.lab[1], r.lab[2]) > _SHEET_CHROMA or seams_seen(r, cols, rows))
        )

    def seams_seen(r: _Region, cols: int, rows: int) -> bool:
        # Touching notes of a dull colour (off-white, grey) show every seam of their grid at
        # full resolution, as a sheet does not (the printed frames and the edges of the
        # panels on a storyboard sheet line up with some of a grid's cuts, not all).
        return cols * rows > 1 and seamed is not None and seamed(r.quad, cols, rows, every=True)

    found = [s for s in found if not sheet(s)]
    return found, typical, walls, parts


def _typical(regions: list[_Region], seamed=None) -> tuple[float, float, float]:
    """The wall's typical note (width, height, angle), from note-shaped regions: the biggest
    of their sizes that most of their area is a whole number of (a note, or a grid of
    touching notes whose seams do not show), so that neither scraps nor grids set it.

    But a size that is a piece of a note is none (`_piece`): on a wall seen aslant, its far
    notes smaller, a note cut in two by a line of writing is two of its half, and each far
    note one of it. `seamed(quad, cols, rows)`, if given, tells whether a region cut as that
    grid shows the seams of touching notes there (at full resolution, where the tree did
    not): the note holding that half, two of it, shows none. The next size down is tried
    then; when none is left, the notes' middle size (by area) stands."""
    sides = np.array([_sides(r.quad) for r in regions])
    areas = np.array([r.area for r in regions])
    cells = sides[None, :, :] / sides[:, None, :]  # [candidate, region, (across, down)]
    counts = np.maximum(np.round(cells), 1).astype(np.int64)
    number = counts.prod(axis=2)
    ratio = areas[None, :] / (number * areas[:, None])
    fits = (cells.min(axis=2) > 0.7) & (number <= 40) & (ratio > 0.7) & (ratio < 1.4)
    # Notes come in numbers: a size that only one region has (a sheet of paper on the
    # wall) is the typical note only if no size that several have explains as much.
    alike = (fits & (number == 1)).sum(axis=1)
    explained = (fits * areas[None, :]).sum(axis=1)
    good = np.flatnonzero((explained >= _EXPLAINED * areas.sum()) & (alike >= 2))
    if not len(good):
        good = np.flatnonzero(explained >= _EXPLAINED * areas.sum())
    # Biggest first; a piece of a note is none, nor is a scrap far smaller than one (less
    # than a single note's share of it: a dot, a corner cut off by writing). If none is
    # left, no whole number of one size explains the wall (its notes of many sizes: a wall
    # seen aslant, notes off pads of several shapes): the notes' middle size stands.
    good = good[np.argsort(-areas[good], kind="stable")]
    if (
        len(good)
        and seamed is not None
        and _piece(regions, int(good[0]), fits, cells, counts, seamed)
    ):
        good = good[1:][areas[good[1:]] >= _SINGLE_AREA[0] * areas[good[0]]]
        while len(good) and _piece(regions, int(good[0]), fits, cells, counts, seamed):
            good = good[1:]
    if len(good):
        w, h = sides[good[0]]
    else:
        w = _weighted_median(sides[:, 0], areas)
        h = _weighted_median(sides[:, 1], areas)
    return float(w), float(h), _weighted_median([_angle(r.quad) for r in regions], areas)


def _piece(regions, k: int, fits, cells, counts, seamed) -> bool:
    """Whether region k is a piece of a note: a region of its paper holds it, bigger (each of
    them the same note at two thresholds is about one size), that is one of it, or that holds
    no other region of its size and is no grid of it that shows seams there (see _typical).
    `fits`, `cells`, `counts`: _typical's, [size, region]: whether the region is a whole number
    of the size, how many of it it is across and down, and that rounded."""
    r = regions[k]
    for j, o in enumerate(regions):
        if (
            j == k
            or o.area < _HOLDS * r.area
            or _delta_e(o.lab, r.lab) > _SAME_PAPER
            or not _contains(o.quad, r.quad)
        ):
            continue
        if fits[k, j] and counts[k, j].prod() == 1:
            return True  # one note of its size, and bigger: it is part of it
        if any(
            fits[k, i]
            and _contains(o.quad, q.quad)
            and not _contains(q.quad, r.quad)
            and not _contains(r.quad, q.quad)
            for i, q in enumerate(regions)
            if i not in (j, k) and abs(q.area - r.area) < _TWIN * r.area
        ):
            continue  # it and its twin beside it: a block of notes, seams seen or not
        if fits[k, j] and np.abs(cells[k, j] - counts[k, j]).max() <= _TILES:
            if seamed(o.quad, *(int(n) for n in counts[k, j])):
                continue  # a block of it, its other notes unseen
        return True
    return False


def _stepped(r: _Region, cols: int, rows: int, typical) -> list[_Region] | None:
    """A row (or column) of touching notes as its notes, where its outline, squared up,
    steps once across (taller on one side than the other, each side straight): two notes
    off pads of two sizes side by side (a 4 in square beside a 3 in one), each its own
    rectangle, cut where the step is (a grid's equal cells, sized on the smaller note,
    would cut the bigger one). None where it shows no such step (writing and dots are
    holes inside the outline: they do not move it)."""
    if r.contour is None:
        return None
    w, h = _sides(r.quad)
    width, height = round(w), round(h)
    if min(width, height) < 8:
        return None
    filled = np.zeros_like(r.mask)
    cv2.drawContours(filled, [r.contour], 0, 1, -1)
    square = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    to_flat = cv2.getPerspectiveTransform(np.float32(r.quad - (r.x, r.y)), square)
    flat = cv2.warpPerspective(filled, to_flat, (width, height), flags=cv2.INTER_NEAREST)
    along_x = cols > 1
    if not along_x:
        flat = flat.T
    across, length = flat.shape
    t_along, t_across = (typical[0], typical[1]) if along_x else (typical[1], typical[0])
    filled_at = flat.any(axis=0)
    top = np.argmax(flat, axis=0)
    bottom = across - np.argmax(flat[::-1], axis=0)
    extent = np.where(filled_at, bottom - top, 0).astype(np.float64)
    # The step: where the extent changes most, a note's length from either end (a pixel or
    # two each side of it is its blur).
    lo, hi = round(_NOTE_SIDE[0] * t_along), length - round(_NOTE_SIDE[0] * t_along)
    if hi - lo < 1 or length < 8:
        return None
    jump = np.abs(extent[lo + 2 : hi + 2] - extent[lo - 2 : hi - 2])
    first = int(np.argmax(jump))
    run = jump[first:] == jump[first]  # (a sharp step is the middle of 4 px of it)
    at = lo + first + (int(np.argmin(run)) if not run.all() else len(run)) // 2
    a, b = extent[1 : at - 1], extent[at + 2 : -1]
    ma, mb = float(np.median(a)), float(np.median(b))
    cost = np.abs(a - ma).mean() + np.abs(b - mb).mean()
    if abs(ma - mb) < _STEP * t_across or cost > 2 * _STEP_FLAT * t_across:
        return None
    from_flat = np.linalg.inv(to_flat)
    notes = []
    for start, end in ((0, at), (at, length)):
        span = slice(start + 1, end - 1)
        y0, y1 = float(np.median(top[span])), float(np.median(bottom[span]))
        box = np.float32([[start, y0], [end, y0], [end, y1], [start, y1]])
        if not along_x:
            box = box[:, ::-1][[0, 3, 2, 1]]
        quad = cv2.perspectiveTransform(box.reshape(-1, 1, 2), from_flat).reshape(4, 2)
        quad = quad.astype(np.float64) + (r.x, r.y)
        notes.append(replace(r, quad=quad, area=_area(quad), contour=None))
    return notes


def _on_sheet(note: _Region, sheet: _Region) -> bool:
    """Whether `note` is stuck on `sheet`: smaller, another colour, and inside it."""
    return (
        note is not sheet
        and note.area < 0.5 * sheet.area
        and _delta_e(note.lab, sheet.lab) > 15
        and _contains(sheet.quad, note.quad)
    )


def _in_cell(note: _Region, grid: _Region, cols: int, rows: int) -> bool:
    """Whether `note` fills one cell of `grid` cut evenly into cols x rows."""
    us, vs = np.linspace(0.0, 1.0, cols + 1), np.linspace(0.0, 1.0, rows + 1)
    quad = note.quad.astype(np.float32)
    return any(_iou(cell.astype(np.float32), quad) > _IN_CELL for cell in _cells(grid.quad, us, vs))


def _notes_stuck_on(regions: list[_Region]) -> list[int]:
    """How many of the regions are stuck on each of them (see `_stuck_on`). Pairs are asked
    about only where the sizes allow it (a wall has hundreds of regions: most pairs are two
    notes, one no bigger than the other)."""
    area = np.array([r.area for r in regions], dtype=np.float64)
    crisp = np.array([r.rectangularity > _CRISP for r in regions], dtype=bool)
    # [note, sheet]: the size tests of _stuck_on and _on_sheet, the same arithmetic; and the
    # note's box must meet the sheet's, for the sheet to hold its centre.
    sized = crisp[:, None] & (area[:, None] > area[None, :] / 40) & (area[:, None] < 0.5 * area)
    b = _boxes([r.quad for r in regions])
    sized &= (b[:, None, 2] >= b[None, :, 0]) & (b[None, :, 2] >= b[:, None, 0])
    sized &= (b[:, None, 3] >= b[None, :, 1]) & (b[None, :, 3] >= b[:, None, 1])
    return [
        sum(_stuck_on(regions[i], sheet) for i in np.flatnonzero(sized[:, j]))
        for j, sheet in enumerate(regions)
    ]


def _stuck_on(note: _Region, sheet: _Region) -> bool:
    """Whether `note` is a note stuck on `sheet`, surely (see `_on_sheet`)."""
    return note.rectangularity > _CRISP and note.area > sheet.area / 40 and _on_sheet(note, sheet)


def _select(node: _Node, single, grid, oversized) -> list:
    """The notes in a region's subtree: the region itself if it is one note; else whatever
    its pieces at the next lower threshold hold; or the region cut as a grid, if that makes
    more notes and the pieces (outlines really seen) cover little of it; or its notes cut
    where its outline steps (`grid` gives them as single notes: see _stepped), unless the
    pieces are as many single notes filling most of it; or the blocks of notes of an L or a
    step (see _cell_blocks), unless the pieces are single notes for half their cells. A
    note bigger than the typical one is its pieces instead if they are two notes or more
    that fill most of it: a note and part of its neighbour, one colour, joined where their
    seam is faint."""
    r = node.region
    pieces = [s for child in node.children for s in _select(child, single, grid, oversized)]
    if r is not None and single(r):
        if (
            oversized(r)
            and sum(cols * rows for _, cols, rows in pieces) >= 2
            and sum(p.area for p, _, _ in pieces) >= _PIECES_COVER * r.area
        ):
            return pieces
        return [(r, 1, 1)]
    cut = grid(r) if r is not None else None
    if cut is None:
        return pieces
    if len(cut) > 1:
        # Notes whose outlines show (a row of notes of two sizes, cut where its outline
        # steps) stand, unless the pieces are as many notes, whole, filling most of it.
        # Blocks of whole notes that make an L or a step (see _cell_blocks), cut on even
        # splits, give way to pieces that are single notes for half of their cells: those
        # outlines were really seen.
        seen = [p for p, cols, rows in pieces if cols * rows == 1]
        cells = sum(cols * rows for _, cols, rows in cut)
        if cells > len(cut) and 2 * len(seen) >= cells:
            return pieces
        if len(seen) < cells or sum(p.area for p in seen) < _PIECES_COVER * r.area:
            return cut
        return pieces
    if (
        cut[0][1] * cut[0][2] > sum(cols * rows for _, cols, rows in pieces)
        and sum(p.area for p, _, _ in pieces) < _PIECES_COVER * r.area
    ):
        return cut
    return pieces
