"""The Lean Coffee rules as a pure state machine: `handle(state, event, now) -> (state, effects)`.

`now` is monotonic seconds from the app's clock; nothing here reads a clock,
sleeps, draws or touches a file, so a whole meeting runs in a test in
milliseconds. The app feeds events (button gestures, ticks, scan results, save
failures) and performs the effects (start the capture, play a cue, save, log).

The button grammar (DESIGN.md, "One button"):

| screen           | tap                  | hold                    | long hold          |
| ---------------- | -------------------- | ----------------------- | ------------------ |
| READY            | scan the wall        | -                       | -                  |
| RESUME           | resume the meeting   | start a new meeting     | -                  |
| SCANNING         | -                    | -                       | -                  |
| BOARD            | start the next topic | re-scan the wall        | end the meeting    |
| SLOT, WARNING    | pause                | -                       | -                  |
| PAUSED           | resume               | topic done: next topic  | back to the board  |
| TIME_UP          | next topic           | extend (or refused)     | back to the board  |
| SUMMARY          | show the board       | new meeting             | -                  |
| ERROR            | retry                | -                       | back to the board  |

Where the table is silent: the board shown from the summary is for looking
back (tap returns to the summary; nothing else); on the board and at time up a
tap with no topic left, or after the meeting's time is up, shows the summary.

Long holds have an action on BOARD (live), PAUSED, TIME_UP and ERROR
(`state.long_hold_label is not None`). On those screens the button code must
deliver a hold on release (between hold and long-hold time), so reaching the
long hold does not also fire the hold.

Timing: the meeting clock starts with the first topic; pausing stops the slot
clock but not the meeting's. A Save comes with every change and every second
of a running slot (between slots, every second of the meeting clock). When the meeting time is up the running slot
finishes (squeak), then the summary shows; between slots (board, time up) the
summary shows as soon as the time is up. No topic left also ends the meeting.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace

from device.topics import (
    EARLY,
    MEETING_OVER,
    TIME_UP,
    Merge,
    Status,
    Topic,
    from_board,
    merge,
)
from vision.board import Board, rank_notes
from vision.board import voters as estimate_voters


class Screen(enum.Enum):
    READY = "ready"
    RESUME = "resume"
    SCANNING = "scanning"
    BOARD = "board"
    SLOT = "slot"
    WARNING = "warning"  # the slot's last minute
    PAUSED = "paused"
    TIME_UP = "time up"
    SUMMARY = "summary"
    ERROR = "error"


@dataclass(frozen=True)
class Rules:
    """The meeting rules in seconds (made from Settings by `from_settings`)."""

    slot_seconds: float = 480.0
    extension_seconds: tuple[float, ...] = (240.0, 120.0)
    warning_seconds: float = 60.0
    meeting_seconds: float = 3600.0
    countdown_seconds: int = 3
    votes_per_person: int = 3
    skip_seconds: float = 30.0

    @classmethod
    def from_settings(cls, settings) -> Rules:
        return cls(
            slot_seconds=settings.slot_seconds,
            extension_seconds=settings.extension_seconds,
            warning_seconds=float(settings.warning_seconds),
            meeting_seconds=settings.meeting_seconds,
            countdown_seconds=settings.countdown_seconds,
            votes_per_person=settings.votes_per_person,
            skip_seconds=float(settings.skip_seconds),
        )


# --- events (what the app tells the session) ---


@dataclass(frozen=True)
class Tap:
    pass


@dataclass(frozen=True)
class Hold:
    pass


@dataclass(frozen=True)
class LongHold:
    pass


@dataclass(frozen=True)
class Tick:
    """Time passed; send one at least every second and at `next_deadline(state)`."""


@dataclass(frozen=True)
class ScanProgress:
    stage: str  # e.g. "counting dots"


@dataclass(frozen=True)
class ScanDone:
    board: Board
    pictures: Mapping[int, bytes] = field(default_factory=dict)  # note id -> PNG of its crop


@dataclass(frozen=True)
class ScanFailed:
    message: str  # one sentence a facilitator understands


@dataclass(frozen=True)
class SaveFailed:
    message: str


@dataclass(frozen=True)
class SaveRecovered:
    pass


# --- effects (what the session asks the app to do) ---


@dataclass(frozen=True)
class Capture:
    """Take the photo and tally it in the worker; answer with ScanProgress, then ScanDone or ScanFailed."""


@dataclass(frozen=True)
class Play:
    sound: str  # "warning" or "squeak"


@dataclass(frozen=True)
class Save:
    """Save the state this call returned."""


@dataclass(frozen=True)
class NewMeeting:
    """The current meeting is left behind (ended if it was not); the next save starts a new one."""


@dataclass(frozen=True)
class Log:
    message: str  # one line for the log
    problem: bool = False  # a warning (a failed scan), not news: `journalctl -p warning` shows it


TAP, HOLD, LONG_HOLD, TICK = Tap(), Hold(), LongHold(), Tick()
CAPTURE, SAVE = Capture(), Save()
SQUEAK, WARNING_CUE = Play("squeak"), Play("warning")

TAKING_PHOTO = "taking photo"
NO_NOTES = (
    "No notes found in the photo: check that the camera sees the wall, then tap to try again."
)


@dataclass(frozen=True)
class Slot:
    """One timed stretch of discussion: a topic's first slot or an extension."""

    topic: int  # topic key
    number: int  # 1, 2, ... in the meeting
    kind: str  # "topic" or "extension"
    planned: float  # seconds
    started: float  # meeting clock (seconds since the first topic started)
    elapsed: float = 0.0  # seconds run before `running_since`
    running_since: float | None = None  # monotonic instant, None while paused or ended
    warned: bool = False  # in its last minute (the cue has been given, if due)
    ended: float | None = None  # meeting clock at its end
    ended_by: str | None = None

    @property
    def running(self) -> bool:
        return self.running_since is not None

    def run_seconds(self, now: float) -> float:
        if self.running_since is None:
            return self.elapsed
        return self.elapsed + max(0.0, now - self.running_since)

    def remaining(self, now: float) -> float:
        return max(0.0, self.planned - self.run_seconds(now))


