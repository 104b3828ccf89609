"""Finding the notes: flat patches of paper with four straight sides, on a downscaled copy.

A note is a patch of paper bounded by edges. The photo (downscaled, with a median filter
that wipes out handwriting) is cut into flat regions wherever its colour gradient stays
below a threshold, first at a threshold that follows the photo's own noise, then at lower
ones. This makes a tree of regions, each level's regions inside one of the level above.
The wall is the region that runs along the photo's border; notes on it are holes in it.

The wall's typical note is learnt from the note-shaped regions (a quadrilateral with
square-ish corners, of a sticky note's proportions, not the wall's colour): the biggest
size that most of them are a whole number of, so that neither scraps nor blocks of
touching notes set it. A region shaped like a note of about that size, and square to the
wall's notes, is a note. One that is not, or is a good deal bigger than the typical note,
is looked at again at the next, lower threshold, where the faint seams between touching
notes of one colour (a shadow line, a slight change of shade) and the weak spots in an
outline that let a note leak into its neighbour show up as edges: its pieces there are
judged the same way. What is still a neat grid of typical notes at the lowest threshold
(touching notes of one colour, seams unseen) is cut into that grid, each cut on a seam
where one shows at full resolution near the even split (notes off one pad are one size;
a line of writing further off is no seam).

A second search, on a copy where everything smaller than a big dot is wiped out, adds the
notes the first found only in pieces (crowded with dots, or with writing all over them).
A note still smaller than the wall's notes may be the part of one that a clump of dots left
plain: everything that differs from the wall around it and joins it is the note, when that
is one note's size and shape and touches no other; so may a piece of paper that no note
holds, turned from the wall's notes (a line of writing cut it off aslant) or ragged, when
that whole note is square to them. A note shorter than its neighbours across one axis,
whose own paper goes on beyond a short side (a line of writing or a row of dots right
across it cut it there), is grown on that side to where its paper ends (at the wall, a gap,
another colour), or, where that paper runs on into a neighbour of its colour, to its
neighbours' size. One as wide as its neighbours but twice as long (and far longer than the
typical note: strips of stacked notes round a whole one make it look twice theirs), with a
seam seen across its middle, is two notes of one colour run together, and is cut
there. Two notes of one colour end to end, together two notes long but split unevenly (at
a heading's underline), are cut again at the seam near their even split: notes off one pad
are one size. A note found only on the wiped copy must be paper on the photo too, not the
wall (thick writing on the wall, wiped channel by channel, turns into patches of a false
colour). A sheet of paper with notes of other colours stuck on it is background, not a
note; but a grid of coloured notes with a few of another colour among them, each filling
one of its cells, is notes. Paper of a note's colour that no note holds once all the notes
found are cleared is notes, when it is the size of one or a block of them, square to the
wall's notes (a block of one colour left ragged at every level, or left bare by a neighbour
fitted askew: `_unclaimed`).

What real walls add (each a predicate of its own in `_search`, or a filter in `find_notes`):
notes stuck on in overlapping rows show only a strip each, as long as a note, with the note
on top past one long side (`_covered`); a long note seen from the side looks longer than any
note may, once the edge map has eaten its sides (`narrow`); a note far off on a wall seen at
a steep angle is far smaller than the typical one, and on its own (`_alone`); a purple note
in poor light is too dark and dull for paper, but a crisp, solid quad of a note's size
(`dim`). Coloured panels printed in frames on a sheet are no notes (`_framed`), nor is a
box drawn on a note (`_drawn_on`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from itertools import pairwise

import cv2
import numpy as np

from vision.colours import to_lab
from vision.geometry import order_quad, rect_homography, warp_quad
from vision.params import Params

# Edge thresholds tried: the photo's own (Params.edge_min, edge_k), then up to _LEVELS - 1
# lower ones, each _LEVEL_STEP times lower, down to _NOISE_FLOOR times the median gradient
# (the photo's noise) or _EDGE_FLOOR, whichever is higher.
_LEVELS = 4
_LEVEL_STEP = 1.6
_NOISE_FLOOR = 2.5
_EDGE_FLOOR = 5.0
# A region that keeps this share of its pixels at the next level is the same region there.
_SAME = 0.985
# The longest sticky note is 3 x 5 in (1.67:1); with perspective, up to about 1.9:1.
_MAX_ASPECT = 1.9
# How far a note's corner may be from square, in degrees: perspective up to 20 degrees and
# a note rotated a few degrees.
_CORNER_TOLERANCE = 35.0
# How far a note may be turned from the wall's typical note, in degrees.
_MAX_TURN = 20.0
# Shaped like a note: the region's hull and its quad overlap this much (intersection over
# union; a dot sticker, round, does not), and the region fills this share of its hull (dots
# along the edges and writing near them take bites out of it; a thin frame is all bite).
_RECTANGULAR = 0.85
_SOLID = 0.3
# A region this rectangular is surely a note or a card, not a blob of dots.
_CRISP = 0.9
# A single note's area, relative to the wall's typical note.
_SINGLE_AREA = (0.3, 1.6)
# What shows of a note stuck on in overlapping rows, mostly covered by the next one, is a
# strip as long as a note (this share of it) and at least this share of it wide (a narrower
# rim is too little to read or vote on); it is paper plainly unlike the wall (this Lab
# distance), as a strip of wall between two notes is not, and the paper that covers it runs
# on past one long side (sampled these shares of a note out: one paper at the first two, and
# still paper, not wall, nearly a whole note out), unlike the strip's (within this Lab
# distance: then it is a piece of a bigger note, cut off by writing or dots).
_STRIP_LONG = (0.8, 1.25)
_STRIP_SHORT = 0.2
_STRIP_WALL_E = 24.0
_STRIP_LOOK = (0.15, 0.3, 0.85)
_CONTINUES = 25.0
# A frame round a quad: a line this much darker (Lab L) than the paper inside and the paper
# beyond (far darker than the soft shadow or dark rim at a note's edge), within this share
# of the quad's side either side of its outline.
_FRAME_DARK = 40.0
_FRAME_LOOK = 0.2
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
# A region is cut as a grid of typical notes only if the notes seen inside it at lower
# thresholds cover less than this share of it.
_PIECES_COVER = 0.7
# A seam runs across a whole grid; a line of writing across at most 1 - this share of it.
_SEAM_SPAN = 25.0
# Touching notes off one pad are one size (perspective changes it only gradually across a
# grid): a seam is looked for within this share of a note of the even split, so that a
# line of writing or an underline further off is not taken for one.
_SEAM_SLACK = 0.14
# A note of another colour in a grid of touching notes covers one of its cells this well
# (intersection over union).
_IN_CELL = 0.5
# A grid of touching notes has at most this share of notes of other colours among them.
_AMONG = 0.25
# Chroma above which paper is a sticky note's, not a sheet's.
_SHEET_CHROMA = 25.0
# Lab distance under which a region is the wall's colour.
_WALL_DELTA_E = 8.0
# A region along the photo's border this many typical notes big is more wall.
_WALL_NOTES = 5.0
# Chroma above which a region darker than Params.note_min_lightness is still paper.
_DARK_CHROMA = 30.0
# The second search is on a copy where the typical note is this many pixels across, and
# where everything narrower than this share of it is wiped out: a dot sticker (at most a
# quarter of a note across), two overlapping, a line of writing.
_CLEAN_PX = 48.0
_WIPE = 0.4
# A note found in the second search is judged by the paper in its middle, inside this share
# of its side from its outline, on the photo (see _bare_wall): within this Lab distance of
# the wall's colour (a little more than _WALL_DELTA_E: the light on a wall varies), it is
# bare wall.
_INNER = 0.15
_BARE_DELTA_E = 12.0
# A note found in the first search that is less than this share of one found in the second
# is a piece of it.
_PIECE = 0.6
# ... unless it is this share of the typical note or more: then it is a whole note.
_WHOLE = 0.8
# Nor added where it would cover more than this share of a note found in the first.
_OVERLAP = 0.4
# Pixels each side of a found quad is pushed out by: the edge map eats about that much of
# the paper.
_GROW = 2.0
# A single note smaller than this share of the typical note may be the part of one that dots
# and writing left whole (see _whole).
_PART = 0.75
# A piece of paper turned from the wall's notes or ragged, this share of the typical note,
# may be part of a note (see find_notes).
_PART_OF = (0.3, 0.75)
# A note shorter than this share of its neighbours across one axis may have been cut short
# by a line of writing or a row of dots (see _extended). Its paper is looked for up to this
# share of a note beyond the neighbours' size; a pixel is its paper within this Lab distance
# of the paper just inside; a row across is no paper when less than this share of it is (a
# dot, a line of writing and another dot leave more); the paper ends where this share of a
# note's side in rows is no paper (an underline or a line of writing is thinner), or where
# this share of it in rows shows next to no paper at all (this share of a row or less): a
# strip of wall between it and a neighbour of its colour (an underline is thinner still).
_SHORT = 0.95
_BEYOND = 0.15
_PAPER_DELTA_E = 16.0
_PAPER_SHARE = 0.12
_INK_ROWS = 0.15
_GAP_ROWS = 0.06
_BARE = 0.02
# A note grown so may overlap a neighbour by this share at most; the neighbours' size is
# the median of this many at least, within this many notes of it (else the typical note).
_OVERLAP_GROWN = 0.1
_NEIGHBOURS = 3
_NEAR = 3.0
# As wide as its neighbours (this many times) and twice as long (this many times: a 3 x 5 in
# note among 3 x 3 in ones is 1.67 times as long, a little more in perspective), a note
# may be two of one colour run together (see _halved).
_ONCE = (0.8, 1.25)
_TWICE = (1.8, 2.3)
# ... and this many times as long as the wall's typical note.
_LONG = 1.5
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
# Paper that no note holds, of a note's colour (within this L1 distance, CIE units: its own
# paper under uneven light; a colour nearer the wall than twice that is no guide), that fills
# this much of the rectangle round it, and is a whole number of the wall's notes, up to this
# many (within this share of their area), is notes (see _unclaimed). Looked for on a copy
# this many times smaller than the search's; each note found is cleared with this margin
# (pixels there), and slivers narrower than this share of a note are no paper.
_UNCLAIMED_E = 16.0
_UNCLAIMED_FILL = 0.85
_UNCLAIMED_MAX = 6
_UNCLAIMED_AREA = (0.4, 1.3)
_UNCLAIMED_SHRINK = 2
_UNCLAIMED_MARGIN = 1.0
_UNCLAIMED_SLIVER = 0.2
_UNCLAIMED_NECK = 0.45
_UNCLAIMED_RING = 0.15
_UNCLAIMED_RUNS = 0.35
# From OpenCV's 8-bit Lab to L 0..100 and signed a, b.
_LAB8_SCALE = np.array([100 / 255, 1.0, 1.0])
_LAB8_OFFSET = np.array([0.0, 128.0, 128.0])
_SUM_L1 = np.float32([[100 / 255, 1.0, 1.0]])  # 8-bit L is stretched to 0..255
# A quad's corners, each one's neighbours (np.roll costs more than the arithmetic).
_PREV = [3, 0, 1, 2]
_NEXT = [1, 2, 3, 0]


@dataclass(frozen=True)
class Candidate:
    quad: np.ndarray  # 4x2, clockwise from top-left, in the image's pixels
    lab: tuple[float, float, float]  # mean paper colour


@dataclass(frozen=True)
class _Region:
    x: int  # the mask's offset in the image
    y: int
    mask: np.ndarray  # uint8 0/1
    quad: np.ndarray  # fitted quad, image coordinates
    area: float  # of the convex hull: dots across the edge are notches, not missing paper
    lab: tuple[float, float, float]
    rectangularity: float  # intersection over union of the region's hull and its quad
    solidity: float  # the region's own area over its hull's
    border: bool = False  # touches the image's border
    contour: np.ndarray | None = None  # its outline, relative to (x, y)


@dataclass
class _Node:
    region: _Region | None  # None: not worth describing (too thin)
    pixels: int = 0  # its own pixel count
    children: list[_Node] = field(default_factory=list)


def find_notes(image: np.ndarray, params: Params) -> list[Candidate]:
    """Every note on a BGR photo, as quads in its pixels (how: the module's docstring).

    Searched on a copy downscaled to `params.work_size`; when the wall's notes come out
    smaller than `params.small_note_px` there (a big wall from far away), searched again at
    a finer scale, where their corners are not rounded off by the median and their seams
    still show. Then searched once more on a copy where everything smaller than a big dot
    is wiped out (a morphological close then open, sized from the typical note): a note
    crowded with dots or big writing, whose paper is in pieces, is one clean region there.
    """
    min_px = params.min_note_px
    bgr, scale = downscale(image, params.work_size)
    blurred = cv2.medianBlur(bgr, 5)
    lab = cv2.cvtColor(blurred, cv2.COLOR_BGR2Lab)
    found, typical, walls, parts = _search(blurred, params, min_px, lab8=lab)
    if typical is not None and min(typical[:2]) < params.small_note_px and scale < 1.0:
        long_side = min(
            2 * params.work_size,
            round(params.work_size * params.small_note_px * 1.3 / min(typical[:2])),
        )
        finer_bgr, finer = downscale(image, long_side)
        finer_blurred = cv2.medianBlur(finer_bgr, 5)
        finer_lab = cv2.cvtColor(finer_blurred, cv2.COLOR_BGR2Lab)
        again, typical_again, walls_again, parts_again = _search(
            finer_blurred, params, min_px, lab8=finer_lab
        )
        if typical_again is not None:
            found, typical, scale = again, typical_again, finer
            walls, parts = walls_again, parts_again
            bgr, blurred, lab = finer_bgr, finer_blurred, finer_lab
    if typical is None:
        return []
    side = min(typical[:2])
    factor = min(1.0, _CLEAN_PX / side)
    small = (
        bgr
        if factor == 1.0
        else cv2.resize(bgr, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    )
    kernel = cv2.getStructuringElement(
        cv2.MORPH_RECT, (max(3, int(_WIPE * side * factor) | 1),) * 2
    )
    clean = cv2.morphologyEx(
        cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel), cv2.MORPH_OPEN, kernel
    )
    second, _, _, _ = _search(
        clean, params, min_px * factor, (typical[0] * factor, typical[1] * factor, typical[2])
    )
    # The first search's notes stand (their outlines are the finer); the second's are added
    # where the first has nothing, or only pieces of them: a note cut in two by a band of
    # dots there is whole here.
    # (Quads are fitted with care only for the notes kept: `_refined`.)
    found = [(_grow(_refined(r).quad, _GROW), r.lab, cols, rows) for r, cols, rows in found]
    for r, cols, rows in second:
        quad = _grow(r.quad, _GROW) / factor
        if cols * rows > 1 and not _seam_split(image, quad / scale, cols, rows):
            continue  # a blank sheet, not a block of notes: it must not displace any
        area = _area(quad)
        rivals = [f for f in found if _contains(f[0], quad) or _contains(quad, f[0])]
        # Notes do not overlap much: one straddling two notes found already is a blur of
        # their seam, not a note.
        others = [f for f in found if not any(f is g for g in rivals)]
        if any(_overlap(f[0], quad) > _OVERLAP for f in others):
            continue
        sizes = [_area(f[0]) for f in rivals]
        # A note found whole in the first search stands: a bigger one here is that note
        # run together with a narrow gap or a neighbour's edge.
        # So do a strip (what shows of a note the next one covers, see _covered) and a note
        # far smaller than the typical one (a far one, see _alone): the first search took
        # each for a whole thing, and the wipe, sized for the typical note, smears a stack's
        # strips, or far notes close together, into one.
        typical_area = typical[0] * typical[1]
        whole = [
            f[2] * f[3] == 1
            and (
                a >= _WHOLE * typical_area or a < _SINGLE_AREA[0] * typical_area or _is_strip(f[0])
            )
            for f, a in zip(rivals, sizes, strict=True)
        ]
        if all(a < _PIECE * area for a in sizes) and not any(whole):
            if _bare_wall(quad, lab, walls):
                continue  # the wipe smeared big writing on the wall into a false colour
            others = [f for f in found if not any(f is g for g in rivals)]
            held = np.zeros(lab.shape[:2], np.uint8)
            for o in others:
                cv2.fillConvexPoly(held, np.round(o[0]).astype(np.int32), 1)
            paper = _paper_lab(quad, lab, step=2)
            if (
                cols * rows == 1
                and paper is not None
                and all(_delta_e(paper, o[1]) > _UNCLAIMED_E for o in others)
                and _runs_on(quad, lab, held, min(typical[:2]))
            ):
                continue  # big writing on a sheet, smeared: the sheet's paper all round it
            kept = (_grow(_refined(r).quad, _GROW) / factor, r.lab, cols, rows)
            found = [f for f in found if not any(f is g for g in rivals)] + [kept]
    # A note found smaller than the wall's notes may be the part of it that dots and writing
    # left whole: everything on the wall around it, if that is one note, is the note.
    whole = []
    for quad, note_lab, cols, rows in found:
        if (
            cols * rows == 1
            and _area(quad) < _PART * typical[0] * typical[1]
            # a strip is what shows of a note mostly covered: the rest of it is not there
            and not _is_strip(quad)
        ):
            quad = _whole(quad, lab, typical, [f[0] for f in found if f[0] is not quad])
        whole.append((quad, note_lab, cols, rows))
    found = whole
    # A piece of paper no note holds, turned from the wall's notes or ragged, may be part of
    # a note that writing and dots left in pieces, none of them note-shaped: its whole note,
    # if it has one square to the wall's notes, is a note.
    for part in parts:
        quads = [f[0] for f in found]
        if any(_contains(q, part) or _overlap(q, part) > _OVERLAP_GROWN for q in quads):
            continue
        grown = _whole(part, lab, typical, quads)
        if grown is part:
            continue
        turn = abs(_angle(grown) - typical[2])
        colour = _paper_lab(grown, lab)
        if min(turn, 90 - turn) <= _MAX_TURN and colour is not None:
            found.append((grown, colour, 1, 1))
    # A printed or drawn frame round coloured paper on a sheet (a storyboard's panels) is no
    # note: a note's edge is the paper's own, with no ink line all round it. Nor is a box
    # drawn on a note.
    sharp = cv2.cvtColor(bgr, cv2.COLOR_BGR2Lab) if found else None
    kept = [f for f in found if f[2] * f[3] > 1 or not _framed(f[0], sharp)]
    kept = [f for f in kept if not _drawn_on(f, kept)]
    dropped = [f[0] for f in found if not any(f is k for k in kept)]
    found = kept
    # Grids cut into their notes.
    singles = [quad for quad, _, cols, rows in found if cols * rows == 1]
    notes = []
    for quad, colour, cols, rows in found:
        if cols * rows == 1:
            notes.append((quad, colour))
            continue
        cells = _seam_split(image, quad / scale, cols, rows)
        # A cell holding a note of another colour (found on its own) is that note.
        notes += [
            (q * scale, colour) for q in cells if not any(_contains(o / scale, q) for o in singles)
        ]
    # A note found short of its neighbours across one axis, with its own paper beyond a
    # short side, was cut short there by a line of writing or a row of dots.
    notes = _unclaimed(notes, dropped, blurred, lab, image, scale, typical, walls)
    notes = _lengthened(notes, blurred, typical)
    notes = _halved(notes, image, scale, typical)
    notes = _evened(notes, image, scale, typical)
    return [Candidate(quad=order_quad(quad / scale), lab=colour) for quad, colour in notes]


def _gradient(lab8: np.ndarray) -> np.ndarray:
    """Colour gradient, uint8: max(|d/dx|, |d/dy|) of the Sobel filter summed over L, a and b
    (in CIE units: 8-bit L is stretched to 0..255). 16-bit and 8-bit arithmetic: a float
    gradient of three channels costs more than the rest of the search."""
    gx = cv2.convertScaleAbs(cv2.Sobel(lab8, cv2.CV_16S, 1, 0, ksize=3))
    gy = cv2.convertScaleAbs(cv2.Sobel(lab8, cv2.CV_16S, 0, 1, ksize=3))
    return cv2.transform(cv2.max(gx, gy), _SUM_L1)


def _search(bgr: np.ndarray, params: Params, min_px: float, typical=None, lab8=None):
    """The notes on a downscaled, filtered photo, as (region, cols, rows) with cols x rows > 1
    for a grid still to be cut; and the typical note's (width, height, angle) (learnt here
    unless given), None if there is none. `lab8`: the photo in Lab, if made already."""
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
        first = [r for r in first if sum(_stuck_on(o, r) for o in first) < 2]
        if not first:
            return [], None, [], []
        typical = _typical(first)
        thresholds = thresholds[:1]  # the tree is whole already
    typical_w, typical_h, typical_angle = typical
    typical_area = typical_w * typical_h

    def wall_piece(r: _Region) -> bool:
        # A region along the photo's border far bigger than a note is more wall (cut off
        # from the rest by a drawn line, a shadow or a change of light).
        return r.border and r.area > _WALL_NOTES * typical_area

    def single(r: _Region) -> bool:
        return (
            (
                _SINGLE_AREA[0] * typical_area <= r.area <= _SINGLE_AREA[1] * typical_area
                and (shaped(r) or narrow(r))
                and aligned(r)
            )
            or strip(r)
            or far(r)
            or dim(r)
        )

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
        if r.area < 1.4 * typical_area or r.border or not paper(r):
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
        ):
            return r, cols, rows
        return None

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
    # Pieces of paper a note's size or less, turned from the wall's notes (a line of writing
    # or a clump of dots across a note cut them off aslant) or ragged (writing all over the
    # note): maybe part of a note (see _whole).
    parts = [
        r.quad
        for r in _descendants(roots)
        if not wiped
        and _PART_OF[0] * typical_area <= r.area <= _PART_OF[1] * typical_area
        and r.rectangularity > _RECTANGULAR
        and not r.border
        and paper(r)
        and not (aligned(r) and r.solidity > _SOLID)
    ]

    # A sheet with notes stuck on it is background, not a giant note: a solid region (the
    # notes on it are holes in it) holding a note of another colour. (A ragged piece of a
    # grid of touching notes can reach round a note of another colour in that grid; a grid
    # of notes of one colour holds none.)
    # But a grid of touching notes, coloured (sheets put up on walls are white or dull:
    # flip-chart, printer and brown paper), can have a few notes of other colours among
    # them, each in a cell of the grid (on a sheet, notes are stuck anywhere).
    def sheet(s) -> bool:
        r, cols, rows = s
        if r.solidity <= 0.8 and cols * rows == 1:
            return False
        on = [o[0] for o in found if _on_sheet(o[0], r)]
        return bool(on) and not (
            np.hypot(r.lab[1], r.lab[2]) > _SHEET_CHROMA
            and len(on) <= _AMONG * cols * rows
            and all(_in_cell(o, r, cols, rows) for o in on)
        )

    found = [s for s in found if not sheet(s)]
    return found, typical, walls, parts


def _typical(regions: list[_Region]) -> tuple[float, float, float]:
    """The wall's typical note (width, height, angle), from note-shaped regions: the biggest
    of their sizes that most of their area is a whole number of (a note, or a grid of
    touching notes whose seams do not show), so that neither scraps nor grids set it."""
    sides = np.array([_sides(r.quad) for r in regions])
    areas = np.array([r.area for r in regions])
    cells = sides[None, :, :] / sides[:, None, :]  # [candidate, region, (across, down)]
    counts = np.maximum(np.round(cells), 1)
    ratio = areas[None, :] / (counts.prod(axis=2) * areas[:, None])
    fits = (cells.min(axis=2) > 0.7) & (counts.prod(axis=2) <= 40) & (ratio > 0.7) & (ratio < 1.4)
    explained = (fits * areas[None, :]).sum(axis=1)
    # Notes come in numbers: a size that only one region has (a sheet of paper on the
    # wall) is the typical note only if no size that several have explains as much.
    alike = (fits & (counts.prod(axis=2) == 1)).sum(axis=1)
    good = np.flatnonzero((explained >= _EXPLAINED * areas.sum()) & (alike >= 2))
    if not len(good):
        good = np.flatnonzero(explained >= _EXPLAINED * areas.sum())
    if len(good):
        best = int(good[np.argmax(areas[good])])
        w, h = sides[best]
    else:
        w = _weighted_median(sides[:, 0], areas)
        h = _weighted_median(sides[:, 1], areas)
    return float(w), float(h), _weighted_median([_angle(r.quad) for r in regions], areas)


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


def _stuck_on(note: _Region, sheet: _Region) -> bool:
    """Whether `note` is a note stuck on `sheet`, surely (see `_on_sheet`)."""
    return note.rectangularity > _CRISP and note.area > sheet.area / 40 and _on_sheet(note, sheet)


def _descendants(roots: list[_Node]) -> list[_Region]:
    out, pending = [], list(roots)
    while pending:
        node = pending.pop()
        pending.extend(node.children)
        if node.region is not None:
            out.append(node.region)
    return out


def _select(node: _Node, single, grid, oversized) -> list:
    """The notes in a region's subtree: the region itself if it is one note; else whatever
    its pieces at the next lower threshold hold; or the region cut as a grid, if that makes
    more notes and the pieces (outlines really seen) cover little of it. A note bigger than
    the typical one is its pieces instead if they are two notes or more that fill most of it:
    a note and part of its neighbour, one colour, joined where their seam is faint."""
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
    if (
        cut is not None
        and cut[1] * cut[2] > sum(cols * rows for _, cols, rows in pieces)
        and sum(p.area for p, _, _ in pieces) < _PIECES_COVER * r.area
    ):
        return [cut]
    return pieces


class _Tree:
    """The flat regions of a photo at falling edge thresholds: each level's regions lie
    inside the previous level's, their children. The wall is the first level's region
    that runs along most of the photo's border (a note filling the frame can be bigger
    than the wall that shows around it)."""

    def __init__(self, lab8: np.ndarray, mag: np.ndarray, min_px: float):
        self.lab8, self.mag, self.min_px = lab8, mag, min_px
        self.min_area = 0.5 * min_px**2
        self.wall: _Region | None = None
        self._last: list[_Node] | None = None  # the last level's nodes

    @staticmethod
    def regions(nodes):
        return [n.region for n in nodes if n.region is not None]

    def level(self, threshold: float, expand, min_area: float = 0.0) -> list[_Node]:
        """The next level's nodes: on the first level, the whole photo's; below it, those
        inside the last level's nodes that `expand` picks, found in each one's box alone.
        Only regions of at least `min_area` pixels are made."""
        if self._last is None:
            made = self._regions(cv2.compare(self.mag, threshold, cv2.CMP_LE), 0, 0, None, min_area)
            if made:
                self.wall = made[0].region  # found first: see _regions
        else:
            made = []
            kernel = np.ones((3, 3), np.uint8)
            h, w = self.mag.shape
            for parent in self._last:
                if parent.region is None or not expand(parent):
                    continue
                r = parent.region
                mh, mw = r.mask.shape
                flat = cv2.compare(self.mag[r.y : r.y + mh, r.x : r.x + mw], threshold, cv2.CMP_LE)
                flat = cv2.bitwise_and(flat, flat, mask=r.mask)
                # An erosion closes the one-pixel gaps in an outline through which a region
                # leaks. Beyond the box is not this region, unless it is beyond the photo.
                pad = cv2.copyMakeBorder(flat, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)
                if r.y == 0:
                    pad[0, 1:-1] = flat[0]
                if r.y + mh == h:
                    pad[-1, 1:-1] = flat[-1]
                if r.x == 0:
                    pad[1:-1, 0] = flat[:, 0]
                if r.x + mw == w:
                    pad[1:-1, -1] = flat[:, -1]
                flat = cv2.erode(pad, kernel)[1:-1, 1:-1]
                made += self._regions(flat, r.x, r.y, parent, min_area)
        self._last = made
        return made

    def _regions(
        self, flat: np.ndarray, x0: int, y0: int, parent: _Node | None, min_area: float
    ) -> list[_Node]:
        """Nodes for the regions of a flat-pixel map whose top-left is at (x0, y0) in the
        photo, as children of `parent`. With no parent (the first level), the wall comes
        first: the region that runs along most of the photo's border (a note filling the
        frame can be bigger than the wall that shows around it); none, if nothing does."""
        h, w = self.mag.shape
        count, labels, stats, _ = cv2.connectedComponentsWithStats(flat, connectivity=4)
        sizes = stats[1:, cv2.CC_STAT_AREA]
        thick = (
            np.minimum(stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT])
            >= 0.7 * self.min_px
        )
        order = list(np.flatnonzero((sizes >= max(self.min_area, min_area)) & thick) + 1)
        if parent is None:
            border = np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])
            counts = np.bincount(border, minlength=count)
            counts[0] = 0
            if not counts.any():
                return []
            wall = int(np.argmax(counts))
            order = [wall] + [label for label in order if label != wall]
        made = []
        for label in order:
            x, y, bw, bh = (int(v) for v in stats[label, :4])
            pixels = int(stats[label, cv2.CC_STAT_AREA])
            if parent is not None and pixels >= _SAME * parent.pixels:
                node = _Node(parent.region, pixels=parent.pixels)  # the same region, barely eroded
            else:
                mask = (labels[y : y + bh, x : x + bw] == label).astype(np.uint8)
                node = _Node(
                    _region(mask, x0 + x, y0 + y, self.lab8, self.min_area, h, w), pixels=pixels
                )
            if parent is not None:
                parent.children.append(node)
            made.append(node)
        return made


def _region(mask: np.ndarray, x: int, y: int, lab8: np.ndarray, min_area: float, h: int, w: int):
    """Describe one region (mask at offset x, y in an h x w image); None if it is too small.
    Its quad is a quick fit, good enough to judge its shape (`_refined` fits it well)."""
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not contours:
        return None
    contour = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(contour)
    if area < min_area:
        return None
    # Writing and dots on a note are holes in its region, dots across its edge are notches:
    # judge the shape by the convex hull, which fills both.
    hull = cv2.convexHull(contour)
    hull_area = float(cv2.contourArea(hull))
    hull_points = hull.reshape(-1, 2).astype(np.float32)
    guesses = [_cyclic(cv2.boxPoints(cv2.minAreaRect(hull)))]
    ious = [_iou(guesses[0].astype(np.float32), hull_points)]
    approx = _approx_quad(hull) if ious[0] < 0.97 else None  # not a rectangle: a trapezoid?
    if approx is not None:
        guesses.append(approx)
        ious.append(_iou(approx.astype(np.float32), hull_points))
    best = int(np.argmax(ious))
    mh, mw = mask.shape
    colour = (
        np.array(cv2.mean(lab8[y : y + mh, x : x + mw], mask=mask)[:3]) - _LAB8_OFFSET
    ) * _LAB8_SCALE
    return _Region(
        x=x,
        y=y,
        mask=mask,
        quad=guesses[best] + (x, y),
        area=hull_area,
        lab=tuple(float(v) for v in colour),
        rectangularity=ious[best],
        solidity=area / max(hull_area, 1.0),
        border=x == 0 or y == 0 or x + mw == w or y + mh == h,
        contour=contour,
    )


def _approx_quad(hull: np.ndarray) -> np.ndarray | None:
    perimeter = cv2.arcLength(hull, True)
    for eps in (0.02, 0.035, 0.05, 0.08):
        approx = cv2.approxPolyDP(hull, eps * perimeter, True)
        if len(approx) == 4:
            return _cyclic(approx)
    return None


def _refined(r: _Region) -> _Region:
    """The region with its quad fitted with care (see `_fit_quad`)."""
    if r.contour is None:
        return r
    return replace(r, quad=_fit_quad(r.contour) + (r.x, r.y))


def _fit_quad(contour: np.ndarray) -> np.ndarray:
    """Four corners for a region's outline. Three guesses, and the one that best covers the
    region's convex hull wins: the hull simplified to four corners; the same with each side
    re-fitted as a straight line through the outline points near it (so a dot stuck across
    an edge, a notch in the outline, does not pull a corner off); and the smallest rectangle
    round the hull (when dots line a whole side, the other two go astray)."""
    hull = cv2.convexHull(contour)
    box = order_quad(cv2.boxPoints(cv2.minAreaRect(hull)))
    perimeter = cv2.arcLength(hull, True)
    quad = None
    for eps in (0.02, 0.035, 0.05, 0.08):
        approx = cv2.approxPolyDP(hull, eps * perimeter, True)
        if len(approx) == 4:
            quad = order_quad(approx.reshape(4, 2))
            break
    if quad is None:
        return box
    guesses = [quad, box]
    refined = _refit_sides(quad, contour.reshape(-1, 2).astype(np.float64))
    if refined is not None:
        guesses.insert(0, refined)
    hull_points = hull.reshape(-1, 2).astype(np.float32)
    return max(guesses, key=lambda q: _iou(q.astype(np.float32), hull_points))


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of two convex polygons."""
    inter, _ = cv2.intersectConvexConvex(a, b)
    union = cv2.contourArea(a) + cv2.contourArea(b) - inter
    return inter / union if union > 0 else 0.0


