"""The screen: full screen on the Pi (KMSDRM), a window on a PC, or off-screen (headless).

All three give a `surface` to draw on (in the screen's upright orientation;
a mounted-sideways screen is turned on `show()`), `show()` and `events()`.
Headless never initialises pygame's video, so it runs where there is no
display at all (tests, SSH, the demo on a server).
"""

from __future__ import annotations

import logging
import os
import sys

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")  # pygame's banner would go to stdout

import pygame  # noqa: E402

log = logging.getLogger(__name__)

MODES = ("fullscreen", "windowed", "headless")
WINDOW = (800, 480)  # the official 7" screen: what a window on a PC shows by default


class DisplayError(Exception):
    """The screen cannot be opened; the message says why and what to do."""


class Display:
    mode = "headless"
    interactive = False  # has pygame input events (keyboard, touch, window close)

    def __init__(self, size: tuple[int, int], rotation: int = 0) -> None:
        self.rotation = rotation % 360
        self.size = tuple(size)
        self.surface = pygame.Surface(_upright(self.size, self.rotation))
        self.frames = 0

    def show(self) -> None:
        self.frames += 1

    def events(self) -> list:
        return []

    def close(self) -> None:
        pass


class Screen(Display):
    """A window or the whole screen, through pygame.display."""

    interactive = True

    def __init__(self, mode: str, size: tuple[int, int], rotation: int = 0) -> None:
        self.mode = mode
        try:
            pygame.display.init()
            if mode == "fullscreen":
                window = pygame.display.set_mode(size, pygame.FULLSCREEN)
                pygame.mouse.set_visible(False)
            else:
                window = pygame.display.set_mode(size)
                pygame.display.set_caption("leancoffee")
        except pygame.error as exc:
            raise DisplayError(_problem(mode, exc)) from exc
        self._window = window
        super().__init__(window.get_size(), rotation)
        if self.rotation == 0:
            self.surface = window  # draw straight on the screen: no copy per frame
        log.info("screen: %s %dx%d (%s)", mode, *window.get_size(), pygame.display.get_driver())

    def show(self) -> None:
        if self.surface is not self._window:
            turned = pygame.transform.rotate(self.surface, -self.rotation)
            self._window.blit(turned, (0, 0))
        pygame.display.flip()
        self.frames += 1

    def events(self) -> list:
        return pygame.event.get()

    def close(self) -> None:
        pygame.display.quit()


def _upright(size: tuple[int, int], rotation: int) -> tuple[int, int]:
    w, h = size
    return (h, w) if rotation in (90, 270) else (w, h)


def _problem(mode: str, exc: Exception) -> str:
    if mode == "fullscreen":
        return (
            f"Cannot open the screen ({exc}): check that nothing else uses it, "
            "or run with --windowed or --headless"
        )
    return f"Cannot open a window ({exc}): run with --headless"


def has_display() -> bool:
    """A desktop session to open a window in."""
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) or sys.platform in (
        "darwin",
        "win32",
    )


def default_mode(on_device: bool) -> str:
    """Full screen on the device (or a console with no desktop), a window on a desktop."""
    if on_device or os.environ.get("SDL_VIDEODRIVER") == "kmsdrm":
        return "fullscreen"
    if has_display():
        return "windowed"
    if sys.platform.startswith("linux") and os.path.exists("/dev/dri/card0"):
        return "fullscreen"  # a console-boot machine: KMSDRM
    return "headless"


def open_display(
    mode: str, size: tuple[int, int] | None = None, rotation: int = 0, fallback: bool = True
) -> Display:
    """The display in `mode`; with `fallback`, headless (logged) when the screen cannot open.

    `size` (0, 0) or None: the screen's own size in full screen, 800x480 otherwise.
    """
    if mode not in MODES:
        raise DisplayError(f"Unknown display mode {mode!r}: use one of {', '.join(MODES)}")
    if not size or not size[0] or not size[1]:
        size = (0, 0) if mode == "fullscreen" else WINDOW
    if mode == "headless":
        return Display(size, rotation)
    try:
        return Screen(mode, size, rotation)
    except DisplayError as exc:
        if not fallback:
            raise
        log.error("%s; running headless", exc)
        return Display(size if size[0] else WINDOW, rotation)
