"""Layouts several screens share: the big icon with a title and a paragraph, and topic tiles."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import pygame

from device.screens import icons
from device.screens import text as T
from device.screens.canvas import Canvas
from device.screens.pictures import Pictures
from device.screens.theme import DONE, TIE, Palette
from device.topics import Status, Topic

# Stand-ins for a note without a picture, by the vision's colour names.
NOTE_RGB = {
    "yellow": (250, 225, 80),
    "orange": (255, 160, 60),
    "pink": (255, 140, 190),
    "green": (150, 220, 130),
    "blue": (120, 190, 240),
    "purple": (180, 140, 220),
    "white": (240, 240, 240),
}


def hero(
    canvas: Canvas,
    body: pygame.Rect,
    palette: Palette,
    icon: str | None,
    title: str,
    paragraph: str,
    *,
    gap: int,
    big: str | None = None,
    reference: str = "0",
) -> None:
    """A big icon (or big digits) on the left; a title and a paragraph on the right."""
    side = min(body.height, round(body.width * 0.34))
    left = pygame.Rect(body.x, body.y + (body.height - side) // 2, side, side)
    canvas.block("hero icon", left)
    if big is not None:
        canvas.digits(big, left.inflate(-side // 8, -side // 8), palette.fg, reference)
    elif icon is not None:
        inner = left.inflate(-side // 5, -side // 5)
        canvas.shape(
            f"icon {icon}", icons.draw(canvas.surface, icon, inner, palette.fg, palette.bg)
        )
    right = pygame.Rect(
        left.right + gap * 2, body.y, body.right - left.right - gap * 2, body.height
    )
    title_h = max(T.line_height(T.MIN_SIZE), round(right.height * 0.28))
    title_box = pygame.Rect(right.x, right.y + round(right.height * 0.08), right.width, title_h)
    canvas.block("hero title", title_box)
    canvas.line(title, title_box, palette.fg, valign="bottom")
    text_box = pygame.Rect(
        right.x, title_box.bottom + gap, right.width, right.bottom - title_box.bottom - gap
    )
    if paragraph and text_box.height > 0:
        canvas.block("hero text", text_box)
        max_size = T.size_for_height(round(title_h * 0.6))
        canvas.paragraph(paragraph, text_box, palette.muted, max_size=max_size, valign="top")


def best_line(variants: Sequence[str], width: int, height: int, readable: int = 14) -> str:
    """The first (fullest) text that fits at a readable size; else the shortest."""
    for text in variants:
        size, shown = T.fit_line(text, width, height)
        if size >= readable and shown == text:
            return text
    return variants[-1]


def grid(count: int, area: pygame.Rect, gap: int, caption: float) -> tuple[int, int, int]:
    """(columns, rows, side) that make `count` tiles (a square picture with a caption strip
    `caption` x side tall below it) as large as the area allows."""
    best = (1, count, 0)
    for cols in range(1, count + 1):
        rows = math.ceil(count / cols)
        side_w = (area.width - gap * (cols - 1)) // cols
        side_h = int((area.height - gap * (rows - 1)) / rows / (1 + caption))
        side = min(side_w, side_h)
        if side > best[2]:
            best = (cols, rows, side)
    return best


def tiles(
    canvas: Canvas,
    area: pygame.Rect,
    topics: Sequence[Topic],
    pictures: Pictures,
    palette: Palette,
    *,
    gap: int,
    unit: int,
    caption: Callable[[Topic, int, int], list[str]],
) -> None:
    """Topic tiles in a grid: the note's picture with a caption strip beneath it.

    When the topics do not fit at a readable size, the last tile says how many more there are.
    """
    if not topics or area.width < 8 or area.height < 8:
        return
    share = 0.24
    smallest = max(28, round(unit * 0.14))
    shown, slots = len(topics), len(topics)
    cols, rows, side = grid(slots, area, gap, share)
    while side < smallest and shown > 1:
        shown -= 1
        slots = shown + 1  # the last tile says how many more
        cols, rows, side = grid(slots, area, gap, share)
    more = len(topics) - shown
    # Height the grid leaves over (its width bound it) goes to the captions, up to half a
    # tile: the votes read better from across the table.
    spare = (area.height - gap * (rows - 1)) // rows - side
    cap_h = max(1, int(side * share), min(side // 2, spare))
    used_w = cols * side + (cols - 1) * gap
    x0 = area.x + (area.width - used_w) // 2
    for i in range(slots):
        r, c = divmod(i, cols)
        tile = pygame.Rect(
            x0 + c * (side + gap), area.y + r * (side + cap_h + gap), side, side + cap_h
        )
        if i == shown:
            canvas.block("more topics", tile)
            canvas.fill(palette.panel, tile, radius=max(2, side // 12))
            inner = tile.inflate(-side // 8, -side // 3)
            text = best_line([f"+{more} more", f"+{more}"], inner.width, inner.height)
            canvas.line(text, inner, palette.fg, align="center")
            continue
        topic = topics[i]
        _tile(canvas, tile, topic, pictures, palette, side, caption(topic, side, cap_h))


def _tile(canvas, tile, topic: Topic, pictures, palette, side, captions) -> None:
    canvas.block(f"tile {topic.key}", tile)
    frame = pygame.Rect(tile.x, tile.y, side, side)
    canvas.fill(palette.panel, tile, radius=max(2, side // 14))
    pad = max(1, side // 24)
    box = frame.inflate(-2 * pad, -2 * pad)
    picture = pictures.note(topic.picture, box.size)
    if picture is not None:
        placed = canvas.image(picture, box)
    else:
        placed = box.inflate(-box.width // 8, -box.height // 8)
        canvas.fill(NOTE_RGB.get(topic.colour, (220, 220, 220)), placed)
        canvas.line(
            f"#{topic.rank}",
            placed.inflate(-placed.width // 4, -placed.height // 3),
            (30, 30, 30),
            align="center",
        )
    done = topic.status in (Status.DISCUSSED, Status.SKIPPED) or not topic.on_wall
    if done:
        # Dim what is behind us, and mark it with a check (a shape, not a colour).
        veil = pygame.Surface(placed.size, pygame.SRCALPHA)
        veil.fill((0, 0, 0, 150))
        canvas.surface.blit(veil, placed.topleft)
        mark = pygame.Rect(0, 0, side // 3, side // 3)
        mark.bottomright = (placed.right - pad, placed.bottom - pad)
        pygame.draw.circle(canvas.surface, DONE, mark.center, mark.width // 2)
        canvas.shape(
            "icon check",
            icons.draw(
                canvas.surface,
                "check",
                mark.inflate(-mark.width // 3, -mark.width // 3),
                (20, 40, 20),
                DONE,
            ),
        )
    if topic.tied and not done:
        # A tie badge: the "=" sign in a rounded box at the top-right of the picture.
        badge = pygame.Rect(0, 0, max(10, side // 3), max(8, side // 5))
        badge.topright = (placed.right - pad, placed.top + pad)
        pygame.draw.rect(canvas.surface, TIE, badge, border_radius=badge.height // 3)
        pygame.draw.rect(
            canvas.surface, (30, 24, 0), badge, max(1, badge.height // 10), badge.height // 3
        )
        canvas.line(
            "tie", badge.inflate(-badge.width // 6, -badge.height // 4), (30, 24, 0), align="center"
        )
        canvas.shape("tie badge", badge)
    cap = pygame.Rect(tile.x + pad, frame.bottom, side - 2 * pad, tile.bottom - frame.bottom - pad)
    if cap.height > 4:
        text = best_line(captions, cap.width, cap.height)
        canvas.line(text, cap, palette.fg, align="center")
