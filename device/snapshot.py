"""A session state as plain JSON-able data, and back, for the store and for resuming after a restart.

The monotonic clock starts again at every boot, so a record holds durations
(how long the slot has run, how long the meeting has been going), never
instants; `from_record` rebases them on the new clock. A Pi without a
real-time clock cannot know how long it was off, so a slot that was running
comes back paused with the time it had left at the last save.
Note pictures are not in the record (the store keeps them once, with the topic).
"""

from __future__ import annotations

from collections.abc import Mapping

from device.session import Rules, Screen, Slot, State
from device.topics import Status, Topic
from vision.board import Board, Dot, Note

VERSION = 1
INTERRUPTED_SCAN = "The last scan did not finish: hold to scan the wall again."


class RecordError(ValueError):
    """A saved state that cannot be read back."""


def note_dict(note: Note) -> dict:
    return {
        "id": note.id,
        "rank": note.rank,
        "tied": note.tied,
        "colour": note.colour,
        "polygon": [list(p) for p in note.polygon],
        "center": list(note.center),
        "dots": dot_lists(note.dots),
    }


def dot_lists(dots) -> list:
    return [[d.center[0], d.center[1], d.radius, d.colour] for d in dots]


def dots_from_lists(rows) -> tuple[Dot, ...]:
    return tuple(Dot((float(x), float(y)), float(r), str(c)) for x, y, r, c in rows)


def note_from_dict(d: dict) -> Note:
    return Note(
        id=int(d["id"]),
        polygon=tuple((float(x), float(y)) for x, y in d["polygon"]),
        center=(float(d["center"][0]), float(d["center"][1])),
        colour=str(d["colour"]),
        dots=dots_from_lists(d["dots"]),
        rank=int(d["rank"]),
        tied=bool(d["tied"]),
    )


def topic_dict(topic: Topic) -> dict:
    return {
        "key": topic.key,
        "note": note_dict(topic.note),
        "status": topic.status.value,
        "seconds": topic.seconds,
        "extensions": topic.extensions,
        "squeaks": topic.squeaks,
        "ended_by": topic.ended_by,
        "order": topic.order,
        "on_wall": topic.on_wall,
    }


def topic_from_dict(d: dict, picture: bytes | None = None) -> Topic:
    return Topic(
        key=int(d["key"]),
        note=note_from_dict(d["note"]),
        picture=picture,
        status=Status(d["status"]),
        seconds=float(d["seconds"]),
        extensions=int(d["extensions"]),
        squeaks=int(d["squeaks"]),
        ended_by=d["ended_by"],
        order=d["order"],
        on_wall=bool(d["on_wall"]),
    )


def slot_dict(slot: Slot, now: float) -> dict:
    return {
        "topic": slot.topic,
        "number": slot.number,
        "kind": slot.kind,
        "planned": slot.planned,
        "started": slot.started,
        "elapsed": slot.run_seconds(now),
        "running": slot.running,
        "warned": slot.warned,
        "ended": slot.ended,
        "ended_by": slot.ended_by,
    }


def slot_from_dict(d: dict) -> Slot:
    # Always paused: a running slot resumes only when someone taps.
    return Slot(
        topic=int(d["topic"]),
        number=int(d["number"]),
        kind=str(d["kind"]),
        planned=float(d["planned"]),
        started=float(d["started"]),
        elapsed=float(d["elapsed"]),
        warned=bool(d["warned"]),
        ended=d["ended"],
        ended_by=d["ended_by"],
    )


def to_record(state: State, topics: list | None = None) -> dict:
    """The state at `state.now` as JSON-able data (`topics`: already made `topic_dict`s, if cached)."""
    now = state.now
    board = state.board
    return {
        "version": VERSION,
        "screen": state.screen.value,
        "topics": topics if topics is not None else [topic_dict(t) for t in state.topics],
        "board": None
        if board is None
        else {
            "width": board.width,
            "height": board.height,
            "stray_dots": dot_lists(board.stray_dots),
        },
        "scans": state.scans,
        "next_key": state.next_key,
        "current": state.current,
        "slot": None if state.slot is None else slot_dict(state.slot, now),
        "slots": [slot_dict(s, now) for s in state.slots],
        "meeting_elapsed": None if state.meeting_since is None else now - state.meeting_since,
        "duration": state.duration,
        "over": state.over,
        "error": state.error,
    }


def from_record(
    data: dict, rules: Rules, now: float, pictures: Mapping[int, bytes] | None = None
) -> State:
    """The saved state rebased on this boot's clock; a running slot comes back paused."""
    try:
        if data.get("version") != VERSION:
            raise RecordError(f"saved by another version ({data.get('version')!r})")
        pictures = pictures or {}
        topics = tuple(topic_from_dict(t, pictures.get(t["key"])) for t in data["topics"])
        slot = None if data["slot"] is None else slot_from_dict(data["slot"])
        screen = Screen(data["screen"])
        message, error = "", str(data.get("error", ""))
        if screen in (Screen.SLOT, Screen.WARNING):
            screen = Screen.PAUSED
        elif screen is Screen.SCANNING:
            screen, message = (Screen.BOARD, INTERRUPTED_SCAN) if topics else (Screen.READY, "")
        elif screen is Screen.RESUME:
            screen = Screen.READY
        elif screen is Screen.BOARD and data["over"]:
            screen = Screen.SUMMARY
        if slot is not None and screen is not Screen.PAUSED:
            raise RecordError(f"a slot is live on the {screen.value} screen")
        elapsed = data["meeting_elapsed"]
        board = None
        if data["board"] is not None:
            b = data["board"]
            board = Board(
                width=int(b["width"]),
                height=int(b["height"]),
                notes=tuple(sorted((t.note for t in topics if t.on_wall), key=lambda n: n.rank)),
                # (A record saved before stray dots were kept whole has only their count.)
                stray_dots=()
                if isinstance(b["stray_dots"], int)
                else dots_from_lists(b["stray_dots"]),
            )
        state = State(
            rules=rules,
            now=now,
            screen=screen,
            topics=topics,
            board=board,
            scans=int(data["scans"]),
            next_key=int(data["next_key"]),
            current=data["current"],
            slot=slot,
            slots=tuple(slot_from_dict(s) for s in data["slots"]),
            meeting_since=None if elapsed is None else now - float(elapsed),
            duration=data["duration"],
            over=bool(data["over"]),
            error=error,
            message=message,
            saved_second=int(slot.elapsed) if slot is not None else -1,
        )
    except RecordError:
        raise
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise RecordError(f"unreadable saved state ({type(exc).__name__}: {exc})") from exc
    if state.current is not None and state.current_topic is None:
        raise RecordError(f"the current topic {state.current} is not among the topics")
    return state
