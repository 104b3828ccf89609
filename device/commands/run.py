"""`leancoffee run`: the appliance. Scan the wall, rank the topics, keep time with one button.

Defaults pick the Pi's hardware when it is there (GPIO button, Pi camera, full
screen) and the PC stand-ins otherwise (space bar and touch, the sample wall,
a window). A bad settings file is shown on screen and the defaults are used.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from device import logs, paths
from device.app import CLOCK_UNSET, App, RealClock
from device.button import KINDS, ButtonError, Inbox, configured_button
from device.camera import CameraError, MissingCamera, configured_camera
from device.display import DisplayError, default_mode, open_display
from device.settings import load
from device.sound import open_speaker
from device.store import Busy, Recorder, RunLock, SaveError

HELP = "run the device: scan the wall, rank the topics, keep time with one button"

log = logging.getLogger("leancoffee")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--settings", metavar="FILE", type=Path, help="settings file (TOML)")
    parser.add_argument("--data-dir", metavar="DIR", type=Path, help="where meetings are kept")
    parser.add_argument(
        "--camera",
        metavar="SRC",
        help='"pi", a webcam number, a photo file or a folder of photos (default: the setting)',
    )
    parser.add_argument(
        "--button",
        choices=KINDS,
        default="auto",
        help="gpio, keyboard (space bar and touch) or stdin lines tap/hold/long "
        "(default: GPIO when there is one, else the keyboard; stdin when headless)",
    )
    screen = parser.add_mutually_exclusive_group()
    for mode in ("fullscreen", "windowed", "headless"):
        screen.add_argument(
            f"--{mode}", dest="display", action="store_const", const=mode, help=_MODE_HELP[mode]
        )
    parser.add_argument(
        "--speed",
        type=_speed,
        default=1.0,
        metavar="N",
        help="run meeting time N times faster than real time (for trying it out)",
    )


_MODE_HELP = {
    "fullscreen": "use the whole screen (the default on the device)",
    "windowed": "a window (the default on a desktop)",
    "headless": "no screen at all (tests, SSH); implies --button stdin",
}


def _speed(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--speed must be a number, not {text!r}") from None
    if not 0 < value <= 10000:
        raise argparse.ArgumentTypeError(f"--speed must be above 0 and at most 10000, not {text}")
    return value


def notice_of(problems: list[str]) -> str:
    """The settings problems as one line for the screen (all of them go to the log)."""
    if not problems:
        return ""
    if len(problems) == 1:
        return problems[0]
    return f"{problems[0]} ({len(problems) - 1} more problems in the log)"


def build(
    settings,
    *,
    display: str,
    camera: str | None = None,
    button: str = "auto",
    data_dir: Path | None = None,
    speed: float = 1.0,
    clock=None,
    notice: str = "",
    resume: bool = True,
    on_frame=None,
    stdin=None,
    camera_object=None,
    on_device: bool = False,
) -> App:
    """Open every part the settings ask for and put the app together.

    Raises CameraError, ButtonError or DisplayError (one sentence each) for a
    part the command line asked for that cannot work.
    """
    clock = clock or RealClock()
    wake = threading.Event()
    # On the device a screen that will not open is a failure (systemd starts the app again
    # a few seconds later, e.g. once /dev/dri is ready), never a device running blind.
    shown = open_display(
        display,
        (settings.screen_width, settings.screen_height),
        settings.screen_rotation_degrees,
        fallback=not on_device,
    )
    try:
        if camera_object is None:
            try:
                camera_object = configured_camera(settings, camera)
            except CameraError as exc:
                if camera:  # asked for on the command line: say so and stop
                    raise
                # Named in the settings: a scan shows it on screen.
                log.error("%s", exc)
                camera_object = MissingCamera(str(exc))
        inbox = Inbox(clock=clock.now, notify=wake.set)

        def opened(kind: str):
            return configured_button(kind, inbox, settings, stdin)

        if button == "auto" and shown.mode == "headless":
            button = "stdin"  # over SSH: lines on standard input
        if button == "auto" and on_device:
            # The GPIO button; when its pin cannot be used, touch and the space bar stand in
            # and the Ready screen says why the button is dead.
            try:
                source = opened("gpio")
            except ButtonError as exc:
                log.error("%s", exc)
                dead = (
                    f"The button does not work: {str(exc).rstrip('.')}. Touch the screen instead."
                )
                notice = f"{dead} {notice}".strip()
                source = opened("keyboard")
        else:
            source = opened(button)
    except BaseException:
        shown.close()
        raise
    speaker = open_speaker(
        clock=clock.now,
        volume=settings.volume_percent / 100,
        device=settings.audio_device,
    )
    recorder = Recorder.open(data_dir if data_dir is not None else settings.data_path())
    if prune_old_meetings(recorder, settings.keep_days) is None:
        log.info("the clock is not known to be right yet: old meetings are kept until it is")
    return App(
        settings,
        display=shown,
        camera=camera_object,
        speaker=speaker,
        button=source,
        inbox=inbox,
        recorder=recorder,
        clock=clock,
        wake=wake,
        speed=speed,
        notice=notice,
        resume=resume,
        on_frame=on_frame,
        chores=lambda: prune_old_meetings(recorder, settings.keep_days),
    )


def prune_old_meetings(
    recorder: Recorder, keep_days: int, synchronised: Path = paths.SYNCHRONISED
) -> int | None:
    """Delete meetings (and kept photos) older than `keep_days` (privacy); how many meetings
    went, or None while the clock is not known to be right: a Pi without a network or a
    real-time clock may think it is any date, and would then delete this week's meetings.
    The run calls it at start and then every `device.app.CHORES_SECONDS`: the clock is
    usually set only after the device has started."""
    if keep_days <= 0 or recorder.store is None:
        return 0
    if not paths.clock_known(synchronised):
        return None
    cutoff = datetime.now(UTC) - timedelta(days=keep_days)
    _prune_photos(Path(recorder.store.data_dir) / "photos", cutoff.timestamp())
    try:
        return recorder.store.prune(cutoff)
    except SaveError as exc:
        log.warning("%s", exc)
        return 0


def _prune_photos(folder: Path, cutoff: float) -> None:
    """Wall photos kept with keep_photos (they may show faces) go after keep_days too. One
    kept while the clock was not known to be right (device.app.CLOCK_UNSET in its name) is
    aged from now on, as its meeting is (device.store.Store.prune)."""
    for photo in folder.glob("wall-*.jpg"):
        try:
            if CLOCK_UNSET in photo.name:
                photo.touch()
                photo.rename(photo.with_name(photo.name.replace(CLOCK_UNSET, "")))
            elif photo.stat().st_mtime < cutoff:
                photo.unlink()
                log.info("deleted the old photo %s", photo.name)
        except OSError as exc:
            log.warning("cannot delete the old photo %s: %s", photo, exc)


def lock_data_dir(data_dir: Path) -> RunLock | None:
    """This run's lock on the data folder, so that a second run cannot write the same meeting.

    Raises Busy when another run holds it. A folder that cannot be locked (it cannot be
    made, or is read-only) is logged and the run goes on: its store fails too, and the
    meeting goes on in memory with the reason on screen.
    """
    try:
        return RunLock.take(data_dir)
    except SaveError as exc:  # (Busy is no SaveError: it goes on up)
        log.warning("%s Another run could use it at the same time.", exc)
        return None


def run(args: argparse.Namespace) -> int:
    settings, problems = load(args.settings)
    for problem in problems:
        log.warning("%s", problem)
    data_dir = args.data_dir if args.data_dir is not None else settings.data_path()
    try:
        lock = lock_data_dir(data_dir)
    except Busy as exc:
        print(f"leancoffee run: {exc}", file=sys.stderr)
        return 1
    try:
        return _run(args, settings, problems, data_dir)
    finally:
        if lock is not None:
            lock.release()


def _run(args: argparse.Namespace, settings, problems: list[str], data_dir: Path) -> int:
    on_device = paths.on_device()
    mode = args.display or default_mode(on_device)
    try:
        app = build(
            settings,
            display=mode,
            camera=args.camera,
            button=args.button,
            data_dir=data_dir,
            speed=args.speed,
            notice=notice_of(problems),
            on_device=on_device,
        )
    except (CameraError, ButtonError, DisplayError) as exc:
        print(f"leancoffee run: {exc}", file=sys.stderr)
        return 1
    log.info(
        "running: %s screen, button %s, camera %s, data in %s%s",
        app.display.mode,
        app.button.name,
        app.camera.name,
        app.recorder.store.data_dir if app.recorder.store else "(not saving)",
        f", {args.speed:g}x speed" if args.speed != 1 else "",
    )

    def stop(signum, _frame):
        log.info("stopping (%s)", signal.Signals(signum).name)
        app.stop()

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        app.run()
    except KeyboardInterrupt:
        log.info("stopping (interrupted)")
    finally:
        signal.signal(signal.SIGTERM, previous)
        app.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m device.commands.run` (the same as `leancoffee run`)."""
    parser = argparse.ArgumentParser(prog="leancoffee run", description=HELP)
    add_arguments(parser)
    args = parser.parse_args(argv)
    logs.setup()
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
