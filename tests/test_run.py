"""`leancoffee run`: the command's options, and the real process killed and restarted mid-meeting.

The kill-and-restart test (issue 4) starts the appliance as its own process
(headless, stdin button, a photo as the camera, meeting time sped up), drives
it through stdin, SIGKILLs it at many points of a meeting and restarts it: the
topics, the discussed ones, the current topic and its time left (within 2 s of
meeting time) must all come back. The process's own log lines are the sync
points; the expected time left is worked out from when they were logged, or from
the time they state. A slot started between the command sent and its line
logged, so the time left is known between two bounds.
"""

import argparse
import calendar
import os
import queue
import random
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC
from pathlib import Path

import cv2
import pytest

from device.commands import run as run_command
from device.commands.status import status
from device.settings import Settings
from device.store import Store
from vision.synth import make_wall

SPEED = 20.0  # meeting seconds per real second
SETTINGS = """\
slot_minutes = 0.5
extension_minutes = [0.25, 0.2]
warning_seconds = 10
meeting_minutes = 30
countdown_seconds = 1
"""


@pytest.fixture(scope="module")
def wall_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("wall") / "wall.jpg"
    cv2.imwrite(str(path), make_wall(1000, "easy", size=(1000, 667)).image)
    return path


def parse(argv):
    parser = argparse.ArgumentParser()
    run_command.add_arguments(parser)
    return parser.parse_args(argv)


# --- the command in this process --------------------------------------------------------------


def test_options_parse():
    args = parse(["--headless", "--button", "stdin", "--speed", "60", "--camera", "x.jpg"])
    assert (args.display, args.button, args.speed, args.camera) == (
        "headless",
        "stdin",
        60,
        "x.jpg",
    )
    assert parse([]).display is None, "no choice: the default for this machine"


@pytest.mark.parametrize(
    "argv", [["--speed", "0"], ["--speed", "fast"], ["--headless", "--windowed"]]
)
def test_bad_options_are_refused(argv, capsys):
    with pytest.raises(SystemExit) as stop:
        parse(argv)
    assert stop.value.code == 2
    assert "--" in capsys.readouterr().err


def test_a_missing_photo_is_a_one_line_error(tmp_path, capsys):
    args = parse(
        ["--headless", "--camera", str(tmp_path / "nope.jpg"), "--data-dir", str(tmp_path)]
    )
    args.settings = tmp_path / "empty.toml"
    args.settings.write_text("")
    assert run_command.run(args) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"leancoffee run: No photo at {tmp_path / 'nope.jpg'}: check the path given to --camera"
    ]


def test_a_bad_settings_file_is_shown_on_screen_and_the_defaults_run(tmp_path, wall_file):
    bad = tmp_path / "settings.toml"
    bad.write_text('slot_minutes = -8\nsquak = "loud"\n')
    from device.settings import load

    settings, problems = load(bad)
    assert settings.slot_minutes == 8 and len(problems) == 2
    app = run_command.build(
        settings,
        display="headless",
        camera=str(wall_file),
        button="keyboard",
        data_dir=tmp_path / "data",
        notice=run_command.notice_of(problems),
    )
    try:
        app.step()
        assert "slot_minutes" in app.view.message and "1 more problem" in app.view.message
        assert app.rules.slot_seconds == 480
    finally:
        app.close()


def test_the_gpio_button_on_mock_pins_is_picked_by_default(tmp_path, wall_file):
    from gpiozero import Device

    app = run_command.build(
        Settings(), display="headless", camera=str(wall_file), button="auto", data_dir=tmp_path
    )
    try:
        assert app.button.name == "stdin", "headless: stdin, whatever pins there are"
    finally:
        app.close()
    app = run_command.build(
        Settings(button_pin=22),
        display="headless",
        camera=str(wall_file),
        button="gpio",
        data_dir=tmp_path,
    )
    try:
        assert app.button.name == "GPIO22"
        Device.pin_factory.pin(22).drive_low()
        Device.pin_factory.pin(22).drive_high()
        assert len(app.inbox.drain()) == 2
    finally:
        app.close()


