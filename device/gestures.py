"""Tap, hold and long hold from one button's press and release times.

Plain code with the time passed in (`now`, seconds on a monotonic clock), so
every rule below is testable without a pin, a thread or a sleep:

- A press shorter than the bounce time is ignored.
- A tap is known on release.
- A hold fires as soon as its time is reached, without waiting for release.
- While `long_hold_enabled` (screens where a long hold has an action), a hold
  is only known on release between the hold and long-hold times, and the long
  hold fires as soon as its time is reached, so a long hold never also makes a
  hold.
- A press makes at most one gesture; its release then yields nothing more.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Gesture(enum.Enum):
    TAP = "tap"
    HOLD = "hold"
    LONG_HOLD = "long"


@dataclass(frozen=True)
class Progress:
    """Where the current press stands, for the ring the screen fills while the button is down."""

    down: bool
    seconds: float  # how long the button has been down
    hold: float  # 0..1 of the way to a hold
    long_hold: float  # 0..1 of the way to a long hold; 0 when long holds are off
    reached: Gesture | None  # what releasing now would make (or what this press already made)
    spent: bool  # this press already made its gesture


UP = Progress(down=False, seconds=0.0, hold=0.0, long_hold=0.0, reached=None, spent=False)


class GestureDetector:
    def __init__(
        self,
        hold_seconds: float = 1.0,
        long_hold_seconds: float = 3.0,
        bounce_seconds: float = 0.03,
        long_hold_enabled: bool = False,
    ) -> None:
        if not 0 <= bounce_seconds < hold_seconds < long_hold_seconds:
            raise ValueError(
                "need 0 <= bounce < hold < long hold seconds, got "
                f"{bounce_seconds}, {hold_seconds}, {long_hold_seconds}"
            )
        self.hold_seconds = hold_seconds
        self.long_hold_seconds = long_hold_seconds
        self.bounce_seconds = bounce_seconds
        self.long_hold_enabled = long_hold_enabled
        self._pressed_at: float | None = None
        self._made: Gesture | None = None
        self._spent = False  # this press made its gesture (or was cancelled)

    @property
    def is_down(self) -> bool:
        return self._pressed_at is not None

    def press(self, now: float) -> Gesture | None:
        """The button went down. A second press while down (a repeat key, a mouse event
        doubling a touch) changes nothing."""
        if self._pressed_at is None:
            self._pressed_at = now
            self._made = None
            self._spent = False
        return None

    def release(self, now: float) -> Gesture | None:
        """The button came up: the tap, or the hold that was waiting for release."""
        if self._pressed_at is None:
            return None
        # A late poll: whatever the press reached before release still fires once.
        gesture = self.poll(now)
        if gesture is None and not self._spent:
            held = now - self._pressed_at
            if held >= self.hold_seconds:
                gesture = Gesture.HOLD  # only possible while long holds are on
            elif held >= self.bounce_seconds:
                gesture = Gesture.TAP
        self._pressed_at = None
        self._made = None
        self._spent = False
        return gesture

    def poll(self, now: float) -> Gesture | None:
        """A gesture whose time has come while the button is still down."""
        if self._pressed_at is None or self._spent:
            return None
        held = now - self._pressed_at
        if self.long_hold_enabled:
            fire = Gesture.LONG_HOLD if held >= self.long_hold_seconds else None
        else:
            fire = Gesture.HOLD if held >= self.hold_seconds else None
        if fire is not None:
            self._made = fire
            self._spent = True
        return fire

    def cancel(self) -> None:
        """Forget the current press (e.g. the screen changed under it); its release makes nothing."""
        if self._pressed_at is not None:
            self._spent = True

    def next_deadline(self) -> float | None:
        """When `poll` may next fire, so the loop can sleep until then; None when nothing is pending."""
        if self._pressed_at is None or self._spent:
            return None
        wait = self.long_hold_seconds if self.long_hold_enabled else self.hold_seconds
        return self._pressed_at + wait

    def progress(self, now: float) -> Progress:
        if self._pressed_at is None:
            return UP
        held = max(0.0, now - self._pressed_at)
        hold = min(1.0, held / self.hold_seconds)
        long_hold = min(1.0, held / self.long_hold_seconds) if self.long_hold_enabled else 0.0
        if self._spent:
            reached = self._made
        elif self.long_hold_enabled and held >= self.long_hold_seconds:
            reached = Gesture.LONG_HOLD
        elif held >= self.hold_seconds:
            reached = Gesture.HOLD
        elif held >= self.bounce_seconds:
            reached = Gesture.TAP
        else:
            reached = None
        return Progress(
            down=True,
            seconds=held,
            hold=hold,
            long_hold=long_hold,
            reached=reached,
            spent=self._spent,
        )
