"""Finding the notes: flat patches of paper with four straight sides, on a downscaled copy.

A note is a patch of paper bounded by edges. The photo (downscaled, with a median filter
that wipes out handwriting) is cut into flat regions wherever its colour gradient stays
below a threshold, first at a threshold that follows the photo's own noise, then at lower
ones. This makes a tree of regions, each level's regions inside one of the level above.
The wall is the region that runs along the photo's border; notes on it are holes in it.

The wall's typical note is learnt from the note-shaped regions (a quadrilateral with
square-ish corners, of a sticky note's proportions, not the wall's colour): the biggest
size that most of them are a whole number of, so that neither scraps nor blocks of touching
notes set it; but not a piece of a note (a note cut in two by a line of writing, on a wall
seen aslant, is two of its half, and each smaller far note one): a size that a bigger
region of its paper holds, as one of it, or as a grid of it whose seams do not show at full
resolution, is none. A region shaped like a note of about that size (or off a bigger pad:
no side as long as one and a half of its), and square to the wall's notes, is a note, unless
it is bigger than the typical note with a corner well off square (two of one colour run
together where dots cut one, outlined aslant across the other). One
that is not, or is a good deal bigger than the typical note, is looked at again at the
next, lower threshold, where the faint seams between touching notes of one colour (a shadow
line, a slight change of shade) and the weak spots in an outline that let a note leak into
its neighbour show up as edges: its pieces there are judged the same way. What is still a
neat grid of typical notes at the lowest threshold (touching notes of one colour, seams
unseen), as square as the wall's notes (a block stuck on staggered or askew is no grid), and
edged as paper is (the colour rising to the wall's within a few pixels on one side at least:
a lamp's glow on a wall, as big as a block, fades out over a good part of a note), is
cut into that grid, each cut on a seam where one shows at full resolution near the even
split (notes off one pad are one size; a line of writing further off is no seam, nor is
noise on bare paper where the gradient does not peak). But a row of two, shorter than two
of the wall's notes end to end, that shows no seam across it at full resolution is one long
note on its side (3 x 5 in among 3 x 3 in ones); and rows whose cells are each a whole
note long are notes stacked in columns, one over the edge of the next: cut between them at
the even splits, seams seen or not. A single row or column of them is cut
instead where edges of paper run straight down its whole width, when they show more pieces
than its length holds notes (notes stuck each overlapping the next sideways: their edges
fall between the even cuts; a line of writing or a dot does not run straight right down the
row). Where the wall shows beyond a side of a cell (a note off a narrower pad touching a
long one, or one stuck on a little askew under another), the side is set on the edge of its
paper; where a cell's paper sticks out beyond both ends of its neighbour's (a bigger note
stuck on beside a smaller one), the edge it shows there is the side between them all along
(a cut put on a line drawn down one of them is off their seam). A region too long for one
note but not for two, its paper ending all round it, with a seam seen across its middle, is
two notes run together side by side, smaller than the typical note (a wall's notes come in
more than one size): it is cut there. Notes of one colour in a grid of two colours run
together in an L, a step or a T, which a quad fits only aslant across the other notes (or
not at all): where the rectangle round it is a grid of the typical note whose cells it fills
whole or not at all, it is the rectangles of whole cells it fills; else the blocks it peels
into, as leftover paper is (`_cell_blocks`).

A second search, on a copy where everything smaller than a big dot is wiped out, adds the
notes the first found only in pieces (crowded with dots, or with writing all over them),
each side pulled in to where its paper ends where the wipe smeared it out over the wall. A
note still smaller than the wall's notes may be the part of one that a clump of dots left
plain: everything that differs from the wall around it (not its soft shadow: the wall
darker, of its hue) and joins it is the note, when that is one note's size and shape and
touches no other; where it runs on into a note found already (a neighbour of its colour
across a narrow gap), what is left without the notes found is, if it fills its box as paper
does; so may a piece of paper that no note holds and that is no note itself,
turned from the wall's notes (a line of writing cut it off aslant), ragged, too narrow for a
note (a column of big dots cut it off the rest) or, as big as one, too long (a long note,
its curled bottom cut off; such a piece is taken from the wiped copy too), or too small for
one (a band of it, a fifth of a note or more, left between lines of big writing), when that
whole note is square to them (a long note: when it touches no other). A note shorter than its neighbours across one axis, whose own paper goes on beyond
a short side (a line of writing or a row of dots right across it cut it there; its paper
told by the whole note's colour where writing along that side fills the band inside it), is
grown on that side to where its paper ends (at the wall, a gap, another colour), or, where
that paper runs on into a neighbour of its colour, to its neighbours' size or that
neighbour's edge, whichever comes first (and never much past the edge of a note found: notes
cut furthest short grow first, as one a little short may be just that size); but where it
runs on past one end into no note found and ends there as far as a 3 x 5 in note of the
neighbours' width would, it is that long note. One as wide as its neighbours but twice as
long (and far longer than the typical note: strips of stacked notes round a whole one make
it look twice theirs), with a seam seen across its middle, is two notes of one colour run
together, and is cut there; so is one as wide but only one and a half times as long, whose
own paper goes on past one end to twice their length (a line of writing right across the
upper note cut its top off, and the rest was found run into the note below), where a seam
shows across the middle of the whole. Two notes of one colour end to end, together two notes
long but split unevenly (at a heading's underline), are cut again at the seam near their
even split: notes off one pad are one size. So is a run of three or more of one colour end
to end that is one note longer than the notes found in it (a row of dots across one was
taken for a seam and the seams on either side missed): it is cut into its notes where their
seams show near the even split. A note found whole in the first search, far bigger than the
typical note and longer than a 3 x 5 in one, that the wiped copy shows as two notes side by
side, is two of one colour run together (writing near their seam left no flat path round
it): if nothing above changed it, it is cut in two where a seam shows across its middle. A
note found only on the wiped copy must be paper on the photo too, not the wall (thick
writing on the wall, wiped channel by channel, turns into patches of a false colour): the
wall, where the middle's median is near the wall's colour and much of it is that colour
pixel by pixel (on a pale note thick with ink the median alone comes near a light wall's). A
sheet of paper with notes of other colours stuck on it is background, not a note; but a grid
of coloured notes with a few of another colour among them, each filling one of its cells, is
notes, and so is such a grid of dull ones (off-white, grey: as dull as a sheet) where every
seam of the grid shows at full resolution, as none does on a sheet (and a cell that lies
much on a note found on its own is no note: the block ran into that note; but notes found
whole in a block, two of which meet end to end where no seam shows while a seam seen across
the block runs through one of them, were cut at a line of writing, off the seams, and give
way to it). Paper of a note's colour that no note holds once all the notes found are cleared
is notes, when it is the size of one or a block of them (cut where their seams show), square
to the wall's notes (a block of one colour left ragged at every level, or left bare by a
neighbour fitted askew: `_unclaimed`), or when it is blocks of them, the biggest first, that
take all of it but scraps (a column of a block's notes beside scraps of paper: `_peeled`); so
is what no note holds and no wall is like, one whole note's size and shape with a note's
paper showing (a note crowded with dots: clumps wider than the gap to its neighbours, so that
no search sees its paper whole; its paper of a found note's colour or, where it is alone of
its colour, its own commonest colour a sticky note's). A note is a rectangle, and
perspective changes slowly across a wall: an outline with a corner far less square than its
neighbours' (a stroke or a dot across a corner, or a neighbour of its colour, took a slice
off its paper aslant) is squared up, one of the sides at that corner set parallel to its
opposite side, on the note's edge (`_squared`).

What real walls add (each a predicate of its own in `_search`, or a filter in `find_notes`):
notes stuck on in overlapping rows show only a strip each, as long as a note, with the note
on top past one long side (`_covered`; but a strip alone in a note the second search finds
whole, one note's size, is a piece of that note, cut off by writing or dots); a long note
seen from the side looks longer than any note may, once the edge map has eaten its sides
(`narrow`); a note far off on a wall seen at a steep angle is far smaller than the typical
one, and on its own (`_alone`); a purple note in poor light is too dark and dull for paper,
but a crisp, solid quad of a note's size (`dim`). Coloured panels printed in frames on a
sheet are no notes (`_framed`), nor is a box drawn on a note (`_drawn_on`).

Where each part lives: `find_notes` here runs them in turn; search.py judges the regions
of regions.py's tree; seams.py cuts touching notes apart; growth.py grows notes found in
part; real_walls.py holds what real walls add; unclaimed.py finds notes in the paper left
over; glow.py tells a block of paper from a patch of light; squared.py squares up outlines
cut aslant; cells.py cuts an L or a step of notes into its blocks; shapes.py has the
measures they share.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from vision.notes.glow import _soft_edged
from vision.notes.growth import _lengthened, _whole
from vision.notes.real_walls import _bare_wall, _drawn_on, _framed
from vision.notes.regions import _refined
from vision.notes.seams import (
    _cut_off_seams,
    _evened,
    _halved,
    _long_note,
    _overhung,
    _overlapped,
    _seam_split,
    _seams,
    _shows_every_seam,
    _shows_seams,
    _shrunk,
    _split_in_two,
    _trimmed,
)
from vision.notes.search import _GROW, _SINGLE_AREA, _search
from vision.notes.shapes import (
    _MAX_TURN,
    _OVERLAP_GROWN,
    _angle,
    _area,
    _boxes,
    _contains,
    _delta_e,
    _grow,
    _is_strip,
    _meeting,
    _ordered,
    _overlap,
    _paper_lab,
    downscale,
)
from vision.notes.squared import _squared, _turned
from vision.notes.unclaimed import _UNCLAIMED_E, _runs_on, _unclaimed
from vision.params import Params

# The second search is on a copy where the typical note is this many pixels across, and
# where everything narrower than this share of it is wiped out: a dot sticker (at most a
# quarter of a note across), two overlapping, a line of writing.
_CLEAN_PX = 48.0
_WIPE = 0.4
# A note found in the first search that is less than this share of one found in the second
# is a piece of it.
_PIECE = 0.6
# ... unless it is this share of the typical note or more: then it is a whole note.
_WHOLE = 0.8
# A note found in the second this many times the typical note's area is one note, not a block
# or a note with a strip of a covered one beside it (notes off one pad differ in area by less
# than a fifth, in perspective and as found; a strip beside one adds more).
_ONE = (0.8, 1.25)
# Nor added where it would cover more than this share of a note found in the first.
_OVERLAP = 0.4
# A cell of a block that a note found on its own covers this share of is that note's: the
# block ran into it (notes overlap little).
_TAKEN = 0.25
# A single note smaller than this share of the typical note may be the part of one that dots
# and writing left whole (see _whole).
_PART = 0.75


@dataclass(frozen=True)
class Candidate:
    quad: np.ndarray  # 4x2, clockwise from top-left, in the image's pixels
    lab: tuple[float, float, float]  # mean paper colour


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

    def seamed_at(at: float):
        # whether a region of the copy at that scale, cut as a grid, shows seams (_typical),
        # or every seam (a block of dull notes, not a sheet: _search)
        def seamed(quad, cols, rows, every=False):
            shows = _shows_every_seam if every else _shows_seams
            return shows(image, quad / at, cols, rows)

        return seamed

    found, typical, walls, parts = _search(
        blurred, params, min_px, lab8=lab, seamed=seamed_at(scale)
    )
    if typical is not None and min(typical[:2]) < params.small_note_px and scale < 1.0:
        long_side = min(
            2 * params.work_size,
            round(params.work_size * params.small_note_px * 1.3 / min(typical[:2])),
        )
        finer_bgr, finer = downscale(image, long_side)
        finer_blurred = cv2.medianBlur(finer_bgr, 5)
        finer_lab = cv2.cvtColor(finer_blurred, cv2.COLOR_BGR2Lab)
        again, typical_again, walls_again, parts_again = _search(
            finer_blurred, params, min_px, lab8=finer_lab, seamed=seamed_at(finer)
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
    second, _, _, wiped_parts = _search(
        clean, params, min_px * factor, (typical[0] * factor, typical[1] * factor, typical[2])
    )
    # (a piece the wipe made of big writing on the wall is none)
    parts += [q for q in (p / factor for p in wiped_parts) if not _bare_wall(q, lab, walls)]
    # The first search's notes stand (their outlines are the finer); the second's are added
    # where the first has nothing, or only pieces of them: a note cut in two by a band of
    # dots there is whole here.
    # (Quads are fitted with care only for the notes kept: `_refined`.)
    found = [(_grow(_refined(r).quad, _GROW), r.lab, cols, rows) for r, cols, rows in found]
    boxes = _boxes([f[0] for f in found])  # (the notes whose boxes are apart share nothing)
    # Notes seen in a bigger one found whole (_split_in_two), by the bigger one's quad object:
    # the steps between leave a note they do not change the very same array, so a note any of
    # them changes is no longer split (a copy made in passing would switch the split off too).
    halves: dict[int, tuple] = {}
    for r, cols, rows in second:
        quad = _grow(r.quad, _GROW) / factor
        seams = _seams(image, quad / scale, cols, rows) if cols * rows > 1 else None
        if seams is not None and not _seam_split(image, quad / scale, cols, rows, seams=seams):
            continue  # a blank sheet, not a block of notes: it must not displace any
        area = _area(quad)
        near = [found[i] for i in _meeting(quad, boxes)]
        rivals = [f for f in near if _contains(f[0], quad) or _contains(quad, f[0])]
        # Notes do not overlap much: one straddling two notes found already is a blur of
        # their seam, not a note.
        others = [f for f in found if not any(f is g for g in rivals)]
        if any(_overlap(f[0], quad) > _OVERLAP for f in near if not any(f is g for g in rivals)):
            continue
        sizes = [_area(f[0]) for f in rivals]
        # A note found whole in the first search stands: a bigger one here is that note
        # run together with a narrow gap or a neighbour's edge.
        # So do a strip (what shows of a note the next one covers, see _covered) and a note
        # far smaller than the typical one (a far one, see _alone): the first search took
        # each for a whole thing, and the wipe, sized for the typical note, smears a stack's
        # strips, or far notes close together, into one.
        # But a strip alone in a note found here, one typical note's size, is a piece of it
        # that a column of dots cut off: a covered note's strip shows beside the note on top
        # of it, and the two together are more than one note.
        typical_area = typical[0] * typical[1]
        one = len(rivals) == 1 and cols * rows == 1 and _ONE[0] <= area / typical_area <= _ONE[1]
        whole = [
            f[2] * f[3] == 1
            and (
                a >= _WHOLE * typical_area
                or a < _SINGLE_AREA[0] * typical_area
                or (_is_strip(f[0]) and not one)
            )
            for f, a in zip(rivals, sizes, strict=True)
        ]
        if cols * rows == 1 and len(rivals) == 1 and whole[0] and sizes[0] > area:
            # (the quad kept with them: its id is not reused while the dict holds it)
            halves.setdefault(id(rivals[0][0]), (rivals[0][0], []))[1].append(quad)
        # But notes found whole in a block whose seams run through them were cut off them.
        if cols * rows > 1 and any(whole):
            if _cut_off_seams(quad, (cols, rows), seams, [f[0] for f in rivals]):
                whole = [False] * len(whole)
        if all(a < _PIECE * area for a in sizes) and not any(whole):
            if _bare_wall(quad, lab, walls):
                continue  # the wipe smeared big writing on the wall into a false colour
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
            if cols * rows == 1:  # (smeared out over the wall beside it by the wipe?)
                kept = (_shrunk(kept[0], lab, r.lab, walls), r.lab, cols, rows)
            found = others + [kept]
            boxes = _boxes([f[0] for f in found])
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
    kept = [f for f in found if f[2] * f[3] > 1 or not _framed(f[0], bgr)]
    kept = [f for f in kept if not _drawn_on(f, kept)]
    dropped = [f[0] for f in found if not any(f is k for k in kept)]
    found = kept
    # Grids cut into their notes.
    # (Grids are cut at full size, `quad / scale`; found quads are on the working copy.)
    singles = [quad / scale for quad, _, cols, rows in found if cols * rows == 1]
    singles_boxes = _boxes(singles)
    notes = []
    cut: list[np.ndarray] = []  # the cells of the grids cut so far (full size)
    for quad, colour, cols, rows in found:
        if cols * rows == 1:
            notes.append((quad, colour))
            continue
        if _soft_edged(image, quad / scale, cols, rows):
            continue  # a patch of light on the wall (a lamp's glow), not a block of paper
        if _long_note(image, quad, scale, cols, rows, typical):
            notes.append((quad, colour))
            continue
        seams = _seams(image, quad / scale, cols, rows)
        cells = _seam_split(
            image, quad / scale, cols, rows, seams=seams, typical=np.asarray(typical[:2]) / scale
        )
        cells = _overlapped(image, quad / scale, cols, rows, cells, seams)
        # A cell holding a note found on its own (of any colour) is that note; so is one that
        # such a note covers a good part of (the block ran into it); and so is one whose
        # middle a cell of a grid cut already holds (two blocks found over one note, one in
        # each search: a note is one note). A cell with wall beyond a side holds a note that
        # fills the grid's box only in part: the side is on its paper's edge.
        cells = [
            q
            for q in cells
            if not any(
                _contains(singles[i], q) or _overlap(singles[i], q) > _TAKEN
                for i in _meeting(q, singles_boxes)
            )
            and not any(_contains(o, q) for o in cut)
        ]
        cut += cells
        cells = [q * scale for q in cells]
        trimmed = _overhung(cells, [_trimmed(q, lab, colour) for q in cells], lab, colour)
        notes += [(q, colour) for q in trimmed]
    # Paper of a note's colour that no note holds is notes, if shaped like them.
    notes = _unclaimed(notes, dropped, blurred, lab, image, scale, typical, walls)
    # An outline with a corner far less square than its neighbours' had a slice cut off
    # aslant: squared up on the note's edge (before it is grown to its neighbours' size).
    notes = _squared(notes, lab, typical)
    # A box square to the photo (round paper that writing and dots left in pieces) on a note
    # turned from it: fitted to the paper's four edges, where they show against the wall.
    notes = _turned(notes, lab, typical)
    # A note found short of its neighbours across one axis, with its own paper beyond a
    # short side, was cut short there by a line of writing or a row of dots.
    notes = _lengthened(notes, blurred, typical)
    notes = _halved(notes, image, scale, typical, blurred)
    notes = _evened(notes, image, scale, typical)
    # A note found whole far bigger than the wall's notes, seen as two notes side by side on
    # the wiped copy, and left as it was found by all the above, is two notes run together
    # where their seam is faint.
    notes = _split_in_two(notes, halves, image, scale, typical)
    return [Candidate(quad=_ordered(quad / scale), lab=colour) for quad, colour in notes]
