"""Where log lines go and what they look like."""

from __future__ import annotations

import logging
import os
import sys


def to_journal(stream=None) -> bool:
    """Whether `stream` (stderr) is systemd's journal: the service's JOURNAL_STREAM names
    its device and inode. A child of such a service inherits the variable with another
    stderr, so the variable alone is not enough (sd_journal_stream_fd(3))."""
    stream = sys.stderr if stream is None else stream
    try:
        device, inode = (int(part) for part in os.environ["JOURNAL_STREAM"].split(":"))
        st = os.fstat(stream.fileno())
    except (KeyError, ValueError, OSError, AttributeError):
        return False
    return (st.st_dev, st.st_ino) == (device, inode)


def setup(verbose: bool = False) -> None:
    """Log to stderr. Lines carry the time of day to the millisecond, except in systemd's
    journal, which stamps every line itself."""
    stamp = "" if to_journal() else "%(asctime)s.%(msecs)03d "
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format=stamp + "%(levelname)s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
        stream=sys.stderr,
    )
