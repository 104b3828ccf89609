"""`leancoffee aim`: a live preview for placing and focusing the camera.

Each frame is tallied as a scan would be; the screen shows the notes found,
outlined and counted, how large the smallest note and the dots are in photo
pixels against what the tally needs, and a focus number to turn the lens by.

Also here, because `leancoffee check` shares them: the focus measure, the
size measure, and a little text fitting. The screen is device.display's.
"""

from __future__ import annotations

import logging
import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

import vision
from device import camera as camera_module
from device.button import Inbox
from device.camera import CameraError
from device.display import Display, DisplayError

log = logging.getLogger(__name__)

# Focus is the variance of the Laplacian on a grey copy whose long side is FOCUS_SIZE px, so a
# 12 MP still and a preview frame read alike. Benchmark (13 real walls, 7 synthetic): sharp
# photos read 68-1427 (most over 130); blurred by sigma 0.5 px at this size 17-407, by 1 px
# 4-85 (the tally then finds 61% of the notes instead of 78%), by 1.5 px 2-29. The number
# depends on what is in view (a bare wall reads low), so the verdict is a guide and the number
# is for turning the lens: the highest it gets is the best focus.
FOCUS_SIZE = 1024
SHARP = 100.0
BLURRED = 30.0

# What the tally needs to work well, from the benchmark of synthetic walls shrunk step by step:
# notes were found 91-93% of the time with short sides of 58 px or more on the tally's working
# copy (Params.work_size), 80% at 42 px, 62% at 31 px: so 4x Params.min_note_px. Votes were
# exactly right on 77% of notes with dots of 14 px (median), 70% at 11 px, 55% at 8 px.
NOTE_RELIABLE = 4.0
DOT_RELIABLE_PX = 10

GREEN = (70, 200, 90)
AMBER = (255, 176, 0)
RED = (235, 70, 60)
GREY = (170, 170, 170)
WHITE = (240, 240, 240)
BACKGROUND = (24, 24, 24)


# --- the screen ---------------------------------------------------------------------------------


def no_screen(exc: DisplayError) -> str:
    """What to do when the screen does not open, for a person setting up a Pi."""
    cause = exc.__cause__ if exc.__cause__ is not None else exc
    return (
        f"no screen ({cause}): check the screen's cable; on a Pi without a desktop run as a "
        "user in the video and render groups with SDL_VIDEODRIVER=kmsdrm, and stop the app "
        "first: sudo systemctl stop leancoffee"
    )


def save_png(surface, path: Path) -> None:
    """The surface as a PNG (through OpenCV, so pygame needs no image library)."""
    import pygame

    rgb = np.ascontiguousarray(pygame.surfarray.array3d(surface).transpose(1, 0, 2))
    path.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)):
        raise OSError(f"cannot write {path}")


def font(px: int):
    """The screens' font (device.screens.text) at `px`, 8 at the least."""
    from device.screens import text  # (pygame only once something is drawn)

    return text.font(max(8, int(px)))


def fitting_px(texts, px: int, max_width: int) -> int:
    """The largest size up to `px` at which every text fits `max_width` (8 at the least)."""
    from device.screens import text

    px = max(8, int(px))
    fits = [text.fit_line(t, max_width, text.line_height(px), px, 8)[0] for t in texts]
    return max(8, min(fits, default=px))


def fit_text(text: str, px: int, max_width: int, colour=WHITE):
    """The text rendered at `px`, or smaller until it fits `max_width`."""
    return font(fitting_px([text], px, max_width)).render(text, True, colour)


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# --- measures -----------------------------------------------------------------------------------


def _grey_small(image: np.ndarray) -> np.ndarray:
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    h, w = grey.shape[:2]
    factor = FOCUS_SIZE / max(h, w)
    if factor < 1:
        size = (max(1, round(w * factor)), max(1, round(h * factor)))
        grey = cv2.resize(grey, size, interpolation=cv2.INTER_AREA)
    return grey


def focus(image: np.ndarray) -> float:
    """Sharpness: variance of the Laplacian at FOCUS_SIZE (higher is sharper)."""
    return float(cv2.Laplacian(_grey_small(image), cv2.CV_64F).var())


def focus_verdict(value: float) -> str:
    if value >= SHARP:
        return "sharp"
    if value >= BLURRED:
        return "soft"
    return "blurred"


