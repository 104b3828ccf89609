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


def on_device() -> bool:
    """True under the systemd unit, which sets STATE_DIRECTORY (StateDirectory=)."""
    return bool(os.environ.get("STATE_DIRECTORY"))


def default_data_dir() -> Path:
    if on_device():
        return Path(os.environ["STATE_DIRECTORY"].split(":")[0])
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "leancoffee"


def default_settings_path() -> Path:
    if on_device():
        return DEVICE_SETTINGS
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "leancoffee" / "settings.toml"