def test_a_camera_named_in_the_settings_that_cannot_open_is_shown_at_scan(tmp_path):
    from device.camera import CameraError, MissingCamera

    settings = Settings(camera=str(tmp_path / "usb" / "wall.jpg"))
    app = run_command.build(settings, display="headless", button="keyboard", data_dir=tmp_path)
    try:
        assert isinstance(app.camera, MissingCamera)
        with pytest.raises(CameraError, match="No photo at") as failed:
            app.camera.capture()
        assert "--camera" not in str(failed.value) and "the camera setting" in str(failed.value)
    finally:
        app.close()


def test_on_the_device_the_button_is_the_gpio_one_and_stdin_when_headless(tmp_path, wall_file):
    app = run_command.build(
        Settings(), display="windowed", camera=str(wall_file), data_dir=tmp_path, on_device=True
    )
    try:
        assert app.button.name == "GPIO17"
    finally:
        app.close()
    app = run_command.build(
        Settings(), display="headless", camera=str(wall_file), data_dir=tmp_path, on_device=True
    )
    try:
        assert app.button.name == "stdin", "--headless over SSH: lines on standard input"
    finally:
        app.close()


def test_on_the_device_a_dead_button_pin_is_said_on_screen(tmp_path, wall_file):
    app = run_command.build(
        Settings(button_pin=99),
        display="windowed",
        camera=str(wall_file),
        data_dir=tmp_path,
        on_device=True,
    )
    try:
        assert app.button.name == "keyboard"
        app.step()
        assert app.view.message == (
            "The button does not work: GPIO pin 99 does not exist on this board: "
            "check the button pin setting. Touch the screen instead."
        )
    finally:
        app.close()


def test_on_the_device_a_screen_that_will_not_open_stops_the_app(tmp_path, wall_file, monkeypatch):
    from device import display

    def no_screen(*args, **kwargs):
        raise display.DisplayError("Cannot open the screen: no KMSDRM device")

    monkeypatch.setattr(display, "Screen", no_screen)
    with pytest.raises(display.DisplayError):
        run_command.build(
            Settings(),
            display="fullscreen",
            camera=str(wall_file),
            data_dir=tmp_path,
            on_device=True,
        )
    app = run_command.build(
        Settings(), display="fullscreen", camera=str(wall_file), data_dir=tmp_path
    )
    try:
        assert app.display.mode == "headless", "on a PC: the app runs on without a screen"
    finally:
        app.close()


# --- the real process -------------------------------------------------------------------------


class Appliance:
    """`leancoffee run` as a process: stdin for the button, stderr lines for what it did."""

    def __init__(self, data: Path, wall: Path, settings: Path) -> None:
        # TZ=UTC: its log's HH:MM:SS stamps are read back by `_stamped`, with no DST change.
        env = dict(
            os.environ,
            SDL_AUDIODRIVER="dummy",
            SDL_VIDEODRIVER="dummy",
            PYTHONUNBUFFERED="1",
            TZ="UTC",
        )
        env.pop("STATE_DIRECTORY", None)
        command = [sys.executable, "-m", "device.commands.run", "--headless", "--button", "stdin"]
        command += ["--camera", str(wall), "--data-dir", str(data), "--settings", str(settings)]
        command += ["--speed", str(SPEED)]
        self.proc = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=Path(__file__).resolve().parents[1],
        )
        self.lines: queue.Queue = queue.Queue()
        self.log: list[str] = []
        self.sent_at = time.time()  # when the last line was sent to it
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stderr:
            self.lines.put((_stamped(line), line.rstrip("\n")))
        self.lines.put((time.time(), None))

    def send(self, word: str) -> None:
        self.sent_at = time.time()
        self.proc.stdin.write(word + "\n")
        self.proc.stdin.flush()

    def expect(self, pattern: str, timeout: float = 30.0):
        """Read log lines until one matches; (time it was read, match). Every line read is
        also handed to `seen` so the model follows the meeting."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            try:
                at, line = self.lines.get(timeout=max(0.01, left))
            except queue.Empty:
                raise AssertionError(
                    f"no line like {pattern!r} in {timeout} s; log:\n" + "\n".join(self.log[-20:])
                ) from None
            if line is None:
                raise AssertionError("the process ended; log:\n" + "\n".join(self.log[-20:]))
            self.log.append(line)
            self.seen(at, line)
            found = re.search(pattern, line)
            if found:
                return at, found

    def linger(self, seconds: float) -> None:
        """Let the process run on for a while, following its log meanwhile."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                at, line = self.lines.get(timeout=left)
            except queue.Empty:
                return
            if line is None:
                raise AssertionError("the process ended; log:\n" + "\n".join(self.log[-20:]))
            self.log.append(line)
            self.seen(at, line)

    seen = staticmethod(lambda at, line: None)

    def kill(self) -> float:
        at = time.time()
        self.proc.kill()
        self.proc.wait(timeout=10)
        return at

    def stop(self) -> int:
        """SIGTERM, then the rest of its log; its exit status."""
        self.proc.send_signal(signal.SIGTERM)
        status = self.proc.wait(timeout=10)
        while (item := self.lines.get(timeout=10))[1] is not None:
            self.log.append(item[1])
        return status


