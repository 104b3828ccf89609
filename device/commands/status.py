"""`leancoffee status`: the current meeting as last saved (for operators over SSH, and for tests)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

from device.commands.sessions import data_dir_of
from device.session import clock_text
from device.store import NoDatabase, Store, StoreError, run_lock_state

HELP = "show the current meeting as last saved: screen, topic, time left"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--data-dir", metavar="DIR", type=Path, help="where the meetings are kept")
    parser.add_argument(
        "--settings", metavar="FILE", type=Path, help="settings file (for data_dir)"
    )


def status(store: Store) -> dict:
    """The latest unfinished meeting (else the latest meeting) as last saved, and whether a
    `leancoffee run` is going on its data folder ("run": {"going": true/false/null, "pid"})."""
    info = store.unfinished() or store.meeting(None)
    record = store.state_record(info.id)
    rules = info.rules
    topics = record.get("topics", [])
    current = next((t for t in topics if t["key"] == record.get("current")), None)
    slot = record.get("slot")
    meeting_elapsed = record.get("meeting_elapsed")
    if record.get("duration") is not None:
        meeting_elapsed = record["duration"]
    planned_meeting = rules.get("meeting_seconds", 3600)
    if slot is not None:
        slot_out = {
            "kind": slot["kind"],
            "running": slot["running"],
            "planned_seconds": slot["planned"],
            "remaining_seconds": round(max(0.0, slot["planned"] - slot["elapsed"]), 1),
        }
    elif record.get("screen") == "time up":
        slot_out = {"kind": None, "running": False, "planned_seconds": None, "remaining_seconds": 0}
    else:
        slot_out = None
    lock = run_lock_state(store.data_dir)
    return {
        "meeting": {
            "id": info.id,
            "started": info.started,
            "ended": info.ended,
            "saved": info.updated,
            "finished": not info.unfinished,
        },
        "screen": record.get("screen"),
        "current": None if current is None else _topic(current),
        "slot": slot_out,
        "meeting_elapsed_seconds": None if meeting_elapsed is None else round(meeting_elapsed, 1),
        "meeting_left_seconds": None
        if meeting_elapsed is None
        else 0.0
        if not info.unfinished
        else round(max(0.0, planned_meeting - meeting_elapsed), 1),
        "topics": [_topic(t) for t in topics],
        "run": {"going": lock.going, "pid": lock.pid},
    }


def _topic(t: dict) -> dict:
    note = t["note"]
    return {
        "key": t["key"],
        "rank": note["rank"],
        "votes": len(note["dots"]),
        "colour": note["colour"],
        "status": t["status"],
        "seconds": round(t["seconds"], 1),
        "extensions": t["extensions"],
        "on_wall": t["on_wall"],
    }


def saved_at(iso: str, today: datetime | None = None) -> str:
    """The time of a save, with its date when it was not today."""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    today = today or datetime.now(moment.tzinfo)
    return moment.strftime("%H:%M:%S" if moment.date() == today.date() else "%Y-%m-%d %H:%M:%S")


def slot_text(slot: dict, going: bool | None, saved: str) -> str:
    """`5:10 left in the slot (...)`: a running slot's time is as of the last save, and
    nothing runs it on when no `leancoffee run` is going (after a crash or kill -9)."""
    left = f"{clock_text(slot['remaining_seconds'])} left in the slot"
    if not slot["running"]:
        return f"{left} (stopped)"
    if going is None:
        return f"{left} (running when last saved at {saved})"
    if going:
        return f"{left} (running; as last saved at {saved})"
    return f"{left} (running when last saved at {saved}; no leancoffee run is going)"


def run(args: argparse.Namespace) -> int:
    data_dir = data_dir_of(args)
    try:
        with Store(data_dir, readonly=True) as store:
            result = status(store)
    except NoDatabase as exc:
        if args.json:
            print(json.dumps({"meeting": None}))
        else:
            print(exc)
        return 0
    except StoreError as exc:
        print(exc, file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result))
        return 0
    m = result["meeting"]
    state = "finished" if m["finished"] else "in progress"
    print(f"Meeting {m['id']} ({state}), started {m['started']}, last saved {m['saved']}")
    line = f"Screen: {result['screen']}"
    if result["current"] is not None:
        c = result["current"]
        line += f"; topic #{c['rank']} ({c['votes']} votes)"
    slot = result["slot"]
    going = result["run"]["going"]
    told = False  # that no run is going
    if slot is not None:
        line += "; " + slot_text(slot, going, saved_at(m["saved"]))
        told = slot["running"] and going is False
    if going is False and not m["finished"] and not told:
        line += "; no leancoffee run is going"
    print(line)
    if result["meeting_left_seconds"] is not None and m["ended"] is None:
        print(f"Meeting time left: {clock_text(result['meeting_left_seconds'])}")
    counts = {}
    for t in result["topics"]:
        counts[t["status"]] = counts.get(t["status"], 0) + 1
    detail = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    print(f"Topics: {len(result['topics'])}" + (f" ({detail})" if detail else ""))
    return 0
