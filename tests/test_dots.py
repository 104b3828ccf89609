"""vision.dots.find_dots on one drawn note at a time, each scene one condition that tells a dot
from ink, with the answer known exactly. The note's true outline is given, as the tally gives
the outline it found; vision.synth and the benchmark mix every condition together.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vision.blame import on_true_outline
from vision.dots import contending, count_wall, find_dots, look_closer
from vision.dots.discs import discs
from vision.dots.ink import Candidate, is_dot, score
from vision.dots.scan import _beyond
from vision.geometry import inside
from vision.params import Params
from vision.synth import make_wall

WALL = (205, 208, 210)  # BGR
CANARY = (90, 235, 250)
BLUE_NOTE = (235, 200, 120)
PINK = (190, 120, 250)
RED = (40, 40, 200)
BLUE = (200, 120, 30)
GREEN = (60, 150, 40)
DARK_YELLOW = (0, 175, 235)
BLACK = (35, 30, 30)
BLUE_INK = (150, 60, 20)


class Note:
    """One square note on a wall; its dots are drawn with a glossy highlight, as vinyl dots have."""

    def __init__(self, colour=CANARY, side=240, at=(200, 150), size=(640, 540)):
        self.image = np.empty((size[1], size[0], 3), np.uint8)
        self.image[:] = WALL
        x, y = at
        cv2.rectangle(self.image, (x + 3, y + 5), (x + side + 3, y + side + 5), (175, 178, 180), -1)
        cv2.rectangle(self.image, (x, y), (x + side - 1, y + side - 1), colour, -1)
        self.quad = np.float32([[x, y], [x + side, y], [x + side, y + side], [x, y + side]])
        self.dots: list[tuple[float, float, float]] = []

    def dot(self, cx, cy, r=17, colour=RED):
        cv2.circle(self.image, (int(cx), int(cy)), r, colour, -1, cv2.LINE_AA)
        shine = self.image.copy()
        cv2.circle(
            shine,
            (int(cx - r / 3), int(cy - r / 3)),
            max(2, r // 5),
            (250, 250, 250),
            -1,
            cv2.LINE_AA,
        )
        cv2.addWeighted(shine, 0.6, self.image, 0.4, 0, dst=self.image)
        self.dots.append((cx, cy, r))

    def glossy_dot(self, cx, cy, r, colour, shift, spread, strength):
        """A big dot under a lamp: a soft highlight `shift` pixels up and left of its middle,
        `spread` pixels wide, washing it towards white by up to `strength`."""
        cv2.circle(self.image, (cx, cy), r, colour, -1, cv2.LINE_AA)
        yy, xx = np.mgrid[0 : self.image.shape[0], 0 : self.image.shape[1]].astype(np.float32)
        spot = np.exp(-((xx - cx + shift) ** 2 + (yy - cy + shift) ** 2) / (2 * spread**2))
        lit = (
            self.image * (1 - strength * spot[..., None])
            + np.float32(250 * strength) * spot[..., None]
        )
        inside = np.zeros(self.image.shape[:2], np.uint8)
        cv2.circle(inside, (cx, cy), r, 1, -1)
        self.image[inside > 0] = lit[inside > 0].astype(np.uint8)
        self.dots.append((cx, cy, r))

    def write(self, x, y, letters, size=26, colour=BLACK, thickness=4):
        """Handwriting in marker, drawn stroke by stroke (OpenCV's fonts differ between
        versions): o, l, e, b, d, n and w, each `size` pixels high, from the baseline at y."""
        for k, letter in enumerate(letters):
            cx, top = x + int(k * 0.8 * size), y - size
            mid, half = y - size // 4, size // 4 + 2
            if letter in "oebd":  # a bowl sitting on the baseline
                start, end = (25, 340) if letter == "e" else (0, 360)
                cv2.ellipse(
                    self.image,
                    (cx, mid),
                    (half, half),
                    0,
                    start,
                    end,
                    colour,
                    thickness,
                    cv2.LINE_AA,
                )
                if letter == "e":
                    cv2.line(
                        self.image,
                        (cx - half, mid),
                        (cx + half, mid),
                        colour,
                        thickness,
                        cv2.LINE_AA,
                    )
            if letter in "lb":
                cv2.line(
                    self.image, (cx - half, top), (cx - half, y), colour, thickness, cv2.LINE_AA
                )
            if letter == "d":
                cv2.line(
                    self.image, (cx + half, top), (cx + half, y), colour, thickness, cv2.LINE_AA
                )
            if letter == "n":
                cv2.line(
                    self.image,
                    (cx - half, mid - half),
                    (cx - half, y),
                    colour,
                    thickness,
                    cv2.LINE_AA,
                )
                cv2.ellipse(
                    self.image, (cx, mid), (half, half), 0, 180, 360, colour, thickness, cv2.LINE_AA
                )
                cv2.line(
                    self.image, (cx + half, mid), (cx + half, y), colour, thickness, cv2.LINE_AA
                )
            if letter == "w":
                pts = np.int32(
                    [
                        [cx - half, mid - half],
                        [cx - half // 2, y],
                        [cx, mid],
                        [cx + half // 2, y],
                        [cx + half, mid - half],
                    ]
                )
                cv2.polylines(self.image, [pts], False, colour, thickness, cv2.LINE_AA)

    def photo(self, seed=0, blur=1.0) -> np.ndarray:
        """As a camera sees it: a little blur (`blur`: sigma, pixels) and noise."""
        noisy = self.image.astype(np.float32) + np.random.default_rng(seed).normal(
            0, 3, self.image.shape
        )
        return cv2.GaussianBlur(np.clip(noisy, 0, 255).astype(np.uint8), (0, 0), blur)

    def found(self, blur=1.0):
        _, dots = find_dots(self.photo(blur=blur), self.quad, Params())
        return dots


def assert_same_dots(found, expected, tolerance=4.0):
    assert len(found) == len(expected), (
        f"found {[(round(d.center[0]), round(d.center[1])) for d in found]}"
    )
    for cx, cy, r in expected:
        near = [d for d in found if np.hypot(d.center[0] - cx, d.center[1] - cy) < tolerance]
        assert len(near) == 1, f"no dot found at ({cx}, {cy})"
        assert near[0].radius == pytest.approx(r, abs=tolerance)


def test_plain_dots_are_found_where_they_are_and_as_big_as_they_are():
    n = Note()
    n.dot(270, 220, colour=RED)
    n.dot(360, 300, r=13, colour=BLUE)
    assert_same_dots(n.found(), n.dots)
    assert {d.colour for d in n.found()} == {"red", "blue"}


def test_a_dot_of_the_notes_own_hue_counts():
    n = Note(colour=CANARY)
    n.dot(280, 240, colour=DARK_YELLOW)
    n.dot(360, 320, colour=RED)
    assert_same_dots(n.found(), n.dots)


@pytest.mark.parametrize(
    ("paper", "colour"), [(CANARY, (55, 210, 238)), (BLUE_NOTE, (205, 168, 82))]
)
def test_a_faint_dot_of_the_notes_own_hue_counts_and_the_writing_does_not(paper, colour):
    # A shade darker than the paper: under `dot_delta_e` from it once blurred and lit, but a
    # big clean disc at a lower threshold.
    n = Note(colour=paper)
    n.dot(290, 240, r=22, colour=colour)
    n.dot(370, 320, r=17, colour=RED)
    n.write(215, 390, "olden", colour=BLACK, size=30, thickness=5)
    assert_same_dots(n.found(), n.dots)


def test_overlapping_dots_of_one_colour_count_one_each():
    n = Note()
    n.dot(290, 250, colour=BLUE)
    n.dot(314, 252, colour=BLUE)  # centres 24 px apart: heavily overlapping
    n.dot(330, 340, colour=GREEN)
    n.dot(356, 352, colour=RED)  # over the green one, which still shows more than half
    assert len(n.found()) == 4


@pytest.mark.parametrize("apart", [1.8, 1.9])
def test_touching_dots_of_one_colour_side_by_side_count_one_each(apart):
    # Two dots in a row fill their outline's rectangle almost as well as a thick line does:
    # pixel for pixel, more than a band's share of it, though round ends never fill it.
    n = Note()
    for x, y, dx, dy in ((290, 230, 1, 0), (290, 300, 0.6, 0.8)):
        n.dot(x, y, r=12, colour=BLUE)
        n.dot(x + round(apart * 12 * dx), y + round(apart * 12 * dy), r=12, colour=BLUE)
    assert_same_dots(n.found(), n.dots)


@pytest.mark.parametrize(
    ("paper", "colour", "r", "apart"), [(BLUE_NOTE, RED, 13, 2.0), (PINK, BLUE, 12, 1.9)]
)
def test_a_soft_focus_pair_of_small_touching_dots_counts_two(paper, colour, r, apart):
    # Blurred, the pair is one smooth blob with hardly a waist, and small: two discs a pixel
    # too narrow (the distance transform's radius, rounded down) cover too little of it to
    # be taken for the pair it is.
    n = Note(colour=paper)
    n.dot(290, 250, r=r, colour=colour)
    n.dot(290 + round(apart * r * 0.6), 250 + round(apart * r * 0.8), r=r, colour=colour)
    assert len(n.found(blur=2.2)) == 2


def test_a_dot_across_the_notes_edge_is_whole():
    n = Note()
    n.dot(205, 260, colour=BLUE)  # centre 5 px inside the left edge
    n.dot(320, 385, colour=RED)  # centre 5 px inside the bottom edge
    assert_same_dots(n.found(), n.dots)


def test_a_dot_on_writing_of_its_own_colour_counts():
    n = Note()
    n.write(215, 230, "blend", colour=BLUE_INK, size=30, thickness=5)
    n.dot(290, 215, colour=BLUE)
    n.write(215, 330, "olden", colour=BLACK, size=30, thickness=5)
    n.dot(340, 320, colour=BLACK)
    assert len(n.found()) == 2


@pytest.mark.parametrize("paper", [CANARY, PINK])
@pytest.mark.parametrize("thickness, r", [(5, 15), (5, 17), (6, 17), (7, 17), (7, 20)])
def test_black_dots_on_rows_of_bold_black_writing_count(paper, thickness, r):
    # The strokes round each dot score it as ink; its face, opaque to the rim, tells a sticker.
    # On pink a black dot is darker than the paper and of no other hue, as a shade is, but it
    # keeps none of the paper's chroma where a shade as dark keeps half of it.
    n = Note(colour=paper)
    for row in range(4):
        n.write(215, 200 + 45 * row, "blown" if row % 2 else "olden", size=30, thickness=thickness)
    n.dot(290, 245, r=r, colour=BLACK)
    n.dot(350, 330, r=r, colour=BLACK)
    assert_same_dots(n.found(), n.dots)


@pytest.mark.parametrize(
    ("paper", "colour", "thickness", "word", "at"),
    [
        (CANARY, RED, 12, "blown", (229, 240)),
        (PINK, GREEN, 12, "blown", (229, 240)),
        (BLUE_NOTE, RED, 13, "olden", (278, 240)),
    ],
)
def test_a_dot_on_a_junction_of_bold_strokes_of_another_colour_counts_once(
    paper, colour, thickness, word, at
):
    # The dot and the strokes under it make one thick core, deepest where they meet: the
    # colour round that seed is half the dot's and half the ink's, and its median is neither.
    n = Note(colour=paper)
    n.write(215, 250, word, size=44, thickness=thickness)
    n.dot(*at, colour=colour)
    assert_same_dots(n.found(), n.dots)


@pytest.mark.parametrize("colour", [BLACK, BLUE_INK, RED])
def test_thick_marker_writing_is_not_a_vote(colour):
    n = Note(colour=PINK if colour != RED else CANARY)
    n.write(
        210, 200, "obdeo", colour=colour, size=30, thickness=7
    )  # bowls half filled by a fat pen
    n.write(210, 260, "blown", colour=colour, size=26, thickness=6)
    n.write(210, 320, "wedo", colour=colour, size=30, thickness=6)
    cv2.circle(n.image, (330, 360), 18, colour, 4, cv2.LINE_AA)  # a drawn ring the size of a dot
    cv2.circle(n.image, (390, 360), 5, colour, -1, cv2.LINE_AA)  # a full stop, pressed hard
    assert n.found() == []


def test_a_note_mostly_covered_in_writing_still_shows_its_dots_and_no_others():
    n = Note(colour=BLUE_NOTE)
    for row in range(6):  # the paper is now only half the note
        n.write(210, 185 + 38 * row, "wnwnwnw", colour=BLACK, size=28, thickness=7)
    n.dot(300, 260, colour=RED)
    n.dot(390, 340, colour=GREEN)
    assert_same_dots(n.found(), n.dots)


@pytest.mark.parametrize("paper", [CANARY, PINK])
def test_a_dark_curled_bottom_is_paper_not_a_dot(paper):
    n = Note(colour=paper)
    x, y = 200, 150
    for k in range(40):  # the bottom sixth of the note darkens as it curls away from the light
        shade = 1.0 - 0.012 * k
        colour = tuple(int(c * shade) for c in paper)
        cv2.line(n.image, (x, y + 200 + k), (x + 239, y + 200 + k), colour, 1)
    n.dot(300, 230, colour=BLUE)
    assert_same_dots(n.found(), n.dots)


def test_an_outline_over_two_colour_fields_finds_nothing_and_does_not_fail():
    # A wrong outline from the note finder: half of it canary paper, half a blue field that
    # fills its part of the patch edge to edge. Neither half is a dot.
    image = np.empty((500, 700, 3), np.uint8)
    image[:, :350] = CANARY
    image[:, 350:] = BLUE_NOTE
    quad = np.float32([[250, 150], [450, 150], [450, 350], [250, 350]])
    _, dots = find_dots(image, quad, Params())
    assert dots == []


def test_a_dot_inside_a_thick_drawn_ring_is_found_and_the_ring_is_not_a_vote():
    # The ring's thick stroke and the dot in its hole are two separate things on the note,
    # one inside the other.
    n = Note()
    n.dot(320, 270, colour=RED)
    cv2.circle(n.image, (320, 270), 52, BLACK, 20, cv2.LINE_AA)
    assert_same_dots(n.found(), n.dots)


def test_a_dot_across_the_seam_with_a_neighbouring_note_counts():
    # Notes touch this one's top and right edges: beyond its edges are big fields of other
    # colours, which must not take the dot across the seam along with them.
    n = Note(colour=PINK)
    cv2.rectangle(n.image, (440, 60), (600, 420), CANARY, -1)
    cv2.rectangle(n.image, (150, 0), (439, 149), BLUE_NOTE, -1)
    n.dot(434, 175, r=16, colour=BLUE)  # centre 6 px inside the right edge
    n.dot(300, 300, colour=GREEN)
    assert_same_dots(n.found(), n.dots)


@pytest.mark.parametrize(
    ("side", "colour", "at"), [("bottom", BLUE, (320, 385)), ("right", (160, 60, 110), (434, 260))]
)
def test_a_dot_across_the_edge_onto_another_surface_beyond_counts(side, colour, at):
    # Along one edge lies a surface of its own colour, neither the wall nor this note (a
    # greyish mauve note, a deep shadow): about half way from the canary paper to the dot's
    # colour, so the dot's part beyond the edge would run into all of it.
    n = Note(colour=CANARY)
    band = ((120, 390), (520, 470)) if side == "bottom" else ((440, 100), (560, 440))
    cv2.rectangle(n.image, *band, (150, 128, 140), -1)
    n.dot(*at, r=17, colour=colour)
    n.dot(300, 250, colour=RED)
    assert_same_dots(n.found(), n.dots)


@pytest.mark.parametrize("colour", [RED, GREEN, BLUE])
@pytest.mark.parametrize("x", [424, 428])
def test_a_dot_across_the_edge_onto_a_neighbour_of_its_own_colour_counts(colour, x):
    # A touching neighbour note the dot's colour: the dot runs into it, and without knowing
    # that surface for what it is the blob is a long strip, no dot.
    n = Note(colour=CANARY)
    cv2.rectangle(n.image, (440, 150), (640, 390), colour, -1)
    n.dot(x, 260, r=17, colour=colour)
    n.dot(300, 250, colour=PINK if colour != RED else BLUE)
    assert_same_dots(n.found(), n.dots)


def test_a_dot_whose_middle_is_a_wide_highlight_counts_whole():
    # The lamp's reflection covers the middle of a big glossy dot and fades out towards
    # its rim: the dot's face is what is left round it.
    n = Note(colour=CANARY)
    n.glossy_dot(320, 260, 30, RED, shift=6, spread=13, strength=0.8)
    assert_same_dots(n.found(), n.dots)


def test_a_dot_of_the_notes_own_hue_half_lit_by_a_highlight_counts():
    # Dark yellow on canary, its upper left washed out by the lamp: only part of the dot
    # is of one colour, and the rest is about the paper's.
    n = Note(colour=CANARY)
    n.glossy_dot(320, 260, 24, DARK_YELLOW, shift=10, spread=12, strength=0.6)
    assert_same_dots(n.found(), n.dots)


LEMON = (94, 240, 208)  # a greenish canary: Lab about (90, -30, 65)
LEMON_DOT = (43, 213, 215)  # a deeper, warmer yellow: Lab about (83, -17, 76)


@pytest.mark.parametrize("r", [12, 14])
@pytest.mark.parametrize("strength", [0.5, 0.7])
def test_a_small_dot_of_the_notes_own_hue_with_a_highlight_in_its_middle_counts(r, strength):
    # A yellow dot on a lemon note, differing from it by about 15 in Lab, lit in the middle:
    # the highlight, washed about as light as the paper, and the face round it are parted by a
    # ring of their blurred mix, of neither's colour. The face round the highlight is the dot.
    n = Note(colour=LEMON)
    n.glossy_dot(300, 250, r, LEMON_DOT, shift=2, spread=4, strength=strength)
    n.dot(380, 340, r=14, colour=RED)
    assert_same_dots(n.found(), n.dots)


@pytest.mark.parametrize("gap", [3, 4])
def test_small_dots_stuck_in_a_neat_row_all_count(gap):
    # Four 8 mm stickers queued along a note, a few pixels apart: their blob is one piece, and
    # its discs lie on a line like a beaded stroke's, but the notches between them show.
    n = Note()
    for k in range(4):
        n.dot(215 + (24 + gap) * k, 260, r=12, colour=BLUE)
    assert_same_dots(n.found(), n.dots)


@pytest.mark.parametrize("colour", [RED, (170, 40, 60)])
def test_a_beaded_marker_stroke_is_not_a_row_of_votes(colour):
    # A fat marker line drawn with a bead every few millimetres: each bead is as round and
    # as big as a dot, but they queue along the line, and the line fills in between them.
    n = Note(colour=PINK if colour != RED else CANARY)
    cv2.line(n.image, (250, 300), (250 + 3 * 23, 300), colour, 15, cv2.LINE_AA)
    for k in range(4):
        cv2.circle(n.image, (250 + 23 * k, 300), 13, colour, -1, cv2.LINE_AA)
    n.dot(300, 220, colour=GREEN)
    assert_same_dots(n.found(), n.dots)


@pytest.mark.parametrize(
    ("paper", "under", "over", "angle", "blur"),
    [
        (BLUE_NOTE, RED, (60, 200, 250), 0, 1.0),
        (BLUE_NOTE, PINK, DARK_YELLOW, 60, 1.5),
        (CANARY, GREEN, RED, 135, 1.0),
        (PINK, DARK_YELLOW, BLUE, 60, 1.5),
    ],
)
def test_a_dot_half_hidden_under_a_dot_of_another_colour_counts(paper, under, over, angle, blur):
    # Stuck on first, then partly covered: its centres 1.45 radii from the other's, it shows
    # as a crescent too thin to hold a disc of a dot's size, but its rim is a dot's circle.
    n = Note(colour=paper)
    n.dot(300, 250, r=14, colour=under)
    a = np.radians(angle)
    n.dot(300 + round(20 * np.cos(a)), 250 + round(20 * np.sin(a)), r=14, colour=over)
    n.dot(360, 330, r=14, colour=over)
    assert_same_dots(n.found(blur=blur), n.dots)


@pytest.mark.parametrize(
    ("paper", "colour", "letters", "at"),
    [
        (CANARY, RED, "b", (-6, -28)),
        (CANARY, BLUE_INK, "d", (-6, -28)),
        (CANARY, (120, 40, 110), "o", (30, 0)),
        (PINK, GREEN, "lll", (18, -10)),
    ],
)
def test_fat_letters_partly_under_a_dot_are_not_dots_hidden_under_it(paper, colour, letters, at):
    # What shows of a fat marker letter beside a dot is a piece of one colour that the dot
    # seems to hide: its outline is no circle going most of the way round the piece.
    n = Note(colour=paper)
    n.write(260, 280, letters, colour=colour, size=30, thickness=7)
    n.dot(260 + at[0], 280 + at[1], r=14, colour=BLUE if colour != BLUE_INK else RED)
    assert_same_dots(n.found(), n.dots)


@pytest.mark.parametrize(
    ("paper", "colour", "spread", "strength"),
    [(CANARY, GREEN, 0.35, 0.7), (CANARY, RED, 0.25, 0.85), (PINK, BLUE, 0.35, 0.7)],
)
def test_a_dot_with_a_big_highlight_inside_its_rim_counts(paper, colour, spread, strength):
    # The lamp's reflection lies wholly inside the dot, so it is a hole in the dot's colour:
    # too big a hole to be filled as a speck, but the dot's colour washed towards white, not
    # the paper a letter "o" has inside.
    n = Note(colour=paper)
    n.glossy_dot(300, 250, 16, colour, shift=6, spread=spread * 16, strength=strength)
    n.dot(380, 330, r=16, colour=BLUE if colour != BLUE else RED)
    assert_same_dots(n.found(), n.dots)


@pytest.mark.parametrize(("paper", "colour"), [(CANARY, RED), (PINK, BLUE), (BLUE_NOTE, GREEN)])
def test_small_glossy_dots_whose_highlight_reaches_the_rim_count(paper, colour):
    # The lamp's reflection, wide and soft, washes out the upper left of each dot up to its
    # rim: what is of the dot's own colour is a crescent, too thin to hold a dot's disc.
    n = Note(colour=paper)
    n.glossy_dot(290, 240, 15, colour, shift=8, spread=6, strength=0.85)
    n.glossy_dot(360, 330, 15, colour, shift=8, spread=6, strength=0.85)
    assert_same_dots(n.found(), n.dots)


@pytest.mark.parametrize(("paper", "colour"), [(CANARY, BLUE), (PINK, RED), (BLUE_NOTE, GREEN)])
def test_a_tight_bunch_of_three_dots_of_one_colour_counts_three(paper, colour):
    # Stuck round a point, each a radius and a half from the others: their blob fills its
    # enclosing circle as well as one dot with a highlight bitten out of it, and where they
    # meet it holds a disc wider than any of them.
    n = Note(colour=paper)
    for dx, dy in ((0, 0), (26, 0), (13, 22)):
        n.dot(290 + dx, 240 + dy, r=16, colour=colour)
    assert_same_dots(n.found(), n.dots)


@pytest.mark.parametrize(("paper", "colour"), [(PINK, BLUE), (CANARY, RED)])
@pytest.mark.parametrize("r", [14, 24, 30])
@pytest.mark.parametrize("apart", [1.5, 1.8, 2.2])
@pytest.mark.parametrize("shape", ["square", "rhombus"])
def test_four_dots_of_one_colour_bunched_together_count_four(paper, colour, r, apart, shape):
    # A popular topic: four voters put their dots in a clump. Where four meet, their blob holds
    # a disc about 1.4 times theirs, wider than the widest sticker for the big ones, and its
    # outline bulges far past that disc: it is neither one dot nor a blot. (Three of these
    # are two rows of two not quite touching, which the blob's hole filling joins.)
    n = Note(colour=paper)
    g = apart * r
    if shape == "square":
        where = ((0, 0), (g, 0), (0, g), (g, g))
    else:
        where = ((0, 0), (g, 0), (0.5 * g, 0.87 * g), (1.5 * g, 0.87 * g))
    for dx, dy in where:
        n.dot(int(270 + dx), int(230 + dy), r=r, colour=colour)
    assert_same_dots(n.found(), n.dots, tolerance=0.4 * r)


@pytest.mark.parametrize(
    ("paper", "colour", "ink", "thickness", "word"),
    [
        (CANARY, BLUE, BLUE_INK, 4, "blend"),
        (CANARY, BLUE, BLUE_INK, 6, "lolol"),
        (PINK, RED, RED, 6, "lolol"),
    ],
)
def test_a_tight_bunch_of_three_dots_on_writing_of_their_colour_counts_three(
    paper, colour, ink, thickness, word
):
    # The strokes attached make the bunch's blob ragged, so no cluster fits it, and the disc
    # where the three meet, wider than any of them, peeled them all at once: one dot.
    n = Note(colour=paper)
    for row in (230, 270):
        n.write(205, row, word, colour=ink, size=32, thickness=thickness)
    for dx, dy in ((0, 0), (32, 0), (16, 28)):
        n.dot(265 + dx, 225 + dy, r=20, colour=colour)
    assert_same_dots(n.found(), n.dots, tolerance=6.0)


def test_a_bunch_of_dots_on_writing_of_their_colour_on_a_seeded_wall_counts_them_all():
    # Nine blue dots on a canary note, three of them bunched over blue letters (mediumx 2056).
    wall = make_wall(2056, "medium")
    note = next(n for n in wall.truth.notes if inside(n.polygon, (379, 963)))
    assert on_true_outline(wall.image, note, Params()) == note.votes == 9


def _smudge(n: Note, colour, at, r, sigma):
    """A round smear of `colour` with no edge: a dirty thumb, writing on the next note down
    showing through."""
    mask = np.zeros(n.image.shape[:2], np.float32)
    cv2.circle(mask, at, r, 1.0, -1, cv2.LINE_AA)
    mask = cv2.GaussianBlur(mask, (0, 0), sigma)[..., None]
    n.image[:] = (np.float32(colour) * mask + n.image * (1 - mask)).astype(np.uint8)


def test_a_small_faint_dot_of_the_notes_own_hue_counts():
    # Only the second, lower threshold sees it, so it must score clear of ink (by the second
    # look's margin): a small clean disc does, though not by much.
    n = Note(colour=CANARY)
    n.dot(300, 250, r=14, colour=(55, 210, 238))
    n.dot(380, 330, r=14, colour=RED)
    assert_same_dots(n.found(), n.dots)


@pytest.mark.parametrize(
    ("paper", "colour"), [(CANARY, (65, 218, 242)), (BLUE_NOTE, (212, 177, 92))]
)
def test_a_dot_of_the_notes_own_hue_under_the_second_look_counts_on_a_note_in_the_running(
    paper, colour
):
    # A shade of the paper a few units of Lab from it once blurred: under the second look's
    # threshold too. A note that decides the ranking is looked at closer, lower still.
    n = Note(colour=paper)
    n.dot(290, 240, r=22, colour=colour)
    n.dot(370, 320, r=17, colour=RED)
    n.write(215, 390, "olden", colour=BLACK, size=30, thickness=5)
    photo = n.photo()
    (counted,) = count_wall(photo, [n.quad], Params())
    assert_same_dots(counted.dots, n.dots)
    # the closer look is what finds it
    (plain,) = count_wall(photo, [n.quad], Params(dot_closer=0))
    assert len(plain.dots) == 1


@pytest.mark.parametrize(
    ("votes", "looked_at"),
    [
        ([9, 7, 5, 4, 3, 2, 1, 0], [0, 1, 2, 3, 4]),  # within two of the third's five
        ([3, 8, 3, 3, 1], [1, 0, 2, 3, 4]),  # the first given first, of those tied
        ([2] * 9, [0, 1, 2, 3, 4, 5]),  # six at most
        ([0, 0, 1], [2]),  # a note with no vote is in the running for nothing
        ([0, 0], []),
        ([], []),
    ],
)
def test_the_notes_looked_at_closer_are_those_in_the_running_for_the_top_places(votes, looked_at):
    assert contending(votes) == looked_at


def test_a_note_off_a_bigger_pad_is_counted_at_the_scale_of_the_walls_notes():
    # Seeded medium wall 2144, on its true outlines: a note 1.35 times as wide as three
    # quarters of the wall's, with two dots as big as everyone's, 0.109 of its side. Warped
    # at its own scale, the purple one was no dot.
    # mutation: `_BIGGER_PAD` 2 (no note counted at the wall's scale): 1 vote.
    wall = make_wall(2144, "medium")
    quads = [np.float32(n.polygon) for n in wall.truth.notes]
    counted = count_wall(wall.image, quads, Params())
    (k,) = [
        k
        for k, n in enumerate(wall.truth.notes)
        if np.hypot(*np.subtract(n.center, (890, 1179))) < 50
    ]
    assert wall.truth.notes[k].votes == 2
    assert counted[k].votes == 2


def test_a_wall_lets_go_of_what_a_closer_look_needs_once_a_note_is_out_of_the_running():
    wall = make_wall(2000, "medium")
    quads = [np.float32(n.polygon) for n in wall.truth.notes]
    counted = count_wall(wall.image, quads, Params())
    running = contending([c.votes for c in counted])
    assert 0 < len(running) < len(counted)
    for k, c in enumerate(counted):
        assert (c.seen is not None) == (k in running)
    out = next(c for k, c in enumerate(counted) if k not in running)
    with pytest.raises(ValueError, match="let go"):
        look_closer(out, Params())


@pytest.mark.parametrize(
    ("paper", "colour", "r", "fade"),
    [
        (CANARY, (55, 210, 238), 18, 4.0),
        (BLUE_NOTE, (205, 168, 82), 24, 5.0),
        # fainter: seen by the closer look alone, scoring under its margin
        (CANARY, (65, 218, 242), 18, 4.0),
    ],
)
def test_a_smudge_of_the_notes_own_hue_is_not_a_vote(paper, colour, r, fade):
    # As big and as dark as a faint dot, but fading out over a few millimetres: the lower
    # threshold finds a round blob, which scores above 0 but under the second look's margin.
    n = Note(colour=paper)
    _smudge(n, colour, (300, 250), r, fade)
    n.dot(380, 330, r=14, colour=RED)
    assert_same_dots(n.found(), n.dots)
    # Nor on a note in the running for the top places, looked at closer (lower still, where
    # the smudge is wider and looks more like a sticker than it is: judged no dot already).
    (counted,) = count_wall(n.photo(), [n.quad], Params())
    assert_same_dots(counted.dots, n.dots)


@pytest.mark.parametrize(("paper", "colour"), [(PINK, BLUE), (BLUE_NOTE, RED)])
def test_a_note_thick_with_dots_of_one_colour_under_uneven_light_counts_them_all(paper, colour):
    # Nine big dots of one colour, and the light falling off across the note: the paper comes
    # in many shades, the dots in one, so more of the note is of the dots' colour than of any
    # one shade of the paper's. Round its edges the paper still shows most.
    n = Note(colour=paper)
    light = 1.0 - 0.3 * np.clip((np.arange(n.image.shape[1]) - 200) / 240.0, 0, 1)
    n.image[:] = (n.image * light[None, :, None]).astype(np.uint8)
    for x, y in ((235, 185), (290, 190), (345, 185), (400, 200), (240, 245), (300, 255)):
        n.dot(x, y, r=28, colour=colour)
    for x, y in ((370, 260), (250, 320), (330, 330)):
        n.dot(x, y, r=28, colour=colour)
    found = n.found()
    assert len(found) == 9  # where they touch, their centres are placed to within a few pixels
    assert {d.colour for d in found} == {"blue" if colour == BLUE else "red"}


def test_each_part_of_a_mask_gets_its_own_box_holes_and_islands_included():
    # The cores are labelled once per look and each core is worked on within its box alone: a
    # ring's hole, and an island inside it, must not give the ring's box to the island or lose it.
    from vision.dots.blobs import parts

    mask = np.zeros((120, 160), np.uint8)
    cv2.circle(mask, (60, 60), 40, 1, 12)  # a ring
    cv2.rectangle(mask, (52, 52), (67, 70), 1, -1)  # an island in its hole
    cv2.rectangle(mask, (120, 10), (150, 25), 1, -1)  # a bar apart
    mask[110:, 0:3] = 1  # a speck in the corner
    labels, boxes = parts(mask)
    count = cv2.connectedComponents(mask, connectivity=8)[0]
    assert len(boxes) == count - 1 == 4
    for label, box in boxes.items():
        ys, xs = np.nonzero(labels == label)
        assert box == (xs.min(), ys.min(), xs.max() - xs.min() + 1, ys.max() - ys.min() + 1)
    assert parts(np.zeros((30, 30), np.uint8))[1] == {}


@pytest.mark.parametrize("faint", [0.7, 1.0, 1.3])
def test_each_look_gets_the_cores_its_own_threshold_gives(faint):
    # Both looks' cores come from one opening of their masks' sum (scan._masks): each must be
    # exactly what opening that look's own mask gives, whichever threshold is the higher; the
    # lower threshold's mask closed first (its pinholes filled) away from the higher one's.
    from vision.dots.arith import SQUARE3
    from vision.dots.scan import _disc, _masks

    params = Params()
    rng = np.random.default_rng(3)

    def field() -> np.ndarray:  # squared differences: rising across, 0 to 250, ragged
        noise = cv2.GaussianBlur(rng.random((90, 120), np.float32), (0, 0), 2)
        return np.linspace(0, 250, 120, dtype=np.float32) + 400 * (noise - noise.mean())

    diff2, wall2 = field(), field()
    inner = np.zeros(diff2.shape, bool)
    inner[20:70, 25:95] = True
    deltas = [params.dot_delta_e, faint * params.dot_delta_e]
    kernel = _disc(0.8 * params.dot_min * params.note_px)
    lowest = sorted(range(len(deltas)), key=lambda i: -deltas[i])[-1]  # (of equal ones, the last)
    looks = _masks(diff2, wall2, inner, deltas, params)
    for i, (delta, (note, odd, cores)) in enumerate(zip(deltas, looks, strict=True)):
        assert np.array_equal(note, inner | (wall2 > delta**2))
        assert np.array_equal(odd, (diff2 > delta**2) & note)
        mask = odd.view(np.uint8)
        if i == lowest:
            other = looks[1 - i][1]  # the higher (or equal) threshold's
            away = ~cv2.dilate(other.view(np.uint8), SQUARE3).view(bool)
            filled = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, SQUARE3).view(bool) & away
            mask = (odd | filled).view(np.uint8)
        opened = cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel)
        assert cores.dtype == np.uint8 and np.array_equal(cores, opened)
        assert 0 < np.count_nonzero(cores) < np.count_nonzero(odd)  # the case is not empty


def test_pinholes_in_a_faint_dot_do_not_split_its_core():
    # A dot of about the paper's colour differs from it by a little more than the lower
    # threshold, with pinholes where noise dips under it: opened as they are, they cut a band
    # through its core, and each half is too thin to seed a dot (medium 2191). Closed first,
    # the core is whole, as deep as the dot is wide.
    # mutation: the lower threshold's mask not closed (two halves about 5.6 deep).
    from vision.dots.scan import _masks

    params = Params()
    faint = params.dot_faint * params.dot_delta_e
    diff2 = np.zeros((60, 60), np.float32)
    cv2.circle(diff2, (30, 30), 11, float((1.1 * faint) ** 2), -1)
    diff2[29, 24] = diff2[30, 30] = diff2[29, 35] = 0.0  # noise under the threshold
    inner = np.ones(diff2.shape, bool)
    deltas = [params.dot_delta_e, faint]
    _, odd, cores = _masks(diff2, np.zeros_like(diff2), inner, deltas, params)[1]
    assert not odd[30, 30]
    depth = cv2.distanceTransform(cores, cv2.DIST_L2, 3)
    assert depth.max() > 9


@pytest.mark.parametrize("colour", [(170, 40, 60), BLUE])
def test_a_round_blot_wider_than_any_sticker_is_not_a_vote(colour):
    # A disc 0.37 of the note across (the widest stickers, 19 mm on a 76 mm note, are a
    # quarter of it, `dot_max` a third with room for perspective): a filled-in doodle, a
    # round magnet. Round and solid as it is, it is no sticker.
    n = Note(colour=CANARY)
    cv2.circle(n.image, (320, 270), 44, colour, -1, cv2.LINE_AA)
    n.dot(250, 370, r=16, colour=RED)
    assert_same_dots(n.found(), n.dots)


@pytest.mark.parametrize("paper", [CANARY, PINK])
@pytest.mark.parametrize("ink", [BLACK, BLUE_INK])
def test_a_bold_blurred_letter_o_is_not_a_vote(paper, ink):
    # A fat marker "o" as big as a sticker, its bowl half shut by the pen and the blur: round
    # and solid enough to pass for one, but its middle falls back towards the paper, where a
    # sticker is one colour to its rim. The red dot beside it has a highlight in its middle.
    n = Note(colour=paper)
    cv2.circle(n.image, (300, 260), 22 - 7, ink, 14, cv2.LINE_AA)  # 22 px out, an 8 px bowl
    n.dot(380, 330, r=14, colour=RED)
    _, dots = find_dots(n.photo(blur=2.5), n.quad, Params())
    assert_same_dots(dots, n.dots)


GREEN_NOTE = (120, 200, 120)
PURPLE = (150, 60, 230)


@pytest.mark.parametrize(("paper", "colour"), [(PINK, PURPLE), (GREEN_NOTE, GREEN)])
@pytest.mark.parametrize("blur", [1.0, 1.5])
def test_a_glossy_dot_of_the_notes_hue_washed_to_the_paper_up_to_its_rim_counts(
    paper, colour, blur
):
    # The lamp's reflection washes the upper left of a big dot towards white, which on a note
    # of about the dot's hue is about the paper's colour: what differs from the paper is a
    # crescent round the highlight, whose widest disc is half the dot's and ink-like. The
    # crescent's rim draws the dot's circle, and the highlight inside fades into the face.
    n = Note(colour=paper)
    n.glossy_dot(300, 250, 28, colour, shift=12, spread=9, strength=0.85)
    n.dot(380, 340, r=14, colour=RED)
    assert_same_dots(n.found(blur=blur), n.dots)


@pytest.mark.parametrize(("paper", "ink"), [(PINK, PURPLE), (GREEN_NOTE, GREEN), (CANARY, RED)])
@pytest.mark.parametrize(("start", "end"), [(40, 320), (200, 520), (-30, 210)])
@pytest.mark.parametrize("thickness", [6, 10])
def test_a_bold_drawn_c_or_u_of_a_dots_size_is_not_a_vote(paper, ink, start, end, thickness):
    # A thick "C", "U" or "n" in marker is a crescent round the paper, as big as a dot. It is
    # stopped before the glossy-crescent step (gloss.py) is asked: its discs are judged ink, or
    # the paper is not of its hue. This guards those earlier steps against bold letters; the
    # crescent step's own guard against a sharp-edged crescent is the next test's.
    n = Note(colour=paper)
    cv2.ellipse(n.image, (300, 250), (16, 16), 0, start, end, ink, thickness, cv2.LINE_AA)
    n.dot(380, 330, r=14, colour=RED)
    assert_same_dots(n.found(), n.dots)
    assert_same_dots(n.found(blur=1.5), n.dots)


@pytest.mark.parametrize(("paper", "ink"), [(PINK, PURPLE), (GREEN_NOTE, GREEN)])
@pytest.mark.parametrize("blur", [1.0, 1.5])
def test_a_filled_crescent_moon_in_marker_of_the_notes_hue_is_not_a_vote(paper, ink, blur):
    # A filled crescent moon in marker of about the note's hue, of a dot's size, with the paper
    # in its bite, looks like the face of a glossy dot whose highlight reaches its rim: its rim
    # draws a dot's circle, and what the circle holds besides is about the paper's colour, as
    # such a highlight is. But its inner edge is as sharp as its outer one, where a face fades
    # into its highlight: only that tells it from a glossy dot.
    n = Note(colour=paper)
    r = 22
    cv2.circle(n.image, (300, 250), r, ink, -1, cv2.LINE_AA)
    bite_centre = (int(300 + 0.6 * r), int(250 - 0.3 * r))
    cv2.circle(n.image, bite_centre, int(0.85 * r), paper, -1, cv2.LINE_AA)
    n.dot(380, 330, r=14, colour=RED)
    assert_same_dots(n.found(blur=blur), n.dots)


def _disc_near_the_line(**terms) -> Candidate:
    """A solid, even disc 12.5% of the note wide on paper: how near the line between dot and
    ink it scores is set by `terms` (excess, halo, mixture, face, gaps)."""
    return Candidate(
        x=80.0,
        y=80.0,
        r=10.0,
        solid=1.0,
        spread=2.0,
        papery=0.0,
        colour=(40.0, 50.0, 30.0),
        **terms,
    )


@pytest.mark.parametrize(("face", "dot"), [(0.8, False), (1.0, True), (1.25, False)])
def test_only_a_face_of_its_blobs_own_colour_makes_a_disc_scoring_just_short_a_dot(face, dot):
    # A disc 12.5% of the note wide, on writing of its own colour (which scores it a little
    # under 0). Opaque to its rim at its blob's colour, it is a sticker; with gaps of paper,
    # ink. A face well beyond its blob's colour (from the paper) means the blob grew from a
    # blurred fringe of ink, a mix of the ink and the paper, and the disc lies on the ink.
    c = _disc_near_the_line(excess=0.3, halo=0.6, mixture=0.4, face=face)
    assert -1.5 < score(c, Params()) <= 0
    assert is_dot(c, Params()) is dot


@pytest.mark.parametrize("side", ["right", "top"])
def test_a_dot_on_a_field_running_out_of_the_window_is_one_disc(side):
    # A dot touching a field of its colour (a neighbouring note, paper) that runs out of the
    # window a dot could fill: what lies beyond the window is unknown, not more of the blob, so
    # no disc is centred on the window's edge; the field, wider than any sticker, is no dots.
    blob = np.zeros((100, 100), np.uint8)
    if side == "right":
        blob[:, 70:] = 1
        at = (55, 50)
    else:
        blob[:30, :] = 1
        at = (50, 40)
    cv2.circle(blob, at, 16, 1, -1)
    circles, _ = discs(blob, 7.2, 27.2)
    assert [(round(x), round(y), round(r)) for x, y, r in circles] == [(*at, 16)]


@pytest.mark.parametrize("at", [(262, 217), (262, 259)])
def test_bold_writing_cut_by_the_search_window_is_no_vote(at):
    # A dot on a line of bold writing: the window a dot could fill cuts the letters beside it,
    # and what lies beyond that window is no more of them (no disc centred on its edge).
    n = Note(colour=CANARY)
    n.write(215, 250, "wendl", size=44, colour=RED, thickness=12)
    n.dot(*at, colour=GREEN)
    assert_same_dots(n.found(), n.dots)


@pytest.mark.parametrize(
    ("word", "thickness", "r", "at"),
    [("wendl", 9, 15, (265, 240)), ("bdown", 11, 16, (240, 205)), ("lewnd", 8, 14, (260, 250))],
)
def test_a_dot_on_letters_seeded_on_their_shared_edge_counts(word, thickness, r, at):
    # The core of the dot and the letters under it is deepest on their blurred boundary: the
    # seed there is a mix of both, and the dot's colour is followed from its own pixels beside it.
    n = Note(colour=CANARY)
    n.write(215, 250, word, size=44, colour=RED, thickness=thickness)
    n.dot(*at, r=r, colour=GREEN)
    assert_same_dots(n.found(), n.dots)


@pytest.mark.parametrize("drop", [50, 54])
def test_a_neighbour_inside_an_outline_cut_aslant_is_no_vote(drop):
    # The note finder's outline runs aslant past the bottom edge into the note below (a canary
    # one lying all along that edge), taking a wedge of it inside: that is the neighbour, met
    # by the edge along far more than a sticker's width, not dots peeled along the wedge.
    n = Note(colour=PINK)
    cv2.rectangle(n.image, (150, 392), (520, 539), CANARY, -1)
    n.dot(300, 250, colour=RED)
    quad = np.float32([[200, 150], [440, 150], [440, 390], [200, 390 + drop]])
    _, dots = find_dots(n.photo(), quad, Params())
    assert_same_dots(dots, n.dots)


@pytest.mark.parametrize(
    ("thing", "beyond"), [("wall strip", True), ("dot across the edge", False), ("dot", False)]
)
def test_what_lies_mostly_beyond_the_edge_and_thin_on_the_note_is_the_surface_round_it(
    thing, beyond
):
    # A window a dot could fill, the note's edge across it: above row 60 the note. A strip of
    # the unevenly lit wall along the edge, running out of the window, mostly beyond the edge
    # and thinner on the note than the smallest sticker, is the wall the outline cut into; a
    # dot across the edge, its middle on the note, or one beside the window's edge, is not.
    inside = np.zeros((90, 90), bool)
    inside[:60] = True
    blob = np.zeros((90, 90), np.uint8)
    if thing == "wall strip":
        blob[52:80] = 1
    elif thing == "dot across the edge":
        cv2.circle(blob, (45, 56), 16, 1, -1)
        blob[70:, :] = 1  # its colour on the wall beyond, too
    else:
        cv2.circle(blob, (14, 40), 16, 1, -1)
    assert _beyond(blob, inside, 7.2) is beyond


def _square(centre, side, degrees) -> np.ndarray:
    """A square's corners, clockwise from the top-left, turned `degrees` clockwise on screen."""
    a = np.deg2rad(degrees)
    turn = np.array([[np.cos(a), np.sin(a)], [-np.sin(a), np.cos(a)]])
    h = side / 2
    return np.array([[-h, -h], [h, -h], [h, h], [-h, h]]) @ turn + centre


