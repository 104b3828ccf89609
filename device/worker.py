"""The scan, off the main loop: camera capture, vision.tally, note pictures and a small photo.

`ScanWorker.start(scan)` runs one scan on a thread of its own and hands back,
through `post`, a `Progress` ("counting dots"), then `Finished` or `Failed`;
the loop turns them into session events. The screen keeps drawing meanwhile.
A failure of any kind comes back as one sentence with what to do.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import cv2
import numpy as np

import vision
from device.camera import CameraError
from vision.board import Board
from vision.pipeline import as_bgr

log = logging.getLogger(__name__)

COUNTING = "counting dots"
# The photo kept for the board screen, long side in pixels. It stays plain: the screen draws
# the outlines and labels on it at its own scale (drawn here, they shrank to a few pixels).
PHOTO_SIDE = 1600
PICTURE_SIDE = 480  # note pictures, long side in pixels


@dataclass(frozen=True)
class Counted:
    board: Board
    pictures: dict[int, bytes] = field(repr=False)  # note id -> PNG
    # The photo, small (PHOTO_SIDE), unmarked: `board` says what to draw on it, scaled by the
    # ratio of the sizes (view.Photo(small_photo, board)); `vision.annotate` is the CLI's.
    small_photo: np.ndarray = field(repr=False)
    photo: np.ndarray | None = field(default=None, repr=False)  # the full photo, if kept
    capture_seconds: float = 0.0
    count_seconds: float = 0.0


@dataclass(frozen=True)
class Progress:
    scan: int
    stage: str


@dataclass(frozen=True)
class Finished:
    scan: int
    counted: Counted


@dataclass(frozen=True)
class Failed:
    scan: int
    message: str


def count_wall(
    image: np.ndarray,
    *,
    keep_photo: bool = False,
    params: vision.Params | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> Counted:
    """Tally a wall photo and make what the screens need from it."""
    started = clock()
    board = vision.tally(image, params)
    pictures = {}
    for note in board.notes:
        ok, png = cv2.imencode(".png", vision.crop(image, note, max_side=PICTURE_SIDE))
        if ok:
            pictures[note.id] = png.tobytes()
    return Counted(
        board=board,
        pictures=pictures,
        small_photo=_shrink(as_bgr(image), PHOTO_SIDE),  # whatever tally took: grey, 16-bit...
        photo=image if keep_photo else None,
        count_seconds=clock() - started,
    )


def _shrink(image: np.ndarray, side: int) -> np.ndarray:
    h, w = image.shape[:2]
    factor = side / max(h, w)
    if factor >= 1.0:
        return image
    size = (max(1, round(w * factor)), max(1, round(h * factor)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


class ScanWorker:
    """One scan at a time on a daemon thread; results go to `post` (thread-safe, e.g. a queue)."""

    def __init__(
        self,
        camera,
        post: Callable[[object], None],
        *,
        keep_photos: bool = False,
        params: vision.Params | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.camera = camera
        self.post = post
        self.keep_photos = keep_photos
        self.params = params
        self.clock = clock
        self._thread: threading.Thread | None = None

    @property
    def busy(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, scan: int) -> bool:
        """Begin scan number `scan`; False (and nothing started) while one is still running."""
        if self.busy:
            return False
        self._thread = threading.Thread(
            target=self._run, args=(scan,), name=f"scan-{scan}", daemon=True
        )
        self._thread.start()
        return True

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the running scan to end (tests, shutdown); True when none is running."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.busy

    def _run(self, scan: int) -> None:
        started = self.clock()
        try:
            image = self.camera.capture()
        except CameraError as exc:
            self.post(Failed(scan, str(exc)))
            return
        except Exception as exc:  # a driver error we do not know: still one clear sentence
            log.exception("camera capture failed")
            self.post(Failed(scan, f"The camera failed ({exc}): check it, then tap to try again."))
            return
        captured = self.clock()
        self.post(Progress(scan, COUNTING))
        try:
            counted = count_wall(
                image, keep_photo=self.keep_photos, params=self.params, clock=self.clock
            )
        except Exception as exc:
            log.exception("counting the photo failed")
            self.post(Failed(scan, f"The photo could not be counted ({exc}): tap to try again."))
            return
        self.post(Finished(scan, replace(counted, capture_seconds=captured - started)))