def _stamped(line: str) -> float:
    """When the process logged the line (its own HH:MM:SS.mmm stamp, as epoch seconds):
    the time the line is read here can lag by a loaded machine's scheduling."""
    now = time.time()
    m = re.match(r"(\d\d):(\d\d):(\d\d)\.(\d{3}) ", line)
    if m is None:
        return now
    day = time.gmtime(now)  # the process logs in UTC (Appliance)
    stamp = calendar.timegm((*day[:3], int(m[1]), int(m[2]), int(m[3]))) + int(m[4]) / 1000
    return min((stamp + d for d in (-86400, 0, 86400)), key=lambda t: abs(t - now))


def _clock(m: str, s: str) -> float:
    return int(m) * 60 + int(s)


class Model:
    """What the meeting should be, from the log lines and when they came."""

    def __init__(self) -> None:
        self.topics = 0
        self.done: set[int] = set()
        self.current: int | None = None
        self.left = 0.0  # meeting seconds left in the slot when it started running
        # Real time the slot ran from (None: not running): at the latest when the line saying
        # so was logged, which can lag by the save before it (the log says only what is on
        # disk), and at the earliest when the command that started it was sent.
        self.since: float | None = None
        self.earliest: float | None = None
        self.sent = 0.0  # when the last command was sent

    def remaining(self, at: float) -> tuple[float, float]:
        """The least and the most meeting seconds the slot can have left at `at`."""
        if self.since is None:
            return self.left, self.left
        return tuple(max(0.0, self.left - (at - t) * SPEED) for t in (self.earliest, self.since))

    def runs_from(self, at: float) -> None:
        self.since, self.earliest = at, min(at, self.sent)

    def seen(self, at: float, line: str) -> None:
        if m := re.search(r"(?:re-)?scan \d+: (\d+) notes", line):
            self.topics = int(m[1])
        elif m := re.search(r"slot \d+: topic #(\d+) .*, (\d+):(\d\d)$", line):
            self.current, self.left = int(m[1]), _clock(m[2], m[3])
            self.runs_from(at)
        # The time left as the device says it: a line's stamp can lag the moment it tells
        # of by the save before it (the log says only what is on disk).
        elif m := re.search(r"paused topic #\d+, (\d+):(\d\d) left$", line):
            self.left, self.since = _clock(m[1], m[2]), None
        elif m := re.search(r"resumed topic #\d+, (\d+):(\d\d) left$", line):
            self.left = _clock(m[1], m[2])
            self.runs_from(at)
        elif re.search(r"time up for topic #", line):
            self.left, self.since = 0.0, None
        elif m := re.search(r"extension \d+ for topic #(\d+): (\d+):(\d\d)", line):
            self.left = _clock(m[2], m[3])
            self.runs_from(at)
        elif m := re.search(r"topic #(\d+) (done|skipped)", line):
            self.done.add(int(m[1]))
            self.current, self.since, self.left = None, None, 0.0
        elif m := re.search(
            r"meeting resumed \(([a-z ]+)(?:, (\d+):(\d\d) left in topic #(\d+))?\)", line
        ):
            if m[2] is not None:
                self.left, self.since = _clock(m[2], m[3]), None


