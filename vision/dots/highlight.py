"""A glossy highlight: the dot's colour washed out by the lamp (lighter, its chroma shrunk
towards grey, of its hue). A blob grows through it, a hole of it is filled, and a dot's middle
lit by it is no letter's bowl. A highlight that reaches the dot's rim, leaving only a crescent of
its colour, is gloss.py's (`crescent`)."""

from __future__ import annotations

import cv2
import numpy as np

from vision.dots.arith import CHROMA2, SUM3
from vision.dots.paper import along

# A highlight's colour is this close (Lab, in a and b) to the line from the dot's colour to grey,
# and this much lighter than the dot (`lit`). A dot of less chroma than `GREYISH` has no hue
# to keep: its highlight is this close to the way from its colour to white.
WASHED_MISS, LIT_RISE, GREYISH = 12.0, 3.0, 30.0
# Where the paper's lightness is known, a highlight's rise in lightness is at least this share
# of the paper's above the dot, times the share of the dot's chroma it lost. In effect this
# turns away ink blurred into paper of about the opposite hue (purple writing on yellow, whose
# mix goes grey as a highlight does): on the benchmark's walls 5 notes more are wrong without
# it. A mix with white paper, or paper of the ink's own hue, passes it.
_LIT_FLOOR = 0.9


def washed(
    light: np.ndarray, face: np.ndarray, rise: float = LIT_RISE, paper_l: float | None = None
) -> bool:
    """Whether the colour `light` is the colour `face` washed out by a highlight on it, not
    another colour: the next dot of a cluster. `rise`, `paper_l`: as `lit` asks them."""
    one = np.asarray(light, np.float32).reshape(1, 1, 3)
    paper = None if paper_l is None else np.float32([[paper_l]])
    return bool(lit(one, face, WASHED_MISS, (0.05, 1.0), paper, rise)[0, 0])


def lit(
    window: np.ndarray,
    colour: np.ndarray,
    tolerance: float = WASHED_MISS,
    washed: tuple[float, float] = (0.05, 0.9),
    paper_l: np.ndarray | None = None,
    rise: float = LIT_RISE,
) -> np.ndarray:
    """Where `window` (Lab) is `colour` washed out by a highlight, by a share within `washed`
    (short of the white itself: white paper inside a black letter "O").

    A highlight adds the lamp's light to the dot's: lighter, and the dot's hue with its chroma
    shrunk towards grey. Not towards white as such: the lamp is as bright as it is (a dot in
    dim light has a dim highlight) and of its own tint (a colour cast), and a mix in the
    camera's RGB bends a little in Lab; so the lightness is only asked to rise. A greyish dot
    has no hue to keep: its highlight is the way towards white. `paper_l`: the paper's
    lightness there, which the lamp's reflection is at least about as light as. `rise`: how much
    lighter than the dot a highlight is at least."""
    ab = np.float32([0.0, colour[1], colour[2]])
    n2 = float(ab @ ab)
    lo, hi = washed
    if n2 < GREYISH**2:
        gloss = np.float32([100.0, 0.0, 0.0]) - colour
        g2 = max(float(gloss @ gloss), 1.0)
        delta = cv2.subtract(window, (float(colour[0]), float(colour[1]), float(colour[2]), 0.0))
        s, orth2 = along(delta, cv2.transform(cv2.multiply(delta, delta), SUM3), gloss, g2)
        return (s > lo) & (s < hi) & (orth2 < tolerance * tolerance)
    # The share of the dot's chroma kept, and the squared distance from its hue's line.
    kept = cv2.transform(window, (ab / n2).reshape(1, 3))
    orth2 = cv2.subtract(
        cv2.transform(cv2.multiply(window, window), CHROMA2), cv2.multiply(kept, kept, scale=n2)
    )
    lit = (
        (kept > 1 - hi)
        & (kept < 1 - lo)
        & (orth2 < tolerance * tolerance)
        & (window[..., 0] > colour[0] + rise)
    )
    if paper_l is not None:
        # A mix of the dot's colour and the paper (ink blurred into it) loses as much colour
        # for less light: it is no lighter than the paper's share of it.
        lit &= window[..., 0] - colour[0] > _LIT_FLOOR * (1 - kept) * (paper_l - colour[0])
    return lit
