"""`leancoffee aim`: sizes against what the tally needs, focus, the preview, and quitting."""

import argparse
import math
import sys
import types

import cv2
import numpy as np
import pygame
import pytest
from drawn_wall import wall

import vision
from device import aim
from device import camera as camera_module
from device.button import Inbox
from device.camera import CameraError, FileCamera
from device.commands import aim as aim_command
from device.display import Display, open_display


@pytest.fixture
def wall_photo(tmp_path):
    path = tmp_path / "wall.png"
    assert cv2.imwrite(str(path), wall())
    return path


@pytest.fixture(autouse=True)
def _fresh_display():
    pygame.display.quit()
    yield
    pygame.display.quit()


# --- measures -----------------------------------------------------------------------------------


def test_sizes_of_notes_and_dots_against_what_the_tally_needs():
    board = vision.tally(wall())
    sizes = aim.measure(board)
    assert sizes.notes == 3 and sizes.dots == 6
    assert sizes.smallest_note_px == pytest.approx(240, abs=12)
    # Notes are found on a 1024 px copy of this 1200 px photo: 4 x 12 px there.
    assert sizes.note_need_px == math.ceil(4 * 12 * 1200 / 1024) == 57
    assert sizes.dot_px == pytest.approx(29, abs=5)
    assert sizes.dot_need_px == math.ceil(0.09 * sizes.smallest_note_px)  # 9% of the note
    assert sizes.notes_ok and sizes.dots_ok
    assert sizes.note_text() == f"smallest note {sizes.smallest_note_px:.0f} px (needs 57+)"


def test_sizes_of_a_preview_frame_are_given_in_the_still_photo_pixels():
    board = vision.tally(wall())
    sizes = aim.measure(board, scale=4.0, photo_size=(4800, 3200))
    assert sizes.smallest_note_px == pytest.approx(960, abs=16)
    assert sizes.note_need_px == math.ceil(48 * 4800 / 1024)
    small = aim.measure(board, scale=0.25)  # the same wall four times further away
    assert small.smallest_note_px == pytest.approx(60, abs=1)
    assert small.note_need_px == 48  # a 300 px photo is searched as it is
    assert small.dot_px < small.dot_need_px == aim.DOT_RELIABLE_PX
    assert not small.dots_ok
    assert small.dot_text().endswith(f"(needs {aim.DOT_RELIABLE_PX}+)")


def test_sizes_when_nothing_is_found():
    sizes = aim.measure(vision.Board(width=1200, height=800))
    assert (sizes.notes, sizes.smallest_note_px, sizes.dot_px) == (0, None, None)
    assert not sizes.notes_ok and not sizes.dots_ok
    assert sizes.note_text() == "no notes found (notes need 57+ px)"
    assert sizes.dot_text() == "no dots seen (dots need 10+ px)"


def test_focus_falls_with_blur_and_the_verdict_follows():
    sharp, soft, blurred = (aim.focus(wall(b)) for b in (0, 0.9, 3))
    assert sharp > soft > blurred
    assert aim.focus_verdict(sharp) == "sharp"
    assert aim.focus_verdict(blurred) == "blurred"
    assert [aim.focus_verdict(v) for v in (aim.SHARP, aim.BLURRED, aim.BLURRED - 1)] == [
        "sharp",
        "soft",
        "blurred",
    ]


def test_focus_reads_alike_at_any_resolution():
    image = wall()
    big = cv2.resize(image, None, fx=3, fy=3, interpolation=cv2.INTER_NEAREST)
    assert aim.focus(big) == pytest.approx(aim.focus(image), rel=0.35)


# --- drawing ------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(480, 320), (800, 480), (1024, 600), (1920, 1080)])
@pytest.mark.parametrize("image_size", [(1200, 800), (1600, 900), (800, 1200)])
def test_layout_keeps_picture_and_text_apart_inside_the_surface(size, image_size):
    spot = aim.layout(size, image_size)
    x, y, w, h = spot.picture
    px, py, pw, ph = spot.panel
    assert 0 <= x and 0 <= y and x + w <= size[0] and y + h <= size[1]
    assert 0 <= px and 0 <= py and px + pw <= size[0] and py + ph <= size[1]
    assert x + w <= px or y + h <= py  # beside or above the panel, never under it
    assert w / h == pytest.approx(image_size[0] / image_size[1], rel=0.02)
    assert 14 <= spot.line <= 48


