"""Counting the dot stickers on one note: where a dot is told from ink.

The note is warped flat to a fixed width (with a margin for dots across its
edge), so dots are always about the same number of pixels whatever the photo.
Then:

1. The paper: its commonest colour (not the median, which a note half covered
   in writing drags into the ink; nor, on a note thick with dots of one colour,
   theirs: then the commonest colour round its edges), then smooth surfaces for
   L, a and b fitted to the pixels of about that colour, so shading, a curled
   bottom, uneven light and a colour cast stay "paper". What differs from it
   by more than `dot_delta_e` (CIE Lab distance) is "odd": dots, ink, shadows.
   Beyond the note's edge, what is not the wall counts too: a dot across the
   edge is whole. Nor is another surface that lies all along one edge (a
   neighbouring note, a deep shadow), which a dot across that edge
   would otherwise run into.
2. A morphological opening a little narrower than the smallest dot leaves only
   the cores of things at least that wide: pen strokes, underlines, ticks and
   drawn circles ("o") are thinner and vanish.
3. From each core, the colour at its middle is followed outwards, within the
   thick parts only: pixels near that colour and nearer it than the paper, or
   more than half way from the paper to it (its own blurred edge). That blob is
   the dot, without ink of other colours or the strokes of its own colour it
   sits on, whatever its contrast (a yellow dot on a canary note). Where that
   blob falls short of the core (a glossy highlight over the dot's middle), or
   is of no dot's shape (a crescent round a highlight that reaches the rim),
   the colour of the darker half round the seed is followed instead, with that
   colour washed out by the lamp (lighter, its chroma shrunk towards grey, of
   its hue; in a crescent, within its outline). A hole in the blob is filled if
   it is small, or if it is mostly the dot's colour washed out (a highlight
   inside the rim), never if it is paper (a letter's bowl). What the blob
   leaves of the core round the seed goes with it if it is of about the seed's
   colour or faint, never if it is of another colour: a dot across the seam
   with the next note is seeded anew.
4. The blob is split into discs of one size: one disc, several overlapping
   ones (two dots of one colour count two; a bunch of three or more, whose
   middle holds a wider disc than any of them, with discs a little smaller
   than that), or discs peeled one at a time. A blob filling a long rectangle
   (a shadow, a fold, a thick line) is none, and so are four or more discs in
   a straight row (a fat marker stroke, a line of writing in a shadow): people
   bunch stickers, they do not queue them. No disc is wider than the widest
   sticker (`dot_max`).
5. Each disc is judged on what tells a sticker from ink (`_is_dot`): its size
   on the note (stickers are 8-19 mm on 76 mm notes), how even its lightness
   is (a vinyl colour, not a pen's blur), paper showing inside it (a letter's
   bowl), and around it: more of the same blob (a stroke going on), a mix of
   its colour fading into the paper (blurred ink; a sticker's edge is sharp),
   and other things (writing it covers, other dots). A disc judged ink inside
   something wider that differs from the paper (a dot only part of which is of
   the seed's colour: lit, shaded) is judged again as the widest such disc,
   which must then look all the more like a sticker. What would be a dot is no dot if its
   middle falls back towards the paper against the ring round it (`_hollow`): a bold letter's
   bowl blurred shut, where a sticker is one colour to its rim.
6. A blob of no dot's shape beside a dot found (a crescent: a dot half hidden
   under one of another colour, too thin to hold a disc of a dot's size) is
   the dot whose circle its free rim draws, if that rim goes most of the way
   round, the circle holds the blob and the dot over it, and what shows of it
   scores well clear of ink (`_hidden_disc`).
7. On a note of about its hue, a blob of a dot's colour judged ink, or of no
   dot's shape, may be the face of a glossy dot round a highlight that reaches
   its rim: the highlight washes the dot to about the paper's colour, and only
   a crescent is left (`_crescent`). It is the dot whose circle its outer rim
   draws, if that rim goes at least half way round, the circle holds the blob,
   what the circle holds besides is the dot's colour with light added (no
   darker, of its hue, less of its chroma), and the face fades into that where
   its rim is a sharp step onto the paper (a letter's two edges are alike);
   what shows must score well clear of ink. Not in grey or black, whose
   highlight and white paper both lie towards white.
8. Where a lower threshold (`dot_faint` of `dot_delta_e`) shows something the
   first look did not (a dot of about the paper's colour, or one whose shaded
   rim fell under the threshold and cut it small), steps 2-7 are done again
   there, and what they find must score well clear of ink to be a dot.
9. One dot found twice (its blob cut by a highlight, or seen by both looks) is
   one dot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import cv2
import numpy as np

from vision.board import Dot
from vision.colours import dot_colour, to_lab
from vision.geometry import quad_sides, transform, warp_quad
from vision.params import Params

# Weights for cv2.transform, which sums an image's channels in one pass: OpenCV's arithmetic
# on a note's patch costs several times less than numpy's, and runs for every note and blob.
_SUM3 = np.ones((1, 3), np.float32)  # L² + a² + b²
_PAPER_WEIGHTS = np.float32([[0.6, 1, 1]])  # 0.6 L² + a² + b²
_CHROMA2 = np.float32([[0, 1, 1]])  # a² + b²
_SQUARE3 = np.ones((3, 3), np.uint8)
# Pixels this near a colour (Lab) are of it: one paper, one wall, under noise and shading.
_ONE_COLOUR = 12.0
# The paper's colour is the fullest cell of a histogram over L, a, b with cells this big.
_MODE_BIN = np.float32([10, 8, 8])
_MODE_LOW = np.float32([0, -128, -128])
_MODE_BINS = 32
# A dot's blob: pixels within this share of the dot's distance from the paper of its colour.
_BLOB_TOL, _BLOB_TOL_MIN, _BLOB_TOL_MAX = 0.3, 8.0, 18.0
_THICK_GROW = 3
# A core less deep than this share of the smallest dot's radius holds no dot.
_SEED_DEPTH = 0.8
# Weights of what tells a sticker from ink (see _is_dot and _Candidate): bigger, one even colour,
# ending sharp on paper; not more of the same going on, not fading into the paper, no paper inside.
# A logistic regression fitted to the candidates of seeded synthetic walls of all three tiers
# (true dots against everything else), then checked on held-out seeds and the labelled real
# photos; a score above 0 is a dot.
_SCORE = {
    "size": 42.5,  # per unit of diameter over the note's short side
    "solid": 1.9,
    "excess": -2.4,
    "spread": -0.42,  # per unit of L
    "halo": 2.1,
    "mixture": -8.0,
    "papery": -32.7,
    "lightness": 0.058,  # per unit of L: ink is dark
    "bias": -6.9,
}
# A wider disc round a disc judged ink, but not far from a dot (scoring at least
# `_WIDER_FROM`), must score `_WIDER_MARGIN` to be a dot (`_widest`).
_WIDER_FROM, _WIDER_MARGIN = -5.0, 4.0
# A highlight's colour is this close (Lab, in a and b) to the line from the dot's colour to grey,
# and this much lighter than the dot (`_lit`). A dot of less chroma than `_GREYISH` has no hue
# to keep: its highlight is this close to the way from its colour to white.
_WASHED_MISS, _LIT_RISE, _GREYISH = 12.0, 3.0, 30.0
# Where the paper's lightness is known, a highlight's rise in lightness is at least this share
# of the paper's above the dot, times the share of the dot's chroma it lost. In effect this
# turns away ink blurred into paper of about the opposite hue (purple writing on yellow, whose
# mix goes grey as a highlight does): on the benchmark's walls 5 notes more are wrong without
# it. A mix with white paper, or paper of the ink's own hue, passes it.
_LIT_FLOOR = 0.9
# A straight row of discs is a stroke (`_in_a_row`) if its blob fills more than this share
# of the band round them: touching stickers leave notches and fill about 0.80 of it, a
# beaded marker stroke fills about 0.87; and if their centres lie within this share of a
# radius of one line (the beads of a stroke lie on the pen's path).
_STROKE_FILL, _STROKE_LINE = 0.85, 1 / 3
# A bunch of three or more dots is fitted again with discs these shares of its widest disc:
# where three dots a radius and a half apart meet, a disc about 1.2 times theirs fits; where
# four meet in a square, about 1.4 times, and discs a little smaller than theirs (0.6 of it)
# cover the bunch best. The two smallest shares fit `_SQUARE_OF_DOTS` discs at most.
_BUNCH_SHRINK = (0.9, 0.8, 0.7, 0.6)
_SQUARE_OF_DOTS = 4
# A blob is one dot only if this share of its outline lies on its enclosing circle: a
# highlight bitten out of a dot's rim takes less of it; a bunch of dots only touches it.
_ONE_DOT_RIM = 0.6
# A blob at most 1.35 times its widest disc is that one dot (with a smudge or a stroke
# attached) if this share of its outline lies on that disc's circle: a bunch of dots bulges
# far past the disc in its middle.
_ONE_DOT_INSCRIBED = 0.5
# Two dots found closer than this share of the bigger one's radius are one dot.
_SAME_DOT = 0.6
# Paper is within this Lab distance of the fitted paper colour (for the second fit).
_PAPER_RADIUS = 12.0
# A blob filling this share of its smallest rectangle, this many times longer than wide, is a band.
_BAND_FILL, _BAND_LENGTH = 0.88, 1.8
# The second look (`Params.dot_faint`) skips a core of which the first look's cores were
# this share: it only grew a pixel or so all round at the lower threshold (a dot-sized core
# a pixel wider is about 0.8 old), so nothing new is there.
_FAINT_SEEN = 0.8
# What only the second look finds must score this much to be a dot: at the lower threshold
# the blurred edge of ink counts too, so ink looks fatter and rounder there (a smudge of the
# paper's hue scores about 1, a clean faint dot 4 or more; 2 to 4 count the same on the tiers).
_FAINT_MARGIN = 3.0
# Round a seed, the core is taken with its blob where it is this close to the paper (in
# `dot_delta_e`): the blurred rim and shading; a thing of another colour next to it differs more.
_FAINT_RIM = 1.5
# The seed's colour is the median within this share of the core's depth round it: inside the
# dot, clear of its blurred rim.
_SEED_PROBE = 0.6
# A blob less than this share of the core's disc round its seed lost its middle to a highlight
# (a whole dot covers that disc): its colour is then the darker half within `_DARK_PROBE` of
# the depth (wide enough to reach round a highlight), and the blob that gives is taken if it is
# `_DARK_GAIN` times as big (the dot's face round the highlight, not a few pixels more).
_SHORT_BLOB, _DARK_PROBE, _DARK_GAIN = 0.6, 0.85, 1.3
# A big hole in a blob at least this share of which is the dot's colour washed out is a
# highlight, not a letter's bowl.
_HOLE_LIT = 0.5
# A dot half hidden under another (`_hidden_disc`). Its crescent is seeded down to this share
# of the smallest dot's radius deep: people overlap dots by at most about a radius, which
# leaves about half a radius showing.
_HIDDEN_DEPTH = 0.5
# Its free rim lies within this mean distance (pixels) of a circle: a blurred rim's pixels
# wander by a pixel or so, a stroke's outline by much more.
_ARC_MISS = 2.0
# The free rim leaves no gap wider than this angle (and 2.5 pixels more at either end: the two
# left out beside the dot over it, and the seam): people overlap dots by at most about a
# radius, so a dot under another shows at least two thirds of its rim; ink beside a dot
# leaves a wider gap.
_HIDDEN_ARC = 2 * math.pi / 3
# Its blob and the dot over it fill this share of the circle, and the blob lies this much
# within it.
_HIDDEN_FIT = 0.85
# The dot over it hides this share of it: some (they touch), but not much more than the lens
# two dots a diameter and a half apart share with the seam round it (people leave most of a
# dot showing; ink beside a dot often fits the arc with much more of it "hidden").
_HIDDEN_UNDER = (0.03, 0.3)
# What only shows in part must score this much to be a dot: ink beside a dot fits the arc
# now and then, and scores just above 0 on what shows.
_HIDDEN_MARGIN = 1.0
# A disc whose middle falls back towards the paper by more than this share of the way from the
# paper to its colour, against the ring round it, is a letter's bowl blurred shut (a bold "o",
# "a", "e"), not a sticker: a sticker's face is one colour to its rim (`_hollow`). At 0.3 dots
# with a tinted highlight or across the note's edge start to be lost (more notes wrong on hard).
_HOLLOW = 0.4
# Beyond one edge of the note, a colour this far (Lab) from the wall's that more than this share
# of the strip along that edge is of is another surface there (`_wall_difference`).
_SIDE_APART, _SIDE_SHARE = 30.0, 0.5
# A dot's face round a highlight that reaches its rim (`_crescent`): the hull of the face fills
# at least this share of its enclosing circle (a half disc fills half), and the face at most this
# share of its hull; at least `_CRESCENT_LIT` of what the circle holds besides is the face's colour
# with light added (keeping less than `_CRESCENT_KEPT` of its chroma); the face's inner edge is
# at most `_CRESCENT_SOFT` times as sharp as its rim (about 0.3-0.85 on glossy dots, 0.75-1.3 on
# a letter's bowl). What shows must score this much to be a dot: a smudge of letters in ink of
# the paper's hue, round, with the paper in its bite, scores about 5 on what shows (on a real
# photo: 4.8); the face of a glossy dot, 6 to 11 on the benchmark's walls (a few about 4).
_CRESCENT_ROUND, _CRESCENT_BITE = 0.45, 0.97
_CRESCENT_LIT, _CRESCENT_KEPT, _CRESCENT_SOFT = 0.6, 0.95, 0.85
_CRESCENT_MARGIN = 5.0
_KIN_OPEN = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))


def _disc(diameter: float) -> np.ndarray:
    d = max(1, int(diameter) | 1)
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (d, d))


@dataclass(frozen=True)
class _Patch:
    lab: np.ndarray  # the note flattened, with a margin all round
    box: tuple[int, int, int, int]  # left, top, right, bottom: the note itself, re-found here
    quad: np.ndarray  # the note's corners in image pixels, re-found here
    to_image: np.ndarray  # homography from patch pixels to image pixels
    scale: float  # patch pixels per image pixel


def _flatten(image: np.ndarray, quad: np.ndarray, params: Params) -> _Patch:
    w, h = quad_sides(quad)
    scale = params.note_px / max(min(w, h), 1.0)
    width, height = max(8, round(w * scale)), max(8, round(h * scale))
    margin = int(params.dot_max * params.note_px / 2) + 3
    patch, to_image = warp_quad(image, quad, width, height, margin)
    # 5 x 5 taps: what OpenCV would add for sigma 0.8 (7 x 7) weighs under 0.1% a tap.
    lab = to_lab(cv2.GaussianBlur(patch, (5, 5), 0.8))
    left, top, right, bottom = _edges(lab, margin, width, height)
    corners = transform([[left, top], [right, top], [right, bottom], [left, bottom]], to_image)
    return _Patch(
        lab=lab, box=(left, top, right, bottom), quad=corners, to_image=to_image, scale=scale
    )


def _edges(lab: np.ndarray, margin: int, width: int, height: int) -> tuple[int, int, int, int]:
    """The note's four edges in its flattened patch, each re-found within a few pixels of
    where the coarse pass put it: the row (or column) where the colour changes most, as the
    median along the edge's middle part, so dots and writing across the edge do not move it."""
    band = max(3, int(0.07 * min(width, height)))
    xs = slice(margin + width // 5, margin + width - width // 5)
    ys = slice(margin + height // 5, margin + height - height // 5)

    def peak(profile: np.ndarray, at: int, lo: int) -> int:
        profile = profile[1:-1]  # the strip's own border has no real gradient
        best = int(np.argmax(profile))
        # Only move where there is a clear edge; otherwise trust the coarse pass.
        return lo + 1 + best if profile[best] > 1.5 * _median(profile) + 1e-6 else at

    def rows(at: int) -> int:  # a top or bottom edge: the gradient down, median across
        lo = max(0, at - band - 1)
        strip = lab[lo : at + band + 2, xs]
        g = cv2.transform(np.abs(cv2.Sobel(strip, cv2.CV_32F, 0, 1, ksize=3)), _SUM3)
        return peak(_median(g.T), at, lo)

    def cols(at: int) -> int:  # a left or right edge: the gradient across, median down
        lo = max(0, at - band - 1)
        strip = lab[ys, lo : at + band + 2]
        g = cv2.transform(np.abs(cv2.Sobel(strip, cv2.CV_32F, 1, 0, ksize=3)), _SUM3)
        return peak(_median(g), at, lo)

    top, bottom = rows(margin), rows(margin + height)
    left, right = cols(margin), cols(margin + width)
    if right - left < width // 2 or bottom - top < height // 2:
        return margin, margin, margin + width, margin + height
    return left, top, right, bottom


def _paper_mode(px: np.ndarray) -> np.ndarray:
    """The paper's colour: the commonest colour on the note, not the median, which a note
    half covered in blurred ink or dots drags off the paper into the mixture."""
    if len(px) < 12:
        return np.median(px, axis=0) if len(px) else np.zeros(3, np.float32)
    q = ((px - _MODE_LOW) / _MODE_BIN).astype(np.int32)
    np.clip(q, 0, _MODE_BINS - 1, out=q)
    # Plain arithmetic: numpy's integer matrix product is slow.
    key = q[:, 0] * _MODE_BINS**2 + q[:, 1] * _MODE_BINS + q[:, 2]
    top = int(np.argmax(np.bincount(key)))
    cell = np.array([top // _MODE_BINS**2, top // _MODE_BINS % _MODE_BINS, top % _MODE_BINS])
    centre = ((cell + 0.5) * _MODE_BIN + _MODE_LOW).astype(np.float32)
    column = px.reshape(-1, 1, 3)
    for _ in range(2):  # settle on the middle of that colour's own cluster
        d = cv2.subtract(column, (float(centre[0]), float(centre[1]), float(centre[2]), 0.0))
        near = (cv2.transform(cv2.multiply(d, d), _SUM3) < _ONE_COLOUR**2).astype(np.uint8)
        if np.count_nonzero(near) < 6:
            break
        centre = np.float32(cv2.mean(column, mask=near)[:3])
    return centre


def _wall_difference(lab: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """Outside the note, how far each pixel is from the wall (or whatever the note lies on;
    squared, weighted as the paper's difference): what is not the wall there is the part of a
    dot beyond the note's edge, so a dot across the edge is whole for the tests that follow.
    Inside the note's box the answer is always 0."""
    left, top, right, bottom = box
    h, w = lab.shape[:2]
    found = np.zeros((h, w), np.float32)
    strips = [
        lab[:top:3, ::3],
        lab[bottom::3, ::3],
        lab[top:bottom:3, :left:3],
        lab[top:bottom:3, right::3],
    ]
    px = np.concatenate([s.reshape(-1, 3) for s in strips])
    if len(px) < 12:
        return found
    wall = _paper_mode(px)
    delta = cv2.subtract(
        px.reshape(-1, 1, 3), (float(wall[0]), float(wall[1]), float(wall[2]), 0.0)
    )
    walled = (cv2.transform(cv2.multiply(delta, delta), _SUM3) < _ONE_COLOUR**2).ravel()
    ends = np.cumsum([0] + [s.shape[0] * s.shape[1] for s in strips])
    # Only round the note is asked: on it, everything counts anyway.
    for k, (rows, cols) in enumerate(
        (
            (slice(0, top), slice(0, w)),
            (slice(bottom, h), slice(0, w)),
            (slice(top, bottom), slice(0, left)),
            (slice(top, bottom), slice(right, w)),
        )
    ):
        part = lab[rows, cols]
        if not part.size:
            continue
        found[rows, cols] = _difference2(part, wall)
        # What lies along one edge may be another surface than the wall: a neighbouring note,
        # a deep, wide shadow. Where most of that strip is one colour far from the wall's,
        # that is not a dot either (a dot across the edge would run into it and be lost).
        # (Where at least that share is about the wall's colour, no other colour is.)
        sample = px[ends[k] : ends[k + 1]]
        on_wall = np.count_nonzero(walled[ends[k] : ends[k + 1]])
        if len(sample) < 12 or on_wall >= _SIDE_SHARE * len(sample):
            continue
        side = _paper_mode(sample)
        if float(((side - wall) ** 2).sum()) > _SIDE_APART**2 and np.count_nonzero(
            ((sample - side) ** 2).sum(axis=1) < _ONE_COLOUR**2
        ) > _SIDE_SHARE * len(sample):
            np.minimum(found[rows, cols], _difference2(part, side), out=found[rows, cols])
    return found


def _difference2(lab: np.ndarray, colour: np.ndarray) -> np.ndarray:
    """Each pixel's squared distance from a colour, weighted as the paper's difference."""
    delta = cv2.subtract(lab, (float(colour[0]), float(colour[1]), float(colour[2]), 0.0))
    return cv2.transform(cv2.multiply(delta, delta), _PAPER_WEIGHTS).reshape(lab.shape[:2])


def _paper_difference(
    lab: np.ndarray, box: tuple[int, int, int, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """How far each pixel is from the paper (squared Lab distance), the paper's colour at the
    middle, the paper's colour everywhere (the fitted surfaces), and each pixel's offset from
    it and that offset's squared length (for the colour axes of the blobs).

    The paper's L, a and b are each a quadratic surface fitted to the paper pixels, so shading,
    a curled bottom and uneven light stay "paper".
    """
    left, top, right, bottom = box
    # A sample is plenty for the paper's colour and six coefficients a channel.
    step = max(1, int(np.sqrt((right - left) * (bottom - top) / 1200)))
    grid = lab[top:bottom:step, left:right:step]
    px = grid.reshape(-1, 3)
    median = _paper_mode(px)
    off = px - median
    paper = np.einsum("ij,ij->i", off, off) < 14.0**2
    # A note thick with dots of one colour can show more of them than of itself (where less
    # than half of it is of its commonest colour): the paper is whichever of that colour and
    # the commonest one of a band round its edges (a sixth of the note wide, where dots and
    # writing crowd less) more of that band is about.
    gh, gw = grid.shape[:2]
    band = np.ones((gh, gw), bool)
    band[gh // 6 : gh - gh // 6, gw // 6 : gw - gw // 6] = False
    rim = grid[band]
    if 2 * np.count_nonzero(paper) < len(px) and len(rim) >= 12:
        edge = _paper_mode(rim)
        if float(((edge - median) ** 2).sum()) > 14.0**2:  # two colours, not two shades
            near = [
                np.count_nonzero(((rim - c) ** 2).sum(axis=1) < 14.0**2) for c in (median, edge)
            ]
            if near[1] > near[0]:
                median = edge
                off = px - median
                paper = np.einsum("ij,ij->i", off, off) < 14.0**2
    if paper.sum() < 12:
        paper[:] = True
    if paper.sum() < 12:  # hardly any note left to model: plain distance from its colour
        flat = np.asarray(median if len(px) else (0, 0, 0), dtype=np.float32)
        delta = cv2.subtract(lab, (float(flat[0]), float(flat[1]), float(flat[2]), 0.0))
        model = np.empty_like(lab)
        model[:] = flat
        off = cv2.subtract(lab, model)
        off2 = cv2.transform(cv2.multiply(off, off), _SUM3)
        return cv2.transform(cv2.multiply(delta, delta), _SUM3), flat, model, off, off2
    h, w = lab.shape[:2]
    xn, yn = np.meshgrid(
        np.arange(left, right, step) / w - 0.5, np.arange(top, bottom, step) / h - 0.5
    )
    xn, yn = xn.ravel(), yn.ravel()
    design = np.stack([np.ones_like(xn), xn, yn, xn * xn, xn * yn, yn * yn], axis=1)
    values = px.astype(np.float64)
    for _ in range(2):  # fit, then fit again to what the first fit calls paper (a deeper shadow)
        # The normal equations, solved by OpenCV: numpy's lstsq goes through LAPACK and costs
        # milliseconds on some BLAS builds.
        used = np.compress(paper, design, axis=0)
        target = np.compress(paper, values, axis=0)
        _, coef = cv2.solve(used.T @ used, used.T @ target, flags=cv2.DECOMP_LU)
        miss = values - design @ coef
        again = np.einsum("ij,ij->i", miss, miss) < _PAPER_RADIUS**2
        if np.count_nonzero(again) < 12:
            break
        paper = again
    c = coef.astype(np.float32)  # 6 x 3: a quadratic surface for each of L, a, b
    # The surfaces are smooth: worked out on a coarse grid and stretched to the patch.
    cw, ch = max(2, w // 8), max(2, h // 8)
    gx = ((np.arange(cw, dtype=np.float32) + 0.5) * (w / cw) - 0.5)[None, :] / w - 0.5
    gy = ((np.arange(ch, dtype=np.float32) + 0.5) * (h / ch) - 0.5)[:, None] / h - 0.5
    gx, gy = np.broadcast_arrays(gx, gy)
    coarse = np.stack([np.ones_like(gx), gx, gy, gx * gx, gx * gy, gy * gy], axis=2) @ c
    model = cv2.resize(coarse, (w, h), interpolation=cv2.INTER_LINEAR)
    delta = cv2.subtract(lab, model)
    # Lightness counts a little less than hue: light varies across a wall more than colour does.
    square = cv2.multiply(delta, delta)
    diff2 = cv2.transform(square, _PAPER_WEIGHTS)
    off2 = cv2.transform(square, _SUM3)
    return diff2, model[h // 2, w // 2].astype(np.float32), model, delta, off2


def _peel(blob: np.ndarray, r_min: float, r_max: float) -> list[tuple[float, float, float]]:
    """Discs (x, y, r) that make up a blob, largest first, by taking out the biggest disc
    that fits and looking again."""
    blob = blob.copy()
    circles: list[tuple[float, float, float]] = []
    while len(circles) < 12:
        dist = cv2.distanceTransform(blob, cv2.DIST_L2, 5)
        _, r, _, (x, y) = cv2.minMaxLoc(dist)
        if r < r_min or r > r_max or (circles and r < 0.55 * circles[0][2]):
            break
        circles.append((float(x), float(y), float(r)))
        cv2.circle(blob, (int(x), int(y)), int(round(r * 1.15)) + 1, 0, -1)
    return circles


def _discs(
    blob: np.ndarray, r_min: float, r_max: float
) -> tuple[list[tuple[float, float, float]], bool]:
    """The dots a blob of one colour is made of: (x, y, r) each, and whether the blob is
    explained as a cluster of overlapping dots (True) or was peeled disc by disc (False).

    Dots from one sheet are one size, the size of the biggest disc that fits in the blob.
    A blob bigger than one such disc is fitted with k discs of that size (k-means on its
    pixels places them) for k = 2, 3, ...: the k whose discs cover the blob best wins. Two
    dots overlapping by two thirds of a diameter still come apart; a dot with a stroke of
    the same colour attached fits no such cluster and is peeled instead.
    """
    dist = cv2.distanceTransform(blob, cv2.DIST_L2, 5)
    _, radius, _, (x, y) = cv2.minMaxLoc(dist)
    if radius < r_min:
        return [], False
    # (A widest disc wider than any sticker is one round thing that big, no vote; or the
    # middle of a bunch of dots, fitted below with discs of a sticker's size.)
    pixels = np.count_nonzero(blob)
    area = float(pixels)
    # One dot, maybe with a glossy highlight bitten out of its rim: it fills most of the
    # smallest circle round it.
    contours, _ = cv2.findContours(blob, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    outline = max(contours, key=cv2.contourArea)
    (_, _), (bw, bh), _ = cv2.minAreaRect(outline)
    # The outline's own area, not the pixel count: the rectangle is fitted to the outline's
    # points, the middles of the blob's rim pixels (a pair of touching discs, which fill at
    # most 0.82 of their rectangle, would fill more than 0.88 of it by pixel count).
    fill = cv2.contourArea(outline) / max(bw * bh, 1.0)
    if fill >= _BAND_FILL and max(bw, bh) >= _BAND_LENGTH * min(bw, bh):
        # A band filling its rectangle: a shadow, a fold, a thick line; never round dots.
        return [], False
    (ex, ey), enclosing = cv2.minEnclosingCircle(outline)
    # A bite out of one dot's rim leaves most of its rim on that circle; a bunch of three
    # or four dots fills its enclosing circle about as well, but only touches it.
    on_circle = _on_circle(blob, ex, ey, enclosing)
    if area >= 0.75 * np.pi * enclosing * enclosing and on_circle >= _ONE_DOT_RIM:
        if radius > r_max:
            return [], False  # a round blot wider than any sticker
        if r_min <= enclosing <= r_max:
            return [(float(ex), float(ey), float(enclosing))], False
    one = np.pi * radius * radius
    if area <= 1.35 * one and _on_circle(blob, x, y, radius) >= _ONE_DOT_INSCRIBED:
        return [(float(x), float(y), float(radius))], False
    hull_area = cv2.contourArea(cv2.convexHull(outline))
    if area > 6 * one or area < 0.8 * hull_area:
        return _peel(blob, r_min, r_max), False  # too big or too ragged for a cluster of dots
    ys, xs = np.nonzero(blob[::2, ::2])  # every other pixel places the discs as well
    points = np.column_stack([xs, ys]).astype(np.float32) * 2
    cv2.setRNGSeed(7)  # k-means++ seeding: the same blob always gives the same answer
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 12, 0.5)
    placed: dict[int, np.ndarray] = {}
    # Where three or more dots meet, the widest disc in their blob is wider than any of them:
    # a bunch that no discs of that size fit is fitted again with discs a little smaller.
    for size in [radius] + [share * radius for share in _BUNCH_SHRINK]:
        if size > r_max:
            continue
        if size < radius and (size < r_min or on_circle >= _ONE_DOT_RIM):
            break  # no bunch: discs smaller than any sticker, or one round thing
        best, best_iou = None, 0.0
        # Only a bunch of three or more is wider than its dots; only four in a square need
        # discs that much smaller (more, so small, fit a strip of paper or bold writing).
        most = 6 if size >= _BUNCH_SHRINK[1] * radius else _SQUARE_OF_DOTS
        for k in range(
            2 if size == radius else 3,
            min(most, int(area / (0.55 * math.pi * size * size)) + 1) + 1,
        ):
            if k not in placed:
                placed[k] = cv2.kmeans(points, k, None, criteria, 1, cv2.KMEANS_PP_CENTERS)[2]
            drawn = np.zeros_like(blob)
            for cx, cy in placed[k]:
                # Sub-pixel circles, as wide as the blob's discs: the distance transform's peak
                # falls short of a digital disc's radius by a third of a pixel or so.
                cv2.circle(
                    drawn,
                    (int(cx * 16), int(cy * 16)),
                    int((size + 0.4) * 16),
                    1,
                    -1,
                    cv2.LINE_8,
                    4,
                )
            both = np.count_nonzero(drawn & blob)
            iou = both / max(np.count_nonzero(drawn) + pixels - both, 1)
            if iou > best_iou + 0.02:
                best, best_iou = placed[k], iou
        if best is not None and best_iou >= 0.85:
            if len(best) >= 4 and _in_a_row(best, size, area):
                return [], False  # a thick stroke, not stickers in a queue
            if size < radius and min(cv2.minAreaRect(best)[1]) < size:
                continue  # a line of discs is a stroke, not a bunch
            return [(float(cx), float(cy), float(size)) for cx, cy in best], True
        if area < 2.5 * math.pi * (_BUNCH_SHRINK[-1] * radius) ** 2:
            break  # too small for a bunch of three
    return _peel(blob, r_min, r_max), False


def _hull(blob: np.ndarray) -> np.ndarray:
    """The convex hull of a blob's biggest part, filled (uint8)."""
    outlines, _ = cv2.findContours(blob, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    hull = np.zeros_like(blob)
    cv2.fillPoly(hull, [cv2.convexHull(max(outlines, key=len))], 1)
    return hull


def _on_circle(blob: np.ndarray, x: float, y: float, r: float) -> float:
    """The share of the points of a blob's outline that lie on a circle."""
    contours, _ = cv2.findContours(blob, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    rim = max(contours, key=len)[:, 0, :].astype(np.float32)
    off = np.abs(np.hypot(rim[:, 0] - x, rim[:, 1] - y) - r)
    return float(np.count_nonzero(off < max(1.5, 0.1 * r))) / len(rim)


def _washed(light: np.ndarray, face: np.ndarray) -> bool:
    """Whether the colour `light` is the colour `face` washed out by a highlight on it, not
    another colour: the next dot of a cluster."""
    one = np.asarray(light, np.float32).reshape(1, 1, 3)
    return bool(_lit(one, face, _WASHED_MISS, (0.05, 1.0))[0, 0])


def _near(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two colours are about one (as near as the pixels of one blob are)."""
    d = a - b
    return float(0.6 * d[0] * d[0] + d[1] * d[1] + d[2] * d[2]) < _BLOB_TOL_MAX**2


def _in_a_row(centres: np.ndarray, radius: float, area: float) -> bool:
    """Whether discs lie on one straight line (within a third of a radius) and their blob
    fills the band from the first to the last like a marker's stroke. Stickers stuck in a
    row leave notches between them: touching ones fill about 0.8 of that band, a beaded
    stroke about 0.87."""
    pts = np.asarray(centres, np.float32).reshape(-1, 2)
    (_, _), (w, h), _ = cv2.minAreaRect(pts)
    band = 2 * radius * max(w, h) + math.pi * radius**2
    return min(w, h) < _STROKE_LINE * radius and area > _STROKE_FILL * band


def _fill_holes(
    mask: np.ndarray, window: np.ndarray, colour: np.ndarray, allowed: np.ndarray
) -> np.ndarray:
    """Fill the holes of a dot's blob that are small, or that are mostly its colour washed
    towards white (`window`: Lab; `allowed`: what is not paper): a glossy highlight. The
    inside of a letter "O" or a drawn ring is a big hole of paper, and filling it would make
    a disc of it."""
    contours, hierarchy = cv2.findContours(mask, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if len(contours) < 2:  # one outline: no hole
        return mask
    holes = np.flatnonzero(hierarchy[0][:, 3] >= 0)
    if not len(holes):
        return mask
    filled = mask.copy()
    for i in holes:
        parent = hierarchy[0][i, 3]
        if cv2.contourArea(contours[i]) >= 0.15 * cv2.contourArea(contours[parent]):
            x, y, w, h = cv2.boundingRect(contours[i])
            hole = np.zeros((h, w), np.uint8)
            cv2.drawContours(hole, contours, int(i), 1, -1, offset=(-x, -y))
            hole[mask[y : y + h, x : x + w] > 0] = 0
            lit = _lit(window[y : y + h, x : x + w], colour) & allowed[y : y + h, x : x + w]
            if np.count_nonzero(lit & (hole > 0)) < _HOLE_LIT * np.count_nonzero(hole):
                continue
        cv2.drawContours(filled, contours, int(i), 1, -1)
    return filled


def _lit(
    window: np.ndarray,
    colour: np.ndarray,
    tolerance: float = _WASHED_MISS,
    washed: tuple[float, float] = (0.05, 0.9),
    paper_l: np.ndarray | None = None,
) -> np.ndarray:
    """Where `window` (Lab) is `colour` washed out by a highlight, by a share within `washed`
    (short of the white itself: white paper inside a black letter "O").

    A highlight adds the lamp's light to the dot's: lighter, and the dot's hue with its chroma
    shrunk towards grey. Not towards white as such: the lamp is as bright as it is (a dot in
    dim light has a dim highlight) and of its own tint (a colour cast), and a mix in the
    camera's RGB bends a little in Lab; so the lightness is only asked to rise. A greyish dot
    has no hue to keep: its highlight is the way towards white. `paper_l`: the paper's
    lightness there, which the lamp's reflection is at least about as light as."""
    ab = np.float32([0.0, colour[1], colour[2]])
    n2 = float(ab @ ab)
    lo, hi = washed
    if n2 < _GREYISH**2:
        gloss = np.float32([100.0, 0.0, 0.0]) - colour
        g2 = max(float(gloss @ gloss), 1.0)
        delta = cv2.subtract(window, (float(colour[0]), float(colour[1]), float(colour[2]), 0.0))
        s, orth2 = _along(delta, cv2.transform(cv2.multiply(delta, delta), _SUM3), gloss, g2)
        return (s > lo) & (s < hi) & (orth2 < tolerance * tolerance)
    # The share of the dot's chroma kept, and the squared distance from its hue's line.
    kept = cv2.transform(window, (ab / n2).reshape(1, 3))
    orth2 = cv2.subtract(
        cv2.transform(cv2.multiply(window, window), _CHROMA2), cv2.multiply(kept, kept, scale=n2)
    )
    lit = (
        (kept > 1 - hi)
        & (kept < 1 - lo)
        & (orth2 < tolerance * tolerance)
        & (window[..., 0] > colour[0] + _LIT_RISE)
    )
    if paper_l is not None:
        # A mix of the dot's colour and the paper (ink blurred into it) loses as much colour
        # for less light: it is no lighter than the paper's share of it.
        lit &= window[..., 0] - colour[0] > _LIT_FLOOR * (1 - kept) * (paper_l - colour[0])
    return lit


def _colour_blob(
    window: np.ndarray,
    wmodel: np.ndarray,
    off: tuple[np.ndarray, np.ndarray],
    diff2: np.ndarray,
    allowed: np.ndarray,
    seed: tuple[int, int],
    depth: float,
    paper: np.ndarray,
    darker: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The blob of the seed's own colour around it: the dot (or overlapping dots of one colour),
    without the ink of other colours it sits on, and with any part of it beyond the note's edge.

    Returns the blob (uint8, small holes filled: a glossy highlight), the seed's colour, the
    way from the paper to that colour (Lab), and what is loosely of that colour (uint8).
    `darker`: the seed's colour is that of the darker half round it (a glossy highlight, lighter
    than the dot's face, can cover the dot's middle).
    """
    sx, sy = seed
    r = max(1, int(depth * (_DARK_PROBE if darker else _SEED_PROBE)))
    probe = window[max(0, sy - r) : sy + r + 1, max(0, sx - r) : sx + r + 1].reshape(-1, 3)
    if darker:
        probe = probe[np.argsort(probe[:, 0])[: max(1, len(probe) // 2)]]
    colour = _median(probe)
    away = colour - paper
    tolerance = min(max(_BLOB_TOL * math.sqrt(float(away @ away)), _BLOB_TOL_MIN), _BLOB_TOL_MAX)
    delta = cv2.subtract(window, (float(colour[0]), float(colour[1]), float(colour[2]), 0.0))
    square = cv2.multiply(delta, delta)
    distance2 = cv2.transform(square, _PAPER_WEIGHTS)
    # Near the dot's colour, and nearer it than the paper's (a faint yellow dot on a canary note
    # never runs out into the paper) ...
    same = distance2 < np.minimum(diff2, tolerance * tolerance)
    # Loosely of that colour: of about its hue and chroma, however light or dark (its own
    # shaded side, a highlight's rim).
    loose = cv2.transform(square, _CHROMA2) < (1.25 * tolerance) ** 2
    # ... or more than half way from the paper to the dot's colour, and on the way there: the
    # dot's own blurred edge up to its middle, so the blob is as big as the dot.
    axis = colour - wmodel[sy, sx]
    n2 = float(axis @ axis)
    if n2 > 1:
        t, orth2 = _along(off[0], off[1], axis, n2)
        tol = max(_BLOB_TOL_MIN, 0.25 * math.sqrt(n2))
        same |= (t > 0.5) & (orth2 < tol * tol)
    if darker and colour[1] ** 2 + colour[2] ** 2 > _GREYISH**2:
        # ... or that colour washed out: the highlight, on a coloured dot; unless the paper
        # itself lies that way (a lighter shade of the dot's colour).
        if not _lit(wmodel[sy : sy + 1, sx : sx + 1], colour, 3 * tolerance, (0.0, 1.0))[0, 0]:
            same |= _lit(window, colour, tolerance, (0.0, 1.0), wmodel[..., 0])
    same = cv2.morphologyEx((same & allowed).view(np.uint8), cv2.MORPH_CLOSE, _SQUARE3)
    if not same[sy, sx]:
        blob = np.zeros(window.shape[:2], np.uint8)
        cv2.circle(blob, (sx, sy), r, 1, -1)
        return blob, colour, axis, loose.view(np.uint8)
    # The seed's own 8-connected part (filling it costs less than labelling every part).
    cv2.floodFill(same, None, (int(sx), int(sy)), 2, 0, 0, 8)
    blob = (same == 2).view(np.uint8)
    return _fill_holes(blob, window, colour, allowed), colour, axis, loose.view(np.uint8)


def _kin(off: np.ndarray, off2: np.ndarray, axis: np.ndarray) -> np.ndarray:
    """Any mix of the paper and the colour at the end of `axis`: what a blob of ink blurs into
    (`off`: each pixel's offset from the paper, `off2` its squared length)."""
    n2 = float(axis @ axis)
    if n2 <= 1:
        return np.zeros(off.shape[:2], bool)
    t, orth2 = _along(off, off2, axis, n2)
    tol = max(_BLOB_TOL_MIN, 0.25 * math.sqrt(n2))
    return (t > 0.25) & (orth2 < tol * tol)


def _along(
    p: np.ndarray, p2: np.ndarray, axis: np.ndarray, n2: float
) -> tuple[np.ndarray, np.ndarray]:
    """Each pixel's offset from the paper `p` (`p2` its squared length) split along `axis`
    (t: 0 paper, 1 the colour at the axis' end) and across it (squared distance from the line)."""
    t = cv2.transform(p, (axis / n2).reshape(1, 3).astype(np.float32))
    return t, cv2.subtract(p2, cv2.multiply(t, t, scale=n2))


@dataclass(frozen=True)
class _Candidate:
    """A disc found in a blob of one colour, with what tells a dot from ink (patch pixels)."""

    x: float
    y: float
    r: float
    solid: float  # share of the inner disc that is the blob's colour (or a highlight on it)
    spread: float  # spread of lightness inside the disc, highlight aside
    papery: float  # share of the inner disc that is about the paper's colour
    excess: float  # share of an annulus round the disc (1.1 r to 1.5 r) that is the blob
    halo: float  # share of that annulus that differs from the paper
    mixture: float  # share of that annulus that is a mix of the disc's colour and the paper
    colour: tuple[float, float, float]  # mean Lab inside the disc
    hollow: float = 0.0  # how far its middle falls back towards the paper (`_hollow`)
    faint: bool = False  # found only by the second look, at the lower threshold
    hidden: bool = False  # half hidden under another dot: judged on what shows of it
    crescent: bool = False  # a face round a highlight reaching its rim: judged on the face


def _parts(mask: np.ndarray) -> tuple[np.ndarray, dict[int, tuple[int, int, int, int]]]:
    """The 8-connected parts of a mask: their labels, and each label's box (x, y, w, h).

    The boxes come from each part's outside outline (a part in another's hole has one too):
    OpenCV's own statistics cost several times more than the labelling."""
    _, labels = cv2.connectedComponents(mask, connectivity=8)
    outlines, hierarchy = cv2.findContours(mask, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    boxes = {}
    if outlines:
        for i in np.flatnonzero(hierarchy[0][:, 3] < 0):  # outside outlines, not holes'
            x, y = outlines[i][0, 0]
            boxes[int(labels[y, x])] = cv2.boundingRect(outlines[i])
    return labels, boxes


def _candidates(
    lab: np.ndarray, box: tuple[int, int, int, int], params: Params
) -> list[_Candidate]:
    h, w = lab.shape[:2]
    left, top, right, bottom = box
    inner = np.zeros((h, w), dtype=bool)
    inner[top:bottom, left:right] = True
    diff2, paper, model, off, off2 = _paper_difference(lab, box)
    fit = (diff2, paper, model, off, off2, _wall_difference(lab, box))
    found, cores = _scan(lab, inner, fit, params, None)
    if params.dot_faint <= 0:
        return found
    # A second look at a lower threshold, for dots of about the paper's colour (a yellow dot
    # on a canary note in a colour cast), only where it shows much more than the first look
    # did and no dot was found: what it finds must look all the more like a sticker.
    dots = {(min(h - 1, int(c.y)), min(w - 1, int(c.x))) for c in found if _score(c, params) > 0}
    lower = replace(params, dot_delta_e=params.dot_faint * params.dot_delta_e)
    more, _ = _scan(lab, inner, fit, lower, (cores, sorted(dots)))
    return found + [replace(c, faint=True) for c in more]


def _scan(
    lab: np.ndarray,
    inner: np.ndarray,
    fit: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    params: Params,
    seen: tuple[np.ndarray, list[tuple[int, int]]] | None,
) -> tuple[list[_Candidate], np.ndarray]:
    """The candidate discs of the things that differ from the paper by more than
    `params.dot_delta_e`, and the cores they were looked for in (uint8). `fit`: the paper's
    squared difference, colour, model, each pixel's offset from it and its squared length, and
    the wall's squared difference. `seen` (a second look): the first look's cores and the
    pixels (row, column) of the dots it found; a core holding a dot, or mostly the first
    look's, is skipped."""
    d_min = params.dot_min * params.note_px
    d_max = params.dot_max * params.note_px
    # No disc is wider than the widest sticker: a round thing wider (a filled-in doodle, a
    # magnet) is not a vote.
    r_min, r_max = 0.5 * d_min, 0.5 * d_max
    h, w = lab.shape[:2]
    diff2, paper, model, off, off2, wall2 = fit
    note = inner | (wall2 > params.dot_delta_e**2)  # the note and what lies on it
    odd = (diff2 > params.dot_delta_e**2) & note
    cores = cv2.morphologyEx(odd.view(np.uint8), cv2.MORPH_OPEN, _disc(0.8 * d_min))
    labels, boxes = _parts(cores)
    if seen is not None and boxes:
        first, dots = seen
        size = np.bincount(labels[cores > 0], minlength=len(boxes) + 1)  # the cores' pixels only
        before = np.bincount(labels[first > 0], minlength=len(size))
        for y, x in dots:
            boxes.pop(int(labels[y, x]), None)
        for label in [k for k in boxes if before[k] >= _FAINT_SEEN * size[k]]:
            boxes.pop(label)
    if not boxes:
        return [], cores  # nothing (new) on the note at least as wide as the smallest dot
    faint = (diff2 < (_FAINT_RIM * params.dot_delta_e) ** 2).view(np.uint8)  # shading, not things
    # Blobs are looked for only in the thick parts: a dot stays whole, the pen strokes it sits
    # on (of its own colour, say) fall away.
    thick = cv2.dilate(cores, _disc(_THICK_GROW)).view(bool) & note
    found: list[_Candidate] = []

    def measure(blob_at, bounds, disc_at, cluster, colour, axis, covered=None) -> _Candidate:
        return _measure(
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

    def crescent(blob, win, colour, axis, bounds) -> bool:
        # A dot whose glossy highlight reaches its rim can show only as a crescent of its
        # colour round the highlight (`_crescent`): it is judged on that face, the highlight
        # set aside. A grey or black crescent round something lighter is as much a letter's
        # bowl (a highlight and white paper both lie towards white).
        if colour[1] ** 2 + colour[2] ** 2 <= _GREYISH**2:
            return False
        # Only on paper of about the dot's hue is a highlight of about the paper's colour, and
        # left out of the blob: elsewhere it is told from the paper, and is in the blob.
        a, b = float(colour[1]), float(colour[2])
        pa, pb = a - float(axis[1]), b - float(axis[2])  # the paper's
        off_hue2 = (pa * b - pb * a) ** 2 / (a * a + b * b)
        if pa * a + pb * b <= 0 or off_hue2 > (3 * _WASHED_MISS) ** 2:
            return False
        v0, u0 = win[0].start, win[1].start
        disc = _crescent(blob, lab[win], colour, r_min, r_max)
        if disc is None:
            return False
        cx, cy, r = disc
        if not inner[min(h - 1, int(cy + v0)), min(w - 1, int(cx + u0))]:
            return False
        lit = np.zeros((h, w), np.uint8)
        cv2.circle(lit, (int(cx + u0), int(cy + v0)), int(r), 1, -1)
        lit[win][blob > 0] = 0
        c = measure((blob, u0, v0), bounds, (cx + u0, cy + v0, r), [(cx, cy, r)], colour, axis, lit)
        if _score(c, params) <= _CRESCENT_MARGIN:
            return False  # (and the blob stays for the looks that follow)
        found.append(replace(c, crescent=True))
        return True

    # A blob is a connected part of the thick pixels, closed by one pixel: it lies within one
    # part of `thick` grown by a pixel. Each blob is worked out on that part's box alone (and
    # each disc's surroundings on their own box), never on the whole window a dot could fill.
    # Each part's box is found when a seed first lies in it (by filling it: most parts hold no
    # seed), the parts are numbered 2, 3, ... as they are filled.
    reach = cv2.dilate(thick.view(np.uint8), _SQUARE3)
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
                if depth < r_min * _HIDDEN_DEPTH or claimed is None:
                    break
                # A thinner piece of the core beside a dot found already may be a dot half
                # hidden under it, seen as a crescent: each such piece is looked at once.
                cv2.floodFill(framed, None, (int(cx), int(cy)), 2, 0, 0, 8)
                piece = core == 2
                core[piece] = 0
                ring = cv2.dilate(piece.view(np.uint8), _SQUARE3, iterations=2)
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
            blob, colour, axis, kin = _colour_blob(*args)
            short = np.count_nonzero(blob) < _SHORT_BLOB * math.pi * depth * depth
            if short:
                # Less than the core round the seed: maybe the seed's colour was a highlight's.
                again = _colour_blob(*args, darker=True)
                if np.count_nonzero(again[0]) > _DARK_GAIN * np.count_nonzero(blob) and _washed(
                    colour, again[1]
                ):
                    blob, colour, axis, kin = again
            circles, cluster = ([], False) if hidden else _discs(blob, r_min, r_max)
            if not (short or circles or hidden) and colour[1] ** 2 + colour[2] ** 2 > _GREYISH**2:
                # Of no dot's shape: maybe a crescent, the dot's face round a highlight that
                # reaches its rim. The dot is that face and the highlight on it, which lies
                # within the crescent's outline (not the wall beyond a curled corner's shade).
                again = _colour_blob(*args, darker=True)
                bitten = again[0] & (_hull(blob) | blob)
                if np.count_nonzero(bitten) > np.count_nonzero(blob):
                    whole = _discs(bitten, r_min, r_max)
                    if whole[0]:
                        blob, colour, axis, kin = bitten, *again[1:]
                        circles, cluster = whole
            # Whatever it turns out to be, this blob is dealt with: take it out of the core,
            # with the rest of the core round the seed that is of about its colour (a dot's
            # shaded side) or faint (shading), but not things of other colours there: a dot
            # across the seam with a neighbouring note stays for a seed of its own.
            taken = np.zeros_like(blob)
            cv2.circle(taken, (sx - u0, sy - v0), max(1, int(depth)), 1, -1)
            taken &= kin | faint[win]
            taken |= cv2.dilate(blob, _SQUARE3)
            cy0, cx0 = max(v0, by), max(u0, bx)
            cy1, cx1 = min(v1, by + bh), min(u1, bx + bw)
            if cy1 > cy0 and cx1 > cx0:
                core[cy0 - by : cy1 - by, cx0 - bx : cx1 - bx][
                    taken[cy0 - v0 : cy1 - v0, cx0 - u0 : cx1 - u0].view(bool)
                ] = 0
            if not circles:
                if not (hidden or short) and crescent(blob, win, colour, axis, (x0, y0, x1, y1)):
                    continue
                later.append((blob, win, colour, axis, (x0, y0, x1, y1)))
                continue
            best = -math.inf  # the best score of a disc of this blob
            for px, py, r in circles:
                if not inner[min(h - 1, int(py + v0)), min(w - 1, int(px + u0))]:
                    continue  # another note's: it counts there
                measured = measure(
                    (blob, u0, v0),
                    (x0, y0, x1, y1),
                    (px + u0, py + v0, r),
                    circles if cluster else [(px, py, r)],
                    colour,
                    axis,
                )
                found.append(measured)
                first = _score(measured, params)
                best = max(best, first)
                if first > 0 and not hidden:
                    # What a dot found later may be hidden under.
                    if claimed is None:
                        claimed, owners = np.zeros((h, w), np.uint8), np.zeros((h, w), np.int32)
                    claimed[win] |= blob
                    faces.append(colour)
                    owners[win][blob > 0] = len(faces)
                if cluster or hidden or first > 0 or first < _WIDER_FROM:
                    continue
                # Only part of a dot may be of the seed's colour (a highlight, shading): the
                # widest disc of things unlike the paper round this one is judged too, and
                # must look all the more like a sticker.
                if odd_depth is None:
                    odd_depth = cv2.distanceTransform(odd.view(np.uint8), cv2.DIST_L2, 3)
                wider = _widest(odd_depth, px + u0, py + v0, r)
                if wider is not None and r_min <= wider[2] <= r_max:
                    again = measure(
                        (blob, u0, v0),
                        (x0, y0, x1, y1),
                        wider,
                        [(wider[0] - u0, wider[1] - v0, wider[2])],
                        colour,
                        axis,
                    )
                    if _score(again, params) > _WIDER_MARGIN:
                        found.append(again)
                        best = math.inf
            # A face round a highlight holds a disc not far from a dot's score (its widest
            # disc lies between the horns): that disc is ink, but the dot may be its circle.
            if _WIDER_FROM < best <= 0 and not (cluster or hidden or short):
                crescent(blob, win, colour, axis, (x0, y0, x1, y1))
    if claimed is None:
        return found, cores
    for blob, win, colour, axis, bounds in later:
        v0, u0 = win[0].start, win[1].start
        for px, py, r in _hidden_disc(blob, claimed[win], r_min, r_max):
            ring = np.zeros_like(blob)
            cv2.circle(ring, (int(px), int(py)), int(r) + 3, 1, -1)
            over = np.bincount(owners[win][ring > 0], minlength=2)
            # A dot over it of its own colour (or that colour lit or shaded) is the rest of
            # one dot, cut in two by a highlight: two dots of one colour make one blob.
            if not over[1:].any():
                continue
            face = faces[int(np.argmax(over[1:]))]
            if _washed(colour, face) or _washed(face, colour) or _near(colour, face):
                continue
            if inner[min(h - 1, int(py + v0)), min(w - 1, int(px + u0))]:
                found.append(
                    measure(
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


def _hidden_disc(
    blob: np.ndarray, claimed: np.ndarray, r_min: float, r_max: float
) -> list[tuple[float, float, float]]:
    """The dot (x, y, r) a blob is the visible part of, where a dot found already (`claimed`:
    its blob) lies over the rest, or none. The blob's own rim, away from the dot over it, must
    be an arc of a dot's size going most of the way round (a dot under another still shows
    most of its rim), and the disc it draws must be the blob and the dot over it: a letter's
    stroke or a drawn ring beside a dot is not."""
    if np.count_nonzero(blob) < 0.5 * math.pi * r_min * r_min:
        return []  # less than half of the smallest dot shows
    x, y, w, h = cv2.boundingRect(blob)
    if not claimed[max(0, y - 3) : y + h + 3, max(0, x - 3) : x + w + 3].any():
        return []  # no dot found next to it
    near = cv2.dilate(claimed, _SQUARE3, iterations=2)
    contours, _ = cv2.findContours(blob, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    rim = max(contours, key=len)[:, 0, :]
    rim = rim[near[rim[:, 1], rim[:, 0]] == 0].astype(np.float64)
    if len(rim) < 12:
        return []
    x, y = rim[:, 0], rim[:, 1]
    # The circle through the rim's points, by least squares: x² + y² + D x + E y + F = 0.
    design = np.column_stack([x, y, np.ones_like(x)])
    _, (d, e, f) = cv2.solve(
        design.T @ design, (design.T @ -(x * x + y * y)).reshape(3, 1), flags=cv2.DECOMP_LU
    )
    cx, cy = -0.5 * float(d[0]), -0.5 * float(e[0])
    r2 = cx * cx + cy * cy - float(f[0])
    if r2 <= 0:
        return []
    r = math.sqrt(r2)
    if not r_min <= r + 0.5 <= r_max or np.mean(np.abs(np.hypot(x - cx, y - cy) - r)) > _ARC_MISS:
        return []
    angles = np.sort(np.arctan2(y - cy, x - cx))
    # The seam between the two (and the pixels left out next to the dot over it) widens the gap.
    if np.max(np.diff(np.append(angles, angles[0] + 2 * math.pi))) > _HIDDEN_ARC + 5.0 / r:
        return []  # too little of its rim shows
    r += 0.5  # the outline runs through the middles of the rim's pixels
    ix, iy = int(round(cx)), int(round(cy))
    if 0 <= iy < blob.shape[0] and 0 <= ix < blob.shape[1] and claimed[iy, ix]:
        return []  # more than half hidden: people leave more of a dot showing
    centre = (int(round(cx * 16)), int(round(cy * 16)))
    disc, grown = np.zeros_like(blob), np.zeros_like(blob)
    cv2.circle(disc, centre, int(r * 16), 1, -1, cv2.LINE_8, 4)
    cv2.circle(grown, centre, int((r + 1) * 16), 1, -1, cv2.LINE_8, 4)
    n = np.count_nonzero(disc)
    shown = np.count_nonzero(grown & blob)
    # The seam between the two blobs (a blurred mix of both colours) is under the dot over it.
    under = np.count_nonzero(disc & near & ~blob)
    if (
        shown < _HIDDEN_FIT * np.count_nonzero(blob)
        or np.count_nonzero(disc & blob) + under < _HIDDEN_FIT * n
        or not _HIDDEN_UNDER[0] * n <= under <= _HIDDEN_UNDER[1] * n
    ):
        return []
    return [(cx, cy, r)]


def _crescent(
    blob: np.ndarray, window: np.ndarray, colour: np.ndarray, r_min: float, r_max: float
) -> tuple[float, float, float] | None:
    """The dot (x, y, r) a blob is the face of, round a glossy highlight that reaches the dot's
    rim, or none. The face's outer rim (its outline where it lies on its convex hull) is an arc
    of a dot's size going at least half way round; the circle it draws holds the blob; what it
    holds besides is the dot's colour with light added (no darker, of its hue, less of its
    chroma); and the face fades into it, where its rim is a step onto the paper."""
    pixels = np.count_nonzero(blob)
    bx, by, bw, bh = cv2.boundingRect(blob)
    if pixels < 0.3 * math.pi * r_min * r_min or max(bw, bh) > 2.2 * r_max + 2:
        return None  # too small, or too long for a dot's circle (cheap tests first)
    part = blob[by : by + bh, bx : bx + bw]
    contours, _ = cv2.findContours(
        part, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE, offset=(int(bx), int(by))
    )
    outline = max(contours, key=len)
    hull = cv2.convexHull(outline)
    hull_area = cv2.contourArea(hull)
    (_, _), enclosing = cv2.minEnclosingCircle(hull)
    # Round (a half disc fills half its enclosing circle) and hollowed on one side.
    if not (
        r_min <= enclosing <= 1.1 * r_max
        and hull_area >= _CRESCENT_ROUND * math.pi * enclosing * enclosing
        and pixels < _CRESCENT_BITE * hull_area
    ):
        return None
    # What lies in the bite between its horns is the highlight: cheap to ask before the circle.
    bite = np.zeros_like(part)
    cv2.fillPoly(bite, [hull], 1, offset=(-int(bx), -int(by)))
    bitten = window[by : by + bh, bx : bx + bw][(bite & ~part).view(bool)]
    if _lit_share(bitten, colour) < _CRESCENT_LIT:
        return None
    # The outline's points on the hull: its outer rim (and the chord across its horns). Each
    # point lies under the hull's side between the corners before and after it on the outline.
    rim = outline[:, 0, :].astype(np.float64)
    corners = np.sort(cv2.convexHull(outline, returnPoints=False)[:, 0])
    side = np.searchsorted(corners, np.arange(len(rim)), side="right") - 1  # -1: the last side
    a, b = rim[corners[side]], rim[corners[(side + 1) % len(corners)]]
    ab, ap = b - a, rim - a
    cross = ab[:, 0] * ap[:, 1] - ab[:, 1] * ap[:, 0]
    arc = rim[cross * cross < np.maximum((ab * ab).sum(axis=1), 1.0)]
    if len(arc) < 12:
        return None
    for _ in range(2):  # the circle through them, then through those on it (not the chord)
        x, y = arc[:, 0], arc[:, 1]
        design = np.column_stack([x, y, np.ones_like(x)])
        _, (d, e, f) = cv2.solve(
            design.T @ design, (design.T @ -(x * x + y * y)).reshape(3, 1), flags=cv2.DECOMP_LU
        )
        cx, cy = -0.5 * float(d[0]), -0.5 * float(e[0])
        r2 = cx * cx + cy * cy - float(f[0])
        if r2 <= 0:
            return None
        on = np.abs(np.hypot(x - cx, y - cy) - math.sqrt(r2)) < 2.0
        if np.count_nonzero(on) < 12:
            return None
        arc = arc[on]
    miss = np.abs(np.hypot(x - cx, y - cy) - math.sqrt(r2))
    r = math.sqrt(r2) + 0.5  # the outline runs through the middles of the rim's pixels
    if not r_min <= r <= r_max or np.mean(miss) > _ARC_MISS:
        return None
    angles = np.sort(np.arctan2(y - cy, x - cx))
    if np.max(np.diff(np.append(angles, angles[0] + 2 * math.pi))) > math.pi:
        return None  # less than half way round
    # Only the circle's box (and a few pixels for the gradient) is looked at from here on.
    h, w = blob.shape
    x0, y0 = max(0, int(cx - r) - 4), max(0, int(cy - r) - 4)
    x1, y1 = min(w, int(cx + r) + 5), min(h, int(cy + r) + 5)
    blob, window = blob[y0:y1, x0:x1], window[y0:y1, x0:x1]
    cx, cy = cx - x0, cy - y0
    centre = (int(round(cx * 16)), int(round(cy * 16)))
    disc, grown = np.zeros_like(blob), np.zeros_like(blob)
    cv2.circle(disc, centre, int(r * 16), 1, -1, cv2.LINE_8, 4)
    cv2.circle(grown, centre, int((r + 1) * 16), 1, -1, cv2.LINE_8, 4)
    if np.count_nonzero(grown & blob) < _HIDDEN_FIT * pixels:
        return None
    opening = window[(disc & ~blob).view(bool)]
    if len(opening) < 0.1 * np.count_nonzero(disc) or _lit_share(opening, colour) < _CRESCENT_LIT:
        return None
    # The face fades into a highlight (a soft patch of light), and its rim is a step onto the
    # paper: its inner edge is much softer than its rim. Ink's two edges are alike.
    g2 = cv2.transform(
        cv2.Sobel(window, cv2.CV_32F, 1, 0) ** 2 + cv2.Sobel(window, cv2.CV_32F, 0, 1) ** 2, _SUM3
    )
    ys, xs = np.nonzero(blob - cv2.erode(blob, _SQUARE3))
    dist = np.hypot(xs - cx, ys - cy)
    outer, inside = np.abs(dist - r) < 2.0, dist < r - 2.5
    if np.count_nonzero(inside) < 6 or np.count_nonzero(outer) < 6:
        return None
    if _median(g2[ys[inside], xs[inside]]) > _CRESCENT_SOFT**2 * _median(g2[ys[outer], xs[outer]]):
        return None
    return cx + x0, cy + y0, r


def _lit_share(px: np.ndarray, colour: np.ndarray) -> float:
    """The share of pixels (Lab, n x 3) that are a colour with light added, as a highlight adds
    the lamp's: no darker (under noise), of its hue, with less of its chroma."""
    if not len(px):
        return 0.0
    a, b = float(colour[1]), float(colour[2])
    n2 = a * a + b * b
    pa, pb = px[:, 1], px[:, 2]
    kept = (pa * a + pb * b) / n2
    # The squared distance from the hue's line (through grey), for any chroma along it.
    orth2 = (pa * b - pb * a) ** 2 / n2
    lit = (
        (kept > 0)
        & (kept < _CRESCENT_KEPT)
        & (orth2 < (2 * _WASHED_MISS) ** 2)
        & (px[:, 0] > colour[0] - _LIT_RISE)
    )
    return np.count_nonzero(lit) / len(px)


def _widest(depth: np.ndarray, x: float, y: float, r: float) -> tuple[float, float, float] | None:
    """The widest disc (x, y, r) of a mask (`depth`: its distance transform) centred within
    the disc (x, y, r), if it is much wider than that disc."""
    h, w = depth.shape
    x0, y0 = max(0, int(x - r)), max(0, int(y - r))
    x1, y1 = min(w, int(x + r) + 1), min(h, int(y + r) + 1)
    within = np.zeros((y1 - y0, x1 - x0), np.uint8)
    cv2.circle(within, (int(x) - x0, int(y) - y0), max(1, int(r)), 1, -1)
    _, best, _, (bx, by) = cv2.minMaxLoc(depth[y0:y1, x0:x1], mask=within)
    if best < 1.25 * r:
        return None
    return float(bx + x0), float(by + y0), float(best)


def _measure(
    lab: np.ndarray,
    off: tuple[np.ndarray, np.ndarray],
    diff2: np.ndarray,
    odd: np.ndarray,
    note: np.ndarray,
    blob_at: tuple[np.ndarray, int, int],
    bounds: tuple[int, int, int, int],
    disc_at: tuple[float, float, float],
    cluster: list[tuple[float, float, float]],
    colour: np.ndarray,
    axis: np.ndarray,
    params: Params,
    covered: np.ndarray | None = None,
) -> _Candidate:
    """What tells a dot from ink, measured on a disc (patch pixels) of the blob `blob_at`
    (the blob and its box's left and top) and round it, within `bounds` (the window a dot
    could fill); the discs of `cluster` (blob pixels) are not more of it. `off`: each pixel's
    offset from the paper, and its squared length."""
    blob, u0, v0 = blob_at
    x, y, r = disc_at
    ring_r = max(2, int(round(r * 1.5)))
    # The ring's box, and 4 pixels more: the opening of the mixture looks that far.
    f0, g0 = max(bounds[0], int(x) - ring_r - 4), max(bounds[1], int(y) - ring_r - 4)
    f1, g1 = min(bounds[2], int(x) + ring_r + 5), min(bounds[3], int(y) + ring_r + 5)
    box = (slice(g0, g1), slice(f0, f1))
    window = lab[box]
    here = np.zeros(window.shape[:2], np.uint8)
    a0, b0 = max(f0, u0), max(g0, v0)
    a1, b1 = min(f1, u0 + blob.shape[1]), min(g1, v0 + blob.shape[0])
    if a1 > a0 and b1 > b0:
        here[b0 - g0 : b1 - g0, a0 - f0 : a1 - f0] = blob[b0 - v0 : b1 - v0, a0 - u0 : a1 - u0]
    # Pen strokes aside: only thick mixes are the fading edge of a blob of ink.
    kin = cv2.morphologyEx(
        _kin(off[0][box], off[1][box], axis).view(np.uint8), cv2.MORPH_OPEN, _KIN_OPEN
    )
    # A glossy highlight: whitish, lighter than the dot, and not paper. It is part of the dot.
    whitish = cv2.transform(cv2.multiply(window, window), _CHROMA2) < 400
    shine = whitish & odd[box] & (window[..., 0] > colour[0] + 8)
    solid = (here > 0) | shine
    centre = (int(x) - f0, int(y) - g0)
    disc = np.zeros_like(here)
    cv2.circle(disc, centre, max(1, int(r * 0.7)), 1, -1)
    inside = disc > 0
    if covered is not None:
        # A dot half hidden under another: judged on what shows of it.
        hidden = covered[box] > 0
        inside &= ~hidden
        if np.count_nonzero(inside) < 0.3 * np.count_nonzero(disc):
            cv2.circle(disc, centre, max(1, int(r * 0.9)), 1, -1)
            inside = (disc > 0) & ~hidden
    n_inside = max(1, np.count_nonzero(inside))
    ring = np.zeros_like(here)
    cv2.circle(ring, centre, ring_r, 1, -1)
    for qx, qy, qr in cluster:
        cv2.circle(ring, (int(qx) + u0 - f0, int(qy) + v0 - g0), int(round(qr * 1.1)) + 1, 0, -1)
    around = (ring > 0) & note[box]  # the wall beyond the edge is neither
    if covered is not None:
        around &= ~hidden
    n_around = max(1, np.count_nonzero(around))
    plain = inside & ~shine
    if np.count_nonzero(plain) < 5:
        plain = inside
    mean = cv2.mean(window, mask=inside.view(np.uint8))[:3]
    found = _Candidate(
        x=x,
        y=y,
        r=r,
        solid=np.count_nonzero(solid & inside) / n_inside,
        spread=_mad(window[..., 0][plain]),
        papery=np.count_nonzero((diff2[box] < (0.5 * params.dot_delta_e) ** 2) & inside) / n_inside,
        excess=np.count_nonzero(here.view(bool) & around) / n_around,
        halo=np.count_nonzero(odd[box] & around) / n_around,
        mixture=np.count_nonzero(kin.view(bool) & around) / n_around,
        colour=(float(mean[0]), float(mean[1]), float(mean[2])),
    )
    if covered is not None or _score(found, params) <= 0:
        return found  # (half hidden: its middle may be under the other dot)
    # Only what would be a dot is looked at closer, within 0.75 r of its centre.
    k = int(0.75 * r) + 2
    cx, cy = int(x) - f0, int(y) - g0
    near = (slice(max(0, cy - k), cy + k + 1), slice(max(0, cx - k), cx + k + 1))
    x0, y0 = near[1].start, near[0].start
    return replace(
        found,
        hollow=_hollow(
            window[near], off[0][box][near], shine[near], colour, axis, x - f0 - x0, y - g0 - y0, r
        ),
    )


def _hollow(
    window: np.ndarray,
    off: np.ndarray,
    shine: np.ndarray,
    colour: np.ndarray,
    axis: np.ndarray,
    x: float,
    y: float,
    r: float,
) -> float:
    """How far the middle of the disc (x, y, r) falls back towards the paper against the ring
    round it (0.45 r to 0.75 r), as a share of the way from the paper to the disc's colour
    (`axis`; `off`: each pixel's offset from the paper). A bold letter blurred into a blob keeps
    its bowl a mix of ink and paper; a sticker is one colour to its rim. A glossy highlight
    also lightens a dot's middle, so what is whitish (`shine`), the dot's colour washed out, or
    lighter than the paper there (ink never is) is left out; and where the paper is itself the
    dot's colour washed out (red on pink, yellow on canary) a highlight and a mix with the paper
    look alike, so nothing is asked."""
    n2 = float(axis @ axis)
    paper = (np.float32(colour) - axis).astype(np.float32).reshape(1, 1, 3)
    if n2 <= 1 or _lit(paper, colour, 3 * _WASHED_MISS, (0.0, 1.0))[0, 0]:
        return 0.0
    h, w = window.shape[:2]
    dist2 = (np.arange(h, dtype=np.float32)[:, None] - np.float32(y)) ** 2 + (
        np.arange(w, dtype=np.float32) - np.float32(x)
    ) ** 2
    glossy = (
        shine
        | (off[..., 0] > 0)
        | _lit(window, colour, paper_l=cv2.subtract(window[..., 0], off[..., 0]))
    )
    mid = (dist2 < max(1.5, 0.3 * r) ** 2) & ~glossy
    ring = (dist2 >= (0.45 * r) ** 2) & (dist2 < (0.75 * r) ** 2) & ~glossy
    if np.count_nonzero(mid) < 3 or np.count_nonzero(ring) < 8:
        return 0.0
    t = cv2.transform(off, (axis / n2).reshape(1, 3).astype(np.float32))
    return float(_median(t[ring]) - _median(t[mid]))


def _median(values: np.ndarray) -> np.ndarray:
    """np.median down the first axis, without its overhead (it runs for every blob)."""
    s = np.sort(values, axis=0)
    k = len(s) // 2
    return s[k] if len(s) % 2 else (s[k - 1] + s[k]) * 0.5


def _mad(values: np.ndarray) -> float:
    """A spread that a few odd values (the rim of a highlight) do not move."""
    if not len(values):
        return 0.0
    k = len(values) // 2
    deviation = np.abs(values - np.partition(values, k)[k])
    return float(1.4826 * np.partition(deviation, k)[k])


def _is_dot(c: _Candidate, params: Params) -> bool:
    """A sticker, not ink: a weighted sum of what was measured round the disc (the weights
    were fitted to candidates from the seeded synthetic walls, every tier, and checked on the
    labelled real photos)."""
    if c.hollow > _HOLLOW:
        return False  # a letter's bowl
    margin = _HIDDEN_MARGIN if c.hidden else 0.0
    if c.faint:
        margin = max(margin, _FAINT_MARGIN)
    if c.crescent:
        margin = max(margin, _CRESCENT_MARGIN)
    return _score(c, params) > margin


def _score(c: _Candidate, params: Params) -> float:
    w = _SCORE
    return (
        w["size"] * (2 * c.r / params.note_px)
        + w["solid"] * c.solid
        + w["excess"] * c.excess
        + w["spread"] * c.spread
        + w["halo"] * c.halo
        + w["mixture"] * c.mixture
        + w["papery"] * c.papery
        + w["lightness"] * c.colour[0]
        + w["bias"]
    )


def find_dots(image: np.ndarray, quad: np.ndarray, params: Params) -> tuple[np.ndarray, list[Dot]]:
    """The note's corners re-found at full resolution, and every dot on it or across its edge
    (image pixels)."""
    patch = _flatten(image, quad, params)
    dots = sorted(
        (c for c in _candidates(patch.lab, patch.box, params) if _is_dot(c, params)),
        key=lambda c: -c.r,
    )
    kept: list[_Candidate] = []
    for c in dots:
        # A dot whose blob was cut in two (by a highlight, by ink of its colour) is found twice.
        if not any(np.hypot(c.x - k.x, c.y - k.y) < _SAME_DOT * k.r for k in kept):
            kept.append(c)
    centres = transform([[c.x, c.y] for c in kept], patch.to_image) if kept else []
    found = [
        Dot(
            center=(float(x), float(y)),
            radius=float(c.r / patch.scale),
            colour=dot_colour(c.colour),
        )
        for (x, y), c in zip(centres, kept, strict=True)
    ]
    return patch.quad, found
