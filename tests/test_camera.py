"""Cameras: image files for real, the Pi camera against a fake picamera2, webcam errors."""

import sys
import types

import cv2
import numpy as np
import pytest

from device import camera as camera_module
from device.camera import (
    NO_CAMERA,
    CameraError,
    FileCamera,
    PiCamera,
    WebcamCamera,
    open_camera,
)


def write_image(path, value):
    image = np.full((20, 30, 3), value, np.uint8)
    image[0, 0] = (255, 0, 0)  # blue in BGR, to check channel order survives
    assert cv2.imwrite(str(path), image)
    return image


def test_file_camera_reads_one_photo_as_bgr(tmp_path):
    expected = write_image(tmp_path / "wall.png", 77)
    cam = FileCamera(tmp_path / "wall.png")
    image = cam.capture()
    assert image.dtype == np.uint8 and image.shape == (20, 30, 3)
    assert np.array_equal(image, expected)
    assert np.array_equal(cam.capture(), expected)  # the same photo every time
    assert "wall.png" in cam.name
    cam.close()


def test_file_camera_cycles_a_folder_in_name_order(tmp_path):
    write_image(tmp_path / "b.png", 20)
    write_image(tmp_path / "a.png", 10)
    (tmp_path / "notes.txt").write_text("not a photo")
    cam = FileCamera(tmp_path)
    assert [int(cam.capture()[5, 5, 1]) for _ in range(3)] == [10, 20, 10]
    write_image(tmp_path / "c.png", 30)  # a photo added later takes its turn
    assert [int(cam.capture()[5, 5, 1]) for _ in range(3)] == [20, 30, 10]


def test_file_camera_gray_photo_becomes_bgr(tmp_path):
    assert cv2.imwrite(str(tmp_path / "gray.png"), np.full((8, 9), 50, np.uint8))
    image = FileCamera(tmp_path / "gray.png").capture()
    assert image.shape == (8, 9, 3)


def test_file_camera_errors_are_plain_sentences(tmp_path):
    with pytest.raises(
        CameraError, match="No photo at .*missing.jpg: check the path given to --camera"
    ):
        FileCamera(tmp_path / "missing.jpg")
    (tmp_path / "empty").mkdir()
    with pytest.raises(CameraError, match="No photos in folder"):
        FileCamera(tmp_path / "empty")
    (tmp_path / "wall.jpg").write_bytes(b"this is not a jpeg")
    cam = FileCamera(tmp_path / "wall.jpg")
    with pytest.raises(CameraError) as err:
        cam.capture()
    assert str(err.value) == "Cannot read photo wall.jpg: not an image"
    ok, data = cv2.imencode(".jpg", np.full((40, 60, 3), 90, np.uint8))
    (tmp_path / "wall.jpg").write_bytes(data.tobytes()[: data.size - 10])
    with pytest.raises(CameraError, match="^Cannot read photo wall.jpg: the file stops before"):
        cam.capture()
    (tmp_path / "wall.jpg").unlink()
    with pytest.raises(CameraError, match="the file is gone"):
        cam.capture()


def test_webcam_that_is_not_there(monkeypatch):
    class Closed:
        def __init__(self, index):
            self.released = False

        def isOpened(self):
            return False

        def release(self):
            self.released = True

    monkeypatch.setattr(camera_module.cv2, "VideoCapture", Closed)
    with pytest.raises(CameraError, match="No webcam number 3: plug one in"):
        WebcamCamera(3)


def test_webcam_skips_stale_frames_and_reports_a_dead_one(monkeypatch):
    class Fake:
        def __init__(self, index):
            self.grabs = 0
            self.frames = [np.zeros((4, 5, 3), np.uint8), None]
            self.props = {}

        def isOpened(self):
            return True

        def set(self, prop, value):
            self.props[prop] = value

        def grab(self):
            self.grabs += 1

        def read(self):
            frame = self.frames.pop(0)
            return frame is not None, frame

        def release(self):
            pass

    monkeypatch.setattr(camera_module.cv2, "VideoCapture", Fake)
    cam = WebcamCamera(0, size=(1280, 720))
    assert cam._capture.props[cv2.CAP_PROP_FRAME_WIDTH] == 1280
    assert cam.capture().shape == (4, 5, 3)
    assert cam._capture.grabs == WebcamCamera.STALE_FRAMES
    with pytest.raises(CameraError, match="sent no picture"):
        cam.capture()
    cam.close()
    with pytest.raises(CameraError, match="closed"):
        cam.capture()