@dataclass(frozen=True)
class State:
    rules: Rules
    now: float  # the `now` of the last event handled
    screen: Screen = Screen.READY
    # In board order: by rank in the latest scan, then the topics gone from the wall.
    topics: tuple[Topic, ...] = ()
    board: Board | None = None  # the latest scan
    scans: int = 0
    next_key: int = 1
    current: int | None = None  # key of the topic in a slot, paused or at time up
    slot: Slot | None = None  # the live slot (running or paused); None at time up
    slots: tuple[Slot, ...] = ()  # finished slots, in order
    meeting_since: float | None = None  # monotonic instant the meeting clock reads 0
    duration: float | None = None  # meeting clock when the meeting ended
    over: bool = False  # the summary has been reached
    reviewing: bool = False  # the board shown from the summary
    countdown_until: float | None = None  # the "3-2-1, step aside" ends then
    stage: str = ""  # scanning progress
    error: str = ""  # what went wrong (ERROR screen)
    message: str = ""  # one line for the screen, e.g. "No extension left"
    save_failed: bool = False
    save_message: str = ""
    saved_second: int = -1  # the running slot's second last saved
    meeting_second: int = -1  # the meeting clock's second last saved between slots
    pending: State | None = field(default=None, repr=False)  # the meeting RESUME would resume

    # --- what the screen shows ---

    @property
    def current_topic(self) -> Topic | None:
        return _find(self.topics, self.current)

    @property
    def next_topic(self) -> Topic | None:
        """The topic a tap (or the end of this one) starts next; None when the summary comes next."""
        if self._time_is_up(self.now):
            return None
        return _first_waiting(self.topics, exclude=self.current)

    @property
    def next_text(self) -> str:
        """What comes after the current slot, e.g. "Next: #2, 5 votes" or "Next: the summary"."""
        topic = self.next_topic
        left, remaining = self.meeting_left, self.slot_remaining
        if left is not None and remaining is not None and self.slot is not None:
            if left <= remaining:  # the meeting's time runs out before this slot does
                topic = None
        if topic is None:
            return "Next: the summary"
        return f"Next: #{topic.rank}, {votes_text(topic.votes)}"

    def slot_remaining_at(self, now: float) -> float | None:
        if self.slot is not None:
            return self.slot.remaining(now)
        if self.screen is Screen.TIME_UP:
            return 0.0
        return None

    @property
    def slot_remaining(self) -> float | None:
        """Seconds left in the current slot (0 at time up; None without a slot)."""
        return self.slot_remaining_at(self.now)

    @property
    def slot_planned(self) -> float | None:
        if self.slot is not None:
            return self.slot.planned
        if self.screen is Screen.TIME_UP and self.slots:
            return self.slots[-1].planned
        return None

    def meeting_elapsed_at(self, now: float) -> float | None:
        if self.duration is not None:
            return self.duration
        if self.meeting_since is None:
            return None
        return max(0.0, now - self.meeting_since)

    def meeting_left_at(self, now: float) -> float | None:
        elapsed = self.meeting_elapsed_at(now)
        if elapsed is None:
            return None
        return max(0.0, self.rules.meeting_seconds - elapsed)

    @property
    def meeting_left(self) -> float | None:
        """Seconds of meeting time left (None before the first topic)."""
        return self.meeting_left_at(self.now)

    @property
    def countdown(self) -> int | None:
        """The number the "3-2-1, step aside" countdown shows now."""
        if self.countdown_until is None:
            return None
        return max(1, math.ceil(self.countdown_until - self.now))

    @property
    def total_votes(self) -> int:
        return sum(t.votes for t in self.topics if t.on_wall)

    @property
    def voters(self) -> int:
        return estimate_voters(self.total_votes, max(1, self.rules.votes_per_person))

    @property
    def discussed(self) -> int:
        return sum(1 for t in self.topics if t.status is Status.DISCUSSED)

    @property
    def tap_label(self) -> str | None:
        return _labels(self)[0]

    @property
    def hold_label(self) -> str | None:
        return _labels(self)[1]

    @property
    def long_hold_label(self) -> str | None:
        return _labels(self)[2]

    @property
    def long_hold_enabled(self) -> bool:
        """A long hold does something here: deliver holds on release (see the module doc)."""
        return self.long_hold_label is not None

    def _time_is_up(self, now: float) -> bool:
        left = self.meeting_left_at(now)
        return left is not None and left <= 0


