"""Board: the ranked topics (note pictures, votes, ties) beside the wall photo, or on a small
screen in turn with it.

The photo is labelled here, at the screen's scale: every note gets "#rank: votes" in the
screen's own font, never smaller than `smallest_label()`, never over another label (see
`place_labels`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pygame

from device.screens import chrome
from device.screens import text as T
from device.screens.common import best_line, tiles
from device.screens.pictures import Mark, ShownPhoto
from device.screens.theme import NEUTRAL
from device.screens.view import View
from device.session import votes_text
from device.topics import Status

# Below this scale (the frame's unit: 320 on a 480x320 screen) the topics and the photo do
# not both fit at a readable size: they take turns, each over the whole body.
TURNS_BELOW_UNIT = 400
PAGE_SECONDS = 8.0  # how long each turn lasts
# A label covers at most this much of a typical note's height, so its dots stay in sight
# (unless even the smallest readable label is taller).
LABEL_OF_NOTE = 0.5
LABEL_INK = (255, 255, 255)
LABEL_BACK = (0, 0, 0, 190)  # a dark box the note's dots still show through


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
    label_h = max(8, round(frame.unit * 0.06))
    if turns and view.board_page == 0:
        photo = None  # the topics' turn: all of the body
    elif turns:
        # The photo's turn. A wide screen's photo is as tall as the body, its line beside it
        # (the photo, height-bound, leaves that room anyway); otherwise the line goes under it.
        photo = pictures.photo(view.photo, body.size)
        room = body.width - (photo.surface.get_width() if photo else 0) - frame.gap * 2
        if photo is not None and room >= round(frame.unit * 0.3):
            _photo_beside(canvas, frame, photo, room, palette)
            chrome.footer(canvas, frame, palette, view)
            return
        photo = pictures.photo(view.photo, (body.width, body.height - label_h - frame.gap))
    elif wide:
        photo = pictures.photo(view.photo, (round(body.width * 0.4), body.height - frame.gap * 3))
    elif tall:
        photo = pictures.photo(view.photo, (body.width, round(body.height * 0.3)))
    else:
        photo = None  # a squarish screen: the tiles need all of it
    if photo is not None:
        pw, ph = photo.surface.get_size()
        if turns:
            spare = body.height - ph - frame.gap // 2 - label_h
            box = pygame.Rect(body.centerx - pw // 2, body.y + max(0, spare // 2), pw, ph)
            label = pygame.Rect(body.x, box.bottom + frame.gap // 2, body.width, label_h)
        elif wide:
            box = pygame.Rect(body.right - pw, body.y, pw, ph)
            area = pygame.Rect(body.x, body.y, body.width - pw - frame.gap * 2, body.height)
            label = pygame.Rect(box.x, box.bottom + frame.gap // 2, box.width, label_h)
        else:
            box = pygame.Rect(body.x, body.bottom - ph - label_h - frame.gap // 2, body.width, ph)
            area = pygame.Rect(body.x, body.y, body.width, box.top - body.y - frame.gap * 2)
            label = pygame.Rect(box.x, box.bottom + frame.gap // 2, box.width, label_h)
        labelled = labelled_photo(canvas, box, photo, frame.unit)
        if label.bottom <= body.bottom:
            canvas.block("photo label", label)
            text = best_line(check_line(labelled), label.width, label.height)
            canvas.line(text, label, palette.muted, align="center")
        if turns:
            chrome.footer(canvas, frame, palette, view)
            return
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


def _photo_beside(canvas, frame, photo: ShownPhoto, room: int, palette) -> None:
    body = frame.body
    pw, ph = photo.surface.get_size()
    box = pygame.Rect(body.x, body.y + (body.height - ph) // 2, pw, ph)
    labelled = labelled_photo(canvas, box, photo, frame.unit)
    line = pygame.Rect(box.right + frame.gap * 2, body.y, room, body.height)
    canvas.block("photo label", line)
    most = T.size_for_height(max(8, round(frame.unit * 0.06)))
    canvas.paragraph(check_line(labelled)[0], line, palette.muted, max_size=most)


def _caption(topic, side, height) -> list[str]:
    n = topic.votes
    if not topic.on_wall:
        return [f"#{topic.rank} gone", f"#{topic.rank}"]
    if topic.status is Status.DISCUSSED:
        return [f"#{topic.rank} done", f"#{topic.rank}"]
    if topic.status is Status.SKIPPED:
        return [f"#{topic.rank} skipped", f"#{topic.rank}"]
    return [f"#{topic.rank}  {votes_text(n)}", f"#{topic.rank}: {n}"]


# --- the photo's labels -----------------------------------------------------------------------


@dataclass(frozen=True)
class Label:
    rank: int
    text: str  # "#rank: votes", or just the votes where the full label has no room
    rect: tuple[int, int, int, int]  # the label's box, in the shown photo's pixels


@dataclass(frozen=True)
class Labels:
    size: int  # the font size of every label (0: none)
    labels: tuple[Label, ...]
    left_off: int = 0  # notes without a label: not even their votes had room

    @property
    def short(self) -> int:
        return sum(1 for label in self.labels if not label.text.startswith("#"))


def labelled_photo(canvas, box: pygame.Rect, shown: ShownPhoto, unit: int) -> Labels:
    """The photo in `box` (a block of its own) with its labels over it."""
    canvas.block("photo", box)
    placed = canvas.image(shown.surface, box)
    # As large as the photo's caption line at most, however big the notes are on screen.
    top = max(smallest_label(), T.size_for_height(round(unit * 0.06)))
    labels = place_labels(shown.marks, shown.surface.get_size(), top)
    pad = _pad(labels.size)
    for label in labels.labels:
        rect = pygame.Rect(label.rect).move(placed.topleft)
        canvas.surface.blit(_back(rect.width, rect.height), rect.topleft)
        canvas.shape("label back", rect)
        canvas.line(
            label.text, rect.inflate(-2 * pad, 0), LABEL_INK, size=labels.size, align="center"
        )
    return labels


def check_line(labels: Labels) -> list[str]:
    """What the line under the photo says, fullest first: how to read the labels."""
    full = short = "Check the count: #rank: dots"
    if labels.short:
        full, short = full + ", or just dots on small notes", short + ", or just dots"
    if labels.left_off:
        notes = "notes" if labels.left_off > 1 else "note"
        full += f"; {labels.left_off} small {notes} not labelled"
        short += f"; {labels.left_off} unlabelled"
    return [full, short] if full != short else [full]


@functools.lru_cache(maxsize=1)
def smallest_label() -> int:
    """The smallest label font: at text.MIN_SIZE digits ink only 7 pixels (its line is 9, for
    the descenders and bars labels never have), so labels go up to where their text is as
    tall as the layout tests' minimum, the minimum's line less a pixel."""
    size = T.MIN_SIZE
    while T.font(size).size("#0: 0")[1] < T.line_height(T.MIN_SIZE) - 1:
        size += 1
    return size


@functools.lru_cache(maxsize=256)
def _back(w: int, h: int) -> pygame.Surface:
    back = pygame.Surface((w, h), pygame.SRCALPHA)
    pygame.draw.rect(back, LABEL_BACK, back.get_rect(), border_radius=max(2, h // 4))
    return back


def _pad(size: int) -> int:
    return max(2, T.line_height(size) // 4)


@functools.lru_cache(maxsize=32)
def place_labels(marks: tuple[Mark, ...], size: tuple[int, int], max_size: int) -> Labels:
    """Labels for `marks` in a photo of `size`: one font size for all, the largest at which
    every note's "#rank: votes" has a place over its note, clear of the others' labels, and
    no taller than LABEL_OF_NOTE of a typical note.

    When not even `smallest_label()` gives every note its label, the notes are labelled in rank
    order at that size, and a note whose full label has no place left shows just its votes,
    or, as a last resort, nothing: labels never cover each other.
    """
    if not marks:
        return Labels(0, ())
    heights = sorted(m.bounds.height for m in marks)
    room = heights[len(heights) // 2] * LABEL_OF_NOTE
    top = max_size
    least = smallest_label()
    while top > least and T.line_height(top) + _pad(top) > room:
        top -= 1
    font = top
    while font > least:
        labels = _placed(marks, size, font, shorten=False)
        if labels is not None:
            return labels
        font = max(least, font - max(1, font // 8))
    return _placed(marks, size, least, shorten=True)


def _placed(marks, size, font: int, *, shorten: bool) -> Labels | None:
    """Labels at one font size in rank order; None if one has no place and not `shorten`."""
    bounds = pygame.Rect((0, 0), size)
    taken: list[pygame.Rect] = []
    labels, left_off = [], 0
    pad = _pad(font)
    height = T.line_height(font) + pad
    for mark in sorted(marks, key=lambda m: m.rank):
        texts = [f"#{mark.rank}: {mark.votes}"] + ([str(mark.votes)] if shorten else [])
        for text in texts:
            rect = _spot(mark, T.width(text, font) + 2 * pad, height, bounds, taken)
            if rect is not None:
                taken.append(rect)
                labels.append(Label(mark.rank, text, tuple(rect)))
                break
        else:
            if not shorten:
                return None
            left_off += 1
    return Labels(font, tuple(labels), left_off)


def _spot(mark: Mark, w: int, h: int, bounds: pygame.Rect, taken) -> pygame.Rect | None:
    """Where a w x h label goes on `mark`: inside the note near its top, else its bottom, else
    its middle or a corner, the place covering the fewest of its dots; its middle always over
    the note, inside the photo, clear of the labels `taken`. None if there is no such place."""
    box = mark.bounds
    cx, cy = mark.centre
    inset = max(1, h // 6)
    # Within the note first; on a note smaller than its label, off to a side of it as far
    # as keeps the label's middle over the note.
    xs = (cx, box.left + inset + w / 2, box.right - inset - w / 2, box.left + 2, box.right - 2)
    ys = (box.top + inset + h / 2, box.bottom - inset - h / 2, cy, box.top + 2, box.bottom - 2)
    best, best_covered = None, 0
    for y in ys:
        for x in xs:
            rect = pygame.Rect(round(x - w / 2), round(y - h / 2), w, h).clamp(bounds)
            if not mark.contains(rect.center):
                continue
            if rect.inflate(2, 2).collidelist(taken) != -1:
                continue
            covered = sum(1 for d in mark.dots if rect.collidepoint(d))
            if best is None or covered < best_covered:
                best, best_covered = rect, covered
                if covered == 0:
                    return best
    return best
