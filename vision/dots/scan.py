"""The scan that ties the steps together: the cores of what is odd on the note (step 2), a blob
grown from each core's seed, its discs, each measured, the dots half hidden or round a highlight
beside them, the second look at a lower threshold (step 8), and the closer look, lower still,
for dots of the paper's own hue (step 10)."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import cv2
import numpy as np

from vision.dots.arith import SQUARE3
from vision.dots.blobs import DARK_GAIN, SHORT_BLOB, colour_blob, near, parts
from vision.dots.discs import depth, discs, hull, widest, widest_in
from vision.dots.gloss import crescent
from vision.dots.hidden import HIDDEN_DEPTH, hidden_disc
from vision.dots.highlight import GREYISH, washed
from vision.dots.ink import CRESCENT_MARGIN, Candidate, is_dot, measure, score
from vision.dots.paper import paper_difference, wall_difference
from vision.params import Params

_THICK_GROW = 3
# A core less deep than this share of the smallest dot's radius holds no dot.
_SEED_DEPTH = 0.8
# A wider disc round a disc judged ink, but not far from a dot (scoring at least
# `_WIDER_FROM`), or judged a dot but not clearly (scoring under `_WIDER_MARGIN`), must score
# `_WIDER_MARGIN` to be a dot (`widest`).
_WIDER_FROM, _WIDER_MARGIN = -5.0, 4.0
# The second look (`Params.dot_faint`) skips a core of which the first look's cores were
# this share: it hardly grew at the lower threshold, so nothing new is there. A dot-sized core
# a pixel wider all round is about 0.8 old, and is looked at again: a dot of about the paper's
# colour, its core cut short by its highlight or shaded rim, shows whole only there (raised
# from 0.8: on the benchmark's walls, counted on the true outlines, 14 notes nearer the truth,
# 2 further; at 0.95 a note on medium is lost).
_FAINT_SEEN = 0.9
# Round a seed, the core is taken with its blob where it is this close to the paper (in
# `dot_delta_e`): the blurred rim and shading; a thing of another colour next to it differs more.
_FAINT_RIM = 1.5
# A dot the first look found is cut out of the second look's core that holds it with this many
# pixels more than its disc: its blurred rim, which passes the lower threshold.
_CUT_RIM = 2
# A blob grown from a seed's colour lies within the blob of the darker colour round it (the
# dot's face round its highlight) where at most a rim pixel or so of it lies outside.
_WITHIN = 0.9
# A disc the closer look (`closer`) finds is of the paper's hue only if it has this much chroma
# (Lab a, b): a grey is of no hue.
_CLOSER_CHROMA = 15.0
# A disc the closer look finds is one a look before judged no dot, seen again, where that one
# was this share of its radius at least and its middle this share of its radius from it at most
# (a smudge of the paper's hue: 0.86-0.87 as wide, with the same middle; the dots the second
# look saw in part on the benchmark's walls: 0.79 as wide at most, or further off).
_AGAIN_SIZE = 0.83
_AGAIN_OFF = 0.25
# What only the closer look finds must score this much to be a dot (what only the second look
# finds: 3, ink.py): nearer the paper still, a smudge of its hue scores 4.7 to 6.5 there. On the
# benchmark's walls 3 counted one note more right.
_CLOSER_MARGIN = 5.0


def _disc(diameter: float) -> np.ndarray:
    d = max(1, int(diameter) | 1)
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (d, d))


@dataclass(frozen=True)
class Looked:
    """What the looks at a note found (`found`), with what a closer look needs: the note
    flattened (Lab), its box, the paper's fit, the wall's difference, the second look's cores."""

    found: list[Candidate]
    lab: np.ndarray
    box: tuple[int, int, int, int]
    fit: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]
    wall2: np.ndarray
    cores: np.ndarray | None


def candidates(lab: np.ndarray, box: tuple[int, int, int, int], params: Params) -> list[Candidate]:
    """The candidate discs on a note (Lab, with its box): see `looked`."""
    return looked(lab, box, params).found


