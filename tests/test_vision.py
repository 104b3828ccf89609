"""vision.tally on hand-drawn walls whose answer is known exactly, one condition at a time.

Each scene is drawn with OpenCV primitives at a stated geometry, so a failure
names the condition that broke. The seeded generator (vision.synth) and the
benchmark cover the conditions all mixed together.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

import vision
from vision.board import rank_notes
from vision.geometry import inside

CANARY = (90, 235, 250)  # BGR
PINK = (190, 120, 250)
BLUE_NOTE = (235, 200, 120)
GREEN_NOTE = (120, 230, 170)
WALL = (225, 228, 230)
RED = (40, 40, 200)
BLUE = (200, 120, 30)
GREEN = (60, 150, 40)
DARK_YELLOW = (0, 175, 235)
BLACK_INK = (35, 30, 30)


class Scene:
    """A wall with notes (axis-aligned squares before any warp) and dots, with the truth."""

    def __init__(self, size=(1600, 1000), wall=WALL, seed=0):
        self.image = np.empty((size[1], size[0], 3), np.uint8)
        self.image[:] = wall
        self.notes: list[tuple[tuple[int, int, int, int], int]] = []  # (x, y, w, h), votes
        self.rng = np.random.default_rng(seed)

    def note(self, x, y, side=200, colour=CANARY, seam=False, height=None):
        h = height or side
        if not seam:  # a soft shadow under the note, as on a real wall
            cv2.rectangle(
                self.image, (x + 3, y + 5), (x + side + 3, y + h + 5), (190, 192, 195), -1
            )
        cv2.rectangle(self.image, (x, y), (x + side - 1, y + h - 1), colour, -1)
        if seam:  # a touching neighbour's edge: a faint darker line
            cv2.line(self.image, (x, y), (x + side - 1, y), tuple(int(c * 0.8) for c in colour), 2)
        self.notes.append(((x, y, side, h), 0))
        return len(self.notes) - 1

    def dot(self, cx, cy, r=16, colour=RED, note=None):
        cv2.circle(self.image, (int(cx), int(cy)), r, colour, -1, cv2.LINE_AA)
        # A glossy highlight, as vinyl dots have: a soft white spot, off the middle.
        shine = self.image.copy()
        cv2.circle(
            shine,
            (int(cx - r / 3), int(cy - r / 3)),
            max(2, r // 6),
            (250, 250, 250),
            -1,
            cv2.LINE_AA,
        )
        cv2.addWeighted(shine, 0.7, self.image, 0.3, 0, dst=self.image)
        if note is not None:
            rect, votes = self.notes[note]
            self.notes[note] = (rect, votes + 1)

    def write(self, x, y, text="IDEA o", scale=1.2, colour=BLACK_INK, thickness=3):
        cv2.putText(
            self.image,
            text,
            (x, y),
            cv2.FONT_HERSHEY_SIMPLEX,
            scale,
            colour,
            thickness,
            cv2.LINE_AA,
        )

    def truth_votes(self) -> list[int]:
        return [votes for _, votes in self.notes]


def votes_by_note(board, scene: Scene, transform=None) -> list[int | None]:
    """For each true note, the votes of the found note whose centre lies on it (None: not found)."""
    out = []
    for (x, y, w, h), _ in scene.notes:
        poly = np.float64([[x, y], [x + w, y], [x + w, y + h], [x, y + h]])
        if transform is not None:
            poly = cv2.perspectiveTransform(poly.reshape(-1, 1, 2), transform).reshape(-1, 2)
        hits = [n for n in board.notes if inside(poly, n.center)]
        out.append(hits[0].votes if len(hits) == 1 else None)
    return out


def basic_scene() -> Scene:
    s = Scene()
    a = s.note(150, 150)
    b = s.note(600, 150, colour=PINK)
    c = s.note(1050, 150, colour=BLUE_NOTE)
    s.note(150, 600, colour=GREEN_NOTE)
    s.dot(220, 230, note=a)
    s.dot(280, 280, colour=BLUE, note=a)
    for i in range(5):
        s.dot(650 + 35 * i, 300, r=14, colour=GREEN, note=b)
    s.dot(1120, 220, colour=RED, note=c)
    s.write(170, 340)
    return s


def test_counts_dots_per_note_and_ranks_them():
    s = basic_scene()
    board = vision.tally(s.image)
    assert votes_by_note(board, s) == s.truth_votes()
    assert [n.votes for n in board.notes] == [5, 2, 1, 0]
    assert [n.rank for n in board.notes] == [1, 2, 3, 4]
    assert board.total_votes == 8 and board.voters(3) == 3
    assert {n.colour for n in board.notes} == {"yellow", "pink", "blue", "green"}


def test_polygons_are_clockwise_from_top_left_and_close_to_the_note():
    s = basic_scene()
    board = vision.tally(s.image)
    for note in board.notes:
        p = np.array(note.polygon)
        assert p[0].sum() == p.sum(axis=1).min()  # starts at the top-left corner
        (ax, ay), (bx, by) = p[1] - p[0], p[2] - p[1]
        assert ax * by - ay * bx > 0  # clockwise on screen (y down)
        (x, y, w, h), _ = next(
            t
            for t in s.notes
            if inside(
                np.float64(
                    [
                        [t[0][0], t[0][1]],
                        [t[0][0] + t[0][2], t[0][1]],
                        [t[0][0] + t[0][2], t[0][1] + t[0][3]],
                        [t[0][0], t[0][1] + t[0][3]],
                    ]
                ),
                note.center,
            )
        )
        expected = np.float64([[x, y], [x + w, y], [x + w, y + h], [x, y + h]])
        assert np.abs(p - expected).max() < 8  # within 4% of a 200 px note


def test_ties_are_marked_and_kept_in_reading_order():
    s = Scene()
    a, _, c = s.note(150, 150), s.note(600, 150), s.note(1050, 150)
    for note, x in ((a, 250), (c, 1150)):
        s.dot(x, 250, note=note)
    board = vision.tally(s.image)
    assert [(n.votes, n.tied) for n in board.notes] == [(1, True), (1, True), (0, False)]
    assert board.notes[0].center[0] < board.notes[1].center[0]  # left one first


def test_same_colour_notes_touching_edge_to_edge_are_told_apart():
    s = Scene()
    column = [s.note(400, 100 + 200 * i, seam=i > 0) for i in range(3)]
    row = [s.note(900 + 200 * i, 300, colour=PINK, seam=False) for i in range(2)]
    for k, note in enumerate(column):
        for j in range(k + 1):
            s.dot(450 + 45 * j, 160 + 200 * k, r=14, note=note, colour=BLUE)
    s.dot(1000, 400, r=14, note=row[1 - 1], colour=GREEN)
    board = vision.tally(s.image)
    assert len(board.notes) == 5
    assert votes_by_note(board, s) == s.truth_votes()


def test_a_dot_of_the_notes_own_hue_counts():
    s = Scene()
    a = s.note(300, 300)
    s.dot(380, 380, r=18, colour=DARK_YELLOW, note=a)
    s.dot(440, 430, r=18, colour=RED, note=a)
    board = vision.tally(s.image)
    assert votes_by_note(board, s) == [2]


def test_small_and_big_stickers_on_one_wall_all_count():
    # Stickers run from 8 to 19 mm: a wall can have both, and the small ones are votes too.
    s = Scene()
    a, b, c = s.note(150, 150), s.note(600, 150, colour=PINK), s.note(1050, 150)
    for note, x in ((a, 150), (b, 600)):  # 19 mm on a 76 mm note: 50 px of 200
        s.dot(x + 60, 230, r=25, colour=BLUE, note=note)
        s.dot(x + 140, 290, r=25, colour=RED, note=note)
    s.dot(1150, 250, r=11, colour=RED, note=c)  # 8 mm: 21 px
    s.dot(1110, 300, r=11, colour=GREEN, note=c)
    board = vision.tally(s.image)
    assert votes_by_note(board, s) == [2, 2, 2]


def test_overlapping_dots_count_one_each():
    s = Scene()
    a = s.note(300, 300, side=240)
    s.dot(390, 400, r=18, colour=RED, note=a)
    s.dot(414, 400, r=18, colour=RED, note=a)  # a third of a diameter apart: heavily overlapping
    s.dot(430, 470, r=18, colour=BLUE, note=a)  # under the green one, more than half showing
    s.dot(460, 480, r=18, colour=GREEN, note=a)
    board = vision.tally(s.image)
    assert votes_by_note(board, s) == [4]


def test_a_dot_across_the_edge_belongs_to_the_note_holding_its_centre():
    s = Scene()
    a = s.note(300, 300)
    s.dot(305, 400, r=16, note=a)  # centre just inside the left edge
    s.dot(508, 400, r=16)  # centre just outside the right edge: a stray
    s.dot(900, 700, r=16)  # on the bare wall: a stray
    board = vision.tally(s.image)
    assert votes_by_note(board, s) == [1]
    assert board.total_votes == 1


def test_handwriting_circles_and_ticks_are_not_votes():
    s = Scene()
    s.note(200, 200, side=260)
    s.write(215, 260, "o O oo", scale=1.4, thickness=4)
    s.write(215, 320, "LEAN", scale=1.5, colour=(160, 40, 40), thickness=5)
    cv2.circle(
        s.image, (330, 400), 22, (40, 40, 190), 3, cv2.LINE_AA
    )  # a drawn ring of a dot's size
    cv2.line(s.image, (215, 435), (440, 435), (40, 120, 40), 4)  # an underline
    cv2.polylines(
        s.image, [np.int32([[380, 380], [395, 400], [430, 360]])], False, BLACK_INK, 4
    )  # a tick
    s.note(700, 200, side=260, colour=PINK)
    s.write(715, 300, "vote!", scale=1.6, colour=(120, 40, 90), thickness=6)
    board = vision.tally(s.image)
    assert votes_by_note(board, s) == [0, 0]


def test_perspective_rotation_colour_cast_noise_blur_and_jpeg():
    s = basic_scene()
    h, w = s.image.shape[:2]
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[60, 30], [w - 10, 0], [w - 80, h - 20], [0, h - 40]])  # ~15 degrees
    warp = cv2.getPerspectiveTransform(src, dst)
    image = cv2.warpPerspective(s.image, warp, (w, h), borderMode=cv2.BORDER_REPLICATE)
    image = image.astype(np.float32) * np.float32([0.88, 1.0, 1.12])  # a warm white balance
    image += np.random.default_rng(1).normal(0, 4, image.shape)
    image = cv2.GaussianBlur(np.clip(image, 0, 255).astype(np.uint8), (0, 0), 1.0)
    _, jpeg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 80])
    image = cv2.imdecode(jpeg, cv2.IMREAD_COLOR)
    board = vision.tally(image)
    assert votes_by_note(board, s, transform=warp) == s.truth_votes()


def test_an_empty_wall_has_no_notes():
    s = Scene()
    s.write(300, 300, "TOPICS", scale=3, thickness=6)
    board = vision.tally(s.image)
    assert board.notes == () and board.total_votes == 0


def test_a_wall_with_no_dots_has_no_votes():
    s = basic_scene()
    clean = Scene()
    for (x, y, side, _), _ in s.notes:
        clean.note(x, y, side)
        clean.write(x + 20, y + 100, "no dots")
    board = vision.tally(clean.image)
    assert len(board.notes) == 4 and board.total_votes == 0


def test_one_note_filling_the_frame():
    s = Scene(size=(800, 800))
    a = s.note(40, 40, side=720)
    for i in range(3):
        s.dot(200 + 150 * i, 400, r=55, colour=BLUE, note=a)
    board = vision.tally(s.image)
    assert len(board.notes) == 1 and board.notes[0].votes == 3


def test_notes_cut_by_the_image_border_still_count():
    s = Scene(size=(1200, 800))
    a = s.note(-40, 300, side=200)  # 80% inside, on the left border
    b = s.note(1060, 100, side=200)  # 70% inside, on the right border
    s.dot(60, 400, note=a)
    s.dot(1120, 200, note=b)
    s.dot(1130, 250, note=b, colour=BLUE)
    board = vision.tally(s.image)
    assert sorted(n.votes for n in board.notes) == [1, 2]


def test_grey_scale_and_other_array_types_are_accepted():
    s = basic_scene()
    grey = cv2.cvtColor(s.image, cv2.COLOR_BGR2GRAY)
    board = vision.tally(grey)
    assert (board.width, board.height) == (1600, 1000)
    assert len(board.notes) >= 3  # the pink, blue and green notes differ from the wall in lightness
    bgra = cv2.cvtColor(s.image, cv2.COLOR_BGR2BGRA)
    assert vision.tally(bgra).total_votes == 8
    assert vision.tally(s.image.astype(np.float32) / 255.0).total_votes == 8


def test_tiny_and_bad_images():
    assert vision.tally(np.zeros((1, 1, 3), np.uint8)).notes == ()
    assert vision.tally(np.zeros((1, 1), np.uint8)).width == 1
    for bad in (None, np.zeros((0, 0, 3), np.uint8), np.zeros((4, 4, 7), np.uint8)):
        with pytest.raises(ValueError):
            vision.tally(bad)


@pytest.mark.slow
def test_a_50_megapixel_photo():
    s = basic_scene()
    big = cv2.resize(s.image, (8660, 5774), interpolation=cv2.INTER_LINEAR)
    board = vision.tally(big)
    assert (board.width, board.height) == (8660, 5774)
    assert sorted(n.votes for n in board.notes) == [0, 1, 2, 5]


def test_annotate_and_crop():
    s = basic_scene()
    board = vision.tally(s.image)
    drawn = vision.annotate(s.image, board)
    assert drawn.shape == s.image.shape and not np.array_equal(drawn, s.image)
    note = next(n for n in board.notes if n.colour == "pink")
    picture = vision.crop(s.image, note)
    assert abs(picture.shape[0] - 200) <= 8 and abs(picture.shape[1] - 200) <= 8
    # The crop is the note itself: mostly the note's pink.
    assert np.abs(np.median(picture.reshape(-1, 3), axis=0) - PINK).max() < 20


def test_board_round_trips_through_its_json_form():
    board = vision.tally(basic_scene().image)
    data = board.to_dict()
    again = vision.Board.from_dict(data)
    assert again.to_dict() == data


def test_annotate_labels_each_note_inside_itself_on_a_crowded_wall():
    """On a wall of small notes side by side, each "#rank: votes" label sits in its own note:
    drawn above the notes at the photo's scale, they covered each other."""
    size, side = 3000, 120
    image = np.full((size, size, 3), 200, np.uint8)
    notes = []
    for i in range(4):
        x0 = 400 + i * (side + 10)
        poly = ((x0, 1000), (x0 + side, 1000), (x0 + side, 1000 + side), (x0, 1000 + side))
        notes.append(
            vision.Note(id=i + 1, polygon=poly, center=(x0 + side / 2, 1060), colour="yellow")
        )
    board = vision.Board(width=size, height=size, notes=rank_notes(notes))
    drawn = vision.annotate(image, board)
    # Nothing is drawn above the row of notes (but their outlines' few pixels)...
    assert np.array_equal(drawn[: 1000 - 8], image[: 1000 - 8])
    # ...and each label's black box is inside its own note, clear of the outline.
    for note in board.notes:
        x0 = int(note.polygon[0][0])
        inner = drawn[1000 + 10 : 1000 + side - 10, x0 + 10 : x0 + side - 10]
        assert (inner.max(axis=2) < 20).sum() > 100, f"note {note.id} has no label"


@pytest.mark.parametrize(
    "image",
    [
        np.full((60, 80, 1), 200, np.uint8),
        np.full((60, 80, 4), 200, np.uint8),
        np.full((60, 80, 3), 50000, np.uint16),
        np.full((60, 80), 0.8, np.float32),
    ],
    ids=["grey HxWx1", "BGRA", "16-bit", "float"],
)
def test_annotate_takes_every_image_tally_takes(image):
    drawn = vision.annotate(image, vision.tally(image))
    assert drawn.shape == (60, 80, 3) and drawn.dtype == np.uint8
