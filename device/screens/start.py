"""Ready (write topics, vote, then tap to scan) and Resume? (after a restart)."""

from __future__ import annotations

from device.screens import chrome
from device.screens.common import hero
from device.screens.theme import NEUTRAL
from device.screens.view import View


def ready(canvas, view: View, pictures) -> None:
    frame = chrome.frame_for(canvas, view)
    chrome.header(canvas, frame, NEUTRAL, "Lean Coffee", icon="camera")
    chrome.banner(canvas, frame, view)
    hero(
        canvas,
        frame.body,
        NEUTRAL,
        "camera",
        "Ready",
        "Write topics on post-its, stick them on the wall and vote with dots. "
        "Then tap the button to scan the wall.",
        gap=frame.gap,
    )
    chrome.footer(canvas, frame, NEUTRAL, view)


def resume(canvas, view: View, pictures) -> None:
    frame = chrome.frame_for(canvas, view)
    chrome.header(canvas, frame, NEUTRAL, "Lean Coffee", icon="resume")
    chrome.banner(canvas, frame, view)
    info = view.resume
    parts = ["A meeting was left unfinished"]
    if info is not None:
        if info.started:
            parts[0] += f" ({info.started})"
        detail = f"{info.topics} topics, {info.discussed} discussed"
        if info.where:
            detail += f"; {info.where}"
        parts.append(detail)
    text = ": ".join(parts) + ". Tap to resume it; hold to start a new meeting."
    hero(canvas, frame.body, NEUTRAL, "resume", "Resume the meeting?", text, gap=frame.gap)
    chrome.footer(canvas, frame, NEUTRAL, view)
