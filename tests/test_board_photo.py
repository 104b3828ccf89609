"""The board's wall photo, labelled at the screen's scale: readable labels over their own notes,
never over each other, however crowded the wall; the photo scaled once and cached."""

import re
from dataclasses import replace

import cv2
import numpy as np
import pygame
import pytest

from device import session as S
from device.screens import Photo, Pictures, make_view, render
from device.screens import board as B
from device.screens import text as T
from device.screens.canvas import overlaps, strays
from device.worker import PHOTO_SIDE, count_wall
from vision.board import Board, Dot, Note, rank_notes

LABEL = re.compile(r"text '(#(\d+): )?(\d+)'")
GREY = (70, 70, 70)


def distinct_colours(n: int) -> list[tuple[int, int, int]]:
    """`n` saturated BGR colours, evenly round the hue circle."""
    hues = np.array([[[round(180 * i / n), 230, 230]] for i in range(n)], np.uint8)
    return [tuple(int(c) for c in bgr[0]) for bgr in cv2.cvtColor(hues, cv2.COLOR_HSV2BGR)]


def wall(spots, size=(1600, 1200), board_scale=2.0, seed=0):
    """A photo of `size` with a square note of its own colour at each (x, y, side), votes drawn
    as dark dots along its bottom; the board in the pixels of a photo `board_scale` as big."""
    rng = np.random.default_rng(seed)
    w, h = size
    image = np.full((h, w, 3), GREY, np.uint8)
    colours = distinct_colours(len(spots))
    notes = []
    for i, (x, y, side) in enumerate(spots):
        cv2.rectangle(image, (x, y), (x + side, y + side), colours[i], -1)
        votes = int(rng.integers(0, 6))
        r = side / 16
        centres = [(x + side * (k + 1) / 7, y + side * 0.85) for k in range(votes)]
        for cx, cy in centres:
            cv2.circle(image, (round(cx), round(cy)), round(r), (30, 30, 30), -1)
        f = board_scale
        polygon = ((x * f, y * f), ((x + side) * f, y * f))
        polygon += (((x + side) * f, (y + side) * f), (x * f, (y + side) * f))
        dots = tuple(Dot((cx * f, cy * f), r * f, "black") for cx, cy in centres)
        centre = ((x + side / 2) * f, (y + side / 2) * f)
        notes.append(Note(id=i + 1, polygon=polygon, center=centre, colour="white", dots=dots))
    board = Board(width=round(w * board_scale), height=round(h * board_scale))
    board = replace(board, notes=rank_notes(notes))
    by_rank = {n.rank: colours[n.id - 1] for n in board.notes}
    return image, board, by_rank


def board_view(image, board, page=1):
    state = S.start(S.Rules(), 0.0)
    state = S.handle(state, S.TAP, 0.0)[0]
    state = S.handle(state, S.TICK, 3.0)[0]
    state = S.handle(state, S.ScanDone(board, {}), 4.0)[0]
    assert state.screen is S.Screen.BOARD
    return make_view(state, 4.0, photo=Photo(image, board), board_page=page)


def photo_labels(drawn):
    """(rank or None, votes, text rect) of each label drawn over the photo."""
    found = []
    for d in drawn:
        if d.block == "photo" and d.name.startswith("text "):
            m = LABEL.fullmatch(d.name)
            assert m, d.name
            found.append((int(m.group(2)) if m.group(2) else None, int(m.group(3)), d.r))
    return found


def check_line(drawn) -> str:
    return " ".join(d.name[6:-1] for d in drawn if d.block == "photo label" and d.kind == "item")


