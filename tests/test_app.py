"""The app loop end to end: mock GPIO pins, a file camera, the dummy SDL drivers and a fake clock.

The clock only moves when a test moves it, so a whole meeting runs in a
second or two; scans run on the real worker thread, which the test joins.
"""

import io
import logging
import os
import shutil
import tempfile
import threading
from pathlib import Path

import cv2
import pytest
from gpiozero import Device

from device import session as S
from device.app import SCAN_TIMEOUT, App, ManualClock, page_of
from device.button import GpioButton, Inbox, StdinButton
from device.camera import CameraError, FileCamera
from device.display import Display
from device.export import meeting_record
from device.settings import Settings
from device.sound import SilentSpeaker
from device.store import Recorder, SaveError, Store
from vision.synth import make_wall

Screen = S.Screen
PIN = 17
# Short rules so a meeting is a few hundred ticks: 2 min slots, extensions 1 then 0.5 min.
RULES = {
    "slot_minutes": 2.0,
    "extension_minutes": (1.0, 0.5),
    "warning_seconds": 30.0,
    "meeting_minutes": 12.0,
    "countdown_seconds": 3,
}


@pytest.fixture(scope="module")
def wall_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("wall") / "wall.jpg"
    cv2.imwrite(str(path), make_wall(1000, "easy", size=(1000, 667)).image)
    return path


class Rig:
    """An App wired to a mock pin, a file camera, a silent speaker and a manual clock."""

    def __init__(
        self,
        data_dir,
        camera,
        *,
        settings=None,
        speed=1.0,
        notice="",
        stdin=None,
        size=(480, 320),
        chores=None,
    ):
        self.clock = ManualClock(1000.0)
        self.wake = threading.Event()
        self.inbox = Inbox(clock=self.clock.now, notify=self.wake.set)
        self.settings = settings or Settings(**RULES)
        if stdin is not None:
            self.button = StdinButton(self.inbox, stdin)
        else:
            self.button = GpioButton(self.inbox, pin=PIN)
        self.pin = Device.pin_factory.pin(PIN)
        self.speaker = SilentSpeaker("tests", clock=self.clock.now)
        self.frames = []
        self.app = App(
            self.settings,
            display=Display(size),
            camera=camera,
            speaker=self.speaker,
            button=self.button,
            inbox=self.inbox,
            recorder=Recorder.open(data_dir),
            clock=self.clock,
            wake=self.wake,
            speed=speed,
            notice=notice,
            on_frame=lambda surface, view: self.frames.append(view),
            chores=chores,
        )
        self.due = self.app.step()

    @property
    def state(self):
        return self.app.state

    @property
    def screen(self):
        return self.app.state.screen

    def step(self):
        self.due = self.app.step()
        return self.due

    def advance(self, seconds: float) -> None:
        """Let real time pass as the loop would: a step at every wake-up it asked for."""
        target = self.clock.t + seconds
        while self.due is not None and self.due <= target:
            self.clock.t = max(self.clock.t, self.due)
            self.step()
        self.clock.t = target
        self.step()

    def press(self, seconds: float) -> None:
        self.pin.drive_low()
        self.step()
        self.advance(seconds)
        self.pin.drive_high()
        self.step()

    def tap(self):
        self.press(0.2)

    def hold(self):
        self.press(1.3)

    def long_hold(self):
        self.press(3.2)

    def until(self, screen: Screen, limit: float = 3600) -> None:
        start = self.clock.t
        while self.screen is not screen:
            assert self.due is not None, f"waiting for {screen} on {self.screen} with nothing due"
            assert self.clock.t - start < limit, f"{screen} never came"
            self.clock.t = max(self.clock.t, self.due)
            self.step()

    def finish_scan(self) -> None:
        """The countdown runs out, the worker takes and counts the photo, the loop takes it in."""
        self.until_capture()
        assert self.app.worker.join(timeout=30)
        self.step()

    def until_capture(self) -> None:
        assert self.screen is Screen.SCANNING
        while self.state.countdown_until is not None:
            self.clock.t = max(self.clock.t, self.due)
            self.step()

    def played(self):
        return [(p.sound, p.at, p.due) for p in self.app.played]

    def close(self):
        self.app.close()


