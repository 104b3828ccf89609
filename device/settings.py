"""The device's one settings file: a table of every key, a TOML loader that never stops the device.

Every key has a type, a default, a one-line comment and bounds (KEYS below).
`load(path)` returns `(Settings, problems)`: a missing file is not an error; a
file that is not TOML, an unknown key, a wrong type, a negative time or a value
out of bounds each give one sentence naming the key, and the key falls back to
its default, so the appliance can show the problem and run on.
`defaults_toml()` renders the commented file that the install script writes.
"""

from __future__ import annotations

import dataclasses
import json
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Key:
    name: str
    type: type  # int, float, bool, str or list (a list of numbers)
    default: object
    comment: str
    section: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple | None = None

    @property
    def is_time(self) -> bool:
        return self.name.endswith(("_seconds", "_minutes"))


_MEETING = "Meeting rules"
_BUTTON = "Button"
_SCREEN = "Screen"
_SOUND = "Sound"
_CAMERA = "Camera"
_DATA = "Data and privacy"

# fmt: off
KEYS: tuple[Key, ...] = (
    Key("slot_minutes", float, 8, "How long a topic is discussed before the squeak.", _MEETING, 0.1, 180),
    Key("extension_minutes", list, [4, 2], "Extensions a hold can add at time up, in order; once used up a hold is refused.", _MEETING, 0.1, 180),
    Key("warning_seconds", float, 60, "Soft cue and amber screen this long before a slot ends (0: none).", _MEETING, 0, 3600),
    Key("meeting_minutes", float, 60, "Discussion time from the first topic's start; when it is up the current slot finishes, then the summary.", _MEETING, 1, 1440),
    Key("votes_per_person", int, 3, "Dots each person gets; used to estimate how many people voted.", _MEETING, 1, 50),
    Key("skip_seconds", float, 30, "A topic ended within this many seconds of its start counts as skipped, not discussed.", _MEETING, 0, 3600),
    Key("countdown_seconds", int, 3, "The \"3-2-1, step aside\" countdown before the photo.", _MEETING, 0, 30),
    Key("hold_seconds", float, 1.0, "Press this long for a hold.", _BUTTON, 0.2, 10),
    Key("long_hold_seconds", float, 3.0, "Press this long for a long hold (longer than hold_seconds).", _BUTTON, 0.5, 30),
    Key("button_pin", int, 17, "GPIO pin (BCM numbering) of the button; its other leg goes to ground.", _BUTTON, 0, 27),
    Key("button_pull_up", bool, True, "true: the button connects the pin to ground (the internal pull-up is used).", _BUTTON),
    Key("button_bounce_seconds", float, 0.03, "Contact bounce shorter than this is ignored (0.02 to 0.05 suits most buttons).", _BUTTON, 0, 0.2),
    Key("screen_width", int, 0, "Screen width in pixels (0: the screen's own size).", _SCREEN, 0, 7680),
    Key("screen_height", int, 0, "Screen height in pixels (0: the screen's own size).", _SCREEN, 0, 4320),
    Key("screen_rotation_degrees", int, 0, "Turn the picture for a screen mounted sideways or upside down.", _SCREEN, choices=(0, 90, 180, 270)),
    Key("audio_device", str, "", "ALSA device for the speaker, e.g. \"plughw:CARD=Headphones,DEV=0\" (empty: the default).", _SOUND),
    Key("volume_percent", int, 100, "Loudness of the squeak and the cue.", _SOUND, 0, 100),
    Key("camera", str, "auto", "\"auto\" (the Pi camera, else the sample wall), \"pi\", a webcam number such as \"0\", or a photo file or folder.", _CAMERA),
    Key("camera_width", int, 0, "Photo width in pixels (0: the camera's full resolution).", _CAMERA, 0, 20000),
    Key("camera_height", int, 0, "Photo height in pixels (0: the camera's full resolution).", _CAMERA, 0, 20000),
    Key("camera_focus", str, "auto", "\"auto\": an autofocus cycle before each photo when the camera has one; \"manual\": camera_focus_dioptres.", _CAMERA, choices=("auto", "manual")),
    Key("camera_focus_dioptres", float, 0.5, "Manual focus: 1 / distance to the wall in metres (0.5 for 2 m).", _CAMERA, 0, 15),
    Key("camera_settle_seconds", float, 1.5, "Time for exposure to settle after the camera starts.", _CAMERA, 0, 10),
    Key("data_dir", str, "", "Where meetings are kept (empty: /var/lib/leancoffee on the device, ~/.local/state/leancoffee on a PC).", _DATA),
    Key("keep_photos", bool, False, "Keep full wall photos (they may show faces); note pictures are always kept.", _DATA),
    Key("keep_days", int, 90, "Delete meetings (and kept photos) older than this, once the clock is known to be right (0: keep forever).", _DATA, 0, 36500),
)
# fmt: on

