"""The committed WAVs are what assets/make_sounds.py makes, and sound like what they are for."""

import wave

import numpy as np
import pytest
from device.assets import make_sounds

from device import paths

RATE = 44100


def read(path):
    with wave.open(str(path), "rb") as f:
        assert (f.getnchannels(), f.getsampwidth(), f.getframerate()) == (1, 2, RATE)
        return np.frombuffer(f.readframes(f.getnframes()), "<i2").astype(float) / 32767


@pytest.fixture(scope="module")
def squeak():
    return read(paths.asset("squeak.wav"))


@pytest.fixture(scope="module")
def cue():
    return read(paths.asset("cue.wav"))


def pitch(frame):
    """Fundamental frequency of one frame by autocorrelation, searched over 600-2000 Hz."""
    frame = frame - frame.mean()
    spectrum = np.fft.rfft(frame, 2 * len(frame))
    ac = np.fft.irfft(np.abs(spectrum) ** 2)[: len(frame)]
    lo, hi = int(RATE / 2000), int(RATE / 600)
    lag = lo + int(np.argmax(ac[lo:hi]))
    # Parabolic interpolation between neighbouring lags for sub-sample precision.
    a, b, c = ac[lag - 1], ac[lag], ac[lag + 1]
    lag += 0.5 * (a - c) / (a - 2 * b + c)
    return RATE / lag


def pitch_track(samples, frame=1024, hop=512):
    starts = range(0, len(samples) - frame, hop)
    return np.array([pitch(samples[s : s + frame]) for s in starts])


def rms(x):
    return float(np.sqrt(np.mean(x**2)))


def test_squeak_is_about_half_a_second_and_loud(squeak):
    assert 0.4 <= len(squeak) / RATE <= 0.7
    peak = np.abs(squeak).max()
    assert 0.85 <= peak < 1.0  # near full scale, not clipped
    assert rms(squeak) > 0.25


def test_squeak_has_clean_ends_and_no_dc(squeak):
    edge = int(0.001 * RATE)
    assert np.abs(squeak[:edge]).max() < 0.02
    assert np.abs(squeak[-edge:]).max() < 0.02
    assert squeak[0] == 0 and squeak[-1] == 0
    assert abs(squeak.mean()) < 0.005
    # No click: in the first 5 ms the wave grows, it does not jump.
    first = squeak[: int(0.005 * RATE)]
    assert np.abs(np.diff(first)).max() < 0.2


def test_squeak_pitch_glides_up_then_down_within_range(squeak):
    track = pitch_track(squeak)
    assert 900 <= np.median(track) <= 1500
    assert np.all((track > 850) & (track < 1600))
    n = len(track)
    start, held, end = track[:2].mean(), track[n // 4 : 3 * n // 4].mean(), track[-3:].mean()
    assert held > 1.15 * start  # the fast upward glide
    assert held > 1.12 * end  # the sag as the squeeze runs out
    wobble = np.diff(track[n // 4 : 3 * n // 4])
    assert (wobble > 0).any() and (wobble < 0).any()  # it wobbles while held


def test_squeak_is_nasal_strong_harmonics(squeak):
    middle = squeak[int(0.2 * RATE) : int(0.2 * RATE) + 2048]
    f0 = pitch(middle)
    spectrum = np.abs(np.fft.rfft(middle * np.hanning(len(middle))))
    freqs = np.fft.rfftfreq(len(middle), 1 / RATE)

    def level(f):
        near = np.abs(freqs - f) < 0.06 * f0
        return spectrum[near].max()

    fundamental = level(f0)
    for k in (2, 3):  # an even and an odd harmonic within 10 dB of the fundamental
        assert level(k * f0) > fundamental / 10 ** (10 / 20), k
    whole = np.abs(np.fft.rfft(squeak)) ** 2
    freqs = np.fft.rfftfreq(len(squeak), 1 / RATE)
    assert whole[freqs > 2000].sum() / whole.sum() > 0.3


def test_cue_is_a_soft_two_note_chime(cue, squeak):
    assert 0.3 <= len(cue) / RATE <= 1.0
    assert np.abs(cue).max() <= 0.35
    assert 20 * np.log10(rms(squeak) / rms(cue)) >= 12  # much quieter than the squeak
    assert cue[0] == 0 and cue[-1] == 0
    assert abs(cue.mean()) < 0.005
    first = pitch(cue[int(0.02 * RATE) : int(0.02 * RATE) + 2048])
    second = pitch(cue[int(0.3 * RATE) : int(0.3 * RATE) + 2048])
    assert first == pytest.approx(659.26, rel=0.02)
    assert second == pytest.approx(880.0, rel=0.02)


def test_regenerating_gives_the_committed_bytes(tmp_path):
    made = make_sounds.make(tmp_path / "a")
    again = make_sounds.make(tmp_path / "b")
    for name, path in made.items():
        assert path.read_bytes() == again[name].read_bytes()
        assert path.read_bytes() == paths.asset(name).read_bytes(), (
            f"{name} differs from what assets/make_sounds.py makes: run it and commit the WAV"
        )


def test_script_main_writes_and_describes(tmp_path, capsys):
    assert make_sounds.main(["--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "squeak.wav: 0.52 s" in out and "dBFS" in out
    assert (tmp_path / "cue.wav").is_file()
