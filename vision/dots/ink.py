"""Where a dot is told from ink (step 5): what is measured on a disc and round it, and the
weighted sum of it (fitted to the benchmark's walls) that a sticker scores above 0."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import cv2
import numpy as np

from vision.dots.arith import CHROMA2, median
from vision.dots.blobs import kin
from vision.dots.highlight import GREYISH, WASHED_MISS, lit
from vision.params import Params

# Weights of what tells a sticker from ink (see is_dot and Candidate): bigger, one even colour,
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
# What only the second look finds must score this much to be a dot: at the lower threshold
# the blurred edge of ink counts too, so ink looks fatter and rounder there (a smudge of the
# paper's hue scores about 1, a clean faint dot 4 or more; 2 to 4 count the same on the tiers).
_FAINT_MARGIN = 3.0
# What shows of a dot half hidden under another (hidden.py) must score this much to be a dot:
# ink beside a dot fits the arc now and then, and scores just above 0 on what shows.
HIDDEN_MARGIN = 1.0
# The face of a glossy dot round a highlight that reaches its rim (gloss.py) must score this
# much to be a dot: a smudge of letters in ink of the paper's hue, round, with the paper in its
# bite, scores about 5 on what shows (on a real photo: 4.8); the face of a glossy dot, 6 to 11
# on the benchmark's walls (a few about 4). It is asked where the face is found (scan.py): a
# face scoring less is no candidate at all, and its blob stays for the looks that follow.
CRESCENT_MARGIN = 5.0
# A disc whose middle falls back towards the paper by more than this share of the way from the
# paper to its colour, against the ring round it, is a letter's bowl blurred shut (a bold "o",
# "a", "e"), not a sticker: a sticker's face is one colour to its rim (`_hollow`). At 0.3 dots
# with a tinted highlight or across the note's edge start to be lost (more notes wrong on hard).
_HOLLOW = 0.4
# A disc scoring a little under 0 (down to -`_FACE_MARGIN`: a dot on writing of its own colour,
# whose strokes round it score it as ink) is a dot if its face is opaque to 0.8 r, as vinyl is:
# even its palest twentieth (highlight aside) is this share of the way from the paper to its
# colour, where letters and strokes leave gaps of paper blurred in (`_face`); and if it is at
# least `_FACE_SIZE` of the note's side (about 9 mm on a 76 mm note): a blot of ink as wide as
# the smallest stickers is as solid (on the benchmark's walls: 2 notes more right on the medium
# tiers, 1 on hard and hardB, none worse).
_FACE_MARGIN, _FACE_SOLID, _FACE_SIZE = 1.5, 0.93, 0.12
# A sticker's blob is grown from its own face, so its face's palest twentieth is about its blob's
# colour (noise spreads it below, not above). A face whose palest twentieth lies beyond its
# blob's colour by more than this share of the way from the paper is of something stronger than
# the blob: the blob was grown from a blurred fringe (a mix of ink and the paper), and the disc
# lies on the ink beyond it, whose face proves nothing (on the benchmark's walls: a note more
# right on mediumC and on hard, none worse; the same from 1.05 to 1.2).
_FACE_BEYOND = 1.1
# What scores a hair over 0 (under `_GAP_MARGIN`: a bold letter, strokes crossing, a blot of
# writing, rounded by the blur) is a dot only if no paper shows through its face: a sticker is
# opaque vinyl to its rim, where a letter's counter (the hole of an "o", "a", "B", "e") or the
# gap between strokes, blurred small, still leaves some of its face nearer the paper than the
# ink. More than `_GAP_SHARE` of its face within 0.8 r (what is glossy aside) nearer the paper
# than its colour is ink (on the benchmark's walls every true dot scoring that low has none of
# it, the ink 1.6-7%; over a score of 1, some dots with a highlight not taken for one have some).
_GAP_MARGIN, _GAP_SHARE = 1.0, 0.01
# Less light on paper (a curl, a fold, a shadow) scales its L + 16, a and b alike in CIE Lab
# (each the cube root of the light reflected), so a shade keeps the share (L + 16) / (Lp + 16)
# of the paper's chroma. A disc of the paper's hue, darker, keeping less than `_SHADE` of that
# share is no shade but a duller thing on the paper: a black sticker on pink paper keeps 0.05
# of its chroma, where a shade as dark keeps 0.55 (a tinted light, a mix at a blurred rim, and
# the camera's curve move this a little; on the benchmark's walls: a note more right on
# medium, hard and hardB each, none worse).
_SHADE = 0.5
# A disc scoring a little under 0 (down to -`_GLOSS_MARGIN`) whose face holds its colour washed
# out (`lit`) to one side of its middle, by at least `_GLOSS_OFF` r on average, is a glossy dot:
# the lamp's highlight lies towards the lamp, where ink's blurred rim, as washed out, lies all
# round. It is judged again with that highlight left out of its spread, if that leaves at least
# `_GLOSS_KEEP` of the face (on the benchmark's walls, counted on the true outlines: 17 notes
# nearer the truth, 5 of hardx and 3 of hardH made right, none worse; with 0.2 r, ink is taken).
_GLOSS_MARGIN, _GLOSS_OFF, _GLOSS_KEEP = 2.5, 0.25, 0.4
# A greyish dot (black vinyl) lit by the lamp: its mean colour is lifted so much by the
# highlight that the highlight's dimmer fringe is no lighter than it. Its washed-out part is
# also judged against its darker face (this percentile of the disc's lightness, whitish gloss
# aside), and the smaller spread kept (on the benchmark's walls, counted on the true outlines:
# 2 notes with black dots more right, on mediumx and hardH, none worse; judged against the
# darker face alone, the highlight left out may leave too little of a dot's face: 2 red dots
# lost on hardx and hardH).
_DARK_FACE = 20
_KIN_OPEN = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))


@dataclass(frozen=True)
class Candidate:
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
    face: float = -1.0  # how opaque its face is, if it scores just under 0 (`_face`)
    gaps: float = -1.0  # share of its face nearer the paper, if it scores just over 0 (`_face`)


def is_dot(c: Candidate, params: Params) -> bool:
    """A sticker, not ink: a weighted sum of what was measured round the disc (the weights
    were fitted to candidates from the seeded synthetic walls, every tier, and checked on the
    labelled real photos)."""
    if c.hollow > _HOLLOW:
        return False  # a letter's bowl
    if _FACE_SOLID <= c.face <= _FACE_BEYOND and 2 * c.r >= _FACE_SIZE * params.note_px:
        return True  # a sticker over writing of its colour
    if c.gaps > _GAP_SHARE:
        return False  # paper showing through: a letter's counter, a gap between strokes
    margin = HIDDEN_MARGIN if c.hidden else 0.0
    if c.faint:
        margin = max(margin, _FAINT_MARGIN)
    # (A crescent's face was held to `CRESCENT_MARGIN` where it was found.)
    return score(c, params) > margin


def score(c: Candidate, params: Params) -> float:
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


def measure(
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
) -> Candidate:
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
    mixes = cv2.morphologyEx(
        kin(off[0][box], off[1][box], axis).view(np.uint8), cv2.MORPH_OPEN, _KIN_OPEN
    )
    # A glossy highlight: whitish, lighter than the dot, and not paper. It is part of the dot.
    whitish = cv2.transform(cv2.multiply(window, window), CHROMA2) < 400
    shine = whitish & odd[box] & (window[..., 0] > colour[0] + 8)
    solid = (here > 0) | shine
    centre = (int(x) - f0, int(y) - g0)
    disc = np.zeros(here.shape, np.uint8)
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
    ring = np.zeros(here.shape, np.uint8)
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
    found = Candidate(
        x=x,
        y=y,
        r=r,
        solid=np.count_nonzero(solid & inside) / n_inside,
        spread=_mad(window[..., 0][plain]),
        papery=np.count_nonzero((diff2[box] < (0.5 * params.dot_delta_e) ** 2) & inside) / n_inside,
        excess=np.count_nonzero(here.view(bool) & around) / n_around,
        halo=np.count_nonzero(odd[box] & around) / n_around,
        mixture=np.count_nonzero(mixes.view(bool) & around) / n_around,
        colour=(float(mean[0]), float(mean[1]), float(mean[2])),
    )
    if covered is not None:
        return found  # (half hidden: its middle may be under the other dot)
    first = score(found, params)
    if -_GLOSS_MARGIN < first <= 0:
        # (A disc lifted so near the line has its face looked at below, as any disc there.)
        spread = _unlit_spread(window, off[0][box], plain, inside, colour, x - f0, y - g0, r)
        if spread is not None:
            again = replace(found, spread=spread)
            if score(again, params) > first:
                found, first = again, score(again, params)
    if first <= 0:
        if first <= -_FACE_MARGIN:
            return found
        face = _face(window, off[0][box], shine, colour, axis, x - f0, y - g0, r)
        return replace(found, face=-1.0 if face is None else float(np.percentile(face, 5)))
    if first < _GAP_MARGIN:
        face = _face(window, off[0][box], shine, colour, axis, x - f0, y - g0, r)
        if face is not None:
            found = replace(found, gaps=float(np.count_nonzero(face < 0.5)) / len(face))
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


def _unlit_spread(
    window: np.ndarray,
    off: np.ndarray,
    plain: np.ndarray,
    inside: np.ndarray,
    colour: np.ndarray,
    x: float,
    y: float,
    r: float,
) -> float | None:
    """The spread of lightness over `plain` (the disc centred at (x, y), whitish gloss aside)
    without its colour washed out, if the highlight lies to one side of the middle (not a
    blurred rim: `_GLOSS_OFF`) and leaving it out leaves enough of the face (`_GLOSS_KEEP`);
    else None. The highlight is placed by all of it within `inside` (the disc): its whitish
    core, left out of `plain`, with its washed-out fringe; the fringe alone is a ring round the
    core cut by the disc's edge, whose middle lies nearer the disc's. A greyish dot's washed
    out part is also judged against its darker face (`_DARK_FACE`): the smaller spread is kept."""
    faces = [np.float32(colour)]
    if colour[1] ** 2 + colour[2] ** 2 < GREYISH**2:
        dark = faces[0].copy()
        dark[0] = min(dark[0], float(np.percentile(window[..., 0][plain], _DARK_FACE)))
        faces.append(dark)
    spreads = []
    for face in faces:
        shone = plain & _washed_out(window, off, face)
        v, u = np.nonzero(shone | (inside & ~plain))
        if len(u) < 3 or np.hypot(u.mean() - x, v.mean() - y) < _GLOSS_OFF * r:
            continue
        rest = plain & ~shone
        if np.count_nonzero(rest) >= max(5, _GLOSS_KEEP * np.count_nonzero(plain)):
            spreads.append(_mad(window[..., 0][rest]))
    return min(spreads, default=None)


def _washed_out(window: np.ndarray, off: np.ndarray, colour: np.ndarray) -> np.ndarray:
    """What in a window (Lab) is the colour `colour` washed out by a lamp (see `lit`), each
    pixel against the paper's lightness there (`off`: each pixel's offset from the paper)."""
    return lit(window, colour, paper_l=cv2.subtract(window[..., 0], off[..., 0]))


def _against_paper(
    window: np.ndarray,
    off: np.ndarray,
    shine: np.ndarray,
    colour: np.ndarray,
    axis: np.ndarray,
    x: float,
    y: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """What `_hollow` and `_face` look at on a disc centred at (x, y) of the colour `colour`:
    the paper's colour (1x1x3), each pixel's squared distance from (x, y), what is glossy, and
    each pixel's share of the way from the paper to the disc's colour (`axis`; `off`: each
    pixel's offset from the paper). A glossy highlight lightens a dot, so what is whitish
    (`shine`), the dot's colour washed out, or lighter than the paper there (ink never is) is
    glossy. None where the paper is itself the dot's colour washed out (red on pink, yellow
    on canary): a highlight and a mix with the paper look alike there."""
    n2 = float(axis @ axis)
    paper = (np.float32(colour) - axis).astype(np.float32).reshape(1, 1, 3)
    if n2 <= 1 or lit(paper, colour, 3 * WASHED_MISS, (0.0, 1.0))[0, 0]:
        return None
    h, w = window.shape[:2]
    dist2 = (np.arange(h, dtype=np.float32)[:, None] - np.float32(y)) ** 2 + (
        np.arange(w, dtype=np.float32) - np.float32(x)
    ) ** 2
    glossy = shine | (off[..., 0] > 0) | _washed_out(window, off, colour)
    share = cv2.transform(off, (axis / n2).reshape(1, 3).astype(np.float32))
    return paper, dist2, glossy, share


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
    round it (0.45 r to 0.75 r), as a share of the way from the paper to the disc's colour. A
    bold letter blurred into a blob keeps its bowl a mix of ink and paper; a sticker is one
    colour to its rim. What is glossy is left out, and nothing is asked where the paper is
    the dot's colour washed out (`_against_paper`)."""
    seen = _against_paper(window, off, shine, colour, axis, x, y)
    if seen is None:
        return 0.0
    _paper, dist2, glossy, t = seen
    mid = (dist2 < max(1.5, 0.3 * r) ** 2) & ~glossy
    ring = (dist2 >= (0.45 * r) ** 2) & (dist2 < (0.75 * r) ** 2) & ~glossy
    if np.count_nonzero(mid) < 3 or np.count_nonzero(ring) < 8:
        return 0.0
    return float(median(t[ring]) - median(t[mid]))