def looked(lab: np.ndarray, box: tuple[int, int, int, int], params: Params) -> Looked:
    """The first look at a note (`Params.dot_delta_e`) and, if asked for, the second."""
    inner = _inner(lab, box)
    diff2, paper, model, off, off2 = paper_difference(lab, box)
    fit = (diff2, paper, model, off, off2)
    wall2 = wall_difference(lab, box)
    looks = [params]
    if params.dot_faint > 0:
        looks.append(replace(params, dot_delta_e=params.dot_faint * params.dot_delta_e))
    masks = _masks(diff2, wall2, inner, [p.dot_delta_e for p in looks], params)
    found, cores = _scan(lab, inner, fit, masks[0], params, None)
    if len(looks) == 1:
        return Looked(found, lab, box, fit, wall2, None)
    # A second look at a lower threshold, for dots of about the paper's colour (a yellow dot
    # on a canary note in a colour cast), only where it shows much more than the first look
    # did: what it finds must look all the more like a sticker.
    dots = [c for c in found if score(c, params) > 0]
    note, odd, faint_cores = masks[1]
    held, rest = _held(faint_cores, dots)
    more, _ = _scan(lab, inner, fit, (note, odd, rest), looks[1], (cores, faint_cores))
    found = found + [replace(c, faint=True) for c in more if not _part_of(c, held, dots)]
    return Looked(found, lab, box, fit, wall2, faint_cores)


def closer(seen: Looked, params: Params) -> list[Candidate]:
    """`seen`'s candidates and those of a third look, at `Params.dot_closer` of `dot_delta_e`,
    that are of the paper's own hue (a yellow dot on a canary note, an orange one on an orange
    note: a few units of Lab from the paper, under the second look's threshold), and clearer
    of ink than the second look's must be (`_CLOSER_MARGIN`). Everything else this low is
    shading and blurred ink."""
    if params.dot_closer <= 0 or seen.cores is None:
        return seen.found
    inner = _inner(seen.lab, seen.box)
    diff2, paper = seen.fit[:2]
    # (the two looks' thresholds too: the lowest one's pinholes are closed away from theirs)
    deltas = [params.dot_delta_e * share for share in (1.0, params.dot_faint, params.dot_closer)]
    note, odd, own_cores = _masks(diff2, seen.wall2, inner, deltas, params)[2]
    look = replace(params, dot_delta_e=deltas[2])
    is_dots = [is_dot(c, params) for c in seen.found]
    dots = [c for c, yes in zip(seen.found, is_dots, strict=True) if yes]
    held, rest = _held(own_cores, dots)
    own, _ = _scan(seen.lab, inner, seen.fit, (note, odd, rest), look, (seen.cores, own_cores))
    # What the looks before judged no dot (a smudge, blurred ink) is not judged again: seen a
    # little wider at a lower threshold, it looks more like a sticker than it is. (A dot the
    # second look saw only a part of, cut by its highlight or shaded rim, is seen whole here:
    # a disc far wider, or off that part's middle.)
    judged = [c for c, yes in zip(seen.found, is_dots, strict=True) if not yes]
    paper_ab = np.float32(paper[1:])
    more = []
    for c in own:
        ab = np.float32(c.colour[1:])
        if (
            float(np.hypot(*(ab - paper_ab))) < params.dot_closer_hue
            and float(np.hypot(*ab)) > _CLOSER_CHROMA
            and score(c, params) > _CLOSER_MARGIN
            and not _part_of(c, held, dots)
            and not any(_seen_again(c, k) for k in judged)
        ):
            more.append(replace(c, faint=True))
    return seen.found + more


def _seen_again(c: Candidate, k: Candidate) -> bool:
    """Whether disc `c`, of a lower threshold's look, is disc `k` of a look before, seen a
    little wider: about as big, and about where it was."""
    return k.r >= _AGAIN_SIZE * c.r and math.hypot(c.x - k.x, c.y - k.y) < _AGAIN_OFF * c.r


