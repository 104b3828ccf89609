"""`leancoffee demo`: a whole meeting, on its own, in under a minute.

The real app runs on a sample wall photo as its camera, with a scripted
facilitator pressing the button at scripted meeting times: a scan, the board,
a topic that runs out (the cue, the squeak) and gets an extension, a topic
finished early, one sent back to the board, a re-scan, the summary.

With a display it shows a window, meeting time sped up (`--speed`, default
60: a meeting minute per second). Without one (or with `--headless`) it runs
as fast as the machine can and saves one PNG per screen change in
DIR/frames/. Either way the meeting is kept in DIR/data/ (never the device's
own data) and its record is written to DIR/summary.json.
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from device import logs, paths
from device import session as S
from device.app import App, ManualClock, RealClock
from device.button import Inbox, KeyboardButton
from device.camera import CameraError, FileCamera
from device.display import DisplayError, has_display, open_display
from device.export import meeting_record, to_json
from device.files import write_atomic
from device.screens.gallery import parse_size
from device.settings import Settings
from device.sound import open_speaker
from device.store import Recorder, StoreError

HELP = "run a whole scripted meeting on a sample wall, sped up (a window, or PNG frames)"

log = logging.getLogger("leancoffee")

Screen = S.Screen
# The demo's own settings: the default meeting rules, quicker holds (a hold's second is real
# time, which a sped-up meeting would otherwise spend by the minute).
SETTINGS = Settings(hold_seconds=0.5, long_hold_seconds=1.5)
# How long the scripted facilitator keeps the button down for each gesture (real seconds).
PRESS = {
    "tap": 0.15,
    "hold": SETTINGS.hold_seconds + 0.2,
    "long": SETTINGS.long_hold_seconds + 0.2,
}
UNCHANGED = 30.0  # meeting seconds to wait for a gesture to change the screen
SUMMARY_SECONDS = 5.0  # real seconds the window shows the summary before the demo ends


@dataclass(frozen=True)
class Step:
    screen: Screen  # wait for this screen (entered after the previous gesture)...
    after: float  # ...then this many meeting seconds...
    gesture: str | None  # ...then do this (None: the demo is over)
    why: str


SCRIPT = (
    Step(Screen.READY, 3, "tap", "voting is done: scan the wall"),
    Step(Screen.BOARD, 8, "tap", "the board looks right: start the first topic"),
    Step(Screen.TIME_UP, 5, "hold", "thumbs up: extend the first topic"),
    Step(Screen.TIME_UP, 4, "tap", "thumbs down: next topic"),
    Step(Screen.SLOT, 180, "tap", "the second topic is done early: pause"),
    Step(Screen.PAUSED, 15, "hold", "topic done: next topic"),
    Step(Screen.TIME_UP, 5, "long", "late dots on the wall: back to the board"),
    Step(Screen.BOARD, 6, "hold", "re-scan the wall"),
    Step(Screen.BOARD, 6, "tap", "start the next topic"),
    Step(Screen.TIME_UP, 5, "long", "back to the board"),
    Step(Screen.BOARD, 5, "long", "that is enough for today: end the meeting"),
    Step(Screen.SUMMARY, 8, None, "the summary"),
)


class Facilitator:
    """Presses the button as the script says, watching the screen on the meeting clock."""

    def __init__(self, app: App, script: tuple[Step, ...] = SCRIPT) -> None:
        self.app = app
        self.script = script
        self.index = 0
        self.screen = app.state.screen
        self.entered = app.meeting_now(app.clock.now())  # meeting time the screen appeared
        self.acted: float | None = (
            None  # meeting time of the last gesture, until the screen changes
        )
        self.release_at: float | None = None  # real time to let go of the button
        self.done = False

    def poll(self) -> float | None:
        """Act if it is time; the real time to be called again (None: only on a change)."""
        app = self.app
        real = app.clock.now()
        now = app.meeting_now(real)
        if app.state.screen is not self.screen:
            self.screen, self.entered, self.acted = app.state.screen, now, None
        if self.release_at is not None:
            if real < self.release_at:
                return self.release_at
            app.inbox.edge(False, "demo")
            self.release_at = None
            self.acted = now
            return real
        if self.acted is not None:
            # The next step waits for the screen the gesture leads to; a gesture that changed
            # nothing (an extension refused) is given up on after a while.
            if now < self.acted + UNCHANGED:
                return app.real_time(self.acted + UNCHANGED)
            self.entered, self.acted = now, None
        if self.screen is Screen.SUMMARY and self.script[self.index].screen is not Screen.SUMMARY:
            self.index = len(self.script) - 1  # no topics left: straight to the end
        step = self.script[self.index]
        if step.screen is not self.screen:
            return None
        due = self.entered + step.after
        if now < due:
            return app.real_time(due)
        if step.gesture is None:
            self.done = True
            return None
        log.info("demo: %s (%s)", step.why, step.gesture)
        app.inbox.edge(True, "demo")
        self.release_at = real + PRESS[step.gesture]
        self.index += 1
        return self.release_at


class LoggedSpeaker:
    """The headless demo's speaker: a run flat out has no time to hear, so each sound is a log
    line (and the frames show the screens as they look, not the silent speaker's flash)."""

    name = "log"
    audible = True
    flash_until = None
    flash_seconds = 0.0

    def __init__(self) -> None:
        self.played: list[str] = []

    def play(self, name: str) -> bool:
        self.played.append(name)
        log.info("demo: %s", "SQUEAK!" if name == "squeak" else f"({name} cue)")
        return True

    def flashing(self, now: float) -> None:
        return None

    def close(self) -> None:
        pass


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("leancoffee-demo"),
        metavar="DIR",
        help="where the frames, summary.json and the demo's own data go (./leancoffee-demo)",
    )
    parser.add_argument(
        "--headless", action="store_true", help="no window: save a PNG per screen change"
    )
    parser.add_argument(
        "--speed",
        type=_speed,
        default=60.0,
        metavar="N",
        help="meeting seconds per real second in the window (60); headless runs flat out",
    )
    parser.add_argument(
        "--wall", type=Path, metavar="PHOTO", help="a wall photo to use instead of the sample"
    )
    parser.add_argument(
        "--size",
        type=parse_size,
        default=(800, 480),
        metavar="WxH",
        help="the screen's size: 800x480 (the 7-inch display, default) or 480x320 (3.5-inch)",
    )


