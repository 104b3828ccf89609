"""Button inputs: a GPIO push button, the space bar, a touchscreen, and stdin lines.

Every source hands what it sees to an `Inbox`, a thread-safe queue the main
loop drains: press and release edges stamped with the injected clock when they
happen (so a slow loop does not stretch a tap into a hold), or ready-made
gestures (stdin). `Inbox.gestures(detector, now)` turns them into gestures.

gpiozero calls back on its own threads and stdin is read on a thread of its
own, so those only enqueue; `notify` (e.g. posting a pygame event) wakes the
loop. Keyboard and touch arrive as pygame events on the main thread.
"""

from __future__ import annotations

import collections
import glob
import logging
import os
import sys
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

from device.gestures import Gesture, GestureDetector

log = logging.getLogger(__name__)

KINDS = ("auto", "gpio", "keyboard", "stdin")

# stdin words for each gesture; `long` is the documented one, the others are forgiving spellings.
WORDS = {
    "tap": Gesture.TAP,
    "hold": Gesture.HOLD,
    "long": Gesture.LONG_HOLD,
    "long hold": Gesture.LONG_HOLD,
    "long-hold": Gesture.LONG_HOLD,
    "long_hold": Gesture.LONG_HOLD,
}


class ButtonError(Exception):
    """The button cannot be used; the message says why and what to do, in one sentence."""


@dataclass(frozen=True)
class Edge:
    """The button went down (pressed=True) or up, at `at` on the inbox's clock."""

    pressed: bool
    at: float
    source: str


@dataclass(frozen=True)
class Made:
    """A gesture that arrived ready-made (stdin)."""

    gesture: Gesture
    at: float
    source: str


class Inbox:
    """The hand-off from input threads to the main loop."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        notify: Callable[[], None] | None = None,
    ) -> None:
        self.clock = clock
        self.notify = notify
        self._items: collections.deque[Edge | Made] = collections.deque()
        self._ready = threading.Condition()
        self._holder: str | None = None  # the source whose press is down

    def put(self, item: Edge | Made) -> None:
        with self._ready:
            self._items.append(item)
            self._ready.notify_all()
        if self.notify is not None:
            self.notify()

    def edge(self, pressed: bool, source: str) -> None:
        self.put(Edge(pressed, self.clock(), source))

    def gesture(self, gesture: Gesture, source: str) -> None:
        self.put(Made(gesture, self.clock(), source))

    def drain(self) -> list[Edge | Made]:
        with self._ready:
            items = list(self._items)
            self._items.clear()
        return items

    def wait(self, timeout: float | None) -> bool:
        """Block until something is queued (True) or the timeout passes (False)."""
        with self._ready:
            return self._ready.wait_for(lambda: bool(self._items), timeout)

    def gestures(self, detector: GestureDetector, now: float) -> list[Gesture]:
        """Everything queued, through the detector, then the detector's own deadline at `now`."""
        made = []
        for item in self.drain():
            if isinstance(item, Made):
                made.append(item.gesture)
                continue
            if item.pressed:
                if self._holder is None:
                    self._holder = item.source
                    detector.press(item.at)
                continue
            # Only the source that pressed can release: a touch must not end a GPIO press.
            if item.source == self._holder:
                self._holder = None
                gesture = detector.release(item.at)
                if gesture is not None:
                    made.append(gesture)
        gesture = detector.poll(now)
        if gesture is not None:
            made.append(gesture)
        return made


# --- keyboard and touch (pygame events, on the main thread) ---------------------------------


def pygame_edge(event, keys: tuple[int, ...] | None = None) -> bool | None:
    """True for a button press, False for a release, None for any other event.

    The space bar, a finger, and the left mouse button (a touchscreen that
    reports itself as a mouse). Mouse events that SDL makes from a touch are
    skipped: the finger event already counted.
    """
    import pygame

    if keys is None:
        keys = (pygame.K_SPACE,)
    kind = event.type
    if kind in (pygame.KEYDOWN, pygame.KEYUP):
        if event.key in keys:
            return kind == pygame.KEYDOWN
        return None
    if kind in (pygame.FINGERDOWN, pygame.FINGERUP):
        return kind == pygame.FINGERDOWN
    if kind in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP):
        if event.button != 1 or getattr(event, "touch", False):
            return None
        return kind == pygame.MOUSEBUTTONDOWN
    return None


def _event_source(event) -> str:
    import pygame

    if event.type in (pygame.KEYDOWN, pygame.KEYUP):
        return "keyboard"
    return "touch"


class ButtonSource:
    """What every source offers the loop. Keyboard and touch always work, whatever the kind."""

    name = "keyboard"

    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox

    def handle_event(self, event) -> bool:
        """Feed one pygame event; True when it was a button event."""
        pressed = pygame_edge(event)
        if pressed is None:
            return False
        self.inbox.edge(pressed, _event_source(event))
        return True

    def close(self) -> None:
        pass


class KeyboardButton(ButtonSource):
    """The space bar, a touch, or a click: nothing beyond the pygame events."""


# --- GPIO ------------------------------------------------------------------------------------


