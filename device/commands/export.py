"""`leancoffee export`: a saved meeting as Markdown, HTML, CSV or JSON (the meeting record)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from device import export
from device.commands.sessions import data_dir_of
from device.files import write_atomic
from device.store import Store, StoreError

HELP = "write a meeting's record (default: the latest) as md, html, csv or json"

_SUFFIXES = {
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".csv": "csv",
    ".json": "json",
}


def _session(text: str) -> int | None:
    if text == "latest":
        return None
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a meeting number (see leancoffee sessions)"
        ) from None
    if number < 1:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a meeting number (see leancoffee sessions)"
        )
    return number


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "session",
        nargs="?",
        type=_session,
        default=None,
        metavar="SESSION",
        help="meeting number from `leancoffee sessions` (default: the latest)",
    )
    parser.add_argument(
        "--format",
        choices=export.FORMATS,
        help="output format (default: from --out's extension, else md)",
    )
    parser.add_argument(
        "--out",
        metavar="PATH",
        type=Path,
        help="write here (Markdown puts the note pictures in a folder beside it); default: stdout",
    )
    parser.add_argument("--data-dir", metavar="DIR", type=Path, help="where the meetings are kept")
    parser.add_argument(
        "--settings", metavar="FILE", type=Path, help="settings file (for data_dir)"
    )


def run(args: argparse.Namespace) -> int:
    fmt = args.format or (_SUFFIXES.get(args.out.suffix.lower()) if args.out else None) or "md"
    data_dir = data_dir_of(args)
    try:
        with Store(data_dir, readonly=True) as store:
            text, pictures = export.render(store, args.session, fmt, args.out)
    except StoreError as exc:
        print(exc, file=sys.stderr)
        return 1
    except OSError as exc:
        print(
            f"Cannot write the pictures beside {args.out}: {exc.strerror or exc}.", file=sys.stderr
        )
        return 1
    if args.out is None:
        sys.stdout.write(text)
        return 0
    try:
        write_atomic(args.out, text)
    except OSError as exc:
        print(f"Cannot write {args.out}: {exc.strerror or exc}.", file=sys.stderr)
        return 1
    extra = f" and {len(pictures)} note pictures in {pictures[0].parent}" if pictures else ""
    print(f"wrote {args.out}{extra}", file=sys.stderr)
    return 0