def test_layout_picks_the_side_that_leaves_the_picture_larger():
    assert aim.layout((800, 480), (1200, 900)).panel[1] == 0  # 4:3 on 5:3: text beside
    assert aim.layout((800, 480), (1920, 1080)).panel[0] == 0  # 16:9 on 5:3: text below


def test_text_is_shrunk_to_fit():
    pygame.font.init()
    text = "smallest note 1234 px (needs 216+)"
    px = aim.fitting_px([text], 48, 150)
    assert aim.font(px).size(text)[0] <= 150 < aim.font(48).size(text)[0]


def surface_pixels(surface):
    return pygame.surfarray.array3d(surface).transpose(1, 0, 2).astype(int)


def test_the_preview_outlines_every_note():
    pygame.font.init()
    image = wall()
    board, frame = aim.analyse(image)
    with_notes, without = pygame.Surface((800, 480)), pygame.Surface((800, 480))
    aim.draw(with_notes, image, board, frame)
    aim.draw(without, image, vision.Board(width=1200, height=800), frame)
    a, b = surface_pixels(with_notes), surface_pixels(without)
    spot = aim.layout((800, 480), (1200, 800))
    x, y, w, _h = spot.picture
    s = w / 1200
    for note in board.notes:
        (x0, y0), (x1, _) = note.polygon[0], note.polygon[1]
        mx, my = round(x + (x0 + x1) / 2 * s), round(y + y0 * s)  # middle of the top edge
        window = np.abs(a[my - 3 : my + 4, mx - 3 : mx + 4] - b[my - 3 : my + 4, mx - 3 : mx + 4])
        assert window.sum() > 500, f"no outline on note {note.id}"
        # Inside the note, away from its dots and labels, nothing is drawn.
        cx, cy = round(x + note.center[0] * s), round(y + (note.center[1] + 60) * s)
        assert np.array_equal(a[cy, cx], b[cy, cx])


def test_a_camera_problem_fills_the_screen_in_red():
    pygame.font.init()
    surface = pygame.Surface((480, 320))
    aim.draw_message(surface, "Camera busy: another program holds it; stop it with: sudo ...")
    pixels = surface_pixels(surface)
    red = (pixels[..., 0] > 200) & (pixels[..., 1] < 100) & (pixels[..., 2] < 100)
    assert red.sum() > 1000


# --- the loop -----------------------------------------------------------------------------------


class Counting:
    """A camera that counts its photos and can do something as it takes one."""

    name = "counting"

    def __init__(self, images, on_capture=None):
        self.images = list(images)
        self.taken = 0
        self.on_capture = on_capture

    def capture(self):
        self.taken += 1
        if self.on_capture is not None:
            self.on_capture(self.taken)
        item = self.images[min(self.taken, len(self.images)) - 1]
        if isinstance(item, Exception):
            raise item
        return item

    def close(self):
        pass


def test_headless_frames_are_written_and_reported(tmp_path):
    lines = []
    display = Display((480, 320))
    status = aim.run_preview(
        Counting([wall()]), display, frames=2, out_dir=tmp_path, report=lines.append
    )
    assert status == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["aim-0001.png", "aim-0002.png"]
    saved = cv2.imread(str(tmp_path / "aim-0002.png"))
    assert saved.shape == (320, 480, 3)
    assert np.array_equal(cv2.cvtColor(saved, cv2.COLOR_BGR2RGB), surface_pixels(display.surface))
    assert len(lines) == 2 and lines[0].startswith("frame 1: 3 notes, smallest note 2")
    assert "(needs 57+), dots ~" in lines[0] and "(sharp)" in lines[0]
    assert lines[1].endswith(f"-> {tmp_path / 'aim-0002.png'}")


