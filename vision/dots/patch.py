"""The note flattened: warped to a fixed width, with a margin all round for dots across its
edge, and its four edges re-found there. Where the edges, re-found as lines, show the coarse
outline squared at a slightly wrong angle, the note is warped again from the corners they meet
at, so the paper, the note's box and which dots are on it are all taken from the note squared.
An edge is not moved in across the paper onto a line written along it (`_edges`)."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from vision.colours import to_lab
from vision.dots.arith import PAPER_WEIGHTS, SUM3, median
from vision.dots.paper import paper_mode
from vision.geometry import quad_sides, transform, warp_quad
from vision.params import Params

# Each edge is looked at in this many stretches along its middle part, each giving the place
# where the colour changes most across it; a line through most of them is the edge.
_STRETCHES = 8
# At least this many stretches must lie on one line (within `_ON_LINE` patch pixels) for the
# edge to be a line: dots and writing across an edge move a few of them.
_AGREE, _ON_LINE = 5, 1.0
# No edge is turned by more than this slope in the patch (about 6 degrees): more is a gross
# error of the outline, the note finder's to mend, not the fine stage's.
_MAX_SLOPE = 0.1
# Two opposite edges of a note lie parallel in its patch: their own slopes agree to this.
_PARALLEL = 0.015
# The note is warped again only where a pair of edges turns by more than this over the middle
# four-fifths of their length (patch pixels; the note is `Params.note_px` across; the corners
# then move by about 0.6 of it): less is within the edges' own uncertainty, and each warp
# resamples the dots.
_REWARP = 2.0
# Turned once, the note is looked at again: a large turn is found in full only then.
_ROUNDS = 2
# An edge re-found this many patch pixels or more in from where the coarse pass put it must
# have crossed what is not the paper to get there (the wall, a neighbour the coarse outline
# took in): a line of writing or an underline along the note's edge changes the colour as
# much as the edge does, but has the paper on both sides. Less is within the blur. (Given the
# true outlines of hardx and hardH, edges were re-found more than 6 pixels off on 483 sides,
# mostly moved in onto writing, losing the dots across them; asked this, on 356.)
_SHIFT = 4
# A row along an edge is the paper where its median colour lies this close to the paper's
# (CIE Lab, lightness weighted 0.6 as in `paper_difference`: shading near the edge is paper).
_PAPERY = 12.0
# An edge moved in across rows this share or more of which are the paper crossed the paper.
_PAPER_SHARE = 1 / 3
# Every pair of n stretches (the two ends of a line through them), for each n.
_PAIRS = [np.triu_indices(n, 1) for n in range(_STRETCHES + 1)]


@dataclass(frozen=True)
class Patch:
    lab: np.ndarray  # the note flattened, with a margin all round
    box: tuple[int, int, int, int]  # left, top, right, bottom: the note itself, re-found here
    quad: np.ndarray  # the note's corners in image pixels, re-found here
    to_image: np.ndarray  # homography from patch pixels to image pixels
    scale: float  # patch pixels per image pixel


def flatten(
    image: np.ndarray, quad: np.ndarray, params: Params, side: float | None = None
) -> Patch:
    """The note flattened, its short side `params.note_px` across; or, given `side` (image
    pixels), that many pixels of the photo are (a note off a bigger pad, warped at the scale
    of the wall's notes: its dots are stickers of their size)."""
    margin = int(params.dot_max * params.note_px / 2) + 3
    lab, to_image, scale, width, height = _warp(image, quad, params, margin, side)
    for _ in range(_ROUNDS):
        corners = _turned(lab, margin, width, height)
        if corners is None:
            break
        lab, to_image, scale, width, height = _warp(
            image, transform(corners, to_image), params, margin, side
        )
    left, top, right, bottom = box = _edges(lab, margin, width, height)
    found = transform([[left, top], [right, top], [right, bottom], [left, bottom]], to_image)
    return Patch(lab=lab, box=box, quad=found, to_image=to_image, scale=scale)


def _warp(image: np.ndarray, quad, params: Params, margin: int, side: float | None = None):
    """The note's patch in Lab, the homography back to the image, the scale, its size."""
    w, h = quad_sides(quad)
    scale = params.note_px / max(side or min(w, h), 1.0)
    width, height = max(8, round(w * scale)), max(8, round(h * scale))
    patch, to_image = warp_quad(image, quad, width, height, margin)
    # 5 x 5 taps: what OpenCV would add for sigma 0.8 (7 x 7) weighs under 0.1% a tap.
    lab = to_lab(cv2.GaussianBlur(patch, (5, 5), 0.8))
    return lab, to_image, scale, width, height


def _gradient(lab: np.ndarray, at: int, band: int, span: slice, rows: bool):
    """How much the colour changes across an edge near row (`rows`) or column `at`, within
    `band` of it, over `span` along it: positions across the edge down axis 0 (the first at
    the row or column returned), places along it on axis 1."""
    lo = max(0, at - band - 1)
    if rows:
        strip = lab[lo : at + band + 2, span]
        return cv2.transform(np.abs(cv2.Sobel(strip, cv2.CV_32F, 0, 1, ksize=3)), SUM3), lo
    strip = lab[span, lo : at + band + 2]
    return cv2.transform(np.abs(cv2.Sobel(strip, cv2.CV_32F, 1, 0, ksize=3)), SUM3).T, lo


def _edges(lab: np.ndarray, margin: int, width: int, height: int) -> tuple[int, int, int, int]:
    """The note's four edges in its flattened patch, each re-found within a few pixels of
    where the coarse pass put it: the row (or column) where the colour changes most, as the
    median along the edge's middle part, so dots and writing across the edge do not move it.
    Nor does a line of writing along the edge: an edge moved in must cross what is not the
    paper (`_over_paper`); else the next clearest change is taken, or the coarse pass trusted."""
    band = max(3, int(0.07 * min(width, height)))
    xs = slice(margin + width // 5, margin + width - width // 5)
    ys = slice(margin + height // 5, margin + height - height // 5)
    paper: list[np.ndarray] = []  # the paper's colour, once an edge moves in far enough to ask

    def paper_colour() -> np.ndarray:
        if not paper:  # from the middle half of the note (a sample is plenty)
            inside = lab[
                margin + height // 4 : margin + height - height // 4 : 2,
                margin + width // 4 : margin + width - width // 4 : 2,
            ]
            paper.append(paper_mode(inside.reshape(-1, 3)))
        return paper[0]

    def peak(at: int, span: slice, rows: bool, inwards: int) -> int:
        g, lo = _gradient(lab, at, band, span, rows)
        profile = median(g.T)[1:-1]  # the strip's own border has no real gradient
        clear = 1.5 * median(profile) + 1e-6  # only move where there is a clear edge
        for best in np.argsort(-profile, kind="stable"):
            if profile[best] <= clear:
                break
            found = lo + 1 + int(best)
            inner = (found - at) * inwards  # how far in it moves (out: below 0)
            if inner < _SHIFT or not _over_paper(
                lab, paper_colour(), (min(at, found), max(at, found)), span, rows
            ):
                return found
        return at  # otherwise trust the coarse pass

    top, bottom = peak(margin, xs, True, 1), peak(margin + height, xs, True, -1)
    left, right = peak(margin, ys, False, 1), peak(margin + width, ys, False, -1)
    if right - left < width // 2 or bottom - top < height // 2:
        return margin, margin, margin + width, margin + height
    return left, top, right, bottom


def _over_paper(
    lab: np.ndarray, paper: np.ndarray, between: tuple[int, int], span: slice, rows: bool
) -> bool:
    """Whether `_PAPER_SHARE` or more of the rows (or columns) strictly `between` two places
    across an edge are the paper, each by its median colour over `span` along the edge: an edge
    moved in across them is then a line of writing (or an underline) along the note's edge, not
    its edge (what a coarse outline takes in beyond the note is the wall or a neighbour, of
    another colour but for a neighbour of the note's own: there the edge stays where it was)."""
    lo, hi = between[0] + 1, between[1]
    strip = lab[lo:hi, span] if rows else lab[span, lo:hi]
    colour = median(strip, axis=1 if rows else 0)  # (hi - lo) x 3
    off = colour - paper
    near = (off * off) @ PAPER_WEIGHTS[0] < _PAPERY**2
    return int(np.count_nonzero(near)) >= _PAPER_SHARE * len(near)


def _turned(lab: np.ndarray, margin: int, width: int, height: int) -> np.ndarray | None:
    """The corners (patch pixels) of the note with its edges turned to where they run, each
    about where the coarse pass put its middle (`_edges` then finds how far each lies from
    there, as it would have); None where no pair of opposite edges turns a corner by more
    than `_REWARP` over the middle four-fifths of their length.

    A note is a rectangle, and over its size the coarse outline's error is close to affine:
    its opposite edges lie parallel in the patch, turned alike. So each pair of edges turns
    by one slope, found where one or both of them are clear lines (`_parallel`)."""
    band = max(3, int(0.07 * min(width, height)))
    xs = (margin + width // 10, margin + width - width // 10)
    ys = (margin + height // 10, margin + height - height // 10)
    sides = (
        (xs, (margin, margin + height), True),
        (ys, (margin, margin + width), False),
    )
    # All four edges at once: a square note's are worked out together.
    found = _stretches(
        [
            (*_gradient(lab, at, band, slice(*span), rows), span[0])
            for span, ats, rows in sides
            for at in ats
        ]
    )
    ons = _lines(found)
    pairs = []
    turned = False
    for k, (span, ats, _) in enumerate(sides):
        slope = _parallel(found[2 * k : 2 * k + 2], ons[2 * k : 2 * k + 2])
        if slope is not None and abs(slope) * (span[1] - span[0]) > _REWARP:
            turned = True
        else:
            slope = 0.0
        middle = 0.5 * (span[0] + span[1])
        pairs.append([(at - slope * middle, slope) for at in ats])
    if not turned:
        return None
    (top, bottom), (left, right) = pairs
    corners = np.array(
        [_meet(top, left), _meet(top, right), _meet(bottom, right), _meet(bottom, left)]
    )
    return corners if np.all(np.isfinite(corners)) else None


def _stretches(
    gradients: list[tuple[np.ndarray, int, int]],
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Where the colour changes most across each of a few edges, in each of `_STRETCHES`
    stretches along it where that change is clear: their places along the edge and their
    positions across it, to a fraction of a pixel. `gradients`: for each edge (g, lo, start),
    its change across it down axis 0 from row or column `lo`, along it on axis 1 from place
    `start`. Edges whose strips are of one size are worked out together (numpy's calls on
    arrays this small cost more than their arithmetic)."""
    found: list[tuple[np.ndarray, np.ndarray] | None] = [None] * len(gradients)
    for shape in {g.shape for g, _, _ in gradients}:
        which = [i for i, (g, _, _) in enumerate(gradients) if g.shape == shape]
        rows, length = shape
        n = length // _STRETCHES
        if n < 2 or rows < 5:
            for i in which:
                found[i] = (np.zeros(0), np.zeros(0))
            continue
        # Each stretch's median along the edge, at each position across it (edge, across,
        # stretch).
        g = (
            np.stack([gradients[i][0][:, : n * _STRETCHES] for i in which])
            if len(which) > 1
            else gradients[which[0]][0][None, :, : n * _STRETCHES]
        )
        parts = median(g.reshape(len(which), rows, _STRETCHES, n), axis=3)
        profile = parts[:, 1:-1]  # the strip's own border has no real gradient
        best = np.argmax(profile, axis=1)
        k = np.arange(_STRETCHES)
        e = np.arange(len(which))[:, None]
        middle = median(profile, axis=1)
        clear = (profile[e, best, k] > 1.5 * middle + 1e-6) & (best > 0)
        clear &= best < profile.shape[1] - 1
        # The peak to a fraction of a pixel: the parabola through it and its two neighbours
        # (worked out for every stretch, kept for the clear ones).
        b = np.minimum(np.maximum(best, 1), max(1, profile.shape[1] - 2))
        before, at, after = profile[e, b - 1, k], profile[e, b, k], profile[e, b + 1, k]
        curve = before - 2 * at + after
        shift = np.where(curve < 0, 0.5 * (before - after) / np.where(curve < 0, curve, -1), 0.0)
        shift = np.minimum(np.maximum(shift, -0.5), 0.5)  # (np.clip costs several times more)
        for row, i in enumerate(which):
            keep = clear[row]
            _, lo, start = gradients[i]
            found[i] = (start + (k[keep] + 0.5) * n, lo + 1 + best[row][keep] + shift[row][keep])
    return found  # type: ignore[return-value]


def _lines(found) -> list[np.ndarray | None]:
    """For each edge's stretches (`found`: places `t` and positions `p` of each), which lie on
    the line through most of them (within `_ON_LINE`; of two lines through as many, the less
    tilted), if at least `_AGREE` do; or None. Edges with as many stretches are worked out
    together."""
    ons: list[np.ndarray | None] = [None] * len(found)
    for n in {len(t) for t, _ in found}:
        if n < _AGREE:
            continue
        which = [e for e, (t, _) in enumerate(found) if len(t) == n]
        t = np.stack([found[e][0] for e in which])
        p = np.stack([found[e][1] for e in which])
        i, j = _PAIRS[n]  # every line through two of them, at once
        slope = (p[:, j] - p[:, i]) / (t[:, j] - t[:, i])
        on = (
            np.abs(
                p[:, None, :] - p[:, i, None] - slope[..., None] * (t[:, None, :] - t[:, i, None])
            )
            < _ON_LINE
        )
        steep = np.abs(slope)
        count = np.where(steep <= _MAX_SLOPE, on.sum(axis=2), -1)
        for row, e in enumerate(which):
            best = int(np.lexsort((steep[row], -count[row]))[0])
            if count[row, best] >= _AGREE:
                ons[e] = on[row, best]
    return ons


def _parallel(found, ons=None) -> float | None:
    """The one slope of two opposite edges (position = a + slope * place, each its own a),
    fitted to the stretches (`found`: places and positions of each) of those that are lines
    (`_lines`, or `ons` if given: its answer); None where neither is. Where both are, their
    own slopes must agree within `_PARALLEL`: one edge alone can be bent where its colour
    changes most by a curled bottom's shading, or be a neighbour's edge lying aslant over the
    note, and the straight edge opposite then vetoes it. An edge that is no line (writing, dots, a seam too faint) says
    nothing either way."""
    fits = []  # each line's sums of its stretches' products about their means
    for (t, p), on in zip(found, _lines(found) if ons is None else ons, strict=True):
        if on is not None:
            t, p = t[on], p[on]
            tc, pc = t - t.sum() / len(t), p - p.sum() / len(p)  # (mean() costs several times more)
            across, along = (tc * pc).sum(), (tc * tc).sum()
            fits.append((float(across), float(along), float(across / along)))
    if not fits or (len(fits) == 2 and abs(fits[0][2] - fits[1][2]) > _PARALLEL):
        return None
    slope = sum(across for across, _, _ in fits)
    slope /= sum(along for _, along, _ in fits)
    return slope if abs(slope) <= _MAX_SLOPE else None


def _meet(across: tuple[float, float], down: tuple[float, float]) -> tuple[float, float]:
    """Where a top or bottom edge (y = a + b x) meets a left or right one (x = c + d y)."""
    a, b = across
    c, d = down
    x = (c + d * a) / (1.0 - d * b)
    return x, a + b * x
