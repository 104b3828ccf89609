"""The device's screens, drawn with pygame from a `View` (device.screens.view).

    items = render(surface, view, pictures)   # draws; returns what was drawn where

One module per screen or group: start (Ready, Resume?), scanning, board, slot
(Slot, Warning, Paused, Time up), summary, error; chrome has what they share
(header, banner, footer with the button's actions, the press ring, the flash).
Layout is relative to the surface, tested at 480x320, 800x480, 1280x720 and
1920x1080.
"""

from __future__ import annotations

import os

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")  # pygame's banner would go to stdout

import pygame  # noqa: E402

from device.screens import board, chrome, error, scanning, slot, start, summary  # noqa: E402
from device.screens.canvas import Canvas, Drawn  # noqa: E402
from device.screens.pictures import Pictures  # noqa: E402
from device.screens.theme import ERROR, NEUTRAL  # noqa: E402
from device.screens.view import Photo, Press, View, make_view, press_of  # noqa: E402
from device.session import Screen  # noqa: E402

__all__ = ["Photo", "Pictures", "Press", "View", "make_view", "palette_of", "press_of", "render"]

_DRAW = {
    Screen.READY: start.ready,
    Screen.RESUME: start.resume,
    Screen.SCANNING: scanning.scanning,
    Screen.BOARD: board.board,
    Screen.SLOT: slot.slot,
    Screen.WARNING: slot.slot,
    Screen.PAUSED: slot.slot,
    Screen.TIME_UP: slot.slot,
    Screen.SUMMARY: summary.summary,
    Screen.ERROR: error.error,
}


def palette_of(screen: Screen):
    if screen in (Screen.SLOT, Screen.WARNING, Screen.PAUSED, Screen.TIME_UP):
        return slot.palette_of(screen)
    return ERROR if screen is Screen.ERROR else NEUTRAL


def render(surface: pygame.Surface, view: View, pictures: Pictures | None = None) -> list[Drawn]:
    """Draw `view` on `surface`; the blocks and items drawn (for the layout tests)."""
    canvas = Canvas(surface)
    canvas.fill(palette_of(view.screen).bg)
    _DRAW[view.screen](canvas, view, pictures if pictures is not None else Pictures())
    if view.flash:
        chrome.flash(canvas, chrome.frame_for(canvas, view), view.flash)
    return canvas.drawn
