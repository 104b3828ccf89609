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
    if os.environ.get("STATE_DIRECTORY"):
        return Path(os.environ["STATE_DIRECTORY"].split(":")[0])
    if on_device():
        return DEVICE_DATA
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "leancoffee"


def default_settings_path() -> Path:
    if on_device():
        return DEVICE_SETTINGS
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "leancoffee" / "settings.toml"
