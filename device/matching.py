"""Which note in a new scan is which note of an earlier scan.

Notes carry no identity between photos (the tally numbers them afresh each
time), so a re-scan pairs them by where they are and how they look:

1. Scale: 1, or the ratio of the typical note size in both scans (a camera
   moved nearer, a different resolution) if that lines up more notes.
2. Shift: every same-colour pair proposes a translation; the one that lines up
   the most notes wins (a bumped camera moves the whole wall at once).
3. Pairs: after scale and shift, a new note pairs with an old one when its centre
   is within half a note of it and its size is alike; a different colour name
   costs extra (light can turn orange into yellow) but does not forbid a pair.
   The cheapest pairs are taken first; each note pairs at most once.

Added dots do not move a note, so late votes keep their topic; a note added
late pairs with nothing and becomes a new topic.

4. Moved notes: a discussed note is often moved to a "done" column. What is
   left unpaired is paired by appearance instead: the note's colour and its own
   pattern of dots (where each dot sits on the note, and its colour), which a
   move does not change. Late dots may be added; none may be missing.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from vision.board import Note

NEAR = 0.5  # centres closer than this many note sizes can be the same note
LINED_UP = 0.35  # a shift lines a note up when it lands within this many note sizes
SIZE_LIMIT = 0.7  # |log| width ratio plus |log| height ratio beyond which notes differ
COLOUR_COST = 0.4
MAX_COST = 1.0


def _arrays(notes: Sequence[Note]):
    centres = np.array([n.center for n in notes], dtype=float).reshape(-1, 2)
    sizes = np.array([(max(n.width, 1.0), max(n.height, 1.0)) for n in notes], dtype=float)
    colours = np.array([n.colour for n in notes], dtype=object)
    return centres, sizes.reshape(-1, 2), colours


def match(old: Sequence[Note], new: Sequence[Note]) -> dict[int, int]:
    """{index in `old`: index in `new`} for the notes that are the same physical note."""
    if not old or not new:
        return {}
    old_c, old_s, old_col = _arrays(old)
    new_c, new_s, new_col = _arrays(new)
    same = old_col[:, None] == new_col[None, :]
    # The camera usually stays put: try the scale the note sizes suggest only if it lines up more.
    ratio = float(np.median(np.sqrt(new_s.prod(axis=1))) / np.median(np.sqrt(old_s.prod(axis=1))))
    best = None
    for scale in (1.0, float(np.clip(ratio, 0.5, 2.0))) if abs(ratio - 1) > 0.1 else (1.0,):
        shift, lined_up = _best_shift(old_c * scale, old_s * scale, new_c, new_s, same)
        if best is None or lined_up > best[2]:
            best = (scale, shift, lined_up)
    scale, shift, _ = best
    old_c, old_s = old_c * scale, old_s * scale

    unit = _pair_unit(old_s, new_s)
    gaps = np.linalg.norm(old_c[:, None, :] + shift - new_c[None, :, :], axis=2) / unit
    size_cost = np.abs(np.log(old_s[:, None, 0] / new_s[None, :, 0])) + np.abs(
        np.log(old_s[:, None, 1] / new_s[None, :, 1])
    )
    cost = gaps + size_cost + np.where(same, 0.0, COLOUR_COST)
    allowed = (gaps < NEAR) & (size_cost < SIZE_LIMIT) & (cost < MAX_COST)

    pairs: dict[int, int] = {}
    taken: set[int] = set()
    for flat in np.argsort(np.where(allowed, cost, np.inf), axis=None, kind="stable"):
        i, j = divmod(int(flat), len(new))
        if not allowed[i, j]:
            break
        if i in pairs or j in taken:
            continue
        pairs[i] = j
        taken.add(j)
    pairs.update(_moved(old, new, pairs, taken))
    return pairs


DOT_NEAR = 0.12  # a dot is the same dot when within this share of the note's size


def _dot_pattern(note: Note) -> list[tuple[float, float, str]]:
    """Where each dot sits on its note, as fractions of the note's width and height."""
    xs = [p[0] for p in note.polygon]
    ys = [p[1] for p in note.polygon]
    w, h = max(max(xs) - min(xs), 1.0), max(max(ys) - min(ys), 1.0)
    return [((d.center[0] - min(xs)) / w, (d.center[1] - min(ys)) / h, d.colour) for d in note.dots]


def _same_look(old: Note, new: Note) -> float | None:
    """How far apart two notes' dot patterns are (mean distance), or None if they cannot be
    the same note: another colour, no dots to go by, or one of the old dots missing."""
    if old.colour != new.colour or not old.dots:
        return None
    left = _dot_pattern(new)
    total = 0.0
    for u, v, colour in _dot_pattern(old):
        candidates = [
            (np.hypot(u - a, v - b), k) for k, (a, b, c) in enumerate(left) if c == colour
        ]
        if not candidates:
            return None
        gap, k = min(candidates)
        if gap > DOT_NEAR:
            return None
        total += gap
        left.pop(k)
    return total / len(old.dots)


def _moved(
    old: Sequence[Note], new: Sequence[Note], paired: dict[int, int], taken: set[int]
) -> dict[int, int]:
    """Pairs among the notes left over, by their look alone: each only when unambiguous."""
    looks = {
        (i, j): gap
        for i in range(len(old))
        if i not in paired
        for j in range(len(new))
        if j not in taken and (gap := _same_look(old[i], new[j])) is not None
    }
    pairs = {}
    for (i, j), _gap in sorted(looks.items(), key=lambda item: item[1]):
        rivals = [k for k in looks if (k[0] == i) != (k[1] == j) and (k[0] == i or k[1] == j)]
        if i in pairs or j in pairs.values() or rivals:
            continue  # two notes look alike: better a new topic than the wrong one
        pairs[i] = j
    return pairs


def _pair_unit(old_s: np.ndarray, new_s: np.ndarray) -> np.ndarray:
    """The mean size (square root of the area) of each old/new pair of notes."""
    return (np.sqrt(old_s.prod(axis=1))[:, None] + np.sqrt(new_s.prod(axis=1))[None, :]) / 2


def _best_shift(old_c, old_s, new_c, new_s, same) -> tuple[np.ndarray, int]:
    """The translation that lines up the most same-colour notes (ties: the smallest), and how many."""
    proposals = (new_c[None, :, :] - old_c[:, None, :])[same]
    shifts = np.vstack([np.zeros((1, 2)), proposals])
    moved = old_c[None, :, :] + shifts[:, None, :]
    gaps = np.linalg.norm(moved[:, :, None, :] - new_c[None, None, :, :], axis=3)
    near = gaps < LINED_UP * _pair_unit(old_s, new_s)[None, :, :]
    lined_up = near.any(axis=2).sum(axis=1)
    best = int(np.lexsort((np.linalg.norm(shifts, axis=1), -lined_up))[0])
    shift = shifts[best]
    # Refine: the mean displacement of the notes this shift lines up.
    hit = near[best].any(axis=1)
    if hit.any():
        nearest = np.where(near[best], gaps[best], np.inf).argmin(axis=1)
        shift = (new_c[nearest[hit]] - old_c[hit]).mean(axis=0)
    return shift, int(lined_up[best])