def brightness(image: np.ndarray) -> float:
    """Mean grey level, 0-255."""
    return float(_grey_small(image).mean())


@dataclass(frozen=True)
class Sizes:
    """How large notes and dots are in the photo (pixels), against what the tally needs."""

    notes: int
    dots: int
    smallest_note_px: float | None  # the shortest note side
    note_need_px: int
    dot_px: float | None  # the median dot diameter
    dot_need_px: int

    @property
    def notes_ok(self) -> bool:
        return self.smallest_note_px is not None and self.smallest_note_px >= self.note_need_px

    @property
    def dots_ok(self) -> bool:
        return self.dot_px is not None and self.dot_px >= self.dot_need_px

    def note_text(self) -> str:
        if self.smallest_note_px is None:
            return f"no notes found (notes need {self.note_need_px}+ px)"
        return f"smallest note {self.smallest_note_px:.0f} px (needs {self.note_need_px}+)"

    def dot_text(self) -> str:
        if self.dot_px is None:
            return f"no dots seen (dots need {self.dot_need_px}+ px)"
        return f"dots ~{self.dot_px:.0f} px (needs {self.dot_need_px}+)"


def measure(
    board: vision.Board,
    params: vision.Params | None = None,
    scale: float = 1.0,
    photo_size: tuple[int, int] | None = None,
) -> Sizes:
    """Note and dot sizes in photo pixels, and what the tally needs.

    `scale` turns the analysed frame's pixels into the photo's (a preview frame
    smaller than the still); `photo_size` (width, height) is the still's size,
    by default the board's times `scale`.
    """
    params = params or vision.Params()
    if photo_size is None:
        photo_size = (round(board.width * scale), round(board.height * scale))
    # The tally finds notes on a copy whose long side is work_size; the need grows with the photo.
    factor = min(1.0, params.work_size / max(photo_size))
    note_need = math.ceil(NOTE_RELIABLE * params.min_note_px / factor)
    shorts = [min(n.width, n.height) * scale for n in board.notes]
    diameters = [2 * d.radius * scale for n in board.notes for d in n.dots]
    # A dot smaller than dot_min of its note's short side is not counted at all.
    relative = params.dot_min * statistics.median(shorts) if shorts else 0.0
    return Sizes(
        notes=len(shorts),
        dots=len(diameters),
        smallest_note_px=min(shorts) if shorts else None,
        note_need_px=note_need,
        dot_px=statistics.median(diameters) if diameters else None,
        dot_need_px=max(DOT_RELIABLE_PX, math.ceil(relative)),
    )


# --- the Pi camera, kept running ----------------------------------------------------------------


class PiPreview:
    """The Pi camera running at a preview size for a live picture.

    PiCamera opens the camera for each still; aiming needs a frame every moment.
    Frames keep the sensor's whole field of view, so `scale` turns their pixels
    into the still's. Autofocus runs continuously unless the settings ask for
    manual focus, which is then what the preview shows.
    """

    WIDTH = 1536

    def __init__(self, still: camera_module.PiCamera) -> None:
        Picamera2 = camera_module._import_picamera2()
        self.name = "Pi camera preview"
        self._cam = None
        try:
            if len(Picamera2.global_camera_info()) <= still.camera_num:
                raise CameraError(camera_module.NO_CAMERA)
            self._cam = Picamera2(still.camera_num)
            full = tuple(self._cam.sensor_resolution)
            self.photo_size = tuple(still.size) if still.size else full
            height = 2 * round(self.WIDTH * full[1] / full[0] / 2)
            config = self._cam.create_video_configuration(
                main={"size": (self.WIDTH, height), "format": "RGB888"}
            )
            self._cam.configure(config)
            if "AfMode" in self._cam.camera_controls:
                if still.focus == "manual":
                    self._cam.set_controls({"AfMode": 0, "LensPosition": still.focus_dioptres})
                else:
                    self._cam.set_controls({"AfMode": 2})  # libcamera's AfModeContinuous
            self._cam.start()
        except CameraError:
            self.close()
            raise
        except IndexError as exc:
            self.close()
            raise CameraError(camera_module.NO_CAMERA) from exc
        except Exception as exc:
            self.close()
            raise CameraError(camera_module._pi_problem(exc)) from exc
        self.scale = self.photo_size[0] / self.WIDTH

    def capture(self) -> np.ndarray:
        if self._cam is None:
            raise CameraError("The Pi camera preview is closed: restart leancoffee aim")
        try:
            frame = self._cam.capture_array("main")
        except Exception as exc:
            raise CameraError(camera_module._pi_problem(exc)) from exc
        return camera_module._bgr(frame, "The Pi camera")

    def close(self) -> None:
        if self._cam is not None:
            cam, self._cam = self._cam, None
            try:
                cam.stop()
            except Exception as exc:  # closing must not hide the real error
                log.debug("stopping the preview: %s", exc)
            try:
                cam.close()
            except Exception as exc:
                log.warning("closing the Pi camera: %s", exc)