# --- the Pi camera, against a fake picamera2 ---------------------------------------------------


class FakePicamera2:
    """The documented picamera2 calls the adapter uses, recording what it was asked."""

    cameras = [{"Model": "imx708", "Num": 0, "Id": "/base/soc/i2c0mux/i2c@1/imx708@1a"}]
    controls = {"AfMode": (0, 2, 0), "ExposureTime": (1, 100, 10)}
    init_error = None
    capture_error = None
    instances = []

    @classmethod
    def global_camera_info(cls):
        return list(cls.cameras)

    def __init__(self, camera_num=0):
        if type(self).init_error is not None:
            raise type(self).init_error
        self.calls = []
        self.camera_controls = dict(type(self).controls)
        self.closed = False
        type(self).instances.append(self)

    def create_still_configuration(self, main=None, buffer_count=1, **kwargs):
        self.calls.append(("config", dict(main), buffer_count))
        return {"main": dict(main), "buffer_count": buffer_count}

    def configure(self, config):
        self.calls.append(("configure",))
        self.size = config["main"].get("size", (64, 48))

    def start(self):
        self.calls.append(("start",))

    def set_controls(self, controls):
        self.calls.append(("controls", dict(controls)))

    def autofocus_cycle(self):
        self.calls.append(("autofocus",))
        return True

    def capture_array(self, name="main"):
        self.calls.append(("capture", name))
        if type(self).capture_error is not None:
            raise type(self).capture_error
        w, h = self.size
        return np.zeros((h, w, 3), np.uint8)

    def stop(self):
        self.calls.append(("stop",))

    def close(self):
        self.closed = True


@pytest.fixture
def fake_picamera2(monkeypatch):
    module = types.ModuleType("picamera2")

    class Fake(FakePicamera2):
        instances = []

    module.Picamera2 = Fake
    monkeypatch.setitem(sys.modules, "picamera2", module)
    return Fake


class FakeTime:
    def __init__(self):
        self.now = 0.0
        self.slept = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def test_pi_camera_takes_a_still_in_rgb888_with_one_buffer_and_closes(fake_picamera2):
    t = FakeTime()
    cam = PiCamera(size=(640, 480), clock=t.clock, sleep=t.sleep, settle_seconds=1.5)
    image = cam.capture()
    assert image.shape == (480, 640, 3) and image.dtype == np.uint8
    [pi] = fake_picamera2.instances
    assert pi.calls[0] == ("config", {"format": "RGB888", "size": (640, 480)}, 1)
    steps = [c[0] for c in pi.calls]
    assert steps == ["config", "configure", "start", "autofocus", "capture", "stop"]
    assert t.slept == [pytest.approx(1.5)]
    assert pi.closed


def test_pi_camera_autofocus_time_counts_towards_settling(fake_picamera2):
    t = FakeTime()

    def slow_focus(self):
        t.now += 1.0
        return False  # did not lock: the photo is taken anyway

    fake_picamera2.autofocus_cycle = slow_focus
    PiCamera(clock=t.clock, sleep=t.sleep, settle_seconds=1.5).capture()
    assert t.slept == [pytest.approx(0.5)]


def test_pi_camera_without_autofocus_skips_it_and_uses_the_sensor_size(fake_picamera2):
    fake_picamera2.controls = {"ExposureTime": (1, 100, 10)}  # an HQ camera: manual focus
    t = FakeTime()
    image = PiCamera(clock=t.clock, sleep=t.sleep).capture()
    [pi] = fake_picamera2.instances
    assert "autofocus" not in [c[0] for c in pi.calls]
    assert pi.calls[0] == ("config", {"format": "RGB888"}, 1)
    assert image.shape == (48, 64, 3)


def test_pi_camera_manual_focus_sets_the_lens_instead_of_scanning(fake_picamera2):
    t = FakeTime()
    PiCamera(focus="manual", focus_dioptres=0.4, clock=t.clock, sleep=t.sleep).capture()
    [pi] = fake_picamera2.instances
    steps = [c[0] for c in pi.calls]
    assert "autofocus" not in steps
    assert ("controls", {"AfMode": 0, "LensPosition": 0.4}) in pi.calls
    assert steps.index("controls") < steps.index("start")
    with pytest.raises(ValueError, match="focus"):
        PiCamera(focus="sharp")