def _refit_sides(quad: np.ndarray, points: np.ndarray) -> np.ndarray | None:
    """The quad with each side re-fitted through the outline points near its middle part."""
    lines = []
    for i in range(4):
        a, b = quad[i], quad[(i + 1) % 4]
        side = b - a
        length = np.linalg.norm(side)
        if length < 4:
            return None
        u = side / length
        rel = points - a
        t = rel @ u / length
        dist = np.abs(rel[:, 0] * u[1] - rel[:, 1] * u[0])
        near = points[(t > 0.12) & (t < 0.88) & (dist < max(1.5, 0.05 * length))]
        if len(near) < 5:
            lines.append((a, u))
            continue
        vx, vy, x0, y0 = cv2.fitLine(near.astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        lines.append((np.array([x0, y0], dtype=np.float64), np.array([vx, vy], dtype=np.float64)))
    corners = []
    for i in range(4):
        (p, u), (q, v) = lines[i - 1], lines[i]
        det = u[0] * -v[1] - u[1] * -v[0]
        if abs(det) < 1e-6:
            return None
        s = ((q - p)[0] * -v[1] - (q - p)[1] * -v[0]) / det
        corners.append(p + s * u)
    refined = np.array(corners)
    w, h = _sides(quad)
    if np.max(np.linalg.norm(refined - quad, axis=1)) > 0.25 * min(w, h):
        return None  # the fit went astray
    return order_quad(refined)


def downscale(image: np.ndarray, long_side: int) -> tuple[np.ndarray, float]:
    """A copy whose long side is at most `long_side`, and the factor applied."""
    h, w = image.shape[:2]
    factor = min(1.0, long_side / max(h, w))
    if factor >= 1.0:
        return image, 1.0
    size = (max(1, round(w * factor)), max(1, round(h * factor)))
    if factor > 0.5:  # a mild shrink: interpolation aliases little, at a fraction of the cost
        return cv2.resize(image, size, interpolation=cv2.INTER_LINEAR), size[0] / w
    # Nearest-neighbour to twice the target first, then averaging 2x2 blocks: averaging all
    # of a 12 MP photo costs more than the rest of the search, and the second step still
    # smooths what the first one skipped.
    half = cv2.resize(image, (2 * size[0], 2 * size[1]), interpolation=cv2.INTER_NEAREST)
    return cv2.resize(half, size, interpolation=cv2.INTER_AREA), size[0] / w


def _seam_split(
    image: np.ndarray, quad: np.ndarray, cols: int, rows: int, on_seams: bool = False
) -> list[np.ndarray]:
    """Cut a grid of touching notes along its seams, found at full resolution.

    Squared up, a seam is a straight line across the whole grid: a low percentile over the
    rows of the horizontal gradient peaks there, while writing and dots, which fill only
    some of the rows, do not move it. The grid is cut where a seam stands out; where none does,
    only if the piece would otherwise be too long to be one note (two same-colour notes
    can touch with no seam seen, but a note is no longer than 1.9:1), then at the even
    split; with `on_seams`, not at all (no cells). Where no seam stands out anywhere in a
    grid of five or more, or fewer than three in four in a grid of more than twelve, it is
    one big sheet (a poster, a blank card, a patch of wall), far too big for a note: no
    note at all.
    """
    cell = 48
    patch, _ = warp_quad(image, quad, cols * cell, rows * cell)
    lab = to_lab(patch)
    gx = np.abs(cv2.Sobel(lab, cv2.CV_32F, 1, 0, ksize=3)).sum(axis=2)
    gy = np.abs(cv2.Sobel(lab, cv2.CV_32F, 0, 1, ksize=3)).sum(axis=2)
    trim_y, trim_x = max(1, rows * cell // 10), max(1, cols * cell // 10)
    xs = _cuts(np.percentile(gx[trim_y:-trim_y], _SEAM_SPAN, axis=0), cols, cell)
    ys = _cuts(np.percentile(gy[:, trim_x:-trim_x], _SEAM_SPAN, axis=1), rows, cell)
    seen = sum(s for _, s in xs) + sum(s for _, s in ys)
    if cols * rows > 4 and seen == 0:
        return []  # a big blank sheet: a grid of five notes or more shows a seam somewhere
    if cols * rows > 12 and seen < 0.75 * (cols + rows - 2):
        return []  # a big grid needs most of its seams seen, or it is something else
    if on_seams and not all(s for _, s in xs + ys):
        return []  # asked for seams seen, and one is not
    w, h = _sides(quad)
    return _cells(quad, _kept(xs, w, h / rows), _kept(ys, h, w / cols))


def _kept(cuts: list[tuple[float, bool]], length: float, across: float) -> list[float]:
    """The cuts (fractions of `length`) to make: those on a seen seam, or all of them if a
    piece would otherwise be too long for one note `across` wide."""
    seen = [0.0] + [at for at, s in cuts if s] + [1.0]
    if max(b - a for a, b in pairwise(seen)) * length <= _MAX_ASPECT * across:
        return seen
    return [0.0] + [at for at, _ in cuts] + [1.0]


def _cuts(profile: np.ndarray, n: int, cell: int) -> list[tuple[float, bool]]:
    """Where to cut a profile of n cells (the strongest seam near each even split, else the
    even split), as fractions, and whether a seam was seen there."""
    floor = 1.5 * float(np.median(profile)) + 1e-6
    cuts = []
    for k in range(1, n):
        lo, hi = k * cell - round(_SEAM_SLACK * cell), k * cell + round(_SEAM_SLACK * cell)
        at = lo + int(np.argmax(profile[lo:hi]))
        seen = bool(profile[at] > floor)
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


def _boxed(r: _Region) -> _Region | None:
    """A region as the rectangle round it, when it fills most of that rectangle: a column
    of touching notes pushed a little left and right is still a column, to be cut along
    its seams, while its outline is no quadrilateral. (Its writing and dots, holes in the
    region, are paper here.)"""
    filled = np.zeros_like(r.mask)
    if r.contour is not None:
        cv2.drawContours(filled, [r.contour], 0, 1, -1)
    points = cv2.findNonZero(filled | r.mask)
    rect = cv2.minAreaRect(points)
    box = order_quad(cv2.boxPoints(rect)) + (r.x, r.y)
    box_area = rect[1][0] * rect[1][1]
    if box_area <= 0 or len(points) < 0.75 * box_area or not _corners_square(box):
        return None
    return _Region(
        x=r.x,
        y=r.y,
        mask=r.mask,
        quad=box,
        area=box_area,
        lab=r.lab,
        rectangularity=1.0,
        solidity=1.0,
    )


def _is_quad(r: _Region, min_px: float) -> bool:
    """Shaped like a note: its hull is a quadrilateral with no corner far from square (a
    strip of shadow along two sides has a triangle for a hull), and the region fills a fair
    part of that hull (dots along the edges take bites out of it; a thin frame is all bite)."""
    return (
        r.rectangularity > _RECTANGULAR
        and r.solidity > _SOLID
        and min(_sides(r.quad)) >= min_px
        and _corners_square(r.quad, _CORNER_TOLERANCE)
    )


def _corners_square(quad: np.ndarray, tolerance_degrees: float = 60.0) -> bool:
    """Whether every corner is within `tolerance_degrees` of a right angle."""
    u = quad[_PREV] - quad
    v = quad[_NEXT] - quad
    lengths = np.hypot(u[:, 0], u[:, 1]) * np.hypot(v[:, 0], v[:, 1])
    cos = (u * v).sum(axis=1) / np.maximum(lengths, 1e-9)
    return bool(np.all(np.abs(cos) <= np.sin(np.radians(tolerance_degrees))))


def _cyclic(points) -> np.ndarray:
    """A convex quad's corners, given in order round it either way, as `order_quad` gives
    them (clockwise from the top-left), for a fraction of its cost."""
    q = np.asarray(points, dtype=np.float64).reshape(4, 2)
    x, y = q[:, 0], q[:, 1]
    if float((x * y[_NEXT] - x[_NEXT] * y).sum()) < 0:
        q = q[::-1]
    start = int(np.argmin(q[:, 0] + q[:, 1]))
    return q[[start, (start + 1) % 4, (start + 2) % 4, (start + 3) % 4]]


def _is_strip(quad: np.ndarray) -> bool:
    """Longer than any note: found as a strip, what shows of a note mostly covered."""
    return not 1 / _MAX_ASPECT <= _aspect(quad) <= _MAX_ASPECT


def _beyond(quad: np.ndarray, a, b, distances, lab8: np.ndarray) -> list:
    """The paper's colour (Lab; None off the photo) past the side a-b of a quad, at each of
    the distances (pixels) out from it: the median along the side's middle part."""
    out = (a + b) / 2 - quad.mean(axis=0)
    out = out / (np.linalg.norm(out) or 1.0)
    along = a + np.outer(np.linspace(0.2, 0.8, 7), b - a)
    height, width = lab8.shape[:2]
    colours = []
    for distance in distances:
        points = np.round(along + out * distance).astype(int)
        if (
            points[:, 0].min() < 0
            or points[:, 1].min() < 0
            or points[:, 0].max() >= width
            or points[:, 1].max() >= height
        ):
            colours.append(None)  # off the photo: nothing known there
            continue
        px = lab8[points[:, 1], points[:, 0]].astype(np.float64)
        colours.append(tuple((np.median(px, axis=0) - _LAB8_OFFSET) * _LAB8_SCALE))
    return colours


def _alone(r: _Region, lab8: np.ndarray) -> bool:
    """Whether a region's paper runs on past none of its four sides: a whole note, not a
    piece of one that writing or dots cut off (whose paper goes on past the cut)."""
    q = r.quad
    w, h = _sides(q)
    for i in range(4):
        size = h if i % 2 == 0 else w  # out from the top and bottom, a share of the height
        near = _beyond(q, q[i], q[(i + 1) % 4], [d * size for d in _STRIP_LOOK[:2]], lab8)
        if any(c is not None and _delta_e(c, r.lab) < _CONTINUES for c in near):
            return False
    return True


def _covered(r: _Region, lab8: np.ndarray, typical, walls: list) -> bool:
    """Whether a region is what shows of a note mostly covered by another (notes stuck on in
    overlapping rows): a strip as long as the typical note, too short to be a note itself,
    with paper of another colour, not the wall, running on past one of its long sides (the
    note on top), and its own paper running on past neither (else it is a piece of a bigger
    note that writing or dots cut off)."""
    w, h = _sides(r.quad)
    long, short = max(w, h), min(w, h)
    note_long, note_short = max(typical[:2]), min(typical[:2])
    if not (
        long / max(short, 1e-6) > _MAX_ASPECT
        and _STRIP_LONG[0] * note_long <= long <= _STRIP_LONG[1] * note_long
        and short >= _STRIP_SHORT * note_short
    ):
        return False
    q = r.quad
    covered = False
    for a, b in [(q[0], q[1]), (q[3], q[2])] if w >= h else [(q[0], q[3]), (q[1], q[2])]:
        beyond = _beyond(q, a, b, [step * note_short for step in _STRIP_LOOK], lab8)
        if any(c is not None and _delta_e(c, r.lab) < _CONTINUES for c in beyond[:2]):
            return False  # its own paper goes on: a piece of a bigger note
        # The note on top: one paper near the side, plainly not the wall (whose light varies
        # across the photo far more than a note's does across a note), and a whole note of
        # paper beyond (a band of writing across a note is no note on top).
        covered = covered or (
            all(
                c is not None and min(_delta_e(c, wall) for wall in walls) > _STRIP_WALL_E
                for c in beyond
            )
            and _delta_e(beyond[0], beyond[1]) < _CONTINUES
        )
    return covered


def _drawn_on(note, found) -> bool:
    """Whether a found note is a box drawn on another one of its colour: inside it, smaller,
    and its paper the same. (A note stuck on another is of another colour, or covers it.)"""
    quad, lab, cols, rows = note
    area = _area(quad)
    return cols * rows == 1 and any(
        f is not note
        and f[2] * f[3] == 1
        and _delta_e(f[1], lab) < _CONTINUES
        and _contains(f[0], quad)
        and _area(f[0]) > area
        and _overlap(f[0], quad) > 0.9
        for f in found
    )


def _framed(quad: np.ndarray, lab8: np.ndarray) -> bool:
    """Whether a quad is framed: just past three of its four sides at least (one may be lost
    in a drawing) a dark line (ink), and past that, lighter paper again, one sheet's all
    round. A note on a dark wall has no lighter paper beyond, or notes of other colours; a
    note's shadow falls along two sides, not three; touching notes are paper at their seams."""
    w, h = _sides(quad)
    side = min(w, h)
    height, width = lab8.shape[:2]
    steps = np.arange(-0.5 * _FRAME_LOOK * side, _FRAME_LOOK * side, 1.0)
    inner = steps < -0.05 * side  # the paper inside, clear of the edge
    near = np.flatnonzero(np.abs(steps) < 0.5 * _FRAME_LOOK * side)  # the outline may be on ink
    if not near.size or not inner.any():
        return False  # a quad of a few pixels: too small to see a frame round it
    # All four sides at once: [side, step, sample along the side's middle part].
    ends = quad[_NEXT]
    out = (quad + ends) / 2 - quad.mean(axis=0)
    out /= np.maximum(np.hypot(out[:, 0], out[:, 1]), 1e-9)[:, None]
    along = quad[:, None, :] + np.linspace(0.2, 0.8, 9)[None, :, None] * (ends - quad)[:, None, :]
    points = np.rint(along[:, None] + steps[None, :, None, None] * out[:, None, None]).astype(int)
    if (
        points[..., 0].min() < 0
        or points[..., 1].min() < 0
        or points[..., 0].max() >= width
        or points[..., 1].max() >= height
    ):
        return False  # the frame would run off the photo: nothing known
    # lightness first (most notes fail there), colour only where that holds; the median of
    # the nine samples across each step by partition (np.median costs more than the rest)
    samples = lab8[points[..., 1], points[..., 0], 0]
    profile = np.partition(samples, 4, axis=2)[:, :, 4] * (100 / 255)
    inside_l = np.sort(profile[:, inner], axis=1)
    paper = inside_l[:, inside_l.shape[1] // 2]  # the paper inside's lightness, each side
    lined = 0
    sheet: list = []  # the paper beyond each lined side
    for k in range(4):
        at = int(near[np.argmin(profile[k, near])])
        beyond = at + int(np.argmax(profile[k, at:]))
        if (
            profile[k, at] < paper[k] - _FRAME_DARK
            and profile[k, at] < profile[k, beyond] - _FRAME_DARK
        ):
            px = lab8[points[k, ..., 1], points[k, ..., 0]].astype(np.float64)
            lab = (px - _LAB8_OFFSET) * _LAB8_SCALE
            inside = np.median(lab[inner].reshape(-1, 3), axis=0)
            # other paper beyond: a line drawn round the inside of a note is no frame
            if _delta_e(inside, np.median(lab[beyond], axis=0)) > _CONTINUES:
                lined += 1
                sheet.append(np.median(lab[beyond], axis=0))
        if k + 1 - lined > 1:
            return False  # two sides unlined: no frame
    # a frame is printed on one sheet: the same paper beyond every lined side (notes of
    # other colours round a note on a dark board are not)
    return all(_delta_e(sheet[0], other) <= _CONTINUES for other in sheet[1:])


def _bare_wall(quad: np.ndarray, lab8: np.ndarray, walls: list) -> bool:
    """Whether a quad found on the wiped copy is the wall's colour on the photo (its inner
    part, where most of a note's paper shows between its writing and dots)."""
    inner = _paper_lab(_grow(quad, -_INNER * min(_sides(quad))), lab8, step=2)
    return inner is not None and min(_delta_e(inner, w) for w in walls) <= _BARE_DELTA_E


def _paper_lab(quad: np.ndarray, lab8: np.ndarray, step: int = 1):
    """The median colour (L 0..100, signed a, b) inside a quad, its paper (writing and dots
    are the lesser part), from every `step`-th pixel each way; None if it holds no pixel."""
    h, w = lab8.shape[:2]
    x0, y0 = np.clip(np.floor(quad.min(axis=0)).astype(int), 0, (w, h))
    x1, y1 = np.clip(np.ceil(quad.max(axis=0)).astype(int) + 1, 0, (w, h))
    window = lab8[y0:y1, x0:x1]
    mask = np.zeros(window.shape[:2], np.uint8)
    cv2.fillConvexPoly(mask, np.round(quad - (x0, y0)).astype(np.int32), 1)
    picked = window[::step, ::step][mask[::step, ::step] > 0]
    if not len(picked):
        return None
    colour = (np.median(picked, axis=0) - _LAB8_OFFSET) * _LAB8_SCALE
    return tuple(float(v) for v in colour)


def _area(quad: np.ndarray) -> float:
    return float(cv2.contourArea(quad.astype(np.float32)))


def _whole(quad: np.ndarray, lab8: np.ndarray, typical, others: list[np.ndarray]) -> np.ndarray:
    """The whole note that `quad` is a part of: what differs from the wall around it (taken
    in a ring a little way out), joined to it, when that is one note's size and shape and
    reaches no other note. Else `quad` as it was."""
    note_w, note_h = typical[:2]
    reach = max(note_w, note_h)
    h, w = lab8.shape[:2]
    x0, y0 = np.floor(quad.min(axis=0) - reach).astype(int)
    x1, y1 = np.ceil(quad.max(axis=0) + reach).astype(int)
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    window = lab8[y0:y1, x0:x1].astype(np.float32)
    local = quad - (x0, y0)
    ring = np.zeros(window.shape[:2], np.uint8)
    cv2.fillConvexPoly(ring, np.round(_grow(local, 0.75 * reach)).astype(np.int32), 1)
    cv2.fillConvexPoly(ring, np.round(_grow(local, 0.45 * reach)).astype(np.int32), 0)
    if ring.sum() < 20:
        return quad
    wall = np.median(window[ring > 0], axis=0)
    diff = cv2.transform(np.abs(window - wall.astype(np.float32)), _SUM_L1)
    on_wall = (diff > _WALL_DELTA_E * 1.5).astype(np.uint8)
    cv2.fillConvexPoly(on_wall, np.round(local).astype(np.int32), 1)
    count, labels = cv2.connectedComponents(on_wall, connectivity=4)
    centre = np.round(local.mean(axis=0)).astype(int)
    blob = labels == labels[centre[1], centre[0]]
    if blob[0, :].any() or blob[-1, :].any() or blob[:, 0].any() or blob[:, -1].any():
        return quad  # runs on beyond a note's reach: a block of notes, or the wall's shading
    points = cv2.findNonZero(blob.astype(np.uint8))
    (cx, cy), (rw, rh), angle = cv2.minAreaRect(points)
    grown = order_quad(cv2.boxPoints(((cx, cy), (rw, rh), angle))) + (x0, y0)
    big = _area(grown)
    if (
        not (0.7 <= big / (note_w * note_h) <= 1.4)
        or not 1 / _MAX_ASPECT <= _aspect(grown) <= _MAX_ASPECT
    ):
        return quad
    if any(_overlap(grown, o) > 0.15 for o in others):
        return quad
    return grown


def _extended(quad: np.ndarray, bgr: np.ndarray, size, others: list[np.ndarray]) -> np.ndarray:
    """`quad` grown across an axis on which it is short of `size` (its neighbours' width,
    height), where its own paper goes on beyond it: on each side, to the edge where the
    paper ends, or where it runs on into a neighbour of its colour, to the size. Else
    `quad` as it was (also where it would then overlap `others`, the other notes)."""
    w, h = _sides(quad)
    tw, th = size[:2]
    need = [tw - w, th - h]  # across, down
    short = [need[0] > (1 - _SHORT) * tw, need[1] > (1 - _SHORT) * th]
    if not any(short):
        return quad
    caps = [
        int(math.ceil(n + _BEYOND * t)) if s else 0
        for n, t, s in zip(need, (tw, th), short, strict=True)
    ]
    m = max(caps) + 1
    W, H = max(4, round(w)), max(4, round(h))
    to_patch = rect_homography(quad, W, H, m)
    patch = cv2.warpPerspective(
        bgr, to_patch, (W + 2 * m, H + 2 * m), flags=cv2.INTER_LINEAR
    )  # beyond the photo: black, no paper
    patch = cv2.cvtColor(patch, cv2.COLOR_BGR2Lab).astype(np.float32)
    c0, c1 = m + round(0.15 * W), m + W - round(0.15 * W)
    r0, r1 = m + round(0.15 * H), m + H - round(0.15 * H)
    bw, bh = max(2, round(0.3 * W)), max(2, round(0.3 * H))

    def run(inner, outward, cap):
        ref = np.median(inner[::2, ::2].reshape(-1, 3), axis=0)
        diff = cv2.transform(np.abs(outward[:cap] - ref), _SUM_L1)
        frac = (diff < _PAPER_DELTA_E).mean(axis=1)
        # Where the paper stays off for a few rows: a line of writing or an underline is
        # thinner than that.
        k = max(4, round(_INK_ROWS * min(W, H)))
        g = max(3, round(_GAP_ROWS * min(W, H)))
        off = (frac < _PAPER_SHARE).astype(np.float32)
        window = np.convolve(off, np.ones(k), mode="full")[k - 1 : len(frac)]
        # ... or where no paper at all shows right across for a few: a gap, or a shadow.
        bare = (frac <= _BARE).astype(np.float32)
        gap = np.convolve(bare, np.ones(g), mode="full")[g - 1 : len(frac)]
        ends = np.concatenate([np.flatnonzero(window >= k - 0.5), np.flatnonzero(gap >= g - 0.5)])
        return int(ends.min()) if len(ends) else cap

    grow = [0.0, 0.0, 0.0, 0.0]  # top, right, bottom, left
    if short[1]:
        cap = caps[1]
        a = run(patch[m : m + bh, c0:c1], patch[m - 1 :: -1, c0:c1], cap)
        b = run(patch[m + H - bh : m + H, c0:c1], patch[m + H :, c0:c1], cap)
        ext = _sharing(a, b, cap, need[1])
        if ext is None or h + sum(ext) > (1 + _BEYOND) * th:
            return quad
        grow[0], grow[2] = ext
    if short[0]:
        cap = caps[0]
        side = patch[r0:r1].transpose(1, 0, 2)
        a = run(side[m : m + bw], side[m - 1 :: -1], cap)
        b = run(side[m + W - bw : m + W], side[m + W :], cap)
        ext = _sharing(a, b, cap, need[0])
        if ext is None or w + sum(ext) > (1 + _BEYOND) * tw:
            return quad
        grow[3], grow[1] = ext
    if not any(grow):
        return quad
    top, right, bottom, left = grow
    corners = np.float64(
        [
            [m - left, m - top],
            [m + W + right, m - top],
            [m + W + right, m + H + bottom],
            [m - left, m + H + bottom],
        ]
    )
    back = np.linalg.inv(to_patch)
    grown = cv2.perspectiveTransform(corners.reshape(-1, 1, 2), back).reshape(4, 2)
    if any(_overlap(grown, o) > _OVERLAP_GROWN for o in others):
        return quad
    return order_quad(grown)


def _neighbourhood(quads: list) -> tuple[np.ndarray, np.ndarray]:
    """Each quad's (width, height), and the distances between their centres (n x n)."""
    centres = np.array([q.mean(axis=0) for q in quads])
    sides = np.array([_sides(q) for q in quads])
    return sides, np.hypot(*(centres[:, None, :] - centres[None, :, :]).transpose(2, 0, 1))


def _lengthened(notes: list, bgr: np.ndarray, typical) -> list:
    """The notes (quad, colour), each one short of its neighbours across one axis grown to
    its whole self (see `_extended`). Its neighbours' size is the median over the notes near
    it (perspective makes notes bigger on one side of a wall than on the other), or the
    typical note where there are too few."""
    if not notes:
        return notes
    quads = [quad for quad, _ in notes]
    sides, near = _neighbourhood(quads)
    near = (near < _NEAR * max(typical[:2])) & ~np.eye(len(quads), dtype=bool)
    enough = near.sum(axis=1) >= _NEIGHBOURS
    local = np.empty_like(sides)
    local[:] = typical[:2]
    local[enough] = np.nanmedian(
        np.where(near[enough][:, :, None], sides[None, :, :], np.nan), axis=1
    )
    for k in range(len(quads)):
        w, h = local[k]
        size = (float(w), float(h), typical[2])
        # Each grown note is a neighbour as grown: two must not grow into one gap.
        quads[k] = _extended(quads[k], bgr, size, quads[:k] + quads[k + 1 :])
    return [(quad, colour) for quad, (_, colour) in zip(quads, notes, strict=True)]


def _halved(notes: list, image: np.ndarray, scale: float, typical) -> list:
    """The notes (quad, colour), each one twice as long as its neighbours and as wide, with
    a seam seen across its middle, cut there: two notes of one colour run together."""
    if not notes:
        return notes
    quads = [quad for quad, _ in notes]
    sides, near = _neighbourhood(quads)
    near = (near < _NEAR * max(typical[:2])) & ~np.eye(len(quads), dtype=bool)
    out = []
    for k, (quad, colour) in enumerate(notes):
        if near[k].sum() < _NEIGHBOURS:
            out.append((quad, colour))
            continue
        w, h = np.median(sides[near[k]], axis=0)
        across, down = sides[k][0] / w, sides[k][1] / h
        # Twice as long as the wall's typical note too: neighbours that are strips, what
        # shows of notes stuck on in overlapping rows, make a whole note look twice as long.
        long_across, long_down = sides[k][0] / typical[0], sides[k][1] / typical[1]
        grid = None
        if _ONCE[0] < across < _ONCE[1] and _TWICE[0] < down < _TWICE[1] and long_down > _LONG:
            grid = (1, 2)
        elif _ONCE[0] < down < _ONCE[1] and _TWICE[0] < across < _TWICE[1] and long_across > _LONG:
            grid = (2, 1)
        cells = _seam_split(image, quad / scale, *grid, on_seams=True) if grid else []
        if len(cells) == 2:
            out += [(c * scale, colour) for c in cells]
        else:
            out.append((quad, colour))
    return out


def _evened(notes: list, image: np.ndarray, scale: float, typical) -> list:
    """The notes (quad, colour), each two of one colour that touch end to end, as wide as
    each other, together two notes long but split unevenly (a line of writing or an
    underline near their seam was taken for it), cut again at the seam seen near their even
    split: notes off one pad are one size."""
    if len(notes) < 2:
        return notes
    quads = [quad for quad, _ in notes]
    sides, near = _neighbourhood(quads)
    reach = _NEAR * max(typical[:2])
    index = np.arange(len(quads))
    out = list(notes)
    done: set[int] = set()
    lengths = sides.tolist()
    # (end of the first, start of the second, axis): the first's bottom on the second's
    # top, or its right side on the second's left one.
    for first_end, second_start, axis in (((3, 2), (0, 1), 1), ((1, 2), (0, 3), 0)):
        for i, j in zip(*np.nonzero(near < _EVEN_NEAR * max(typical[:2])), strict=True):
            li, lj = lengths[i][axis], lengths[j][axis]
            if i == j or i in done or j in done or max(li, lj) <= _EVEN_UNEVEN * min(li, lj):
                continue  # (the cheapest test first: most pairs are even)
            a, b = quads[i], quads[j]
            if _delta_e(notes[i][1], notes[j][1]) > _EVEN_DELTA_E:
                continue
            across = (sides[i][1 - axis] + sides[j][1 - axis]) / 2
            if abs(sides[i][1 - axis] - sides[j][1 - axis]) > _EVEN_WIDTH * across:
                continue
            gap = np.hypot(*(a[list(first_end)] - b[list(second_start)]).T)
            if gap.max() > _EVEN_GAP * across:
                continue  # not end to end
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
            if axis == 1:
                union = np.array([a[0], a[1], b[2], b[3]])
                grid = (1, 2)
            else:
                union = np.array([a[0], b[1], b[2], a[3]])
                grid = (2, 1)
            if not _corners_square(union, _EVEN_SQUARE):
                continue  # one of them fitted askew: its outline is no guide
            cells = _seam_split(image, union / scale, *grid, on_seams=True)
            if len(cells) != 2:
                continue
            out[i], out[j] = (cells[0] * scale, notes[i][1]), (cells[1] * scale, notes[j][1])
            done |= {i, j}
    return out


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
    the search, or one the search fitted askew, leaving its neighbour bare)."""
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
    mask[held > 0] = 0
    note_w, note_h, angle = typical[0] / k, typical[1] / k, typical[2]
    kernel = cv2.getStructuringElement(
        cv2.MORPH_RECT, (max(3, int(_UNCLAIMED_SLIVER * min(note_w, note_h)) | 1),) * 2
    )
    mask = cv2.morphologyEx(cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel), cv2.MORPH_OPEN, kernel)
    note_area = note_w * note_h
    # A note's paper may join another patch of its colour by a neck (a dot, a strip of
    # paper): opened again with a kernel too wide for the neck, each side is judged alone.
    neck = cv2.getStructuringElement(
        cv2.MORPH_RECT, (max(3, int(_UNCLAIMED_NECK * min(note_w, note_h)) | 1),) * 2
    )
    blocks = []
    for piece in _patches(mask, _UNCLAIMED_AREA[0] * note_area):
        block = _block(piece, (note_w, note_h, angle))
        if block is None:
            opened = cv2.morphologyEx(piece[2], cv2.MORPH_OPEN, neck)
            x, y = piece[:2]
            for px, py, part in _patches(opened, _UNCLAIMED_AREA[0] * note_area):
                block = _block((x + px, y + py, part), (note_w, note_h, angle))
                if block is not None:
                    blocks.append(block)
        else:
            blocks.append(block)
    out = list(notes)
    for box, cols, rows in blocks:
        if _runs_on(box, lab8, held, min(note_w, note_h)):
            continue
        quad = box * k
        colour = _paper_lab(quad, lab, step=2)
        if colour is None:
            continue
        if cols * rows == 1:
            out.append((quad, colour))
        else:
            out += [(c * scale, colour) for c in _seam_split(image, quad / scale, cols, rows)]
    return out


def _runs_on(box: np.ndarray, lab8: np.ndarray, held: np.ndarray, side: float) -> bool:
    """Whether the paper in `box` runs on past it (in a ring round it, outside the notes
    `held`): a piece of a sheet of that colour, not notes, which end at their edges."""
    h, w = held.shape
    outer = _grow(box, _UNCLAIMED_RING * side)
    x0, y0 = np.clip(np.floor(outer.min(axis=0)).astype(int), 0, (w, h))
    x1, y1 = np.clip(np.ceil(outer.max(axis=0)).astype(int) + 1, 0, (w, h))
    inside = np.zeros((y1 - y0, x1 - x0), np.uint8)
    cv2.fillConvexPoly(inside, np.round(box - (x0, y0)).astype(np.int32), 1)
    ring = np.zeros_like(inside)
    cv2.fillConvexPoly(ring, np.round(outer - (x0, y0)).astype(np.int32), 1)
    window = lab8[y0:y1, x0:x1]
    ring = (ring > inside) & (held[y0:y1, x0:x1] == 0)
    if not ring.any() or not inside.any():
        return False
    own = np.median(window[inside > 0], axis=0)
    diff = cv2.transform(cv2.absdiff(window, (*own.tolist(), 0.0)), _SUM_L1)
    return float(np.mean(diff[ring] < _UNCLAIMED_E)) > _UNCLAIMED_RUNS


def _patches(mask: np.ndarray, min_area: float):
    """Each 4-connected patch of a mask of at least `min_area` pixels, as (x, y, its own mask
    cut to its box)."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=4)
    for i in range(1, count):
        x, y, w, h, area = stats[i]
        if area >= min_area:
            yield x, y, (labels[y : y + h, x : x + w] == i).view(np.uint8)


def _block(piece, typical):
    """A patch of paper (x, y, mask) as (quad, cols, rows) when it is one note or a block of
    them: it fills the rectangle round it, square to the wall's notes, a whole number of
    them; else None."""
    x, y, mask = piece
    note_w, note_h, angle = typical
    area = int(mask.sum())
    rect = cv2.minAreaRect(cv2.findNonZero(mask))
    box = order_quad(cv2.boxPoints(rect)) + (x, y)
    if area < _UNCLAIMED_FILL * rect[1][0] * rect[1][1]:
        return None
    turn = abs(_angle(box) - angle)
    if min(turn, 90 - turn) > _MAX_TURN:
        return None
    bw, bh = _sides(box)
    cols, rows = max(1, round(bw / note_w)), max(1, round(bh / note_h))
    if cols * rows > _UNCLAIMED_MAX or not (
        _UNCLAIMED_AREA[0] <= area / (cols * rows * note_w * note_h) <= _UNCLAIMED_AREA[1]
    ):
        return None
    return box, cols, rows


def _sharing(a: int, b: int, cap: int, need: float) -> tuple[float, float] | None:
    """How far to grow each end of an axis `need` short, given how far its paper runs beyond
    each (`cap`: on and on): to the edge where one is seen, else to the size wanted. None:
    paper on and on both ways, inside a block of notes of one colour."""
    if a + b < 0.5 * need:
        return (0.0, 0.0)  # wall (or another note) beyond both: a smaller note
    if a < cap and b < cap:
        ext = (float(a), float(b))
    elif a < cap:
        ext = (float(a), max(0.0, need - a))
    elif b < cap:
        ext = (max(0.0, need - b), float(b))
    else:
        return None  # paper all round: inside a block of notes, no telling where
    return ext


def _grow(quad: np.ndarray, pixels: float) -> np.ndarray:
    """Push each side outwards, undoing the pixel or two the edge map eats from each side."""
    centre = quad.mean(axis=0)
    w, h = _sides(quad)
    ux = quad[1] - quad[0]
    ux = ux / (np.linalg.norm(ux) or 1.0)
    uy = np.array([-ux[1], ux[0]])
    rel = quad - centre
    u = (rel @ ux) * (1 + 2 * pixels / max(w, 1.0))
    v = (rel @ uy) * (1 + 2 * pixels / max(h, 1.0))
    return centre + np.outer(u, ux) + np.outer(v, uy)


def _sides(quad) -> tuple[float, float]:
    """Mean width and height of a quad, as `vision.geometry.quad_sides` gives them, for a
    fraction of its cost (it is asked thousands of times per photo)."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = quad.tolist()
    w = (math.hypot(x1 - x0, y1 - y0) + math.hypot(x2 - x3, y2 - y3)) / 2
    h = (math.hypot(x3 - x0, y3 - y0) + math.hypot(x2 - x1, y2 - y1)) / 2
    return w, h


def _delta_e(a, b) -> float:
    return math.dist(a, b)


def _aspect(quad: np.ndarray) -> float:
    w, h = _sides(quad)
    return w / max(h, 1e-6)


def _side_angles(quad: np.ndarray) -> np.ndarray:
    """The directions of a quad's four sides, in degrees, each folded into [-45, 45)."""
    d = quad[_NEXT] - quad
    return (np.degrees(np.arctan2(d[:, 1], d[:, 0])) + 45.0) % 90.0 - 45.0


def _angle(quad: np.ndarray) -> float:
    """The direction of a quad's top side, in degrees, folded into [-45, 45)."""
    dx, dy = quad[1] - quad[0]
    return (float(np.degrees(np.arctan2(dy, dx))) + 45.0) % 90.0 - 45.0


def _overlap(a: np.ndarray, b: np.ndarray) -> float:
    """The area two convex quads share, over the smaller one's."""
    a, b = a.astype(np.float32), b.astype(np.float32)
    inter, _ = cv2.intersectConvexConvex(a, b)
    return inter / max(min(cv2.contourArea(a), cv2.contourArea(b)), 1e-6)


def _contains(outer: np.ndarray, inner: np.ndarray) -> bool:
    """Whether `inner`'s centre lies inside `outer` (a cheap box test first: walls with a
    hundred notes ask this for every pair)."""
    xs, ys = inner.T.tolist()  # plain floats: numpy's reductions cost more on four points
    cx, cy = sum(xs) / len(xs), sum(ys) / len(ys)
    xs, ys = outer.T.tolist()
    if not (min(xs) < cx < max(xs) and min(ys) < cy < max(ys)):
        return False
    poly = outer.astype(np.float32).reshape(-1, 1, 2)
    return cv2.pointPolygonTest(poly, (cx, cy), False) > 0


def _weighted_median(values, weights) -> float:
    order = np.argsort(values)
    v = np.asarray(values, dtype=np.float64)[order]
    cw = np.cumsum(np.asarray(weights, dtype=np.float64)[order])
    return float(v[np.searchsorted(cw, cw[-1] / 2)])
