"""Colour names for notes and dots, from CIE Lab (L 0-100, a and b signed).

Names are decided by hue angle in the a-b plane, with chroma and lightness
telling white and black apart; the fixed vocabulary is in vision.board.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

# From OpenCV's 8-bit Lab (L scaled to 0..255, a and b offset by 128) to L 0..100, signed a, b.
_LAB8 = np.float32([[100 / 255, 0, 0, 0], [0, 1, 0, -128], [0, 0, 1, -128]])


def to_lab(bgr: np.ndarray) -> np.ndarray:
    """BGR uint8 -> float32 Lab with L in 0..100 and signed a, b.

    Through OpenCV's 8-bit conversion (table lookups, about three times faster than the
    float one); a step of 0.4 in L and 1 in a, b is far finer than anything judged here.
    """
    return cv2.transform(cv2.cvtColor(bgr, cv2.COLOR_BGR2Lab).astype(np.float32), _LAB8)


def hue_degrees(a: float, b: float) -> float:
    return math.degrees(math.atan2(b, a)) % 360.0


def note_colour(lab) -> str:
    L, a, b = (float(v) for v in lab)
    chroma = math.hypot(a, b)
    if chroma < 14:
        return "white"
    h = hue_degrees(a, b)
    if h < 22 or h >= 335:
        return "pink"
    if h < 66:
        return "orange"
    if h < 104:
        return "yellow"
    if h < 200:
        return "green"
    if h < 285:
        return "blue"
    return "purple"


def dot_colour(lab) -> str:
    L, a, b = (float(v) for v in lab)
    chroma = math.hypot(a, b)
    if chroma < 18 and L < 45 or L < 22:
        return "black"
    h = hue_degrees(a, b)
    if h >= 335 or h < 12:
        return "pink" if L > 55 or a < 45 else "red"
    if h < 48:
        return "red" if L < 62 or chroma > 70 else "orange"
    if h < 72:
        return "orange"
    if h < 105:
        return "yellow"
    if h < 200:
        return "green"
    if h < 290:
        return "blue"
    return "purple"
