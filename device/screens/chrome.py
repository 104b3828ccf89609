"""What every screen has: the header, one banner line, the footer with what the button does
now, the press ring, and the flash that stands in for a missing speaker.

All sizes come from the surface: `Frame.of(size, banner)` splits it into header,
banner, body and footer; screens lay out their body inside `frame.body`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pygame

from device.screens import icons
from device.screens import text as T
from device.screens.canvas import Canvas
from device.screens.theme import NOTICE, Palette
from device.screens.view import View

# A footer row this tall holds text that reads from across the table (~16 px letters).
_READABLE_ROW = 25


@dataclass(frozen=True)
class Frame:
    unit: int  # the screen's scale: min(height, 0.75 * width)
    margin: int
    gap: int
    header: pygame.Rect
    banner: pygame.Rect | None
    body: pygame.Rect
    footer: pygame.Rect

    @classmethod
    def of(cls, size: tuple[int, int], banner: int, footer_rows: int = 1) -> Frame:
        """`banner`: how many lines of notice (0: none; a long one gets two, not tiny text).
        `footer_rows`: 2 when the button's actions do not fit one row at a readable size (a
        taller footer keeps their text readable from across the table)."""
        w, h = size
        unit = max(1, round(min(h, 0.75 * w)))
        margin = max(4, round(unit * 0.025))
        gap = max(3, round(unit * 0.02))
        header_h = max(20, round(unit * 0.1))
        footer_h = max(26, round(unit * 0.13))
        if footer_rows > 1:  # (on a big screen two rows fit the usual footer)
            footer_h = max(footer_h, 2 * _READABLE_ROW + gap // 2)
        inner = pygame.Rect(margin, margin, w - 2 * margin, h - 2 * margin)
        header = pygame.Rect(inner.x, inner.y, inner.w, header_h)
        footer = pygame.Rect(inner.x, inner.bottom - footer_h, inner.w, footer_h)
        top = header.bottom + gap
        banner_rect = None
        if banner:
            lines = min(int(banner), 2)
            banner_rect = pygame.Rect(
                inner.x, top, inner.w, max(18 * lines, round(unit * (0.04 + 0.05 * lines)))
            )
            top = banner_rect.bottom + gap
        body = pygame.Rect(inner.x, top, inner.w, max(1, footer.top - gap - top))
        return cls(unit, margin, gap, header, banner_rect, body, footer)


def banner_text(view: View) -> str:
    parts = []
    if view.saving:
        saving = view.saving
        if not saving.lower().startswith("saving has stopped"):
            saving = f"Saving has stopped: {saving}"
        parts.append(saving.rstrip(".") + ". The meeting goes on.")
    if view.message:
        parts.append(view.message)
    return "  ".join(parts)


def frame_for(canvas: Canvas, view: View, max_lines: int = 2) -> Frame:
    """The frame for this view; a notice that does not fit one line gets two, up to
    `max_lines` (the slot keeps one: its countdown needs the height)."""
    text = banner_text(view)
    plain = Frame.of(canvas.size, 0)
    texts, height = _chip_texts(_chip_list(view)), plain.footer.height
    size = _row_size(texts, _chips_width(plain), height, plain.gap)
    rows = 1 if _readable_in_one_row(size, height, len(texts)) else 2
    if not text:
        return Frame.of(canvas.size, 0, rows)
    one = Frame.of(canvas.size, 1, rows)
    # The text as large as one line's banner allows; if it does not fit so, two lines.
    room = one.banner.width - one.banner.height * 2
    full = T.size_for_height(round(one.banner.height * 0.75))
    if T.width(text, full) <= room or max_lines < 2:
        return one
    return Frame.of(canvas.size, 2, rows)


def header(
    canvas: Canvas,
    frame: Frame,
    palette: Palette,
    title: str,
    info: str = "",
    icon: str | None = None,
) -> None:
    """Title (with its state icon) on the left, `info` on the right."""
    box = frame.header
    size = T.size_for_height(round(box.height * 0.8))
    info_w = 0
    if info:
        # The title comes first: the info gets what the title leaves, at least a third.
        title_w = T.width(title, size) + (box.height + frame.gap // 2 if icon else 0)
        room = max(box.width // 3, box.width - title_w - frame.gap * 3)
        info_size, shown = T.fit_line(info, room, box.height, size)
        info_w = T.width(shown, info_size) if info_size else 0
    title_box = pygame.Rect(
        box.x, box.y, box.width - info_w - (frame.gap * 3 if info_w else 0), box.h
    )
    canvas.block("header title", title_box)
    x = title_box.x
    if icon:
        square = pygame.Rect(x, box.y, box.height, box.height).inflate(
            -box.height // 6, -box.height // 6
        )
        drawn = icons.draw(canvas.surface, icon, square, palette.fg, palette.bg)
        canvas.shape(f"icon {icon}", drawn)
        x += box.height + frame.gap // 2
    canvas.line(title, pygame.Rect(x, box.y, title_box.right - x, box.h), palette.fg, max_size=size)
    if info_w:
        info_box = pygame.Rect(box.right - info_w, box.y, info_w, box.h)
        canvas.block("header info", info_box)
        canvas.line(info, info_box, palette.muted, max_size=size, align="right")


def banner(canvas: Canvas, frame: Frame, view: View) -> None:
    text = banner_text(view)
    if not text or frame.banner is None:
        return
    box = canvas.block("banner", frame.banner)
    canvas.fill(NOTICE.bg, box, radius=max(2, box.height // 5))
    pad = max(2, box.height // 8)
    square = pygame.Rect(box.x + pad, box.y + pad, box.height - 2 * pad, box.height - 2 * pad)
    drawn = icons.draw(canvas.surface, "warning", square, NOTICE.fg, NOTICE.bg)
    canvas.shape("icon warning", drawn)
    area = pygame.Rect(
        square.right + pad * 2, box.y + pad, box.right - square.right - pad * 3, box.h - 2 * pad
    )
    canvas.paragraph(text, area, NOTICE.fg)


# --- the footer: what tap, hold and long hold do now ------------------------------------------


def footer(canvas: Canvas, frame: Frame, palette: Palette, view: View) -> None:
    box = frame.footer
    ring = pygame.Rect(box.right - box.height, box.y, box.height, box.height)
    chips_box = pygame.Rect(box.x, box.y, _chips_width(frame), box.height)
    _chips(canvas, chips_box, palette, _chip_list(view), view.press.reached, frame.gap)
    press_ring(canvas, ring, palette, view)


def _chip_list(view: View) -> list[tuple[str, str, str | None]]:
    """(key, gesture, what it does now) for each gesture the footer tells."""
    chips = [("tap", "tap", view.tap), ("hold", "hold", view.hold)]
    if view.long_hold is not None:
        chips.append(("long", "long hold", view.long_hold))
    return chips


def _chip_texts(chips: list[tuple[str, str, str | None]]) -> list[str]:
    return [_chip_text(word, action) for _key, word, action in chips]


def _chips_width(frame: Frame) -> int:
    """The footer's width left for the chips, beside the press ring (a square)."""
    return frame.footer.width - frame.footer.height - frame.gap


