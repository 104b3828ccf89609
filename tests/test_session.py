"""The meeting rules: the button table row by row, slot timing, extensions, the meeting clock, re-scans, resume."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from engine_helpers import Driver, board, first_wall, moved, note, pictures

from device import matching, snapshot
from device import session as S
from device.session import Screen
from device.topics import Status
from vision.board import Dot

MIN = 60.0


def at(screen: Screen) -> Driver:
    """A driver whose session shows `screen`, reached by the gestures a facilitator would use."""
    d = Driver()
    if screen is Screen.READY:
        return d
    if screen is Screen.SCANNING:
        d.tap()
        return d
    if screen is Screen.RESUME:
        d.start_meeting()
        d.tap()
        d.run(100)
        saved = snapshot.from_record(snapshot.to_record(d.state), d.rules, now=5.0)
        d.now = 5.0
        d.state = S.resume_prompt(saved, 5.0)
        return d
    d.start_meeting()
    if screen is Screen.BOARD:
        return d
    if screen is Screen.SUMMARY:
        d.long_hold()
        return d
    if screen is Screen.ERROR:
        d.hold()
        d.run_until_capture()
        d.send(S.ScanFailed("No camera found: check the ribbon cable."), 0.2)
        return d
    d.tap()
    if screen is Screen.SLOT:
        d.run(10)
    elif screen is Screen.WARNING:
        d.run(7.5 * MIN)
    elif screen is Screen.PAUSED:
        d.run(2 * MIN)
        d.tap()
    elif screen is Screen.TIME_UP:
        d.run_until(Screen.TIME_UP)
    assert d.state.screen is screen
    return d


# --- the button table (DESIGN.md, "One button"), one row per screen ---

TABLE = {
    Screen.READY: ("scan the wall", None, None),
    Screen.RESUME: ("resume the meeting", "start a new meeting", None),
    Screen.SCANNING: (None, None, None),
    Screen.BOARD: ("start the next topic", "re-scan the wall", "end the meeting"),
    Screen.SLOT: ("pause", None, None),
    Screen.WARNING: ("pause", None, None),
    Screen.PAUSED: ("resume", "topic done: next topic", "back to the board"),
    Screen.TIME_UP: ("next topic", "extend 4 min", "back to the board"),
    Screen.SUMMARY: ("show the board", "new meeting", None),
    Screen.ERROR: ("retry", None, "back to the board"),
}


@pytest.mark.parametrize("screen", list(Screen), ids=lambda s: s.name)
def test_every_screen_labels_its_gestures_as_the_table_says(screen):
    state = at(screen).state
    assert (state.tap_label, state.hold_label, state.long_hold_label) == TABLE[screen]
    assert state.long_hold_enabled == (TABLE[screen][2] is not None)


@pytest.mark.parametrize(
    "screen, gesture",
    [
        (Screen.READY, S.HOLD),
        (Screen.READY, S.LONG_HOLD),
        (Screen.RESUME, S.LONG_HOLD),
        (Screen.SCANNING, S.TAP),
        (Screen.SCANNING, S.HOLD),
        (Screen.SCANNING, S.LONG_HOLD),
        (Screen.SLOT, S.HOLD),
        (Screen.SLOT, S.LONG_HOLD),
        (Screen.WARNING, S.HOLD),
        (Screen.WARNING, S.LONG_HOLD),
        (Screen.SUMMARY, S.LONG_HOLD),
        (Screen.ERROR, S.HOLD),
    ],
    ids=str,
)
def test_a_dash_in_the_table_does_nothing(screen, gesture):
    d = at(screen)
    before = d.state
    effects = d.send(gesture, 0.5)
    assert effects == ()
    assert d.state.screen is screen
    assert replace(d.state, now=before.now) == before


def test_ready_tap_scans_after_a_3_2_1_countdown():
    d = Driver()
    t0 = d.now
    d.tap()
    assert d.state.screen is Screen.SCANNING and d.state.countdown == 3
    d.run(1.0)
    assert d.state.countdown == 2
    d.run(1.5)
    assert d.state.countdown == 1 and not any(isinstance(e, S.Capture) for _t, e in d.effects)
    d.run(0.5)
    captures = [t for t, e in d.effects if isinstance(e, S.Capture)]
    assert captures == [t0 + 3.0]
    assert d.state.stage == S.TAKING_PHOTO
    d.send(S.ScanProgress("counting dots"), 0.3)
    assert d.state.stage == "counting dots"
    d.send(S.ScanDone(first_wall(), pictures(first_wall())), 0.3)
    assert d.state.screen is Screen.BOARD
    assert [t.votes for t in d.state.topics] == [5, 3, 3, 2, 1, 0]
    assert [t.tied for t in d.state.topics] == [False, True, True, False, False, False]
    assert d.state.total_votes == 14 and d.state.voters == 5
    assert all(t.picture for t in d.state.topics)


def test_no_countdown_captures_at_once():
    d = Driver(rules=S.Rules(countdown_seconds=0))
    effects = d.tap()
    assert S.CAPTURE in effects and d.state.stage == S.TAKING_PHOTO


def test_resume_row():
    d = at(Screen.RESUME)
    d.tap(3.0)
    assert d.state.screen is Screen.PAUSED and d.state.current_topic.rank == 1
    d = at(Screen.RESUME)
    effects = d.hold()
    assert d.state.screen is Screen.READY and not d.state.topics
    assert any(isinstance(e, S.NewMeeting) for e in effects)


def test_board_row():
    d = at(Screen.BOARD)
    d.tap()
    assert d.state.screen is Screen.SLOT and d.state.current_topic.rank == 1
    assert d.state.slot_remaining == 8 * MIN
    d = at(Screen.BOARD)
    d.hold()
    assert d.state.screen is Screen.SCANNING and d.state.countdown == 3
    d = at(Screen.BOARD)
    d.long_hold()
    assert d.state.screen is Screen.SUMMARY and d.state.over


@pytest.mark.parametrize("screen", [Screen.SLOT, Screen.WARNING])
def test_slot_row_tap_pauses(screen):
    d = at(screen)
    left = d.state.slot_remaining
    d.tap()
    assert d.state.screen is Screen.PAUSED
    d.run(5 * MIN)
    assert d.state.screen is Screen.PAUSED and d.state.slot_remaining == pytest.approx(left)


def test_paused_row():
    d = at(Screen.PAUSED)
    d.tap(30)
    assert d.state.screen is Screen.SLOT and d.state.slot.running
    assert d.state.slot_remaining == pytest.approx(6 * MIN)

    d = at(Screen.PAUSED)
    first = d.state.current
    d.hold(10)
    assert d.state.screen is Screen.SLOT and d.state.current != first
    done = d.topic(first)
    assert done.status is Status.DISCUSSED and done.ended_by == "early"
    assert done.seconds == pytest.approx(2 * MIN)

    d = at(Screen.PAUSED)
    d.long_hold()
    assert d.state.screen is Screen.BOARD and d.state.current is None
    assert d.topic(first).status is Status.DISCUSSED


def test_time_up_row():
    d = at(Screen.TIME_UP)
    first = d.state.current
    d.tap()
    assert d.state.screen is Screen.SLOT and d.state.current != first
    assert d.topic(first).ended_by == "time up"

    d = at(Screen.TIME_UP)
    d.hold()
    assert d.state.screen is Screen.SLOT and d.state.slot.kind == "extension"
    assert d.state.slot_remaining == 4 * MIN

    d = at(Screen.TIME_UP)
    d.long_hold()
    assert d.state.screen is Screen.BOARD and d.topic(first).status is Status.DISCUSSED


def test_summary_row():
    d = at(Screen.SUMMARY)
    d.tap()
    assert d.state.screen is Screen.BOARD and d.state.reviewing
    assert (d.state.tap_label, d.state.hold_label, d.state.long_hold_label) == (
        "back to the summary",
        None,
        None,
    )
    d.hold()
    d.long_hold()
    assert d.state.screen is Screen.BOARD
    d.tap()
    assert d.state.screen is Screen.SUMMARY

    d = at(Screen.SUMMARY)
    effects = d.hold()
    assert d.state.screen is Screen.READY and not d.state.topics and not d.state.over
    assert any(isinstance(e, S.NewMeeting) for e in effects)


def test_error_row():
    d = at(Screen.ERROR)
    assert d.state.error.startswith("No camera found")
    d.tap()
    assert d.state.screen is Screen.SCANNING and d.state.error == ""

    d = at(Screen.ERROR)
    d.long_hold()
    assert d.state.screen is Screen.BOARD and len(d.state.topics) == 6


def test_a_failed_first_scan_goes_back_to_the_start():
    d = Driver()
    d.tap()
    d.run_until_capture()
    d.send(S.ScanFailed("Cannot read photo wall.jpg: not an image."))
    assert d.state.screen is Screen.ERROR
    assert d.state.long_hold_label == "back to the start"
    d.long_hold()
    assert d.state.screen is Screen.READY


def test_a_photo_without_notes_is_an_error_and_the_meeting_is_kept():
    d = at(Screen.BOARD)
    d.hold()
    d.scan(board(), pics={})
    assert d.state.screen is Screen.ERROR and d.state.error == S.NO_NOTES
    assert len(d.state.topics) == 6


def test_a_late_scan_answer_is_ignored():
    d = at(Screen.BOARD)
    d.tap()
    before = d.state
    assert d.send(S.ScanDone(first_wall(), {})) == ()
    assert d.send(S.ScanFailed("late")) == ()
    assert d.state.screen is Screen.SLOT and d.state.topics is before.topics


# --- slot timing ---


def test_warning_one_minute_before_the_end_then_the_squeak():
    d = at(Screen.BOARD)
    start = d.now
    d.tap()
    d.run_until(Screen.TIME_UP)
    assert d.played() == [(start + 7 * MIN, "warning"), (start + 8 * MIN, "squeak")]
    topic = d.state.current_topic
    assert topic.squeaks == 1 and topic.seconds == 8 * MIN
    assert d.state.slot_remaining == 0.0


def test_the_screen_turns_to_warning_in_the_last_minute():
    d = at(Screen.BOARD)
    d.tap()
    d.run(7 * MIN - 0.5)
    assert d.state.screen is Screen.SLOT
    d.run(0.5)
    assert d.state.screen is Screen.WARNING


def test_extensions_shrink_4_then_2_then_a_hold_is_refused():
    d = at(Screen.TIME_UP)
    d.hold()
    assert d.state.slot.planned == 4 * MIN
    d.run_until(Screen.TIME_UP)
    assert d.state.hold_label == "extend 2 min"
    d.hold()
    assert d.state.slot.planned == 2 * MIN
    d.run_until(Screen.TIME_UP)
    assert d.state.hold_label == "no extension left"
    d.hold()
    assert d.state.screen is Screen.TIME_UP
    assert d.state.message.startswith("No extension left")
    topic = d.state.current_topic
    assert (topic.extensions, topic.squeaks, topic.seconds) == (2, 3, 14 * MIN)
    # Every slot warned and squeaked once (the 2-minute one warns at its half).
    assert [s for _t, s in d.played()].count("squeak") == 3
    assert [s for _t, s in d.played()].count("warning") == 3
    d.tap()
    assert d.state.message == ""  # a gesture acknowledges the message


def test_a_slot_no_longer_than_the_warning_starts_amber_without_a_cue():
    d = Driver(rules=S.Rules(extension_seconds=(45.0,)))
    d.start_meeting()
    d.tap()
    d.run_until(Screen.TIME_UP)
    since = d.now
    d.hold()
    assert d.state.screen is Screen.WARNING
    d.run_until(Screen.TIME_UP)
    assert d.played(since) == [(since + 45.0, "squeak")]


def test_pausing_stops_the_slot_but_not_the_meeting():
    d = at(Screen.BOARD)
    d.tap()
    d.run(3 * MIN)
    d.tap()
    meeting_left = d.state.meeting_left
    d.run(10 * MIN)
    assert d.state.slot_remaining == pytest.approx(5 * MIN)
    assert d.state.meeting_left == pytest.approx(meeting_left - 10 * MIN)
    d.tap()
    d.run_until(Screen.TIME_UP)
    assert d.state.current_topic.seconds == pytest.approx(8 * MIN)


def test_ending_within_the_skip_time_counts_as_skipped():
    d = at(Screen.BOARD)
    d.tap()
    d.run(10)
    d.tap()
    d.hold()
    topic = d.topic(1)
    assert topic.status is Status.SKIPPED


def test_a_tick_saves_once_per_second_of_a_running_slot():
    d = at(Screen.BOARD)
    d.tap()
    d.saves.clear()
    start = d.now
    d.run(10)
    assert d.saves == [start + s for s in range(1, 11)]
    d.tap()
    d.saves.clear()
    d.run(10)  # paused: the meeting clock's seconds are saved instead
    assert d.saves == [start + 10 + s for s in range(1, 11)]
    d.long_hold()
    d.long_hold()
    d.saves.clear()
    d.run(10)  # the summary: nothing runs, nothing to save
    assert d.saves == []


def test_save_failures_are_shown_but_not_saved():
    d = at(Screen.SLOT)
    effects = d.send(S.SaveFailed("Saving has stopped: the disk is full."))
    assert effects == () and d.state.save_failed
    assert d.state.save_message == "Saving has stopped: the disk is full."
    d.tap()  # the meeting goes on
    assert d.state.screen is Screen.PAUSED and d.state.save_failed
    d.send(S.SaveRecovered())
    assert not d.state.save_failed


def test_time_never_runs_backwards():
    d = at(Screen.SLOT)
    left = d.state.slot_remaining
    d.state, _ = S.handle(d.state, S.TICK, d.now - 50)
    assert d.state.slot_remaining == left


def test_unknown_events_are_refused():
    with pytest.raises(TypeError):
        S.handle(Driver().state, "tap", 1.0)


def test_deadlines_point_at_the_next_thing_that_changes():
    d = at(Screen.BOARD)
    assert S.next_deadline(d.state) is None  # nothing timed before the first topic
    d.tap()
    d.run(0.25)
    assert S.next_deadline(d.state) == pytest.approx(d.now + 0.75)
    d.run(7 * MIN - 1.25 + 0.5)
    # 6:59.5 in: the next whole second is the warning
    assert S.next_deadline(d.state) == pytest.approx(d.now + 0.5)
    d.state = replace(d.state, screen=Screen.SUMMARY, over=True, slot=None)
    assert S.next_deadline(d.state) is None


# --- the meeting clock and the end of the meeting ---


def test_when_the_hour_is_up_the_slot_finishes_then_the_summary():
    d = Driver(rules=S.Rules(meeting_seconds=10 * MIN))
    d.start_meeting()
    d.tap()
    d.run_until(Screen.TIME_UP)
    d.tap()  # second topic from 8:00; the meeting ends at 10:00, the slot at 16:00
    assert d.state.next_text == "Next: the summary"  # 2 min of meeting left, 8 in the slot
    d.run(3 * MIN)
    assert d.state.screen is Screen.SLOT and d.state.meeting_left == 0
    squeak_at = d.now + 5 * MIN
    d.run_until(Screen.SUMMARY)
    assert d.now == squeak_at and d.played()[-1] == (squeak_at, "squeak")
    second = d.topic(2)
    assert second.ended_by == "meeting over" and second.seconds == 8 * MIN
    assert d.state.over and d.state.duration == pytest.approx(16 * MIN)
    assert d.state.meeting_left == 0


def test_the_hour_running_out_between_slots_shows_the_summary():
    d = Driver(rules=S.Rules(meeting_seconds=9 * MIN))
    d.start_meeting()
    d.tap()
    d.run_until(Screen.TIME_UP)
    d.long_hold()  # back to the board at 8:00
    assert d.state.screen is Screen.BOARD
    d.run(MIN - 0.5)
    assert d.state.screen is Screen.BOARD
    d.run(0.5)
    assert d.state.screen is Screen.SUMMARY


def test_a_paused_slot_waits_past_the_hour_and_finishes_when_resumed():
    d = Driver(rules=S.Rules(meeting_seconds=5 * MIN))
    d.start_meeting()
    d.tap()
    d.run(MIN)
    d.tap()
    d.run(10 * MIN)
    assert d.state.screen is Screen.PAUSED and S.next_deadline(d.state) is None
    assert d.state.hold_label == "topic done: summary"
    d.tap()
    d.run_until(Screen.SUMMARY)
    assert d.topic(1).seconds == 8 * MIN


def test_no_topics_left_ends_the_meeting():
    d = Driver()
    d.start_meeting(board(note(1, 200, 200, 4), note(2, 400, 200, 1)))
    d.tap()
    d.run_until(Screen.TIME_UP)
    assert d.state.tap_label == "next topic"
    d.tap()
    d.run_until(Screen.TIME_UP)
    assert d.state.tap_label == "show the summary"
    d.tap()
    assert d.state.screen is Screen.SUMMARY
    assert [t.status for t in d.state.topics] == [Status.DISCUSSED, Status.DISCUSSED]


def test_after_the_last_topic_the_board_offers_the_summary_and_a_rescan():
    d = Driver()
    d.start_meeting(board(note(1, 200, 200, 4)))
    d.tap()
    d.run_until(Screen.TIME_UP)
    d.long_hold()
    assert d.state.screen is Screen.BOARD
    assert (d.state.tap_label, d.state.hold_label) == ("show the summary", "re-scan the wall")
    d.hold()
    d.scan(board(note(7, 200, 200, 4), note(8, 600, 200, 2)))  # a late topic
    assert d.state.tap_label == "start the next topic"
    d.tap()
    assert d.state.current_topic.votes == 2


# --- re-scans ---


def test_a_rescan_keeps_discussed_topics_by_position_not_by_index():
    d = at(Screen.BOARD)
    d.tap()  # topic key 1 (5 votes)
    d.run_until(Screen.TIME_UP)
    d.long_hold()
    first_board = d.state.board
    # Late dots: the orange note (0 votes) gets 6, more than anyone; a late note appears;
    # the camera was bumped 40 px; the tally numbers everything afresh.
    late = moved(first_board, 40, -25)
    notes = [
        replace(n, dots=tuple(n.dots) + tuple(n.dots[:1] * 0) + note(0, *n.center, 6).dots)
        if n.colour == "orange"
        else n
        for n in late.notes
    ]
    notes.append(note(50, 640, 425, 4, "purple"))
    d.hold()
    d.scan(board(*notes))
    state = d.state
    assert len(state.topics) == 7
    by_key = {t.key: t for t in state.topics}
    assert by_key[1].status is Status.DISCUSSED and by_key[1].seconds == 8 * MIN
    assert by_key[6].votes == 6 and by_key[6].status is Status.WAITING
    assert by_key[7].votes == 4 and by_key[7].colour == "purple"
    assert state.message == "Re-scan: 1 new topic, votes changed on 1."
    logged = [e.message for _, e in d.effects if isinstance(e, S.Log)]
    assert "re-scan 2: 7 notes, 24 dots; 6 found again; Re-scan: 1 new topic" in logged[-1]
    # The rest are re-ranked: the late-voted topic comes next, then the late note.
    assert state.next_topic.key == 6
    d.tap()
    assert d.state.current == 6
    d.tap()
    d.hold()
    assert d.state.current == 7


def test_a_note_taken_down_leaves_the_queue_but_history_stays():
    d = at(Screen.BOARD)
    d.tap()
    d.run_until(Screen.TIME_UP)
    d.long_hold()
    remaining = [n for n in d.state.board.notes if n.votes not in (5, 1)]  # topics 1 and 5 gone
    d.hold()
    d.scan(board(*remaining))
    keys = {t.key: t for t in d.state.topics}
    assert 5 not in keys
    assert keys[1].status is Status.DISCUSSED and not keys[1].on_wall
    assert d.state.topics[-1].key == 1  # off the wall: listed after the wall's ranking
    assert d.state.message == "Re-scan: 2 gone from the wall."


def test_matching_survives_a_shift_larger_than_a_note():
    wall = first_wall()
    shifted = moved(wall, 260, 130)
    pairs = matching.match(list(wall.notes), list(shifted.notes))
    assert len(pairs) == 6
    for i, j in pairs.items():
        assert shifted.notes[j].center == pytest.approx(
            (wall.notes[i].center[0] + 260, wall.notes[i].center[1] + 130)
        )


def test_matching_tolerates_a_colour_misread_but_not_a_different_size_or_place():
    old = [note(1, 200, 200, 2, "yellow"), note(2, 320, 200, 0, "yellow")]
    new = [note(9, 202, 198, 3, "orange"), note(8, 320, 200, 0, "yellow", size=40)]
    assert matching.match(old, new) == {0: 0}
    assert matching.match(old, [note(7, 900, 900, 1, "pink")]) == {}
    assert matching.match([], new) == {}


def test_matching_keeps_touching_same_colour_notes_apart():
    column = [note(i, 300, 100 + 100 * i, i % 3) for i in range(6)]  # edge to edge
    again = [note(10 + i, 303, 98 + 100 * i, (i % 3) + 1) for i in range(6)]
    assert matching.match(column, list(reversed(again))) == {i: 5 - i for i in range(6)}


def test_matching_follows_a_change_of_scale():
    wall = [note(i, 200 + 150 * i, 300, 1) for i in range(5)]
    closer = [note(i, 1.5 * (200 + 150 * i), 450, 1, size=150) for i in range(5)]
    assert matching.match(wall, closer) == {i: i for i in range(5)}


# --- resume after a restart ---


def test_a_running_slot_resumes_paused_with_its_time_as_of_the_last_save():
    d = at(Screen.BOARD)
    d.tap()
    d.run(3 * MIN + 20.4)
    record = snapshot.to_record(d.state)
    left = d.state.slot_remaining
    meeting_left = d.state.meeting_left
    # Power off; the new boot's monotonic clock starts near 0.
    restored = snapshot.from_record(record, d.rules, now=7.0, pictures={1: b"png"})
    assert restored.screen is Screen.PAUSED and not restored.slot.running
    assert restored.slot_remaining == pytest.approx(left)
    assert restored.meeting_left == pytest.approx(meeting_left)
    assert restored.current_topic.picture == b"png"
    prompt = S.resume_prompt(restored, 7.0)
    assert prompt.screen is Screen.RESUME
    resumed, effects = S.handle(prompt, S.TAP, 30.0)  # 23 s on the Resume? screen
    assert resumed.screen is Screen.PAUSED and S.SAVE in effects
    assert resumed.slot_remaining == pytest.approx(left)
    assert resumed.meeting_left == pytest.approx(meeting_left)
    resumed, _ = S.handle(resumed, S.TAP, 31.0)
    assert resumed.screen is Screen.SLOT
    assert resumed.slot_remaining_at(41.0) == pytest.approx(left - 10)


@pytest.mark.parametrize(
    "screen, back",
    [
        (Screen.BOARD, Screen.BOARD),
        (Screen.TIME_UP, Screen.TIME_UP),
        (Screen.PAUSED, Screen.PAUSED),
        (Screen.WARNING, Screen.PAUSED),
        (Screen.SUMMARY, Screen.SUMMARY),
        (Screen.ERROR, Screen.ERROR),
        (Screen.SCANNING, Screen.READY),
    ],
)
def test_each_screen_comes_back_after_a_restart(screen, back):
    state = at(screen).state
    restored = snapshot.from_record(snapshot.to_record(state), state.rules, now=1.0)
    assert restored.screen is back
    assert [t.key for t in restored.topics] == [t.key for t in state.topics]
    assert [t.status for t in restored.topics] == [t.status for t in state.topics]
    assert restored.slots == state.slots


def test_an_interrupted_rescan_comes_back_on_the_board():
    d = at(Screen.BOARD)
    d.hold()
    restored = snapshot.from_record(snapshot.to_record(d.state), d.rules, now=1.0)
    assert restored.screen is Screen.BOARD and restored.message == snapshot.INTERRUPTED_SCAN


def test_the_stray_dots_come_back_where_they_were():
    d = at(Screen.BOARD)
    strays = (Dot((12.5, 30.0), 9.0, "red"), Dot((800.0, 20.25), 11.5, "blue"))
    state = replace(d.state, board=replace(d.state.board, stray_dots=strays))
    record = snapshot.to_record(state)
    assert snapshot.from_record(record, d.rules, now=1.0).board.stray_dots == strays
    # A record saved when only their count was kept still reads, without them.
    record["board"]["stray_dots"] = 2
    assert snapshot.from_record(record, d.rules, now=1.0).board.stray_dots == ()


def test_a_damaged_record_is_refused_clearly():
    record = snapshot.to_record(at(Screen.SLOT).state)
    with pytest.raises(snapshot.RecordError):
        snapshot.from_record({**record, "version": 99}, S.Rules(), 1.0)
    with pytest.raises(snapshot.RecordError):
        snapshot.from_record({k: v for k, v in record.items() if k != "topics"}, S.Rules(), 1.0)
    with pytest.raises(snapshot.RecordError):
        snapshot.from_record({**record, "current": 99}, S.Rules(), 1.0)


# --- a whole meeting ---


def test_a_full_one_hour_meeting_runs_in_well_under_a_second():
    started = time.perf_counter()
    d = Driver()
    d.start_meeting()
    t0 = d.now

    # Topic 1 (5 votes): runs out, extended once (4 min), then the group moves on.
    d.tap()
    d.run_until(Screen.TIME_UP)
    d.hold()
    d.run_until(Screen.TIME_UP)
    d.tap()
    # Topic 2 (3 votes, tie, pink): finished early after 5 min; a pause on the way.
    d.run(2 * MIN)
    d.tap()
    d.run(3 * MIN)  # paused: someone fetches coffee
    d.tap()
    d.run(3 * MIN)
    d.tap()
    d.hold()
    # Topic 3 (3 votes): runs out; back to the board for late dots and a late note.
    d.run_until(Screen.TIME_UP)
    d.long_hold()
    wall = d.state.board
    late = [
        replace(n, dots=n.dots + note(0, *n.center, 4).dots) if n.colour == "orange" else n
        for n in wall.notes
    ]
    late.append(note(60, 600, 400, 2, "purple"))
    d.hold()
    d.scan(board(*late))
    assert d.state.message == "Re-scan: 1 new topic, votes changed on 1."
    # Topic 6 (orange, now 4 votes) is next; extended twice, then refused.
    d.tap()
    assert d.state.current == 6
    d.run_until(Screen.TIME_UP)
    d.hold()
    d.run_until(Screen.TIME_UP)
    d.hold()
    d.run_until(Screen.TIME_UP)
    d.hold()
    assert d.state.message.startswith("No extension left")
    d.tap()
    # The two 2-vote topics (blue, then the late purple one, in reading order);
    # the purple one is extended and the hour runs out in its extension.
    d.run_until(Screen.TIME_UP)
    d.tap()
    d.run_until(Screen.TIME_UP)
    assert d.state.meeting_left > 0
    d.hold()
    d.run_until(Screen.SUMMARY)
    elapsed = time.perf_counter() - started

    state = d.state
    assert elapsed < 0.5
    assert state.over and state.duration >= 60 * MIN
    by_key = {t.key: t for t in state.topics}
    assert (by_key[1].seconds, by_key[1].extensions, by_key[1].squeaks) == (12 * MIN, 1, 2)
    assert (by_key[2].ended_by, by_key[2].seconds) == ("early", pytest.approx(5 * MIN))
    assert by_key[3].ended_by == "time up"
    assert (by_key[6].extensions, by_key[6].squeaks, by_key[6].seconds) == (2, 3, 14 * MIN)
    discussed = sorted((t for t in state.topics if t.order is not None), key=lambda t: t.order)
    assert [t.key for t in discussed] == [1, 2, 3, 6, 4, 7]
    assert (discussed[-1].ended_by, discussed[-1].extensions) == ("meeting over", 1)
    assert [t.key for t in state.topics if t.status is Status.WAITING] == [5]
    assert d.played()[-1] == (d.now, "squeak")  # the extension finished, then the summary
    # The slots tell the same story: every topic's time is the sum of its slots.
    for t in state.topics:
        assert t.seconds == pytest.approx(sum(s.elapsed for s in state.slots if s.topic == t.key))
    assert state.slots[-1].ended == pytest.approx(state.duration)
    assert d.now - t0 < 75 * MIN


def test_what_comes_next():
    d = at(Screen.BOARD)
    d.tap()
    assert d.state.next_text == "Next: #2, 3 votes"
    assert d.state.next_topic.key == 2


def test_an_unranked_board_is_ranked_by_the_vision_rule():
    wall = first_wall()
    unranked = replace(wall, notes=tuple(replace(n, rank=0, tied=False) for n in wall.notes))
    d = Driver()
    d.tap()
    d.scan(unranked)
    assert [t.votes for t in d.state.topics] == [5, 3, 3, 2, 1, 0]
    assert [t.rank for t in d.state.topics] == [1, 2, 3, 4, 5, 6]


def _with_dots(n, *spots):
    """A note with dots at given fractions of its width and height, and colours."""
    (x0, y0), (x1, _), (_, y1) = n.polygon[0], n.polygon[1], n.polygon[2]
    dots = tuple(Dot((x0 + u * (x1 - x0), y0 + v * (y1 - y0)), 8.0, c) for u, v, c in spots)
    return replace(n, dots=dots)


def test_matching_follows_a_discussed_note_moved_to_the_done_column():
    spots = [(0.2, 0.3, "red"), (0.7, 0.4, "blue"), (0.5, 0.8, "red")]
    old = [
        _with_dots(note(1, 300, 300, 0), *spots),
        _with_dots(note(2, 500, 300, 0), (0.5, 0.5, "red")),
    ]
    # Note 1 went to a "done" column far away, with a late dot; note 2 stayed.
    new = [
        _with_dots(note(7, 1400, 900, 0), *spots, (0.8, 0.8, "green")),
        _with_dots(note(8, 500, 300, 0), (0.5, 0.5, "red")),
    ]
    assert matching.match(old, new) == {0: 0, 1: 1}


def test_matching_by_look_refuses_lookalikes_and_missing_dots():
    spots = [(0.5, 0.5, "red")]
    stays = [_with_dots(note(2, 500, 300, 0), (0.2, 0.2, "blue")), _with_dots(note(3, 700, 300, 0))]
    old = [_with_dots(note(1, 300, 300, 0), *spots), *stays]
    twins = [_with_dots(note(7, 1400, 900, 0), *spots), _with_dots(note(8, 1400, 1100, 0), *spots)]
    assert matching.match(old, [*stays, *twins]) == {1: 0, 2: 1}  # which twin? a new topic is safer
    lost_a_dot = [_with_dots(note(7, 1400, 900, 0))]
    assert matching.match(old, [*stays, *lost_a_dot]) == {1: 0, 2: 1}
    other_colour = [_with_dots(note(7, 1400, 900, 0, "pink"), *spots)]
    assert matching.match(old, [*stays, *other_colour]) == {1: 0, 2: 1}
    assert matching.match(old, [*stays, twins[0]]) == {1: 0, 2: 1, 0: 2}


def test_the_next_deadline_always_lies_after_now():
    d = at(Screen.BOARD)
    d.tap()
    # A slot that has run a hair under 107 s: now + (107 - ran) rounds back to now in floats.
    slot = replace(d.state.slot, running_since=1941.0000000000002, elapsed=0.0)
    state = replace(d.state, slot=slot, now=2048.0)
    assert state.slot.run_seconds(2048.0) < 107
    assert S.next_deadline(state) > 2048.0