_STATE_FIELDS = frozenset(f.name for f in fields(State))


def _evolve(state: State, **changes) -> State:
    """`dataclasses.replace` for State, without its per-call cost (handle runs every tick)."""
    assert _STATE_FIELDS.issuperset(changes), f"not State fields: {set(changes) - _STATE_FIELDS}"
    new = object.__new__(State)
    new.__dict__.update(state.__dict__)
    new.__dict__.update(changes)
    return new


def start(rules: Rules, now: float, message: str = "") -> State:
    """A new meeting on the Ready screen (`message`: e.g. a settings problem to show)."""
    return State(rules=rules, now=now, message=message)


def resume_prompt(saved: State, now: float) -> State:
    """The Resume? screen for a meeting restored from the store (tap resumes, hold starts anew)."""
    return State(rules=saved.rules, now=now, screen=Screen.RESUME, pending=saved)


def handle(state: State, event, now: float) -> tuple[State, tuple]:
    """The state after `event` at monotonic time `now`, and the effects for the app to perform.

    A Save effect comes with every change worth keeping (each second of a running slot too).
    """
    now = max(now, state.now)  # the clock is monotonic; never let a late event run time backwards
    handler = _HANDLERS.get(type(event))
    if handler is None:
        raise TypeError(f"not a session event: {event!r}")
    if state.message and type(event) in (Tap, Hold, LongHold):
        state = _evolve(state, message="")  # a gesture acknowledges the last message
    new, effects = handler(state, event, now)
    if new is state:
        return (state if state.now == now else _evolve(state, now=now)), effects
    if type(event) not in (SaveFailed, SaveRecovered):
        effects = (*effects, SAVE)
    return _evolve(new, now=now), effects


