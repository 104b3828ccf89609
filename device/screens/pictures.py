"""Note pictures (PNG bytes) and the wall photo as pygame surfaces, scaled to fit a box.

Decoding and scaling go through OpenCV (INTER_AREA shrinks cleanly) and are
cached, so redrawing a screen every second costs a blit, not a decode.

The wall photo is drawn at the screen's scale: each note's outline and each
counted dot's ring go on the scaled copy (lines a pixel or two wide, whatever
the photo's resolution), and the notes come back as `Mark`s in the scaled
photo's pixels, for the board screen to label with its own fonts.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass

import cv2
import numpy as np
import pygame

Point = tuple[float, float]

COUNTED_BGR = (255, 255, 255)  # the ring round a dot counted on its note
STRAY_BGR = (128, 128, 128)  # the ring round a dot off the notes (crossed out too)


@dataclass(frozen=True)
class Mark:
    """A counted note in the pixels of the photo as shown: what the board screen labels."""

    rank: int
    votes: int
    polygon: tuple[Point, ...]
    dots: tuple[Point, ...] = ()  # centres of its counted dots

    @property
    def bounds(self) -> pygame.Rect:
        xs = [p[0] for p in self.polygon]
        ys = [p[1] for p in self.polygon]
        left, top = int(min(xs)), int(min(ys))
        return pygame.Rect(left, top, int(max(xs)) - left + 1, int(max(ys)) - top + 1)

    @property
    def centre(self) -> Point:
        n = len(self.polygon)
        return (sum(p[0] for p in self.polygon) / n, sum(p[1] for p in self.polygon) / n)

    def contains(self, point: Point) -> bool:
        """Whether `point` lies inside the outline (even-odd rule)."""
        x, y = point
        inside = False
        poly = self.polygon
        for (x1, y1), (x2, y2) in zip(poly, poly[1:] + poly[:1], strict=True):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
        return inside


@dataclass(frozen=True, eq=False)
class ShownPhoto:
    """The wall photo scaled for a box, outlines and dot rings drawn; the notes on it."""

    surface: pygame.Surface
    marks: tuple[Mark, ...]


class Pictures:
    def __init__(self, limit: int = 256) -> None:
        self.limit = limit
        self._decoded: collections.OrderedDict = collections.OrderedDict()
        self._scaled: collections.OrderedDict = collections.OrderedDict()

    def _remember(self, cache: collections.OrderedDict, key, value):
        cache[key] = value
        cache.move_to_end(key)
        while len(cache) > self.limit:
            cache.popitem(last=False)
        return value

    def decode(self, png: bytes | None) -> np.ndarray | None:
        """A note picture's PNG as BGR; None for no picture or an unreadable one."""
        if not png:
            return None
        if png in self._decoded:
            self._decoded.move_to_end(png)
            return self._decoded[png]
        image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
        return self._remember(self._decoded, png, image)

    def note(self, png: bytes | None, box: tuple[int, int]) -> pygame.Surface | None:
        """The note picture scaled to fit `box` (width, height), keeping its shape."""
        key = (png, box)
        if key in self._scaled:
            self._scaled.move_to_end(key)
            return self._scaled[key]
        image = self.decode(png)
        surface = None if image is None else fit(image, box)
        return self._remember(self._scaled, key, surface)

    def photo(self, photo, box: tuple[int, int]) -> ShownPhoto | None:
        """A Photo (the wall and its tally) as large as fits `box`, marked at that scale."""
        if photo is None:
            return None
        key = (id(photo), box)
        hit = self._scaled.get(key)
        if hit is not None and hit[0] is photo:
            self._scaled.move_to_end(key)
            return hit[1]
        shown = marked(photo.image, photo.board, box)
        self._remember(self._scaled, key, (photo, shown))  # holding photo keeps id() unique
        return shown


def fit(image: np.ndarray, box: tuple[int, int]) -> pygame.Surface | None:
    """A BGR image as a surface, as large as fits `box` with its aspect ratio kept."""
    small = _fitted(image, box)
    return None if small is None else to_surface(small)


def _fitted(image: np.ndarray, box: tuple[int, int]) -> np.ndarray | None:
    h, w = image.shape[:2]
    bw, bh = box
    if w < 1 or h < 1 or bw < 1 or bh < 1:
        return None
    scale = min(bw / w, bh / h)
    size = (max(1, min(bw, round(w * scale))), max(1, min(bh, round(h * scale))))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    return cv2.resize(image, size, interpolation=interpolation)


def marked(image: np.ndarray, board, box: tuple[int, int]) -> ShownPhoto | None:
    """The whole photo (a note the count missed, anywhere on the wall, must show: that is
    what the facilitator checks), scaled to fit `box`, with every note outlined and every dot
    ringed at the screen's scale.

    `board` is the tally of this photo in any pixels of it (the full photo's, usually): it
    is mapped by the ratio of the sizes. Without a board the photo is shown unmarked.
    """
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    h, w = image.shape[:2]
    if board is None or board.width < 1 or board.height < 1:
        small = _fitted(image, box)
        return None if small is None else ShownPhoto(to_surface(small), ())
    fx, fy = w / board.width, h / board.height
    small = _fitted(image, box)
    if small is None:
        return None
    sx, sy = small.shape[1] / w, small.shape[0] / h

    def at(p) -> Point:
        return (p[0] * fx * sx, p[1] * fy * sy)

    thick = max(1, round(max(small.shape[:2]) / 500))
    marks = []
    for note in board.notes:
        poly = tuple(at(p) for p in note.polygon)
        _outline(small, poly, thick)
        for dot in note.dots:
            _ring(small, at(dot.center), dot.radius * fx * sx, COUNTED_BGR, thick)
        dots = tuple(at(d.center) for d in note.dots)
        marks.append(Mark(note.rank, note.votes, poly, dots))
    for dot in board.stray_dots:
        centre = at(dot.center)
        _ring(small, centre, dot.radius * fx * sx, STRAY_BGR, thick)
        r = max(2, round(dot.radius * fx * sx * 0.7))
        c = (round(centre[0]), round(centre[1]))
        cv2.line(small, (c[0] - r, c[1] - r), (c[0] + r, c[1] + r), (0, 0, 0), thick)
    marks.sort(key=lambda m: m.rank)
    return ShownPhoto(to_surface(small), tuple(marks))


def _outline(image: np.ndarray, poly, thick: int) -> None:
    # Whole-pixel corners: a thin line between pixels would be smeared grey over two.
    pts = np.round(np.asarray(poly)).astype(np.int32)
    cv2.polylines(image, [pts], True, (0, 0, 0), thick + 2, cv2.LINE_AA)
    cv2.polylines(image, [pts], True, (255, 255, 255), thick, cv2.LINE_AA)


def _ring(image: np.ndarray, centre: Point, radius: float, colour, thick: int) -> None:
    """A thin ring just outside the dot: it marks the dot as counted without hiding it."""
    c = (round(centre[0] * 16), round(centre[1] * 16))
    r = round((max(1.5, radius) + thick) * 16)
    cv2.circle(image, c, r, colour, thick, cv2.LINE_AA, shift=4)


def to_surface(image: np.ndarray) -> pygame.Surface:
    """A BGR (or grey) uint8 array as a pygame surface of its own."""
    if image.ndim == 2:
        rgb = cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    else:
        rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    h, w = rgb.shape[:2]
    # frombuffer shares the array's memory: copy so the surface owns its pixels.
    return pygame.image.frombuffer(rgb.tobytes(), (w, h), "RGB").copy()
