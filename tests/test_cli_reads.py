"""The reading commands (`status`, `sessions`, `export`): what they say about a broken settings
file, a data folder that is not one, a run that is no longer going, and the export's headline."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from datetime import datetime

import pytest
from engine_helpers import WallClock, recorded_meeting, saved

from device import export
from device import session as S
from device.cli import main
from device.commands.status import saved_at
from device.store import Recorder, SaveError, Store

READERS = (["status"], ["status", "--json"], ["sessions"], ["export", "--format", "json"])

HOLDER = """
import sys
from device.store import RunLock
lock = RunLock.take(sys.argv[1])
print("locked", flush=True)
sys.stdin.read()
"""


@pytest.fixture
def own_folders(tmp_path, monkeypatch):
    """A PC user's default folders, empty, under tmp_path (the settings are read from there)."""
    monkeypatch.delenv("STATE_DIRECTORY", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path


@pytest.fixture
def unfinished(tmp_path):
    """A data folder whose meeting was left in a running slot (topic #4, 6:00 left)."""
    data = tmp_path / "data"
    recorded_meeting(data, finish=False).recorder.close()
    return data


# --- a broken settings file is warned about, as `leancoffee run` does ---


@pytest.mark.parametrize("command", READERS, ids=" ".join)
@pytest.mark.parametrize(
    ("text", "said"),
    [("extension_minutes = [4,\n", "not valid TOML"), ("slot_minutes = -8\n", "slot_minutes")],
)
def test_a_bad_settings_file_is_warned_about_and_the_defaults_used(
    command, text, said, own_folders, capsys, caplog
):
    bad = own_folders / "bad.toml"
    bad.write_text(text)
    with caplog.at_level(logging.WARNING, logger="leancoffee"):
        status = main([*command, "--settings", str(bad)])
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and said in warnings[0] and "using the default" in warnings[0]
    assert bad.name in warnings[0]
    # The defaults, data_dir too: nothing saved there yet.
    assert status == (1 if command[0] == "export" else 0)
    out = capsys.readouterr()
    assert "No meetings saved" in out.out + out.err or out.out == '{"meeting": null}\n'


def test_the_warning_is_one_line_on_stderr_and_stdout_stays_json(own_folders, unfinished):
    bad = own_folders / "bad.toml"
    bad.write_text(f'data_dir = "{unfinished}"\nextension_minutes = [4,\n')
    done = subprocess.run(
        [sys.executable, "-m", "device", "status", "--json", "--settings", str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ),
    )
    assert done.returncode == 0
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and "WARNING leancoffee:" in lines[0], done.stderr
    assert lines[0].endswith(
        f"{bad}: not valid TOML (Invalid value (at end of document)); using the defaults."
    )
    assert json.loads(done.stdout) == {"meeting": None}, "the default folder, as the line says"


def test_a_good_settings_file_says_nothing(own_folders, unfinished, capsys, caplog):
    good = own_folders / "good.toml"
    good.write_text(f'data_dir = "{unfinished}"\n')
    with caplog.at_level(logging.WARNING):
        assert main(["sessions", "--settings", str(good)]) == 0
    assert not caplog.records
    assert "unfinished" in capsys.readouterr().out


# --- a data folder that is not one ---


@pytest.mark.parametrize("command", READERS, ids=" ".join)
def test_a_file_as_the_data_folder_is_said_and_exits_1(command, tmp_path, capsys):
    afile = tmp_path / "afile"
    afile.write_text("")
    assert main([*command, "--data-dir", str(afile)]) == 1
    out = capsys.readouterr()
    assert out.out == ""
    assert out.err == f"{afile} is not a folder.\n"


def test_a_missing_folder_is_still_no_meetings_yet(tmp_path, capsys):
    assert main(["sessions", "--data-dir", str(tmp_path / "none")]) == 0
    assert capsys.readouterr().out == f"No meetings saved in {tmp_path / 'none'} yet.\n"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes and reads through permissions")
def test_a_read_only_empty_folder_is_permission_denied_for_a_run(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(SaveError) as refused:
            Store(folder)
        assert "permission denied" in str(refused.value)
        assert "cannot be opened" not in str(refused.value)
        # Reading it: nothing saved there, which is true.
        assert main(["sessions", "--data-dir", str(folder)]) == 0
    finally:
        folder.chmod(0o755)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes and reads through permissions")
def test_a_folder_that_cannot_be_read_is_permission_denied(tmp_path, capsys):
    folder = tmp_path / "closed"
    recorded_meeting(folder).recorder.close()
    folder.chmod(0o000)
    try:
        assert main(["sessions", "--data-dir", str(folder)]) == 1
        assert capsys.readouterr().err == (
            f"Cannot read the data folder {folder}: permission denied.\n"
        )
    finally:
        folder.chmod(0o700)


# --- status: a running slot when no run is going ---


def test_status_after_a_crash_says_no_run_is_going(unfinished, capsys):
    assert main(["status", "--data-dir", str(unfinished)]) == 0
    text = capsys.readouterr().out
    assert (
        "6:00 left in the slot (running when last saved at 2025-03-04 08:10:00; "
        "no leancoffee run is going)" in text
    )
    assert "(running)" not in text


def test_status_while_a_run_holds_the_folder(unfinished, capsys):
    child = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(unfinished)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout.readline() == "locked\n"
        assert main(["status", "--data-dir", str(unfinished)]) == 0
        text = capsys.readouterr().out
        assert "6:00 left in the slot (running; as last saved at 2025-03-04 08:10:00)" in text
        assert "no leancoffee run" not in text
        assert main(["status", "--json", "--data-dir", str(unfinished)]) == 0
        assert json.loads(capsys.readouterr().out)["run"] == {"going": True, "pid": child.pid}
        child.kill()  # kill -9: the lock goes with the process
        child.wait(timeout=10)
        assert main(["status", "--json", "--data-dir", str(unfinished)]) == 0
        assert json.loads(capsys.readouterr().out)["run"] == {"going": False, "pid": None}
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=10)
        child.stdin.close()
        child.stdout.close()


def test_status_json_keeps_every_field_it_had(unfinished, capsys):
    assert main(["status", "--json", "--data-dir", str(unfinished)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {
        "meeting",
        "screen",
        "current",
        "slot",
        "meeting_elapsed_seconds",
        "meeting_left_seconds",
        "topics",
        "run",
    }
    assert set(result["meeting"]) == {"id", "started", "ended", "saved", "finished"}
    assert set(result["slot"]) == {"kind", "running", "planned_seconds", "remaining_seconds"}
    assert result["slot"]["running"] is True, "as saved: the field means what it meant"


def test_an_unfinished_meeting_on_the_board_says_no_run_is_going(tmp_path, capsys):
    d = saved(Recorder.open(tmp_path, wall=WallClock()))
    d.start_meeting()
    d.recorder.close()
    assert main(["status", "--data-dir", str(tmp_path)]) == 0
    assert "Screen: board; no leancoffee run is going\n" in capsys.readouterr().out


def test_a_finished_meeting_says_nothing_about_runs(tmp_path, capsys):
    recorded_meeting(tmp_path).recorder.close()
    assert main(["status", "--data-dir", str(tmp_path)]) == 0
    assert "run is going" not in capsys.readouterr().out


def test_saved_at_gives_the_date_only_when_it_is_not_today():
    today = datetime.fromisoformat("2025-03-04T17:00:00+01:00")
    assert saved_at("2025-03-04T08:10:05+01:00", today) == "08:10:05"
    assert saved_at("2025-03-03T08:10:05+01:00", today) == "2025-03-03 08:10:05"
    assert saved_at("not a time", today) == "not a time"


# --- the export's headline: the meeting's length and the time discussed, each named ---


@pytest.fixture
def paused_meeting(tmp_path):
    """Topic 1 runs 3 minutes and is paused 10; topic 2 runs 1 minute; then the summary."""
    d = saved(Recorder.open(tmp_path, wall=WallClock()))
    d.start_meeting()
    d.tap()
    d.quietly(3 * 60)
    d.tap()
    d.quietly(10 * 60)
    d.hold()
    d.quietly(60)
    d.tap()
    d.long_hold()
    d.long_hold()
    assert d.state.screen is S.Screen.SUMMARY
    d.recorder.close()
    with Store(tmp_path, readonly=True) as store:
        yield store


def test_the_headline_names_the_meeting_clock_and_the_time_discussed(paused_meeting):
    record = export.meeting_record(paused_meeting)
    meeting = record["meeting"]
    assert meeting["duration_seconds"] == 14 * 60
    assert meeting["discussion_seconds"] == 4 * 60 == sum(t["seconds"] for t in record["topics"])
    headline = "14 min meeting, 4 min of discussion · 6 topics"
    assert headline in export.to_markdown(record)
    assert headline in export.to_html(record, {})
    assert "14 min of discussion" not in export.to_markdown(record)
