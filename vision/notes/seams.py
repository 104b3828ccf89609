"""Cutting touching notes of one colour apart along their seams, seen at full resolution: grids
(`_seam_split`; a row of notes each overlapping the next, on its straight edges: `_overlapped`),
a note twice as long as its neighbours (`_halved`), a pair cut unevenly (`_evened`), a run of
notes one note longer than it holds (`_recounted`), a long note the wiped copy shows as two
(`_split_in_two`); a grid's cells set on the edges their paper shows (`_trimmed`, `_overhung`);
notes found in a block cut off its seams (`_cut_off_seams`)."""

from __future__ import annotations

from itertools import pairwise

import cv2
import numpy as np

from vision.colours import to_lab
from vision.geometry import rect_homography, transform, warp_quad
from vision.notes.growth import _extended
from vision.notes.shapes import (
    _LAB8_OFFSET,
    _LAB8_SCALE,
    _MAX_ASPECT,
    _NEAR,
    _NEIGHBOURS,
    _SUM_L1,
    _area,
    _contains,
    _corners_square,
    _delta_e,
    _neighbourhood,
    _overlap,
    _sides,
)

# A seam runs across a whole grid; a line of writing across at most 1 - this share of it.
_SEAM_SPAN = 25.0
# Whether a region shows the seams of a grid of touching notes is judged with each cell this
# many pixels across (its own size, within these bounds), where the gradient across a cut, less
# that along it, in this share of its rows (_SEAM_SPAN) beats this share of the grid's median
# gradient plus this much (the paper's texture and noise; see _shows_seams).
_SEAM_CELL = (16, 64)
_EDGE_SHARE = 0.15
_EDGE_NOISE = 1.0
# Ink is this much darker (L) than the paper it is on; a seam's shadow is not.
_INK_DROP = 30.0
# A row (or column) of notes each stuck overlapping the next sideways shows more pieces
# than its length holds whole notes: a seam beyond the even cuts is taken where the edge of a
# piece of paper runs straight down the whole row, the gradient across it beating that along
# it (by the floor, see _grid_gradients) in all but this percent of its rows (writing, dots and
# a line drawn across turn every way, or are ink), and beating it by this much more in
# _SEAM_SPAN of its rows; each piece left at least this share of a cell (a note's length).
_FULL_GAPS = 10.0
_FULL_EDGE = 8.0
_FULL_PIECE = 0.5
# Touching notes off one pad are one size (perspective changes it only gradually across a
# grid): a seam is looked for within this share of a note of the even split, so that a
# line of writing or an underline further off is not taken for one.
_SEAM_SLACK = 0.14
# A grid of rows, its cells each this many times the typical note across and down, is notes
# stacked (see _seam_split): the cells of a stack of 3 x 3 in notes, each a few mm over the next, are
# 0.9-1.0 of a note long (perspective moves that a little); a long note stood on end cut in
# two, 0.83.
_STACKED = ((0.85, 1.18), (0.92, 1.18))
# As wide as its neighbours (this many times) and twice as long (this many times: a 3 x 5 in
# note among 3 x 3 in ones is 1.67 times as long, a little more in perspective), a note
# may be two of one colour run together (see _halved).
_ONCE = (0.8, 1.25)
_TWICE = (1.8, 2.3)
# ... and this many times as long as the wall's typical note.
_LONG = 1.5
# Its neighbours tell the size of its pad's notes (the wall's typical note, learnt from notes
# off every pad, does not: a 3 x 5 in note is about twice as long as a small square one):
# three or more near, or two near of its own colour (off its pad, as in a short column of
# one colour; two of another colour may be off another pad).
_HALVED_NEIGHBOURS = 2
# A note found whole in a block of touching notes, bigger than one of its cells, with at
# least this share of it on either side of a seam seen across the block, straddles that
# seam (a cut a little off a seam, or an outline grown a little, moves less of it); two
# notes found in it meet end to end where their ends lie within this many cells of each
# other (see _cut_off_seams).
_ONE_SIDE = 0.3
_MEET = 0.25
# A note as wide as its neighbours and this many times as long (and as the wall's typical
# note) whose own paper runs on past an end to twice their length, with a seam seen across
# its middle there, is two of one colour run together, the upper one cut short at a line
# of writing (see _halved).
_PART_LONG = (1.3, 1.8)
# Two touching notes of one colour (this Lab distance at most), as wide as each other and
# their neighbours (to this share), end to end (the corners of their touching sides this
# share of a note apart at most), centres within this many notes, one this many times as
# long as the other and their neighbours, the two this many neighbours long: cut unevenly
# (see _evened). Only where their outline together is square (corners within this many
# degrees).
_EVEN_DELTA_E = 15.0
_EVEN_WIDTH = 0.15
_EVEN_GAP = 0.2
_EVEN_NEAR = 2.0
_EVEN_UNEVEN = 1.4
_EVEN_LONG = 1.2
_EVEN_TWICE = (1.8, 2.2)
_EVEN_SQUARE = 12.0
# A run of this many notes of one colour found end to end at least, as long as one note more
# than it holds (to this many notes), is cut again into that many (see _recounted). In a
# run of two, a 3 x 5 in note on a 3 x 3 in one is as long as three notes, in perspective,
# and so is a pair off a pad of another shape among the wall's notes.
_RUN = 3
_RUN_SLACK = 0.2
# A cell of a grid cut along its seams is paper all over, but the box of touching notes off
# pads of two sizes (a 3 x 5 in note under a 3 x 3 in one), or stuck on a little askew one
# under the other, holds each only in part: where the wall shows beyond a side of a cell,
# the side is set on the edge of its paper (the grid's colour within this Lab distance),
# seen within this share of the cell beyond it, when that moves a corner by this share of
# the cell at least (less is within what the grid's cut gets right) and by at most this
# share of it along either axis (see _trimmed).
_BAND_DELTA_E = 16.0
_BAND = 0.1
_REFIT = 0.08
_REFIT_MAX = 0.45
# A note the second search found, on the copy wiped of dots and writing, can be smeared out
# over the wall beside it: its paper ends where a run of what is not its paper, this share of
# the note across, starts, going out from its middle (a dot in its way stops a row or two
# short: the line through them all leaves those out), and the side is pulled in there when
# what that leaves out is this share of it the wall at least (see _shrunk).
_SHRINK_RUN = 0.06
_SHRINK_WALL = 0.5
# Where a cell's paper sticks out beyond both ends of its neighbour's (this share of the cell
# at least: a note off a bigger pad, or stuck on higher, beside one), the edge that paper
# shows there (seen within this share of the cell beyond it; a straight line, turned from
# square to the cell's ends by this slope at most) is the cell's side all along (a note is a
# rectangle), and the neighbour's: the cut between them, put where a line of writing
# stopped, was off their seam (see _overhung).
_OVERHANG = 0.06
_OVERHANG_REACH = 0.45
_OVERHANG_TILT = 0.15
# A note found in the first search this many times the typical note's area at least, and
# this many times longer than wide (two square notes side by side are near 2:1; a 3 x 5 in
# note, 1.67:1, is one), that the second search sees as two notes (each this share of the
# typical note at least, overlapping each other by less than this share of the smaller, one
# each side of its middle), together this share of it at least, is two notes of one colour
# run together where their seam is faint (see _split_in_two).
_TWO_OVERSIZED = 1.25
_TWO_LONG = 1.7
_TWO_PIECE = 0.6
_TWO_APART = 0.1
_TWO_COVER = 0.8