def test_a_button_press_quits(tmp_path):
    inbox = Inbox()
    cam = Counting([wall()], on_capture=lambda n: inbox.edge(True, "GPIO17"))
    display = Display((480, 320))
    assert aim.run_preview(cam, display, frames=5, inbox=inbox, report=lambda s: None) == 0
    assert cam.taken == 1  # the press during the first frame ends it


@pytest.mark.parametrize(
    "event",
    [
        pygame.event.Event(pygame.KEYDOWN, key=pygame.K_q),
        pygame.event.Event(pygame.KEYDOWN, key=pygame.K_ESCAPE),
        pygame.event.Event(pygame.KEYDOWN, key=pygame.K_SPACE),
        pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=(5, 5)),
        pygame.event.Event(pygame.QUIT),
    ],
)
def test_keys_touch_and_closing_the_window_quit(event):
    display = open_display("windowed", (480, 320), fallback=False)
    try:
        cam = Counting([wall()], on_capture=lambda n: pygame.event.post(event))
        assert aim.run_preview(cam, display, frames=5, frame_seconds=0) == 0
        assert cam.taken == 1
    finally:
        display.close()


def test_other_keys_do_not_quit():
    display = open_display("windowed", (480, 320), fallback=False)
    try:
        other = pygame.event.Event(pygame.KEYDOWN, key=pygame.K_a)
        cam = Counting([wall()], on_capture=lambda n: pygame.event.post(other))
        assert aim.run_preview(cam, display, frames=2, frame_seconds=0) == 0
        assert cam.taken == 2
    finally:
        display.close()


def test_camera_problem_off_screen_is_reported_and_ends():
    lines = []
    cam = Counting([CameraError("Camera busy: another program holds it")])
    display = Display((800, 480))
    assert aim.run_preview(cam, display, frames=3, report=lines.append) == 1
    assert lines == ["camera: Camera busy: another program holds it"]


def test_camera_problem_on_screen_is_shown_and_tried_again():
    display = open_display("windowed", (480, 320), fallback=False)
    try:
        cam = Counting([CameraError("The webcam 0 sent no picture"), wall()])
        status = aim.run_preview(cam, display, frames=1, retry_seconds=0.001)
        assert status == 0 and cam.taken == 2
    finally:
        display.close()


# --- the Pi camera, kept running, against a fake picamera2 --------------------------------------


def fake_picamera2(monkeypatch, init_error=None, controls=("AfMode", "LensPosition")):
    calls = []

    class Picamera2:
        @staticmethod
        def global_camera_info():
            return [{"Num": 0}]

        def __init__(self, num=0):
            if init_error is not None:
                raise init_error
            self.camera_controls = dict.fromkeys(controls, (0, 1, 0))
            self.sensor_resolution = (4608, 2592)

        def create_video_configuration(self, main=None, **kwargs):
            calls.append(("video", dict(main)))
            return {"main": main}

        def configure(self, config):
            self.size = config["main"]["size"]

        def set_controls(self, values):
            calls.append(("controls", dict(values)))

        def start(self):
            calls.append(("start",))

        def capture_array(self, name="main"):
            return cv2.resize(wall(), self.size, interpolation=cv2.INTER_AREA)

        def stop(self):
            calls.append(("stop",))

        def close(self):
            calls.append(("close",))

    module = types.ModuleType("picamera2")
    module.Picamera2 = Picamera2
    monkeypatch.setitem(sys.modules, "picamera2", module)
    return calls


def test_pi_preview_runs_the_camera_with_continuous_autofocus(monkeypatch):
    calls = fake_picamera2(monkeypatch)
    preview = aim.live_camera(camera_module.PiCamera())
    assert isinstance(preview, aim.PiPreview)
    assert calls[:3] == [
        ("video", {"size": (1536, 864), "format": "RGB888"}),
        ("controls", {"AfMode": 2}),
        ("start",),
    ]
    frame = preview.capture()
    assert frame.shape == (864, 1536, 3)
    assert preview.scale == 3.0 and preview.photo_size == (4608, 2592)
    preview.close()
    assert calls[-2:] == [("stop",), ("close",)]