def next_deadline(state: State) -> float | None:
    """When the next Tick is due (monotonic), so the loop can sleep until then; None: no hurry."""
    now = state.now
    if state.screen is Screen.SCANNING and state.countdown_until is not None:
        left = state.countdown_until - now
        return now + max(0.0, left - (math.ceil(left) - 1))  # when the number shown changes
    slot = state.slot
    if slot is not None and slot.running:
        ran = slot.run_seconds(now)
        times = [math.floor(ran) + 1, slot.planned]
        if not slot.warned and state.rules.warning_seconds > 0:
            times.append(slot.planned - state.rules.warning_seconds)
        step = min(t for t in times if t > ran) - ran
        # Never `now` itself: when the slot has run a hair under a whole second, now + step
        # rounds back to now, a Tick then changes nothing and a loop would spin.
        return max(now + step, math.nextafter(now, math.inf))
    if state.meeting_since is not None and not state.over and state.screen is not Screen.RESUME:
        elapsed = now - state.meeting_since
        end = state.rules.meeting_seconds
        if elapsed >= end:  # a Tick ends the meeting between slots; a paused slot waits
            return now if state.screen in (Screen.BOARD, Screen.TIME_UP) else None
        return now + min(math.floor(elapsed) + 1, end) - elapsed  # the meeting clock's next second
    return None


# --- handlers: (state, event, now) -> (state, effects); return `state` itself when nothing changed ---


def _on_tap(state: State, _event, now: float):
    screen = state.screen
    if screen is Screen.READY or screen is Screen.ERROR:
        return _scan(state, now)
    if screen is Screen.RESUME:
        return _resume(state, now)
    if screen is Screen.BOARD:
        if state.reviewing:
            return _evolve(state, screen=Screen.SUMMARY, reviewing=False), ()
        return _next_topic(state, now)
    if screen in (Screen.SLOT, Screen.WARNING):
        slot = state.slot
        paused = replace(slot, elapsed=slot.run_seconds(now), running_since=None)
        return _evolve(state, slot=paused, screen=Screen.PAUSED), (
            Log(f"paused {_topic_name(state)}, {clock_text(paused.remaining(now))} left"),
        )
    if screen is Screen.PAUSED:
        slot = replace(state.slot, running_since=now)
        return _evolve(state, slot=slot, screen=_running_screen(slot)), (
            Log(f"resumed {_topic_name(state)}, {clock_text(slot.remaining(now))} left"),
        )
    if screen is Screen.TIME_UP:
        state, effects = _finish_topic(state, now, TIME_UP)
        state, more = _next_topic(state, now)
        return state, effects + more
    if screen is Screen.SUMMARY:
        return _evolve(state, screen=Screen.BOARD, reviewing=True), ()
    return state, ()


def _on_hold(state: State, _event, now: float):
    screen = state.screen
    if screen is Screen.RESUME or screen is Screen.SUMMARY:
        return _new_meeting(state, now)
    if screen is Screen.BOARD and not state.reviewing:
        return _scan(state, now)
    if screen is Screen.PAUSED:
        state, effects = _finish_topic(state, now, EARLY)
        state, more = _next_topic(state, now)
        return state, effects + more
    if screen is Screen.TIME_UP:
        return _extend(state, now)
    return state, ()


def _on_long_hold(state: State, _event, now: float):
    screen = state.screen
    if screen is Screen.BOARD and not state.reviewing:
        return _end_meeting(state, now, (Log("meeting ended from the board"),))
    if screen is Screen.PAUSED or screen is Screen.TIME_UP:
        state, effects = _finish_topic(state, now, EARLY if screen is Screen.PAUSED else TIME_UP)
        return _evolve(state, screen=Screen.BOARD), effects
    if screen is Screen.ERROR:
        back = Screen.BOARD if state.topics else Screen.READY
        return _evolve(state, screen=back, error=""), ()
    return state, ()


def _on_tick(state: State, _event, now: float):
    screen = state.screen
    if screen is Screen.SCANNING:
        if state.countdown_until is not None and now >= state.countdown_until:
            return _evolve(state, countdown_until=None, stage=TAKING_PHOTO), (
                CAPTURE,
                Log("taking the photo"),
            )
        return state, ()
    if screen in (Screen.SLOT, Screen.WARNING):
        return _tick_slot(state, now)
    if (screen is Screen.BOARD or screen is Screen.TIME_UP) and not state.over:
        if state._time_is_up(now):
            return _end_meeting(state, now, (Log("meeting time is up"),))
    if state.meeting_since is not None and not state.over and screen is not Screen.RESUME:
        # Between slots the meeting clock still runs: save its seconds too, so a restart
        # brings back the meeting time as well as the slot's.
        second = int(now - state.meeting_since)
        if second != state.meeting_second:
            return _evolve(state, meeting_second=second), ()
    return state, ()


