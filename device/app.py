"""The device's only loop: button -> gestures -> session -> effects (scan, sound, save) -> screen.

    app = App(settings, display=..., camera=..., speaker=..., button=..., inbox=..., recorder=...)
    app.run()                 # until stop(); or, in tests, step() on a fake clock

Each `step()` takes what came in (pygame events, button edges and stdin
gestures from the inbox, scan results from the worker), feeds the session,
performs its effects, redraws if anything visible changed, and returns when
it next needs to run. `run()` sleeps until then or until an input wakes it,
so the squeak is on time and an idle screen costs next to nothing.

Time: the clock is injected (`now()` and `wait(until, wake)`), real seconds.
The session runs on meeting time, which is real time times `speed`
(`leancoffee run --speed 60` makes an hour a minute); button gestures stay
in real time, so a hold is still a second long.
"""

from __future__ import annotations

import logging
import math
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import cv2

from device import paths
from device import session as S
from device import worker as W
from device.button import ButtonSource, Inbox
from device.display import Display
from device.gestures import Gesture, GestureDetector
from device.screens import Photo, Pictures, View, make_view, press_of, render
from device.screens.board import PAGE_SECONDS, takes_turns
from device.store import Recorder, StoreError

log = logging.getLogger("leancoffee")

GESTURE_EVENTS = {Gesture.TAP: S.TAP, Gesture.HOLD: S.HOLD, Gesture.LONG_HOLD: S.LONG_HOLD}
SCAN_TIMEOUT = 60.0  # real seconds a camera may take before the scan is given up
INPUT_POLL = 0.02  # how often keyboard and touch are looked at with a screen (real seconds)
RING_FPS = 30  # redraws per second while the button is down (the ring fills)
CHORES_SECONDS = 600.0  # how often (real seconds) the run's chores are done: old meetings go
CLOCK_UNSET = "-clock-unset"  # in a kept photo's name: taken before the clock was known right
FLASH_BLINK = 0.25  # the silent speaker's flash blinks on and off this often
CAMERA_BUSY = "The camera is still busy with the last photo: wait a moment, then tap to try again."
CAMERA_SILENT = (
    "The camera did not answer within a minute: run leancoffee check, then tap to try again."
)


class RealClock:
    """time.monotonic, and waiting on an event with a timeout."""

    def now(self) -> float:
        return time.monotonic()

    def wait(self, until: float | None, wake: threading.Event) -> None:
        timeout = None if until is None else max(0.0, until - self.now())
        wake.wait(timeout)
        wake.clear()


