"""Cameras: the Pi camera (picamera2), an OpenCV webcam, and image files.

All have one shape: `capture() -> BGR uint8 array (h, w, 3)`, `close()`,
`name`. `capture()` blocks (the app calls it on a worker thread). Every
failure is a `CameraError` whose message is one sentence a facilitator
understands, with what to do.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from device import imagefile, paths

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")

NO_CAMERA = "No camera found: check the ribbon cable and run leancoffee check"
BUSY = "Camera busy: another program holds it; stop it with: sudo systemctl stop leancoffee"


class CameraError(Exception):
    """The camera cannot give a photo; str() is the one-sentence message for the screen."""


def _bgr(image: np.ndarray, source: str) -> np.ndarray:
    """A contiguous (h, w, 3) uint8 array, or a CameraError naming the source."""
    if image is None or image.size == 0:
        raise CameraError(f"{source} gave an empty picture: try again, or run leancoffee check")
    if image.dtype != np.uint8:
        raise CameraError(f"{source} gave a {image.dtype} picture, not 8-bit: use another camera")
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    elif image.ndim == 3 and image.shape[2] == 4:
        image = image[:, :, :3]  # XRGB8888 and friends: B, G, R, then a padding byte
    elif image.ndim != 3 or image.shape[2] != 3:
        raise CameraError(f"{source} gave a picture of shape {image.shape}: use another camera")
    return np.ascontiguousarray(image)


# --- image files -------------------------------------------------------------------------------


class FileCamera:
    """One photo, or a folder of photos taken in name order, one per capture, round and round."""

    def __init__(self, path: str | Path, option: str = "--camera") -> None:
        self.path = Path(path)
        self._last: Path | None = None  # the photo taken last, in a folder
        if self.path.is_dir():
            if not self._images():
                raise CameraError(f"No photos in folder {self.path}: put .jpg or .png files there")
            self.name = f"photos in {self.path.name}"
        elif self.path.is_file():
            self.name = f"photo {self.path.name}"
        else:
            raise CameraError(f"No photo at {self.path}: check the path given to {option}")

    def _images(self) -> list[Path]:
        found = (
            p for p in self.path.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
        )
        return sorted(found, key=lambda p: p.name)

    def capture(self) -> np.ndarray:
        if self.path.is_dir():
            # Listed on every capture, so photos added to the folder take their turn.
            images = self._images()
            if not images:
                raise CameraError(f"No photos in folder {self.path}: put .jpg or .png files there")
            # The next name after the last one taken, so adding or removing photos keeps the order.
            later = [p for p in images if self._last is None or p.name > self._last.name]
            path = later[0] if later else images[0]
            self._last = path
        else:
            path = self.path
        return read_photo(path)

    def close(self) -> None:
        pass


def read_photo(path: str | Path) -> np.ndarray:
    """A photo file as BGR (turned upright by its EXIF orientation), or a plain CameraError."""
    path = Path(path)
    if not path.is_file():
        raise CameraError(f"Cannot read photo {path.name}: the file is gone")
    try:
        image, _ = imagefile.decode(np.fromfile(str(path), dtype=np.uint8))
    except imagefile.Unreadable as exc:
        raise CameraError(f"Cannot read photo {path.name}: {exc}") from None
    except OSError as exc:
        raise CameraError(f"Cannot read photo {path.name}: {exc.strerror or exc}") from None
    except cv2.error:
        image = None
    if image is None:
        raise CameraError(f"Cannot read photo {path.name}: not an image")
    return _bgr(image, f"Photo {path.name}")


# --- OpenCV webcam -----------------------------------------------------------------------------


class WebcamCamera:
    """A USB webcam through OpenCV, kept open between captures so its exposure stays settled."""

    # Webcams hand out frames they buffered earlier: skip these to get one taken now.
    STALE_FRAMES = 4

    def __init__(
        self, index: int = 0, size: tuple[int, int] | None = None, option: str = "--camera"
    ) -> None:
        self.index = index
        self.name = f"webcam {index}"
        self._lock = threading.Lock()
        self._capture = cv2.VideoCapture(index)
        if not self._capture.isOpened():
            self._capture.release()
            raise CameraError(
                f"No webcam number {index}: plug one in, or pick another with {option}"
            )
        if size is not None:
            self._capture.set(cv2.CAP_PROP_FRAME_WIDTH, size[0])
            self._capture.set(cv2.CAP_PROP_FRAME_HEIGHT, size[1])

    def capture(self) -> np.ndarray:
        with self._lock:
            if self._capture is None:
                raise CameraError(f"The {self.name} is closed: restart leancoffee")
            for _ in range(self.STALE_FRAMES):
                self._capture.grab()
            ok, frame = self._capture.read()
        if not ok or frame is None:
            raise CameraError(f"The {self.name} sent no picture: check its cable and try again")
        return _bgr(frame, f"The {self.name}")

    def close(self) -> None:
        with self._lock:
            if self._capture is not None:
                self._capture.release()
                self._capture = None


# --- Raspberry Pi camera -----------------------------------------------------------------------


def _import_picamera2():
    try:
        from picamera2 import Picamera2
    except ImportError as exc:
        raise CameraError(
            "The Pi camera software is missing: install it with: sudo apt install python3-picamera2"
        ) from exc
    except Exception as exc:  # e.g. "numpy.dtype size changed": pip's numpy over apt's
        raise CameraError(
            f"The Pi camera software does not load ({exc}): "
            "use the system numpy (see the install notes)"
        ) from exc
    return Picamera2


class PiCamera:
    """A Raspberry Pi camera module through picamera2 (from apt).

    Each capture opens the camera, takes one full still and closes it again,
    so the sensor does not run all meeting long, the memory for a full-size
    frame is given back, and `leancoffee check` can use the camera in between.
    """

    name = "Pi camera"

    def __init__(
        self,
        size: tuple[int, int] | None = None,
        camera_num: int = 0,
        settle_seconds: float = 1.5,
        focus: str = "auto",
        focus_dioptres: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if focus not in ("auto", "manual"):
            raise ValueError(f"focus must be auto or manual, not {focus!r}")
        self.size = size
        self.camera_num = camera_num
        self.settle_seconds = settle_seconds
        self.focus = focus
        self.focus_dioptres = focus_dioptres
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()

    def capture(self) -> np.ndarray:
        Picamera2 = _import_picamera2()
        with self._lock:
            try:
                if len(Picamera2.global_camera_info()) <= self.camera_num:
                    raise CameraError(NO_CAMERA)
                cam = Picamera2(self.camera_num)
            except CameraError:
                raise
            except IndexError as exc:
                raise CameraError(NO_CAMERA) from exc
            except Exception as exc:
                raise CameraError(_pi_problem(exc)) from exc
            try:
                return _bgr(self._shoot(cam), "The Pi camera")
            except CameraError:
                raise
            except Exception as exc:
                raise CameraError(_pi_problem(exc)) from exc
            finally:
                try:
                    cam.close()
                except Exception as exc:  # closing must not hide the photo or the real error
                    log.warning("closing the Pi camera: %s", exc)

    def _shoot(self, cam) -> np.ndarray:
        main = {"format": "RGB888"}  # "RGB888" is B, G, R in memory: what OpenCV wants
        if self.size is not None:
            main["size"] = tuple(self.size)
        # One buffer: a full-resolution still needs all of a Pi 4's camera memory.
        config = cam.create_still_configuration(main=main, buffer_count=1)
        cam.configure(config)
        # Only a camera with a focus motor (Camera Module 3) has AfMode; others skip focusing.
        has_focus = "AfMode" in cam.camera_controls
        if has_focus and self.focus == "manual":
            # AfMode 0 is libcamera's AfModeManual; LensPosition is in dioptres (1 / metres).
            cam.set_controls({"AfMode": 0, "LensPosition": self.focus_dioptres})
        cam.start()
        started = self._clock()
        if has_focus and self.focus == "auto":
            if not cam.autofocus_cycle():
                log.info("Pi camera: autofocus did not lock; taking the photo anyway")
        # Let exposure and white balance settle (the focus scan above counts towards it).
        remaining = self.settle_seconds - (self._clock() - started)
        if remaining > 0:
            self._sleep(remaining)
        image = cam.capture_array("main")
        cam.stop()
        return image

    def close(self) -> None:
        pass  # each capture closes the camera itself


class MissingCamera:
    """The camera the settings name, when it cannot be opened: the device runs on and every
    scan ends on the Error screen with the sentence that says what is wrong."""

    def __init__(self, problem: str) -> None:
        self.problem = problem
        self.name = "none (" + problem + ")"

    def capture(self) -> np.ndarray:
        raise CameraError(self.problem)

    def close(self) -> None:
        pass


def _pi_problem(exc: Exception) -> str:
    text = str(exc)
    if "did not complete" in text or "busy" in text.lower():
        return BUSY
    if "Cannot allocate memory" in text or isinstance(exc, MemoryError):
        return "The camera ran out of memory: restart the device with: sudo reboot"
    if "not found" in text.lower():
        return NO_CAMERA
    return f"The Pi camera failed ({text}): check the ribbon cable and run leancoffee check"


def pi_camera_attached() -> bool:
    """True when picamera2 loads and sees at least one camera."""
    try:
        Picamera2 = _import_picamera2()
        return bool(Picamera2.global_camera_info())
    except Exception as exc:
        log.debug("no Pi camera: %s", exc)
        return False


def open_camera(
    spec: str | int | Path = "auto",
    *,
    size: tuple[int, int] | None = None,
    settle_seconds: float = 1.5,
    focus: str = "auto",
    focus_dioptres: float = 0.5,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    option: str = "--camera",
) -> FileCamera | WebcamCamera | PiCamera:
    """A camera from `--camera`: "pi", a webcam number, a photo file or folder, or "auto".

    "auto" is the Pi camera when one is attached. On the device it is the Pi
    camera even when none is found, so the screen says what is wrong instead of
    counting a sample photo; on a PC it is the bundled sample wall. `size`
    (width, height) with a 0 in it means the camera's full resolution. `option` is where
    `spec` came from, as the messages name it: "--camera" or "the camera setting".
    """
    if size is not None and (size[0] <= 0 or size[1] <= 0):
        size = None

    def pi() -> PiCamera:
        return PiCamera(
            size=size,
            settle_seconds=settle_seconds,
            focus=focus,
            focus_dioptres=focus_dioptres,
            clock=clock,
            sleep=sleep,
        )

    if isinstance(spec, int) or (isinstance(spec, str) and spec.strip().isdigit()):
        return WebcamCamera(int(spec), size=size, option=option)
    if spec == "pi":
        # Named outright, it is checked now, as a webcam is: the software loads and sees a
        # camera ("auto" on the device waits for a scan to say what is wrong, on screen).
        Picamera2 = _import_picamera2()
        try:
            attached = bool(Picamera2.global_camera_info())
        except Exception as exc:
            raise CameraError(_pi_problem(exc)) from exc
        if not attached:
            raise CameraError(NO_CAMERA)
        return pi()
    if spec == "auto":
        if pi_camera_attached() or paths.on_device():
            return pi()
        walls = paths.sample_walls()
        if not walls:
            raise CameraError(
                "No camera found and no sample wall bundled: "
                f"set {option} to a photo's path or a webcam number"
            )
        log.info("no Pi camera: using the sample wall %s", walls[0].name)
        return FileCamera(walls[0])
    return FileCamera(Path(spec).expanduser(), option=option)


def configured_camera(settings, spec: str | None = None) -> FileCamera | WebcamCamera | PiCamera:
    """The camera `--camera` names (`spec`), else the one the settings name, at the settings'
    size and focus; its messages say which of the two named it."""
    return open_camera(
        spec or settings.camera,
        size=(settings.camera_width, settings.camera_height),
        settle_seconds=settings.camera_settle_seconds,
        focus=settings.camera_focus,
        focus_dioptres=settings.camera_focus_dioptres,
        option="--camera" if spec else "the camera setting",
    )
