"""leancoffee: the appliance (settings, session rules, storage, hardware, screens, CLI)."""

import os

__version__ = "0.1.0"

# The most pixels a photo may have here (device.imagefile: a bigger baseline JPEG is read
# smaller, other formats it can size are refused). For the formats it cannot size from their
# header (JPEG 2000, GIF, HDR...), OpenCV's own cap says the same: it is read from the
# environment when cv2 is first imported, which the appliance and the CLI do after this.
PHOTO_MAX_PIXELS = 48_000_000
os.environ.setdefault("OPENCV_IO_MAX_IMAGE_PIXELS", str(PHOTO_MAX_PIXELS))
