"""One `leancoffee run` per data folder: the advisory lock (device.store.RunLock).

The lock is held by a child process, as a second run on the device would be (the
service, and someone's `leancoffee run` over SSH). The child says when it holds the
lock and holds it until its stdin closes or it is killed, so no test waits on a timer.
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys

import pytest
from engine_helpers import recorded_meeting

from device.cli import main
from device.commands import run as run_command
from device.store import (
    DB_NAME,
    LOCK_NAME,
    Busy,
    RunLock,
    RunLockState,
    SaveError,
    Store,
    run_lock_state,
)

HOLDER = """
import sys
from device.store import RunLock
lock = RunLock.take(sys.argv[1])
print("locked", flush=True)
sys.stdin.read()
"""


@pytest.fixture
def holder(tmp_path):
    """Start a process holding the lock of a data folder: holder(folder) -> Popen."""
    started = []

    def start(folder):
        proc = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(folder)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        started.append(proc)
        assert proc.stdout.readline() == "locked\n"
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        proc.stdin.close()
        proc.stdout.close()


def parse(argv):
    parser = argparse.ArgumentParser()
    run_command.add_arguments(parser)
    return parser.parse_args(argv)


def run_args(tmp_path, data):
    args = parse(["--headless", "--data-dir", str(data)])
    args.settings = tmp_path / "settings.toml"
    args.settings.write_text("")
    return args


def test_a_second_run_is_refused_with_the_holders_pid_before_anything_opens(
    tmp_path, holder, capsys, monkeypatch
):
    data = tmp_path / "data"
    child = holder(data)
    built = []
    monkeypatch.setattr(run_command, "build", lambda *a, **k: built.append(1))
    assert run_command.run(run_args(tmp_path, data)) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"leancoffee run: another leancoffee run (pid {child.pid}) is using {data}; stop it first."
    ]
    assert not built, "no screen, camera or button opened"
    assert not (data / DB_NAME).exists(), "the store is not touched"
    assert (data / LOCK_NAME).read_text() == f"{child.pid}\n", "the holder's pid is left alone"


def test_the_lock_is_free_again_when_its_holder_ends(tmp_path, holder):
    data = tmp_path / "data"
    child = holder(data)
    with pytest.raises(Busy) as refused:
        RunLock.take(data, wait_seconds=0)
    assert refused.value.pid == child.pid
    child.stdin.close()
    assert child.wait(timeout=10) == 0
    with RunLock.take(data, wait_seconds=0):
        assert (data / LOCK_NAME).read_text() == f"{os.getpid()}\n"


def test_kill_9_leaves_no_stale_lock(tmp_path, holder):
    data = tmp_path / "data"
    child = holder(data)
    assert run_lock_state(data).going is True
    child.kill()  # SIGKILL: no Python code runs to release anything
    child.wait(timeout=10)
    assert (data / LOCK_NAME).read_text() == f"{child.pid}\n", "the file stays; the lock does not"
    assert run_lock_state(data).going is False
    with RunLock.take(data, wait_seconds=0):
        assert run_lock_state(data).going is True


def test_run_holds_the_lock_while_it_runs_and_lets_go_after(tmp_path, monkeypatch):
    data = tmp_path / "data"
    seen = []

    def build(settings, **kw):
        seen.append((kw["data_dir"], run_lock_state(data)))
        raise run_command.CameraError("no camera here")

    monkeypatch.setattr(run_command, "build", build)
    assert run_command.run(run_args(tmp_path, data)) == 1
    assert seen == [(data, RunLockState(True, os.getpid()))]
    assert run_lock_state(data).going is False


def test_readers_need_no_lock(tmp_path, holder, capsys):
    data = tmp_path / "data"
    recorded_meeting(data).recorder.close()
    child = holder(data)
    for command in (["sessions"], ["status", "--json"], ["export", "--format", "csv"]):
        assert main([*command, "--data-dir", str(data)]) == 0, command
    assert run_lock_state(data).pid == child.pid


def test_the_lock_does_not_stop_a_second_store_in_the_same_process(tmp_path):
    """The lock is the run's, not the store's: tests, the demo and readers open stores freely."""
    with RunLock.take(tmp_path):
        with Store(tmp_path) as store:
            assert store.meetings() == []


def test_a_folder_that_cannot_be_locked_is_logged_and_the_run_goes_on(tmp_path, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the data folder should be")
    with pytest.raises(SaveError, match="not a folder"):
        RunLock.take(blocker)
    with caplog.at_level(logging.WARNING, logger="leancoffee"):
        assert run_command.lock_data_dir(blocker / "data") is None
    assert "Another run could use it" in caplog.text


def test_status_of_a_folder_never_run_in_makes_nothing(tmp_path):
    assert run_lock_state(tmp_path / "none").going is False
    assert not (tmp_path / "none").exists()
    assert run_lock_state(tmp_path).going is False
    assert not (tmp_path / LOCK_NAME).exists()
