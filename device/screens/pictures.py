"""Note pictures (PNG bytes) and photos (BGR arrays) as pygame surfaces, scaled to fit a box.

Decoding and scaling go through OpenCV (INTER_AREA shrinks cleanly) and are
cached, so redrawing a screen every second costs a blit, not a decode.
"""

from __future__ import annotations

import collections

import cv2
import numpy as np
import pygame


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

    def photo(self, photo, box: tuple[int, int]) -> pygame.Surface | None:
        """A Photo (the annotated wall) scaled to fit `box`."""
        if photo is None:
            return None
        key = (id(photo), box)
        hit = self._scaled.get(key)
        if hit is not None and hit[0] is photo:
            self._scaled.move_to_end(key)
            return hit[1]
        surface = fit(photo.image, box)
        self._remember(self._scaled, key, (photo, surface))  # holding photo keeps id() unique
        return surface


def fit(image: np.ndarray, box: tuple[int, int]) -> pygame.Surface | None:
    """A BGR image as a surface, as large as fits `box` with its aspect ratio kept."""
    h, w = image.shape[:2]
    bw, bh = box
    if w < 1 or h < 1 or bw < 1 or bh < 1:
        return None
    scale = min(bw / w, bh / h)
    size = (max(1, min(bw, round(w * scale))), max(1, min(bh, round(h * scale))))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    small = cv2.resize(image, size, interpolation=interpolation)
    return to_surface(small)


def to_surface(image: np.ndarray) -> pygame.Surface:
    """A BGR (or grey) uint8 array as a pygame surface of its own."""
    if image.ndim == 2:
        rgb = cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    else:
        rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    h, w = rgb.shape[:2]
    # frombuffer shares the array's memory: copy so the surface owns its pixels.
    return pygame.image.frombuffer(rgb.tobytes(), (w, h), "RGB").copy()
