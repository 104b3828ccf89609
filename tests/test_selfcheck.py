"""`leancoffee check`: every part with its stand-in, and each part missing or broken."""

import argparse
import errno
import io
import os
import sys
import types
from collections import namedtuple
from pathlib import Path

import cv2
import numpy as np
import pygame
import pytest
from drawn_wall import wall
from gpiozero import Device

from device import selfcheck
from device.button import ButtonError, open_button
from device.camera import CameraError, FileCamera
from device.commands import check as check_command
from device.display import Display, open_display
from device.selfcheck import Result, Status
from device.sound import SilentSpeaker, open_speaker

Usage = namedtuple("Usage", "total used free")
MB = 1024 * 1024


@pytest.fixture
def wall_photo(tmp_path) -> Path:
    path = tmp_path / "wall.png"
    assert cv2.imwrite(str(path), wall())
    return path


@pytest.fixture(autouse=True)
def _fresh_pygame(monkeypatch):
    monkeypatch.setattr(selfcheck, "SQUEAK_SECONDS", 0.0)  # the code waits for the squeak
    pygame.mixer.quit()
    pygame.display.quit()
    yield
    pygame.mixer.quit()
    pygame.display.quit()


class FakeClock:
    """Each reading moves time on by `step`, so a 10 s timeout passes in a few calls."""

    def __init__(self, step=2.5):
        self.now = 100.0
        self.step = step

    def __call__(self):
        self.now += self.step
        return self.now


# --- results ------------------------------------------------------------------------------------


def test_a_result_is_one_line_starting_with_its_status():
    assert Result("camera", Status.OK, "4608x2592, sharp").line() == "ok  camera: 4608x2592, sharp"
    assert Result("speaker", Status.FAIL, "gone").line() == "FAIL speaker: gone"
    assert Result("storage", Status.WARN, "a\n b").line() == "warn storage: a b"
    assert Result("x", Status.WARN, "").ok and Result("x", Status.SKIP, "").ok
    assert not Result("x", Status.FAIL, "").ok


# --- settings -----------------------------------------------------------------------------------


def test_settings_missing_file_means_defaults(tmp_path):
    result = selfcheck.check_settings(tmp_path / "none.toml")
    assert result.status is Status.OK and "every setting at its default" in result.message


