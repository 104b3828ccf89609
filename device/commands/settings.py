"""`leancoffee settings`: print the commented defaults, check a settings file, or show the values in effect."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from device import settings as settings_module

HELP = "print the default settings file (--defaults), check one (--check FILE), or show those in effect"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    what = parser.add_mutually_exclusive_group()
    what.add_argument(
        "--defaults",
        action="store_true",
        help="print the commented settings file with every default",
    )
    what.add_argument(
        "--check",
        metavar="FILE",
        type=Path,
        help="validate FILE: exit 0 if fine, 2 with the problems",
    )
    parser.add_argument(
        "--settings",
        metavar="FILE",
        type=Path,
        help="the settings file to show (default: the device's or the user's)",
    )


def run(args: argparse.Namespace) -> int:
    if args.defaults:
        sys.stdout.write(settings_module.defaults_toml())
        return 0
    if args.check is not None:
        if not args.check.is_file():
            what = (
                "a folder, not a settings file" if args.check.is_dir() else "no such settings file"
            )
            print(f"{args.check}: {what}.", file=sys.stderr)
            return 2
        _settings, problems = settings_module.load(args.check)
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            return 2
        print(f"{args.check}: ok")
        return 0
    path = args.settings or _default_path()
    current, problems = settings_module.load(args.settings)
    print(f"# settings in effect (from {path}{'' if path.is_file() else ', which does not exist'})")
    sys.stdout.write(settings_module.to_toml(current))
    for problem in problems:
        print(problem, file=sys.stderr)
    return 2 if problems else 0


def _default_path() -> Path:
    from device.paths import default_settings_path

    return default_settings_path()
