"""A pygame surface that records what was drawn where, so tests can check the layout.

Screens lay themselves out in *blocks* (the header, a tile, the countdown, a
footer chip...): rectangles that must lie inside the surface and never overlap
one another. Everything drawn inside a block is recorded as an *item* of that
block with the rectangle it really covers (the ink of a text, the scaled
picture), which must stay inside its block. *Overlays* (the flash that stands
in for a missing speaker) deliberately cover other things and are exempt.
"""

from __future__ import annotations

from dataclasses import dataclass

import pygame

from device.screens import text as T
from device.screens.theme import Colour

BLOCK, ITEM, OVERLAY = "block", "item", "overlay"


@dataclass(frozen=True)
class Drawn:
    kind: str  # block, item or overlay
    name: str
    rect: tuple[int, int, int, int]  # x, y, w, h
    block: str | None = None  # the block an item belongs to

    @property
    def r(self) -> pygame.Rect:
        return pygame.Rect(self.rect)


class Canvas:
    def __init__(self, surface: pygame.Surface) -> None:
        self.surface = surface
        self.drawn: list[Drawn] = []
        self._block: str | None = None

    @property
    def rect(self) -> pygame.Rect:
        return self.surface.get_rect()

    @property
    def size(self) -> tuple[int, int]:
        return self.surface.get_size()

    def block(self, name: str, rect: pygame.Rect) -> pygame.Rect:
        """Start a block: what is drawn next belongs to it (until the next block)."""
        rect = pygame.Rect(rect)
        self.drawn.append(Drawn(BLOCK, name, tuple(rect)))
        self._block = name
        return rect

    def _item(self, name: str, rect: pygame.Rect) -> None:
        if rect.width > 0 and rect.height > 0:
            self.drawn.append(Drawn(ITEM, name, tuple(rect), self._block))

    def overlay(self, name: str, rect: pygame.Rect) -> None:
        self.drawn.append(Drawn(OVERLAY, name, tuple(pygame.Rect(rect))))

    # --- drawing ---

    def fill(self, colour: Colour, rect: pygame.Rect | None = None, radius: int = 0) -> None:
        if rect is None:
            self.surface.fill(colour)
            return
        rect = pygame.Rect(rect)
        if radius > 0:
            pygame.draw.rect(self.surface, colour, rect, border_radius=radius)
        else:
            self.surface.fill(colour, rect)
        self._item("box", rect)

    def line(
        self,
        text: str,
        box: pygame.Rect,
        colour: Colour,
        *,
        max_size: int = 0,
        min_size: int = T.MIN_SIZE,
        align: str = "left",
        valign: str = "center",
        size: int | None = None,
    ) -> pygame.Rect:
        """One line of text fitted into `box` (shrunk, then cut short with "..."); its rect."""
        box = pygame.Rect(box)
        if not text:
            return pygame.Rect(box.x, box.y, 0, 0)
        if size is None:
            size, shown = T.fit_line(text, box.width, box.height, max_size, min_size)
        else:
            shown = T.elide(text, box.width, size)
        if not size or not shown:
            return pygame.Rect(box.x, box.y, 0, 0)
        rendered = T.font(size).render(shown, True, colour)
        return self._place(rendered, box, align, valign, f"text {shown!r}")

    def paragraph(
        self,
        text: str,
        box: pygame.Rect,
        colour: Colour,
        *,
        max_size: int = 0,
        min_size: int = T.MIN_SIZE,
        align: str = "left",
        valign: str = "center",
    ) -> pygame.Rect:
        """Wrapped text, as large as fits the box; the rect of all its lines."""
        box = pygame.Rect(box)
        size, lines = T.fit_paragraph(text, box.width, box.height, max_size, min_size)
        if not size or not lines:
            return pygame.Rect(box.x, box.y, 0, 0)
        step = T.line_height(size)
        total = step * len(lines)
        y = _aligned(box.y, box.height, total, valign)
        covered = None
        for shown in lines:
            if shown:
                rendered = T.font(size).render(shown, True, colour)
                row = pygame.Rect(box.x, y, box.width, step)
                rect = self._place(rendered, row, align, "top", f"text {shown!r}")
                covered = rect if covered is None else covered.union(rect)
            y += step
        return covered or pygame.Rect(box.x, box.y, 0, 0)

    def digits(self, text: str, box: pygame.Rect, colour: Colour, reference: str) -> pygame.Rect:
        """Big digits: the largest size at which `reference` (the widest text this countdown can
        show) fits the box by its ink, so the size stays put as the seconds change."""
        box = pygame.Rect(box)
        size = _digits_size(reference, box.width, box.height)
        if not size:
            return pygame.Rect(box.x, box.y, 0, 0)
        top, height = T.digits_ink(size)
        rendered = T.font(size).render(text, True, colour)
        ink = pygame.Rect(0, top, rendered.get_width(), height)
        ink = ink.clip(rendered.get_rect())
        x = box.x + (box.width - ink.width) // 2
        y = box.y + (box.height - ink.height) // 2
        rect = pygame.Rect(x, y, ink.width, ink.height).clip(box)
        area = pygame.Rect(ink.x + rect.x - x, ink.y + rect.y - y, rect.width, rect.height)
        self.surface.blit(rendered, rect.topleft, area)
        self._item(f"digits {text!r}", rect)
        return rect

    def image(
        self, picture: pygame.Surface, box: pygame.Rect, align: str = "center"
    ) -> pygame.Rect:
        """A surface already scaled to fit `box`, placed in it."""
        return self._place(picture, pygame.Rect(box), align, "center", "picture")

    def shape(self, name: str, rect: pygame.Rect) -> None:
        """Record a shape drawn directly on the surface (an icon, a ring)."""
        self._item(name, pygame.Rect(rect))

    def _place(
        self, rendered: pygame.Surface, box: pygame.Rect, align: str, valign: str, name: str
    ) -> pygame.Rect:
        w, h = rendered.get_size()
        x = _aligned(box.x, box.width, w, {"left": "top", "right": "bottom"}.get(align, align))
        y = _aligned(box.y, box.height, h, valign)
        # A glyph taller than the font's line (an accent on a capital) must not leave the box.
        rect = pygame.Rect(x, y, w, h).clip(box)
        self.surface.blit(rendered, rect.topleft, rect.move(-x, -y))
        self._item(name, rect)
        return rect