def test_settings_valid_file(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text("slot_minutes = 6\nbutton_pin = 27\n")
    result = selfcheck.check_settings(path)
    assert result.status is Status.OK and result.message == f"{path} is valid"


def test_settings_problems_name_the_key_and_count_the_rest(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text('slot_minutes = "eight"\nsquawk = 1\n')
    result = selfcheck.check_settings(path)
    assert result.status is Status.FAIL
    assert "slot_minutes" in result.message
    assert "(and 1 more: see leancoffee settings --check" in result.message
    path.write_text("slot_minutes = [")
    result = selfcheck.check_settings(path)
    assert result.status is Status.FAIL and "not valid TOML" in result.message


# --- storage ------------------------------------------------------------------------------------


def test_storage_writable_with_room(tmp_path):
    result = selfcheck.check_storage(tmp_path, disk_usage=lambda p: Usage(0, 0, 5 * 1024 * MB))
    assert result.status is Status.OK
    assert result.message == f"{tmp_path}: writable, 5.0 GB free"
    assert list(tmp_path.iterdir()) == []  # the probe file is gone


def test_storage_not_made_yet_is_checked_at_its_parent_and_not_created(tmp_path):
    data = tmp_path / "state" / "leancoffee"
    result = selfcheck.check_storage(data)
    assert result.status is Status.OK and "(made on first run)" in result.message
    assert not (tmp_path / "state").exists()


def test_storage_low_space_warns_and_no_space_fails(tmp_path):
    low = selfcheck.check_storage(tmp_path, disk_usage=lambda p: Usage(0, 0, 150 * MB))
    assert low.status is Status.WARN and "only 150 MB free" in low.message and low.ok
    full = selfcheck.check_storage(tmp_path, disk_usage=lambda p: Usage(0, 0, 2 * MB))
    assert full.status is Status.FAIL and "is full (2 MB free)" in full.message


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (errno.EROFS, "read-only file system"),
        (errno.EACCES, "sudo chown -R leancoffee:"),
        (errno.ENOSPC, "is full"),
        (errno.EIO, "cannot write to"),
    ],
)
def test_storage_that_cannot_be_written(tmp_path, code, expected):
    def refuse(directory):
        raise OSError(code, "refused", str(directory))

    result = selfcheck.check_storage(tmp_path, probe=refuse)
    assert result.status is Status.FAIL and expected in result.message


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through file permissions")
def test_storage_really_read_only_folder(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir(mode=0o500)
    try:
        result = selfcheck.check_storage(folder)
    finally:
        folder.chmod(0o700)
    assert result.status is Status.FAIL and "permission denied" in result.message


# --- camera -------------------------------------------------------------------------------------


def test_camera_takes_a_photo_and_reports_size_focus_and_notes(wall_photo):
    result = selfcheck.check_camera(lambda: FileCamera(wall_photo))
    assert result.status is Status.OK, result.message
    assert result.message.startswith("photo wall.png 1200x800, sharp (focus ")
    assert result.message.endswith("3 notes seen")


def test_camera_closed_after_the_photo_even_when_it_fails():
    class Broken:
        name = "broken"
        closed = False

        def capture(self):
            raise CameraError("The broken camera sent no picture: check its cable and try again")

        def close(self):
            self.closed = True

    cam = Broken()
    result = selfcheck.check_camera(lambda: cam)
    assert cam.closed
    assert result.line() == (
        "FAIL camera: the broken camera sent no picture: check its cable and try again"
    )


def test_camera_unreadable_or_missing_photo(tmp_path):
    (tmp_path / "wall.jpg").write_bytes(b"not a jpeg")
    result = selfcheck.check_camera(lambda: FileCamera(tmp_path / "wall.jpg"))
    assert result.line() == "FAIL camera: cannot read photo wall.jpg: not an image"
    result = selfcheck.check_camera(lambda: FileCamera(tmp_path / "gone.jpg"))
    assert result.status is Status.FAIL and "no photo at" in result.message


def test_camera_black_blurred_and_empty_photos(tmp_path):
    for name, image in {
        "black.png": np.full((600, 800, 3), 3, np.uint8),
        "blurred.png": wall(blur=6),
        "bare.png": np.clip(np.random.default_rng(2).normal(170, 20, (600, 800, 3)), 0, 255).astype(
            np.uint8
        ),
    }.items():
        assert cv2.imwrite(str(tmp_path / name), image)
    black = selfcheck.check_camera(lambda: FileCamera(tmp_path / "black.png"))
    assert black.status is Status.FAIL and "take the cap off the lens" in black.message
    blurred = selfcheck.check_camera(lambda: FileCamera(tmp_path / "blurred.png"))
    assert blurred.status is Status.WARN and "blurred" in blurred.message
    assert "camera_focus" in blurred.message
    bare = selfcheck.check_camera(lambda: FileCamera(tmp_path / "bare.png"))
    assert bare.status is Status.WARN and "0 notes seen" in bare.message
    assert "point the camera at the wall" in bare.message


def fake_picamera2(monkeypatch, cameras=1, init_error=None):
    class Picamera2:
        @staticmethod
        def global_camera_info():
            return [{"Num": i} for i in range(cameras)]

        def __init__(self, num=0):
            if init_error is not None:
                raise init_error
            self.camera_controls = {}
            self.sensor_resolution = (1200, 800)

        def create_still_configuration(self, main=None, buffer_count=1):
            return {"main": main}

        def create_video_configuration(self, main=None, **kwargs):
            return {"main": main}

        def configure(self, config):
            self.main = config["main"]

        def start(self):
            pass

        def capture_array(self, name="main"):
            return wall()

        def stop(self):
            pass

        def close(self):
            pass

    module = types.ModuleType("picamera2")
    module.Picamera2 = Picamera2
    monkeypatch.setitem(sys.modules, "picamera2", module)
    return Picamera2


def run_check(argv):
    parser = argparse.ArgumentParser()
    check_command.add_arguments(parser)
    return check_command.run(parser.parse_args(argv))


def test_camera_busy_says_how_to_free_it(monkeypatch, tmp_path, capsys):
    fake_picamera2(
        monkeypatch, init_error=RuntimeError("Camera __init__ sequence did not complete.")
    )
    (tmp_path / "s").write_text("")
    status = run_check(["--only", "camera", "--camera", "pi", "--settings", str(tmp_path / "s")])
    assert status == 1
    assert capsys.readouterr().out == (
        "FAIL camera: camera busy: another program holds it; "
        "stop it with: sudo systemctl stop leancoffee\n"
    )


def test_a_named_settings_file_that_is_missing_is_a_usage_error(tmp_path, capsys):
    assert run_check(["--only", "storage", "--settings", str(tmp_path / "typo.toml")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"leancoffee check: {tmp_path / 'typo.toml'}: no such settings file"]


def test_no_pi_camera_attached(monkeypatch, tmp_path, capsys):
    fake_picamera2(monkeypatch, cameras=0)
    assert run_check(["--only", "camera", "--camera", "pi"]) == 1
    assert capsys.readouterr().out == "FAIL camera: no camera found: check the ribbon cable\n"


def test_pi_camera_through_the_settings(monkeypatch, tmp_path, capsys):
    fake_picamera2(monkeypatch)
    settings = tmp_path / "settings.toml"
    settings.write_text('camera = "pi"\ncamera_settle_seconds = 0\n')
    assert run_check(["--only", "camera", "--settings", str(settings)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ok  camera: Pi camera 1200x800, sharp") and "3 notes seen" in out


# --- screen -------------------------------------------------------------------------------------


def test_test_card_has_bars_corner_marks_and_big_text():
    pygame.font.init()
    for size in ((480, 320), (800, 480), (1920, 1080)):
        surface = pygame.Surface(size)
        selfcheck.draw_test_card(surface, ["ok  settings: fine"], "press the button now")
        w, h = size
        for corner in ((0, 0), (w - 1, 0), (0, h - 1), (w - 1, h - 1)):
            assert surface.get_at(corner)[:3] == (255, 255, 255)
        # Each bar's middle, left to right, sits between the corner marks.
        mark = max(8, min(w, h) // 10) + max(2, min(w, h) // 100)
        inner = w - 2 * mark
        for i, colour in enumerate(selfcheck.BARS):
            x = mark + (2 * i + 1) * inner // (2 * len(selfcheck.BARS))
            assert surface.get_at((x, h // 10))[:3] == colour
        # The size in big text: bright pixels across the middle of the card.
        band = pygame.surfarray.array3d(surface)[:, int(h * 0.33) : int(h * 0.45)]
        assert (band.min(axis=2) > 200).sum() > w * h * 0.003


def test_screen_headless_draws_the_card_off_screen_and_skips():
    result, display = selfcheck.check_screen(lambda: Display((480, 320)))
    assert result.status is Status.SKIP and "480x320" in result.message
    assert display.surface.get_at((0, 0))[:3] == (255, 255, 255)
    display.close()


def test_screen_on_the_dummy_driver_shows_the_card():
    result, display = selfcheck.check_screen(
        lambda: open_display("windowed", (800, 480), fallback=False)
    )
    try:
        assert result.status is Status.OK
        assert result.message.startswith(
            "{}x{}, test card shown".format(*display.surface.get_size())
        )
    finally:
        display.close()


def test_screen_rotated_draws_upright():
    result, display = selfcheck.check_screen(
        lambda: open_display("windowed", (800, 480), 90, fallback=False)
    )
    try:
        assert display.surface.get_size() == (
            480,
            800,
        )  # the card is drawn for a screen stood on its side
        assert "turned 90 degrees" in result.message
    finally:
        display.close()


def test_no_screen(monkeypatch):
    def no_display(*args, **kwargs):
        raise pygame.error("No available video device")

    monkeypatch.setattr(pygame.display, "set_mode", no_display)
    result, display = selfcheck.check_screen(lambda: open_display("fullscreen", fallback=False))
    assert display is None and result.status is Status.FAIL
    assert result.message.startswith("no screen (No available video device)")
    assert "sudo systemctl stop leancoffee" in result.message


# --- speaker ------------------------------------------------------------------------------------


def test_speaker_plays_the_squeak_and_waits_for_it():
    waited = []
    result = selfcheck.check_speaker(open_speaker, wait=lambda: waited.append(True))
    assert result.status is Status.OK and result.message.startswith("squeak played")
    assert waited == [True]
    assert not pygame.mixer.get_init()  # closed again


def test_speaker_missing_audio_device(monkeypatch):
    def no_device(*args, **kwargs):
        raise pygame.error("No available audio device")

    monkeypatch.setattr(pygame.mixer, "init", no_device)
    result = selfcheck.check_speaker(open_speaker)
    assert result.status is Status.FAIL
    assert result.message.startswith("no audio device: No available audio device: ")
    for fix in ("cable", "audio_device", "AUDIODEV"):
        assert fix in result.message
    named = selfcheck.check_speaker(lambda: SilentSpeaker("no audio device"), device="hw:9")
    assert "audio_device 'hw:9' did not open" in named.message


def test_speaker_volume_zero_and_a_squeak_that_does_not_start():
    result = selfcheck.check_speaker(lambda: open_speaker(volume=0))
    assert result.line() == (
        "FAIL speaker: volume_percent is 0 in the settings: raise it to hear the squeak"
    )

    class Gone:
        audible = True
        closed = False

        def play(self, name):
            return False

        def close(self):
            self.closed = True

    gone = Gone()
    result = selfcheck.check_speaker(lambda: gone)
    assert result.status is Status.FAIL and "did not play" in result.message and gone.closed


# --- button -------------------------------------------------------------------------------------


def gpio(pin=17):
    return lambda inbox: open_button("gpio", inbox, pin=pin)


def test_gpio_button_pressed_after_the_prompt():
    prompts = []

    def press(text):
        prompts.append(text)
        Device.pin_factory.pin(17).drive_low()

    result = selfcheck.check_button(gpio(), timeout=10, clock=FakeClock(0.001), on_prompt=press)
    assert prompts == ["press the button (GPIO17) now (10 s)"]
    assert result.line() == "ok  button: GPIO17: press seen"


def test_no_press_within_the_timeout_on_a_fake_clock():
    clock = FakeClock(step=2.5)
    result = selfcheck.check_button(gpio(), timeout=10, clock=clock, pin_hint="GPIO17")
    assert result.status is Status.FAIL
    assert result.message.startswith("no press within 10 s: check the wiring (GPIO17 to ground)")
    assert clock.now < 100 + 10 * 2.5  # a handful of readings, not a real wait


def test_button_reading_pressed_before_the_prompt_is_miswired():
    def stuck(inbox):
        button = open_button("gpio", inbox, pin=17)
        Device.pin_factory.pin(17).drive_low()  # wired to the wrong rail, or held down
        return button

    result = selfcheck.check_button(stuck, timeout=10, clock=FakeClock())
    assert (
        result.status is Status.FAIL and "reads pressed before anyone pressed it" in result.message
    )


def test_button_that_cannot_be_opened():
    def broken(inbox):
        raise ButtonError("GPIO17 is in use by another program: stop it, or set another button pin")

    result = selfcheck.check_button(broken, timeout=10, clock=FakeClock())
    assert result.line() == (
        "FAIL button: GPIO17 is in use by another program: stop it, or set another button pin"
    )


def test_space_bar_counts_for_the_keyboard_but_not_for_a_gpio_button():
    display = open_display("windowed", (480, 320), fallback=False)
    try:

        def space(text):
            pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_SPACE))

        keyboard = selfcheck.check_button(
            lambda inbox: open_button("keyboard", inbox),
            timeout=10,
            clock=FakeClock(0.001),
            display=display,
            on_prompt=space,
        )
        assert keyboard.line() == "ok  button: keyboard: press seen"
        on_gpio = selfcheck.check_button(
            gpio(), timeout=10, clock=FakeClock(), display=display, on_prompt=space
        )
        assert on_gpio.status is Status.FAIL
    finally:
        display.close()


def test_keyboard_without_a_screen_is_skipped():
    result = selfcheck.check_button(
        lambda inbox: open_button("keyboard", inbox), timeout=10, clock=FakeClock()
    )
    assert result.status is Status.SKIP and "--button stdin" in result.message


def test_stdin_button():
    def stdin(text):
        return lambda inbox: open_button("stdin", inbox, stream=io.StringIO(text))

    ok = selfcheck.check_button(stdin("tap\n"), timeout=5, clock=FakeClock(0.01))
    assert ok.line() == "ok  button: stdin: press seen"
    nothing = selfcheck.check_button(stdin("hello\n"), timeout=5, clock=FakeClock(0.5))
    assert nothing.status is Status.FAIL and "type tap and Enter" in nothing.message


# --- all parts, through the command -------------------------------------------------------------


def settings_file(tmp_path, text="slot_minutes = 8\n") -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(text)
    return path


def test_every_part_with_its_stand_in(tmp_path, wall_photo, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("tap\n"))
    argv = [
        "--settings",
        str(settings_file(tmp_path)),
        "--data-dir",
        str(tmp_path / "data"),
        "--camera",
        str(wall_photo),
        "--button",
        "stdin",
    ]
    assert run_check(argv) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "ok  settings",
        "ok  storage",
        "ok  camera",
        "ok  screen",
        "ok  speaker",
        "ok  button",
    ]
    assert "3 notes seen" in lines[2]
    assert "button: type tap and Enter now (10 s)" in captured.err
    assert not pygame.display.get_init()  # the test card is gone at the end


def test_each_part_missing_fails_with_exit_1(tmp_path, monkeypatch, capsys):
    def no_device(*args, **kwargs):
        raise pygame.error("No available audio device")

    monkeypatch.setattr(pygame.mixer, "init", no_device)

    def read_only(directory):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(selfcheck, "write_probe", read_only)
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"\xff\xd8 truncated")
    argv = [
        "--settings",
        str(settings_file(tmp_path, "squawk = true\n")),
        "--data-dir",
        str(tmp_path),
        "--camera",
        str(bad),
        "--button",
        "gpio",
        "--timeout",
        "0.05",
        "--headless",
    ]
    assert run_check(argv) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "FAIL settings: settings.toml: unknown key 'squawk' (not a leancoffee setting; "
        "`leancoffee settings --defaults` lists them all).",
        f"FAIL storage: {tmp_path} is on a read-only file system: set data_dir to a writable "
        "folder (or remount the card read-write)",
        "FAIL camera: cannot read photo broken.jpg: not an image",
        "skip screen: --headless: test card drawn off-screen at 800x480, not shown",
        lines[4],
        lines[5],
    ]
    assert lines[4].startswith("FAIL speaker: no audio device: No available audio device: ")
    assert lines[5].startswith("FAIL button: no press within 0.05 s: check the wiring (GPIO17")


def test_full_data_dir_through_the_command(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(selfcheck.shutil, "disk_usage", lambda p: Usage(0, 0, MB))
    assert run_check(["--only", "storage", "--data-dir", str(tmp_path)]) == 1
    assert capsys.readouterr().out == (
        f"FAIL storage: {tmp_path} is full (1 MB free): delete old photos or meetings, "
        "or use a bigger card\n"
    )


def test_only_some_parts_and_button_none(tmp_path, capsys):
    argv = ["--only", "button", "settings", "--settings", str(settings_file(tmp_path))]
    assert run_check(argv + ["--button", "none"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in out] == ["ok  settings", "skip button"]


def test_bad_arguments(capsys):
    assert run_check(["--timeout", "0"]) == 2
    assert "--timeout must be more than 0" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        run_check(["--only", "toaster"])
    with pytest.raises(ValueError, match="unknown part 'toaster'"):
        selfcheck.run_checks(None, ["toaster"])


def test_the_prompt_goes_on_the_test_card(tmp_path):
    shown = []

    class Recording(Display):
        def show(self):
            shown.append(pygame.surfarray.array3d(self.surface).copy())

    kit = selfcheck.Kit(
        settings_path=tmp_path / "none.toml",
        data_dir=tmp_path,
        open_camera=lambda: (_ for _ in ()).throw(CameraError("No camera found")),
        open_display=lambda: Recording((480, 320)),
        open_speaker=lambda: SilentSpeaker("no audio device"),
        open_button=gpio(),
        timeout=10,
        clock=FakeClock(),
    )
    asked = []
    results = selfcheck.run_checks(kit, ["screen", "button"], ask=asked.append)
    assert [r.part for r in results] == ["screen", "button"]
    assert asked == ["press the button (GPIO17) now (10 s)"]
    # The card was drawn again with the prompt (amber text) and then with the result.
    amber = [
        (
            (frame[..., 0] > 200)
            & (frame[..., 1] > 130)
            & (frame[..., 1] < 220)
            & (frame[..., 2] < 60)
        ).sum()
        for frame in shown
    ]
    assert amber[0] == 0 and max(amber) > 100
