"""`leancoffee check`: one small check per part of the device, each with its adapters passed in.

Every check returns a `Result`: the part, a status (ok, warn, FAIL, skip) and
one line saying what is fine or what is wrong and how to fix it. Only FAIL
makes `leancoffee check` exit 1: a warning (little free space, a blurred photo)
and a skipped part (no screen with --headless) are reported but pass.
The checks that need a person (the button) give up after a timeout.
"""

from __future__ import annotations

import enum
import errno
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from device import aim, paths
from device import settings as settings_module
from device.button import ButtonError, ButtonSource, Edge, GpioButton, Inbox, KeyboardButton
from device.camera import CameraError
from device.display import Display, DisplayError

PARTS = ("settings", "storage", "camera", "screen", "speaker", "button")

MB = 1024 * 1024
WARN_FREE = 200 * MB  # a meeting's note pictures take a few MB; full photos up to ~5 MB each
FULL_FREE = 10 * MB  # below this the next scan may not fit: as good as full
DARK = 12.0  # mean grey level of a photo taken with the lens cap on, or in the dark
SQUEAK_SECONDS = 3.0  # longest wait for the squeak to finish before the mixer closes


class Status(enum.Enum):
    OK = "ok"
    WARN = "warn"
    FAIL = "FAIL"
    SKIP = "skip"


@dataclass(frozen=True)
class Result:
    part: str
    status: Status
    message: str

    @property
    def ok(self) -> bool:
        """Everything but FAIL passes."""
        return self.status is not Status.FAIL

    def line(self) -> str:
        message = " ".join(self.message.split())  # one line, whatever an exception held
        return f"{self.status.value:<3} {self.part}: {message}"


def _sentence(exc: BaseException) -> str:
    """An adapter's message as the rest of a line: "Camera busy: ..." -> "camera busy: ..."."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    # The adapters send people here; here that advice goes without saying.
    for advice in (" and run leancoffee check", ", or run leancoffee check"):
        text = text.replace(advice, "")
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        text = text[0].lower() + text[1:]
    return text


def _size(n: float) -> str:
    if n >= 1024 * MB:
        return f"{n / (1024 * MB):.1f} GB"
    return f"{n / MB:.0f} MB"


# --- settings -----------------------------------------------------------------------------------


def check_settings(path: Path, load=settings_module.load) -> Result:
    """The settings file's problems (each key with one falls back to its default)."""
    path = Path(path)
    if not path.exists():  # the default file (`check` refuses a named one that is missing)
        return Result("settings", Status.OK, f"no file at {path}: every setting at its default")
    _settings, problems = load(path)
    if problems:
        more = len(problems) - 1
        tail = f" (and {more} more: see leancoffee settings --check {path})" if more else ""
        return Result("settings", Status.FAIL, problems[0] + tail)
    return Result("settings", Status.OK, f"{path} is valid")


# --- storage ------------------------------------------------------------------------------------


def write_probe(directory: Path) -> None:
    """Write, sync and delete a small file in `directory`; OSError when that fails."""
    fd, name = tempfile.mkstemp(prefix=".leancoffee-check-", dir=directory)
    try:
        os.write(fd, b"\0" * 4096)
        os.fsync(fd)
    finally:
        os.close(fd)
        os.unlink(name)


def check_storage(
    data_dir: Path,
    *,
    disk_usage: Callable = shutil.disk_usage,
    probe: Callable[[Path], None] = write_probe,
    warn_free: int = WARN_FREE,
    full_free: int = FULL_FREE,
) -> Result:
    """The data folder takes a file, and has room for meetings."""
    data_dir = Path(data_dir)
    # A folder not made yet (a fresh PC) is made on first run: check its nearest existing parent.
    where = data_dir
    while not where.exists() and where.parent != where:
        where = where.parent
    if not where.is_dir():
        return Result("storage", Status.FAIL, f"{where} is not a folder: set data_dir to a folder")
    try:
        probe(where)
    except OSError as exc:
        return Result("storage", Status.FAIL, _write_problem(data_dir, exc))
    try:
        free = disk_usage(where).free
    except OSError as exc:
        return Result("storage", Status.FAIL, f"cannot see the free space of {where}: {exc}")
    made = "" if where == data_dir else " (made on first run)"
    if free < full_free:
        return Result(
            "storage",
            Status.FAIL,
            f"{data_dir} is full ({_size(free)} free): delete old photos or meetings, "
            "or use a bigger card",
        )
    if free < warn_free:
        return Result(
            "storage",
            Status.WARN,
            f"{data_dir}{made}: only {_size(free)} free: delete old photos or meetings soon",
        )
    return Result("storage", Status.OK, f"{data_dir}{made}: writable, {_size(free)} free")