def _aligned(start: int, room: int, size: int, how: str) -> int:
    if how == "top":
        return start
    if how == "bottom":
        return start + room - size
    return start + (room - size) // 2


def _digits_size(reference: str, box_w: int, box_h: int) -> int:
    lo, hi = 0, max(1, box_h * 3)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        # 3% to spare: a rendered line can overhang its advance width by a pixel or two.
        if T.width(reference, mid) * 1.03 <= box_w and T.digits_ink(mid)[1] <= box_h:
            lo = mid
        else:
            hi = mid - 1
    return lo


def overlaps(drawn: list[Drawn]) -> list[tuple[str, str]]:
    """Pairs of blocks that overlap (what the layout tests expect to be empty)."""
    blocks = [d for d in drawn if d.kind == BLOCK]
    found = []
    for i, a in enumerate(blocks):
        for b in blocks[i + 1 :]:
            if a.r.colliderect(b.r):
                found.append((a.name, b.name))
    return found


def strays(drawn: list[Drawn], size: tuple[int, int]) -> list[str]:
    """Blocks or overlays outside the surface, and items outside their block."""
    screen = pygame.Rect((0, 0), size)
    blocks = {d.name: d.r for d in drawn if d.kind == BLOCK}
    names = [d.name for d in drawn if d.kind == BLOCK]
    bad = [f"block name {n!r} used twice" for n in sorted(set(names)) if names.count(n) > 1]
    for d in drawn:
        if d.kind in (BLOCK, OVERLAY) and not screen.contains(d.r):
            bad.append(f"{d.kind} {d.name} {d.rect} outside the screen {size}")
        elif d.kind == ITEM:
            parent = blocks.get(d.block)
            if parent is None:
                bad.append(f"item {d.name} drawn outside any block")
            elif not parent.contains(d.r):
                bad.append(f"item {d.name} {d.rect} outside its block {d.block} {tuple(parent)}")
    return bad
