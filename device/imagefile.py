"""Reading a wall photo from a file's bytes, with a cap on its size.

A photo far bigger than any camera's (a stitched panorama, a 20000 px scan) would take
gigabytes to decode: more than a Pi has. Its size is read from the file's header first
(JPEG, PNG, WebP, TIFF, BMP). A baseline JPEG that big is decoded at a half, a quarter or an
eighth of its size (the decoder shrinks it as it goes, in a fraction of the memory); any
other file that big is refused, a progressive JPEG too (its decoder holds the whole image's
coefficients whatever the size it is decoded at). Other formats meet OpenCV's own cap, set
to the same in device/__init__.py.
"""

from __future__ import annotations

import contextlib
import logging
import os
import struct
import sys
import tempfile
import threading
import zlib

import cv2
import numpy as np

from device import PHOTO_MAX_PIXELS

# Four times a 12 MP camera's photo. A tally of a baseline JPEG this size peaks at about
# 350 MB (the decoded photo is 144 MB of it).
MAX_PIXELS = PHOTO_MAX_PIXELS
_REDUCED = ((2, cv2.IMREAD_REDUCED_COLOR_2), (4, cv2.IMREAD_REDUCED_COLOR_4))
_REDUCED += ((8, cv2.IMREAD_REDUCED_COLOR_8),)
_PNG = b"\x89PNG\r\n\x1a\n"
# JPEG start-of-frame markers (every coding): not DHT (C4), JPG (C8) or DAC (CC), which share
# the range. Progressive ones: C2, C6, CA, CE.
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_PROGRESSIVE = frozenset({0xC2, 0xC6, 0xCA, 0xCE})


log = logging.getLogger(__name__)
# One decode at a time hears stderr: two would swap its descriptor under each other.
_HEARING = threading.Lock()


class Unreadable(ValueError):
    """A file that holds no photo this device can read; the message says why, in one line."""


class TooBig(Unreadable):
    """A photo too big to decode here."""


class CutShort(Unreadable):
    """A file that ends before its image does (a copy or download stopped half-way)."""


class Damaged(Unreadable):
    """A JPEG whose coded data is broken part-way: the decoder says so on stderr and goes on,
    filling the rest with grey or smears, which would be tallied as a wall."""


# What libjpeg says of a JPEG whose coded data is broken (it decodes on regardless). Its
# "extraneous bytes before marker" is left out: cameras write such files, and they read whole.
_BROKEN_JPEG = ("Corrupt JPEG data: premature end", "Corrupt JPEG data: bad Huffman")
_BROKEN_JPEG += ("Premature end of JPEG file",)


def header_size(data) -> tuple[int, int] | None:
    """(width, height) as the file's header stores them (for a JPEG, before any EXIF turn);
    None for a format not known here or a broken header."""
    return _stored(data)[0]


def _stored(data) -> tuple[tuple[int, int] | None, bool]:
    """`_header` of the file's first 64 KB, or of all of it when the size is not there (a
    JPEG's frame can follow a long EXIF block; a TIFF's tags are often at its end)."""
    size, progressive = _header(bytes(data[:65536]))
    if size is None and len(data) > 65536:
        size, progressive = _header(bytes(data))
    return size, progressive


def _header(data: bytes) -> tuple[tuple[int, int] | None, bool]:
    """(size or None, whether it is a progressive JPEG)."""
    try:
        if data.startswith(b"\xff\xd8"):
            return _jpeg(data)
        if data.startswith(_PNG):
            # The header chunk carries a checksum: a broken one gives no size (not the size
            # of whatever bytes stand there, which may read as a trillion pixels).
            if (
                data[12:16] != b"IHDR"
                or zlib.crc32(data[12:29]) != struct.unpack(">I", data[29:33])[0]
            ):
                return None, False
            return struct.unpack(">II", data[16:24]), False
        if data.startswith(b"BM"):
            if struct.unpack("<I", data[14:18])[0] == 12:  # OS/2 BITMAPCOREHEADER: 16-bit sizes
                return struct.unpack("<HH", data[18:22]), False
            width, height = struct.unpack("<ii", data[18:26])
            return (abs(width), abs(height)), False
        if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
            return _webp(data), False
        if data[:4] in (b"II*\x00", b"MM\x00*"):
            return _tiff(data), False
    except (struct.error, IndexError):
        pass
    return None, False


def _markers(data: bytes):
    """(marker, offset) of each segment of a JPEG, up to and with its first scan (DA)."""
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:  # stray bytes before a marker: libjpeg skips them, so must we
            i = data.find(b"\xff", i)
            if i < 0:
                return
            continue
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        yield marker, i
        if marker in (0xD9, 0xDA):  # end of image, or the scan itself: no more headers
            return
        i += 2 + struct.unpack(">H", data[i + 2 : i + 4])[0]


def _jpeg(data: bytes) -> tuple[tuple[int, int] | None, bool]:
    for marker, i in _markers(data):
        if marker in _SOF:
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return (width, height), marker in _PROGRESSIVE
    return None, False


def _cut_short(data) -> bool:
    """Whether `data` is a JPEG whose file ends before its image does: no end-of-image marker
    after its first scan (the coded data never holds one: a 0xFF there is followed by 0, or
    by a restart marker, D0-D7). Decoders differ on such a file: OpenCV 4.6 fills the missing
    rows with grey, newer ones refuse it; here it is refused on all, as a half-counted wall is
    no tally. An EXIF thumbnail, in a header before the scan, is not looked in."""
    if bytes(data[:2]) != b"\xff\xd8":
        return False
    data = bytes(data)
    scans = [i for marker, i in _markers(data) if marker == 0xDA]
    return bool(scans) and data.find(b"\xff\xd9", scans[0]) < 0


