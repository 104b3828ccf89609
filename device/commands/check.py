"""`leancoffee check`: a self-test of every part, one line each, for the person setting up."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from device.selfcheck import PARTS

HELP = "self-test the camera, screen, speaker, button, storage and settings, one line each"

BUTTONS = ("auto", "gpio", "keyboard", "stdin", "none")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--settings", metavar="FILE", type=Path, help="settings file to check")
    parser.add_argument("--data-dir", metavar="DIR", type=Path, help="where meetings are kept")
    parser.add_argument(
        "--camera",
        metavar="SRC",
        help='"pi", a webcam number, a photo file or folder, or "auto" (default: the settings\')',
    )
    parser.add_argument(
        "--button",
        choices=BUTTONS,
        default="auto",
        help="which button to ask for: auto is the GPIO button on the device, else GPIO when "
        "the pin works, else the space bar (default: auto); none skips it",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        metavar="S",
        help="seconds to wait for the button press (default: 10)",
    )
    parser.add_argument(
        "--headless", action="store_true", help="no screen: the test card is not shown"
    )
    parser.add_argument(
        "--only", nargs="+", choices=PARTS, metavar="PART", help=f"check only: {', '.join(PARTS)}"
    )


def build_kit(args, config, settings_path: Path):
    """The real adapters, as factories, from the arguments and the settings."""
    from device import paths, selfcheck
    from device.button import configured_button
    from device.camera import configured_camera
    from device.display import open_display
    from device.sound import open_speaker

    def camera():
        return configured_camera(config, args.camera)

    def display():
        return open_display(
            "headless" if args.headless else "fullscreen",
            (config.screen_width, config.screen_height),
            config.screen_rotation_degrees,
            fallback=False,
        )

    def speaker():
        return open_speaker(volume=config.volume_percent / 100, device=config.audio_device)

    kind = args.button
    if kind == "auto" and paths.on_device():
        kind = "gpio"  # on the device a missing button is the thing to report, not the keyboard

    def button(inbox):
        return configured_button(kind, inbox, config)

    return selfcheck.Kit(
        settings_path=settings_path,
        data_dir=args.data_dir or config.data_path(),
        open_camera=camera,
        open_display=display,
        open_speaker=speaker,
        open_button=None if kind == "none" else button,
        audio_device=config.audio_device,
        pin_hint=f"GPIO{config.button_pin}",
        timeout=args.timeout,
    )


def run(args) -> int:
    from device import paths, selfcheck, settings

    if not args.timeout > 0:
        print("leancoffee check: --timeout must be more than 0 seconds", file=sys.stderr)
        return 2
    if args.settings is not None and not args.settings.is_file():
        print(f"leancoffee check: {args.settings}: no such settings file", file=sys.stderr)
        return 2
    settings_path = args.settings or paths.default_settings_path()
    config, _problems = settings.load(settings_path)  # reported by the settings part
    kit = build_kit(args, config, settings_path)
    results = selfcheck.run_checks(
        kit,
        args.only or selfcheck.PARTS,
        report=lambda result: print(result.line(), flush=True),
        ask=lambda text: print(f"...  button: {text}", file=sys.stderr, flush=True),
    )
    return 0 if all(r.ok for r in results) else 1