def _draw_square(image, corners, colour) -> None:
    cv2.fillConvexPoly(image, np.int32(np.round(corners * 16)), colour, cv2.LINE_AA, 4)


@pytest.mark.parametrize("degrees", [-4, 4])
def test_an_outline_squared_at_the_wrong_angle_is_turned_to_the_notes_edges(degrees):
    # The note finder squared a note turned a few degrees as if it were upright: near each
    # corner a wedge of the note lies outside that outline, and the dots stuck there with it.
    # Its edges, re-found as lines, turn the outline back onto the note: the corners come back
    # to within a pixel or two and the dots in the wedges are on it.
    n = Note(colour=CANARY)
    n.image[:] = WALL
    true = _square((320, 270), 240, degrees)
    _draw_square(n.image, true + (3, 5), (175, 178, 180))
    _draw_square(n.image, true, CANARY)
    wrong = _square((320, 270), 240, 0)
    turn = np.deg2rad(degrees)
    turn = np.array([[np.cos(turn), np.sin(turn)], [-np.sin(turn), np.cos(turn)]])
    near_corners = [
        (sx * a, sy * b) for sx in (-1, 1) for sy in (-1, 1) for a, b in ((96, 114), (114, 96))
    ]
    wedged = [np.array(p, float) @ turn + (320, 270) for p in near_corners]
    wedged = [p for p in wedged if not inside(wrong, p)]
    assert len(wedged) == 4  # the drawing is as meant: the dots lie outside the wrong outline
    for x, y in wedged:
        n.dot(int(x), int(y), r=12, colour=RED)
    n.dot(300, 280, r=14, colour=BLUE)
    quad, dots = find_dots(n.photo(), np.float32(wrong), Params())
    assert np.hypot(*(quad - true).T).max() < 3.0
    assert_same_dots([d for d in dots if inside(quad, d.center)], n.dots)