def _speed(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--speed must be a number, not {text!r}") from None
    if not 1 <= value <= 10000:
        raise argparse.ArgumentTypeError(f"--speed must be between 1 and 10000, not {text}")
    return value


def sample_wall(out: Path) -> Path:
    """The bundled sample wall; without one (a bare checkout), a synthetic wall made in `out`."""
    walls = paths.sample_walls()
    if walls:
        return walls[0]
    import cv2

    from vision.synth import make_wall

    path = out / "sample-wall.jpg"
    if not path.is_file():
        out.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(path), make_wall(1000, "easy").image)
    log.info("no sample wall bundled: using a synthetic one, %s", path)
    return path


class DemoError(Exception):
    """Why the demo cannot go on, in one sentence."""


def run(args: argparse.Namespace) -> int:
    out: Path = args.out
    try:
        wall, camera = _wall_camera(args.wall, out)
        display, headless = _screen(args)
        frames, data = _clear_output(out, headless)
        return _meeting(args, out, wall, camera, display, headless, frames, data)
    except DemoError as exc:
        print(f"leancoffee demo: {exc}", file=sys.stderr)
        return 1


def _wall_camera(wall: Path | None, out: Path) -> tuple[Path, FileCamera]:
    """The wall photo and a camera that gives it; an unreadable photo is an error now, not
    at the first scan."""
    try:
        wall = wall or sample_wall(out)
        camera = FileCamera(wall, option="--wall")
        camera.capture()
    except CameraError as exc:
        raise DemoError(str(exc)) from exc
    except OSError as exc:  # the synthetic wall could not be written in --out
        raise DemoError(f"cannot write to {out}: {exc.strerror or exc}") from exc
    return wall, camera


def _screen(args: argparse.Namespace):
    """A window, or frames saved as PNG files where there is no display; (display, headless)."""
    headless = args.headless or not has_display()
    if not headless:
        try:
            return open_display("windowed", args.size, fallback=False), False
        except DisplayError as exc:
            log.warning("%s: saving frames instead", exc)
    return open_display("headless", args.size), True


