"""pygame's own default font (freesansbold, shipped with pygame), sized to fit a box.

Nothing comes from the system, so every machine draws the same pixels.
Fonts and fitting results are cached: a screen is redrawn every second.
"""

from __future__ import annotations

import functools

import pygame

MIN_SIZE = 11  # below this the default font stops being readable
ELLIPSIS = "..."


def font(size: int) -> pygame.font.Font:
    if not pygame.font.get_init():
        _font.cache_clear()  # fonts from before a pygame.quit() must not be used again
        pygame.font.init()
    return _font(max(1, int(size)))


@functools.lru_cache(maxsize=256)
def _font(size: int) -> pygame.font.Font:
    return pygame.font.Font(None, size)


@functools.lru_cache(maxsize=512)
def line_height(size: int) -> int:
    """The height of a rendered line (get_height() is a pixel or two short of it)."""
    return font(size).size("Mgjy|")[1]


@functools.lru_cache(maxsize=8192)
def width(text: str, size: int) -> int:
    return font(size).size(text)[0]


def size_for_height(height: int) -> int:
    """The largest font size whose line fits `height` pixels."""
    lo, hi = 1, max(1, int(height) * 2)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if line_height(mid) <= height:
            lo = mid
        else:
            hi = mid - 1
    return lo


@functools.lru_cache(maxsize=2048)
def fit_line(text: str, box_w: int, box_h: int, max_size: int = 0, min_size: int = MIN_SIZE):
    """(size, text) of the largest font that shows `text` on one line in the box.

    Below `min_size` the text is cut short with "..." instead; (0, "") when not even that fits.
    """
    top = size_for_height(box_h)
    if max_size:
        top = min(top, max_size)
    if top < 1 or box_w < 1:
        return 0, ""
    lo, hi = 0, top
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if width(text, mid) <= box_w:
            lo = mid
        else:
            hi = mid - 1
    if lo >= min(min_size, top):
        return lo, text
    size = min(min_size, top)
    return size, elide(text, box_w, size)


def elide(text: str, box_w: int, size: int) -> str:
    if width(text, size) <= box_w:
        return text
    for cut in range(len(text) - 1, 0, -1):
        shorter = text[:cut].rstrip() + ELLIPSIS
        if width(shorter, size) <= box_w:
            return shorter
    return ""


def wrap(text: str, box_w: int, size: int) -> list[str]:
    """Words broken into lines no wider than box_w (a word too long alone is cut short)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for word in paragraph.split():
            attempt = f"{current} {word}" if current else word
            if width(attempt, size) <= box_w:
                current = attempt
                continue
            if current:
                lines.append(current)
            current = word if width(word, size) <= box_w else elide(word, box_w, size)
        lines.append(current)
    return lines


@functools.lru_cache(maxsize=1024)
def fit_paragraph(
    text: str, box_w: int, box_h: int, max_size: int = 0, min_size: int = MIN_SIZE
) -> tuple[int, tuple[str, ...]]:
    """(size, lines) of the largest font at which the wrapped text fits the box.

    At `min_size` and still too long, the last line that fits ends in "...".
    """
    top = size_for_height(box_h)
    if max_size:
        top = min(top, max_size)
    if top < 1 or box_w < 1:
        return 0, ()
    for size in range(top, 0, -1):
        lines = wrap(text, box_w, size)
        if len(lines) * line_height(size) <= box_h:
            return size, tuple(lines)
        if size <= min_size:
            break
    size = min(min_size, top)
    rows = max(1, box_h // line_height(size))
    lines = wrap(text, box_w, size)[:rows]
    lines[-1] = elide(lines[-1] + ELLIPSIS, box_w, size)
    return size, tuple(lines)


@functools.lru_cache(maxsize=64)
def digits_ink(size: int) -> tuple[int, int]:
    """(top, height) of the ink of digits and a colon within a rendered line at `size`."""
    surface = font(size).render("0123456789:", True, (255, 255, 255))
    rect = surface.get_bounding_rect()
    return rect.top, rect.height
