"""vision.notes.find_notes on what real walls showed it: notes stuck on in overlapping rows
(only a strip of each shows), long notes seen from the side, far notes on a wall seen at a
steep angle, dull dark notes, panels printed in frames on a sheet, and the real photos
themselves.

The drawn walls name the condition; the real photos (where ../shared is present) check that
the rule holds on the photos that asked for it.
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from test_notes import CANARY, INK, LIME, PINK, WHITE_SHEET, assert_found, iou, note, wall

from vision.bench import load_label
from vision.geometry import inside
from vision.notes import find_notes
from vision.params import Params

LABELS = Path(__file__).parent / "labels"
TEAL = (200, 190, 90)  # BGR
DULL_PURPLE = (95, 60, 85)  # Lab L 29, chroma 25: darker than ink, duller than a bright note


def strip(x, y, w, h):
    return np.float64([[x, y], [x + w, y], [x + w, y + h], [x, y + h]])


def stack(image, x, y, w, colours, shown):
    """Notes stuck on in a column, each lower one over the bottom of the one above, so that
    only a band `shown` high of each but the last shows; returns the visible outlines."""
    for k, colour in enumerate(colours):
        note(image, x, y + k * shown, w, colour=colour)
    last = len(colours) - 1
    return [strip(x, y + k * shown, w, shown) for k in range(last)] + [
        strip(x, y + last * shown, w, w)
    ]


def test_notes_stuck_on_in_overlapping_rows_are_each_a_note():
    image = wall()
    truths = stack(image, 250, 150, 200, [PINK, LIME, TEAL, CANARY], 70)
    truths += [note(image, 700 + 260 * k, 300, 200, colour=(CANARY, PINK)[k % 2]) for k in range(3)]
    assert_found(image, truths)


def test_a_gap_of_wall_between_four_notes_is_no_note():
    # The band of wall between two notes, shut in at its ends by two more, is as long as a
    # note and short: strip-shaped, with notes past its long sides, but the wall's colour.
    image = wall()
    truths = [
        note(image, 250, 150, 200, colour=PINK),
        note(image, 250, 420, 200, colour=LIME),
        note(image, 50, 285, 200, colour=CANARY),
        note(image, 450, 285, 200, colour=TEAL),
    ]
    truths += [note(image, 900 + 220 * k, 300, 200) for k in range(3)]
    assert_found(image, truths)


def test_a_note_with_a_thick_line_across_it_is_one_note_not_a_strip():
    # The band above the line is strip-shaped and next to paper of another colour (the ink),
    # but its own paper goes on past the line: a piece of this note.
    image = wall()
    truths = [note(image, 250 + 260 * k, 300, 200, colour=(CANARY, LIME)[k % 2]) for k in range(4)]
    for k in range(4):
        cv2.line(image, (262 + 260 * k, 370), (438 + 260 * k, 370), INK, 12)
    assert_found(image, truths)


def test_long_notes_seen_from_the_side_are_notes():
    # 3 x 5 in notes, small in a big photo and foreshortened across: the edge map eats a
    # good part of their width, so what it leaves is longer than any note may be.
    image = wall(size=(2400, 1600))
    truths = [note(image, 300 + 200 * k, 500, 75, 137) for k in range(5)]
    truths += [note(image, 300 + 200 * k, 800, 72, 135, colour=PINK) for k in range(5)]
    assert_found(image, truths, min_iou=0.8)


def test_two_dots_side_by_side_do_not_make_long_notes():
    # Two touching dot stickers are as long as wide twice over: they must not set a wall's
    # typical note as a long one seen from the side.
    image = wall(size=(2400, 1600))
    for k in range(12):
        for j in range(4):
            x, y = 300 + 150 * k, 300 + 250 * j
            cv2.circle(image, (x, y), 18, (40, 160, 40), -1)
            cv2.circle(image, (x + 36, y), 18, (40, 160, 40), -1)
    assert find_notes(image, Params()) == []


def test_far_notes_on_a_wall_seen_at_a_steep_angle_are_notes():
    # The near notes are 200 px across, the far ones 80: a sixth of the area.
    image = wall()
    truths = [note(image, 150 + 240 * k, 250 + 240 * j, 200) for k in range(3) for j in range(2)]
    truths += [
        note(image, 1000 + 120 * k, 350 + 120 * j, 80, colour=LIME)
        for k in range(4)
        for j in range(2)
    ]
    assert_found(image, truths)


def test_a_note_quartered_by_a_thick_cross_is_one_note():
    # Each quarter is a small crisp square, like a far note, but its paper goes on past the
    # cross.
    image = wall()
    truths = [note(image, 250 + 260 * k, 300, 200, colour=(CANARY, LIME)[k % 2]) for k in range(4)]
    truths += [note(image, 250 + 260 * k, 650, 200, colour=PINK) for k in range(4)]
    cv2.line(image, (250, 400), (449, 400), INK, 12)
    cv2.line(image, (350, 300), (350, 499), INK, 12)
    assert_found(image, truths)


def test_panels_printed_in_frames_on_a_sheet_are_not_notes():
    # A storyboard sheet: coloured panels in printed black frames. Their colour and shape are
    # a note's, but a note's edge is the paper's own, with no ink line all round it.
    image = wall()
    cv2.rectangle(image, (100, 100), (380, 900), WHITE_SHEET, -1)
    for k in range(3):
        y = 130 + 260 * k
        cv2.rectangle(image, (140, y), (340, y + 200), CANARY, -1)
        cv2.rectangle(image, (140, y), (340, y + 200), INK, 7)
    truths = [note(image, 700 + 260 * k, 300 + 260 * j, 200) for k in range(3) for j in range(2)]
    assert_found(image, truths)


def test_notes_of_three_colours_close_together_on_a_dark_board_are_not_framed():
    # Each inner note has the dark board past its sides and lighter paper beyond, as a
    # printed frame does; but that paper is its neighbours, of other colours, not one sheet.
    image = wall(colour=(45, 50, 55))
    truths = [
        note(image, 400 + 210 * c, 200 + 210 * r, 200, colour=(CANARY, PINK, LIME)[(r + c) % 3])
        for r in range(3)
        for c in range(3)
    ]
    assert_found(image, truths)


def test_a_note_with_a_line_drawn_round_its_edge_is_a_note():
    # The ink line round it has the note's own paper on both sides, not a sheet's.
    image = wall()
    truths = [note(image, 250 + 260 * k, 300, 200, colour=(CANARY, PINK)[k % 2]) for k in range(4)]
    for k in range(4):
        cv2.rectangle(image, (262 + 260 * k, 312), (438 + 260 * k, 488), INK, 5)
    assert_found(image, truths, min_iou=0.7)


def test_a_dull_dark_note_is_a_note_but_a_black_patch_is_not():
    # A purple note in poor light: darker than ink and too dull to pass for paper by its
    # colour, but a crisp, solid quad of a note's size. A black one (a screen, a box filled
    # in with marker) is no note.
    image = wall()
    truths = [note(image, 200 + 260 * k, 250, 200) for k in range(4)]
    truths.append(note(image, 200, 550, 200, colour=DULL_PURPLE))
    note(image, 720, 550, 200, colour=(30, 30, 30))
    assert_found(image, truths)


def test_a_note_among_strips_with_a_word_across_its_middle_is_one_note():
    # Next to stacks of notes stuck on in overlapping rows, whose strips are half a note
    # long, a whole note looks twice as long as its neighbours; a big word written across
    # its middle is no seam (needs-wants-desires: "MeD").
    image = wall()
    truths = []
    for k in range(3):
        truths += stack(
            image, 200 + 260 * k, 100, 200, [CANARY, TEAL, CANARY, PINK, CANARY][k:], 100
        )
    truths.append(note(image, 1000, 150, 200, colour=CANARY))
    cv2.putText(image, "MeD", (1015, 275), cv2.FONT_HERSHEY_SIMPLEX, 2.6, (40, 40, 200), 7)
    assert_found(image, truths)


def _label(name: str, photos: Path):
    label = load_label(LABELS / f"{name}.json", photos)
    return label, cv2.imread(str(label.path))


def test_the_shingled_notes_on_a_real_wall_are_found(real_photos):
    """needs-wants-desires: 'Script', 'Shell scripts' and 'Recipe' are stuck on one below the
    other, each covering most of the one above; a strip of each shows."""
    name = "thoughtbot__design-sprint__needs-wants-desires"
    _, image = _label(name, real_photos)
    # The label file keeps the notes in the order its comment names them.
    notes = json.loads((LABELS / f"{name}.json").read_text())["notes"]
    found = find_notes(image, Params())
    for truth in [np.float64(n["polygon"]) for n in notes[26:29]]:
        hits = [c for c in found if inside(truth, c.quad.mean(axis=0))]
        assert len(hits) == 1 and iou(hits[0].quad, truth) > 0.7, truth.tolist()


@pytest.mark.parametrize(
    "name",
    [
        "thoughtbot__design-sprint__group-ranking",
        "thoughtbot__design-sprint__storyboard",
        "scolem__Post-Its__pic2-board",
        "govau__service-manual__Affinity-mapping",
        "thoughtbot__design-sprint__storyboard-2",
    ],
)
def test_every_note_on_a_real_wall_is_found_once(real_photos, name):
    """group-ranking: its notes are long ones on a wall seen from the side; storyboard: its
    yellow panels printed in black frames are no notes, nor is a box drawn on a note;
    pic2-board: a purple note in poor light; storyboard-2: the big writing on its white
    sheets, smeared by the wipe into a patch of colour, is no note."""
    label, image = _label(name, real_photos)
    found = [c.quad for c in find_notes(image, Params())]
    if label.region is not None:  # only part of the photo is labelled
        found = [q for q in found if inside(label.region, q.mean(axis=0))]
    for truth in label.truth.notes:
        hits = [q for q in found if inside(truth.polygon, q.mean(axis=0))]
        assert len(hits) == 1, truth.polygon
    assert len(found) == len(label.truth.notes)


@pytest.mark.parametrize(
    "name",
    [
        "thoughtbot__design-sprint__storyboard-2",
        "govau__service-manual__Debriefing-usability-research",
    ],
)
def test_notes_the_search_leaves_bare_are_found(real_photos, name):
    """storyboard-2: the lime note top left is in pieces at every level (big writing all
    over it); Debriefing: a lime note under another one shows a band of itself, joined to
    more lime paper by a neck. Each is paper of a note's colour that no note holds."""
    label, image = _label(name, real_photos)
    found = [c.quad for c in find_notes(image, Params())]
    for k, truth in enumerate(label.truth.notes):
        if k in label.uncertain:
            continue
        hits = [q for q in found if inside(truth.polygon, q.mean(axis=0))]
        assert len(hits) == 1, truth.polygon