def _write_problem(data_dir: Path, exc: OSError) -> str:
    if exc.errno == errno.EROFS:
        return (
            f"{data_dir} is on a read-only file system: set data_dir to a writable folder "
            "(or remount the card read-write)"
        )
    if exc.errno in (errno.EACCES, errno.EPERM):
        return (
            f"cannot write to {data_dir} (permission denied): run as the service's user "
            f"(sudo -u leancoffee leancoffee check) or give it the folder: "
            f"sudo chown -R leancoffee: {data_dir}"
        )
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"{data_dir} is full: delete old photos or meetings, or use a bigger card"
    return f"cannot write to {data_dir} ({exc.strerror or exc}): check the card"


# --- camera -------------------------------------------------------------------------------------


def check_camera(open_camera: Callable[[], object], params=None) -> Result:
    """Takes a photo: its resolution, its focus, and how many notes the tally sees in it."""
    try:
        cam = open_camera()
    except CameraError as exc:
        return Result("camera", Status.FAIL, _sentence(exc))
    try:
        image = cam.capture()
    except CameraError as exc:
        return Result("camera", Status.FAIL, _sentence(exc))
    finally:
        cam.close()
    height, width = image.shape[:2]
    name = getattr(cam, "name", "camera")
    light = aim.brightness(image)
    if light < DARK:
        return Result(
            "camera",
            Status.FAIL,
            f"{name} {width}x{height}: the photo is almost black (brightness {light:.0f} of 255): "
            "take the cap off the lens, or turn on the light",
        )
    board, frame = aim.analyse(image, params)
    sizes = frame.sizes
    message = (
        f"{name} {width}x{height}, {frame.verdict} (focus {frame.focus:.0f}), "
        f"{aim.plural(sizes.notes, 'note')} seen"
    )
    status = Status.OK
    if getattr(cam, "path", None) in _sample_walls():
        status = Status.WARN
        message = f"no camera found, so this checked the sample wall: {message}"
    if frame.verdict == "blurred":
        status = Status.WARN
        message += ": blurred: turn the lens or set camera_focus, watching leancoffee aim"
    elif not board.notes:
        status = Status.WARN
        message += ": point the camera at the wall (leancoffee aim shows what it sees)"
    elif not sizes.notes_ok:
        status = Status.WARN
        message += f": notes look small ({sizes.note_text()}): move the camera closer"
    return Result("camera", status, message)


def _sample_walls() -> list[Path]:
    try:
        return paths.sample_walls()
    except OSError:
        return []


# --- screen -------------------------------------------------------------------------------------


# Colour bars, left to right: what a wrong colour order or a missing channel shows up in.
BARS = (
    (255, 255, 255),
    (255, 255, 0),
    (0, 255, 255),
    (0, 255, 0),
    (255, 0, 255),
    (255, 0, 0),
    (0, 0, 255),
    (0, 0, 0),
)