def live_camera(cam):
    """A camera for a live picture: the Pi camera kept running, any other as it is."""
    if isinstance(cam, camera_module.PiCamera):
        return PiPreview(cam)
    return cam


# --- drawing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Frame:
    """What one preview frame showed."""

    sizes: Sizes
    focus: float
    verdict: str

    def text(self) -> str:
        return (
            f"{plural(self.sizes.notes, 'note')}, {self.sizes.note_text()}, {self.sizes.dot_text()}, "
            f"focus {self.focus:.0f} ({self.verdict})"
        )


@dataclass(frozen=True)
class Layout:
    picture: tuple[int, int, int, int]  # x, y, w, h
    panel: tuple[int, int, int, int]  # where the text goes
    line: int  # text line height


def layout(size: tuple[int, int], image_size: tuple[int, int]) -> Layout:
    """The picture and the text panel for a surface: the panel below the picture or beside
    it, whichever leaves the picture larger (a 16:9 photo on a 5:3 screen: below)."""
    width, height = size
    iw, ih = image_size
    line = int(min(48, max(14, height / 16)))
    below_h = 4 * line + line // 2
    side_w = int(width * 0.38)
    choices = []
    for panel in ((0, height - below_h, width, below_h), (width - side_w, 0, side_w, height)):
        room_w = width if panel[1] > 0 else width - side_w
        room_h = panel[1] if panel[1] > 0 else height
        s = min(room_w / iw, room_h / ih)
        w, h = max(1, int(iw * s)), max(1, int(ih * s))
        picture = ((room_w - w) // 2, (room_h - h) // 2, w, h)
        choices.append((w * h, Layout(picture, panel, line)))
    return max(choices, key=lambda c: c[0])[1]


def draw(
    surface,
    image: np.ndarray,
    board: vision.Board,
    frame: Frame,
    hint: str = "any press, q or Escape quits",
) -> None:
    """The preview with the notes outlined and counted, and the sizes and focus beside it."""
    import pygame

    surface.fill(BACKGROUND)
    spot = layout(surface.get_size(), (image.shape[1], image.shape[0]))
    x, y, w, h = spot.picture
    line = spot.line
    s = w / image.shape[1]
    small = cv2.resize(image, (w, h), interpolation=cv2.INTER_AREA)
    small = vision.annotate(small, board.scaled(s))
    sizes = frame.sizes
    if board.notes:
        # The smallest note, marked in its verdict's colour: the one to bring closer.
        smallest = min(board.notes, key=lambda n: min(n.width, n.height))
        poly = np.round(np.asarray(smallest.polygon) * s).astype(np.int32)
        colour = GREEN if sizes.notes_ok else AMBER
        cv2.polylines(small, [poly], True, colour[::-1], max(2, line // 8), cv2.LINE_AA)
    rgb = cv2.cvtColor(small, cv2.COLOR_BGR2RGB)
    surface.blit(pygame.image.frombuffer(rgb.tobytes(), (w, h), "RGB"), (x, y))

    px, py, pw, _ph = spot.panel
    margin = max(4, line // 3)
    verdict_colour = {"sharp": GREEN, "soft": AMBER}.get(frame.verdict, RED)
    rows = [
        (f"{plural(sizes.notes, 'note')} seen", WHITE),
        (f"focus {frame.focus:.0f} ({frame.verdict})", verdict_colour),
        (sizes.note_text(), GREEN if sizes.notes_ok else (AMBER if sizes.notes else RED)),
        (sizes.dot_text(), GREEN if sizes.dots_ok else (AMBER if sizes.dots else GREY)),
    ]
    if py > 0:  # below the picture: notes and focus share the first line
        rows = [(f"{rows[0][0]}, {rows[1][0]}", verdict_colour)] + rows[2:]
    else:
        py += margin
    size = fitting_px([text for text, _ in rows], line, pw - 2 * margin)
    for i, (text, colour) in enumerate(rows):
        surface.blit(font(size).render(text, True, colour), (px + margin, py + i * line))
    picture = fit_text(hint, int(line * 0.7), pw - 2 * margin, GREY)
    surface.blit(picture, (px + margin, py + len(rows) * line + line // 6))


def draw_message(surface, text: str, hint: str = "any press, q or Escape quits") -> None:
    """A problem in big text (the camera went away), wrapped to the surface."""
    surface.fill(BACKGROUND)
    width, height = surface.get_size()
    line = int(min(56, max(16, height / 12)))
    words, rows, row = text.split(), [], ""
    for word in words:
        candidate = f"{row} {word}".strip()
        if row and font(line).size(candidate)[0] > width * 0.9:
            rows.append(row)
            row = word
        else:
            row = candidate
    rows.append(row)
    top = max(line, (height - len(rows) * line) // 2 - line)
    for i, text_row in enumerate(rows):
        picture = fit_text(text_row, line, int(width * 0.95), RED)
        surface.blit(picture, ((width - picture.get_width()) // 2, top + i * line))
    picture = fit_text(hint, int(line * 0.7), int(width * 0.95), GREY)
    surface.blit(picture, ((width - picture.get_width()) // 2, height - line * 2))


# --- the loop -----------------------------------------------------------------------------------


def wants_quit(event) -> bool:
    """Any press (space, a touch, a click), q, Escape, or closing the window."""
    import pygame

    if event.type == pygame.QUIT:
        return True
    if event.type == pygame.KEYDOWN:
        return event.key in (pygame.K_SPACE, pygame.K_q, pygame.K_ESCAPE, pygame.K_RETURN)
    return event.type in (pygame.FINGERDOWN, pygame.MOUSEBUTTONDOWN)


def analyse(
    image: np.ndarray,
    params: vision.Params | None = None,
    scale: float = 1.0,
    photo_size: tuple[int, int] | None = None,
) -> tuple[vision.Board, Frame]:
    board = vision.tally(image, params)
    value = focus(image)
    sizes = measure(board, params, scale, photo_size)
    return board, Frame(sizes=sizes, focus=value, verdict=focus_verdict(value))


def run_preview(
    cam,
    display: Display,
    *,
    params: vision.Params | None = None,
    frames: int | None = None,
    out_dir: Path | None = None,
    inbox: Inbox | None = None,
    report: Callable[[str], None] = print,
    frame_seconds: float = 0.2,
    retry_seconds: float = 1.0,
) -> int:
    """Show frames until a press, q or Escape, or `frames` have been shown; 0, or 1 on a camera
    problem off-screen (on a screen the problem is shown and the camera tried again).

    `inbox` brings button presses (a GPIO button) and doubles as the pause between
    frames, so a press ends the wait at once. Off-screen, each frame is also
    reported as one line of text.
    """
    inbox = inbox if inbox is not None else Inbox()
    scale = getattr(cam, "scale", 1.0)
    photo_size = getattr(cam, "photo_size", None)
    shown = 0
    while frames is None or shown < frames:
        if _pressed(display, inbox):
            break
        try:
            image = cam.capture()
        except CameraError as exc:
            if not display.interactive:
                report(f"camera: {exc}")
                return 1
            draw_message(display.surface, str(exc))
            display.show()
            inbox.wait(retry_seconds)
            continue
        board, frame = analyse(image, params, scale, photo_size)
        draw(display.surface, image, board, frame)
        display.show()
        shown += 1
        where = ""
        if out_dir is not None:
            path = Path(out_dir) / f"aim-{shown:04d}.png"
            save_png(display.surface, path)
            where = f" -> {path}"
        if not display.interactive:
            report(f"frame {shown}: {frame.text()}{where}")
        elif frames is None or shown < frames:
            inbox.wait(frame_seconds)  # a file camera would otherwise spin; a press ends it
    return 0


def _pressed(display: Display, inbox: Inbox) -> bool:
    quit_now = any(wants_quit(e) for e in display.events())
    for item in inbox.drain():
        if getattr(item, "pressed", True):  # a press edge, or a ready-made gesture
            quit_now = True
    return quit_now