def _chip_text(word: str, action: str | None) -> str:
    return f"{word}: {action if action else 'nothing'}"


def _readable_in_one_row(size: int, height: int, chips: int) -> bool:
    """Whether `chips` chips in one row `height` tall, at the font `size` they fit at
    (`_row_size`), read well: else a row each is better."""
    return chips < 2 or size >= max(T.MIN_SIZE, T.size_for_height(height // 2) - 1)


def _row_size(texts: list[str], width: int, height: int, gap: int) -> int:
    """The largest font at which chips with these texts fit one row."""
    icon_w = height
    room = width - gap * (len(texts) - 1) - len(texts) * (icon_w + height // 3)
    top = T.size_for_height(round(height * 0.72))
    lo, hi = 0, top
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if sum(T.width(t, mid) for t in texts) <= room:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _chips(canvas, box, palette, chips, reached, gap) -> None:
    texts = _chip_texts(chips)
    # One row when the font stays readable, else a row per chip (up to two rows).
    rows = [list(range(len(chips)))]
    size = _row_size(texts, box.width, box.height, gap)
    if not _readable_in_one_row(size, box.height, len(chips)):
        split = [[0, 1], [2]] if len(chips) == 3 else [[0], [1]]
        row_h = (box.height - gap // 2) // 2
        two = min(_row_size([texts[i] for i in row], box.width, row_h, gap) for row in split)
        if two > size:
            rows, size = split, two
    row_h = box.height if len(rows) == 1 else (box.height - gap // 2) // 2
    size = max(size, min(T.MIN_SIZE, T.size_for_height(round(row_h * 0.72))))
    for r, row in enumerate(rows):
        y = box.y + r * (row_h + gap // 2)
        widths = [row_h + row_h // 3 + T.width(texts[i], size) for i in row]
        room = box.width - gap * (len(row) - 1)
        if sum(widths) > room:  # too long even at the smallest size: share out, texts cut short
            widths = [w * room // sum(widths) for w in widths]
        x = box.x
        for n, i in enumerate(row):
            key, _word, action = chips[i]
            rect = pygame.Rect(x, y, widths[n], row_h)
            _chip(canvas, rect, palette, key, texts[i], action is not None, reached == key, size)
            x = rect.right + gap


def _chip(canvas, rect, palette, key, text, active, lit, size) -> None:
    canvas.block(f"chip {key}", rect)
    back = palette.accent if lit else palette.panel
    ink = palette.on_accent if lit else (palette.fg if active else palette.muted)
    canvas.fill(back, rect, radius=max(2, rect.height // 4))
    pad = max(2, rect.height // 6)
    square = pygame.Rect(rect.x + pad, rect.y + pad, rect.height - 2 * pad, rect.height - 2 * pad)
    canvas.shape(f"icon {key}", icons.draw(canvas.surface, key, square, ink, back))
    area = pygame.Rect(square.right + pad, rect.y, rect.right - square.right - pad * 2, rect.height)
    canvas.line(text, area, ink, size=size)


# --- the press ring ---------------------------------------------------------------------------


def press_ring(canvas: Canvas, rect: pygame.Rect, palette: Palette, view: View) -> None:
    """A ring that fills while the button is down: to a hold, and on to a long hold where one
    has an action (a notch marks the hold), with what releasing now would make in the middle."""
    canvas.block("press ring", rect)
    press = view.press
    centre = rect.center
    outer = rect.width // 2 - 1
    thick = max(3, outer // 3)
    _arc(canvas.surface, palette.panel, centre, outer, thick, 0.0, 1.0)
    if press.down:
        from device.screens.view import RING_STEPS

        fill = press.fill / RING_STEPS
        hold_end = min(fill, press.hold_mark)
        _arc(canvas.surface, palette.accent, centre, outer, thick, 0.0, hold_end)
        if fill > press.hold_mark:
            _arc(canvas.surface, palette.fg, centre, outer, thick, press.hold_mark, fill)
        if press.long_enabled:
            angle = -math.pi / 2 + 2 * math.pi * press.hold_mark
            a = (
                centre[0] + (outer + 1) * math.cos(angle),
                centre[1] + (outer + 1) * math.sin(angle),
            )
            b = (
                centre[0] + (outer - thick - 1) * math.cos(angle),
                centre[1] + (outer - thick - 1) * math.sin(angle),
            )
            pygame.draw.line(canvas.surface, palette.fg, a, b, max(2, thick // 3))
        if press.reached:
            word = {"long": "long"}.get(press.reached, press.reached)
            inner = pygame.Rect(0, 0, (outer - thick) * 2 - 2, (outer - thick) * 2 - 2)
            inner.center = centre
            if inner.width > 6:
                canvas.line(word, inner.inflate(-2, -inner.height // 3), palette.fg)
    canvas.shape("ring", rect)


def _arc(surface, colour, centre, outer, thick, start, end) -> None:
    """A thick arc from `start` to `end` (fractions of a turn, clockwise from 12 o'clock),
    drawn as a polygon: pygame's own thick arcs leave gaps."""
    if end - start <= 0:
        return
    steps = max(2, math.ceil(64 * (end - start)))
    inner = outer - thick
    angles = [
        -math.pi / 2 + 2 * math.pi * (start + (end - start) * i / steps) for i in range(steps + 1)
    ]
    cx, cy = centre
    points = [(cx + outer * math.cos(a), cy + outer * math.sin(a)) for a in angles]
    points += [(cx + inner * math.cos(a), cy + inner * math.sin(a)) for a in reversed(angles)]
    pygame.draw.polygon(surface, colour, points)


# --- the flash: what a missing speaker would have said ----------------------------------------

FLASH_WORDS = {"squeak": "SQUEAK! Time is up", "warning": "One minute left"}


def flash(canvas: Canvas, frame: Frame, name: str) -> None:
    """Invert the whole screen and say the sound in a box across the middle."""
    surface = canvas.surface
    inverted = pygame.Surface(surface.get_size())
    inverted.fill((255, 255, 255))
    inverted.blit(surface, (0, 0), special_flags=pygame.BLEND_RGB_SUB)
    surface.blit(inverted, (0, 0))
    w, h = surface.get_size()
    box = pygame.Rect(0, 0, round(w * 0.8), max(24, round(frame.unit * 0.22)))
    box.center = (w // 2, h // 2)
    canvas.overlay("flash", box)
    pygame.draw.rect(surface, (0, 0, 0), box, border_radius=box.height // 5)
    pygame.draw.rect(surface, (255, 255, 255), box, max(2, box.height // 14), box.height // 5)
    words = FLASH_WORDS.get(name, name)
    size, shown = T.fit_line(words, box.width - box.height // 2, round(box.height * 0.8))
    if size:
        rendered = T.font(size).render(shown, True, (255, 255, 255))
        surface.blit(rendered, rendered.get_rect(center=box.center))
