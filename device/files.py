"""Writing a file whole or not at all."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def write_atomic(path: str | Path, data: str | bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder, then rename it
    over `path`: a full disk or a crash leaves the old file as it was and no half-written
    one. The new file keeps the old one's permissions (else the umask's); a symlink is
    followed. Where that cannot work (a device such as /dev/stdout, a folder that cannot
    be written in), the file is written in place. Raises OSError."""
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    target = path.resolve() if path.is_symlink() else path
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
        regular = target.is_file()
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode, regular = 0o666 & ~umask, True
    if not regular:
        target.write_bytes(raw)
        return
    try:
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    except PermissionError:
        target.write_bytes(raw)  # a writable file in a folder we may not write in
        return
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
            f.flush()
            os.fchmod(f.fileno(), mode)
            os.fsync(f.fileno())
        os.replace(temp, target)
    except BaseException:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        raise