def nine_notes():
    spots = [(150 + 480 * (i % 3), 100 + 380 * (i // 3), 260) for i in range(9)]
    return wall(spots)


@pytest.mark.parametrize("size", [(480, 320), (800, 480)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_note_gets_a_readable_label(size):
    pygame.font.init()
    image, board, _ = nine_notes()
    drawn = render(pygame.Surface(size), board_view(image, board))
    labels = photo_labels(drawn)
    assert sorted(rank for rank, _, _ in labels) == list(range(1, 10))
    votes = {n.rank: n.votes for n in board.notes}
    assert all(votes[rank] == n for rank, n, _ in labels), "each label says its note's votes"
    smallest = T.line_height(T.MIN_SIZE) - 1  # as test_screens measures the minimum
    # Notes this big need no shrinking to the minimum.
    assert min(rect.height for _, _, rect in labels) > smallest
    assert check_line(drawn).startswith("Check the count: #rank: dots")


@pytest.mark.parametrize("size", [(480, 320), (800, 480), (480, 800)], ids=lambda s: f"{s}")
def test_each_label_lies_over_its_own_note(size, monkeypatch):
    """Under each label's middle the photo shows that label's note (its own colour)."""
    pygame.font.init()
    image, board, colour_of = nine_notes()
    view = board_view(image, board)
    labels = photo_labels(render(pygame.Surface(size), view))
    assert len(labels) == 9
    monkeypatch.setattr(B, "place_labels", lambda *args: B.Labels(0, ()))
    plain = pygame.Surface(size)
    render(plain, view, Pictures())  # the same photo, unlabelled

    def nearest(rgb):
        bgr = np.array(rgb[::-1], float)
        return min(colour_of, key=lambda r: np.abs(np.array(colour_of[r]) - bgr).sum())

    for rank, _votes, rect in labels:
        under = tuple(plain.get_at(rect.center))[:3]
        assert nearest(under) == rank, (rank, under)
        assert np.abs(np.array(under[::-1]) - colour_of[rank]).sum() < 60, (rank, under)


def crowded_wall(n=40, seed=3):
    """`n` small notes strewn over the wall, some side by side: at 480x320 not every full
    label has room."""
    rng = np.random.default_rng(seed)
    side, spots = 64, []
    while len(spots) < n:
        x, y = (int(v) for v in rng.integers(20, (1600 - side - 20, 1200 - side - 20)))
        if all(max(abs(x - a), abs(y - b)) > side + 6 for a, b, _ in spots):
            spots.append((x, y, side))
    return wall(spots, seed=seed)


@pytest.mark.parametrize(
    "size", [(480, 320), (800, 480), (1024, 600), (480, 800)], ids=lambda s: f"{s}"
)
def test_a_crowded_wall_draws_no_two_labels_over_each_other(size):
    pygame.font.init()
    image, board, _ = crowded_wall()
    drawn = render(pygame.Surface(size), board_view(image, board))
    assert overlaps(drawn) == [] and strays(drawn, size) == []
    backs = [d.r for d in drawn if d.block == "photo" and d.name == "label back"]
    for i, a in enumerate(backs):
        assert a.collidelist(backs[i + 1 :]) == -1, f"label {a} covers another"
    labels = photo_labels(drawn)
    assert len(backs) == len(labels)
    for _, _, rect in labels:
        assert rect.collidelist(backs) != -1 and rect.height >= T.line_height(T.MIN_SIZE) - 1
    full = [rank for rank, _, _ in labels if rank is not None]
    assert 1 in full, "the top note always has its full label"
    # The line under the photo says how to read what is shown.
    line = check_line(drawn)
    assert line.startswith("Check the count: #rank: dots"), line
    if len(full) < len(labels):
        assert "just dots" in line, line
    if len(labels) < len(board.notes):
        assert f"{len(board.notes) - len(labels)} " in line and "labelled" in line, line


def test_when_crowded_low_ranks_give_way_first():
    """Shrunk to the minimum and still crowded, the notes are served in rank order: the top
    note keeps its full label, and the top half keeps more full labels than the bottom half."""
    pygame.font.init()
    image, board, _ = crowded_wall()
    shown = Pictures().photo(Photo(image, board), (240, 180))
    labels = B.place_labels(shown.marks, shown.surface.get_size(), 30)
    assert labels.size == B.smallest_label()
    assert labels.short or labels.left_off, "a wall this crowded has labels cut short"
    full = [label.rank for label in labels.labels if label.text.startswith("#")]
    assert full and min(full) == 1
    half = len(board.notes) // 2
    assert sum(r <= half for r in full) > sum(r > half for r in full), full
    rects = [pygame.Rect(label.rect) for label in labels.labels]
    assert all(a.collidelist(rects[i + 1 :]) == -1 for i, a in enumerate(rects))
    assert all(pygame.Rect((0, 0), shown.surface.get_size()).contains(r) for r in rects)


def test_labels_grow_with_the_notes_but_never_hide_most_of_one():
    pygame.font.init()
    image, board, _ = nine_notes()
    small = Pictures().photo(Photo(image, board), (300, 200))
    big = Pictures().photo(Photo(image, board), (900, 600))
    a = B.place_labels(small.marks, small.surface.get_size(), 200)
    b = B.place_labels(big.marks, big.surface.get_size(), 200)
    assert b.size > a.size >= B.smallest_label() >= T.MIN_SIZE
    note_h = big.marks[0].bounds.height
    assert all(pygame.Rect(label.rect).height <= note_h * B.LABEL_OF_NOTE for label in b.labels)


def test_the_photo_is_scaled_and_marked_once_per_box():
    image, board, _ = nine_notes()
    pictures = Pictures()
    photo = Photo(image, board)
    first = pictures.photo(photo, (400, 300))
    assert pictures.photo(photo, (400, 300)) is first, "a redraw is a blit"
    assert pictures.photo(Photo(image, board), (400, 300)) is not first, "a new scan is new"
    assert pictures.photo(photo, (200, 150)) is not first
    # The outlines are drawn on the cached copy: white lines the plain photo does not have.
    pixels = pygame.surfarray.array3d(first.surface)
    assert (pixels.min(axis=2) > 200).sum() > 1000
    assert not (image.min(axis=2) > 200).any()


def test_the_whole_photo_shows_so_a_note_the_count_missed_does_too():
    spots = [(100 + 140 * (i % 3), 100 + 140 * (i // 3), 120) for i in range(6)]
    image, board, _ = wall(spots, board_scale=1.0)  # notes found in the top-left corner only
    cv2.rectangle(image, (1300, 900), (1420, 1020), (40, 200, 240), -1)  # one the count missed
    shown = Pictures().photo(Photo(image, board), (400, 300))
    assert shown.surface.get_size() == (400, 300)  # 1600 x 1200, whole
    pixels = pygame.surfarray.array3d(shown.surface)
    assert tuple(pixels[340, 240]) == pytest.approx((240, 200, 40), abs=8)


def test_a_dot_off_the_notes_stays_in_the_photo():
    spots = [(100 + 140 * (i % 3), 100 + 140 * (i // 3), 120) for i in range(6)]
    image, board, _ = wall(spots, board_scale=1.0)
    stray = Dot((1500.0, 1100.0), 10.0, "red")
    shown = Pictures().photo(Photo(image, replace(board, stray_dots=(stray,))), (400, 300))
    pixels = pygame.surfarray.array3d(shown.surface)
    x, y = round(1500 / 4), round(1100 / 4)
    ring = pixels[x - 6 : x + 7, y - 6 : y + 7]
    assert (np.abs(ring.astype(int) - 128).max(axis=2) < 30).any(), "its grey ring is drawn"


def test_without_a_tally_the_photo_is_shown_whole_and_unlabelled():
    image, _, _ = nine_notes()
    shown = Pictures().photo(Photo(image), (400, 300))
    assert shown.surface.get_size() == (400, 300) and shown.marks == ()


def test_the_worker_keeps_the_photo_plain_for_the_screen_to_mark():
    from vision.synth import make_wall

    image = make_wall(1000, "easy", size=(2400, 1600)).image
    counted = count_wall(image)
    assert max(counted.small_photo.shape[:2]) == PHOTO_SIDE
    size = (counted.small_photo.shape[1], counted.small_photo.shape[0])
    assert np.array_equal(
        counted.small_photo, cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    )
    assert counted.board.notes, "the board says what to draw"
    shown = Pictures().photo(Photo(counted.small_photo, counted.board), (480, 320))
    assert len(shown.marks) == len(counted.board.notes)
