"""Where a tally's wrong vote counts come from, for the benchmark (`python -m vision.bench
--blame`): each true note is counted again on its true outline, so the counter is judged
apart from the outlines the note finder gave it.

A true note counted wrong is the counter's if it is counted wrong on its true outline too;
the outline's if it is counted right there, and was missed or found with its outline moved
(a corner further than `_MOVED` of the note's side from the true one); else the pipeline's
(the dots shared out between overlapping notes, or a count that an outline a few pixels off
changed). Like the benchmark, a developer tool: it runs the counter, it reads and writes
nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields

import numpy as np

from vision.board import Note
from vision.dots import count_wall
from vision.geometry import depth_inside
from vision.params import Params

# A corner this share of the note's side off the true one is an outline moved: a few pixels
# either way are the drawing's antialiasing and the finder's rounding.
_MOVED = 0.06


@dataclass(frozen=True)
class Blame:
    notes: int  # true notes
    counter_exact: int  # of them, counted right on their true outlines
    outline: int  # counted wrong: missed, or its outline moved (right on the true one)
    counter: int  # counted wrong: wrong on the true outline too
    pipeline: int  # counted wrong: right on the true outline, the outline in place

    @property
    def wrong(self) -> int:
        return self.outline + self.counter + self.pipeline


def on_true_outline(image: np.ndarray, note: Note, params: Params) -> int:
    """The dots the counter finds inside a note's true outline (the note alone)."""
    return on_true_outlines(image, [note], params)[0]


def on_true_outlines(image: np.ndarray, notes: Sequence[Note], params: Params) -> list[int]:
    """The dots the counter finds inside each note's true outline, the notes counted together
    as the tally counts a wall's (those in the running for the top places looked at closer)."""
    quads = [np.asarray(note.polygon, dtype=np.float32) for note in notes]
    counted = count_wall(image, quads, params)
    return [
        sum(depth_inside(quad, d.center) >= 0 for d in c.dots)
        for quad, c in zip(quads, counted, strict=True)
    ]


def _moved(found: Note, true: Note) -> bool:
    a, b = np.asarray(found.polygon), np.asarray(true.polygon)
    side = float(np.linalg.norm(b[1] - b[0]))
    return float(np.abs(a - b).max()) > _MOVED * side


def blame(
    image: np.ndarray,
    truth: Sequence[Note],
    found_of: Mapping[int, Note],
    params: Params | None = None,
) -> Blame:
    """Blame for each of `truth`'s notes counted wrong; `found_of`: the found note matched to
    each true note, by its index (the benchmark's `match_notes`)."""
    params = params or Params()
    exact = outline = counter = pipeline = 0
    for j, (true, on_true) in enumerate(
        zip(truth, on_true_outlines(image, truth, params), strict=True)
    ):
        exact += on_true == true.votes
        found = found_of.get(j)
        if found is not None and found.votes == true.votes:
            continue
        if on_true != true.votes:
            counter += 1
        elif found is None or _moved(found, true):
            outline += 1
        else:
            pipeline += 1
    return Blame(len(truth), exact, outline, counter, pipeline)


def total(blames: Iterable[Blame]) -> Blame:
    """The blames of several boards added up."""
    blames = list(blames)
    return Blame(*(sum(getattr(b, f.name) for b in blames) for f in fields(Blame)))
