"""`leancoffee settings`, `sessions`, `export` and `status`: output and exit codes (0 ok, 1 runtime, 2 usage)."""

from __future__ import annotations

import argparse
import importlib
import json
import tomllib

import pytest
from engine_helpers import recorded_meeting

from device import settings as settings_module
from device.store import DB_NAME


def run(name: str, *argv: str) -> int:
    """Run one command module the way device/cli.py does."""
    module = importlib.import_module(f"device.commands.{name}")
    parser = argparse.ArgumentParser(prog=f"leancoffee {name}")
    module.add_arguments(parser)
    assert isinstance(module.HELP, str) and "\n" not in module.HELP
    return module.run(parser.parse_args(list(argv)))


@pytest.fixture
def meeting_dir(tmp_path):
    folder = tmp_path / "data"
    recorded_meeting(folder).recorder.close()
    return folder


# --- settings ---


def test_settings_defaults_prints_the_commented_file(capsys):
    assert run("settings", "--defaults") == 0
    out = capsys.readouterr().out
    assert out == settings_module.defaults_toml()
    assert tomllib.loads(out)["slot_minutes"] == 8


def test_settings_check_passes_a_good_file(tmp_path, capsys):
    path = tmp_path / "settings.toml"
    path.write_text(settings_module.defaults_toml().replace("slot_minutes = 8", "slot_minutes = 7"))
    assert run("settings", "--check", str(path)) == 0
    assert capsys.readouterr().out == f"{path}: ok\n"


def test_settings_check_names_each_bad_key_and_exits_2(tmp_path, capsys):
    path = tmp_path / "settings.toml"
    path.write_text('slot_minutes = -8\nvotes_per_person = "three"\ncolour = "blue"\n')
    assert run("settings", "--check", str(path)) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 3
    for key, line in zip(("slot_minutes", "votes_per_person", "colour"), lines, strict=True):
        assert key in line


def test_settings_check_of_a_missing_file_exits_2(tmp_path, capsys):
    assert run("settings", "--check", str(tmp_path / "none.toml")) == 2
    assert "no such settings file" in capsys.readouterr().err
    assert run("settings", "--check", str(tmp_path)) == 2
    assert capsys.readouterr().err.strip() == f"{tmp_path}: a folder, not a settings file."


def test_settings_without_options_shows_the_values_in_effect(tmp_path, capsys):
    path = tmp_path / "settings.toml"
    path.write_text("meeting_minutes = 45\n")
    assert run("settings", "--settings", str(path)) == 0
    out = capsys.readouterr().out
    assert "meeting_minutes = 45\n" in out and "slot_minutes = 8\n" in out
    path.write_text("meeting_minutes = -45\n")
    assert run("settings", "--settings", str(path)) == 2


def test_settings_options_exclude_each_other(tmp_path):
    with pytest.raises(SystemExit) as stop:
        run("settings", "--defaults", "--check", str(tmp_path / "x.toml"))
    assert stop.value.code == 2


# --- sessions ---


def test_sessions_with_no_database_says_so_and_creates_nothing(tmp_path, capsys):
    assert run("sessions", "--data-dir", str(tmp_path / "empty")) == 0
    assert "No meetings saved" in capsys.readouterr().out
    assert not (tmp_path / "empty").exists()


def test_sessions_lists_date_topics_and_duration(meeting_dir, capsys):
    recorded = recorded_meeting(meeting_dir, finish=False)  # meeting 2, unfinished
    recorded.recorder.close()
    assert run("sessions", "--data-dir", str(meeting_dir)) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["ID", "DATE", "TOPICS", "DISCUSSED", "DURATION", "STATE"]
    assert lines[1].split() == ["1", "Tue", "2025-03-04", "08:10", "6", "3", "0:19:10", "finished"]
    assert lines[2].split()[-1] == "unfinished"
    assert run("sessions", "--json", "--data-dir", str(meeting_dir)) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["id"], r["topics"], r["finished"]) for r in rows] == [(1, 6, True), (2, 6, False)]
    # The topic under discussion counts as discussed, as in the exported record.
    assert run("export", "2", "--format", "json", "--data-dir", str(meeting_dir)) == 0
    record = json.loads(capsys.readouterr().out)
    exported = sum(t["status"] == "discussed" for t in record["topics"])
    assert rows[1]["discussed"] == exported >= 1


def test_sessions_uses_the_data_dir_from_the_settings(meeting_dir, tmp_path, capsys):
    path = tmp_path / "settings.toml"
    path.write_text(f'data_dir = "{meeting_dir}"\n')
    assert run("sessions", "--settings", str(path)) == 0
    assert "finished" in capsys.readouterr().out


