"""What a screen shows, as one comparable value: `make_view(state, now, ...) -> View`.

Everything visible is in the View, rounded as it is shown (whole seconds of a
countdown, minutes of the meeting, steps of the press ring), so the app
redraws exactly when `view != last_view` and never otherwise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from device.gestures import Progress
from device.session import Screen, State, clock_text
from device.topics import Topic
from vision.board import Board

RING_STEPS = 24  # the press ring moves in this many steps on its way round


@dataclass(frozen=True, eq=False)
class Photo:
    """The wall photo of the last scan (BGR, small) and its tally; compared by identity, one
    per scan. The board screen draws the outlines, dot rings and labels at its own scale."""

    image: np.ndarray
    board: Board | None = None  # in the full photo's pixels (or any scale of the same photo)


@dataclass(frozen=True)
class Press:
    down: bool = False
    fill: int = 0  # 0..RING_STEPS of the way round the ring
    hold_mark: float = 1.0  # where on the ring a hold is reached (0..1); 1 without long holds
    reached: str | None = None  # "tap", "hold" or "long": what releasing now would make
    long_enabled: bool = False


RELEASED = Press()


def press_of(progress: Progress, long_enabled: bool, hold_s: float, long_s: float) -> Press:
    if not progress.down:
        return RELEASED
    if long_enabled:
        fraction = progress.long_hold
        mark = hold_s / long_s
    else:
        fraction, mark = progress.hold, 1.0
    reached = progress.reached.value if progress.reached is not None else None
    return Press(
        down=True,
        fill=min(RING_STEPS, math.floor(fraction * RING_STEPS + 1e-9)),
        hold_mark=round(mark, 3),
        reached=reached,
        long_enabled=long_enabled,
    )


@dataclass(frozen=True)
class Resume:
    """The meeting the Resume? screen offers to continue."""

    started: str  # e.g. "Tuesday 14:05", or ""
    topics: int
    discussed: int
    where: str  # e.g. "topic #3 paused, 4:12 left"


@dataclass(frozen=True)
class View:
    screen: Screen
    tap: str | None = None
    hold: str | None = None
    long_hold: str | None = None
    press: Press = RELEASED
    flash: str | None = None  # a sound shown instead of heard ("squeak", "warning")
    saving: str = ""  # why saving has stopped; "" while saving works
    message: str = ""  # one line for the facilitator (the session's message, or a notice)
    topics: tuple[Topic, ...] = ()
    total_votes: int = 0
    voters: int = 0
    stray_dots: int = 0
    scans: int = 0
    reviewing: bool = False
    photo: Photo | None = None
    current: Topic | None = None
    slot_kind: str = ""  # "topic" or "extension"
    left: int | None = None  # whole seconds left in the slot, rounded up
    planned: int | None = None  # the slot's length in seconds
    next_text: str = ""
    meeting_left: int | None = None  # minutes left in the meeting, rounded up
    countdown: int | None = None  # the "3-2-1, step aside" number
    stage: str = ""  # scanning: "taking photo", "counting dots"
    error: str = ""
    resume: Resume | None = None
    duration: int = 0  # minutes the meeting ran (summary)
    no_extension_left: bool = False
    board_page: int = 0  # small screens: 0 the board's topics, 1 its photo (they take turns)


def make_view(
    state: State,
    now: float,
    *,
    press: Press = RELEASED,
    flash: str | None = None,
    photo: Photo | None = None,
    notice: str = "",
    started: str = "",
    board_page: int = 0,
) -> View:
    """The View of `state` at monotonic time `now` (the session's clock)."""
    screen = state.screen
    left = state.slot_remaining_at(now)
    planned = state.slot_planned
    meeting_left = state.meeting_left_at(now)
    topic = state.current_topic
    board = state.board
    saving = ""
    if state.save_failed:
        saving = state.save_message or "Saving has stopped."
    return View(
        screen=screen,
        tap=state.tap_label,
        hold=state.hold_label,
        long_hold=state.long_hold_label,
        press=press,
        flash=flash,
        saving=saving,
        message=state.message or notice,
        topics=state.topics,
        total_votes=state.total_votes,
        voters=state.voters,
        stray_dots=0 if board is None else len(board.stray_dots),
        scans=state.scans,
        reviewing=state.reviewing,
        photo=photo,
        current=topic,
        slot_kind=state.slot.kind if state.slot is not None else "",
        left=None if left is None else math.ceil(left - 1e-6),
        planned=None if planned is None else round(planned),
        next_text=state.next_text if screen in _SLOT_SCREENS else "",
        meeting_left=None if meeting_left is None else math.ceil(meeting_left / 60 - 1e-6),
        countdown=state.countdown if screen is Screen.SCANNING else None,
        stage=state.stage if screen is Screen.SCANNING else "",
        error=state.error if screen is Screen.ERROR else "",
        resume=_resume(state, started) if screen is Screen.RESUME else None,
        duration=round((state.duration or 0) / 60),
        no_extension_left=topic is not None
        and topic.extensions >= len(state.rules.extension_seconds),
        board_page=board_page if screen is Screen.BOARD and photo is not None else 0,
    )


_SLOT_SCREENS = (Screen.SLOT, Screen.WARNING, Screen.PAUSED, Screen.TIME_UP)


def _resume(state: State, started: str) -> Resume | None:
    saved = state.pending
    if saved is None:
        return None
    topic = saved.current_topic
    where = {
        Screen.BOARD: "on the board",
        Screen.SUMMARY: "at the summary",
        Screen.ERROR: "after a failed scan",
        Screen.READY: "before the first scan",
    }.get(saved.screen, "")
    if topic is not None:
        left = saved.slot_remaining
        state_word = "time up" if saved.screen is Screen.TIME_UP else "paused"
        where = f"topic #{topic.rank} {state_word}"
        if left:
            where += f", {clock_text(left)} left"
    return Resume(
        started=started,
        topics=len(saved.topics),
        discussed=saved.discussed,
        where=where,
    )
