"""Where leancoffee finds its assets, keeps its data and reads its settings."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

DEVICE_SETTINGS = Path("/etc/leancoffee/settings.toml")


def assets_dir() -> Path:
    """assets/, installed as the device.assets package; a plain clone's own folder otherwise."""
    try:
        return Path(str(resources.files("device.assets")))
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "assets"


def asset(name: str) -> Path:
    """A file shipped in assets/, e.g. asset("squeak.wav") or asset("walls/sample.jpg")."""
    return assets_dir() / name


def sample_walls() -> list[Path]:
    """The bundled sample wall photos, sorted by name."""
    folder = assets_dir() / "walls"
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png"))


DEVICE_DATA = Path("/var/lib/leancoffee")

# systemd-timesyncd makes this once it has set the clock from a time server.
SYNCHRONISED = Path("/run/systemd/timesync/synchronized")


def clock_known(flag: Path = SYNCHRONISED) -> bool:
    """Whether the wall clock is known to be right. A Pi has no real-time clock: until a time
    server is reached it may think it is any date (fake-hwclock's last save, months out)."""
    return flag.exists()


def on_device() -> bool:
    """True under the systemd unit (it sets STATE_DIRECTORY), and for the service's own user
    in a shell (`sudo -u leancoffee leancoffee status`), who owns the device's data folder."""
    if os.environ.get("STATE_DIRECTORY"):
        return True
    try:
        return DEVICE_DATA.stat().st_uid == os.getuid() and os.getuid() != 0
    except OSError:
        return False


def default_data_dir() -> Path:
    """Where meetings are kept: the unit's StateDirectory on the device; the user's own
    XDG state folder on a PC; and for an operator's shell on the device (root, or the
    `pi` user) with no folder of their own, the device's folder."""
    if os.environ.get("STATE_DIRECTORY"):
        return Path(os.environ["STATE_DIRECTORY"].split(":")[0])
    if on_device():
        return DEVICE_DATA
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    own = Path(base) / "leancoffee"
    return DEVICE_DATA if not own.exists() and DEVICE_DATA.is_dir() else own


def default_settings_path() -> Path:
    """The settings file: /etc/leancoffee/settings.toml on the device, the user's XDG
    config file on a PC (on the device too, when that user has one of their own)."""
    if on_device():
        return DEVICE_SETTINGS
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    own = Path(base) / "leancoffee" / "settings.toml"
    try:
        mine = own.exists()
    except OSError:  # a home folder this user cannot read (a service user's HOME=/root)
        mine = False
    return DEVICE_SETTINGS if not mine and DEVICE_SETTINGS.is_file() else own
