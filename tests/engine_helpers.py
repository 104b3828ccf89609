"""Fakes for the meeting-engine tests: boards made of vision Notes and Dots, and a session driver on a fake clock."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone

from device import session as S
from device.store import Recorder
from vision.board import Board, Dot, Note, rank_notes

PNG = b"\x89PNG\r\n\x1a\n fake picture "


def note(
    nid: int,
    x: float,
    y: float,
    votes: int,
    colour: str = "yellow",
    size: float = 100.0,
    dot_colour: str = "red",
) -> Note:
    h = size / 2
    polygon = ((x - h, y - h), (x + h, y - h), (x + h, y + h), (x - h, y + h))
    dots = tuple(Dot((x - h / 2 + 8 * i % size, y), 8.0, dot_colour) for i in range(votes))
    return Note(id=nid, polygon=polygon, center=(x, y), colour=colour, dots=dots)


def board(*notes: Note, width: int = 1600, height: int = 1200) -> Board:
    return Board(width=width, height=height, notes=rank_notes(notes))


def pictures(b: Board) -> dict[int, bytes]:
    return {n.id: PNG + bytes([n.id]) for n in b.notes}


def moved(b: Board, dx: float, dy: float, new_ids: bool = True) -> Board:
    """The same wall photographed again with the camera shifted (and the tally numbering afresh)."""
    notes = []
    for i, n in enumerate(reversed(b.notes)):
        notes.append(
            replace(
                n,
                id=100 + i if new_ids else n.id,
                polygon=tuple((x + dx, y + dy) for x, y in n.polygon),
                center=(n.center[0] + dx, n.center[1] + dy),
                dots=tuple(replace(d, center=(d.center[0] + dx, d.center[1] + dy)) for d in n.dots),
            )
        )
    return board(*notes, width=b.width, height=b.height)


def first_wall() -> Board:
    """Six topics in two rows: votes 5, 3, 3, 1 / 2, 0 (a tie between the two 3s)."""
    return board(
        note(1, 200, 200, 5),
        note(2, 400, 200, 3, "pink"),
        note(3, 600, 200, 3),
        note(4, 800, 200, 1, "green"),
        note(5, 200, 400, 2, "blue"),
        note(6, 400, 400, 0, "orange"),
    )


@dataclass
class Driver:
    """Feeds events to the session on a fake monotonic clock and keeps what came out."""

    rules: S.Rules = field(default_factory=S.Rules)
    now: float = 1000.0
    state: S.State = None
    effects: list = field(default_factory=list)  # (time, effect), every effect but Save
    saves: list = field(default_factory=list)  # times of Save effects

    def __post_init__(self):
        if self.state is None:
            self.state = S.start(self.rules, self.now)

    def send(self, event, after: float = 0.0):
        self.now += after
        self.state, effects = S.handle(self.state, event, self.now)
        for e in effects:
            if isinstance(e, S.Save):
                self.saves.append(self.now)
            else:
                self.effects.append((self.now, e))
        return effects

    def tap(self, after: float = 0.0):
        return self.send(S.TAP, after)

    def hold(self, after: float = 0.0):
        return self.send(S.HOLD, after)

    def long_hold(self, after: float = 0.0):
        return self.send(S.LONG_HOLD, after)

    def run(self, seconds: float):
        """Let time pass, ticking at every deadline the session asks for (as the app loop does)."""
        until = self.now + seconds
        while True:
            due = S.next_deadline(self.state)
            if due is None or due > until:
                break
            assert due >= self.now, "a deadline in the past would make the loop spin"
            self.send(S.TICK, due - self.now)
        if until > self.now:
            self.send(S.TICK, until - self.now)

    def run_until(self, screen: S.Screen, limit: float = 4 * 3600):
        start = self.now
        while self.state.screen is not screen:
            due = S.next_deadline(self.state)
            assert due is not None, f"waiting for {screen} on {self.state.screen} with nothing due"
            assert due - start < limit, f"{screen} never came"
            self.send(S.TICK, due - self.now)

    def scan(self, b: Board, pics: dict | None = None):
        """From a screen where tap or hold scans: the countdown, the capture, the answer."""
        assert self.state.screen is S.Screen.SCANNING
        self.run_until_capture()
        self.send(S.ScanProgress("counting dots"), 0.5)
        return self.send(S.ScanDone(b, pictures(b) if pics is None else pics), 1.0)

    def run_until_capture(self):
        while self.state.countdown_until is not None:
            self.send(S.TICK, S.next_deadline(self.state) - self.now)
        assert self.state.stage == S.TAKING_PHOTO

    def played(self, since: float = float("-inf")) -> list[tuple[float, str]]:
        return [(t, e.sound) for t, e in self.effects if isinstance(e, S.Play) and t > since]

    def logs(self) -> list[str]:
        return [e.message for _t, e in self.effects if isinstance(e, S.Log)]

    def topic(self, key: int):
        return next(t for t in self.state.topics if t.key == key)

    def start_meeting(self, b: Board | None = None):
        """Ready -> tap -> countdown -> photo -> board."""
        self.tap()
        self.scan(b or first_wall())
        assert self.state.screen is S.Screen.BOARD


class WallClock:
    def __init__(self):
        self.now = datetime(2025, 3, 4, 8, 10, tzinfo=timezone(timedelta(hours=1)))
        self.known = True  # known to be right (set by a time server)

    def __call__(self) -> datetime:
        return self.now

    def is_known(self) -> bool:
        return self.known


@dataclass
class Saved(Driver):
    """A driver whose effects go through a Recorder, as in the app loop."""

    recorder: Recorder = None
    events: list = None
    recording: bool = True  # off: skip the saves (each costs an fsync) through long stretches

    def send(self, event, after: float = 0.0):
        effects = super().send(event, after)
        if self.recording:
            self.perform(effects)
        return effects

    def perform(self, effects):
        for answer in self.recorder.perform(effects, self.state, self.now):
            self.events.append(answer)
            super().send(answer)

    def fast_forward(self, until_screen: S.Screen):
        """Run to a screen without saving on the way, then save once (as the next tick would)."""
        self.recording = False
        self.run_until(until_screen)
        self.recording = True
        self.perform((S.SAVE,))

    def quietly(self, seconds: float):
        """Let time pass without saving on the way, then save once."""
        self.recording = False
        self.run(seconds)
        self.recording = True
        self.perform((S.SAVE,))


def saved(recorder: Recorder, **kw) -> Saved:
    return Saved(recorder=recorder, events=[], **kw)


def recorded_meeting(data_dir, wall: WallClock | None = None, finish: bool = True) -> Saved:
    """A meeting saved in `data_dir`: topic 1 runs out and is extended once, topic 2 ends early
    after 5 minutes, topic 3 is skipped, topic 4 runs 2 minutes (then, if `finish`, ends early
    and the meeting is ended from the board; topics 5 and 6 are not reached)."""
    wall = wall or WallClock()
    d = saved(Recorder.open(data_dir, wall=wall, clock_known=wall.is_known))
    d.start_meeting()
    d.tap()
    d.fast_forward(S.Screen.TIME_UP)
    d.hold()
    d.fast_forward(S.Screen.TIME_UP)
    d.tap()
    d.quietly(5 * 60)
    d.tap()
    d.hold()
    d.run(10)
    d.tap()
    d.hold()
    d.quietly(2 * 60)
    if finish:
        wall.now += timedelta(minutes=30)
        d.tap()
        d.long_hold()
        d.long_hold()
        assert d.state.screen is S.Screen.SUMMARY
    return d
