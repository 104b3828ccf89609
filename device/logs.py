"""Where log lines go and what they look like."""

from __future__ import annotations

import logging
import os
import sys


def setup(verbose: bool = False) -> None:
    """Log to stderr. Lines carry the time of day to the millisecond, except under systemd,
    whose journal stamps every line itself (it sets JOURNAL_STREAM for its services)."""
    stamp = "" if os.environ.get("JOURNAL_STREAM") else "%(asctime)s.%(msecs)03d "
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format=stamp + "%(levelname)s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
        stream=sys.stderr,
    )
