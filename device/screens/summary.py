"""Summary: what the meeting discussed, in order, and how to get the record."""

from __future__ import annotations

import pygame

from device.screens import chrome
from device.screens.common import tiles
from device.screens.theme import NEUTRAL
from device.screens.view import View
from device.session import clock_text
from device.topics import Status


def summary(canvas, view: View, pictures) -> None:
    frame = chrome.frame_for(canvas, view)
    palette = NEUTRAL
    discussed = [t for t in view.topics if t.status is Status.DISCUSSED]
    skipped = sum(1 for t in view.topics if t.status is Status.SKIPPED)
    waiting = sum(1 for t in view.topics if t.status is Status.WAITING and t.on_wall)
    chrome.header(canvas, frame, palette, "Meeting over", f"{view.duration} min", icon="check")
    chrome.banner(canvas, frame, view)
    body = frame.body
    stats_h = max(16, round(body.height * 0.12))
    stats = pygame.Rect(body.x, body.y, body.width, stats_h)
    canvas.block("stats", stats)
    parts = [f"{len(discussed)} of {len(view.topics)} topics discussed"]
    if skipped:
        parts.append(f"{skipped} skipped")
    if waiting:
        parts.append(f"{waiting} not reached")
    parts.append(f"{view.total_votes} dots, about {view.voters} voters")
    canvas.line(", ".join(parts) + ".", stats, palette.fg)
    foot_h = max(14, round(body.height * 0.09))
    hint = pygame.Rect(body.x, body.bottom - foot_h, body.width, foot_h)
    area = pygame.Rect(
        body.x, stats.bottom + frame.gap, body.width, hint.top - stats.bottom - frame.gap * 2
    )
    order = sorted(
        (t for t in view.topics if t.order is not None),
        key=lambda t: t.order,
    )
    tiles(canvas, area, order, pictures, palette, gap=frame.gap, unit=frame.unit, caption=_caption)
    canvas.block("export hint", hint)
    saved = "Not saved (see above)." if view.saving else "Saved."
    canvas.line(f"{saved} Get the record with: leancoffee export", hint, palette.muted)
    chrome.footer(canvas, frame, palette, view)


def _caption(topic, side, height) -> list[str]:
    time = clock_text(topic.seconds)
    more = f" +{topic.extensions}" if topic.extensions else ""
    if topic.status is Status.SKIPPED:
        return [f"{topic.order}. #{topic.rank} skipped", f"{topic.order}. skipped"]
    return [f"{topic.order}. #{topic.rank} {time}{more}", f"{topic.order}. {time}", time]
