"""Make the device's two sounds, so we own them: the rubber-chicken squeak and the warning cue.

    python assets/make_sounds.py [--out DIR]

Writes squeak.wav and cue.wav (16-bit mono, 44.1 kHz) beside this script,
or into DIR. numpy and the standard library's `wave` only (no audioop,
which Python 3.13 removed). No randomness: the same bytes every run.

The squeak is a reed-like pulse wave (strong odd and even harmonics) shaped
by nasal formants, gliding fast up from ~1 kHz to ~1.45 kHz with a wobble,
then sagging back as the squeeze runs out of air: loud, about half a second.
The cue is a soft two-note chime, far quieter, for the last minute.
"""

from __future__ import annotations

import argparse
import sys
import wave
from pathlib import Path

import numpy as np

RATE = 44100
FULL_SCALE = 32767

# (centre Hz, bandwidth Hz, gain): resonances that make the pulse wave nasal and honky.
FORMANTS = ((1400.0, 600.0, 1.0), (2900.0, 700.0, 1.4), (4300.0, 1000.0, 0.9))


def _fade(n: int, rate: int, attack: float, release: float) -> np.ndarray:
    """Raised-cosine attack and release: no click at either end (exactly zero there)."""
    env = np.ones(n)
    a = max(2, round(attack * rate))
    r = max(2, round(release * rate))
    env[:a] = 0.5 - 0.5 * np.cos(np.pi * np.arange(a) / (a - 1))
    env[n - r :] = 0.5 + 0.5 * np.cos(np.pi * np.arange(r) / (r - 1))
    return env


def squeak_pitch(t: np.ndarray, duration: float) -> np.ndarray:
    """The squeeze: a fast glide up, a wobble while held, a sag at the end (Hz)."""
    up = 1.0 - np.exp(-t / 0.035)  # ~100 ms to the top
    sag = np.clip((t - 0.55 * duration) / (0.45 * duration), 0.0, 1.0) ** 1.5
    base = 1000.0 + 450.0 * up - 380.0 * sag
    wobble = 1.0 + 0.035 * np.sin(2 * np.pi * 19.0 * t) * np.clip(t / 0.08, 0.0, 1.0)
    return base * wobble


def _formant_gain(freq: np.ndarray) -> np.ndarray:
    gain = np.full_like(freq, 0.12)
    for centre, width, peak in FORMANTS:
        gain += peak / (1.0 + ((freq - centre) / (width / 2)) ** 2)
    return gain


def squeak(rate: int = RATE, duration: float = 0.52) -> np.ndarray:
    """The squeak as floats, peak 0.95."""
    n = round(duration * rate)
    t = np.arange(n) / rate
    f0 = squeak_pitch(t, duration)
    phase = 2 * np.pi * np.cumsum(f0) / rate
    duty = 0.15  # a narrow pulse: odd and even harmonics both strong, none cancelled
    out = np.zeros(n)
    k = 1
    while k * f0.max() < 0.45 * rate:  # band-limited: no harmonic folds back past Nyquist
        amplitude = np.sin(np.pi * k * duty) / k
        out += amplitude * _formant_gain(k * f0) * np.sin(k * phase)
        k += 1
    # A swell as the squeeze starts, a little drop in loudness as it runs out.
    swell = (
        0.75
        + 0.25 * np.clip(t / 0.1, 0.0, 1.0)
        - 0.2 * np.clip((t - 0.6 * duration) / (0.4 * duration), 0.0, 1.0)
    )
    out *= swell * _fade(n, rate, attack=0.012, release=0.06)
    return 0.95 * out / np.abs(out).max()


def cue(rate: int = RATE) -> np.ndarray:
    """A soft two-note chime (E5 then A5), peak 0.22: a nudge, not an alarm."""
    duration = 0.75
    n = round(duration * rate)
    t = np.arange(n) / rate
    out = np.zeros(n)
    for start, freq in ((0.0, 659.26), (0.17, 880.0)):
        local = t - start
        on = local >= 0
        tone = np.sin(2 * np.pi * freq * local) + 0.25 * np.sin(2 * np.pi * 2 * freq * local)
        tone += 0.06 * np.sin(2 * np.pi * 3 * freq * local)
        decay = np.exp(-np.clip(local, 0.0, None) / 0.16)
        strike = np.clip(local / 0.006, 0.0, 1.0)  # 6 ms onset: soft, but no click
        out += np.where(on, tone * decay * strike, 0.0)
    out *= _fade(n, rate, attack=0.002, release=0.12)
    return 0.22 * out / np.abs(out).max()


def to_pcm(samples: np.ndarray) -> np.ndarray:
    return np.clip(np.round(samples * FULL_SCALE), -FULL_SCALE, FULL_SCALE).astype("<i2")


def write_wav(path: Path, samples: np.ndarray, rate: int = RATE) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(to_pcm(samples).tobytes())


def make(out_dir: Path) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    made = {}
    for name, samples in (("squeak.wav", squeak()), ("cue.wav", cue())):
        write_wav(out_dir / name, samples)
        made[name] = out_dir / name
    return made


def _describe(path: Path) -> str:
    with wave.open(str(path), "rb") as f:
        rate = f.getframerate()
        pcm = np.frombuffer(f.readframes(f.getnframes()), "<i2").astype(float) / FULL_SCALE
    peak = 20 * np.log10(np.abs(pcm).max())
    rms = 20 * np.log10(np.sqrt(np.mean(pcm**2)))
    return f"{path}: {len(pcm) / rate:.2f} s, peak {peak:.1f} dBFS, rms {rms:.1f} dBFS"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Make squeak.wav and cue.wav.")
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parent, help="folder for the WAVs"
    )
    args = parser.parse_args(argv)
    for path in make(args.out).values():
        print(_describe(path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
