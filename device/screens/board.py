"""Board: the ranked topics (note pictures, votes, ties) beside the annotated photo, or on a
small screen in turn with it."""

from __future__ import annotations

import pygame

from device.screens import chrome
from device.screens.common import tiles
from device.screens.theme import NEUTRAL
from device.screens.view import View, votes
from device.topics import Status

# Below this scale (the frame's unit: 320 on a 480x320 screen) the topics and the photo do
# not both fit at a readable size: they take turns, each over the whole body.
TURNS_BELOW_UNIT = 400
PAGE_SECONDS = 8.0  # how long each turn lasts


def takes_turns(size: tuple[int, int]) -> bool:
    return chrome.Frame.of(size, 0).unit < TURNS_BELOW_UNIT


def board(canvas, view: View, pictures) -> None:
    frame = chrome.frame_for(canvas, view)
    palette = NEUTRAL
    on_wall = sum(1 for t in view.topics if t.on_wall)
    title = "Board, meeting over" if view.reviewing else f"Board: {on_wall} topics"
    info = f"{view.total_votes} dots, about {view.voters} voters"
    if view.stray_dots:
        info += f" ({view.stray_dots} off the notes)"
    chrome.header(canvas, frame, palette, title, info)
    chrome.banner(canvas, frame, view)
    body = frame.body
    area = body
    wide = body.width > body.height * 1.2
    tall = body.height > body.width * 1.2
    turns = takes_turns(canvas.size) and view.photo is not None
    if turns and view.board_page == 0:
        photo = None  # the topics' turn: all of the body
    elif turns:
        label_h = max(8, round(frame.unit * 0.06))
        photo = pictures.photo(view.photo, (body.width, body.height - label_h - frame.gap))
        pw, ph = photo.get_size()
        box = pygame.Rect(body.centerx - pw // 2, body.y, pw, ph)
        canvas.block("photo", box)
        canvas.image(photo, box)
        label = pygame.Rect(body.x, box.bottom + frame.gap // 2, body.width, label_h)
        canvas.block("photo label", label)
        canvas.line("Check the count: #rank: dots", label, palette.muted, align="center")
        chrome.footer(canvas, frame, palette, view)
        return
    elif wide:
        photo = pictures.photo(view.photo, (round(body.width * 0.4), body.height - frame.gap * 3))
    elif tall:
        photo = pictures.photo(view.photo, (body.width, round(body.height * 0.3)))
    else:
        photo = None  # a squarish screen: the tiles need all of it
    if photo is not None:
        label_h = max(8, round(frame.unit * 0.06))
        pw, ph = photo.get_size()
        if wide:
            box = pygame.Rect(body.right - pw, body.y, pw, ph)
            area = pygame.Rect(body.x, body.y, body.width - pw - frame.gap * 2, body.height)
        else:
            box = pygame.Rect(body.x, body.bottom - ph - label_h - frame.gap // 2, body.width, ph)
            area = pygame.Rect(body.x, body.y, body.width, box.top - body.y - frame.gap * 2)
        canvas.block("photo", box)
        canvas.image(photo, box)
        label = pygame.Rect(box.x, box.bottom + frame.gap // 2, box.width, label_h)
        if label.bottom <= body.bottom:
            canvas.block("photo label", label)
            canvas.line("Check the count: #rank: dots", label, palette.muted, align="center")
    tiles(
        canvas,
        area,
        view.topics,
        pictures,
        palette,
        gap=frame.gap,
        unit=frame.unit,
        caption=_caption,
    )
    chrome.footer(canvas, frame, palette, view)


def _caption(topic, side, height) -> list[str]:
    n = topic.votes
    if not topic.on_wall:
        return [f"#{topic.rank} gone", f"#{topic.rank}"]
    if topic.status is Status.DISCUSSED:
        return [f"#{topic.rank} done", f"#{topic.rank}"]
    if topic.status is Status.SKIPPED:
        return [f"#{topic.rank} skipped", f"#{topic.rank}"]
    return [f"#{topic.rank}  {votes(n)}", f"#{topic.rank}: {n}"]
