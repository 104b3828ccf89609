"""Topics: the notes of the wall as the meeting knows them, kept across re-scans.

A topic has a `key` that stays the same for the whole meeting (1, 2, ... in
the order topics first appeared), the note from the latest scan that saw it
(votes, rank, colour, outline), its picture, and what the meeting did with it.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from device import matching
from vision.board import Board, Note


class Status(enum.Enum):
    WAITING = "waiting"
    CURRENT = "current"
    DISCUSSED = "discussed"
    SKIPPED = "skipped"


# How a topic's discussion ended (the meeting record's "ended_by").
TIME_UP = "time up"
EARLY = "early"
MEETING_OVER = "meeting over"


@dataclass(frozen=True)
class Topic:
    key: int
    note: Note
    picture: bytes | None = field(default=None, repr=False)
    status: Status = Status.WAITING
    seconds: float = 0.0  # slot time spent on it
    extensions: int = 0
    squeaks: int = 0
    ended_by: str | None = None
    order: int | None = None  # 1, 2, ... in the order topics were started
    on_wall: bool = True  # seen in the latest scan

    @property
    def votes(self) -> int:
        return self.note.votes

    @property
    def rank(self) -> int:
        return self.note.rank

    @property
    def tied(self) -> bool:
        return self.note.tied

    @property
    def colour(self) -> str:
        return self.note.colour


@dataclass(frozen=True)
class Merge:
    """What a re-scan changed, for the log and the board's message."""

    kept: int
    added: int
    gone: int
    votes_changed: int


def board_order(topics: Sequence[Topic]) -> tuple[Topic, ...]:
    """Topics on the wall by rank (the vision's order, ties in reading order), then the rest."""
    on = sorted((t for t in topics if t.on_wall), key=lambda t: t.rank)
    off = sorted((t for t in topics if not t.on_wall), key=lambda t: (t.order or 0, t.key))
    return tuple(on + off)


def from_board(
    board: Board, pictures: Mapping[int, bytes], first_key: int = 1
) -> tuple[tuple[Topic, ...], int]:
    """Topics for a first scan, and the next free key."""
    topics = [
        Topic(key=first_key + i, note=note, picture=pictures.get(note.id))
        for i, note in enumerate(sorted(board.notes, key=lambda n: n.rank))
    ]
    return board_order(topics), first_key + len(topics)


def merge(
    topics: Sequence[Topic], board: Board, pictures: Mapping[int, bytes], next_key: int
) -> tuple[tuple[Topic, ...], int, Merge]:
    """Topics after a re-scan: matched notes keep their topic (and what was done with it).

    A topic whose note is gone from the wall is dropped unless it has been
    discussed (history stays); new notes become new topics.
    """
    topics = list(topics)
    pairs = matching.match([t.note for t in topics], list(board.notes))
    matched_new = set(pairs.values())
    result, votes_changed, gone = [], 0, 0
    for i, topic in enumerate(topics):
        if i not in pairs and topic.on_wall:
            gone += 1
        if i in pairs:
            note = board.notes[pairs[i]]
            votes_changed += note.votes != topic.votes
            picture = pictures.get(note.id, topic.picture)
            result.append(replace(topic, note=note, picture=picture, on_wall=True))
        elif topic.status is not Status.WAITING:
            result.append(replace(topic, on_wall=False))
    added = 0
    for j in sorted(range(len(board.notes)), key=lambda j: board.notes[j].rank):
        if j in matched_new:
            continue
        note = board.notes[j]
        result.append(Topic(key=next_key, note=note, picture=pictures.get(note.id)))
        next_key += 1
        added += 1
    merge_info = Merge(kept=len(pairs), added=added, gone=gone, votes_changed=votes_changed)
    return board_order(result), next_key, merge_info
