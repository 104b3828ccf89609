"""The settings loader: defaults, the commented file, and every kind of bad value naming its key."""

from __future__ import annotations

import dataclasses
import tomllib

import pytest

from device import settings as S
from device.session import Rules


def write(tmp_path, text: str):
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_missing_default_file_is_not_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    settings, problems = S.load()
    assert settings == S.Settings() and problems == []


def test_a_named_file_that_is_missing_is_a_problem_and_the_defaults_run(tmp_path):
    settings, problems = S.load(tmp_path / "absent.toml")
    assert settings == S.Settings()
    assert problems == [f"{tmp_path / 'absent.toml'}: no such settings file; using the defaults."]


def test_the_meeting_defaults_are_lean_coffee_practice():
    s = S.Settings()
    assert (s.slot_minutes, s.extension_minutes, s.warning_seconds) == (8, (4, 2), 60)
    assert (s.meeting_minutes, s.votes_per_person) == (60, 3)
    assert (s.hold_seconds, s.long_hold_seconds, s.countdown_seconds) == (1.0, 3.0, 3)
    assert (s.keep_photos, s.keep_days) == (False, 90)
    rules = Rules.from_settings(s)
    assert rules == Rules()


def test_every_setting_has_a_comment_a_section_and_a_plain_name():
    for key in S.KEYS:
        assert key.comment and key.section
        assert key.name == key.name.lower() and " " not in key.name
    with pytest.raises(dataclasses.FrozenInstanceError):
        S.Settings().slot_minutes = 3


def test_defaults_toml_is_commented_and_loads_back_to_the_defaults(tmp_path):
    text = S.defaults_toml()
    data = tomllib.loads(text)
    assert set(data) == {k.name for k in S.KEYS}
    lines = text.splitlines()
    for key in S.KEYS:
        at = next(i for i, line in enumerate(lines) if line.startswith(f"{key.name} = "))
        assert lines[at - 1] == f"# {key.comment}"
    settings, problems = S.load(write(tmp_path, text))
    assert problems == [] and settings == S.Settings()


def test_good_values_are_taken(tmp_path):
    path = write(
        tmp_path,
        'slot_minutes = 10\nextension_minutes = [5, 2.5, 1]\nkeep_photos = true\naudio_device = "hw:1"\n'
        "screen_rotation_degrees = 180\nwarning_seconds = 0\n",
    )
    settings, problems = S.load(path)
    assert problems == []
    assert settings.slot_seconds == 600 and settings.extension_seconds == (300, 150, 60)
    assert settings.keep_photos is True and settings.audio_device == "hw:1"
    assert settings.screen_rotation_degrees == 180 and settings.warning_seconds == 0


@pytest.mark.parametrize(
    "line, key, words",
    [
        ('slot_minutes = "eight"', "slot_minutes", "must be a number"),
        ("votes_per_person = 2.5", "votes_per_person", "whole number"),
        ("keep_photos = 1", "keep_photos", "true or false"),
        ("button_pin = true", "button_pin", "whole number"),
        ("audio_device = 3", "audio_device", "text"),
        ("extension_minutes = 4", "extension_minutes", "list of numbers"),
        ('extension_minutes = [4, "two"]', "extension_minutes", "numbers only"),
        ("slot_minutes = -3", "slot_minutes", "cannot be negative"),
        ("warning_seconds = -1", "warning_seconds", "cannot be negative"),
        ("extension_minutes = [4, -2]", "extension_minutes", "cannot be negative"),
        ("hold_seconds = -0.5", "hold_seconds", "cannot be negative"),
        ("button_pin = 99", "button_pin", "above the largest"),
        ("screen_rotation_degrees = 45", "screen_rotation_degrees", "one of 0, 90, 180, 270"),
        ('camera_focus = "sharp"', "camera_focus", "one of"),
        ("slot_minutes = nan", "slot_minutes", "must be a number"),
    ],
)
def test_a_bad_value_is_one_sentence_naming_the_key_and_keeps_the_default(
    tmp_path, line, key, words
):
    settings, problems = S.load(write(tmp_path, line + "\nmeeting_minutes = 45\n"))
    assert len(problems) == 1
    problem = problems[0]
    assert key in problem and words in problem and "using the default" in problem
    assert problem.endswith(".") and "\n" not in problem
    assert getattr(settings, key) == getattr(S.Settings(), key)
    assert settings.meeting_minutes == 45  # the good keys still count


def test_unknown_keys_and_sections_are_rejected_not_ignored(tmp_path):
    settings, problems = S.load(write(tmp_path, "slot_minute = 5\n[meeting]\nslot_minutes = 5\n"))
    assert settings == S.Settings()
    assert len(problems) == 2
    assert "unknown key 'slot_minute'" in problems[0]
    assert "unknown section 'meeting'" in problems[1]


def test_long_hold_must_outlast_hold(tmp_path):
    settings, problems = S.load(write(tmp_path, "hold_seconds = 2\nlong_hold_seconds = 1.5\n"))
    assert (settings.hold_seconds, settings.long_hold_seconds) == (1.0, 3.0)
    assert len(problems) == 1 and "long_hold_seconds" in problems[0]


def test_a_file_that_is_not_toml_keeps_every_default(tmp_path):
    settings, problems = S.load(write(tmp_path, "slot_minutes = = 8\n"))
    assert settings == S.Settings()
    assert len(problems) == 1 and "not valid TOML" in problems[0] and "line 1" in problems[0]


def test_an_unreadable_file_keeps_every_default(tmp_path):
    folder = tmp_path / "settings.toml"
    folder.mkdir()
    settings, problems = S.load(folder)
    assert settings == S.Settings() and "cannot read" in problems[0]
    bad = tmp_path / "latin1.toml"
    bad.write_bytes(b'audio_device = "caf\xe9"\n')
    settings, problems = S.load(bad)
    assert settings == S.Settings() and "cannot read" in problems[0]


def test_the_default_path_comes_from_device_paths(tmp_path, monkeypatch):
    monkeypatch.delenv("STATE_DIRECTORY", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    (tmp_path / "leancoffee").mkdir()
    (tmp_path / "leancoffee" / "settings.toml").write_text("slot_minutes = 5\n")
    settings, problems = S.load()
    assert settings.slot_minutes == 5 and problems == []


def test_the_data_dir_setting_and_its_override(tmp_path, monkeypatch):
    monkeypatch.delenv("STATE_DIRECTORY", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = write(tmp_path, f'data_dir = "{tmp_path / "meetings"}"\n')
    assert S.resolve_data_dir(None, path) == (tmp_path / "meetings", [])
    assert S.resolve_data_dir(tmp_path / "x", path) == (tmp_path / "x", [])
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    assert S.resolve_data_dir(None, None) == (tmp_path / "state" / "leancoffee", [])
    with pytest.raises(S.MissingSettings, match="none.toml: no such settings file"):
        S.resolve_data_dir(None, tmp_path / "none.toml")


def test_a_warning_as_long_as_the_slot_is_refused(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text("slot_minutes = 5\nwarning_seconds = 300\n")
    settings, problems = S.load(path)
    assert settings.slot_minutes == 5 and settings.warning_seconds == 60
    assert len(problems) == 1 and "warning_seconds (300) must be shorter than a slot" in problems[0]


def test_a_float_where_a_whole_number_is_due_is_shown_as_written(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text("votes_per_person = 3.0\n")
    _, problems = S.load(path)
    assert problems and "not 3.0" in problems[0]