@pytest.mark.slow
def test_kill_and_restart_at_many_points_loses_nothing(tmp_path, wall_file):
    rng = random.Random(4)
    data = tmp_path / "data"
    settings = tmp_path / "settings.toml"
    settings.write_text(SETTINGS)
    model = Model()
    checks = []

    lines = []

    def seen(d, at, line):
        lines.append(line)
        model.sent = d.sent_at
        model.seen(at, line)

    def start() -> Appliance:
        d = Appliance(data, wall_file, settings)
        d.seen = lambda at, line: seen(d, at, line)
        return d

    def kill_and_check(d: Appliance, where: str) -> Appliance:
        killed = d.kill()
        saved = status(Store(data, readonly=True))
        topics = saved["topics"]
        assert len([t for t in topics if t["on_wall"]]) == model.topics, where
        assert {
            t["rank"] for t in topics if t["status"] in ("discussed", "skipped")
        } == model.done, where
        current = saved["current"]["rank"] if saved["current"] else None
        assert current == model.current, where
        if model.current is not None:
            least, most = model.remaining(killed)
            assert least - 2.0 <= saved["slot"]["remaining_seconds"] <= most + 2.0, (
                where,
                saved["slot"],
                (least, most),
                "\n".join(lines[-12:]),
            )
        checks.append(where)
        # Restart: it asks, a tap resumes, and it says where it is.
        d = start()
        d.expect("asking whether to resume")
        d.send("tap")
        _at, resumed = d.expect(r"meeting resumed")
        if model.current is not None:
            assert (
                f"left in topic #{model.current}" in resumed.string or "time up" in resumed.string
            )
            if model.left:
                assert abs(model.left - saved["slot"]["remaining_seconds"]) <= 1.0
        return d

    d = start()
    d.expect("running:")
    d.send("tap")
    d.expect(r"scan 1: \d+ notes")
    assert model.topics >= 5
    d = kill_and_check(d, "board after the first scan")

    d.send("tap")
    d.expect(r"slot 1: topic #1")
    d.linger(rng.uniform(0.2, 1.0))
    d = kill_and_check(d, "in the first slot")

    d.send("tap")  # the slot comes back paused: carry on
    d.expect("resumed topic")
    d.expect(r"last 0:10 of topic")
    d.linger(rng.uniform(0.0, 0.4))
    d = kill_and_check(d, "in the last minute")

    d.send("tap")
    d.expect(r"time up for topic")
    d = kill_and_check(d, "at time up")

    d.send("hold")  # thumbs up: an extension
    d.expect(r"extension 1 for topic")
    d.linger(rng.uniform(0.1, 0.6))
    d = kill_and_check(d, "in an extension")

    d.send("tap")
    d.expect("resumed topic")
    d.linger(0.2)
    d.send("tap")
    d.expect("paused topic")
    d = kill_and_check(d, "paused")

    d.send("hold")  # done early: the next topic starts
    d.expect(r"topic #\d+ (done|skipped)")
    d.expect(r"slot \d+: topic")
    d.linger(rng.uniform(0.2, 1.2))
    d = kill_and_check(d, "in the next topic after an early finish")

    d.send("tap")
    d.expect("resumed topic")
    d.expect(r"time up for topic")
    d.send("long")  # back to the board, then a re-scan
    d.expect(r"topic #\d+ done")
    d.send("hold")
    d.expect("taking the photo")
    d = kill_and_check(d, "during a re-scan")

    d.send("tap")
    d.expect(r"slot \d+: topic")
    for n in range(2):
        d.linger(rng.uniform(0.1, 1.4))
        d = kill_and_check(d, f"random point {n + 1}")
        d.send("tap")
        d.expect("resumed topic")
        d.expect(r"time up for topic")
        d.send("tap")  # next topic
        d.expect(r"topic #\d+ done")
        d.expect(r"slot \d+: topic")

    assert d.stop() == 0, "SIGTERM ends it cleanly"
    assert any("stopping (SIGTERM)" in line for line in d.log)
    assert len(checks) == 10
    # One line per meaningful event, the scan's with its counts and times.
    assert any(
        re.search(r"photo counted: \d+ notes, \d+ dots.*counting \d+\.\d\d s", x) for x in lines
    )
    for event in ("slot 1: topic #1", "last 0:10 of topic", "time up for topic", "extension 1 for"):
        assert any(event in x for x in lines), event