class GpioButton(ButtonSource):
    """A push button on a GPIO pin (BCM numbering), to ground with the pull-up by default."""

    def __init__(
        self,
        inbox: Inbox,
        pin: int | str = 17,
        pull_up: bool = True,
        bounce_seconds: float = 0.03,
    ) -> None:
        super().__init__(inbox)
        self.name = f"GPIO{pin}"
        try:
            from gpiozero import Button
        except ImportError as exc:
            raise ButtonError(
                "gpiozero is not installed: install it, or use --button keyboard"
            ) from exc
        try:
            # gpiozero warns once per pin library it cannot load; only the outcome matters here.
            with warnings.catch_warnings(record=True) as fallbacks:
                warnings.simplefilter("always")
                self._button = Button(pin, pull_up=pull_up, bounce_time=bounce_seconds)
        except Exception as exc:
            if any(".lgd-nfy" in str(w.message) for w in fallbacks):
                # lgpio makes a pipe in the current folder (gpiozero issue 1106).
                raise ButtonError(
                    f"The GPIO library cannot write in the current folder ({os.getcwd()}): "
                    "run from a folder you can write, e.g. cd /tmp"
                ) from exc
            said = " ".join(str(w.message) for w in fallbacks)
            raise ButtonError(_gpio_problem(pin, exc, said)) from exc
        finally:
            for warning in fallbacks:
                log.debug("gpiozero: %s", warning.message)
        # gpiozero's threads: only enqueue here, never touch the screen or the session.
        self._button.when_pressed = self._pressed
        self._button.when_released = self._released

    def _pressed(self) -> None:
        self.inbox.edge(True, self.name)

    def _released(self) -> None:
        self.inbox.edge(False, self.name)

    @property
    def is_pressed(self) -> bool:
        return bool(self._button.is_pressed)

    def close(self) -> None:
        self._button.close()


def _gpio_problem(pin: int | str, exc: Exception, fallbacks: str = "") -> str:
    """One sentence for why the pin cannot be had. `fallbacks`: what gpiozero said of each pin
    library it could not load (lgpio's reasons are only there, and in lgpio's own errors)."""
    kind = type(exc).__name__
    # gpiozero's own error is for a pin taken in this process; lgpio's "GPIO busy", by another.
    if kind == "GPIOPinInUse" or "GPIO busy" in f"{exc} {fallbacks}":
        return (
            f"GPIO{pin} is in use by another program (on the device, the service: "
            "sudo systemctl stop leancoffee): stop it, or set another button pin"
        )
    if kind in ("BadPinFactory", "PinFactoryFallback"):
        if _gpio_chips_unusable():
            return (
                "No permission to use the GPIO pins: add the user to the gpio group "
                "(sudo usermod -aG gpio USER, then log in again)"
            )
        return "No GPIO pins here (not a Raspberry Pi?): use --button keyboard"
    if kind in ("PinInvalidPin", "PinInvalidFunction", "PinUnknownPi"):
        return f"GPIO pin {pin!r} does not exist on this board: check the button pin setting"
    return (
        f"Cannot use the button on GPIO{pin} ({exc}): check the wiring and the button pin setting"
    )


def _gpio_chips_unusable() -> bool:
    """GPIO chips there are, and none this user may open (not in the gpio group)."""
    chips = glob.glob("/dev/gpiochip*")
    return bool(chips) and not any(os.access(c, os.R_OK | os.W_OK) for c in chips)


# --- stdin -----------------------------------------------------------------------------------


class StdinButton(ButtonSource):
    """Lines `tap`, `hold`, `long` on stdin (over SSH, in scripts and tests) become gestures."""

    name = "stdin"

    def __init__(self, inbox: Inbox, stream: TextIO | None = None) -> None:
        super().__init__(inbox)
        self._stream = stream if stream is not None else sys.stdin
        self.finished = threading.Event()  # set at end of input
        self._thread = threading.Thread(target=self._read, name="stdin-button", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            for line in self._stream:
                word = " ".join(line.lower().split())
                if not word:
                    continue
                gesture = WORDS.get(word)
                if gesture is None:
                    log.warning("stdin: ignored %r (type tap, hold or long)", line.strip()[:40])
                    continue
                self.inbox.gesture(gesture, self.name)
        except (OSError, ValueError) as exc:  # closed or unreadable stream
            log.warning("stdin: stopped reading (%s)", exc)
        log.info("stdin: end of input, no more button lines")
        self.finished.set()
        if self.inbox.notify is not None:
            self.inbox.notify()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the reader to reach end of input (for tests and scripted runs)."""
        self._thread.join(timeout)
        return self.finished.is_set()


def open_button(
    kind: str,
    inbox: Inbox,
    *,
    pin: int | str = 17,
    pull_up: bool = True,
    bounce_seconds: float = 0.03,
    stream: TextIO | None = None,
) -> ButtonSource:
    """The button by name: gpio, keyboard, stdin, or auto (GPIO when the pin works, else keyboard)."""
    gpio = {"pin": pin, "pull_up": pull_up, "bounce_seconds": bounce_seconds}
    if kind == "gpio":
        return GpioButton(inbox, **gpio)
    if kind == "keyboard":
        return KeyboardButton(inbox)
    if kind == "stdin":
        return StdinButton(inbox, stream)
    if kind == "auto":
        try:
            return GpioButton(inbox, **gpio)
        except ButtonError as exc:
            log.info("no GPIO button (%s); using the space bar and touch", exc)
            return KeyboardButton(inbox)
    raise ButtonError(f"Unknown button {kind!r}: use one of {', '.join(KINDS)}")


def configured_button(
    kind: str, inbox: Inbox, settings, stream: TextIO | None = None
) -> ButtonSource:
    """The button by name (see `open_button`), on the pin and with the pull and bounce the
    settings give."""
    return open_button(
        kind,
        inbox,
        pin=settings.button_pin,
        pull_up=settings.button_pull_up,
        bounce_seconds=settings.button_bounce_seconds,
        stream=stream,
    )
