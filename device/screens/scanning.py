"""Scanning: the "3-2-1, step aside" countdown, then progress (taking photo, counting dots)."""

from __future__ import annotations

from device.screens import chrome
from device.screens.common import hero
from device.screens.theme import NEUTRAL
from device.screens.view import View
from device.session import TAKING_PHOTO


def scanning(canvas, view: View, pictures) -> None:
    frame = chrome.frame_for(canvas, view)
    chrome.header(canvas, frame, NEUTRAL, "Scanning the wall", icon="camera")
    chrome.banner(canvas, frame, view)
    if view.countdown is not None:
        hero(
            canvas,
            frame.body,
            NEUTRAL,
            None,
            "Step aside!",
            "The photo is taken when the count reaches zero: keep out of the camera's view.",
            gap=frame.gap,
            big=str(view.countdown),
        )
    else:
        stage = view.stage or TAKING_PHOTO
        if stage == TAKING_PHOTO:
            steps = "Taking the photo... Then the dots on each note are counted."
        else:
            steps = "Photo taken. Now counting the dots on each note..."
        hero(
            canvas, frame.body, NEUTRAL, "camera", stage.capitalize() + "...", steps, gap=frame.gap
        )
    chrome.footer(canvas, frame, NEUTRAL, view)