def _webp(data: bytes) -> tuple[int, int] | None:
    kind = data[12:16]
    if kind == b"VP8X":  # canvas size, 24-bit each, less one
        return (
            int.from_bytes(data[24:27], "little") + 1,
            int.from_bytes(data[27:30], "little") + 1,
        )
    if kind == b"VP8 ":  # lossy: 14-bit sizes after the frame's start code
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if kind == b"VP8L":  # lossless: 14-bit sizes, less one, packed after a signature byte
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def _tiff(data: bytes) -> tuple[int, int] | None:
    order = "<" if data[:2] == b"II" else ">"
    (ifd,) = struct.unpack(order + "I", data[4:8])
    (count,) = struct.unpack(order + "H", data[ifd : ifd + 2])
    size = {}
    for k in range(count):
        entry = data[ifd + 2 + 12 * k : ifd + 14 + 12 * k]
        tag, kind = struct.unpack(order + "HH", entry[:4])
        if tag in (256, 257):  # ImageWidth, ImageLength: SHORT or LONG
            value = struct.unpack(
                order + ("H" if kind == 3 else "I"), entry[8 : 10 if kind == 3 else 12]
            )
            size.setdefault(tag, value[0])  # libtiff keeps a tag's first entry
    return (size[256], size[257]) if len(size) == 2 else None


def read_flag(data, max_pixels: int | None = None) -> tuple[int, int, tuple[int, int] | None]:
    """The OpenCV imdecode flag to read the photo whose file bytes are `data` with, the
    factor it shrinks the photo by, and its stored size (`header_size`): (IMREAD_COLOR, 1),
    or for a baseline JPEG over `max_pixels` (default MAX_PIXELS) the first reduced size
    under it. TooBig for any other file over `max_pixels`."""
    max_pixels = MAX_PIXELS if max_pixels is None else max_pixels
    size, progressive = _stored(data)
    if size is None or size[0] * size[1] <= max_pixels:
        return cv2.IMREAD_COLOR, 1, size
    width, height = size
    if bytes(data[:2]) != b"\xff\xd8" or progressive:
        raise TooBig(
            f"{width}x{height} is {width * height / 1e6:.1f} MP, more than the "
            f"{max_pixels / 1e6:.1f} MP a photo may have here: shrink it first"
        )
    for k, flag in _REDUCED:
        if width * height / k**2 <= max_pixels:
            return flag, k, size
    raise TooBig(
        f"{width}x{height} is {width * height / 1e6:.1f} MP, too big to read even at an eighth"
        f" of its size: shrink it first"
    )


def decode(data: np.ndarray, max_pixels: int | None = None):
    """The photo in `data` (its file's bytes, uint8) as BGR, turned upright by its EXIF
    orientation (None when OpenCV cannot read it), and the photo's own (width, height): its
    size as shown, even when it was read smaller. Unreadable (one line saying why) for an
    empty file, one too big (TooBig: see `read_flag`), one that stops before its image's end
    (CutShort), or a JPEG whose data is broken part-way (Damaged)."""
    if data.size == 0:
        raise Unreadable("empty file")
    flag, k, stored = read_flag(data, max_pixels)
    if _cut_short(data):
        raise CutShort("the file stops before the photo's end (a JPEG cut short)")
    # (a PNG whose header is whole, with no last chunk)
    if stored and bytes(data[:8]) == _PNG and data.tobytes().find(b"IEND", 33) < 0:
        raise CutShort("the file stops before the photo's end (a PNG cut short)")
    with _decoder_says() as said:
        try:
            image = cv2.imdecode(data, flag)
        except cv2.error as exc:
            if "MAX_IMAGE_PIXELS" not in str(exc):
                raise
            raise TooBig(  # a format not sized here, over OpenCV's own cap (device/__init__.py)
                f"more than the {int(os.environ['OPENCV_IO_MAX_IMAGE_PIXELS']) / 1e6:.1f} MP a"
                " photo may have here: shrink it first"
            ) from None
    broken = [line for line in said if line.startswith(_BROKEN_JPEG)]
    if image is not None and broken:
        raise Damaged(f"the photo's data is damaged part-way ({broken[0].rstrip('.')})")
    if image is None:
        return None, (0, 0)
    h, w = image.shape[:2]
    if k == 1:
        return image, (w, h)
    # The stored size is before any EXIF turn: match it to the decoded photo's shape.
    width, height = stored
    if abs(w / h - height / width) < abs(w / h - width / height):
        width, height = height, width
    return image, (width, height)


@contextlib.contextmanager
def _decoder_says():
    """The lines written to stderr meanwhile, as a list filled on leaving: libjpeg and libpng
    write their warnings straight to the process's stderr, and a broken file's is the only
    sign of it. Lines that are not a decoder's (another thread's log) are written on."""
    said: list[str] = []
    with _HEARING, contextlib.ExitStack() as stack:
        try:
            heard = stack.enter_context(tempfile.TemporaryFile())
            saved = os.dup(2)
        except OSError:  # no stderr, or no room for what it says: nothing is heard
            yield said
            return
        sys.stderr.flush()
        os.dup2(heard.fileno(), 2)
        try:
            yield said
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            heard.seek(0)
            for line in heard.read().decode(errors="replace").splitlines():
                if line.startswith(("Corrupt JPEG", "Premature end", "libpng ")):
                    said.append(line)
                    log.debug("decoder: %s", line)
                elif line:
                    os.write(2, (line + "\n").encode())
