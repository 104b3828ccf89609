"""Reading a wall photo from a file's bytes, with a cap on its size.

A photo far bigger than any camera's (a stitched panorama, a 20000 px scan) would take
gigabytes to decode: more than a Pi has. Its size is read from the file's header first. A
JPEG that big is decoded at a half, a quarter or an eighth of its size (the decoder does
that as it goes, in a fraction of the memory); any other file that big is refused.
"""

from __future__ import annotations

import cv2

MAX_PIXELS = 64_000_000  # five times a 12 MP camera's photo; a tally of it takes ~300 MB
_REDUCED = (
    (2, cv2.IMREAD_REDUCED_COLOR_2),
    (4, cv2.IMREAD_REDUCED_COLOR_4),
    (8, cv2.IMREAD_REDUCED_COLOR_8),
)
_PNG = b"\x89PNG\r\n\x1a\n"
# JPEG start-of-frame markers (every coding: baseline, progressive, lossless...): not DHT
# (C4), JPG (C8) or DAC (CC), which share the range.
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


class TooBig(ValueError):
    """A photo too big to decode here."""


def header_size(data) -> tuple[int, int] | None:
    """(width, height) from a JPEG's or PNG's header; None for other files or a broken one."""
    head = bytes(data[:65536]) if len(data) > 65536 else bytes(data)
    if head.startswith(_PNG) and len(head) >= 24:
        return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    if not head.startswith(b"\xff\xd8"):
        return None
    data = bytes(data)  # the frame header can follow a long EXIF block (a thumbnail)
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in _SOF:
            height = int.from_bytes(data[i + 5 : i + 7], "big")
            width = int.from_bytes(data[i + 7 : i + 9], "big")
            return width, height
        if marker == 0xD9 or marker == 0xDA:  # end of image, or the scan itself: no frame seen
            return None
        i += 2 + int.from_bytes(data[i + 2 : i + 4], "big")
    return None


def read_flag(data, max_pixels: int | None = None) -> int:
    """The OpenCV imread/imdecode flag to read the photo whose file bytes are `data` with:
    full size, or for a JPEG over `max_pixels`, the first reduced size under it. TooBig for
    any other file over `max_pixels` (default MAX_PIXELS)."""
    max_pixels = MAX_PIXELS if max_pixels is None else max_pixels
    size = header_size(data)
    if size is None or size[0] * size[1] <= max_pixels:
        return cv2.IMREAD_COLOR
    width, height = size
    if bytes(data[:2]) != b"\xff\xd8":
        raise TooBig(
            f"{width}x{height} is {width * height / 1e6:.0f} MP, more than the "
            f"{max_pixels / 1e6:.0f} MP a photo may have here: shrink it first"
        )
    for k, flag in _REDUCED:
        if width * height / k**2 <= max_pixels:
            return flag
    return _REDUCED[-1][1]