def _seam_split(
    image: np.ndarray,
    quad: np.ndarray,
    cols: int,
    rows: int,
    on_seams: bool = False,
    seams=None,
    typical=None,
) -> list[np.ndarray]:
    """Cut a grid of touching notes along its seams, found at full resolution.

    Squared up, a seam is a straight line across the whole grid: a low percentile over the
    rows of the horizontal gradient peaks there, while writing and dots, which fill only
    some of the rows, do not move it; where the edge of a piece of paper shows near an even
    split, the gradient across the cut beating that along it in most rows, that is the seam
    (a line of writing crowded enough to peak there too turns every way: see `_cuts`). The
    grid is cut where a seam stands out; where none does, only if the piece would otherwise
    be too long to be one note (two same-colour notes can touch with no seam seen, but a
    note is no longer than 1.9:1), then at the even split; with `on_seams`, not at all (no
    cells). Where no seam stands out anywhere in a
    grid of five or more, or fewer than three in four in a grid of more than twelve, it is
    one big sheet (a poster, a blank card, a patch of wall), far too big for a note: no
    note at all. `seams`: the grid's `_seams`, where they were measured already.

    But a grid of rows whose cells are each the wall's typical note (`typical`: its width and
    height at the quad's scale), within _STACKED, is cut between its rows at every even
    split, seams seen or not: notes stacked in columns, one over the edge of the next, touch
    with no seam seen, their cells as long as notes; a long note stood on end is shorter than
    two.
    """
    xs, ys = _seams(image, quad, cols, rows) if seams is None else seams
    seen = sum(s for _, s in xs) + sum(s for _, s in ys)
    if cols * rows > 4 and seen == 0:
        return []  # a big blank sheet: a grid of five notes or more shows a seam somewhere
    if cols * rows > 12 and seen < 0.75 * (cols + rows - 2):
        return []  # a big grid needs most of its seams seen, or it is something else
    if on_seams and not all(s for _, s in xs + ys):
        return []  # asked for seams seen, and one is not
    w, h = _sides(quad)
    stacked = (
        typical is not None
        and _STACKED[0][0] <= w / cols / typical[0] <= _STACKED[0][1]
        and _STACKED[1][0] <= h / rows / typical[1] <= _STACKED[1][1]
    )
    return _cells(quad, _kept(xs, w, h / rows), _kept(ys, h, w / cols, every=stacked))


def _grid_gradients(image: np.ndarray, quad: np.ndarray, width: int, height: int):
    """A grid's region squared up to width x height: its Lab, its gradient's size across
    (x) and down (y), and the floor an edge of paper beats (the paper's own texture and
    noise: most of a note is bare paper)."""
    patch, _ = warp_quad(image, quad, width, height)
    lab = to_lab(patch)
    gx = np.abs(cv2.Sobel(lab, cv2.CV_32F, 1, 0, ksize=3)).sum(axis=2)
    gy = np.abs(cv2.Sobel(lab, cv2.CV_32F, 0, 1, ksize=3)).sum(axis=2)
    floor = _EDGE_SHARE * (float(np.median(gx + gy)) + _EDGE_NOISE)
    return lab, gx, gy, floor


def _on_seams(image: np.ndarray, quad: np.ndarray, scale: float, cols: int, rows: int) -> list:
    """A quad on the working copy (`scale` of the photo) cut as a grid only where every seam
    shows at full resolution (`_seam_split` with `on_seams`), its cells back on the copy."""
    return [c * scale for c in _seam_split(image, quad / scale, cols, rows, on_seams=True)]


def _long_note(image: np.ndarray, quad: np.ndarray, scale: float, cols: int, rows: int, typical):
    """Whether a quad on the working copy (`scale` of the photo), taken for a row of two
    touching notes, is one long note lying on its side (3 x 5 in among 3 x 3 in ones): shorter
    than two of the wall's notes (`typical`) end to end (see _TWICE), with no seam across it at
    full resolution. (Not two stacked one above the other: notes stacked in a column overlap,
    shorter together than two, and a long note stood on end is rare.)"""
    return (
        (cols, rows) == (2, 1)
        and _sides(quad)[0] < _TWICE[0] * typical[0]
        and not _shows_seams(image, quad / scale, cols, rows)
    )


