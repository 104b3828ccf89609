"""The speaker on SDL's dummy audio driver, and the silent stand-in when sound is missing."""

import logging
import os

import pygame
import pytest

from device import paths, sound
from device.sound import SilentSpeaker, Speaker, open_speaker


class Clock:
    def __init__(self):
        self.now = 50.0

    def __call__(self):
        return self.now


@pytest.fixture(autouse=True)
def _fresh_mixer():
    pygame.mixer.quit()
    yield
    pygame.mixer.quit()


def test_speaker_plays_both_sounds_on_the_dummy_driver():
    speaker = open_speaker()
    assert isinstance(speaker, Speaker) and speaker.audible
    assert pygame.mixer.get_init()[0] == 44100
    assert speaker.play("squeak") is True
    assert speaker.play("warning") is True
    assert pygame.mixer.get_busy()
    assert speaker.flashing(speaker.clock()) is None  # heard, so no flash
    speaker.close()
    assert not pygame.mixer.get_init()


def test_sounds_are_loaded_once_at_open(monkeypatch):
    loaded = []
    real_sound = pygame.mixer.Sound

    def counting(path):
        loaded.append(path)
        return real_sound(path)

    monkeypatch.setattr(pygame.mixer, "Sound", counting)
    speaker = open_speaker()
    for _ in range(5):
        speaker.play("squeak")
    assert len(loaded) == 2
    assert loaded[0].endswith("squeak.wav") and loaded[1].endswith("cue.wav")


def test_unknown_sound_is_a_clear_error():
    with pytest.raises(ValueError, match="Unknown sound 'honk'"):
        open_speaker().play("honk")
    with pytest.raises(ValueError, match="Unknown sound"):
        SilentSpeaker("test").play("honk")


def test_no_audio_device_gives_a_silent_speaker_that_flashes(monkeypatch, caplog):
    def no_device(*args, **kwargs):
        raise pygame.error("No available audio device")

    monkeypatch.setattr(pygame.mixer, "init", no_device)
    clock = Clock()
    flashed = []
    with caplog.at_level(logging.WARNING, logger="device.sound"):
        speaker = open_speaker(clock=clock, flash_seconds=1.5, on_flash=flashed.append)
        assert isinstance(speaker, SilentSpeaker) and not speaker.audible
        assert speaker.flashing(clock.now) is None
        assert speaker.play("squeak") is False
        speaker.play("warning")
        speaker.play("squeak")
    assert flashed == ["squeak", "warning", "squeak"]
    assert speaker.played == ["squeak", "warning", "squeak"]
    assert speaker.flashing(clock.now + 1.0) == "squeak"
    assert speaker.flashing(clock.now + 1.5) is None
    # Logged once, not once per squeak.
    assert caplog.text.count("No sound") == 1
    assert "No available audio device" in caplog.text


def test_mixer_that_did_not_come_up_gives_a_silent_speaker(monkeypatch):
    # pygame.init() without an audio device: no exception, the mixer is simply absent.
    monkeypatch.setattr(pygame.mixer, "init", lambda *a, **k: None)
    speaker = open_speaker()
    assert isinstance(speaker, SilentSpeaker)
    assert speaker.reason == "no audio device"


def test_unreadable_sound_file_gives_a_silent_speaker(tmp_path):
    broken = tmp_path / "squeak.wav"
    broken.write_bytes(b"RIFF nonsense")
    speaker = open_speaker(files={"squeak": broken, "warning": tmp_path / "missing.wav"})
    assert isinstance(speaker, SilentSpeaker)
    assert "cannot load the sounds" in speaker.reason
    assert not pygame.mixer.get_init()  # the mixer it opened is closed again


def test_sound_turned_off():
    speaker = open_speaker(enabled=False)
    assert isinstance(speaker, SilentSpeaker) and speaker.reason == "sound is turned off"
    assert isinstance(open_speaker(volume=0), SilentSpeaker)


def test_volume_and_device_are_applied(monkeypatch):
    monkeypatch.setenv("AUDIODEV", "default")  # so monkeypatch puts it back afterwards
    speaker = open_speaker(volume=0.4, device="plughw:CARD=Headphones,DEV=0")
    assert isinstance(speaker, Speaker)
    assert speaker._sounds["squeak"].get_volume() == pytest.approx(0.4, abs=0.01)
    assert os.environ["AUDIODEV"] == "plughw:CARD=Headphones,DEV=0"


def test_a_speaker_that_fails_mid_meeting_falls_back_to_flashing(caplog):
    clock = Clock()
    speaker = open_speaker(clock=clock)

    class Gone:
        def play(self):
            raise pygame.error("Audio device has been removed")

        def stop(self):
            pass

    speaker._sounds = {"squeak": Gone(), "warning": Gone()}
    with caplog.at_level(logging.WARNING, logger="device.sound"):
        assert speaker.play("squeak") is False
        assert speaker.play("squeak") is False
    assert speaker.flashing(clock.now) == "squeak"
    assert not speaker.audible
    assert caplog.text.count("Sound stopped working") == 1


def test_an_already_open_mixer_is_used_and_left_open():
    pygame.mixer.init(22050, -16, 1, 1024)
    speaker = open_speaker()
    assert isinstance(speaker, Speaker)
    assert speaker.play("squeak")
    speaker.close()
    assert pygame.mixer.get_init() is not None  # it belongs to whoever opened it


def test_every_sound_ships_as_an_asset():
    for filename in sound.SOUNDS.values():
        assert paths.asset(filename).is_file()


def test_an_audio_driver_that_is_not_there(monkeypatch):
    # The real failure, not a stub: SDL refuses an audio driver it does not have.
    monkeypatch.setenv("SDL_AUDIODRIVER", "nosuchdriver")
    speaker = open_speaker()
    assert isinstance(speaker, SilentSpeaker)
    assert "nosuchdriver" in speaker.reason