def draw_test_card(surface, lines: Sequence[str] = (), prompt: str = "") -> None:
    """Colour bars, corner marks, the size in big text, results so far, and a prompt."""
    import pygame

    width, height = surface.get_size()
    surface.fill((40, 40, 40))
    # Corner marks and an edge line: a screen that crops or overscans loses them.
    mark = max(8, min(width, height) // 10)
    thick = max(2, min(width, height) // 100)
    # The bars sit between the corner marks, so a white mark is never lost on a white bar.
    bars_h = int(height * 0.3)
    inner = width - 2 * (mark + thick)
    for i, colour in enumerate(BARS):
        x0 = mark + thick + i * inner // len(BARS)
        x1 = mark + thick + (i + 1) * inner // len(BARS)
        surface.fill(colour, pygame.Rect(x0, 0, x1 - x0, bars_h))
    for left in (True, False):
        for top in (True, False):
            x = 0 if left else width - mark
            y = 0 if top else height - mark
            upright = (x if left else width - thick, y, thick, mark)
            across = (x, y if top else height - thick, mark, thick)
            surface.fill((255, 255, 255), pygame.Rect(upright))
            surface.fill((255, 255, 255), pygame.Rect(across))
    pygame.draw.rect(surface, (255, 255, 255), pygame.Rect(0, 0, width, height), 1)

    room = int(width * 0.9)
    big = aim.fit_text(f"{width} x {height}", height // 6, room, aim.WHITE)
    y = bars_h + height // 40
    surface.blit(big, ((width - big.get_width()) // 2, y))
    y += big.get_height()
    if prompt:
        ask = aim.fit_text(prompt, height // 9, room, aim.AMBER)
        surface.blit(ask, ((width - ask.get_width()) // 2, y))
        y += ask.get_height()
    line = max(10, height // 22)
    shown = list(lines)[-max(1, (height - y - thick) // line) :]
    px = aim.fitting_px(shown, line, room) if shown else line
    for text in shown:
        colour = aim.RED if text.startswith("FAIL") else aim.WHITE
        surface.blit(aim.font(px).render(text, True, colour), ((width - room) // 2, y))
        y += line


def check_screen(open_display: Callable[[], Display]) -> tuple[Result, Display | None]:
    """Opens the screen and shows the test card. The display stays open (the button prompt
    goes on it) and is returned for the caller to close; None when it did not open."""
    try:
        display = open_display()
    except DisplayError as exc:
        return Result("screen", Status.FAIL, aim.no_screen(exc)), None
    import pygame

    try:
        draw_test_card(display.surface)
        display.show()
    except pygame.error as exc:
        display.close()
        return Result("screen", Status.FAIL, f"the screen opened but cannot draw ({exc})"), None
    width, height = display.surface.get_size()
    turned = f", turned {display.rotation} degrees" if display.rotation else ""
    if not display.interactive:
        result = Result(
            "screen",
            Status.SKIP,
            f"--headless: test card drawn off-screen at {width}x{height}, not shown",
        )
    else:
        result = Result(
            "screen",
            Status.OK,
            f"{width}x{height}{turned}, test card shown: all four corner marks should be visible",
        )
    return result, display


# --- speaker ------------------------------------------------------------------------------------


def wait_for_squeak(
    clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep
) -> None:
    """Until the mixer is quiet (or SQUEAK_SECONDS), so closing it does not cut the squeak."""
    import pygame

    deadline = clock() + SQUEAK_SECONDS
    while pygame.mixer.get_init() and pygame.mixer.get_busy() and clock() < deadline:
        sleep(0.05)


def check_speaker(
    open_speaker: Callable[[], object],
    *,
    device: str = "",
    wait: Callable[[], None] = wait_for_squeak,
) -> Result:
    """Plays the squeak. A silent stand-in (no audio device) is a FAIL that says what to set."""
    speaker = open_speaker()
    try:
        if not speaker.audible:
            return Result("speaker", Status.FAIL, _no_sound(getattr(speaker, "reason", ""), device))
        if not speaker.play("squeak"):
            return Result(
                "speaker",
                Status.FAIL,
                "the squeak did not play (the speaker went away): check its cable and try again",
            )
        wait()
    finally:
        speaker.close()
    where = f"on {device}" if device else "on the default audio device"
    return Result(
        "speaker",
        Status.OK,
        f"squeak played {where}: heard nothing? check the cable, the volume and audio_device",
    )


def _no_sound(reason: str, device: str) -> str:
    if "volume is 0" in reason:
        return "volume_percent is 0 in the settings: raise it to hear the squeak"
    head = reason if reason.startswith("no audio device") else f"no sound ({reason or 'unknown'})"
    if device:
        return (
            f"{head}: audio_device {device!r} did not open: check the cable, or set "
            "audio_device in the settings (aplay -L lists them)"
        )
    return (
        f"{head}: check the speaker's cable, set audio_device in the settings "
        "(e.g. plughw:CARD=Headphones,DEV=0; aplay -L lists them), or set AUDIODEV"
    )


# --- button -------------------------------------------------------------------------------------


def _prompt(source: ButtonSource) -> str:
    if isinstance(source, GpioButton):
        return f"press the button ({source.name}) now"
    if isinstance(source, KeyboardButton):
        return "press the space bar or touch the screen now"
    return "type tap and Enter now"


def _is_press(item, source: ButtonSource) -> bool:
    """A press from the source under test (a key press does not pass a GPIO button's check)."""
    if isinstance(item, Edge):
        if not item.pressed:
            return False
        if isinstance(source, KeyboardButton):
            return item.source in ("keyboard", "touch")
        return item.source == source.name
    return item.source == source.name  # a ready-made gesture (stdin)


def check_button(
    open_source: Callable[[Inbox], ButtonSource],
    *,
    timeout: float = 10.0,
    clock: Callable[[], float] = time.monotonic,
    display: Display | None = None,
    on_prompt: Callable[[str], None] | None = None,
    step: float = 0.05,
    pin_hint: str = "",
) -> Result:
    """Asks for a press and waits up to `timeout` seconds (on `clock`) for one."""
    inbox = Inbox(clock=clock)
    try:
        source = open_source(inbox)
    except ButtonError as exc:
        return Result("button", Status.FAIL, _sentence(exc))
    try:
        if isinstance(source, KeyboardButton) and (display is None or not display.interactive):
            return Result(
                "button",
                Status.SKIP,
                "no GPIO button here and no screen for the space bar: use --button stdin",
            )
        if isinstance(source, GpioButton) and source.is_pressed:
            return Result(
                "button",
                Status.FAIL,
                f"{source.name} reads pressed before anyone pressed it: wire the button between "
                "the pin and ground (not 3.3 V), or set button_pull_up = false",
            )
        prompt = f"{_prompt(source)} ({timeout:g} s)"
        if on_prompt is not None:
            on_prompt(prompt)
        deadline = clock() + timeout
        while True:
            if display is not None:
                for event in display.events():
                    source.handle_event(event)
            if any(_is_press(item, source) for item in inbox.drain()):
                return Result("button", Status.OK, f"{source.name}: press seen")
            remaining = deadline - clock()
            if remaining <= 0:
                break
            inbox.wait(min(step, remaining))
        return Result("button", Status.FAIL, _no_press(source, timeout, pin_hint))
    finally:
        source.close()


def _no_press(source: ButtonSource, timeout: float, pin_hint: str) -> str:
    head = f"no press within {timeout:g} s"
    if isinstance(source, GpioButton):
        where = pin_hint or source.name
        return (
            f"{head}: check the wiring ({where} to ground), button_pin in the settings, "
            "or give more time with --timeout"
        )
    if isinstance(source, KeyboardButton):
        return f"{head}: press the space bar, or give more time with --timeout"
    return f"{head}: type tap and Enter on stdin, or give more time with --timeout"


# --- all of them --------------------------------------------------------------------------------


@dataclass
class Kit:
    """What the checks open, each a factory so a test can hand in a stand-in."""

    settings_path: Path
    data_dir: Path
    open_camera: Callable[[], object]
    open_display: Callable[[], Display]
    open_speaker: Callable[[], object]
    open_button: Callable[[Inbox], ButtonSource] | None  # None: --button none
    audio_device: str = ""
    pin_hint: str = ""
    timeout: float = 10.0
    clock: Callable[[], float] = time.monotonic
    # None: this module's own (looked up when the checks run, so a test can replace them).
    disk_usage: Callable | None = None
    probe: Callable[[Path], None] | None = None
    wait_for_squeak: Callable[[], None] | None = None
    params: object = None


def run_checks(
    kit: Kit,
    parts: Sequence[str] = PARTS,
    report: Callable[[Result], None] = lambda r: None,
    ask: Callable[[str], None] = lambda text: None,
) -> list[Result]:
    """Each part asked for, in PARTS order; `report` hears each result as it comes and `ask`
    each prompt (for a person watching a terminal). The test card shows the lines too."""
    unknown = set(parts) - set(PARTS)
    if unknown:
        raise ValueError(f"unknown part {sorted(unknown)[0]!r}: expected some of {PARTS}")
    results: list[Result] = []
    display: Display | None = None

    def show(prompt: str = "") -> None:
        if display is not None:
            draw_test_card(display.surface, [r.line() for r in results], prompt)
            display.show()

    def add(result: Result) -> None:
        results.append(result)
        report(result)
        show()

    def prompt(text: str) -> None:
        ask(text)
        show(text)

    try:
        for part in PARTS:
            if part not in parts:
                continue
            if part == "settings":
                add(check_settings(kit.settings_path))
            elif part == "storage":
                add(
                    check_storage(
                        kit.data_dir,
                        disk_usage=kit.disk_usage or shutil.disk_usage,
                        probe=kit.probe or write_probe,
                    )
                )
            elif part == "camera":
                add(check_camera(kit.open_camera, kit.params))
            elif part == "screen":
                result, display = check_screen(kit.open_display)
                add(result)
            elif part == "speaker":
                add(
                    check_speaker(
                        kit.open_speaker,
                        device=kit.audio_device,
                        wait=kit.wait_for_squeak or wait_for_squeak,
                    )
                )
            elif kit.open_button is None:
                add(Result("button", Status.SKIP, "not checked (--button none)"))
            else:
                add(
                    check_button(
                        kit.open_button,
                        timeout=kit.timeout,
                        clock=kit.clock,
                        display=display,
                        on_prompt=prompt,
                        pin_hint=kit.pin_hint,
                    )
                )
    finally:
        if display is not None:
            display.close()
    return results
