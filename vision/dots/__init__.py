"""Counting the dot stickers on one note: `find_dots`. Where a dot is told from ink is ink.py.

The note is warped flat to a fixed width (with a margin for dots across its
edge), so dots are always about the same number of pixels whatever the photo
(patch.py); on a wall (`count_wall`), a note off a bigger pad than the others is warped at
their scale, its dots as wide as theirs. Where its edges, re-found there as lines, show the
outline squared at a slightly wrong angle, it is warped again from the corners they meet at:
the outline returned is the note's own, and the steps below see it squared. Each edge is
then re-found where the colour changes most near where the coarse pass put it, but never
moved in across the paper: a bold line written along the edge changes the colour as much,
with the paper on both sides of it (the edge moved onto it would cut off the dots across
the edge). Then:

1. The paper (paper.py): its commonest colour (not the median, which a note half
   covered in writing drags into the ink; nor, on a note thick with dots of one
   colour, theirs: then the commonest colour round its edges), then smooth surfaces for
   L, a and b fitted to the pixels of about that colour, so shading, a curled
   bottom, uneven light and a colour cast stay "paper". What differs from it
   by more than `dot_delta_e` (CIE Lab distance) is "odd": dots, ink, shadows.
   Beyond the note's edge, what is not the wall counts too: a dot across the
   edge is whole. Nor is another surface that lies all along one edge (a
   neighbouring note, a deep shadow), which a dot across that edge
   would otherwise run into.
2. A morphological opening a little narrower than the smallest dot leaves only
   the cores of things at least that wide: pen strokes, underlines, ticks and
   drawn circles ("o") are thinner and vanish (scan.py, which ties the steps).
3. From each core, the colour at its middle is followed outwards, within the
   thick parts only (blobs.py): pixels near that colour and nearer it than the
   paper, or more than half way from the paper to it (its own blurred edge). That
   blob is the dot, without ink of other colours or the strokes of its own colour it
   sits on, whatever its contrast (a yellow dot on a canary note). Where the middle
   holds two things whose median colour is neither (a dot and the stroke of other ink
   it lies on, the core deepest where they meet), the colour of the bigger of the two is
   followed, from its own pixels next to the seed (a seed on their blurred boundary is a mix
   of both); not where they are a dot's face and its highlight, or ink and its blurred
   edge (blobs.py, `_of_two`). Where the blob falls short of the core (a glossy
   highlight over the dot's middle), or
   is of no dot's shape (a crescent round a highlight that reaches the rim),
   the colour of the darker half round the seed is followed instead, with that
   colour washed out by the lamp (lighter, its chroma shrunk towards grey, of
   its hue; in a crescent, within its outline: highlight.py). On a dot about as light as
   the paper, whose highlight can hardly be lighter than the dot, the seed's colour may be a
   mix of the two: the darker colour's blob is taken if it holds the seed's, and the seed's
   colour is that face's washed out by however little, more than a mix of it with the paper
   would be (ink's blurred edge). There the highlight and the face round it can be parted by
   a ring of neither's colour (their blurred mix): the face round the seed is taken with the
   hole it rings, if that hole is its colour washed out so (blobs.py). A hole in the blob
   is filled if it is small, or if it is mostly the dot's colour washed out (a
   highlight inside the rim), never if it is paper (a letter's bowl). What the blob
   leaves of the core round the seed goes with it if it is of about the seed's
   colour or faint, never if it is of another colour: a dot across the seam
   with the next note is seeded anew.
4. The blob is split into discs of one size (discs.py): one disc, several
   overlapping ones (two dots of one colour count two; a bunch of three or more, whose
   middle holds a wider disc than any of them, with discs a little smaller
   than that), or discs peeled one at a time. A bunch stuck on writing of its colour, made
   ragged by the strokes attached (no cluster fits it, and the disc where its dots meet, wider
   than any of them, would peel them all at once), is fitted again without them: the blob
   opened by a disc half a dot wide, where that leaves most of it. Two or three dots found
   there, each narrower than that disc where they meet, are taken, each judged on its own and
   as it is (discs.py, `_body`; scan.py). A blob filling a long rectangle
   (a shadow, a fold, a thick line) is none, and so are four or more discs in
   a straight row (a fat marker stroke, a line of writing in a shadow): people
   bunch stickers, they do not queue them. No disc is wider than the widest
   sticker (`dot_max`). What runs out of the window a dot could fill (or out of
   the patch, across the note's edge) wider than any sticker is a field of colour
   (paper, a neighbouring note), not dots, and is set aside; the window's edge
   bounds the blob (what lies beyond it is not taken for more of the blob). Nor is a
   blob that is the surface round the note where the found outline, cut aslant, takes some
   of it inside (scan.py): mostly beyond the note's edge, running out of the window, and on
   the note only a strip thinner than any sticker (the wall); or meeting the edge along
   more than a sticker's width and running on across it in the colour of what lies round
   the note (the next note).
5. Each disc is judged on what tells a sticker from ink (ink.py, `is_dot`): its size
   on the note (stickers are 8-19 mm on 76 mm notes), how even its lightness
   is (a vinyl colour, not a pen's blur), paper showing inside it (a letter's
   bowl), and around it: more of the same blob (a stroke going on), a mix of
   its colour fading into the paper (blurred ink; a sticker's edge is sharp),
   and other things (writing it covers, other dots). A glossy dot's highlight too tinted to be
   whitish (its colour washed out) spreads its lightness as blurred ink does: in a disc scoring a
   little short of a dot, such a highlight lying to one side of its middle (towards the lamp;
   ink's blurred rim lies all round; placed by all of it, its whitish core too) is left out of
   the spread (ink.py, `_unlit_spread`). On a black dot the highlight lifts the mean colour so
   much that its dimmer fringe is no lighter than that: it is also judged against the face's
   darker part.
   A disc judged ink inside something wider that differs from the paper (a dot only part
   of which is of the seed's colour: lit, shaded) is judged again as the widest such disc,
   which must then look all the more like a sticker. What would be a dot is no dot if its
   middle falls back towards the paper against the ring round it (ink.py, `_hollow`): a
   bold letter's bowl blurred shut, where a sticker is one colour to its rim. What scores a
   little short of a dot (a dot on writing of its own colour, whose strokes round it look
   like ink) is one if its face is opaque to its rim, as vinyl is, where letters and strokes
   leave gaps of paper (ink.py, `_face`), unless it is the paper's own hue, darker, with as
   much of its chroma left as of its lightness: its shade (a black dot keeps none of it); or
   unless its face is well beyond the colour its blob grew from (the blob was a blurred fringe
   of ink, the disc on the ink beyond it). What scores a hair over the line (a bold letter, or
   strokes crossing, rounded by the blur) is no dot if the paper shows through its face
   anywhere (a letter's counter, off its middle: ink.py, `_face`).
6. A blob of no dot's shape beside a dot found (a crescent: a dot half hidden
   under one of another colour, too thin to hold a disc of a dot's size) is
   the dot whose circle its free rim draws, if that rim goes most of the way
   round, the circle holds the blob and the dot over it, and what shows of it
   scores well clear of ink (hidden.py, `hidden_disc`).
7. On a note of about its hue, a blob of a dot's colour judged ink, or of no
   dot's shape, may be the face of a glossy dot round a highlight that reaches
   its rim: the highlight washes the dot to about the paper's colour, and only
   a crescent is left (gloss.py, `crescent`). It is the dot whose circle its outer rim
   draws, if that rim goes at least half way round, the circle holds the blob,
   what the circle holds besides is the dot's colour with light added (no
   darker, of its hue, less of its chroma), and the face fades into that where
   its rim is a sharp step onto the paper (a letter's two edges are alike);
   what shows must score well clear of ink. Not in grey or black, whose
   highlight and white paper both lie towards white.
8. Where a lower threshold (`dot_faint` of `dot_delta_e`) shows something the
   first look did not (a dot of about the paper's colour, or one whose shaded
   rim fell under the threshold and cut it small: a core grown there by as much
   as a pixel all round), steps 2-7 are done again there (scan.py), and what
   they find must score well clear of ink to be a dot. Its mask is closed before it is
   opened, away from what the first threshold shows: a dot that differs from the paper by
   little more than the lower threshold dips under it in pinholes, which would cut its core in
   two halves too thin to seed a dot.
   There a dot of about the paper's colour joins the dot it touches into one core
   (a yellow dot beside a green one on a canary note): the dots the first look found
   are cut out of such a core and the rest of it is looked at, and what is found there
   overlapping one of them, of its colour (lit or shaded), is more of that dot, whose
   disc the first look fitted to part of it (scan.py, `_held`, `_part_of`).
9. One dot found twice (its blob cut by a highlight, or seen by both looks) is
   one dot (here, in `count_dots`).
10. The notes in the running for the top places (`count_wall`: those counted within
   `_CONTENDING` votes of the third most voted, the `_CLOSER_NOTES` most voted at most) are
   looked at closer (`Params.dot_closer`), steps 2-7 again at a threshold lower still, where
   the second look's dots are cut out of the cores as in step 8: a disc of the paper's own hue
   (a yellow dot on a canary note, an orange one on an orange note, a few units of Lab from
   the paper) is a dot if it scores clearer of ink than the second look's must, and is not
   what a look before judged no dot seen again a little wider (a smudge of the paper's hue:
   scan.py, `closer`). Done on every note, it would cost a quarter more time for a few
   more notes counted right; a dot missed there changes the ranking only on the notes at the
   top.

The modules' other names are the package's own workings, not the project's interface.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from vision.board import Dot
from vision.colours import dot_colour
from vision.dots.ink import Candidate, is_dot
from vision.dots.patch import Patch, flatten
from vision.dots.scan import Looked, closer, looked
from vision.geometry import depth_inside, quad_sides, transform
from vision.params import Params

__all__ = ["Counted", "contending", "count_dots", "count_wall", "find_dots", "look_closer"]

# Two dots found closer than this share of the bigger one's radius are one dot.
_SAME_DOT = 0.6
# A note off a bigger pad (a 4 x 4 in note among 3 x 3 in ones) is counted at the scale of the
# wall's notes: its dots are stickers of their size, and the smallest (8 mm) is 0.078 of its
# side, under `Params.dot_min` (0.09): none of them was seen. The wall's note has the short
# side this percentile of its notes' (pieces of notes, where outlines came out in fragments,
# do not set it, nor do a few bigger notes); a bigger pad's is this many times that at least
# (nearer notes, in perspective, are less). On the benchmark's walls: 4 notes more right, 1
# less; against the median, or from 1.2 times, whole notes were counted at a wrong scale on
# walls whose outlines came out in fragments (3 more wrong, 3 less).
_WALL_NOTE = 75
_BIGGER_PAD = 1.3
# The notes looked at closer (step 10): those counted within this many votes of the third most
# voted (a top note with two dots of its own hue missed is still among them) ...
_CONTENDING = 2
# ... the most voted this many at most (a wall of notes with a vote or two each would have
# them all looked at, each for a few milliseconds).
_CLOSER_NOTES = 6


@dataclass(frozen=True)
class Counted:
    """A note's corners re-found, its dots (image pixels) and how many of them have their centre
    on it, with what a closer look needs (None: let go, see `count_wall`)."""

    quad: np.ndarray
    dots: list[Dot]
    votes: int
    patch: Patch | None
    seen: Looked | None


def find_dots(image: np.ndarray, quad: np.ndarray, params: Params) -> tuple[np.ndarray, list[Dot]]:
    """The note's corners re-found at full resolution, and every dot on it or across its edge
    (image pixels)."""
    counted = count_dots(image, quad, params)
    return counted.quad, counted.dots


def count_dots(
    image: np.ndarray, quad: np.ndarray, params: Params, side: float | None = None
) -> Counted:
    """The note counted (steps 1-9); `side`: see `flatten`."""
    patch = flatten(image, quad, params, side)
    seen = looked(patch.lab, patch.box, params)
    return _counted(patch, seen, seen.found, params)


def count_wall(image: np.ndarray, quads: Sequence[np.ndarray], params: Params) -> list[Counted]:
    """Every note of a wall counted, those in the running for the top places looked at closer
    (step 10)."""
    sides = _pad_sides(quads)
    if params.dot_closer <= 0:  # no closer look: nothing held for one
        return [
            replace(count_dots(image, q, params, side), patch=None, seen=None)
            for q, side in zip(quads, sides, strict=True)
        ]
    counted: list[Counted] = []
    for quad, side in zip(quads, sides, strict=True):
        counted.append(count_dots(image, quad, params, side))
        # What a closer look needs is let go as soon as a note is out of the running (it stays
        # out as more are counted): held for every note of a wall, the memory paged in afresh
        # for the next ones cost nearly as much time as the closer looks themselves.
        running = set(contending([c.votes for c in counted]))
        counted = [
            c if k in running or c.seen is None else replace(c, patch=None, seen=None)
            for k, c in enumerate(counted)
        ]
    for k in contending([c.votes for c in counted]):
        counted[k] = look_closer(counted[k], params)
    return counted


def _pad_sides(quads: Sequence[np.ndarray]) -> list[float | None]:
    """For each note off a bigger pad than the wall's notes (`_BIGGER_PAD`), the wall's
    note's short side (see `_WALL_NOTE`), to count it at; None for the others."""
    shorts = [min(quad_sides(q)) for q in quads]
    if not shorts:
        return []
    wall = float(np.percentile(shorts, _WALL_NOTE))
    return [wall if s > _BIGGER_PAD * wall else None for s in shorts]