def _on_scan_progress(state: State, event: ScanProgress, now: float):
    if state.screen is not Screen.SCANNING or state.countdown_until is not None:
        return state, ()
    if event.stage == state.stage:
        return state, ()
    return _evolve(state, stage=event.stage), ()


def _on_scan_done(state: State, event: ScanDone, now: float):
    if state.screen is not Screen.SCANNING or state.countdown_until is not None:
        return state, ()  # a late answer to a scan nobody waits for
    board = event.board
    if not board.notes:
        return _scan_error(state, NO_NOTES)
    if any(n.rank == 0 for n in board.notes):  # not ranked yet: rank by the vision's rule
        board = replace(board, notes=rank_notes(board.notes))
    scans = state.scans + 1
    counts = f"{len(board.notes)} notes, {board.total_votes} dots"
    if state.topics:
        topics, next_key, info = merge(state.topics, board, event.pictures, state.next_key)
        message = _merge_text(info)
        log = f"re-scan {scans}: {counts}; {info.kept} found again; {message}"
    else:
        topics, next_key = from_board(board, event.pictures, state.next_key)
        message = ""
        log = f"scan {scans}: {counts}, about {board.voters(state.rules.votes_per_person)} voters"
    new = _evolve(
        state,
        screen=Screen.BOARD,
        topics=topics,
        board=board,
        scans=scans,
        next_key=next_key,
        stage="",
        message=message,
        reviewing=False,
    )
    return new, (Log(log),)


def _on_scan_failed(state: State, event: ScanFailed, now: float):
    if state.screen is not Screen.SCANNING:
        return state, ()
    return _scan_error(state, event.message)


def _on_save_failed(state: State, event: SaveFailed, now: float):
    if state.save_failed and state.save_message == event.message:
        return state, ()
    return _evolve(state, save_failed=True, save_message=event.message), ()


def _on_save_recovered(state: State, _event, now: float):
    if not state.save_failed:
        return state, ()
    return _evolve(state, save_failed=False, save_message=""), ()


_HANDLERS = {
    Tap: _on_tap,
    Hold: _on_hold,
    LongHold: _on_long_hold,
    Tick: _on_tick,
    ScanProgress: _on_scan_progress,
    ScanDone: _on_scan_done,
    ScanFailed: _on_scan_failed,
    SaveFailed: _on_save_failed,
    SaveRecovered: _on_save_recovered,
}


# --- the rules ---


def _scan(state: State, now: float):
    countdown = state.rules.countdown_seconds
    base = _evolve(state, screen=Screen.SCANNING, error="", reviewing=False)
    if countdown <= 0:
        return _evolve(base, countdown_until=None, stage=TAKING_PHOTO), (
            CAPTURE,
            Log("taking the photo"),
        )
    return _evolve(base, countdown_until=now + countdown, stage=""), ()


def _scan_error(state: State, message: str):
    new = _evolve(state, screen=Screen.ERROR, error=message, stage="", countdown_until=None)
    return new, (Log(f"scan failed: {message}", problem=True),)


def _resume(state: State, now: float):
    saved = state.pending
    shift = now - saved.now
    resumed = _evolve(
        saved,
        meeting_since=None if saved.meeting_since is None else saved.meeting_since + shift,
        save_failed=state.save_failed,
        save_message=state.save_message,
        pending=None,
    )
    left = resumed.slot_remaining_at(now)
    where = f", {clock_text(left)} left in {_topic_name(resumed)}" if left is not None else ""
    return resumed, (Log(f"meeting resumed ({resumed.screen.value}{where})"),)


def _new_meeting(state: State, now: float):
    fresh = _evolve(
        start(state.rules, now), save_failed=state.save_failed, save_message=state.save_message
    )
    return fresh, (NewMeeting(), Log("new meeting"))