def _inner(lab: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """The note's box on its patch (bool)."""
    left, top, right, bottom = box
    inner = np.zeros(lab.shape[:2], dtype=bool)
    inner[top:bottom, left:right] = True
    return inner


def _held(
    cores: np.ndarray, dots: list[Candidate]
) -> tuple[tuple[np.ndarray, list[int]], np.ndarray]:
    """The second look's cores that hold a dot the first look found, and the cores with those
    dots cut out of them (uint8). At the lower threshold a dot of about the paper's colour
    joins the dot it touches (a yellow dot beside a green one, on a canary note): the rest of
    such a core is looked at, not the dot found already. The first are the cores marked (each
    core holding a dot by a number of its own, from 2; the others 1) and the number of the core
    each dot of `dots` lies in (0: none)."""
    h, w = cores.shape
    # Filled from each dot (most cores hold none: filling costs less than labelling them all);
    # in floating point, which numbers any count of dots.
    marks = cores.astype(np.float32)
    at = []
    for k, c in enumerate(dots):
        x, y = min(w - 1, int(c.x)), min(h - 1, int(c.y))
        mark = int(marks[y, x])
        if mark == 1:
            mark = k + 2
            cv2.floodFill(marks, None, (x, y), mark, 0, 0, 8)
        at.append(mark)
    rest = cores
    if any(at):
        cut = np.zeros_like(cores)
        for c, mark in zip(dots, at, strict=True):
            if mark:
                cv2.circle(cut, (int(round(c.x)), int(round(c.y))), int(c.r + _CUT_RIM), 1, -1)
        rest = cores.copy()
        rest[(cut > 0) & (marks > 1)] = 0
    return (marks, at), rest


def _part_of(c: Candidate, held: tuple[np.ndarray, list[int]], dots: list[Candidate]) -> bool:
    """Whether a disc the second look found in a core holding a dot of the first look is more
    of that dot: a disc overlapping it, of about its colour (lit or shaded). The first look can
    fit a disc to part of a dot (a highlight or a faint half cut it off), which the second look
    sees whole; a dot of another colour beside it is another dot."""
    marks, at = held
    h, w = marks.shape
    mark = int(marks[min(h - 1, int(c.y)), min(w - 1, int(c.x))])
    if mark < 2:
        return False
    a = np.float32(c.colour)
    for k, where in zip(dots, at, strict=True):
        if where != mark or math.hypot(c.x - k.x, c.y - k.y) >= c.r + k.r:
            continue
        b = np.float32(k.colour)
        if near(a, b) or washed(a, b) or washed(b, a):
            return True
    return False


def _masks(
    diff2: np.ndarray, wall2: np.ndarray, inner: np.ndarray, deltas: list[float], params: Params
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """For each threshold of `deltas` (Lab distances): the note and what lies on it, what of that
    differs from the paper by more (bool), and the cores of that (uint8; step 2). `wall2`: the
    wall's squared difference.

    The thresholds' masks are nested, so one opening of their sum (counting, for each pixel,
    the thresholds it passes) is the opening of each, taken as that sum's levels: a flat
    structuring element's opening commutes with thresholding. One opening costs half of two.
    The lowest threshold's mask is closed by a pixel first (its pinholes filled), but not next
    to what the others show."""
    order = sorted(range(len(deltas)), key=lambda i: -deltas[i])  # nested: the highest first
    level = np.zeros(diff2.shape, np.uint8)
    notes, odds = {}, {}
    for i in order:
        notes[i] = inner | (wall2 > deltas[i] ** 2)
        odds[i] = (diff2 > deltas[i] ** 2) & notes[i]
        level += odds[i]
    if len(deltas) > 1:
        # Pinholes in a faint dot's face (noise about the lower threshold) would split its
        # core: closed at that threshold alone, away from what the higher ones show (there a
        # core filled out so would be looked at again, most often ink, for nothing).
        lowest = (level > 0).view(np.uint8)
        near = cv2.dilate((level > 1).view(np.uint8), SQUARE3)
        level += cv2.morphologyEx(lowest, cv2.MORPH_CLOSE, SQUARE3) & (lowest ^ 1) & (near ^ 1)
    opened = cv2.morphologyEx(level, cv2.MORPH_OPEN, _disc(0.8 * params.dot_min * params.note_px))
    # The k-th highest threshold's pixels are those that pass at least k of them.
    return [
        (notes[i], odds[i], (opened > len(deltas) - 1 - order.index(i)).view(np.uint8))
        for i in range(len(deltas))
    ]


def _beyond(blob: np.ndarray, inside: np.ndarray, r_min: float) -> bool:
    """Whether a blob is the surface round the note (the wall, unevenly lit; a neighbour), not a
    dot: most of it lies beyond the note's edge, it runs out of the window a dot could fill, and
    on the note it is only a strip along the edge too thin to hold the smallest sticker (the
    found outline, cut aslant across the note's corner, takes a strip of that surface inside).
    A dot has its middle on the note, so its part there is at least its radius thick, and a dot
    beside a field of its colour beyond the edge is set aside only if it is that thin there.
    `inside`: the note's box (bool)."""
    if not (blob[0].any() or blob[-1].any() or blob[:, 0].any() or blob[:, -1].any()):
        return False
    on = blob & inside
    if 2 * np.count_nonzero(on) > np.count_nonzero(blob):
        return False
    return cv2.minMaxLoc(depth(on.view(np.uint8)))[1] < r_min


def _neighbour(
    blob: np.ndarray, kin: np.ndarray, inside: np.ndarray, note: np.ndarray, r_max: float
) -> bool:
    """Whether a blob is a neighbouring surface (the next note) seen inside the note's box: it
    meets the box's edge along more than any sticker is wide, and runs on across it in its own
    colour where that colour is what lies round the note (not told from it: not `note`). A dot
    across the edge is told from what lies beyond it; one beside the edge meets it along its
    chord at most. `kin`: what is loosely of the blob's colour; `inside`: the note's box."""
    ring = cv2.dilate((blob & inside).view(np.uint8), SQUARE3)
    if cv2.countNonZero(ring) < 2 * r_max:
        return False
    across = ring.view(bool) & ~inside & ~note & kin.view(bool)
    return np.count_nonzero(across) > 2 * r_max


def _surface(
    blob: np.ndarray, kin: np.ndarray, inside: np.ndarray, note: np.ndarray, r_min, r_max
) -> bool:
    """Whether a blob that runs out of the note's box is the surface round the note: the wall
    (`_beyond`) or the next note (`_neighbour`), not a dot."""
    return _beyond(blob, inside, r_min) or _neighbour(blob, kin, inside, note, r_max)


def _scan(
    lab: np.ndarray,
    inner: np.ndarray,
    fit: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    masks: tuple[np.ndarray, np.ndarray, np.ndarray],
    params: Params,
    seen: tuple[np.ndarray, np.ndarray] | None,
) -> tuple[list[Candidate], np.ndarray]:
    """The candidate discs of the things that differ from the paper by more than
    `params.dot_delta_e`, and the cores they were looked for in (uint8). `fit`: the paper's
    squared difference, colour, model, each pixel's offset from it and its squared length;
    `masks`: the note and what lies on it, what is odd there and its cores at this threshold
    (`_masks`; on a second look, with the first look's dots cut out: `_held`). `seen` (a second
    look): the first look's cores, and this look's whole, which blobs may grow within; a core
    mostly the first look's is skipped."""
    d_min = params.dot_min * params.note_px
    d_max = params.dot_max * params.note_px
    # No disc is wider than the widest sticker: a round thing wider (a filled-in doodle, a
    # magnet) is not a vote.
    r_min, r_max = 0.5 * d_min, 0.5 * d_max
    h, w = lab.shape[:2]
    diff2, paper, model, off, off2 = fit
    note, odd, cores = masks
    labels, boxes = parts(cores)
    whole = cores
    if seen is not None and boxes:
        first, whole = seen
        size = np.bincount(labels[cores > 0], minlength=len(boxes) + 1)  # the cores' pixels only
        before = np.bincount(labels[first > 0], minlength=len(size))
        for label in [k for k in boxes if before[k] >= _FAINT_SEEN * size[k]]:
            boxes.pop(label)
    if not boxes:
        return [], cores  # nothing (new) on the note at least as wide as the smallest dot
    faint = (diff2 < (_FAINT_RIM * params.dot_delta_e) ** 2).view(np.uint8)  # shading, not things
    # Blobs are looked for only in the thick parts: a dot stays whole, the pen strokes it sits
    # on (of its own colour, say) fall away. (On a second look, the whole cores: a dot beside
    # one cut out of them is whole too.)
    thick = cv2.dilate(whole, _disc(_THICK_GROW)).view(bool) & note
    found: list[Candidate] = []

    def measure_disc(blob_at, bounds, disc_at, cluster, colour, axis, covered=None) -> Candidate:
        return measure(
            lab,
            (off, off2),
            diff2,
            odd,
            note,
            blob_at,
            bounds,
            disc_at,
            cluster,
            colour,
            axis,
            params,
            covered,
        )

    def take_crescent(blob, win, colour, axis, bounds) -> bool:
        # A dot whose glossy highlight reaches its rim can show only as a crescent of its
        # colour round the highlight (`crescent`): it is judged on that face, the highlight
        # set aside.
        v0, u0 = win[0].start, win[1].start
        disc = crescent(blob, lab[win], colour, axis, r_min, r_max)
        if disc is None:
            return False
        cx, cy, r = disc
        if not inner[min(h - 1, int(cy + v0)), min(w - 1, int(cx + u0))]:
            return False
        lit = np.zeros((h, w), np.uint8)
        cv2.circle(lit, (int(cx + u0), int(cy + v0)), int(r), 1, -1)
        lit[win][blob > 0] = 0
        c = measure_disc(
            (blob, u0, v0), bounds, (cx + u0, cy + v0, r), [(cx, cy, r)], colour, axis, lit
        )
        # Its margin is asked here (not in `is_dot`): a face that scores less is no candidate,
        # and its blob stays for the looks that follow (a dot half hidden, the second look).
        if score(c, params) <= CRESCENT_MARGIN:
            return False
        found.append(replace(c, crescent=True))
        return True

    # A blob is a connected part of the thick pixels, closed by one pixel: it lies within one
    # part of `thick` grown by a pixel. Each blob is worked out on that part's box alone (and
    # each disc's surroundings on their own box), never on the whole window a dot could fill.
    # Each part's box is found when a seed first lies in it (by filling it: most parts hold no
    # seed), the parts are numbered 2, 3, ... as they are filled.
    reach = cv2.dilate(thick.view(np.uint8), SQUARE3)
    reach_boxes: dict[int, tuple[int, int, int, int]] = {}
    filled = np.zeros((h + 2, w + 2), np.uint8)  # floodFill's mask, shared: parts never meet
    pad = int(1.1 * d_max)
    odd_depth = None  # the distance transform of `odd`, when first needed
    claimed = None  # the blobs of the dots found so far, when there are any
    owners = None  # which of `faces` each pixel of `claimed` is
    faces: list[np.ndarray] = []  # the colour of each such blob
    later = []  # blobs of no dot's shape: maybe dots half hidden under a dot found later
    for label, (bx, by, bw, bh) in sorted(boxes.items()):
        # A zero frame round the core: a core filling its box still has an edge to measure from.
        framed = np.zeros((bh + 2, bw + 2), np.uint8)
        core = framed[1:-1, 1:-1]
        np.equal(labels[by : by + bh, bx : bx + bw], label, out=core.view(bool))
        # One colour at a time: a core can hold touching dots of several colours. (An empty
        # core is 0 deep.)
        for _ in range(16):
            _, depth, _, (cx, cy) = cv2.minMaxLoc(cv2.distanceTransform(framed, cv2.DIST_L2, 3))
            hidden = False
            if depth < r_min * _SEED_DEPTH:
                if depth < r_min * HIDDEN_DEPTH or claimed is None:
                    break
                # A thinner piece of the core beside a dot found already may be a dot half
                # hidden under it, seen as a crescent: each such piece is looked at once.
                cv2.floodFill(framed, None, (int(cx), int(cy)), 2, 0, 0, 8)
                piece = core == 2
                core[piece] = 0
                ring = cv2.dilate(piece.view(np.uint8), SQUARE3, iterations=2)
                if not np.count_nonzero(ring & claimed[by : by + bh, bx : bx + bw]):
                    continue
                hidden = True
            sx, sy = cx - 1 + bx, cy - 1 + by
            # The window a dot centred here could fill, and within it the box of the seed's part
            # of the thick pixels (two pixels more for the closing, x and y kept even with the
            # window's: the cluster fit samples every other pixel).
            x0, y0 = max(0, sx - pad), max(0, sy - pad)
            x1, y1 = min(w, sx + pad + 1), min(h, sy + pad + 1)
            part = int(reach[sy, sx])
            if part == 1:
                if len(reach_boxes) == 253:  # more parts with seeds than a byte numbers
                    reach = reach.astype(np.float32)
                part = len(reach_boxes) + 2
                seed = (int(sx), int(sy))
                reach_boxes[part] = cv2.floodFill(reach, filled, seed, part, 0, 0, 8)[3]
            rx, ry, rw, rh = reach_boxes[part]
            u0, v0 = max(x0, rx - 2), max(y0, ry - 2)
            u0, v0 = u0 - (u0 - x0) % 2, v0 - (v0 - y0) % 2
            u1, v1 = min(x1, rx + rw + 2), min(y1, ry + rh + 2)
            win = (slice(v0, v1), slice(u0, u1))
            args = (
                lab[win],
                model[win],
                (off[win], off2[win]),
                diff2[win],
                thick[win],
                (sx - u0, sy - v0),
                depth,
                paper,
            )
            blob, colour, axis, kin = colour_blob(*args)
            short = np.count_nonzero(blob) < SHORT_BLOB * math.pi * depth * depth
            if short:
                # Less than the core round the seed: maybe the seed's colour was a highlight's.
                again = colour_blob(*args, darker=True)
                n = np.count_nonzero(blob)
                # The seed's colour was the highlight's, or (on a dot about as light as the
                # paper, whose highlight can hardly be lighter) a mix of the highlight and the
                # face round it, however little lighter, but more than a mix of the face and
                # the paper would be (the blurred edge of ink): its blob lies within the face's.
                if np.count_nonzero(again[0]) > DARK_GAIN * n and (
                    washed(colour, again[1])
                    or (
                        np.count_nonzero(blob & again[0]) >= _WITHIN * n
                        and washed(colour, again[1], rise=0.0, paper_l=float(model[sy, sx, 0]))
                    )
                ):
                    blob, colour, axis, kin = again
            # The surface round the note, where the found outline cuts into it, is no dot (a
            # window within the note's box, whose corners are in it, holds none). Where the blob
            # cannot be bitten anew below (its colour's crescent), it is asked before its discs
            # are looked for: most such blobs are that surface.
            outside = not (inner[v0, u0] and inner[v1 - 1, u1 - 1])
            may_bite = not (short or hidden) and colour[1] ** 2 + colour[2] ** 2 > GREYISH**2
            beyond = None
            if outside and not may_bite:
                beyond = _surface(blob, kin, inner[win], note[win], r_min, r_max)
            circles, cluster = ([], False) if hidden or beyond else discs(blob, r_min, r_max)
            if may_bite and not circles:
                # Of no dot's shape: maybe a crescent, the dot's face round a highlight that
                # reaches its rim. The dot is that face and the highlight on it, which lies
                # within the crescent's outline (not the wall beyond a curled corner's shade).
                outline = hull(blob) | blob
                # What is bitten lies within that outline: where no disc as wide as the
                # smallest dot fits in it, none fits in what is bitten either (`discs` finds
                # none there), and the darker colour is not looked for.
                if widest_in(outline) >= r_min:
                    again = colour_blob(*args, darker=True)
                    bitten = again[0] & outline
                    if np.count_nonzero(bitten) > np.count_nonzero(blob):
                        whole = discs(bitten, r_min, r_max)
                        if whole[0]:
                            blob, colour, axis, kin = bitten, *again[1:]
                            circles, cluster = whole
            # Whatever it turns out to be, this blob is dealt with: take it out of the core,
            # with the rest of the core round the seed that is of about its colour (a dot's
            # shaded side) or faint (shading), but not things of other colours there: a dot
            # across the seam with a neighbouring note stays for a seed of its own.
            taken = np.zeros(blob.shape, np.uint8)
            cv2.circle(taken, (sx - u0, sy - v0), max(1, int(depth)), 1, -1)
            taken &= kin | faint[win]
            taken |= cv2.dilate(blob, SQUARE3)
            cy0, cx0 = max(v0, by), max(u0, bx)
            cy1, cx1 = min(v1, by + bh), min(u1, bx + bw)
            if cy1 > cy0 and cx1 > cx0:
                core[cy0 - by : cy1 - by, cx0 - bx : cx1 - bx][
                    taken[cy0 - v0 : cy1 - v0, cx0 - u0 : cx1 - u0].view(bool)
                ] = 0
            if beyond is None and outside:
                beyond = _surface(blob, kin, inner[win], note[win], r_min, r_max)
            if beyond:
                continue
            if not circles:
                if not (hidden or short) and take_crescent(
                    blob, win, colour, axis, (x0, y0, x1, y1)
                ):
                    continue
                later.append((blob, win, colour, axis, (x0, y0, x1, y1)))
                continue
            best = -math.inf  # the best score of a disc of this blob
            for px, py, r in circles:
                if not inner[min(h - 1, int(py + v0)), min(w - 1, int(px + u0))]:
                    continue  # another note's: it counts there
                measured = measure_disc(
                    (blob, u0, v0),
                    (x0, y0, x1, y1),
                    (px + u0, py + v0, r),
                    circles if cluster else [(px, py, r)],
                    colour,
                    axis,
                )
                found.append(measured)
                first = score(measured, params)
                best = max(best, first)
                if first > 0 and not hidden:
                    # What a dot found later may be hidden under.
                    if claimed is None:
                        claimed, owners = np.zeros((h, w), np.uint8), np.zeros((h, w), np.int32)
                    claimed[win] |= blob
                    faces.append(colour)
                    owners[win][blob > 0] = len(faces)
                # A bunch found once the strokes round it were taken off (`discs` gives None) is
                # not judged again as the widest disc round each of its discs: those strokes are
                # what is wider round them.
                if cluster is not False or hidden or first >= _WIDER_MARGIN or first < _WIDER_FROM:
                    continue
                # Only part of a dot may be of the seed's colour (a highlight, shading): the
                # widest disc of things unlike the paper round this one is judged too, and
                # must look all the more like a sticker. So too round a disc that scores a dot,
                # but not clearly: whether the part scores a hair above 0 or below must not
                # decide whether the whole is seen (it is the dot, in the part's place).
                if odd_depth is None:
                    odd_depth = cv2.distanceTransform(odd.view(np.uint8), cv2.DIST_L2, 3)
                wider = widest(odd_depth, px + u0, py + v0, r)
                if wider is not None and r_min <= wider[2] <= r_max:
                    again = measure_disc(
                        (blob, u0, v0),
                        (x0, y0, x1, y1),
                        wider,
                        [(wider[0] - u0, wider[1] - v0, wider[2])],
                        colour,
                        axis,
                    )
                    if score(again, params) > _WIDER_MARGIN:
                        if first > 0:
                            found[-1] = again
                        else:
                            found.append(again)
                        best = math.inf
            # A face round a highlight holds a disc not far from a dot's score (its widest
            # disc lies between the horns): that disc is ink, but the dot may be its circle.
            if _WIDER_FROM < best <= 0 and not (cluster is not False or hidden or short):
                take_crescent(blob, win, colour, axis, (x0, y0, x1, y1))
    if claimed is None:
        return found, cores
    for blob, win, colour, axis, bounds in later:
        v0, u0 = win[0].start, win[1].start
        for px, py, r in hidden_disc(blob, claimed[win], r_min, r_max):
            ring = np.zeros_like(blob)
            cv2.circle(ring, (int(px), int(py)), int(r) + 3, 1, -1)
            over = np.bincount(owners[win][ring > 0], minlength=2)
            # A dot over it of its own colour (or that colour lit or shaded) is the rest of
            # one dot, cut in two by a highlight: two dots of one colour make one blob.
            if not over[1:].any():
                continue
            face = faces[int(np.argmax(over[1:]))]
            if washed(colour, face) or washed(face, colour) or near(colour, face):
                continue
            if inner[min(h - 1, int(py + v0)), min(w - 1, int(px + u0))]:
                found.append(
                    measure_disc(
                        (blob, u0, v0),
                        bounds,
                        (px + u0, py + v0, r),
                        [(px, py, r)],
                        colour,
                        axis,
                        claimed,
                    )
                )
                found[-1] = replace(found[-1], hidden=True)
    return found, cores
