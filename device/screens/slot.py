"""A topic under discussion: Slot, Warning (last minute), Paused and Time up.

The note's own picture as large as fits, its votes, a big countdown with a
progress bar, what comes next and the meeting's time left. Each state has its
own background brightness and icon (see theme).
"""

from __future__ import annotations

import pygame

from device.screens import chrome
from device.screens.common import NOTE_RGB, best_line
from device.screens.theme import NEUTRAL, PAUSED, TIME_UP, WARNING
from device.screens.view import View
from device.session import Screen, clock_text, votes_text

_LOOK = {
    Screen.SLOT: (NEUTRAL, "play", None),
    Screen.WARNING: (WARNING, "hourglass", "Last minute"),
    Screen.PAUSED: (PAUSED, "pause", "Paused"),
    Screen.TIME_UP: (TIME_UP, "stop", "Time!"),
}


def palette_of(screen: Screen):
    return _LOOK[screen][0]


def slot(canvas, view: View, pictures) -> None:
    palette, icon, state_word = _LOOK[view.screen]
    frame = chrome.frame_for(canvas, view, max_lines=1)
    canvas.fill(palette.bg)
    topic = view.current
    title = "Topic"
    if topic is not None:
        title = f"Topic #{topic.rank}"
        if view.slot_kind == "extension" or (view.screen is Screen.TIME_UP and topic.extensions):
            title += f", extension {topic.extensions}"
    if state_word:
        title = f"{state_word}  {title}"
    chrome.header(canvas, frame, palette, title, _meeting_text(view), icon=icon)
    chrome.banner(canvas, frame, view)
    body = frame.body
    gap = frame.gap
    # The picture: as large as fits beside a countdown readable across the table.
    if body.height > body.width * 1.1:
        # A screen standing upright: the picture on top, the countdown beneath it.
        pic_h = min(body.width, round(body.height * 0.38))
        pic_box = pygame.Rect(body.x, body.y, body.width, pic_h)
        col = pygame.Rect(
            body.x, pic_box.bottom + gap * 2, body.width, body.bottom - pic_box.bottom - gap * 2
        )
    else:
        pic_w = min(body.height, round(body.width * 0.36))
        pic_box = pygame.Rect(body.x, body.y, pic_w, body.height)
        col = pygame.Rect(
            pic_box.right + gap * 2, body.y, body.right - pic_box.right - gap * 2, body.height
        )
    canvas.block("note picture", pic_box)
    picture = pictures.note(topic.picture if topic else None, pic_box.size)
    if picture is not None:
        canvas.image(picture, pic_box)
    elif topic is not None:
        side = min(pic_box.size)
        square = pygame.Rect(0, 0, side, side)
        square.center = pic_box.center
        canvas.fill(NOTE_RGB.get(topic.colour, (220, 220, 220)), square)
        canvas.line(
            f"#{topic.rank}", square.inflate(-side // 3, -side // 3), (30, 30, 30), align="center"
        )

    votes_h = max(14, round(col.height * 0.13))
    next_h = max(14, round(col.height * 0.11))
    bar_h = max(6, round(col.height * 0.045))
    digits_h = col.height - votes_h - next_h - bar_h - gap * 3

    row = pygame.Rect(col.x, col.y, col.width, votes_h)
    canvas.block("votes", row)
    if topic is not None:
        tie = ", a tie" if topic.tied else ""
        variants = [f"{votes_text(topic.votes)}{tie}", f"{topic.votes}{' =' if topic.tied else ''}"]
        canvas.line(best_line(variants, row.width, row.height), row, palette.fg)

    big = pygame.Rect(col.x, row.bottom + gap, col.width, digits_h)
    canvas.block("countdown", big)
    bar = pygame.Rect(col.x, big.bottom + gap, col.width, bar_h)
    if view.screen is Screen.TIME_UP:
        # The group decides: the question, and what each answer makes the facilitator do.
        ask = pygame.Rect(big.x, big.y, big.width, round(big.height * 0.64))
        question = "Time's up!\nWrap it up" if view.no_extension_left else "Thumbs up\nto go on?"
        canvas.paragraph(question, ask, palette.fg, align="center")
        answers = f"Up: hold, {view.hold}\nDown: tap, {view.tap}"
        if view.no_extension_left:
            answers = f"No extension left\nTap: {view.tap}"
        rest = pygame.Rect(big.x, ask.bottom + gap, big.width, big.bottom - ask.bottom - gap)
        canvas.paragraph(answers, rest, palette.muted, align="center")
    else:
        reference = "00:00" if (view.planned or 0) >= 600 else "0:00"
        canvas.digits(clock_text(view.left), big, palette.fg, reference)
    canvas.block("progress", bar)
    _bar(canvas, bar, palette, view)

    nxt = pygame.Rect(col.x, bar.bottom + gap, col.width, col.bottom - bar.bottom - gap)
    canvas.block("next", nxt)
    canvas.line(view.next_text, nxt, palette.muted)
    chrome.footer(canvas, frame, palette, view)


def _bar(canvas, bar, palette, view: View) -> None:
    """The slot's time as a bar that empties; a paused slot shows it hatched."""
    canvas.fill(palette.panel, bar, radius=bar.height // 2)
    planned = view.planned or 0
    left = view.left if view.left is not None else 0
    share = 0.0 if planned <= 0 else max(0.0, min(1.0, left / planned))
    filled = pygame.Rect(bar.x, bar.y, round(bar.width * share), bar.height)
    if filled.width > 0:
        canvas.fill(palette.accent, filled, radius=bar.height // 2)
        if view.screen is Screen.PAUSED:
            step = max(4, bar.height)
            for x in range(filled.x, filled.right, step * 2):
                stripe = pygame.Rect(x, filled.y, step, filled.height).clip(filled)
                canvas.surface.fill(palette.panel, stripe)


def _meeting_text(view: View) -> str:
    left = view.meeting_left
    if left is None:
        return ""
    if left <= 0:
        return "Meeting time is up"
    if left == 1:
        return "Meeting: under 1 min left"
    return f"Meeting: {left} min left"