def test_opposite_edges_that_disagree_turn_nothing_and_a_line_alone_sets_the_slope():
    # A note's opposite edges lie parallel in its patch. Where both are lines at slopes that
    # disagree (one is a curled bottom's shading, or a neighbour lying aslant over the note),
    # the straight one vetoes the other; an edge that is no line says nothing either way.
    from vision.dots.patch import _parallel

    t = np.arange(8) * 16.0 + 8.0

    def edge(slope, at=40.0):
        return t, at + slope * t

    assert _parallel([edge(0.0), edge(0.06)]) is None
    assert _parallel([edge(0.03), edge(0.03, 200.0)]) == pytest.approx(0.03)
    writing = (t, 40.0 + np.array([0.0, 9.0, -7.0, 4.0, 12.0, -5.0, 8.0, -11.0]))
    assert _parallel([edge(0.04), writing]) == pytest.approx(0.04)
    assert _parallel([writing, (np.zeros(0), np.zeros(0))]) is None
    assert _parallel([edge(0.3), edge(0.3, 200.0)]) is None  # a gross error: not this stage's


def test_a_dots_spread_follows_its_lightness_not_the_8_bit_steps():
    # The lightness of a patch comes in 8-bit steps (0.4 of L). The spread of a dot's face is
    # the MAD of those values: counted in whole steps it held, then jumped 0.6 at once, and a
    # dot at the edge of the score turned over as a resampling moved it by a hair.
    from vision.dots.ink import _mad

    step = 100 / 255
    base = np.random.default_rng(3).standard_normal(400)
    sigmas = np.linspace(0.8, 1.2, 21)
    spreads = [_mad(np.float32(np.rint((60 + s * base) / step) * step)) for s in sigmas]
    assert np.abs(np.diff(spreads)).max() < 0.1
    # (1.4826 MAD of normal values is their standard deviation.)
    assert np.abs(np.array(spreads) - sigmas).max() < 0.12
    assert _mad(np.full(50, 60.0, np.float32)) < 0.2  # one step: as even as 8 bits tell