def contending(votes: Sequence[int]) -> list[int]:
    """The notes (indices into their `votes`) in the running for the top places: with a vote
    at least, and within `_CONTENDING` of the third most voted; the `_CLOSER_NOTES` most voted
    of them (the first given, of those tied)."""
    ranked = sorted(range(len(votes)), key=lambda k: -votes[k])
    if not ranked:
        return []
    third = votes[ranked[min(2, len(ranked) - 1)]]
    return [k for k in ranked[:_CLOSER_NOTES] if votes[k] >= max(1, third - _CONTENDING)]


def look_closer(counted: Counted, params: Params) -> Counted:
    """The note counted again with the closer look's dots (step 10)."""
    if counted.patch is None or counted.seen is None:
        raise ValueError("what a closer look at this note needs was let go")
    return _counted(counted.patch, counted.seen, closer(counted.seen, params), params)


def _counted(patch: Patch, seen: Looked, candidates: list[Candidate], params: Params) -> Counted:
    dots = _dots(patch, candidates, params)
    votes = sum(depth_inside(patch.quad, d.center) >= 0 for d in dots)
    return Counted(patch.quad, dots, votes, patch, seen)


def _dots(patch: Patch, candidates: list[Candidate], params: Params) -> list[Dot]:
    """The candidates that are dots, each once, in image pixels."""
    dots = sorted((c for c in candidates if is_dot(c, params)), key=lambda c: -c.r)
    kept: list[Candidate] = []
    for c in dots:
        # A dot whose blob was cut in two (by a highlight, by ink of its colour) is found twice.
        if not any(np.hypot(c.x - k.x, c.y - k.y) < _SAME_DOT * k.r for k in kept):
            kept.append(c)
    centres = transform([[c.x, c.y] for c in kept], patch.to_image) if kept else []
    return [
        Dot(
            center=(float(x), float(y)),
            radius=float(c.r / patch.scale),
            colour=dot_colour(c.colour),
        )
        for (x, y), c in zip(centres, kept, strict=True)
    ]