def test_pi_preview_shows_the_manual_focus_and_sizes_in_still_pixels(monkeypatch):
    calls = fake_picamera2(monkeypatch)
    still = camera_module.PiCamera(focus="manual", focus_dioptres=0.7)
    preview = aim.PiPreview(still)
    assert ("controls", {"AfMode": 0, "LensPosition": 0.7}) in calls
    lines = []
    aim.run_preview(preview, Display((800, 480)), frames=1, report=lines.append)
    preview.close()
    # 240 px notes of an 800 px high wall in an 864 px high frame, then 3x for the 4608 px still.
    assert "smallest note" in lines[0] and "(needs 216+)" in lines[0]
    note = float(lines[0].split("smallest note ")[1].split(" px")[0])
    assert note == pytest.approx(240 * 864 / 800 * 3, rel=0.05)


def test_pi_preview_busy_camera(monkeypatch):
    fake_picamera2(
        monkeypatch, init_error=RuntimeError("Camera __init__ sequence did not complete")
    )
    with pytest.raises(CameraError) as err:
        aim.PiPreview(camera_module.PiCamera())
    assert str(err.value) == camera_module.BUSY


def test_other_cameras_are_used_as_they_are(wall_photo):
    cam = FileCamera(wall_photo)
    assert aim.live_camera(cam) is cam


# --- the command --------------------------------------------------------------------------------


def run_aim(argv):
    parser = argparse.ArgumentParser()
    aim_command.add_arguments(parser)
    return aim_command.run(parser.parse_args(argv))


def test_aim_headless_on_a_photo_writes_frames_with_outlines(wall_photo, tmp_path, capsys):
    out = tmp_path / "frames"
    argv = ["--camera", str(wall_photo), "--headless", "--frames", "2", "--out", str(out)]
    assert run_aim(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == ["frame 1", "frame 2"]
    frame = cv2.imread(str(out / "aim-0001.png"))
    assert frame.shape == (480, 800, 3)
    # White outlines around the notes: the plain photo has no pure white at all.
    assert (frame.min(axis=2) >= 250).sum() > 200
    assert (wall().min(axis=2) >= 250).sum() == 0


def test_aim_headless_takes_one_frame_by_default(wall_photo, capsys):
    assert run_aim(["--camera", str(wall_photo), "--headless"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1


def test_aim_on_the_dummy_screen_until_the_frames_are_done(wall_photo, tmp_path):
    settings = tmp_path / "settings.toml"
    settings.write_text("screen_rotation_degrees = 90\n")
    assert run_aim(["--settings", str(settings), "--camera", str(wall_photo), "--frames", "1"]) == 0


def test_aim_problems(tmp_path, monkeypatch, capsys):
    assert run_aim(["--frames", "0"]) == 2
    assert "--frames must be 1 or more" in capsys.readouterr().err
    assert run_aim(["--camera", str(tmp_path / "none.jpg"), "--headless"]) == 1
    assert "No photo at" in capsys.readouterr().err
    # A camera from the settings file is named as the setting, not as --camera.
    (tmp_path / "settings.toml").write_text(f'camera = "{tmp_path / "none.jpg"}"\n')
    assert run_aim(["--settings", str(tmp_path / "settings.toml"), "--headless"]) == 1
    err = capsys.readouterr().err
    assert "check the path given to the camera setting" in err and "--camera" not in err

    def no_display(*args, **kwargs):
        raise pygame.error("No available video device")

    (tmp_path / "wall.png").write_bytes(cv2.imencode(".png", wall())[1].tobytes())
    monkeypatch.setattr(pygame.display, "set_mode", no_display)
    assert run_aim(["--camera", str(tmp_path / "wall.png")]) == 1
    err = capsys.readouterr().err
    assert "no screen (No available video device)" in err and "--headless --out DIR" in err
    with pytest.raises(SystemExit):
        run_aim(["--headless", "--windowed"])