def test_a_dots_measures_hold_as_the_outline_moves_by_a_fraction_of_a_pixel():
    # A dot with a mottled face (vinyl under uneven light), the note's outline given at shifts
    # of a fraction of a pixel: the patch is resampled each time, and what is measured on the
    # dot (its spread, the rings round it, drawn at its own sub-pixel centre) barely moves.
    from vision.dots.patch import flatten
    from vision.dots.scan import candidates

    n = Note(colour=CANARY)
    big = np.zeros((540 * 8, 640 * 8), np.uint8)
    cv2.circle(big, (300 * 8 + 3, 250 * 8 + 5), 15 * 8, 255, -1)  # anti-aliased, off the grid
    alpha = cv2.resize(big, (640, 540), interpolation=cv2.INTER_AREA)[..., None] / 255.0
    face = np.float64(BLUE) + np.random.default_rng(1).normal(0, 4, (540, 640, 1))
    image = np.uint8(np.clip(n.image * (1 - alpha) + face * alpha, 0, 255))
    measured = []
    for dx in np.linspace(0, 0.875, 8):
        patch = flatten(image, n.quad + np.float32([dx, 0.7 * dx]), Params())
        found = [c for c in candidates(patch.lab, patch.box, Params()) if is_dot(c, Params())]
        assert len(found) == 1
        measured.append((found[0].spread, found[0].halo, found[0].excess))
    spread, halo, excess = np.array(measured).T
    assert np.ptp(spread) < 0.25
    assert np.ptp(halo) < 0.1 and np.ptp(excess) < 0.1