_BY_NAME = {k.name: k for k in KEYS}


def _default(key: Key):
    # Lists are stored as tuples so Settings stays hashable and immutable.
    if key.type is list:
        return tuple(float(v) for v in key.default)
    return float(key.default) if key.type is float else key.default


def _field_type(key: Key) -> str:
    return "tuple[float, ...]" if key.type is list else key.type.__name__


class _Units:
    """Conveniences in the units the session uses."""

    @property
    def slot_seconds(self) -> float:
        return self.slot_minutes * 60

    @property
    def extension_seconds(self) -> tuple[float, ...]:
        return tuple(m * 60 for m in self.extension_minutes)

    @property
    def meeting_seconds(self) -> float:
        return self.meeting_minutes * 60

    def data_path(self) -> Path:
        """`data_dir`, or the platform's default when it is empty."""
        from device.paths import default_data_dir

        return Path(self.data_dir).expanduser() if self.data_dir else default_data_dir()


# The dataclass is made from the table, so a key cannot be added in one place and not the other.
Settings = dataclasses.make_dataclass(
    "Settings",
    [(k.name, _field_type(k), dataclasses.field(default=_default(k))) for k in KEYS],
    bases=(_Units,),
    frozen=True,
)
Settings.__doc__ = "Every setting of the device, each defaulted (see KEYS)."
Settings.__module__ = __name__