class ManualClock:
    """A clock that moves only when told: for tests and the headless demo."""

    def __init__(self, start: float = 1000.0) -> None:
        self.t = start

    def now(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds

    def wait(self, until: float | None, wake: threading.Event) -> None:
        if not wake.is_set() and until is not None:
            self.t = max(self.t, until)
        wake.clear()


@dataclass(frozen=True)
class Played:
    """A sound started: when (real time) and when it was due (the slot's end, its last minute)."""

    sound: str
    at: float
    due: float | None


class App:
    def __init__(
        self,
        settings,
        *,
        display: Display,
        camera,
        speaker,
        button: ButtonSource,
        inbox: Inbox,
        recorder: Recorder,
        clock=None,
        wake: threading.Event | None = None,
        speed: float = 1.0,
        notice: str = "",
        resume: bool = True,
        on_frame: Callable[[object, View], None] | None = None,
        chores: Callable[[], object] | None = None,
    ) -> None:
        if speed <= 0:
            raise ValueError(f"speed must be positive, not {speed}")
        self.settings = settings
        self.display = display
        self.camera = camera
        self.speaker = speaker
        self.button = button
        self.inbox = inbox
        self.recorder = recorder
        self.clock = clock or RealClock()
        self.wake = wake or threading.Event()
        self.speed = speed
        self.notice = notice
        self.on_frame = on_frame
        self.chores = chores
        self.rules = S.Rules.from_settings(settings)
        self.keep_photos = bool(settings.keep_photos)
        self.detector = GestureDetector(
            hold_seconds=settings.hold_seconds,
            long_hold_seconds=settings.long_hold_seconds,
            bounce_seconds=min(settings.button_bounce_seconds, settings.hold_seconds / 2),
        )
        self.pictures = Pictures()
        self.photo: Photo | None = None
        self.view: View | None = None
        self.page: tuple | None = None
        self.stopped = False
        self.played: deque[Played] = deque(maxlen=256)
        self.latencies: deque[float] = deque(maxlen=1024)  # gesture decided -> frame shown
        self._results: queue.SimpleQueue = queue.SimpleQueue()
        self.worker = W.ScanWorker(camera, self._post, keep_photos=self.keep_photos)
        self._scan = 0
        self._scan_started: float | None = None
        self._gesture_at: float | None = None
        self._board_since: float | None = None  # real time the Board screen came up
        self.started_text = ""
        self._t0 = self.clock.now()
        self._chores_due = self._t0 + CHORES_SECONDS
        now = self.meeting_now(self._t0)
        self.state = S.start(self.rules, now)
        if resume:
            self._offer_resume(now)
        self._apply_labels()
        for event in self.recorder.perform((), self.state, now):
            self._handle(event, now)

    # --- time ---

    def meeting_now(self, real: float) -> float:
        """The session's clock: real time sped up by `speed`."""
        if self.speed == 1:
            return real
        return self._t0 + (real - self._t0) * self.speed

    def real_time(self, meeting: float) -> float:
        if self.speed == 1:
            return meeting
        return self._t0 + (meeting - self._t0) / self.speed

    # --- start-up ---

    def _offer_resume(self, now: float) -> None:
        prompt = self.recorder.resume_prompt(self.rules, now)
        if prompt is None:
            return
        self.state = prompt
        meeting_id = self.recorder.meeting_id
        try:
            self.started_text = _when(self.recorder.store.meeting(meeting_id).started)
        except StoreError:
            self.started_text = ""
        log.info("unfinished meeting %s found: asking whether to resume it", meeting_id)

    # --- the loop ---

    def run(self) -> None:
        while not self.stopped:
            until = self.step()
            if self.stopped:
                break
            self.clock.wait(until, self.wake)

    def stop(self) -> None:
        self.stopped = True
        self.wake.set()

    def step(self) -> float | None:
        """Take in what arrived, let the session act, redraw if needed; when to step next (real)."""
        real = self.clock.now()
        now = self.meeting_now(real)
        for event in self.display.events():
            if _is_quit(event, self.display.mode):
                self.stop()
            elif _is_expose(event):
                self.view = None  # the window was uncovered: draw it again
            else:
                self.button.handle_event(event)
        while True:
            try:
                message = self._results.get_nowait()
            except queue.Empty:
                break
            self._scan_message(message, now)
        if self._scan_started is not None and real - self._scan_started >= SCAN_TIMEOUT:
            self._scan += 1  # whatever the camera sends later is for a scan nobody waits for
            self._scan_started = None
            log.error("no photo after %.0f s: giving up this scan", SCAN_TIMEOUT)
            self._handle(S.ScanFailed(CAMERA_SILENT), now)
        # Deadlines first: a tap that lands just after time is up meets the Time-up screen
        # (and the squeak), not a slot that would pause at 0:00.
        self._tick(real, now)
        if self.chores is not None and real >= self._chores_due:
            self._chores_due = real + CHORES_SECONDS
            self.chores()
        for gesture in self.inbox.gestures(self.detector, real):
            self._gesture_at = real
            self.notice = ""
            self._handle(GESTURE_EVENTS[gesture], now)
        self._draw(real, now)
        return self._next_wake(real)

    def _tick(self, real: float, now: float) -> None:
        """Tick when the session's deadline has come. At the deadline itself at least: converting
        to real time and back may round it a hair short, and a tick a hair early would come
        straight back as the next wake. A deadline that rounds onto the time just ticked (the
        session adds a sub-ulp step to `now`) gets its tick a few ulps later, not a busy loop."""
        ticked = None
        for _ in range(8):
            due = S.next_deadline(self.state)
            if due is None:
                return
            if ticked is not None and due <= ticked:
                ticked = math.nextafter(ticked, math.inf)
            elif self.real_time(due) <= real:
                ticked = max(now, due)
            else:
                return
            self._handle(S.TICK, ticked)

    def _next_wake(self, real: float) -> float | None:
        times = []
        due = S.next_deadline(self.state)
        if due is not None:
            times.append(self.real_time(due))
        gesture_due = self.detector.next_deadline()
        if gesture_due is not None:
            times.append(gesture_due)
        if self.detector.is_down:
            times.append(real + 1 / RING_FPS)
        flash_change = self._flash_change(real)
        if flash_change is not None:
            times.append(flash_change)
        if self._scan_started is not None:
            times.append(self._scan_started + SCAN_TIMEOUT)
        if self._board_takes_turns():
            turns = (real - self._board_since) // PAGE_SECONDS + 1
            times.append(self._board_since + turns * PAGE_SECONDS)
        if self.chores is not None:
            times.append(self._chores_due)
        if self.display.interactive:
            times.append(real + INPUT_POLL)
        return min(times) if times else None

    # --- the session and its effects ---

    def _handle(self, event, now: float) -> None:
        before = self.state
        self.state, effects = S.handle(before, event, now)
        for effect in effects:
            if isinstance(effect, S.Play):
                self._play(effect.sound, before)  # first: the squeak is never late
            elif isinstance(effect, S.Capture):
                self._capture()
        answers = []
        if any(isinstance(e, S.Save | S.NewMeeting) for e in effects):
            answers = self.recorder.perform(effects, self.state, now)
        # Logged after saving: what the log says has happened is on disk.
        for effect in effects:
            if isinstance(effect, S.Log):
                log.log(logging.WARNING if effect.problem else logging.INFO, "%s", effect.message)
        for answer in answers:
            self._handle(answer, now)  # SaveFailed / SaveRecovered (the recorder logs them)
        if self.state.screen is S.Screen.BOARD and before.screen is not S.Screen.BOARD:
            self._board_since = self.clock.now()
        if _labels(before) != _labels(self.state):
            # What the button does has changed under a press: its release must not act here.
            self.detector.cancel()
        self._apply_labels()

    def _apply_labels(self) -> None:
        self.detector.long_hold_enabled = self.state.long_hold_enabled

    def _play(self, sound: str, before: S.State) -> None:
        real = self.clock.now()
        self.speaker.play(sound)
        self.played.append(Played(sound, real, self._due(sound, before)))

    def _due(self, sound: str, before: S.State) -> float | None:
        """When (real time) the sound was due: the slot's end, or the start of its last minute."""
        slot = before.slot
        if slot is None or slot.running_since is None:
            return None
        end = slot.running_since + slot.planned - slot.elapsed
        if sound == "warning":
            end -= self.rules.warning_seconds
        return self.real_time(end)

    def _capture(self) -> None:
        self._scan += 1
        if not self.worker.start(self._scan):
            self._post(W.Failed(self._scan, CAMERA_BUSY))
            return
        self._scan_started = self.clock.now()

    def _post(self, message) -> None:
        """From the worker's thread: queue the message and wake the loop."""
        self._results.put(message)
        self.wake.set()

    def _scan_message(self, message, now: float) -> None:
        if getattr(message, "scan", None) != self._scan:
            return  # a scan given up on, or superseded
        if isinstance(message, W.Progress):
            self._handle(S.ScanProgress(message.stage), now)
            return
        self._scan_started = None
        if isinstance(message, W.Failed):
            self._handle(S.ScanFailed(message.message), now)
            return
        counted = message.counted
        board = counted.board
        log.info(
            "photo counted: %d notes, %d dots, %d off the notes; photo %.2f s, counting %.2f s",
            len(board.notes),
            board.total_votes,
            len(board.stray_dots),
            counted.capture_seconds,
            counted.count_seconds,
        )
        if counted.photo is not None:
            self._keep_photo(counted.photo)
        scans = self.state.scans
        self._handle(S.ScanDone(board, counted.pictures), now)
        if self.state.scans > scans:  # taken in (not a late answer): the board shows this photo
            self.photo = Photo(counted.small_photo, counted.board)

    def _keep_photo(self, image) -> None:
        """keep_photos: the full wall photo goes beside the meetings (it may show faces)."""
        store = self.recorder.store
        if store is None:
            return
        folder = Path(store.data_dir) / "photos"
        unset = "" if paths.clock_known() else CLOCK_UNSET  # its date may be months out
        path = folder / f"wall-{datetime.now():%Y%m%d-%H%M%S}-{self._scan}{unset}.jpg"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if not cv2.imwrite(str(path), image):
                raise OSError("the image could not be encoded")
            log.info("photo kept: %s", path)
        except OSError as exc:
            log.error("cannot keep the photo %s: %s", path, exc)

    # --- drawing ---

    def _flash(self, real: float) -> str | None:
        name = self.speaker.flashing(real)
        if name is None:
            return None
        start = self.speaker.flash_until - self.speaker.flash_seconds
        return name if int((real - start) / FLASH_BLINK) % 2 == 0 else None

    def _flash_change(self, real: float) -> float | None:
        until = getattr(self.speaker, "flash_until", None)
        if until is None or real >= until:
            return None
        start = until - self.speaker.flash_seconds
        phase = math.floor((real - start) / FLASH_BLINK) + 1
        return min(until, start + phase * FLASH_BLINK)

    def current_view(self, real: float | None = None) -> View:
        real = self.clock.now() if real is None else real
        press = press_of(
            self.detector.progress(real),
            self.detector.long_hold_enabled,
            self.detector.hold_seconds,
            self.detector.long_hold_seconds,
        )
        return make_view(
            self.state,
            self.meeting_now(real),
            press=press,
            flash=self._flash(real),
            photo=self.photo,
            notice=self.notice,
            started=self.started_text,
            board_page=int((real - self._board_since) // PAGE_SECONDS) % 2
            if self._board_takes_turns()
            else 0,
        )

    def _board_takes_turns(self) -> bool:
        """A small screen shows the board's topics and its photo in turn, the topics first,
        each for PAGE_SECONDS from when the Board came up."""
        return (
            self._board_since is not None
            and self.state.screen is S.Screen.BOARD
            and self.photo is not None
            and takes_turns(self.display.surface.get_size())
        )

    def _draw(self, real: float, now: float) -> None:
        view = self.current_view(real)
        if view == self.view:
            return
        render(self.display.surface, view, self.pictures)
        self.display.show()
        if self._gesture_at is not None:
            self.latencies.append(self.clock.now() - self._gesture_at)
            self._gesture_at = None
        self.view = view
        page = page_of(view)
        if page != self.page:
            self.page = page
            if self.on_frame is not None:
                self.on_frame(self.display.surface, view)

    # --- the end ---

    def close(self) -> None:
        self.worker.join(timeout=2.0)
        for part in (self.button, self.camera, self.speaker, self.recorder, self.display):
            try:
                part.close()
            except Exception as exc:  # closing one part must not keep the others open
                log.warning("closing %s: %s", type(part).__name__, exc)


def page_of(view: View) -> tuple:
    """What makes a screen a different screen (not a redraw of the same one): for the demo's
    one frame per screen change."""
    topic = view.current.key if view.current is not None else None
    return (view.screen, topic, view.slot_kind, view.stage, view.countdown is not None)


def _labels(state: S.State) -> tuple:
    return (state.tap_label, state.hold_label, state.long_hold_label)


def _is_quit(event, mode: str) -> bool:
    """The window closed, or Escape in a window (never on the device's own screen)."""
    import pygame

    if event.type == pygame.QUIT:
        return True
    return mode == "windowed" and event.type == pygame.KEYDOWN and event.key == pygame.K_ESCAPE


def _is_expose(event) -> bool:
    import pygame

    kinds = {pygame.VIDEOEXPOSE, getattr(pygame, "WINDOWEXPOSED", pygame.VIDEOEXPOSE)}
    return event.type in kinds


def _when(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).strftime("%A %H:%M")
    except (TypeError, ValueError):
        return ""
