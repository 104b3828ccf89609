"""The squeak and the last-minute cue, through pygame.mixer; a visible flash when there is no sound.

`open_speaker()` gives a `Speaker` when an audio device opens, else a
`SilentSpeaker` of the same shape. Both take `play("squeak")` and
`play("warning")`; when a sound cannot be heard, `flashing(now)` tells the
screen to flash instead (and `on_flash` is called), and the problem is logged
once. Sounds are loaded once, at open, so `play()` only starts a channel.

When they play is the session's rule: the squeak when a slot runs out
(device.session `_slot_ran_out`), the cue at the last minute; the app plays
the SQUEAK and WARNING_CUE effects (device.app `_handle`).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

from device import paths

log = logging.getLogger(__name__)

SOUNDS = {"squeak": "squeak.wav", "warning": "cue.wav"}

# A small mixer buffer keeps the squeak within ~10 ms of play(); pygame's default is 4x this.
BUFFER = 512


def _check_name(name: str) -> None:
    if name not in SOUNDS:
        raise ValueError(f"Unknown sound {name!r}: expected one of {', '.join(SOUNDS)}")


class _Flasher:
    """The visible stand-in for a sound: what to flash and until when."""

    audible = False

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        flash_seconds: float = 1.0,
        on_flash: Callable[[str], None] | None = None,
    ) -> None:
        self.clock = clock
        self.flash_seconds = flash_seconds
        self.on_flash = on_flash
        self.flash_name: str | None = None
        self.flash_until: float | None = None

    def _flash(self, name: str) -> None:
        self.flash_name = name
        self.flash_until = self.clock() + self.flash_seconds
        if self.on_flash is not None:
            self.on_flash(name)

    def flashing(self, now: float) -> str | None:
        """The sound the screen should be flashing for at `now`, if any."""
        if self.flash_until is not None and now < self.flash_until:
            return self.flash_name
        return None


class SilentSpeaker(_Flasher):
    """No audio device (or sound turned off): every play() becomes a flash on the screen."""

    name = "silent"

    def __init__(
        self,
        reason: str,
        clock: Callable[[], float] = time.monotonic,
        flash_seconds: float = 1.0,
        on_flash: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(clock, flash_seconds, on_flash)
        self.reason = reason
        self.played: list[str] = []  # what would have been heard, in order
        log.warning("No sound (%s): the screen will flash instead of squeaking", reason)

    def play(self, name: str) -> bool:
        _check_name(name)
        self.played.append(name)
        self._flash(name)
        return False

    def close(self) -> None:
        pass


class Speaker(_Flasher):
    """pygame.mixer with the sounds loaded once. Build it with `open_speaker()`."""

    audible = True

    def __init__(
        self,
        sounds: dict,
        owns_mixer: bool,
        clock: Callable[[], float] = time.monotonic,
        flash_seconds: float = 1.0,
        on_flash: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(clock, flash_seconds, on_flash)
        self._sounds = sounds
        self._owns_mixer = owns_mixer
        import pygame

        freq, _size, channels = pygame.mixer.get_init()
        self.name = f"pygame.mixer {freq} Hz, {channels} ch"

    def play(self, name: str) -> bool:
        """Start the sound now; True when it is playing. Never raises for a sound problem."""
        _check_name(name)
        import pygame

        try:
            channel = self._sounds[name].play()
        except pygame.error as exc:  # the device went away mid-meeting (a USB speaker unplugged)
            if self.audible:
                log.warning("Sound stopped working (%s): flashing the screen instead", exc)
                self.audible = False
            channel = None
        if channel is None:
            self._flash(name)
            return False
        return True

    def close(self) -> None:
        import pygame

        for sound in self._sounds.values():
            sound.stop()
        if self._owns_mixer and pygame.mixer.get_init():
            pygame.mixer.quit()


def open_speaker(
    enabled: bool = True,
    *,
    clock: Callable[[], float] = time.monotonic,
    flash_seconds: float = 1.0,
    on_flash: Callable[[str], None] | None = None,
    files: dict[str, Path] | None = None,
    volume: float = 1.0,
    device: str = "",
) -> Speaker | SilentSpeaker:
    """The speaker when sound works, else the silent stand-in (logged once, never raised).

    `volume` is 0..1 (0 counts as sound off, so the screen flashes); `device`
    an ALSA device such as "plughw:CARD=Headphones,DEV=0", handed to SDL as
    AUDIODEV for the whole process. Call this before `pygame.init()` (or
    initialise only pygame's display and font) so the small buffer and the
    device take effect; an already-open mixer is used as it is.
    """
    flasher = {"clock": clock, "flash_seconds": flash_seconds, "on_flash": on_flash}
    if not enabled:
        return SilentSpeaker("sound is turned off", **flasher)
    if volume <= 0:
        return SilentSpeaker("the volume is 0", **flasher)
    if device:
        os.environ["AUDIODEV"] = device
    if files is None:
        files = {name: paths.asset(filename) for name, filename in SOUNDS.items()}
    try:
        import pygame
    except ImportError:
        return SilentSpeaker("pygame is not installed", **flasher)

    owns_mixer = False
    if not pygame.mixer.get_init():
        try:
            pygame.mixer.pre_init(frequency=44100, size=-16, channels=2, buffer=BUFFER)
            pygame.mixer.init()
            owns_mixer = True
        except pygame.error as exc:
            return SilentSpeaker(f"no audio device: {exc}", **flasher)
    # pygame.init() does not raise without an audio device: the mixer is just not there.
    if not pygame.mixer.get_init():
        return SilentSpeaker("no audio device", **flasher)
    try:
        sounds = {name: pygame.mixer.Sound(str(files[name])) for name in SOUNDS}
    except (pygame.error, FileNotFoundError, KeyError) as exc:
        if owns_mixer:
            pygame.mixer.quit()
        return SilentSpeaker(f"cannot load the sounds: {exc}", **flasher)
    for sound in sounds.values():
        sound.set_volume(min(1.0, volume))
    return Speaker(sounds, owns_mixer, **flasher)
