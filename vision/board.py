"""The tally's results: frozen dataclasses shared by the vision, the session and the screens.

Coordinates are pixels of the input image, (x, y) floats. A note's polygon has
four corners, clockwise from the top-left. Colour names come from the fixed
vocabulary below (DESIGN.md, "Colour names").
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

NOTE_COLOURS = ("yellow", "orange", "pink", "green", "blue", "purple", "white")
DOT_COLOURS = ("red", "orange", "yellow", "green", "blue", "purple", "pink", "black")

Point = tuple[float, float]


@dataclass(frozen=True)
class Dot:
    center: Point
    radius: float
    colour: str

    def to_dict(self) -> dict:
        return {
            "center": _pt(self.center),
            "radius": round(float(self.radius), 1),
            "colour": self.colour,
        }


@dataclass(frozen=True)
class Note:
    id: int
    polygon: tuple[Point, Point, Point, Point]
    center: Point
    colour: str
    dots: tuple[Dot, ...] = ()
    rank: int = 0
    tied: bool = False

    @property
    def votes(self) -> int:
        return len(self.dots)

    @property
    def width(self) -> float:
        """Mean length of the top and bottom edges, in pixels."""
        p = self.polygon
        return (_dist(p[0], p[1]) + _dist(p[3], p[2])) / 2

    @property
    def height(self) -> float:
        p = self.polygon
        return (_dist(p[0], p[3]) + _dist(p[1], p[2])) / 2

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "rank": self.rank,
            "votes": self.votes,
            "tied": self.tied,
            "colour": self.colour,
            "polygon": [_pt(p) for p in self.polygon],
            "center": _pt(self.center),
            "dots": [d.to_dict() for d in self.dots],
        }


@dataclass(frozen=True)
class Board:
    width: int
    height: int
    notes: tuple[Note, ...] = ()
    stray_dots: tuple[Dot, ...] = field(default=())

    @property
    def total_votes(self) -> int:
        return sum(n.votes for n in self.notes)

    def voters(self, votes_per_person: int = 3) -> int:
        """About how many people voted: dots on notes over votes per person, rounded up."""
        return voters(self.total_votes, votes_per_person)

    def scaled(self, factor: float, size: tuple[int, int] | None = None) -> Board:
        """The same board on a copy of its photo `factor` times the size (`size`: that copy's
        exact width and height, when known)."""

        def pt(p):
            return (p[0] * factor, p[1] * factor)

        def dot(d: Dot) -> Dot:
            return replace(d, center=pt(d.center), radius=d.radius * factor)

        notes = tuple(
            replace(
                n,
                polygon=tuple(pt(p) for p in n.polygon),
                center=pt(n.center),
                dots=tuple(dot(d) for d in n.dots),
            )
            for n in self.notes
        )
        width, height = size or (round(self.width * factor), round(self.height * factor))
        return Board(width, height, notes, tuple(dot(d) for d in self.stray_dots))

    def to_dict(self, votes_per_person: int = 3) -> dict:
        return {
            "width": self.width,
            "height": self.height,
            "total_votes": self.total_votes,
            "stray_dots": len(self.stray_dots),
            "voters": self.voters(votes_per_person),
            "notes": [n.to_dict() for n in self.notes],
        }

    @classmethod
    def from_dict(cls, data: dict) -> Board:
        """Rebuild a board from `to_dict` output (stray dots come back as a count only)."""
        notes = tuple(
            Note(
                id=n["id"],
                polygon=tuple(tuple(p) for p in n["polygon"]),
                center=tuple(n["center"]),
                colour=n["colour"],
                dots=tuple(Dot(tuple(d["center"]), d["radius"], d["colour"]) for d in n["dots"]),
                rank=n["rank"],
                tied=n["tied"],
            )
            for n in data["notes"]
        )
        strays = data.get("stray_dots", 0)
        if isinstance(strays, int):
            strays = tuple(Dot((0.0, 0.0), 0.0, "black") for _ in range(strays))
        else:
            strays = tuple(Dot(tuple(d["center"]), d["radius"], d["colour"]) for d in strays)
        return cls(width=data["width"], height=data["height"], notes=notes, stray_dots=strays)


def voters(total_votes: int, votes_per_person: int) -> int:
    """About how many people voted: the dots over the votes each had, rounded up."""
    if votes_per_person <= 0:
        raise ValueError("votes_per_person must be positive")
    return -(-total_votes // votes_per_person)


def reading_order(notes) -> list:
    """Notes sorted top to bottom, then left to right.

    Notes whose centres are within half a typical note height of each other
    count as one row, so a slightly crooked row still reads left to right.
    """
    notes = list(notes)
    if not notes:
        return []
    heights = sorted(n.height for n in notes)
    tolerance = heights[len(heights) // 2] / 2
    by_y = sorted(notes, key=lambda n: n.center[1])
    rows, row = [], [by_y[0]]
    for note in by_y[1:]:
        if note.center[1] - row[0].center[1] <= tolerance:
            row.append(note)
        else:
            rows.append(row)
            row = [note]
    rows.append(row)
    return [n for r in rows for n in sorted(r, key=lambda n: n.center[0])]


def rank_notes(notes) -> tuple[Note, ...]:
    """Most votes first; ties in reading order; ranks 1..N unique; `tied` when a neighbour has the same votes."""
    ordered = reading_order(notes)
    position = {id(n): i for i, n in enumerate(ordered)}
    ordered.sort(key=lambda n: (-n.votes, position[id(n)]))
    ranked = []
    for i, note in enumerate(ordered):
        tied = (i > 0 and ordered[i - 1].votes == note.votes) or (
            i + 1 < len(ordered) and ordered[i + 1].votes == note.votes
        )
        ranked.append(replace(note, rank=i + 1, tied=tied))
    return tuple(ranked)


def _pt(p) -> list[float]:
    return [round(float(p[0]), 1), round(float(p[1]), 1)]


def _dist(a, b) -> float:
    return ((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5