def test_pi_camera_missing(fake_picamera2):
    fake_picamera2.cameras = []
    with pytest.raises(CameraError) as err:
        PiCamera(sleep=lambda s: None).capture()
    assert str(err.value) == "No camera found: check the ribbon cable and run leancoffee check"
    assert fake_picamera2.instances == []


def test_pi_camera_busy(fake_picamera2):
    fake_picamera2.init_error = RuntimeError("Camera __init__ sequence did not complete.")
    with pytest.raises(CameraError, match="Camera busy: .*sudo systemctl stop leancoffee"):
        PiCamera(sleep=lambda s: None).capture()


def test_pi_camera_failure_mid_capture_still_closes_it(fake_picamera2):
    fake_picamera2.capture_error = RuntimeError("Cannot allocate memory")
    with pytest.raises(CameraError, match="ran out of memory"):
        PiCamera(sleep=lambda s: None).capture()
    [pi] = fake_picamera2.instances
    assert pi.closed


def test_pi_camera_software_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "picamera2", None)  # import then raises ImportError
    with pytest.raises(CameraError, match="sudo apt install python3-picamera2"):
        PiCamera().capture()


# --- choosing ----------------------------------------------------------------------------------


def test_open_camera_by_spec(tmp_path, fake_picamera2, monkeypatch):
    write_image(tmp_path / "wall.png", 1)
    assert isinstance(open_camera(str(tmp_path / "wall.png")), FileCamera)
    assert isinstance(open_camera(tmp_path), FileCamera)
    pi = open_camera("pi", size=(0, 0), settle_seconds=0.5, focus="manual", focus_dioptres=2.0)
    assert isinstance(pi, PiCamera)
    assert (pi.size, pi.settle_seconds, pi.focus, pi.focus_dioptres) == (None, 0.5, "manual", 2.0)
    assert isinstance(open_camera("auto"), PiCamera)  # picamera2 loads and sees a camera
    opened = []
    monkeypatch.setattr(camera_module, "WebcamCamera", lambda i, size, option: opened.append(i))
    open_camera("2")
    open_camera(0)
    assert opened == [2, 0]


def test_auto_without_a_pi_camera_uses_the_sample_wall_on_a_pc(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "picamera2", None)
    monkeypatch.delenv("STATE_DIRECTORY", raising=False)
    write_image(tmp_path / "sample.png", 5)
    monkeypatch.setattr(camera_module.paths, "sample_walls", lambda: [tmp_path / "sample.png"])
    cam = open_camera("auto")
    assert isinstance(cam, FileCamera) and cam.capture().shape == (20, 30, 3)
    monkeypatch.setattr(camera_module.paths, "sample_walls", lambda: [])
    with pytest.raises(CameraError, match="no sample wall bundled: set --camera to a photo"):
        open_camera("auto")


def test_auto_on_the_device_never_fakes_a_photo(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "picamera2", None)
    monkeypatch.setenv("STATE_DIRECTORY", str(tmp_path))
    cam = open_camera("auto")
    assert isinstance(cam, PiCamera)
    with pytest.raises(CameraError, match="python3-picamera2"):
        cam.capture()


def test_file_camera_reads_a_huge_jpeg_smaller_and_refuses_a_huge_png(tmp_path, monkeypatch):
    from device import imagefile

    monkeypatch.setattr(imagefile, "MAX_PIXELS", 200)  # 20 x 30 = 600 pixels is "huge" here
    write_image(tmp_path / "wall.png", 77)
    assert cv2.imwrite(str(tmp_path / "wall.jpg"), np.full((20, 30, 3), 77, np.uint8))
    assert FileCamera(tmp_path / "wall.jpg").capture().shape == (10, 15, 3)
    with pytest.raises(CameraError) as err:
        FileCamera(tmp_path / "wall.png").capture()
    assert str(err.value) == (
        "Cannot read photo wall.png: 30x20 is 0.0 MP, more than the 0.0 MP a photo may have"
        " here: shrink it first"
    )


def test_the_pi_camera_named_outright_is_checked_when_opened(monkeypatch, fake_picamera2):
    # As a webcam number is: `run --camera pi` stops at once with the reason, not at the
    # first scan. mutation: open_camera("pi") returning PiCamera unchecked.
    fake_picamera2.cameras = []
    with pytest.raises(CameraError, match=NO_CAMERA):
        open_camera("pi")
    monkeypatch.setitem(sys.modules, "picamera2", None)
    with pytest.raises(CameraError, match="sudo apt install python3-picamera2"):
        open_camera("pi")