def _face(
    window: np.ndarray,
    off: np.ndarray,
    shine: np.ndarray,
    colour: np.ndarray,
    axis: np.ndarray,
    x: float,
    y: float,
    r: float,
) -> np.ndarray | None:
    """The face of the disc (x, y, r) within 0.8 r: each pixel's share of the way from the
    paper to the disc's colour. A sticker is opaque vinyl to its rim (its palest twentieth is
    most of the way there, none of it nearer the paper); a letter, or strokes crossing, leave
    gaps of paper blurred in. What is glossy is left out (`_against_paper`). Nothing is told
    (None) where the paper is the disc's colour washed out (a highlight and paper look
    alike), nor where the disc is of the paper's own hue, darker and duller: its shade (a
    curl, a fold), which is as even as a sticker, but which keeps about as much of the paper's
    chroma as of its lightness (`_SHADE`): a black sticker on pink paper has next to none of
    it."""
    seen = _against_paper(window, off, shine, colour, axis, x, y)
    if seen is None:
        return None
    paper, dist2, glossy, t = seen
    hue = np.float32([0.0, paper[0, 0, 1], paper[0, 0, 2]])
    p2 = float(hue @ hue)
    if p2 >= GREYISH**2 and colour[0] < paper[0, 0, 0]:
        ab = np.float32([0.0, colour[1], colour[2]])
        kept = float(ab @ hue) / p2
        dim = (colour[0] + 16.0) / (paper[0, 0, 0] + 16.0)
        if _SHADE * dim < kept < 1 and float(np.linalg.norm(ab - kept * hue)) < WASHED_MISS:
            return None
    face = (dist2 < (0.8 * r) ** 2) & ~glossy
    if np.count_nonzero(face) < 8:
        return None
    return t[face]