def _next_topic(state: State, now: float):
    topic = None if state._time_is_up(now) else _first_waiting(state.topics)
    if topic is None:
        return _end_meeting(state, now, ())
    since = state.meeting_since if state.meeting_since is not None else now
    order = 1 + sum(1 for t in state.topics if t.order is not None)
    slot = _new_slot(state, topic.key, "topic", state.rules.slot_seconds, now, since)
    topic = replace(topic, status=Status.CURRENT, order=order)
    new = _evolve(
        state,
        screen=_running_screen(slot),
        topics=_put(state.topics, topic),
        current=topic.key,
        slot=slot,
        meeting_since=since,
        saved_second=0,
    )
    log = f"slot {slot.number}: topic #{topic.rank} ({votes_text(topic.votes)}), {clock_text(slot.planned)}"
    return new, (Log(log),)


def _new_slot(state: State, key: int, kind: str, planned: float, now: float, since: float) -> Slot:
    warning = state.rules.warning_seconds
    return Slot(
        topic=key,
        number=len(state.slots) + 1,
        kind=kind,
        planned=planned,
        started=now - since,
        running_since=now,
        warned=0 < warning and planned <= warning,  # no "one minute left" cue at its very start
    )


def _running_screen(slot: Slot) -> Screen:
    return Screen.WARNING if slot.warned else Screen.SLOT


def _tick_slot(state: State, now: float):
    slot = state.slot
    ran = slot.run_seconds(now)
    if ran >= slot.planned:
        return _slot_ran_out(state, now)
    effects = ()
    warning = state.rules.warning_seconds
    if not slot.warned and warning > 0 and slot.planned - ran <= warning:
        slot = replace(slot, warned=True)
        effects = (WARNING_CUE, Log(f"last {clock_text(warning)} of {_topic_name(state)}"))
    second = int(ran)
    if slot is state.slot and second == state.saved_second:
        return state, ()
    return _evolve(state, slot=slot, screen=_running_screen(slot), saved_second=second), effects


def _slot_ran_out(state: State, now: float):
    slot = state.slot
    end = slot.running_since + (slot.planned - slot.elapsed)  # the instant it ran out
    done = replace(
        slot,
        elapsed=slot.planned,
        running_since=None,
        warned=True,
        ended=end - state.meeting_since,
        ended_by=TIME_UP,
    )
    topic = state.current_topic
    topic = replace(topic, seconds=topic.seconds + slot.planned, squeaks=topic.squeaks + 1)
    state = _evolve(
        state,
        slot=None,
        slots=(*state.slots, done),
        topics=_put(state.topics, topic),
        screen=Screen.TIME_UP,
        saved_second=-1,
    )
    effects = (SQUEAK, Log(f"time up for {_topic_name(state)}"))
    if state._time_is_up(end):
        return _end_meeting(state, now, (*effects, Log("meeting time is up")))
    return state, effects


def _extend(state: State, now: float):
    topic = state.current_topic
    extensions = state.rules.extension_seconds
    if topic.extensions >= len(extensions):
        return _evolve(state, message="No extension left: tap for the next topic."), (
            Log(f"extension refused for {_topic_name(state)}: none left"),
        )
    planned = extensions[topic.extensions]
    slot = _new_slot(state, topic.key, "extension", planned, now, state.meeting_since)
    topic = replace(topic, extensions=topic.extensions + 1)
    new = _evolve(
        state,
        screen=_running_screen(slot),
        topics=_put(state.topics, topic),
        slot=slot,
        saved_second=0,
    )
    return new, (
        Log(f"extension {topic.extensions} for {_topic_name(state)}: {clock_text(planned)}"),
    )


