"""`annotate(image, board)`: the photo with what the tally found drawn on it, to check at a glance."""

from __future__ import annotations

import cv2
import numpy as np

from vision.board import Board
from vision.pipeline import as_bgr

# BGR drawing colours for dot names, so a wrong colour name is visible too.
_DOT_BGR = {
    "red": (40, 40, 230),
    "orange": (0, 140, 255),
    "yellow": (0, 220, 255),
    "green": (60, 180, 60),
    "blue": (230, 120, 30),
    "purple": (180, 60, 150),
    "pink": (200, 120, 255),
    "black": (40, 40, 40),
}


def annotate(image: np.ndarray, board: Board) -> np.ndarray:
    """A copy of the photo with each note outlined and labelled "#rank: votes", dots ringed."""
    out = as_bgr(image).copy()  # whatever tally accepted: grey, BGRA, 16-bit, float
    scale = max(out.shape[:2]) / 1000.0
    thick = max(1, round(2 * scale))
    for note in board.notes:
        poly = np.round(np.asarray(note.polygon)).astype(np.int32)
        cv2.polylines(out, [poly], True, (0, 0, 0), thick + 2, cv2.LINE_AA)
        cv2.polylines(out, [poly], True, (255, 255, 255), thick, cv2.LINE_AA)
        for dot in note.dots:
            _ring(out, dot, _DOT_BGR.get(dot.colour, (255, 255, 255)), thick)
        label = f"#{note.rank}: {note.votes}" + ("=" if note.tied else "")
        _label(out, label, poly, scale)
    for dot in board.stray_dots:
        _ring(out, dot, (128, 128, 128), thick)
        centre = (round(dot.center[0]), round(dot.center[1]))
        r = round(dot.radius * 0.7)
        cv2.line(
            out, (centre[0] - r, centre[1] - r), (centre[0] + r, centre[1] + r), (0, 0, 0), thick
        )
    return out


def _ring(out, dot, colour, thick) -> None:
    centre = (round(dot.center[0]), round(dot.center[1]))
    radius = max(2, round(dot.radius) + thick + 1)
    cv2.circle(out, centre, radius, (255, 255, 255), thick + 2, cv2.LINE_AA)
    cv2.circle(out, centre, radius, colour, thick, cv2.LINE_AA)


def _label(out, text, poly, scale) -> None:
    """The label inside the note's top-left corner, no wider than most of the note: on a
    crowded wall, labels above the notes covered their neighbours' labels."""
    font, size = cv2.FONT_HERSHEY_SIMPLEX, 0.7 * scale
    weight = max(1, round(2 * scale))
    room = 0.8 * float(np.linalg.norm(poly[1] - poly[0]))
    (tw, th), base = cv2.getTextSize(text, font, size, weight)
    if tw > room:
        # Not below a size still readable when the photo is seen whole.
        shrink = max(room / tw, 0.35)
        size, weight = size * shrink, max(1, round(weight * shrink))
        (tw, th), base = cv2.getTextSize(text, font, size, weight)
    x = int(np.clip(poly[0][0] + weight, 0, max(0, out.shape[1] - tw - 4)))
    y = int(np.clip(poly[0][1] + th + 4 + weight, th + 4, out.shape[0] - 1 - base))
    cv2.rectangle(out, (x, y - th - 4), (x + tw + 4, y + base), (0, 0, 0), -1)
    cv2.putText(out, text, (x + 2, y - 2), font, size, (255, 255, 255), weight, cv2.LINE_AA)