# The lightness's step in 8-bit Lab (`vision.colours.to_lab`).
_L_STEP = 100.0 / 255.0


def _mad(values: np.ndarray) -> float:
    """A spread that a few odd values (the rim of a highlight) do not move: the median absolute
    deviation from the median, each value taken as spread evenly over its 8-bit step (a MAD of
    8-bit levels moves in whole steps, 0.6 of spread at once, as a disc moves by a hair)."""
    n = len(values)
    if not n:
        return 0.0
    levels = np.rint(np.asarray(values, np.float32) * np.float32(1 / _L_STEP)).astype(np.int32)
    counts = np.bincount(levels - levels.min())
    below = np.concatenate([[0], np.cumsum(counts)])  # how many lie below each step
    half = 0.5 * n
    # The median, within the step that holds it (steps numbered from the lowest one's edge).
    j = int(np.searchsorted(below[1:], half))
    counts, below = counts.tolist(), below.tolist()
    mid = j + (half - below[j]) / counts[j]
    if below[j + 1] == half and j + 1 < len(counts):
        # Half lie below the step's top and empty steps follow: the median is anywhere across
        # them, and taken in their middle.
        mid = 0.5 * (j + 1 + next(i for i in range(j + 1, len(counts)) if counts[i]))

    def share(x: float) -> float:  # of the values below x
        i = math.floor(x)
        if i < 0:
            return 0.0
        return 1.0 if i >= len(counts) else (below[i] + (x - i) * counts[i]) / n

    # The median of |value - mid|: where the share between mid - t and mid + t reaches half. That
    # share is linear in t between the steps' edges on either side, met walking outwards.
    right, left = j + 1 - mid, mid - j
    t0 = g0 = 0.0
    flat = None  # where the share reached half exactly, if it stays there a while
    while True:
        t = min(right, left)
        g = share(mid + t) - share(mid - t)
        if flat is not None:
            if g > 0.5 + 1e-9:  # it stayed at half from `flat` to t0: the median is anywhere there
                return float(1.4826 * _L_STEP * 0.5 * (flat + t0))
        elif abs(g - 0.5) <= 1e-9:  # (sums of shares: not exact)
            flat = t
        elif g > 0.5:
            return float(1.4826 * _L_STEP * (t0 + (t - t0) * (0.5 - g0) / (g - g0)))
        t0, g0 = t, g
        if right == t:
            right += 1.0
        if left == t:
            left += 1.0