def _finish_topic(state: State, now: float, ended_by: str):
    """End the current topic (its live slot too, if any)."""
    topic = state.current_topic
    if topic is None:
        return state, ()
    slots, seconds = state.slots, topic.seconds
    if state.slot is not None:
        ran = state.slot.run_seconds(now)
        ended = replace(
            state.slot,
            elapsed=ran,
            running_since=None,
            ended=now - state.meeting_since,
            ended_by=ended_by,
        )
        slots, seconds = (*slots, ended), seconds + ran
    skipped = ended_by == EARLY and seconds < state.rules.skip_seconds
    topic = replace(
        topic,
        status=Status.SKIPPED if skipped else Status.DISCUSSED,
        seconds=seconds,
        ended_by=ended_by,
    )
    new = _evolve(
        state,
        topics=_put(state.topics, topic),
        current=None,
        slot=None,
        slots=slots,
        saved_second=-1,
    )
    how = "skipped" if skipped else f"done after {clock_text(seconds)} ({ended_by})"
    return new, (Log(f"topic #{topic.rank} {how}"),)


def _end_meeting(state: State, now: float, effects: tuple):
    state, more = _finish_topic(state, now, MEETING_OVER)
    duration = state.meeting_elapsed_at(now) or 0.0
    ended = _evolve(
        state,
        screen=Screen.SUMMARY,
        over=True,
        reviewing=False,
        duration=duration,
        countdown_until=None,
    )
    summary = f"meeting over: {ended.discussed} of {len(ended.topics)} topics discussed in {clock_text(duration)}"
    return ended, (*effects, *more, Log(summary))


# --- small helpers ---


def _labels(state: State) -> tuple[str | None, str | None, str | None]:
    screen = state.screen
    if screen is Screen.READY:
        return "scan the wall", None, None
    if screen is Screen.RESUME:
        return "resume the meeting", "start a new meeting", None
    if screen is Screen.BOARD:
        if state.reviewing:
            return "back to the summary", None, None
        tap = "start the next topic" if state.next_topic else "show the summary"
        return tap, "re-scan the wall", "end the meeting"
    if screen in (Screen.SLOT, Screen.WARNING):
        return "pause", None, None
    if screen is Screen.PAUSED:
        hold = "topic done: next topic" if state.next_topic else "topic done: summary"
        return "resume", hold, "back to the board"
    if screen is Screen.TIME_UP:
        tap = "next topic" if state.next_topic else "show the summary"
        topic = state.current_topic
        extensions = state.rules.extension_seconds
        if topic is not None and topic.extensions < len(extensions):
            hold = f"extend {_minutes(extensions[topic.extensions])}"
        else:
            hold = "no extension left"
        return tap, hold, "back to the board"
    if screen is Screen.SUMMARY:
        return "show the board", "new meeting", None
    if screen is Screen.ERROR:
        return "retry", None, "back to the board" if state.topics else "back to the start"
    return None, None, None


def _find(topics: tuple[Topic, ...], key: int | None) -> Topic | None:
    if key is None:
        return None
    for topic in topics:
        if topic.key == key:
            return topic
    return None


def _first_waiting(topics: tuple[Topic, ...], exclude: int | None = None) -> Topic | None:
    for topic in topics:  # already in board order
        if topic.status is Status.WAITING and topic.on_wall and topic.key != exclude:
            return topic
    return None


def _put(topics: tuple[Topic, ...], topic: Topic) -> tuple[Topic, ...]:
    return tuple(topic if t.key == topic.key else t for t in topics)


def _topic_name(state: State) -> str:
    topic = state.current_topic
    return f"topic #{topic.rank}" if topic is not None else "the topic"


def votes_text(n: int) -> str:
    return f"{n} vote" if n == 1 else f"{n} votes"


def clock_text(seconds: float | None) -> str:
    """Seconds as M:SS, as the screen, the log and the reports all show time: rounded up to
    the whole second, so a countdown never shows 0:00 before time is up."""
    seconds = max(0, math.ceil((seconds or 0) - 1e-6))
    return f"{seconds // 60}:{seconds % 60:02d}"


def _minutes(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    m, s = divmod(seconds, 60)
    return f"{m} min" if s == 0 else f"{m} min {s} s"


def _merge_text(info: Merge) -> str:
    parts = []
    if info.added:
        parts.append(f"{info.added} new topic" + ("s" if info.added != 1 else ""))
    if info.votes_changed:
        parts.append(f"votes changed on {info.votes_changed}")
    if info.gone:
        parts.append(f"{info.gone} gone from the wall")
    return "Re-scan: " + (", ".join(parts) if parts else "no change") + "."