def _clear_output(out: Path, headless: bool) -> tuple[Path, Path]:
    """The frames and data folders in `out`, the last run's frames gone."""
    frames, data = out / "frames", out / "data"
    try:
        out.mkdir(parents=True, exist_ok=True)
        if headless:
            frames.mkdir(exist_ok=True)
            for old in frames.glob("[0-9][0-9][0-9]-*.png"):
                old.unlink()  # the last run's frames: only files named as this command names them
    except OSError as exc:
        raise DemoError(f"cannot write to {out}: {exc.strerror or exc}") from exc
    return frames, data


def _meeting(args, out, wall, camera, display, headless, frames, data) -> int:
    """The scripted meeting on the app, then what it made."""
    clock = ManualClock() if headless else RealClock()
    wake = threading.Event()
    inbox = Inbox(clock=clock.now, notify=wake.set)
    speaker = LoggedSpeaker() if headless else open_speaker(clock=clock.now)
    saved: list[Path] = []
    failures: list[str] = []

    def save_frame(surface, view) -> None:
        import pygame

        path = frames / f"{len(saved) + 1:03d}-{view.screen.value.replace(' ', '-')}.png"
        try:
            pygame.image.save(surface, str(path))
        except (pygame.error, OSError) as exc:  # a full disk: stop, and say so
            failures.append(f"cannot write {path}: {exc}")
            app.stop()
            return
        saved.append(path)

    app = App(
        SETTINGS,
        display=display,
        camera=camera,
        speaker=speaker,
        button=KeyboardButton(inbox),
        inbox=inbox,
        recorder=Recorder.open(data),
        clock=clock,
        wake=wake,
        speed=1.0 if headless else args.speed,
        resume=False,
        on_frame=save_frame if headless else None,
    )
    facilitator = Facilitator(app)
    try:
        stuck = _play(app, facilitator, clock, headless)
        record = None if stuck or failures else _record(app)
    finally:
        app.close()
    for problem in failures + ([stuck] if stuck else []):
        print(f"leancoffee demo: {problem}", file=sys.stderr)
    if record is None or failures or stuck:
        return 1
    summary = out / "summary.json"
    try:
        write_atomic(summary, to_json(record))
    except OSError as exc:
        raise DemoError(f"cannot write {summary}: {exc}") from exc
    topics = record["topics"]
    discussed = sum(1 for t in topics if t["status"] == "discussed")
    print(f"Meeting: {discussed} of {len(topics)} topics discussed, wall photo {wall}")
    if headless:
        print(f"Frames: {len(saved)} screens in {frames}/")
    print(f"Summary: {summary}")
    print(f"Data: {data}/ (leancoffee export --data-dir {data} --format html)")
    return 0


def _play(app: App, facilitator: Facilitator, clock, headless: bool) -> str | None:
    """Run the scripted meeting; what went wrong when it cannot go on (None: it ended)."""
    end = None  # real time the window closes: the summary stays up a moment to be read
    while not app.stopped:
        until = app.step()
        if app.state.screen is S.Screen.ERROR:  # e.g. no notes on a photo given with --wall
            return app.state.error
        wanted = facilitator.poll()
        if facilitator.done:
            if headless:
                return
            end = end or clock.now() + SUMMARY_SECONDS
            if clock.now() >= end:
                return
            wanted = end
        if wanted is not None:
            until = wanted if until is None else min(until, wanted)
        if headless and app.worker.busy:
            app.worker.join()  # the scan takes real time; the meeting clock waits for it
            continue
        if until is None:
            return f"the demo is stuck on the {app.state.screen.value} screen"
        clock.wait(until, app.wake)
    return None


def _record(app: App) -> dict | None:
    store, meeting = app.recorder.store, app.recorder.meeting_id
    if store is None or meeting is None:
        print(
            f"leancoffee demo: the meeting was not saved ({app.recorder.failure})", file=sys.stderr
        )
        return None
    try:
        return meeting_record(store, meeting)
    except StoreError as exc:
        print(f"leancoffee demo: {exc}", file=sys.stderr)
        return None


def main(argv: list[str] | None = None) -> int:
    """`python -m device.commands.demo` (the same as `leancoffee demo`)."""
    parser = argparse.ArgumentParser(prog="leancoffee demo", description=HELP)
    add_arguments(parser)
    args = parser.parse_args(argv)
    logs.setup()
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
