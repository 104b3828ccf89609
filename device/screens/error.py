"""Error: what is wrong, in one sentence, and what to do."""

from __future__ import annotations

from device.screens import chrome
from device.screens.common import hero
from device.screens.theme import ERROR
from device.screens.view import View


def error(canvas, view: View, pictures) -> None:
    frame = chrome.frame_for(canvas, view)
    chrome.header(canvas, frame, ERROR, "Problem", icon="warning")
    chrome.banner(canvas, frame, view)
    what = view.error or "Something went wrong: tap to try again."
    hero(canvas, frame.body, ERROR, "warning", "The scan did not work", what, gap=frame.gap)
    chrome.footer(canvas, frame, ERROR, view)