def _show(value) -> str:
    """A value as it appears in the TOML file."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return str(value)


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _describe(value) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return f"the text {json.dumps(value)}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, float):
        return repr(value)  # 3.0, not 3: the point is what makes it not a whole number
    return _show(value)


def _check(key: Key, value) -> tuple[object, str | None]:
    """(converted value, None) or (None, what is wrong, as the end of a sentence)."""
    if key.type is bool:
        if not isinstance(value, bool):
            return None, f"must be true or false, not {_describe(value)}"
        return value, None
    if key.type is str:
        if not isinstance(value, str):
            return None, f"must be text in quotes, not {_describe(value)}"
        if key.choices and value not in key.choices:
            return None, "must be one of " + ", ".join(json.dumps(c) for c in key.choices)
        return value, None
    if key.type is list:
        if not isinstance(value, list):
            return (
                None,
                f"must be a list of numbers such as {_show(key.default)}, not {_describe(value)}",
            )
        if not all(_number(v) and math.isfinite(v) for v in value):
            return None, f"must hold numbers only, such as {_show(key.default)}"
        for v in value:
            problem = _bounds(key, v)
            if problem:
                return None, "has an entry that " + problem
        return tuple(float(v) for v in value), None
    if key.type is int:
        if not (isinstance(value, int) and not isinstance(value, bool)):
            return None, f"must be a whole number, not {_describe(value)}"
    elif not _number(value) or not math.isfinite(value):
        return None, f"must be a number, not {_describe(value)}"
    if key.choices and value not in key.choices:
        return None, "must be one of " + ", ".join(_show(c) for c in key.choices)
    problem = _bounds(key, value)
    if problem:
        return None, problem
    return (float(value) if key.type is float else value), None


def _bounds(key: Key, value) -> str | None:
    if key.is_time and value < 0:
        return f"is {_show(value)}, but a time cannot be negative"
    if key.minimum is not None and value < key.minimum:
        return f"is {_show(value)}, below the smallest allowed, {_show(key.minimum)}"
    if key.maximum is not None and value > key.maximum:
        return f"is {_show(value)}, above the largest allowed, {_show(key.maximum)}"
    return None


def from_mapping(data: dict, source: str = "settings") -> tuple[Settings, list[str]]:
    """Validate a parsed TOML table: every bad key is a problem and keeps its default."""
    values, problems = {}, []
    for name, value in data.items():
        key = _BY_NAME.get(name)
        if key is None:
            what = "section" if isinstance(value, dict) else "key"
            problems.append(
                f"{source}: unknown {what} {name!r} (not a leancoffee setting; "
                "`leancoffee settings --defaults` lists them all)."
            )
            continue
        converted, problem = _check(key, value)
        if problem:
            problems.append(f"{source}: {name} {problem}; using the default {_show(key.default)}.")
        else:
            values[name] = converted
    hold = values.get("hold_seconds", _BY_NAME["hold_seconds"].default)
    long_hold = values.get("long_hold_seconds", _BY_NAME["long_hold_seconds"].default)
    if long_hold <= hold:
        problems.append(
            f"{source}: long_hold_seconds ({_show(long_hold)}) must be longer than hold_seconds "
            f"({_show(hold)}); using the defaults for both."
        )
        values.pop("hold_seconds", None)
        values.pop("long_hold_seconds", None)
    slot = values.get("slot_minutes", _BY_NAME["slot_minutes"].default) * 60
    warning = values.get("warning_seconds", _BY_NAME["warning_seconds"].default)
    if warning >= slot:
        problems.append(
            f"{source}: warning_seconds ({_show(warning)}) must be shorter than a slot "
            f"(slot_minutes = {_show(slot / 60)}); using the default {_show(_BY_NAME['warning_seconds'].default)}."
        )
        values.pop("warning_seconds", None)
    return Settings(**values), problems


def load(path: str | Path | None = None) -> tuple[Settings, list[str]]:
    """Settings from a TOML file (default: device.paths.default_settings_path()).

    Never raises for a bad or missing file: the problems come back as sentences. Only the
    default file may be missing (every key at its default); a file asked for by name that
    is not there is a problem, as it is most likely a typing mistake.
    """
    named = path is not None
    if path is None:
        from device.paths import default_settings_path

        path = default_settings_path()
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        if named:
            return Settings(), [f"{path}: no such settings file; using the defaults."]
        return Settings(), []
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return Settings(), [
            f"{path}: cannot read the settings file ({reason}); using the defaults."
        ]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return Settings(), [f"{path}: not valid TOML ({exc}); using the defaults."]
    return from_mapping(data, source=path.name)


def defaults_toml() -> str:
    """The commented settings file with every key at its default."""
    lines = [
        "# leancoffee settings (TOML). Every key is optional: a missing key keeps the default shown.",
        "# Check a file with: leancoffee settings --check FILE",
    ]
    section = None
    for key in KEYS:
        if key.section != section:
            section = key.section
            lines += ["", f"# --- {section} ---"]
        lines.append(f"# {key.comment}")
        lines.append(f"{key.name} = {_show(key.default)}")
    return "\n".join(lines) + "\n"


def to_toml(settings: Settings) -> str:
    """The values in effect, one `key = value` line each (for `leancoffee settings`)."""
    return "".join(f"{k.name} = {_show(getattr(settings, k.name))}\n" for k in KEYS)


class MissingSettings(ValueError):
    """A settings file named on the command line is not there (a typing mistake)."""


def resolve_data_dir(
    data_dir: str | Path | None, settings_path: str | Path | None
) -> tuple[Path, list[str]]:
    """Where meetings are: `--data-dir` if given, else the settings' data_dir, else the
    default; and the settings' problems when they were read (the defaults stand in for a
    broken file: its readers say so). Raises MissingSettings for a named settings file that
    is not there: the default data folder would be the wrong one to look in."""
    if data_dir:
        return Path(data_dir).expanduser(), []
    if settings_path is not None and not Path(settings_path).is_file():
        raise MissingSettings(f"{settings_path}: no such settings file")
    settings, problems = load(settings_path)
    return settings.data_path(), problems
