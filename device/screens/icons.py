"""Plain vector icons, one per state, so a state reads by shape as well as colour."""

from __future__ import annotations

import math

import pygame

from device.screens.theme import Colour


def draw(
    surface: pygame.Surface,
    name: str,
    rect: pygame.Rect,
    colour: Colour,
    back: Colour | None = None,
) -> pygame.Rect:
    """Draw icon `name` in `colour` centred in a square fitted into `rect`; `back` is the colour
    of cut-outs (the background it sits on). Returns the square."""
    side = min(rect.width, rect.height)
    box = pygame.Rect(0, 0, side, side)
    box.center = rect.center
    if side >= 4:
        _ICONS[name](surface, box, colour, back if back is not None else _contrast(colour))
    return box


def _w(box: pygame.Rect, share: float = 0.09) -> int:
    return max(2, round(box.width * share))


def _play(s, b, c, k):
    pts = [(b.left + b.w * 0.22, b.top + b.h * 0.12), (b.left + b.w * 0.86, b.centery)]
    pts.append((b.left + b.w * 0.22, b.top + b.h * 0.88))
    pygame.draw.polygon(s, c, pts)


def _pause(s, b, c, k):
    bar = pygame.Rect(0, 0, round(b.w * 0.26), round(b.h * 0.8))
    bar.midleft = (b.left + round(b.w * 0.12), b.centery)
    s.fill(c, bar)
    bar.midright = (b.right - round(b.w * 0.12), b.centery)
    s.fill(c, bar)


def _hourglass(s, b, c, k):
    t, m, bt = b.top + b.h * 0.08, b.centery, b.bottom - b.h * 0.08
    left, right = b.left + b.w * 0.18, b.right - b.w * 0.18
    pygame.draw.polygon(s, c, [(left, t), (right, t), (b.centerx, m)], _w(b))
    pygame.draw.polygon(s, c, [(b.centerx, m), (right, bt), (left, bt)])
    pygame.draw.line(s, c, (left - b.w * 0.06, t), (right + b.w * 0.06, t), _w(b))


def _stop(s, b, c, k):
    r = b.w * 0.48
    angles = [math.radians(22.5 + 45 * i) for i in range(8)]
    pts = [(b.centerx + r * math.cos(a), b.centery + r * math.sin(a)) for a in angles]
    pygame.draw.polygon(s, c, pts)
    bar = pygame.Rect(0, 0, round(b.w * 0.56), max(2, round(b.h * 0.16)))
    bar.center = b.center
    s.fill(k, bar)  # the stop sign's white bar, in the colour it sits on


def _triangle(s, b, c, k):
    pts = [(b.centerx, b.top + b.h * 0.06), (b.right - b.w * 0.04, b.bottom - b.h * 0.08)]
    pts.append((b.left + b.w * 0.04, b.bottom - b.h * 0.08))
    pygame.draw.polygon(s, c, pts)
    ink = k
    bar = pygame.Rect(0, 0, max(2, round(b.w * 0.1)), round(b.h * 0.36))
    bar.midtop = (b.centerx, b.top + round(b.h * 0.34))
    s.fill(ink, bar)
    dot = pygame.Rect(0, 0, bar.width, bar.width)
    dot.midtop = (b.centerx, bar.bottom + max(1, round(b.h * 0.06)))
    s.fill(ink, dot)


def _camera(s, b, c, k):
    body = pygame.Rect(b.left, b.top + round(b.h * 0.28), b.w, round(b.h * 0.58))
    pygame.draw.rect(s, c, body, border_radius=max(1, b.w // 12))
    bump = pygame.Rect(0, 0, round(b.w * 0.34), round(b.h * 0.14))
    bump.midbottom = (b.centerx, body.top + 1)
    s.fill(c, bump)
    pygame.draw.circle(s, k, body.center, max(2, round(b.w * 0.2)))
    pygame.draw.circle(s, c, body.center, max(1, round(b.w * 0.11)))


def _check(s, b, c, k):
    pts = [(b.left + b.w * 0.1, b.top + b.h * 0.55), (b.left + b.w * 0.4, b.top + b.h * 0.82)]
    pts.append((b.left + b.w * 0.9, b.top + b.h * 0.2))
    pygame.draw.lines(s, c, False, pts, max(2, round(b.w * 0.14)))


def _resume(s, b, c, k):
    pygame.draw.circle(s, c, b.center, round(b.w * 0.45), _w(b, 0.1))
    inner = b.inflate(-round(b.w * 0.4), -round(b.h * 0.4))
    _play(s, inner, c, k)


# Gesture marks for the footer: one dot, a dot in a ring, a dot in two rings.
def _tap(s, b, c, k):
    pygame.draw.circle(s, c, b.center, max(2, round(b.w * 0.22)))


def _hold(s, b, c, k):
    _tap(s, b, c, k)
    pygame.draw.circle(s, c, b.center, max(3, round(b.w * 0.42)), max(1, round(b.w * 0.09)))


def _long(s, b, c, k):
    pygame.draw.circle(s, c, b.center, max(2, round(b.w * 0.16)))
    pygame.draw.circle(s, c, b.center, max(3, round(b.w * 0.32)), max(1, round(b.w * 0.07)))
    pygame.draw.circle(s, c, b.center, max(4, round(b.w * 0.48)), max(1, round(b.w * 0.07)))


def _contrast(c: Colour) -> Colour:
    return (0, 0, 0) if sum(c) > 380 else (255, 255, 255)


_ICONS = {
    "play": _play,
    "pause": _pause,
    "hourglass": _hourglass,
    "stop": _stop,
    "warning": _triangle,
    "camera": _camera,
    "check": _check,
    "resume": _resume,
    "tap": _tap,
    "hold": _hold,
    "long": _long,
}