def _stretches_of_one_edge(g, lo, start):
    """`patch._stretches` as it was, one edge at a time: what the shortcut must give exactly."""
    from vision.dots.arith import median
    from vision.dots.patch import _STRETCHES

    n = g.shape[1] // _STRETCHES
    if n < 2 or g.shape[0] < 5:
        return np.zeros(0), np.zeros(0)
    parts = median(np.moveaxis(g[:, : n * _STRETCHES].reshape(g.shape[0], _STRETCHES, n), 2, 0))
    profile = parts[1:-1]
    best = np.argmax(profile, axis=0)
    k = np.arange(_STRETCHES)
    clear = (profile[best, k] > 1.5 * median(profile) + 1e-6) & (best > 0)
    clear &= best < len(profile) - 1
    k, b = k[clear], best[clear]
    before, at, after = profile[b - 1, k], profile[b, k], profile[b + 1, k]
    curve = before - 2 * at + after
    shift = np.where(curve < 0, 0.5 * (before - after) / np.where(curve < 0, curve, -1), 0.0)
    return start + (k + 0.5) * n, lo + 1 + b + np.clip(shift, -0.5, 0.5)


@given(
    rows=st.integers(3, 30),
    length=st.integers(8, 200),
    shorter=st.booleans(),
    peaks=st.lists(st.integers(0, 29), max_size=3),
    seed=st.integers(0, 2**16),
)
@settings(max_examples=150, deadline=None)
def test_edges_worked_out_together_find_each_edges_own_stretches(
    rows, length, shorter, peaks, seed
):
    # The note's two opposite edges are worked out in one pass (patch._stretches): each must get
    # exactly, to the bit, the stretches it gets alone, whatever the strips (ties, a clear edge
    # or none, strips too short to split, two strips of different sizes).
    from vision.dots.patch import _stretches

    rng = np.random.default_rng(seed)
    strips = []
    for lo, start in ((3, 11), (40, 11), (77, 20), (5, 20)):
        g = np.float32(rng.integers(0, 40, (rows, length)) * 0.5)  # halves: ties happen
        for p in peaks:
            g[p % rows] += np.float32(rng.uniform(10, 60))
        strips.append((g, lo, start))
    if shorter:
        strips[1] = (strips[1][0][:, : length // 2], *strips[1][1:])
    together = _stretches(strips)
    for (g, lo, start), (t, p) in zip(strips, together, strict=True):
        t0, p0 = _stretches_of_one_edge(g, lo, start)
        assert t.dtype == t0.dtype and p.dtype == p0.dtype
        assert t.tobytes() == t0.tobytes() and p.tobytes() == p0.tobytes()


def _parallel_one_edge_at_a_time(found):
    """`patch._parallel` as it was, each edge's line found alone (`_line`) and its means taken
    with mean(): what the batched form must give exactly."""
    from vision.dots.patch import _AGREE, _MAX_SLOPE, _ON_LINE, _PAIRS, _PARALLEL

    def line(t, p):
        if len(t) < _AGREE:
            return None
        i, j = _PAIRS[len(t)]
        slope = (p[j] - p[i]) / (t[j] - t[i])
        on = np.abs(p - p[i, None] - slope[:, None] * (t - t[i, None])) < _ON_LINE
        count = np.where(np.abs(slope) <= _MAX_SLOPE, np.count_nonzero(on, axis=1), -1)
        best = int(np.lexsort((np.abs(slope), -count))[0])
        return on[best] if count[best] >= _AGREE else None

    fits = []
    for t, p in found:
        on = line(t, p)
        if on is not None:
            tc, pc = t[on] - t[on].mean(), p[on] - p[on].mean()
            fits.append((t[on], p[on], float((tc * pc).sum() / (tc * tc).sum())))
    if not fits or (len(fits) == 2 and abs(fits[0][2] - fits[1][2]) > _PARALLEL):
        return None
    tc = [t - t.mean() for t, _, _ in fits]
    pc = [p - p.mean() for _, p, _ in fits]
    slope = sum(float((a * b).sum()) for a, b in zip(tc, pc, strict=True))
    slope /= sum(float((a * a).sum()) for a in tc)
    return slope if abs(slope) <= _MAX_SLOPE else None


@given(
    edges=st.lists(
        st.tuples(
            st.integers(0, 8),  # stretches on the edge
            st.floats(-0.12, 0.12),  # its slope
            st.lists(st.floats(-3, 3), min_size=8, max_size=8),  # strays off the line
            st.integers(0, 8),  # how many stray
        ),
        min_size=4,
        max_size=4,
    )
)
@settings(max_examples=200, deadline=None)
def test_edges_lines_worked_out_together_give_each_pair_its_own_slope(edges):
    # `_lines` finds the four edges' lines in one pass and `_parallel` takes its means as sum /
    # count: each pair of opposite edges must get, to the bit, the slope it got alone.
    from vision.dots.patch import _lines, _parallel

    found = []
    for n, slope, strays, n_stray in edges:
        t = 20.0 + 12.5 * np.arange(n)
        p = 7.0 + slope * t + np.array(strays[:n]) * (np.arange(n) < n_stray)
        found.append((t, p))
    ons = _lines(found)
    for k in (0, 2):
        alone = _parallel_one_edge_at_a_time(found[k : k + 2])
        together = _parallel(found[k : k + 2], ons[k : k + 2])
        assert (alone is None) == (together is None)
        if alone is not None:
            assert together == alone


@given(
    shapes=st.lists(
        st.tuples(st.integers(0, 59), st.integers(0, 49), st.integers(2, 18), st.booleans()),
        min_size=1,
        max_size=5,
    ),
    bites=st.lists(st.tuples(st.integers(0, 59), st.integers(0, 49), st.integers(2, 14))),
    r_min=st.floats(3.0, 12.0),
)
@settings(max_examples=150, deadline=None)
def test_no_disc_is_found_in_a_blob_wider_than_the_widest_in_its_outline(shapes, bites, r_min):
    # scan._scan skips looking for a crescent's darker face where no disc as wide as the
    # smallest dot fits in the blob's outline (discs.widest_in): what is bitten out of the
    # outline must then hold no disc for `discs`, the window's edge bounding it or not.
    from vision.dots.discs import depth, widest_in

    outline = np.zeros((50, 60), np.uint8)
    for x, y, r, square in shapes:
        if square:
            cv2.rectangle(outline, (x - r, y - r), (x + r, y + r), 1, -1)
        else:
            cv2.circle(outline, (x, y), r, 1, -1)
    bitten = outline.copy()
    for x, y, r in bites:
        cv2.circle(bitten, (x, y), r, 0, -1)
    wide = widest_in(outline)
    assert cv2.minMaxLoc(depth(bitten))[1] <= wide
    assert cv2.distanceTransform(bitten, cv2.DIST_L2, 5).max() <= wide
    if wide < r_min:
        assert discs(bitten, r_min, 2 * r_min) == ([], False)


@pytest.mark.parametrize(
    ("paper", "ink", "letter", "blur"),
    [
        (CANARY, BLACK, "e", 1.0),
        (PINK, BLACK, "e", 1.0),
        (PINK, BLACK, "e", 1.5),
        (PINK, BLUE_INK, "Q", 1.0),
        (PINK, BLUE_INK, "Q", 1.5),
    ],
)
def test_a_bold_letter_whose_counter_shows_the_paper_is_not_a_vote(paper, ink, letter, blur):
    # A fat marker "e" or "Q" as big as a sticker, rounded by the blur: round, solid and sharp
    # enough to score a hair over a dot. But its counter (the eye of the "e", the bowl of the
    # "Q", off its middle) still shows the paper through its face, where a sticker is opaque
    # vinyl to its rim. The red dot beside it, with a highlight, counts.
    n = Note(colour=paper)
    centre, r, thickness = (300, 260), 13, 8
    if letter == "e":
        cv2.ellipse(n.image, centre, (r, r), 0, 25, 340, ink, thickness, cv2.LINE_AA)
        cv2.line(n.image, (300 - r, 260), (300 + r, 260), ink, thickness, cv2.LINE_AA)
    else:
        cv2.circle(n.image, centre, r, ink, thickness, cv2.LINE_AA)
        cv2.line(n.image, centre, (300 + r + 3, 260 + r + 3), ink, thickness, cv2.LINE_AA)
    n.dot(380, 330, r=14, colour=RED)
    assert_same_dots(n.found(blur=blur), n.dots)


@pytest.mark.parametrize(("gaps", "dot"), [(0.0, True), (0.005, True), (0.03, False)])
def test_only_a_face_with_no_paper_through_it_makes_a_disc_scoring_a_hair_over_0_a_dot(gaps, dot):
    # A disc scoring just over 0 is a sticker if none of its face is nearer the paper than its
    # colour (a few pixels of noise aside), and ink if some is (a letter's counter).
    c = _disc_near_the_line(excess=0.2, halo=0.5, mixture=0.2, gaps=gaps)
    assert 0 < score(c, Params()) < 1
    assert is_dot(c, Params()) is dot


@pytest.mark.parametrize("side", ["top", "left", "bottom", "right"])
def test_an_underline_along_the_notes_edge_does_not_move_the_edge_onto_it(side):
    # A bold line written along the note's edge, a few millimetres in, changes the colour as
    # much as the edge does. The edge is not moved in onto it (the paper lies on both sides of
    # a line; moved in, an edge crosses what is not the paper): the outline stays the note's,
    # and a dot across the edge, its middle on the note, still counts.
    n = Note(colour=CANARY)
    x, y = 200, 150
    far = 240  # the note's side
    if side == "top":
        cv2.line(n.image, (x + 10, y + 13), (x + 230, y + 13), BLACK, 5, cv2.LINE_AA)
        n.dot(x + 150, y + 5, r=14, colour=RED)
    elif side == "left":
        cv2.line(n.image, (x + 13, y + 10), (x + 13, y + 230), BLACK, 5, cv2.LINE_AA)
        n.dot(x + 5, y + 150, r=14, colour=RED)
    elif side == "bottom":
        cv2.line(n.image, (x + 10, y + far - 14), (x + 230, y + far - 14), BLACK, 5, cv2.LINE_AA)
        n.dot(x + 150, y + far - 6, r=14, colour=RED)
    else:
        cv2.line(n.image, (x + far - 14, y + 10), (x + far - 14, y + 230), BLACK, 5, cv2.LINE_AA)
        n.dot(x + far - 6, y + 150, r=14, colour=RED)
    n.dot(x + 100, y + 120, r=16, colour=BLUE)
    quad, dots = find_dots(n.photo(), n.quad, Params())
    assert np.hypot(*(quad - n.quad).T).max() < 2.5
    assert_same_dots([d for d in dots if inside(quad, d.center)], n.dots)


def assert_counted_on_true_outline(seed: int, tier: str, point) -> None:
    """On the seeded wall, the note holding `point`, given its true outline, has its true
    vote count (the dots whose centres lie on it)."""
    wall = make_wall(seed, tier)
    note = next(n for n in wall.truth.notes if inside(n.polygon, point))
    assert on_true_outline(wall.image, note, Params()) == note.votes


@pytest.mark.parametrize(
    ("seed", "tier", "point"), [(2046, "medium", (562, 1345)), (3060, "hard", (1231, 890))]
)
def test_a_small_dot_whose_tinted_highlight_lies_to_one_side_counts(seed, tier, point):
    # On these seeded walls a small glossy dot (about 9 mm) has the lamp's highlight off its
    # middle, too tinted to be whitish: its lightness spreads as blurred ink's does and it
    # scores just short of a dot, until the highlight is left out of the spread.
    assert_counted_on_true_outline(seed, tier, point)


@pytest.mark.parametrize(
    ("seed", "tier", "point"),
    [
        (2039, "medium", (2630, 1368)),
        (2076, "medium", (1637, 1218)),
        (2168, "medium", (1914, 669)),
        (3025, "hard", (2192, 1102)),
    ],
)
def test_a_faint_dot_touching_a_dot_found_at_the_first_look_counts_once(seed, tier, point):
    # On these seeded walls a dot of about the paper's colour (a yellow dot on a canary note)
    # touches a dot of another colour that the first look finds: at the lower threshold the two
    # are one core, which the second look skipped whole. The rest of that core is looked at now,
    # and what is found there overlapping the dot found, of its colour, is that dot (hard 3025:
    # one dot, the first look's disc on part of it).
    assert_counted_on_true_outline(seed, tier, point)


@pytest.mark.parametrize(
    ("seed", "tier", "point"),
    [(2070, "medium", (1409, 1341)), (2167, "medium", (1225, 575)), (3065, "hard", (509, 821))],
)
def test_a_faint_dot_the_first_look_saw_only_in_part_counts(seed, tier, point):
    # On these seeded walls a dot of the note's own hue (orange on orange, yellow on canary)
    # shows only in part at the first threshold (its highlight or shaded rim falls under it),
    # and no dot is found there; at the lower threshold its core grows by about a pixel all
    # round, and the second look, which skipped a core grown so little, finds the dot whole.
    assert_counted_on_true_outline(seed, tier, point)


@pytest.mark.parametrize(
    ("seed", "tier", "point"),
    [(2211, "medium", (495, 1028)), (2283, "medium", (1145, 353))],
)
def test_a_faint_dot_with_pinholes_in_its_face_counts(seed, tier, point):
    # On these seeded walls a dot of the note's own hue differs from the paper by little more
    # than the lower threshold; pinholes where it dips under cut its core in two, each half
    # too thin to seed a dot, until the lower threshold's mask is closed before it is opened.
    assert_counted_on_true_outline(seed, tier, point)


@pytest.mark.parametrize(
    ("seed", "tier", "point"),
    [
        (2046, "medium", (571, 960)),
        (3147, "hard", (1311, 1492)),
        (3042, "hard", (1337, 1994)),
    ],
)
def test_a_glossy_dot_whose_highlight_reaches_its_middle_counts(seed, tier, point):
    # On these seeded walls a glossy dot (black on a white or a green note; hard 3042: blue on
    # orange) has a wide highlight whose whitish core lies off its middle: its washed-out
    # fringe alone, a ring cut by the disc's edge, looked centred, as a blurred rim is, and on
    # the black dots the fringe was no lighter than the face's mean, lifted by the highlight.
    # The dot scored just short of one until the highlight is left out of its spread.
    assert_counted_on_true_outline(seed, tier, point)