def test_old_meetings_are_pruned_only_once_the_clock_is_known_to_be_right(tmp_path):
    from datetime import datetime, timedelta

    from engine_helpers import WallClock, recorded_meeting

    from device.commands.run import prune_old_meetings
    from device.store import Recorder, Store

    # A meeting that ended 100 days ago, by a clock that was right then.
    clock = WallClock()
    clock.now = datetime.now(UTC) - timedelta(days=100, hours=2)
    recorded_meeting(tmp_path / "data", wall=clock).recorder.close()
    recorder = Recorder.open(tmp_path / "data")
    photos = tmp_path / "data" / "photos"
    photos.mkdir()
    old, new = photos / "wall-old.jpg", photos / "wall-new.jpg"
    for photo in (old, new):
        photo.write_bytes(b"jpeg")
    hundred_days_ago = clock.now.timestamp()
    os.utime(old, (hundred_days_ago, hundred_days_ago))
    flag = tmp_path / "synchronized"
    assert prune_old_meetings(recorder, 90, flag) is None  # clock not known to be right
    assert prune_old_meetings(recorder, 0, flag) == 0
    assert old.exists()
    flag.touch()
    assert prune_old_meetings(recorder, 120, flag) == 0  # not that old
    assert old.exists()
    assert prune_old_meetings(recorder, 90, flag) == 1
    assert not old.exists() and new.exists(), "kept photos go with their meetings"
    recorder.close()
    with Store(tmp_path / "data", readonly=True) as store:
        assert store.meetings() == []


def test_a_meeting_stamped_before_the_clock_was_right_is_aged_from_when_it_was(tmp_path):
    from datetime import datetime, timedelta

    from engine_helpers import WallClock, recorded_meeting

    from device.app import CLOCK_UNSET
    from device.commands.run import prune_old_meetings
    from device.store import Recorder, Store

    # Held offline on a Pi whose clock was months behind: its stamps are 100 days "old".
    clock = WallClock()
    clock.now = datetime.now(UTC) - timedelta(days=100)
    clock.known = False
    recorded_meeting(tmp_path / "data", wall=clock).recorder.close()
    photos = tmp_path / "data" / "photos"
    photos.mkdir()
    photo = photos / f"wall-20250304-081000-1{CLOCK_UNSET}.jpg"
    photo.write_bytes(b"jpeg")
    stamp = clock.now.timestamp()
    os.utime(photo, (stamp, stamp))
    flag = tmp_path / "synchronized"
    flag.touch()
    recorder = Recorder.open(tmp_path / "data")
    assert prune_old_meetings(recorder, 90, flag) == 0, "this week's meeting is kept"
    (kept,) = photos.glob("*.jpg")
    assert CLOCK_UNSET not in kept.name, "its photo is aged from now, as the meeting is"
    recorder.close()
    with Store(tmp_path / "data") as store:
        (meeting,) = store.meetings()
        # ... and both go keep_days after the clock was first known to be right.
        assert store.prune(datetime.now(UTC) + timedelta(days=1)) == 1