@pytest.fixture
def data(tmp_path):
    """The meeting store's folder: in memory (tmpfs) where there is one, so the hundreds of
    fsyncs of a meeting cost nothing; durability is the kill-and-restart test's job."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        folder = Path(tempfile.mkdtemp(prefix="leancoffee-test-", dir=shm))
        yield folder
        shutil.rmtree(folder, ignore_errors=True)
    else:
        yield tmp_path / "data"


@pytest.fixture
def rig(data, wall_file):
    rigs = []

    def make(**kwargs):
        camera = kwargs.pop("camera", None) or FileCamera(wall_file)
        r = Rig(kwargs.pop("data_dir", data), camera, **kwargs)
        rigs.append(r)
        return r

    yield make
    for r in rigs:
        r.close()


def test_a_whole_meeting_from_one_button(rig, data):
    r = rig()
    assert r.screen is Screen.READY
    assert r.due is None, "an idle Ready screen sleeps until the button"
    r.tap()
    assert r.screen is Screen.SCANNING and r.app.view.countdown == 3
    r.finish_scan()
    assert r.screen is Screen.BOARD
    topics = len(r.state.topics)
    assert topics >= 5 and r.app.photo is not None

    # Topic 1: warning cue, squeak, an extension, time up again, tap for the next topic.
    r.tap()
    assert r.screen is Screen.SLOT
    first = r.state.current
    r.until(Screen.WARNING)
    r.until(Screen.TIME_UP)
    assert [p[0] for p in r.played()] == ["warning", "squeak"]
    r.hold()
    assert r.screen is Screen.SLOT and r.state.slot.kind == "extension"
    r.until(Screen.TIME_UP)
    r.tap()
    assert r.screen is Screen.SLOT and r.state.current != first

    # Topic 2: paused, then ended early.
    second = r.state.current
    r.advance(40)
    r.tap()
    assert r.screen is Screen.PAUSED
    left = r.state.slot.remaining(r.app.meeting_now(r.clock.t))
    r.advance(100)
    assert r.state.slot.remaining(r.app.meeting_now(r.clock.t)) == pytest.approx(left)
    r.hold()
    assert r.screen is Screen.SLOT and r.state.current not in (first, second)

    # Topic 3 runs out; back to the board with a long hold, and a re-scan.
    r.until(Screen.TIME_UP)
    r.long_hold()
    assert r.screen is Screen.BOARD
    r.hold()
    r.finish_scan()
    assert r.screen is Screen.BOARD
    assert r.state.discussed == 3, "topics already discussed stay discussed"
    assert "Re-scan" in r.state.message

    # The meeting's time runs out during a later slot; the summary follows its squeak.
    r.tap()
    r.until(Screen.SUMMARY, limit=3 * 3600)
    record = meeting_record(Store(data, readonly=True))
    assert record["meeting"]["ended"] is not None
    statuses = [t["status"] for t in record["topics"]]
    assert statuses[:3] == ["discussed"] * 3
    assert record["topics"][0]["extensions"] == 1
    assert record["topics"][1]["ended_by"] == "early"
    assert len(record["topics"]) == topics
    sounds = [p[0] for p in r.played()]
    assert sounds.count("squeak") >= 4


def test_the_squeak_and_the_cue_play_when_they_are_due(rig):
    r = rig()
    r.tap()
    r.finish_scan()
    r.tap()
    r.until(Screen.TIME_UP)
    for sound, at, due in r.played():
        assert due is not None
        assert at == pytest.approx(due, abs=1e-6), sound
    # The loop woke for each: warning at 90 s, squeak at 120 s of the slot.
    (_, warn_at, _), (_, squeak_at, _) = r.played()
    assert squeak_at - warn_at == pytest.approx(30.0)


def test_a_tap_that_lands_just_after_time_is_up_meets_the_time_up_screen(rig):
    r = rig()
    r.tap()
    r.finish_scan()
    r.tap()
    first = r.state.current
    end = r.clock.t + r.state.slot.remaining(r.app.meeting_now(r.clock.t))  # speed 1
    r.advance(end - r.clock.t - 0.1)
    assert r.screen is Screen.WARNING
    # The button goes down before the end and comes up 5 ms after it, before the loop woke.
    r.pin.drive_low()
    r.step()
    r.clock.t = end + 0.005
    r.pin.drive_high()
    r.step()
    assert [p[0] for p in r.played()] == ["warning", "squeak"]
    # Time up changed what the button does under the press, so its release does nothing.
    assert r.screen is Screen.TIME_UP and r.state.current == first


def test_redraws_only_when_something_visible_changes(rig):
    r = rig(size=(800, 480))
    shown = r.app.display.frames
    r.advance(600)
    assert r.app.display.frames == shown, "an idle Ready screen is drawn once"
    r.tap()
    r.finish_scan()
    board = r.app.display.frames
    r.advance(300)
    assert r.app.display.frames == board
    r.tap()
    start = r.app.display.frames
    r.advance(30.0)
    assert 29 <= r.app.display.frames - start <= 32, "one frame per second of the countdown"


def test_on_a_small_screen_the_board_shows_its_topics_and_its_photo_in_turn(rig):
    r = rig(size=(480, 320))
    r.tap()
    r.clock.t += 3.3  # the board comes up at no particular time on the clock
    r.finish_scan()
    assert r.app.view.board_page == 0
    r.advance(7.9)
    assert r.app.view.board_page == 0, "a whole turn for the topics"
    r.advance(0.2)
    assert r.app.view.board_page == 1
    r.advance(7.95)
    pages = []
    for _ in range(4):
        pages.append(r.app.view.board_page)
        frames = r.app.display.frames
        r.advance(8.0)
        assert r.app.display.frames == frames + 1, "one frame per turn, woken for it"
    assert pages == [0, 1, 0, 1], "the topics first, each turn a whole 8 s"
    r.tap()
    assert r.screen is Screen.SLOT and r.app.view.board_page == 0


def test_the_press_ring_animates_while_the_button_is_down(rig):
    r = rig()
    r.pin.drive_low()
    r.step()
    assert r.app.view.press.down and r.due is not None
    frames = r.app.display.frames
    r.advance(0.9)
    assert r.app.display.frames - frames >= 10
    assert r.app.view.press.fill > 0
    r.pin.drive_high()
    r.step()
    assert r.screen is Screen.SCANNING
    assert not r.app.view.press.down


def test_button_to_screen_is_one_step(rig):
    r = rig()
    r.press(0.2)
    assert r.app.latencies and r.app.latencies[-1] == 0.0, "the frame is drawn in the same step"
    assert r.app.view.screen is Screen.SCANNING


def test_a_press_across_a_change_of_screen_does_nothing_on_release(rig):
    """Someone reaches to pause as time runs out: the release must not skip the next topic."""
    r = rig()
    r.tap()
    r.finish_scan()
    r.tap()
    r.advance(119.5)
    first = r.state.current
    r.pin.drive_low()
    r.step()
    r.advance(0.8)  # the slot ends under the press (a hold would have fired at 1 s)
    assert r.screen is Screen.TIME_UP
    r.pin.drive_high()
    r.step()
    assert r.screen is Screen.TIME_UP and r.state.current == first


def test_the_long_hold_screens_deliver_a_hold_on_release(rig):
    r = rig()
    r.tap()
    r.finish_scan()
    assert r.app.detector.long_hold_enabled, "the board has a long hold"
    r.pin.drive_low()
    r.step()
    r.advance(1.5)
    assert r.screen is Screen.BOARD, "no hold before release"
    r.pin.drive_high()
    r.step()
    assert r.screen is Screen.SCANNING


def test_a_failed_scan_shows_what_to_do_and_can_be_retried(rig, tmp_path, wall_file, caplog):
    missing = tmp_path / "gone.jpg"
    missing.write_bytes(wall_file.read_bytes())
    r = rig(camera=FileCamera(missing))
    missing.unlink()
    r.tap()
    with caplog.at_level(logging.INFO, logger="leancoffee"):
        r.finish_scan()
    assert r.screen is Screen.ERROR
    assert "Cannot read photo gone.jpg" in r.app.view.error
    # A warning in the journal (`journalctl -p warning`), not news.
    failed = [rec for rec in caplog.records if rec.getMessage().startswith("scan failed")]
    assert [rec.levelno for rec in failed] == [logging.WARNING]
    missing.write_bytes(wall_file.read_bytes())
    r.tap()
    r.finish_scan()
    assert r.screen is Screen.BOARD


def test_a_photo_with_no_notes_is_an_error_not_an_empty_board(rig, tmp_path):
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), (255 * __import__("numpy").ones((600, 800, 3))).astype("uint8"))
    r = rig(camera=FileCamera(blank))
    r.tap()
    r.finish_scan()
    assert r.screen is Screen.ERROR and "No notes found" in r.state.error


class StuckCamera:
    name = "stuck camera"

    def __init__(self, wall_file):
        self.release = threading.Event()
        self.wall_file = wall_file

    def capture(self):
        self.release.wait(30)
        return FileCamera(self.wall_file).capture()

    def close(self):
        self.release.set()


def test_a_camera_that_never_answers_is_given_up_and_the_screen_goes_on(rig, wall_file):
    camera = StuckCamera(wall_file)
    r = rig(camera=camera)
    r.tap()
    r.until_capture()
    assert r.app.worker.busy
    r.advance(SCAN_TIMEOUT)
    assert r.screen is Screen.ERROR and "did not answer" in r.state.error
    camera.release.set()
    assert r.app.worker.join(timeout=30)
    r.step()
    assert r.screen is Screen.ERROR, "the late photo is for a scan nobody waits for"
    r.tap()
    r.finish_scan()
    assert r.screen is Screen.BOARD


def test_saving_stops_on_screen_and_the_meeting_goes_on(rig, tmp_path, monkeypatch):
    r = rig()
    r.tap()
    r.finish_scan()

    def full(*args, **kwargs):
        raise SaveError("Saving has stopped: the disk is full.")

    monkeypatch.setattr(r.app.recorder.store, "save", full)
    r.tap()
    assert r.state.save_failed
    assert r.app.view.saving.startswith("Saving has stopped")
    r.until(Screen.TIME_UP)
    assert r.state.save_failed and [p[0] for p in r.played()] == ["warning", "squeak"]
    monkeypatch.undo()
    r.advance(31)  # the recorder retries now and then
    r.tap()
    assert not r.state.save_failed


def test_a_restart_offers_to_resume_with_the_slot_paused_where_it_was(rig, tmp_path):
    r = rig()
    r.tap()
    r.finish_scan()
    r.tap()
    current = r.state.current
    r.advance(50.4)
    r.close()
    again = rig()
    assert again.screen is Screen.RESUME
    assert again.app.view.resume.where.startswith("topic #")
    again.tap()
    assert again.screen is Screen.PAUSED and again.state.current == current
    left = again.state.slot.remaining(again.app.meeting_now(again.clock.t))
    assert 69 <= left <= 70.0
    again.tap()
    assert again.screen is Screen.SLOT


def test_a_new_meeting_instead_of_resuming(rig, data):
    r = rig()
    r.tap()
    r.finish_scan()
    r.close()
    again = rig()
    assert again.screen is Screen.RESUME
    again.hold()
    assert again.screen is Screen.READY
    store = Store(data, readonly=True)
    assert store.unfinished() is None
    assert store.meetings()[0].end_reason == "abandoned"


def test_full_photos_are_kept_only_when_the_setting_says_so(rig, data, tmp_path):
    r = rig()
    r.tap()
    r.finish_scan()
    assert not (data / "photos").exists()
    r.close()
    keep = rig(data_dir=tmp_path / "kept", settings=Settings(**RULES, keep_photos=True))
    keep.tap()
    keep.finish_scan()
    assert len(list((tmp_path / "kept" / "photos").glob("*.jpg"))) == 1


def test_a_photo_kept_before_the_clock_is_known_says_so_in_its_name(rig, tmp_path, monkeypatch):
    from device import paths
    from device.app import CLOCK_UNSET

    for known in (True, False):
        monkeypatch.setattr(paths, "clock_known", lambda known=known: known)
        folder = tmp_path / str(known)
        r = rig(data_dir=folder, settings=Settings(**RULES, keep_photos=True))
        r.tap()
        r.finish_scan()
        r.close()
        (photo,) = (folder / "photos").glob("*.jpg")
        assert (CLOCK_UNSET in photo.name) is not known


def test_the_chores_are_done_every_ten_minutes_while_it_runs(rig):
    from device.app import CHORES_SECONDS

    done = []
    r = rig(chores=lambda: done.append(r.clock.now()))
    assert done == [] and r.due <= r.clock.now() + CHORES_SECONDS
    r.clock.advance(CHORES_SECONDS)
    r.step()
    r.clock.advance(CHORES_SECONDS / 2)
    r.step()
    assert done == [1000.0 + CHORES_SECONDS]
    r.clock.advance(CHORES_SECONDS / 2)
    r.step()
    assert len(done) == 2


def test_stdin_lines_drive_the_app(rig):
    lines = io.StringIO("tap\n")
    r = rig(stdin=lines)
    assert r.button.join(timeout=5)
    r.step()
    assert r.screen is Screen.SCANNING


def test_a_settings_problem_shows_until_the_first_gesture(rig):
    r = rig(notice="settings.toml: slot_minutes must be a number; using the default 8.")
    assert "slot_minutes" in r.app.view.message
    r.tap()
    assert r.app.view.message == ""


def test_speed_runs_meeting_time_faster_but_gestures_in_real_time(rig):
    r = rig(speed=60)
    r.tap()
    r.finish_scan()
    r.tap()
    r.advance(2.0)  # two real seconds: two meeting minutes, the whole slot
    assert r.screen is Screen.TIME_UP
    r.pin.drive_low()
    r.step()
    r.advance(0.5)
    assert r.screen is Screen.TIME_UP, "half a real second is not a hold, whatever the speed"


def test_the_silent_speaker_flashes_the_screen_and_blinks(rig):
    r = rig()
    r.tap()
    r.finish_scan()
    r.tap()
    r.until(Screen.TIME_UP)
    assert r.app.view.flash == "squeak"
    r.advance(0.3)
    assert r.app.view.flash is None, "off between blinks"
    r.advance(0.3)
    assert r.app.view.flash == "squeak"
    r.advance(1.0)
    assert r.app.view.flash is None, "a flash lasts a second"


def test_one_frame_per_screen_change_for_the_demo(rig):
    r = rig()
    r.tap()
    r.finish_scan()
    r.tap()
    r.advance(20)
    pages = [page_of(v) for v in r.frames]
    assert len(set(pages)) == len(pages), "a frame per screen change, not per redraw"
    # The countdown, then "taking photo" (the worker finished counting within one step here).
    screens = [p[0] for p in pages]
    assert screens == [Screen.READY, Screen.SCANNING, Screen.SCANNING, Screen.BOARD, Screen.SLOT]
    assert r.app.display.frames > len(pages) + 15


def test_a_camera_error_at_capture_time_is_one_sentence(rig):
    class NoCamera:
        name = "none"

        def capture(self):
            raise CameraError("No camera found: check the ribbon cable and run leancoffee check")

        def close(self):
            pass

    r = rig(camera=NoCamera())
    r.tap()
    r.finish_scan()
    assert r.state.error == "No camera found: check the ribbon cable and run leancoffee check"


def test_views_of_a_resumed_meeting_have_no_photo_until_a_scan(rig):
    r = rig()
    r.tap()
    r.finish_scan()
    r.close()
    again = rig()
    again.tap()
    assert again.screen is Screen.BOARD and again.app.photo is None
    assert again.state.topics and all(t.picture for t in again.state.topics)


def test_a_window_takes_the_space_bar_and_escape_closes_it(tmp_path, wall_file):
    import pygame

    from device.app import INPUT_POLL
    from device.button import KeyboardButton
    from device.display import open_display

    clock = ManualClock(50.0)
    wake = threading.Event()
    inbox = Inbox(clock=clock.now, notify=wake.set)
    display = open_display("windowed", (480, 320), fallback=False)
    app = App(
        Settings(**RULES),
        display=display,
        camera=FileCamera(wall_file),
        speaker=SilentSpeaker("tests", clock=clock.now),
        button=KeyboardButton(inbox),
        inbox=inbox,
        recorder=Recorder.open(tmp_path / "data"),
        clock=clock,
        wake=wake,
    )
    try:
        assert display.interactive and display.surface.get_size() == (480, 320)
        assert app.step() == pytest.approx(50.0 + INPUT_POLL), "a window is polled for keys"
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_SPACE))
        app.step()
        clock.advance(0.2)
        pygame.event.post(pygame.event.Event(pygame.KEYUP, key=pygame.K_SPACE))
        app.step()
        assert app.state.screen is Screen.SCANNING
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_ESCAPE))
        app.step()
        assert app.stopped
    finally:
        app.close()


def test_a_screen_mounted_sideways_is_drawn_upright_and_turned():
    import pygame

    from device.display import open_display

    display = open_display("windowed", (800, 480), rotation=90, fallback=False)
    try:
        assert display.surface.get_size() == (480, 800), "drawn upright: portrait"
        display.surface.fill((0, 0, 0))
        display.surface.fill((255, 0, 0), pygame.Rect(0, 0, 40, 40))  # the upright top-left
        display.show()
        window = pygame.display.get_surface()
        assert window.get_size() == (800, 480)
        assert tuple(window.get_at((780, 20)))[:3] == (255, 0, 0), "turned a quarter clockwise"
        assert tuple(window.get_at((20, 20)))[:3] == (0, 0, 0)
    finally:
        display.close()


def test_a_data_folder_that_cannot_be_made_shows_from_the_start(rig, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    r = rig(data_dir=blocker / "data")
    assert r.state.save_failed
    assert "Cannot create the data folder" in r.app.view.saving
    r.tap()
    r.finish_scan()
    assert r.screen is Screen.BOARD, "the meeting goes on in memory"
