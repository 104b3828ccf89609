"""Every screen with realistic content, for the README and for looking at them.

    python -m device.screens.gallery OUT_DIR [--size 800x480] [--wall PHOTO]

The content is real: a wall photo (the bundled sample wall, else a synthetic
one) is tallied by the vision, and the meeting engine is driven through a
meeting to reach each screen. `scenes()` is what the layout tests render too.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np

from device import paths
from device import session as S
from device.gestures import GestureDetector
from device.screens.view import Photo, make_view, press_of
from device.worker import Counted, count_wall

START = 1000.0


def wall_image(path: str | Path | None = None) -> np.ndarray:
    """A wall photo: `path`, else the first bundled sample wall, else a synthetic wall."""
    from device.camera import read_photo

    if path is not None:
        return read_photo(path)
    walls = paths.sample_walls()
    if walls:
        return read_photo(walls[0])
    from vision.synth import make_wall

    return make_wall(1002, "easy").image


class _Meeting:
    """The session driven on a fake clock, ticking at every deadline as the app would."""

    def __init__(self, rules: S.Rules) -> None:
        self.now = START
        self.state = S.start(rules, self.now)

    def send(self, event, after: float = 0.0) -> None:
        self.now += after
        self.state, _effects = S.handle(self.state, event, self.now)

    def run(self, seconds: float) -> None:
        until = self.now + seconds
        while True:
            due = S.next_deadline(self.state)
            if due is None or due > until:
                break
            self.send(S.TICK, max(0.0, due - self.now))
        self.send(S.TICK, max(0.0, until - self.now))

    def run_until(self, screen: S.Screen) -> None:
        for _ in range(100000):
            if self.state.screen is screen:
                return
            due = S.next_deadline(self.state)
            if due is None:
                raise RuntimeError(f"{screen} never comes from {self.state.screen}")
            self.send(S.TICK, max(0.0, due - self.now))
        raise RuntimeError(f"{screen} never came")


def scenes(counted: Counted, rules: S.Rules | None = None) -> Iterator[tuple[str, object]]:
    """(name, View) for every screen and the states worth seeing, in meeting order."""
    rules = rules or S.Rules()
    photo = Photo(counted.small_photo, counted.board)
    m = _Meeting(rules)

    def view(state=None, **extra):
        state = state or m.state
        return make_view(state, m.now, photo=photo, **extra)

    def pressing(seconds: float, state=None):
        state = state or m.state
        detector = GestureDetector(long_hold_enabled=state.long_hold_enabled)
        detector.press(0.0)
        progress = detector.progress(seconds)
        return press_of(progress, state.long_hold_enabled, 1.0, 3.0)

    yield "ready", view()
    m.send(S.TAP, 5)
    yield "scanning-countdown", view()
    while m.state.countdown_until is not None:
        m.send(S.TICK, S.next_deadline(m.state) - m.now)
    m.send(S.ScanProgress("counting dots"), 0.4)
    yield "scanning-counting", view()
    m.send(S.ScanDone(counted.board, counted.pictures), 0.6)
    yield "board", view()
    yield "board-photo-turn", view(board_page=1)  # a small screen's other turn
    m.send(S.TAP, 20)
    m.run(95)
    yield "slot", view()
    yield "slot-pressing", view(press=pressing(0.6))
    m.run_until(S.Screen.WARNING)
    m.run(18)
    yield "warning", view()
    m.run_until(S.Screen.TIME_UP)
    yield "time-up", view()
    yield "time-up-silent-speaker", view(flash="squeak")
    yield "time-up-holding", view(press=pressing(1.6))
    m.send(S.HOLD, 6)
    m.run(70)
    m.send(S.TAP, 0)
    yield "paused", view()
    saving = replace(
        m.state, save_failed=True, save_message="Saving has stopped: the disk is full."
    )
    yield "paused-saving-stopped", view(saving)
    m.send(S.TAP, 30)
    m.run_until(S.Screen.TIME_UP)
    m.send(S.HOLD, 4)
    m.run_until(S.Screen.TIME_UP)
    m.send(S.HOLD, 3)
    yield "time-up-no-extension-left", view()
    m.send(S.TAP, 4)
    m.run(200)
    m.send(S.TAP, 0)
    m.send(S.HOLD, 2)  # done early
    m.run(300)
    m.send(S.TAP, 0)
    m.send(S.LONG_HOLD, 3)  # back to the board
    yield "board-later", view()
    saved = m.state
    m.send(S.HOLD, 10)  # re-scan
    m.run(3.0)
    m.send(S.ScanFailed("No camera found: check the ribbon cable and run leancoffee check"), 2)
    yield "error", view()
    m.send(S.LONG_HOLD, 4)
    m.send(S.LONG_HOLD, 5)  # end the meeting
    yield "summary", view()
    resume = S.resume_prompt(replace(saved, screen=S.Screen.PAUSED), m.now)
    yield "resume", make_view(resume, m.now, started="Tuesday 09:05")
    problem = (
        "settings.toml: slot_minutes is -8, but a time cannot be negative; using the default 8."
    )
    yield "ready-settings-problem", make_view(S.start(rules, m.now), m.now, notice=problem)


# One picture per screen, for the README (docs/screens/).
README = (
    "ready",
    "scanning-countdown",
    "scanning-counting",
    "board",
    "slot",
    "slot-pressing",
    "warning",
    "time-up",
    "paused",
    "summary",
    "error",
    "resume",
)


def save_png(surface, path: Path) -> None:
    """The surface as a PNG at zlib's best compression (the README's pictures live in git)."""
    import cv2
    import pygame

    rgb = pygame.surfarray.array3d(surface).transpose(1, 0, 2)
    if not cv2.imwrite(
        str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_PNG_COMPRESSION, 9]
    ):
        raise OSError(f"cannot write {path}")


def parse_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"size must be WIDTHxHEIGHT, e.g. 800x480, not {text!r}"
        ) from None
    if w < 160 or h < 120:
        raise argparse.ArgumentTypeError(f"size {text} is too small (at least 160x120)")
    return w, h


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m device.screens.gallery",
        description="Render every screen with realistic content to PNG files.",
    )
    parser.add_argument("out", type=Path, help="folder for the PNG files")
    parser.add_argument(
        "--size", type=parse_size, default=(800, 480), help="WIDTHxHEIGHT (800x480)"
    )
    parser.add_argument("--wall", type=Path, help="wall photo to count (default: the sample wall)")
    parser.add_argument(
        "--readme", action="store_true", help="only one picture per screen (for docs/screens/)"
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    import pygame

    from device.camera import CameraError
    from device.screens import Pictures, render

    try:
        image = wall_image(args.wall)
    except CameraError as exc:
        print(exc, file=sys.stderr)
        return 1
    counted = count_wall(image)
    pygame.font.init()
    args.out.mkdir(parents=True, exist_ok=True)
    surface = pygame.Surface(args.size)
    pictures = Pictures()
    for name, view in scenes(counted):
        if args.readme and name not in README:
            continue
        render(surface, view, pictures)
        path = args.out / f"{name}.png"
        save_png(surface, path)
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
