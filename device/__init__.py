"""leancoffee: the appliance (settings, session rules, storage, hardware, screens, CLI)."""

import os

__version__ = "0.1.0"

# The most pixels a photo may have here (device.imagefile: a bigger baseline JPEG is read
# smaller, other formats it can size are refused). For the formats it cannot size from their
# header (JPEG 2000, GIF, HDR...), OpenCV's own cap says the same: it is read from the
# environment when cv2 is first imported, which the appliance and the CLI do after this.
PHOTO_MAX_PIXELS = 48_000_000
os.environ.setdefault("OPENCV_IO_MAX_IMAGE_PIXELS", str(PHOTO_MAX_PIXELS))
# OpenCV's own log lines ("[ WARN:0@0.3] global grfmt_png.cpp ...") on a broken file say in
# its words what the one-line error here says in the user's: silenced, unless set otherwise
# (OPENCV_LOG_LEVEL=INFO shows them again).
os.environ.setdefault("OPENCV_LOG_LEVEL", "SILENT")
