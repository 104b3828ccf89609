"""A patch of light is no block of notes (vision.notes.glow): paper has a cut edge."""

from __future__ import annotations

import cv2
import numpy as np
from test_notes import LIME, PINK, WALL, note, wall

from vision.notes import find_notes
from vision.notes.glow import _soft_edged
from vision.params import Params
from vision.synth import make_wall


def _glow(image, x, y, w, h, lift=40, blur=25):
    """A lamp's glow on the wall: a lighter, warmer rectangle fading out over `blur` px."""
    light = np.zeros(image.shape[:2], np.float32)
    light[y : y + h, x : x + w] = 1.0
    light = cv2.GaussianBlur(light, (0, 0), blur)[..., None]
    glow = image.astype(np.float32) + light * np.float32([lift * 0.6, lift, lift * 1.1])
    image[:] = np.clip(glow, 0, 255).astype(np.uint8)


def _block(image, x, y, side, cols, rows, colour):
    """Touching notes of one colour, cols x rows; returns their outlines."""
    return [
        note(image, x + side * i, y + side * j, side, colour=colour, seam=j > 0, shadow=False)
        for j in range(rows)
        for i in range(cols)
    ]


def _quad(x, y, w, h):
    return np.float32([[x, y], [x + w, y], [x + w, y + h], [x, y + h]])


def test_a_block_of_paper_has_a_cut_edge_and_a_glow_has_none():
    image = wall(size=(1400, 900))
    _block(image, 100, 100, 150, 2, 1, LIME)
    _glow(image, 700, 300, 600, 450)
    assert not _soft_edged(image, _quad(100, 100, 300, 150), 2, 1)
    assert _soft_edged(image, _quad(700, 300, 600, 450), 4, 3)


def test_a_blurred_photo_of_a_block_still_shows_its_edge():
    image = wall(size=(1400, 900))
    _block(image, 100, 100, 150, 2, 1, PINK)
    image = cv2.GaussianBlur(image, (0, 0), 2.5)  # mild camera blur
    assert not _soft_edged(image, _quad(100, 100, 300, 150), 2, 1)


def test_a_glow_on_a_glass_wall_is_no_block_of_notes():
    # Hard 3169: behind a glass wall, a lamp's glow as big as 4 x 3 notes, lighter than the
    # wall and flat, fading out over some 80 px: it was cut into a grid of 12 notes.
    drawn = make_wall(3169, "hard")
    found = [c.quad.mean(axis=0) for c in find_notes(drawn.image, Params())]
    assert not [c for c in found if 3450 < c[0] < 4250 and 950 < c[1] < 1450]
    assert len(found) <= len(drawn.truth.notes)  # 34 found for 23 notes, 12 of them the glow


def test_a_block_with_no_step_across_its_sides_is_not_judged():
    # Nothing but wall round it, and no paper: there is no edge to judge, soft or cut.
    image = wall(size=(600, 400), colour=WALL)
    assert _soft_edged(image, _quad(100, 100, 300, 150), 2, 1) is False
