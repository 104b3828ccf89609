"""`leancoffee aim`: a live camera preview for placing and focusing the camera."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "live camera preview with the notes found and their sizes, to place and focus the camera"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--settings", metavar="FILE", type=Path, help="settings file (camera, screen, button pin)"
    )
    parser.add_argument(
        "--camera",
        metavar="SRC",
        help='"pi", a webcam number, a photo file or folder, or "auto" (default: the settings\')',
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--fullscreen",
        dest="mode",
        action="store_const",
        const="fullscreen",
        help="on the whole screen (the default)",
    )
    mode.add_argument(
        "--windowed", dest="mode", action="store_const", const="windowed", help="in a window"
    )
    mode.add_argument(
        "--headless",
        dest="mode",
        action="store_const",
        const="headless",
        help="no screen: render frames off-screen and print one line per frame (over SSH)",
    )
    parser.set_defaults(mode="fullscreen")
    parser.add_argument(
        "--frames",
        type=int,
        metavar="N",
        help="stop after N frames (default: 1 with --headless, else until a press)",
    )
    parser.add_argument(
        "--out", metavar="DIR", type=Path, help="also write each frame as a PNG in DIR"
    )


def run(args) -> int:
    from device import aim, settings
    from device.button import ButtonError, Inbox, configured_button
    from device.camera import CameraError, configured_camera
    from device.display import DisplayError, open_display

    if args.frames is not None and args.frames < 1:
        print("leancoffee aim: --frames must be 1 or more", file=sys.stderr)
        return 2
    frames = args.frames if args.frames is not None or args.mode != "headless" else 1
    config, problems = settings.load(args.settings)
    for problem in problems:
        print(f"leancoffee aim: {problem}", file=sys.stderr)

    try:
        cam = configured_camera(config, args.camera)
        cam = aim.live_camera(cam)
    except CameraError as exc:
        print(f"leancoffee aim: {exc}", file=sys.stderr)
        return 1
    try:
        display = open_display(
            args.mode,
            (config.screen_width, config.screen_height),
            config.screen_rotation_degrees,
            fallback=False,
        )
    except DisplayError as exc:
        cam.close()
        print(f"leancoffee aim: {aim.no_screen(exc)}; or use --headless --out DIR", file=sys.stderr)
        return 1

    inbox = Inbox()
    button = None
    if display.interactive:
        # The device's button quits too; without one, the keyboard and touch still do.
        try:
            button = configured_button("gpio", inbox, config)
        except ButtonError:
            button = None
    try:
        return aim.run_preview(
            cam, display, frames=frames, out_dir=args.out, inbox=inbox, report=_say
        )
    except OSError as exc:
        print(f"leancoffee aim: cannot write the frame: {exc}", file=sys.stderr)
        return 1
    finally:
        if button is not None:
            button.close()
        display.close()
        cam.close()


def _say(line: str) -> None:
    print(line, flush=True)
