"""Benchmark of the device loop, in real time: `python -m device.bench_device [--seconds 5]`.

Prints:
- button-to-screen latency: from the button's release (a tap is decided on
  release) to the changed screen drawn, over taps that pause and resume a slot;
  the loop is woken by the GPIO callback (mock pins), saves, then draws;
- the squeak's play() against the slot's end, and the cue's against the last
  minute's start, over sped-up slots that run out on their own;
- idle CPU of the loop: the Ready screen and a running slot, headless and
  with a window (SDL's dummy driver: the loop then also polls keyboard and touch);
- start-up time, from starting Python to the Ready screen drawn.
Numbers depend on the machine; run it on the Pi itself for the Pi's.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("GPIOZERO_PIN_FACTORY", "mock")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import cv2  # noqa: E402

from device import session as S  # noqa: E402
from device.app import App, RealClock  # noqa: E402
from device.button import GpioButton, Inbox  # noqa: E402
from device.camera import FileCamera  # noqa: E402
from device.display import open_display  # noqa: E402
from device.settings import Settings  # noqa: E402
from device.sound import open_speaker  # noqa: E402
from device.store import Recorder  # noqa: E402

PIN = 17


def _wall(folder: Path) -> Path:
    from device import paths

    walls = paths.sample_walls()
    if walls:
        return walls[0]
    from vision.synth import make_wall

    path = folder / "wall.jpg"
    cv2.imwrite(str(path), make_wall(1000, "easy").image)
    return path


def _app(folder: Path, wall: Path, *, display="headless", speed=1.0, **settings) -> App:
    clock = RealClock()
    wake = threading.Event()
    inbox = Inbox(clock=clock.now, notify=wake.set)
    return App(
        Settings(**settings),
        display=open_display(display, (800, 480), fallback=False),
        camera=FileCamera(wall),
        speaker=open_speaker(clock=clock.now),
        button=GpioButton(inbox, pin=PIN),
        inbox=inbox,
        recorder=Recorder.open(folder / f"data-{time.monotonic_ns()}"),
        clock=clock,
        wake=wake,
        speed=speed,
        resume=False,
    )


class Loop:
    """The app made and run on a thread of its own (SQLite wants its connection used where it
    was opened), so the benchmark can press and watch from this one."""

    def __init__(self, make, on_frame=None) -> None:
        self.make = make
        self.on_frame = on_frame
        self.app: App | None = None
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            self.app = self.make()
            self.app.on_frame = self.on_frame
        finally:
            self.ready.set()
        try:
            self.app.run()
        finally:
            self.app.close()

    def __enter__(self) -> Loop:
        self.thread.start()
        self.ready.wait(60)
        if self.app is None:
            raise RuntimeError("the app did not start")
        return self

    def __exit__(self, *exc) -> None:
        self.app.stop()
        self.thread.join(10)
        from gpiozero import Device

        Device.pin_factory.reset()

    def until(self, test, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not test():
            if time.monotonic() > deadline:
                raise RuntimeError(f"stuck on the {self.app.state.screen.value} screen")
            time.sleep(0.002)


def _pin():
    from gpiozero import Device

    return Device.pin_factory.pin(PIN)


def _tap(pin, hold: float = 0.12) -> float:
    pin.drive_low()
    time.sleep(hold)
    released = time.monotonic()
    pin.drive_high()
    return released


def _scan(loop: Loop) -> None:
    pin = _pin()
    _tap(pin)
    loop.until(lambda: loop.app.state.screen is S.Screen.BOARD)


def latency(folder: Path, wall: Path, taps: int) -> list[float]:
    """Release of a tap -> the next screen drawn (Slot <-> Paused), in seconds."""
    frames: list[tuple[float, S.Screen]] = []
    out = []
    seen_frame = lambda surface, view: frames.append((time.monotonic(), view.screen))  # noqa: E731
    with Loop(lambda: _app(folder, wall), seen_frame) as loop:
        app = loop.app
        _scan(loop)
        pin = _pin()
        _tap(pin)
        loop.until(lambda: app.state.screen is S.Screen.SLOT)
        for _ in range(taps):
            before = app.state.screen
            seen = len(frames)
            released = _tap(pin)
            loop.until(
                lambda seen=seen, before=before: len(frames) > seen and frames[-1][1] is not before
            )
            out.append(frames[seen][0] - released)
            time.sleep(0.05)
    return out


def sounds(folder: Path, wall: Path, slots: int) -> list[tuple[str, float]]:
    """(sound, play() minus when it was due) over slots of 1.2 real seconds."""
    # 6 s slots with a 3 s warning at 5x: each slot runs out 1.2 s after it starts.
    rules = {"slot_minutes": 0.1, "warning_seconds": 3, "meeting_minutes": 600}
    with Loop(lambda: _app(folder, wall, speed=5.0, **rules)) as loop:
        app = loop.app
        _scan(loop)
        pin = _pin()
        for _ in range(slots):
            _tap(pin)
            loop.until(lambda: app.state.screen is S.Screen.SLOT)
            loop.until(lambda: app.state.screen is S.Screen.TIME_UP)
        return [(p.sound, p.at - p.due) for p in app.played if p.due is not None]


def idle_cpu(folder: Path, wall: Path, seconds: float, display: str, slot: bool) -> float:
    """Share of one core the process uses while the loop shows Ready (or a running slot)."""
    with Loop(lambda: _app(folder, wall, display=display)) as loop:
        app = loop.app
        if slot:
            _scan(loop)
            _tap(_pin())
            loop.until(lambda: app.state.screen is S.Screen.SLOT)
        time.sleep(0.5)
        cpu, wall_start = time.process_time(), time.monotonic()
        time.sleep(seconds)
        return (time.process_time() - cpu) / (time.monotonic() - wall_start)


STARTUP = """
import sys, time
from pathlib import Path
from device.commands.run import build
from device.settings import Settings
app = build(Settings(), display="headless", camera=sys.argv[1], button="keyboard", data_dir=Path(sys.argv[2]))
app.step()
assert app.view.screen.value == "ready"
sys.stdout.write("ready\\n"); sys.stdout.flush()
app.close()
"""


def startup(folder: Path, wall: Path, runs: int) -> list[float]:
    """Seconds from starting Python to the Ready screen drawn."""
    out = []
    for n in range(runs):
        started = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-c", STARTUP, str(wall), str(folder / f"start-{n}")],
            stdout=subprocess.PIPE,
            text=True,
        )
        line = proc.stdout.readline()
        out.append(time.monotonic() - started)
        proc.wait(30)
        if line.strip() != "ready":
            raise RuntimeError("the app did not reach the Ready screen")
    return out


def _ms(values: list[float]) -> str:
    values = sorted(values)
    return f"median {statistics.median(values) * 1000:.1f} ms, worst {values[-1] * 1000:.1f} ms (n={len(values)})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m device.bench_device", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--seconds", type=float, default=5.0, help="idle CPU measured over this long"
    )
    parser.add_argument("--taps", type=int, default=40, help="taps for the latency")
    parser.add_argument("--slots", type=int, default=4, help="slots for the squeak timing")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    with tempfile.TemporaryDirectory(prefix="leancoffee-bench-") as tmp:
        folder = Path(tmp)
        wall = _wall(folder)
        print(
            f"leancoffee device benchmark (python {sys.version.split()[0]}, {os.cpu_count()} cores)"
        )
        print(
            f"button to screen (tap release -> next screen drawn, 800x480): {_ms(latency(folder, wall, args.taps))}"
        )
        timing = sounds(folder, wall, args.slots)
        for name in ("squeak", "warning"):
            late = [d for s, d in timing if s == name]
            print(f"{name} play() after it was due: {_ms(late)}")
        for display in ("headless", "windowed"):
            for slot in (False, True):
                share = idle_cpu(folder, wall, args.seconds, display, slot)
                what = "a running slot" if slot else "the Ready screen"
                print(
                    f"idle CPU, {display}, {what}: {share * 100:.2f}% of a core over {args.seconds:g} s"
                )
        print(f"start-up to the Ready screen: {_ms(startup(folder, wall, 3))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