def test_a_corrupt_database_is_a_runtime_error_and_is_left_alone(tmp_path, capsys):
    (tmp_path / DB_NAME).write_bytes(b"not a database at all" * 20)
    assert run("sessions", "--data-dir", str(tmp_path)) == 1
    assert "Cannot read" in capsys.readouterr().err
    assert (tmp_path / DB_NAME).read_bytes() == b"not a database at all" * 20


@pytest.mark.parametrize("command", ["sessions", "export", "status"])
def test_a_named_settings_file_that_is_missing_is_a_usage_error(command, tmp_path, capsys):
    from device.cli import main

    assert main([command, "--settings", str(tmp_path / "typo.toml")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"leancoffee {command}: {tmp_path / 'typo.toml'}: no such settings file"]


# --- export ---


def test_export_json_of_the_latest_meeting_to_stdout(meeting_dir, capsys):
    assert run("export", "--format", "json", "--data-dir", str(meeting_dir)) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["meeting"]["id"] == 1 and len(record["topics"]) == 6


def test_export_guesses_the_format_from_the_file_name(meeting_dir, tmp_path, capsys):
    out = tmp_path / "report.html"
    assert run("export", "1", "--out", str(out), "--data-dir", str(meeting_dir)) == 0
    assert out.read_text().startswith("<!doctype html>")
    assert f"wrote {out}" in capsys.readouterr().err
    md = tmp_path / "notes.md"
    assert run("export", "latest", "--out", str(md), "--data-dir", str(meeting_dir)) == 0
    assert len(list((tmp_path / "notes-pictures").glob("*.png"))) == 6
    assert "6 note pictures" in capsys.readouterr().err


def test_export_csv(meeting_dir, capsys):
    assert run("export", "--format", "csv", "--data-dir", str(meeting_dir)) == 0
    assert len(capsys.readouterr().out.splitlines()) == 7


def test_export_of_a_missing_meeting_exits_1(meeting_dir, tmp_path, capsys):
    assert run("export", "7", "--data-dir", str(meeting_dir)) == 1
    assert "no meeting 7" in capsys.readouterr().err
    assert run("export", "--data-dir", str(tmp_path / "nothing")) == 1
    assert "No meetings saved" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["abc"], ["0"], ["--format", "pdf"]])
def test_export_usage_errors_exit_2(meeting_dir, argv):
    with pytest.raises(SystemExit) as stop:
        run("export", *argv, "--data-dir", str(meeting_dir))
    assert stop.value.code == 2


def test_export_to_an_unwritable_place_exits_1(meeting_dir, tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert run("export", "--out", str(blocker / "report.json"), "--data-dir", str(meeting_dir)) == 1
    assert "Cannot write" in capsys.readouterr().err


def test_a_failed_export_leaves_the_old_file_whole(meeting_dir, tmp_path, capsys, monkeypatch):
    out = tmp_path / "meeting.csv"
    assert run("export", "--out", str(out), "--data-dir", str(meeting_dir)) == 0
    before = out.read_bytes()

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("os.fsync", disk_full)
    assert run("export", "--format", "html", "--out", str(out), "--data-dir", str(meeting_dir)) == 1
    assert "No space left on device" in capsys.readouterr().err
    assert out.read_bytes() == before
    assert not list(tmp_path.glob(".meeting*")), "no half-written file"


# --- status ---


def test_status_of_a_running_meeting(tmp_path, capsys):
    d = recorded_meeting(tmp_path, finish=False)
    left = d.state.slot_remaining
    assert run("status", "--json", "--data-dir", str(tmp_path)) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["meeting"]["id"] == 1 and not status["meeting"]["finished"]
    assert status["screen"] == "slot"
    assert status["current"]["rank"] == 4 and status["current"]["votes"] == 2
    assert status["slot"]["running"] and status["slot"]["remaining_seconds"] == pytest.approx(left)
    assert [t["status"] for t in status["topics"]] == [
        "discussed",
        "discussed",
        "skipped",
        "current",
        "waiting",
        "waiting",
    ]
    assert status["meeting_left_seconds"] == pytest.approx(d.state.meeting_left)
    assert run("status", "--data-dir", str(tmp_path)) == 0
    text = capsys.readouterr().out
    assert "Meeting 1 (in progress)" in text and "topic #4 (2 votes)" in text
    assert "6:00 left in the slot (running when last saved at" in text


def test_status_of_a_finished_meeting(meeting_dir, capsys):
    assert run("status", "--json", "--data-dir", str(meeting_dir)) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["meeting"]["finished"] and status["screen"] == "summary"
    assert status["current"] is None and status["slot"] is None
    assert status["meeting_left_seconds"] == 0.0, "as the text says: no time left"


def test_status_without_a_meeting(tmp_path, capsys):
    assert run("status", "--json", "--data-dir", str(tmp_path)) == 0
    assert json.loads(capsys.readouterr().out) == {"meeting": None}