def _shows_seams(image: np.ndarray, quad: np.ndarray, cols: int, rows: int) -> bool:
    """Whether a region, cut as a grid of cols x rows touching notes, shows their seams at
    full resolution at half of its even cuts or more: the edge of a piece of paper, a
    straight line right across the grid, where the gradient points across the cut in most
    rows (writing, dots and drawn circles, dense as they may be, turn every way)."""
    w, h = _sides(quad)
    across = int(np.clip(w / cols, _SEAM_CELL[0], _SEAM_CELL[1]))
    down = int(np.clip(h / rows, _SEAM_CELL[0], _SEAM_CELL[1]))
    _, gx, gy, floor = _grid_gradients(image, quad, cols * across, rows * down)
    seen = 0
    for d, n, cell in (((gx - gy).T, cols, across), (gy - gx, rows, down)):
        # d: rows along the cuts (a cut at each k * cell), columns across them
        trim = max(1, d.shape[1] // 10)
        profile = np.percentile(d[:, trim:-trim], _SEAM_SPAN, axis=1)
        slack = round(_SEAM_SLACK * cell)
        for k in range(1, n):
            seen += profile[k * cell - slack : k * cell + slack + 1].max() > floor
    return 2 * seen >= cols + rows - 2


def _shows_every_seam(image: np.ndarray, quad: np.ndarray, cols: int, rows: int) -> bool:
    """Whether a region, cut as a grid of cols x rows touching notes, shows a seam at full
    resolution near every one of its even cuts. Not `_shows_seams` with a stricter vote: this
    asks `_seams`, the cutter's own look (cells squared to a fixed size, a line drawn in ink
    is no seam), where `_shows_seams` asks only whether the gradient across a cut beats that
    along it."""
    xs, ys = _seams(image, quad, cols, rows)
    return all(seen for _, seen in xs + ys)


def _overlapped(
    image: np.ndarray, quad: np.ndarray, cols: int, rows: int, cells: list, seams
) -> list:
    """A row or column of notes cut into `cells` (see _seam_split), cut instead on the seams
    it shows, those at its even cuts and those running straight down its whole width
    elsewhere (see _FULL_GAPS), where they make more pieces than `cells`: notes stuck each
    overlapping the next show more pieces than the row's length holds notes. `seams`: the
    row's `_seams`, as `_seam_split` cut it on."""
    if min(cols, rows) != 1:
        return cells
    n, cell = max(cols, rows), 48
    lab, gx, gy, floor = _grid_gradients(image, quad, cols * cell, rows * cell)
    if rows > 1:  # a column: its cuts run across, as a row's run down
        lab, gx, gy = lab.transpose(1, 0, 2), gx.T, gy.T
    trim = max(1, cell // 10)
    d = (gx - gy)[trim:-trim]
    edge = np.percentile(d, _SEAM_SPAN, axis=0) - floor
    whole = np.percentile(d, _FULL_GAPS, axis=0) > floor
    dark = float(np.median(lab[..., 0])) - _INK_DROP
    ink = (lab[trim:-trim, :, 0] < dark).mean(axis=0) > 0
    padded = np.concatenate([[np.inf], edge, [np.inf]])
    peak = (edge >= padded[:-2]) & (edge >= padded[2:]) & whole & ~ink & (edge > _FULL_EDGE)
    # The straight edges first, strongest first; then the seams seen at the even cuts
    # that are not one of them.
    xs = seams[0 if rows == 1 else 1]
    seen = [at * n * cell for at, s in xs if s]
    cuts = [0.0, float(n * cell)]
    gap = _FULL_PIECE * cell
    for at in [*sorted(np.flatnonzero(peak), key=lambda i: -edge[i]), *seen]:
        if all(abs(at - c) >= gap for c in cuts):
            cuts.append(float(at))
    w, h = _sides(quad)
    longest = _MAX_ASPECT * min(w, h) / max(w, h) * n * cell  # a note's longest, in cells
    cuts = sorted(cuts)
    if len(cuts) - 1 <= len(cells) or max(np.diff(cuts)) > longest:
        return cells  # no more pieces than whole notes; or one too long for a note
    us = [c / (n * cell) for c in cuts]
    return _cells(quad, us, [0.0, 1.0]) if rows == 1 else _cells(quad, [0.0, 1.0], us)


def _seams(image: np.ndarray, quad: np.ndarray, cols: int, rows: int):
    """Where a grid's cuts go, across and down (see _cuts): each a fraction of the grid, and
    whether a seam was seen there."""
    cell = 48
    lab, gx, gy, floor = _grid_gradients(image, quad, cols * cell, rows * cell)
    trim_y, trim_x = max(1, rows * cell // 10), max(1, cols * cell // 10)
    # The edge of a piece of paper (see _shows_seams), not a line drawn in ink: paper, or
    # a faint shadow, on most of it, not ink dark (next to it either: a stroke has flanks).
    dark = float(np.median(lab[..., 0])) - _INK_DROP
    inky = cv2.dilate((lab[..., 0] < dark).astype(np.uint8), np.ones((3, 3), np.uint8))
    xs = _cuts(
        np.percentile(gx[trim_y:-trim_y], _SEAM_SPAN, axis=0),
        cols,
        cell,
        np.percentile((gx - gy)[trim_y:-trim_y], _SEAM_SPAN, axis=0) - floor,
        inky[trim_y:-trim_y].mean(axis=0) > 1 - _SEAM_SPAN / 100,
    )
    ys = _cuts(
        np.percentile(gy[:, trim_x:-trim_x], _SEAM_SPAN, axis=1),
        rows,
        cell,
        np.percentile((gy - gx)[:, trim_x:-trim_x], _SEAM_SPAN, axis=1) - floor,
        inky[:, trim_x:-trim_x].mean(axis=1) > 1 - _SEAM_SPAN / 100,
    )
    return xs, ys


def _kept(
    cuts: list[tuple[float, bool]], length: float, across: float, every: bool = False
) -> list[float]:
    """The cuts (fractions of `length`) to make: those on a seen seam, or all of them if a
    piece would otherwise be too long for one note `across` wide, or if asked for `every`."""
    seen = [0.0] + [at for at, s in cuts if s] + [1.0]
    if not every and max(b - a for a, b in pairwise(seen)) * length <= _MAX_ASPECT * across:
        return seen
    return [0.0] + [at for at, _ in cuts] + [1.0]


def _cuts(profile: np.ndarray, n: int, cell: int, edge=None, ink=None) -> list[tuple[float, bool]]:
    """Where to cut a profile of n cells (the strongest seam, a peak of the profile, near
    each even split, else the even split), as fractions, and whether a seam was seen there.
    `edge`, `ink` (given together): where `edge` is positive, the edge of a piece of paper
    shows (see _seams), or a line drawn in ink where `ink`; the strongest such edge near an
    even split that is a peak of the profile too is its seam, even where the profile peaks
    higher nearby (at a line of writing, a row of dots)."""
    floor = 1.5 * float(np.median(profile)) + 1e-6
    # A seam is a peak of the profile: the slope at the edge of the window round the even
    # split, rising to something further off (a line of writing), is none.
    padded = np.concatenate([[np.inf], profile, [np.inf]])
    peak = (profile >= padded[:-2]) & (profile >= padded[2:])
    if edge is not None:
        padded = np.concatenate([[np.inf], edge, [np.inf]])
        edge_peak = (edge >= padded[:-2]) & (edge >= padded[2:])
    cuts = []
    slack = round(_SEAM_SLACK * cell)
    for k in range(1, n):
        lo, hi = k * cell - slack, k * cell + slack
        if edge is not None:
            # A peak of the edge (the flank of a stroke just outside the window is none) and
            # of the profile (on bare paper, noise is no edge). An edge of paper is a seam
            # seen, however faint the profile there (asking it to stand out as well lost
            # more notes, hard 88.1 -> 87.4% exact, than the blank sheets lit from one side
            # it would keep whole).
            rise = np.where(edge_peak[lo:hi] & ~ink[lo:hi] & peak[lo:hi], edge[lo:hi], -1.0)
            if rise.max() > 0:
                cuts.append(((lo + int(np.argmax(rise))) / (n * cell), True))
                continue
        window = np.where(peak[lo:hi], profile[lo:hi], -1.0)
        at = lo + int(np.argmax(window))
        seen = bool(profile[at] > floor and peak[at])
        cuts.append(((at if seen else k * cell) / (n * cell), seen))
    return cuts


def _cells(quad: np.ndarray, us: list[float], vs: list[float]) -> list[np.ndarray]:
    """The cells of a quad cut at fractions `us` across and `vs` down (bilinear in the corners)."""
    tl, tr, br, bl = quad

    def at(u, v):
        top = tl + (tr - tl) * u
        bottom = bl + (br - bl) * u
        return top + (bottom - top) * v

    return [
        np.array([at(u0, v0), at(u1, v0), at(u1, v1), at(u0, v1)])
        for v0, v1 in pairwise(vs)
        for u0, u1 in pairwise(us)
    ]


def _cut_off_seams(block, grid, seams, found: list[np.ndarray]) -> bool:
    """Whether notes `found` whole in a block of touching notes (`block`, `grid` columns and
    rows, its `_seams`) were cut off its seams: two
    of them meet end to end where the block shows no seam, and a seam it shows runs through
    one of them (bigger than a cell): a line of writing was taken for their seam, and each
    holds parts of two of the block's notes."""
    cols, rows = grid
    cell = _area(block) / (cols * rows)
    if not any(_area(q) > _ONCE[1] * cell for q in found):
        return False
    to_grid = cv2.getPerspectiveTransform(
        np.float32(block), np.float32([[0, 0], [cols, 0], [cols, rows], [0, rows]])
    )
    spans = []  # each note's extent in the block, in cells: (u0, u1), (v0, v1)
    for q in found:
        uv = cv2.perspectiveTransform(np.float32(q).reshape(-1, 1, 2), to_grid).reshape(4, 2)
        spans.append((_area(q) > _ONCE[1] * cell, uv.min(axis=0), uv.max(axis=0)))
    for axis, n in ((0, cols), (1, rows)):
        seen = [at * n for at, s in seams[axis] if s]
        for k, (big, lo, hi) in enumerate(spans):
            length = hi[axis] - lo[axis]
            if not big or not any(
                lo[axis] + _ONE_SIDE * length <= at <= hi[axis] - _ONE_SIDE * length for at in seen
            ):
                continue
            for _, lo2, hi2 in spans[:k] + spans[k + 1 :]:
                across = min(hi[1 - axis], hi2[1 - axis]) - max(lo[1 - axis], lo2[1 - axis])
                if across < 0.5 * min(hi[1 - axis] - lo[1 - axis], hi2[1 - axis] - lo2[1 - axis]):
                    continue  # not in its column (row): less than half of either beside it
                for end, start in ((hi[axis], lo2[axis]), (hi2[axis], lo[axis])):
                    meet = (end + start) / 2
                    if abs(end - start) <= _MEET and all(
                        abs(meet - at) > _SEAM_SLACK for at in seen
                    ):
                        return True
    return False


def _halved(notes: list, image: np.ndarray, scale: float, typical, bgr=None) -> list:
    """The notes (quad, colour), each one twice as long as its neighbours and as wide, with
    a seam seen across its middle, cut there: two notes of one colour run together. So is
    one longer than one note but short of two whose own paper runs on past an end (`bgr`,
    the downscaled photo, tells: see growth._extended) to twice its neighbours' length,
    with a seam seen across the middle of the whole: a line of writing across the upper
    note cut it short there, and its lower part was found run into the note below."""
    if not notes:
        return notes
    quads = [quad for quad, _ in notes]
    sides, near = _neighbourhood(quads)
    near = (near < _NEAR * max(typical[:2])) & ~np.eye(len(quads), dtype=bool)
    out = []
    for k, (quad, colour) in enumerate(notes):
        guides = near[k]
        if guides.sum() < _NEIGHBOURS:
            guides = near[k] & np.array([_delta_e(colour, c) <= _EVEN_DELTA_E for _, c in notes])
        if guides.sum() < _HALVED_NEIGHBOURS:
            out.append((quad, colour))
            continue
        w, h = np.median(sides[guides], axis=0)
        across, down = sides[k][0] / w, sides[k][1] / h
        # Twice as long as the wall's typical note too: neighbours that are strips, what
        # shows of notes stuck on in overlapping rows, make a whole note look twice as long.
        long_across, long_down = sides[k][0] / typical[0], sides[k][1] / typical[1]
        grid = None
        if _ONCE[0] < across < _ONCE[1] and _TWICE[0] < down < _TWICE[1] and long_down > _LONG:
            grid = (1, 2)
        elif _ONCE[0] < down < _ONCE[1] and _TWICE[0] < across < _TWICE[1] and long_across > _LONG:
            grid = (2, 1)
        elif (
            bgr is not None
            and _ONCE[0] < across < _ONCE[1]
            and _PART_LONG[0] < down < _PART_LONG[1]
            and long_down > _PART_LONG[0]
        ):
            # Longer than one note, short of two: its own paper past an end (the top of the
            # upper note, cut off at a line of writing) may make it two notes long.
            others = quads[:k] + quads[k + 1 :]
            grown = _extended(quad, bgr, (sides[k][0], 2 * h, typical[2]), others)
            if grown is not quad and _TWICE[0] < _sides(grown)[1] / h < _TWICE[1]:
                cells = _on_seams(image, grown, scale, 1, 2)
                if len(cells) == 2:
                    out += [(c, colour) for c in cells]
                    continue
        cells = _on_seams(image, quad, scale, *grid) if grid else []
        if len(cells) == 2:
            out += [(c, colour) for c in cells]
        else:
            out.append((quad, colour))
    return out


def _split_in_two(notes: list, halves: dict, image: np.ndarray, scale: float, typical) -> list:
    """The notes (quad, colour), each far bigger than the typical one and longer than a long
    note that the second search saw as two notes side by side (`halves`: id of the quad
    found -> that quad, and the quads seen in it; see _TWO_PIECE), cut in two along its
    length where a seam shows across its middle: two notes of one colour run together in the
    first search (a line of writing near their seam left no flat path round it), apart on
    the wiped copy."""
    out = []
    note_area = typical[0] * typical[1]
    for quad, colour in notes:
        held, seen = halves.get(id(quad), (None, []))
        pieces = [p for p in seen if held is quad and _area(p) >= _TWO_PIECE * note_area]
        cells = []
        w, h = _sides(quad)
        if (
            _area(quad) > _TWO_OVERSIZED * note_area
            and max(w, h) > _TWO_LONG * min(w, h)
            and len(pieces) == 2
        ):
            grid = (2, 1) if w > h else (1, 2)
            cells = _on_seams(image, quad, scale, *grid)
            if len(cells) != 2 or not _one_each(pieces, cells):
                cells = []
            elif sum(_area(p) for p in pieces) < _TWO_COVER * _area(quad):
                cells = []
        out += [(c, colour) for c in cells] if cells else [(quad, colour)]
    return out


def _one_each(pieces: list, cells: list) -> bool:
    """Whether each of two cells holds the centre of one of two pieces, and the pieces
    overlap little (two notes, not one seen twice)."""
    a, b = pieces
    if _overlap(a, b) > _TWO_APART:
        return False
    held = [[_contains(c, p) for p in pieces] for c in cells]
    return (held[0][0] and held[1][1]) or (held[0][1] and held[1][0])


def _evened(notes: list, image: np.ndarray, scale: float, typical) -> list:
    """The notes (quad, colour), each two of one colour that touch end to end, as wide as
    each other, together two notes long but split unevenly (a line of writing or an
    underline near their seam was taken for it), cut again at the seam seen near their even
    split: notes off one pad are one size. Before that, runs of three or more that hold one
    note more than were found in them are cut into their notes (`_recounted`)."""
    notes, done = _recounted(notes, image, scale, typical)
    if len(notes) < 2:
        return notes
    quads = [quad for quad, _ in notes]
    sides, near = _neighbourhood(quads)
    reach = _NEAR * max(typical[:2])
    index = np.arange(len(quads))
    out = list(notes)
    lengths = sides.tolist()
    # (end of the first, start of the second, axis): the first's bottom on the second's
    # top, or its right side on the second's left one.
    for first_end, second_start, axis in (((3, 2), (0, 1), 1), ((1, 2), (0, 3), 0)):
        for i, j in zip(*np.nonzero(near < _EVEN_NEAR * max(typical[:2])), strict=True):
            li, lj = lengths[i][axis], lengths[j][axis]
            if i == j or i in done or j in done or max(li, lj) <= _EVEN_UNEVEN * min(li, lj):
                continue  # (the cheapest test first: most pairs are even)
            if not _end_to_end(notes, sides, i, j, first_end, second_start, axis):
                continue
            across = (sides[i][1 - axis] + sides[j][1 - axis]) / 2
            others = (near[i] < reach) & (index != i) & (index != j)
            size = np.median(sides[others], axis=0) if others.sum() >= _NEIGHBOURS else typical[:2]
            length = float(size[axis])
            if abs(across - size[1 - axis]) > _EVEN_WIDTH * across:
                continue  # not its neighbours' width: off another pad
            if not (
                max(li, lj) > _EVEN_LONG * length
                and _EVEN_TWICE[0] <= (li + lj) / length <= _EVEN_TWICE[1]
            ):
                continue
            union, grid = _union(quads[i], quads[j], axis, 2)
            if not _corners_square(union, _EVEN_SQUARE):
                continue  # one of them fitted askew: its outline is no guide
            cells = _on_seams(image, union, scale, *grid)
            if len(cells) != 2:
                continue
            out[i], out[j] = (cells[0], notes[i][1]), (cells[1], notes[j][1])
            done |= {i, j}
    return out


def _end_to_end(notes: list, sides, i: int, j: int, first_end, second_start, axis: int) -> bool:
    """Whether notes i and j (quad, colour) are of one colour and as wide as each other, and
    i's end (corners `first_end`) lies on j's start (`second_start`) along `axis`."""
    if _delta_e(notes[i][1], notes[j][1]) > _EVEN_DELTA_E:
        return False
    across = (sides[i][1 - axis] + sides[j][1 - axis]) / 2
    if abs(sides[i][1 - axis] - sides[j][1 - axis]) > _EVEN_WIDTH * across:
        return False
    gap = np.hypot(*(notes[i][0][list(first_end)] - notes[j][0][list(second_start)]).T)
    return bool(gap.max() <= _EVEN_GAP * across)


def _union(a: np.ndarray, b: np.ndarray, axis: int, count: int):
    """The quad from `a`'s start to `b`'s end along `axis` (1: down, 0: across), and the grid
    (columns, rows) of `count` notes it holds."""
    if axis == 1:
        return np.array([a[0], a[1], b[2], b[3]]), (1, count)
    return np.array([a[0], b[1], b[2], a[3]]), (count, 1)


def _recounted(notes: list, image: np.ndarray, scale: float, typical) -> tuple[list, set[int]]:
    """The notes (quad, colour), each run of three or more of one colour end to end (a column
    or a row off one pad), as wide as each other and their neighbours, one note longer than
    the notes found in it, cut again into its notes on the seams seen near their even split:
    a row of dots or a line of writing was taken for a seam, and the real seams on either
    side of it were missed, so one piece holds parts of two notes. Notes off one pad are
    one size. Returns them and which of them were cut so."""
    done: set[int] = set()
    if len(notes) < 2:
        return notes, done
    quads = [quad for quad, _ in notes]
    sides, near = _neighbourhood(quads)
    reach = _NEAR * max(typical[:2])
    out = list(notes)
    for first_end, second_start, axis in (((3, 2), (0, 1), 1), ((1, 2), (0, 3), 0)):
        # Each note's next one along the axis: its end on the other's start.
        after: dict[int, int] = {}
        for i, j in zip(*np.nonzero(near < _EVEN_NEAR * max(typical[:2])), strict=True):
            if i == j or i in done or j in done:
                continue
            if _end_to_end(notes, sides, i, j, first_end, second_start, axis):
                after[int(i)] = int(j)
        if len(set(after.values())) != len(after):
            continue  # two notes end on one: no single run
        for start in set(after) - set(after.values()):
            run = [start]
            while run[-1] in after and len(run) <= len(notes):
                run.append(after[run[-1]])
            if len(run) < _RUN:
                continue
            chained = np.zeros(len(notes), bool)
            chained[run] = True
            others = (near[run].min(axis=0) < reach) & ~chained
            size = np.median(sides[others], axis=0) if others.sum() >= _NEIGHBOURS else typical[:2]
            length = float(size[axis])
            total = float(sides[run, axis].sum())
            count = len(run) + 1
            across = float(np.median(sides[run, 1 - axis]))
            if (
                abs(total / length - count) > _RUN_SLACK
                or sides[run, axis].max() <= _EVEN_LONG * length
                or abs(across - size[1 - axis]) > _EVEN_WIDTH * across
            ):
                continue
            union, grid = _union(quads[run[0]], quads[run[-1]], axis, count)
            if not _corners_square(union, _EVEN_SQUARE):
                continue
            cells = _on_seams(image, union, scale, *grid)
            if len(cells) != count:
                continue
            for k, cell in zip(run, cells, strict=False):
                out[k] = (cell, notes[k][1])
            done |= set(run) | {len(out)}
            out.append((cells[-1], notes[run[-1]][1]))
    return out, done


def _trimmed(quad: np.ndarray, lab8: np.ndarray, paper) -> np.ndarray:
    """A grid's cell (in `lab8`'s pixels) with each side where the wall shows beyond it
    (not a seam inside the grid) set on the edge of its paper (`paper`: L 0..100, signed a
    and b): a straight line fitted to where the paper starts, row by row (see _REFIT)."""
    w, h = _sides(quad)
    W, H = max(4, round(w)), max(4, round(h))
    mg = max(2, round(_BAND * max(W, H)))
    to_patch = rect_homography(quad, W, H, mg)
    patch = cv2.warpPerspective(lab8, to_patch, (W + 2 * mg, H + 2 * mg), flags=cv2.INTER_LINEAR)
    ref = np.float32(np.asarray(paper) / _LAB8_SCALE + _LAB8_OFFSET)
    on = cv2.transform(np.abs(patch.astype(np.float32) - ref), _SUM_L1) < _BAND_DELTA_E
    # Paper where three pixels side by side are: a speck of wall noise is none.
    starts = on[:, :-2] & on[:, 1:-1] & on[:, 2:]
    starts_down = starts.T
    # A side found from the right or the bottom is on the paper's last pixel.
    last_x, last_y = W + 2 * mg - 1, H + 2 * mg - 1

    def edge(mask: np.ndarray, lo: int, hi: int):
        # Where the paper starts in rows lo..hi of `mask` (counted from column 0), as a
        # fitted line (slope and offset over the row), or None: paper out to the margin in
        # most rows (a seam inside the grid, or a neighbour), or no straight edge.
        rows = np.arange(lo, hi)
        first = np.argmax(mask[lo:hi], axis=1).astype(np.float64)
        keep = mask[lo:hi].any(axis=1) & (first > 1)
        if keep.sum() < 0.6 * len(rows):
            return None
        return _robust_line(rows[keep], first[keep])

    r0, r1 = mg + round(0.15 * H), mg + H - round(0.15 * H)
    c0, c1 = mg + round(0.15 * W), mg + W - round(0.15 * W)
    left, right = edge(starts, r0, r1), edge(starts[:, ::-1], r0, r1)
    top, bottom = edge(starts_down, c0, c1), edge(starts_down[:, ::-1], c0, c1)
    if left is None and right is None and top is None and bottom is None:
        return quad
    corners = np.float64([[mg, mg], [mg + W, mg], [mg + W, mg + H], [mg, mg + H]])
    out = corners.copy()
    for _ in range(2):  # each corner where the lines of its two sides meet, near enough
        for k in range(4):
            y = out[k, 1]
            if k in (0, 3) and left is not None:
                out[k, 0] = np.polyval(left, y)
            if k in (1, 2) and right is not None:
                out[k, 0] = last_x - np.polyval(right, y)
            if k in (0, 1) and top is not None:
                out[k, 1] = np.polyval(top, out[k, 0])
            if k in (2, 3) and bottom is not None:
                out[k, 1] = last_y - np.polyval(bottom, out[k, 0])
    if not _refit_moves(out, corners, W, H):
        return quad
    return transform(out, np.linalg.inv(to_patch))


def _shrunk(quad: np.ndarray, lab8: np.ndarray, paper, walls) -> np.ndarray:
    """A note found on the wiped copy (in `lab8`'s pixels) with each side pulled in to where
    its paper (`paper`: L 0..100, signed a and b) ends, going out from its middle, where
    what that leaves out is mostly the wall (`walls`: its colours): the wipe, coarse, can
    smear a note out over the wall beside it (see _SHRINK_RUN); a straight line fitted to
    where the paper ends, row by row, as in `_trimmed`."""
    w, h = _sides(quad)
    W, H = max(4, round(w)), max(4, round(h))
    to_patch = rect_homography(quad, W, H, 0)
    patch = cv2.warpPerspective(lab8, to_patch, (W, H), flags=cv2.INTER_LINEAR).astype(np.float32)

    def near(colour) -> np.ndarray:
        ref = np.float32(np.asarray(colour) / _LAB8_SCALE + _LAB8_OFFSET)
        return cv2.transform(np.abs(patch - ref), _SUM_L1) < _BAND_DELTA_E

    off = (~near(paper)).astype(np.float32)
    mx, my = W // 2, H // 2

    def edge(out: np.ndarray, lo: int, hi: int, across: int):
        # How far out from the middle the paper ends in rows lo..hi of `out` (what is not
        # the paper, counted from the middle outward; the note `across` wide that way), as
        # a fitted line, or None.
        run = max(3, round(_SHRINK_RUN * across))
        if out.shape[1] <= run:
            return None
        ends = (
            cv2.filter2D(
                out[lo:hi],
                -1,
                np.ones((1, run), np.float32),
                anchor=(0, 0),
                borderType=cv2.BORDER_CONSTANT,
            )
            >= run - 0.5
        )
        seen = ends.any(axis=1)
        if seen.sum() < 0.6 * (hi - lo):
            return None
        return _robust_line(
            np.arange(lo, hi)[seen], np.argmax(ends, axis=1)[seen].astype(np.float64)
        )

    r0, r1 = round(0.15 * H), H - round(0.15 * H)
    c0, c1 = round(0.15 * W), W - round(0.15 * W)
    left, right = edge(off[:, :mx][:, ::-1], r0, r1, W), edge(off[:, mx:], r0, r1, W)
    top, bottom = edge(off[:my].T[:, ::-1], c0, c1, H), edge(off[my:].T, c0, c1, H)
    corners = np.float64([[0, 0], [W, 0], [W, H], [0, H]])
    out = corners.copy()
    for _ in range(2):  # each corner where the lines of its two sides meet (moved in only)
        for k in range(4):
            if k in (0, 3) and left is not None:
                out[k, 0] = max(out[k, 0], mx - np.polyval(left, out[k, 1]))
            if k in (1, 2) and right is not None:
                out[k, 0] = min(out[k, 0], mx + np.polyval(right, out[k, 1]))
            if k in (0, 1) and top is not None:
                out[k, 1] = max(out[k, 1], my - np.polyval(top, out[k, 0]))
            if k in (2, 3) and bottom is not None:
                out[k, 1] = min(out[k, 1], my + np.polyval(bottom, out[k, 0]))
    if not _refit_moves(out, corners, W, H):
        return quad
    kept = np.zeros((H, W), np.uint8)
    cv2.fillConvexPoly(kept, np.round(out).astype(np.int32), 1)
    wall = np.zeros((H, W), bool)
    for colour in walls:
        wall |= near(colour)
    left_out = wall[kept == 0]
    if not left_out.size or left_out.mean() < _SHRINK_WALL:
        return quad  # what it leaves out is its dots or its neighbour's paper, not the wall
    return transform(out, np.linalg.inv(to_patch))


def _refit_moves(out: np.ndarray, corners: np.ndarray, W: int, H: int) -> bool:
    """Whether corners refitted on a W x H patch (`out`, from `corners`) moved enough to
    take (`_REFIT`), and not so far that the lines fitted must be wrong (`_REFIT_MAX`)."""
    shift = np.abs(out - corners).max(axis=0)
    return (
        _REFIT * min(W, H) <= shift.max()
        and shift[0] <= _REFIT_MAX * W
        and shift[1] <= _REFIT_MAX * H
    )


def _robust_line(ys: np.ndarray, xs: np.ndarray):
    """The line x = a y + b through where an edge was seen in each row, the rows off it
    (dots and writing at the edge) left out; None where it is no straight edge."""
    fit = _line(ys, xs)
    res = np.abs(np.polyval(fit, ys) - xs)
    good = res <= max(2.0, np.percentile(res, 70))
    fit = _line(ys[good], xs[good])
    if np.median(np.abs(np.polyval(fit, ys) - xs)) > 1.5:
        return None
    return fit


def _line(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """The least-squares line y = a x + b through the points, as (a, b) (np.polyfit's
    answer, for a fraction of its cost)."""
    mx, my = float(x.mean()), float(y.mean())
    dx = x - mx
    var = float(dx @ dx)
    a = float(dx @ (y - my)) / var if var > 0 else 0.0
    return a, my - a * mx


def _overhung(cells: list[np.ndarray], quads: list[np.ndarray], lab8: np.ndarray, paper) -> list:
    """A grid's trimmed cells (`quads`, in `lab8`'s pixels; `cells` as cut, sharing their
    inner sides) with each inner side set where a cell's own paper, sticking out beyond both
    ends of its neighbour's, shows its edge (see _OVERHANG)."""
    out = [np.float64(q) for q in quads]
    ref = np.float32(np.asarray(paper) / _LAB8_SCALE + _LAB8_OFFSET)
    for i, j in _touching(cells):
        for a, b in ((i, j), (j, i)):
            moved = _overhang(out[a], out[b], cells[a], cells[b], lab8, ref)
            if moved is not None:
                out[a], out[b] = moved
                break
    return out


def _touching(cells: list[np.ndarray]) -> list[tuple[int, int]]:
    # Cells of one grid that share a side (two corners in common).
    pairs = []
    for i in range(len(cells)):
        for j in range(i + 1, len(cells)):
            d = np.linalg.norm(cells[i][:, None] - cells[j][None], axis=2)
            if (d < 1.0).sum() >= 2:
                pairs.append((i, j))
    return pairs


def _overhang(quad, other, cell, other_cell, lab8, ref):
    # `quad` turned so that its side facing `other` is its left side (corners 3 and 0).
    centre = other_cell.mean(axis=0)
    mids = [(cell[k] + cell[(k + 1) % 4]) / 2 for k in range(4)]
    facing = int(np.argmin([np.linalg.norm(m - centre) for m in mids]))
    # side k runs from corner k to k + 1: the left side runs from 3 to 0
    roll = (facing + 1) % 4
    turned = np.roll(quad, -roll, axis=0)
    w, h = _sides(turned)
    W, H = max(4, round(w)), max(4, round(h))
    reach = round(_OVERHANG_REACH * W)
    mg = reach + 2
    to_patch = rect_homography(turned, W, H, mg)
    patch = cv2.warpPerspective(lab8, to_patch, (W + 2 * mg, H + 2 * mg), flags=cv2.INTER_LINEAR)
    on = cv2.transform(np.abs(patch.astype(np.float32) - ref), _SUM_L1) < _BAND_DELTA_E
    theirs = cv2.perspectiveTransform(np.float64(other).reshape(-1, 1, 2), to_patch).reshape(4, 2)
    # their side facing ours: its two corners nearest our left side
    near = np.argsort(np.abs(theirs[:, 0] - mg))[:2]
    top, bottom = np.sort(theirs[near, 1])
    beyond = max(2, round(_OVERHANG * H))
    if top - mg < beyond or mg + H - bottom < beyond:
        return None
    rows_above = np.arange(mg + 1, round(top) - 1)
    rows_below = np.arange(round(bottom) + 2, mg + H - 1)
    if len(rows_above) < 2 or len(rows_below) < 2:
        return None

    def run(rows):
        # How far the paper goes on past our left side, row by row (to the wall).
        strip = on[rows, mg - reach : mg][:, ::-1]
        gone = ~strip
        return np.where(gone.any(axis=1), np.argmax(gone, axis=1), reach).astype(np.float64)

    above, below = run(rows_above), run(rows_below)
    if np.median(above) < _REFIT * W or np.median(below) < _REFIT * W:
        return None
    ys = np.concatenate([rows_above, rows_below]).astype(np.float64)
    xs = np.concatenate([above, below])
    keep = xs < reach - 1  # a run out to the end of the look is no edge seen
    if keep.sum() < 0.6 * len(xs):
        return None
    fit = _line(ys[keep], xs[keep])
    res = np.abs(np.polyval(fit, ys[keep]) - xs[keep])
    good = res <= max(2.0, np.percentile(res, 70))
    fit = _line(ys[keep][good], xs[keep][good])
    # a straight edge, square enough to the cell's own ends (a note is a rectangle)
    if (
        np.median(np.abs(np.polyval(fit, ys[keep]) - xs[keep])) > 1.5
        or abs(fit[0]) > _OVERHANG_TILT
    ):
        return None
    back = np.linalg.inv(to_patch)
    ours = np.float64([[mg, mg], [mg + W, mg], [mg + W, mg + H], [mg, mg + H]])
    for k in (0, 3):
        ours[k, 0] = mg - np.polyval(fit, ours[k, 1])
    for k in near:
        theirs[k, 0] = mg - np.polyval(fit, theirs[k, 1])
    ours = cv2.perspectiveTransform(ours.reshape(-1, 1, 2), back).reshape(4, 2)
    theirs = cv2.perspectiveTransform(theirs.reshape(-1, 1, 2), back).reshape(4, 2)
    return np.roll(ours, roll, axis=0), theirs
