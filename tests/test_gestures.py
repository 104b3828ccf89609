"""Gesture rules with an injected clock: tap on release, hold on time, long hold without a hold."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from device.gestures import UP, Gesture, GestureDetector


def run(detector, down_for, step=0.01, start=100.0):
    """Press at `start`, poll every `step` while down, release after `down_for`: every gesture made."""
    made = []
    assert detector.press(start) is None
    t = start
    while t + step < start + down_for:
        t += step
        g = detector.poll(t)
        if g is not None:
            made.append(g)
    g = detector.release(start + down_for)
    if g is not None:
        made.append(g)
    return made


def test_a_short_press_is_a_tap_known_on_release():
    d = GestureDetector()
    d.press(0.0)
    assert d.poll(0.2) is None
    assert d.release(0.2) is Gesture.TAP
    assert not d.is_down


def test_a_bounce_is_ignored():
    d = GestureDetector()
    d.press(0.0)
    assert d.release(0.02) is None
    assert run(GestureDetector(bounce_seconds=0.05), 0.04) == []
    assert run(GestureDetector(bounce_seconds=0.05), 0.06) == [Gesture.TAP]


def test_a_hold_fires_when_its_time_is_reached_before_release():
    d = GestureDetector()
    d.press(10.0)
    assert d.poll(10.99) is None
    assert d.poll(11.0) is Gesture.HOLD
    # Nothing more from the same press, however long it stays down.
    assert d.poll(15.0) is None
    assert d.release(15.0) is None


def test_a_hold_not_polled_in_time_still_fires_once_on_release():
    d = GestureDetector()
    d.press(0.0)
    assert d.release(1.7) is Gesture.HOLD


def test_hold_and_long_hold_times_are_settings():
    d = GestureDetector(hold_seconds=0.5, long_hold_seconds=2.0)
    assert run(d, 0.6) == [Gesture.HOLD]
    d.long_hold_enabled = True
    assert run(d, 1.0) == [Gesture.HOLD]
    assert run(d, 2.5) == [Gesture.LONG_HOLD]


def test_with_long_holds_on_a_hold_is_known_on_release():
    d = GestureDetector(long_hold_enabled=True)
    d.press(0.0)
    assert d.poll(1.5) is None  # not yet: it may still become a long hold
    assert d.release(2.0) is Gesture.HOLD


def test_with_long_holds_on_a_long_hold_fires_at_its_time_and_never_also_a_hold():
    d = GestureDetector(long_hold_enabled=True)
    d.press(0.0)
    assert d.poll(2.99) is None
    assert d.poll(3.0) is Gesture.LONG_HOLD
    assert d.release(4.0) is None
    assert run(GestureDetector(long_hold_enabled=True), 6.0) == [Gesture.LONG_HOLD]


def test_without_long_holds_a_very_long_press_is_one_hold():
    assert run(GestureDetector(), 6.0) == [Gesture.HOLD]


def test_repeated_press_while_down_changes_nothing():
    d = GestureDetector()
    d.press(0.0)
    d.press(0.8)  # a key repeat or a mouse event doubling a touch
    assert d.poll(1.0) is Gesture.HOLD


def test_release_without_press_makes_nothing():
    d = GestureDetector()
    assert d.release(5.0) is None
    assert d.poll(5.0) is None


def test_cancel_forgets_the_press():
    d = GestureDetector()
    d.press(0.0)
    d.cancel()
    assert d.poll(2.0) is None
    assert d.release(2.0) is None
    assert d.next_deadline() is None
    # The next press is a fresh one.
    d.press(3.0)
    assert d.release(3.1) is Gesture.TAP


def test_next_deadline_is_when_poll_can_fire():
    d = GestureDetector()
    assert d.next_deadline() is None
    d.press(10.0)
    assert d.next_deadline() == pytest.approx(11.0)
    d.long_hold_enabled = True
    assert d.next_deadline() == pytest.approx(13.0)
    assert d.poll(13.0) is Gesture.LONG_HOLD
    assert d.next_deadline() is None


def test_progress_fills_towards_hold_and_long_hold():
    d = GestureDetector(long_hold_enabled=True)
    assert d.progress(0.0) == UP
    d.press(0.0)
    assert d.progress(0.01).reached is None
    p = d.progress(0.5)
    assert p.down and not p.spent
    assert p.hold == pytest.approx(0.5)
    assert p.long_hold == pytest.approx(0.5 / 3)
    assert p.reached is Gesture.TAP
    p = d.progress(1.5)
    assert p.hold == 1.0 and p.reached is Gesture.HOLD
    d.poll(3.0)
    p = d.progress(4.0)
    assert p.long_hold == 1.0 and p.reached is Gesture.LONG_HOLD and p.spent


def test_progress_without_long_holds_has_no_long_ring():
    d = GestureDetector()
    d.press(0.0)
    assert d.progress(2.0).long_hold == 0.0
    assert d.progress(2.0).reached is Gesture.HOLD


def test_nonsense_times_are_refused():
    with pytest.raises(ValueError, match="hold"):
        GestureDetector(hold_seconds=3.0, long_hold_seconds=1.0)


@given(
    down_for=st.floats(min_value=0.0, max_value=8.0),
    step=st.floats(min_value=0.001, max_value=2.0),
    long_on=st.booleans(),
)
def test_every_press_makes_at_most_one_gesture_decided_by_its_length(down_for, step, long_on):
    made = run(GestureDetector(long_hold_enabled=long_on), down_for, step=step)
    if down_for < 0.03:
        expected = []
    elif down_for < 1.0:
        expected = [Gesture.TAP]
    elif long_on and down_for >= 3.0:
        expected = [Gesture.LONG_HOLD]
    else:
        expected = [Gesture.HOLD]
    assert made == expected
