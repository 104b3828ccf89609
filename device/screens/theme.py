"""Colours of the screens, chosen so every state differs in brightness and icon, not hue alone.

Grey levels (0.299 R + 0.587 G + 0.114 B) of the state backgrounds: a running
slot ~22, time up ~64, paused ~114, the last minute ~181; each state also has
its own icon. Text on each background has a contrast ratio of at least 4.5:1.
"""

from __future__ import annotations

from dataclasses import dataclass

Colour = tuple[int, int, int]


@dataclass(frozen=True)
class Palette:
    name: str
    bg: Colour  # the screen's background
    fg: Colour  # main text
    muted: Colour  # secondary text
    panel: Colour  # boxes drawn on the background (tiles, chips, the bar's track)
    accent: Colour  # the progress bar, the ring, highlights
    on_accent: Colour  # text on an accent-filled box


NEUTRAL = Palette(
    name="neutral",
    bg=(16, 21, 30),
    fg=(242, 242, 238),
    muted=(165, 172, 184),
    panel=(42, 50, 64),
    accent=(120, 200, 255),
    on_accent=(10, 20, 30),
)
WARNING = Palette(
    name="warning",
    bg=(255, 183, 0),
    fg=(18, 14, 6),
    muted=(70, 52, 10),
    panel=(232, 156, 0),
    accent=(18, 14, 6),
    on_accent=(255, 200, 40),
)
TIME_UP = Palette(
    name="time up",
    bg=(178, 24, 24),
    fg=(255, 255, 255),
    muted=(255, 212, 212),
    panel=(132, 14, 14),
    accent=(255, 255, 255),
    on_accent=(150, 16, 16),
)
PAUSED = Palette(
    name="paused",
    bg=(104, 112, 124),
    fg=(255, 255, 255),
    muted=(232, 236, 242),
    panel=(82, 88, 100),
    accent=(255, 255, 255),
    on_accent=(60, 66, 76),
)
ERROR = Palette(
    name="error",
    bg=(40, 14, 14),
    fg=(255, 240, 236),
    muted=(230, 190, 184),
    panel=(78, 30, 30),
    accent=(255, 120, 100),
    on_accent=(40, 10, 10),
)
# The banner that says saving has stopped, and other notices: light on any background.
NOTICE = Palette(
    name="notice",
    bg=(250, 240, 200),
    fg=(30, 24, 10),
    muted=(90, 76, 40),
    panel=(250, 240, 200),
    accent=(30, 24, 10),
    on_accent=(250, 240, 200),
)

# Badges on topic tiles.
TIE = (255, 214, 90)
DONE = (150, 220, 150)


def grey(colour: Colour) -> float:
    """Brightness as a person without colour vision sees it (0..255)."""
    r, g, b = colour
    return 0.299 * r + 0.587 * g + 0.114 * b


def luminance(colour: Colour) -> float:
    """WCAG relative luminance (0..1)."""

    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = colour
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: Colour, b: Colour) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)
