"""`leancoffee sessions`: the saved meetings, one line each (date, topics, duration)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import datetime
from pathlib import Path

from device.settings import resolve_data_dir
from device.store import NoDatabase, Store, StoreError

HELP = "list the saved meetings: date, topics, duration"

log = logging.getLogger("leancoffee")


def data_dir_of(args: argparse.Namespace) -> Path:
    """Where the meetings are: --data-dir, else the settings' data_dir, else the default
    (for `sessions`, `status` and `export`). The settings' problems (a file that is not valid
    TOML, a bad data_dir) are warned about on stderr, as `leancoffee run` does: else a wrong
    folder is read without a word."""
    data_dir, problems = resolve_data_dir(args.data_dir, args.settings)
    for problem in problems:
        log.warning("%s", problem)
    return data_dir


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json", action="store_true", help="one JSON object per meeting, one per line"
    )
    parser.add_argument("--data-dir", metavar="DIR", type=Path, help="where the meetings are kept")
    parser.add_argument(
        "--settings", metavar="FILE", type=Path, help="settings file (for data_dir)"
    )


def run(args: argparse.Namespace) -> int:
    data_dir = data_dir_of(args)
    try:
        with Store(data_dir, readonly=True) as store:
            meetings = store.meetings()
    except NoDatabase as exc:
        if not args.json:
            print(exc)
        return 0
    except StoreError as exc:
        print(exc, file=sys.stderr)
        return 1
    if args.json:
        for m in meetings:
            print(
                json.dumps(
                    {
                        "id": m.id,
                        "started": m.started,
                        "ended": m.ended,
                        "topics": m.topics,
                        "discussed": m.discussed,
                        "duration_seconds": round(m.meeting_seconds),
                        "finished": not m.unfinished,
                    }
                )
            )
        return 0
    if not meetings:
        print(f"No meetings saved in {data_dir} yet.")
        return 0
    print(f"{'ID':>4}  {'DATE':<20}  {'TOPICS':>6}  {'DISCUSSED':>9}  {'DURATION':>8}  STATE")
    for m in meetings:
        if m.unfinished:
            state = "unfinished"
        else:
            state = {"summary": "finished", "abandoned": "left unfinished"}.get(
                m.end_reason, "ended"
            )
        print(
            f"{m.id:>4}  {_date(m.started):<20}  {m.topics:>6}  {m.discussed:>9}  "
            f"{_clock(m.meeting_seconds):>8}  {state}"
        )
    return 0


def _date(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).strftime("%a %Y-%m-%d %H:%M")
    except ValueError:
        return iso


def _clock(seconds: float) -> str:
    seconds = round(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
