"""`leancoffee demo --headless`: a whole scripted meeting, one PNG per screen change, summary.json."""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pygame
import pytest

from device.commands import demo

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_the_demo_runs_a_whole_meeting_headless(tmp_path):
    out = tmp_path / "demo"
    env = dict(os.environ, SDL_AUDIODRIVER="dummy", SDL_VIDEODRIVER="dummy")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "STATE_DIRECTORY", "XDG_STATE_HOME"):
        env.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-m", "device.commands.demo", "--headless", "--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"Summary: {out / 'summary.json'}" in done.stdout
    assert "Frames: " in done.stdout and str(out / "frames") in done.stdout

    record = json.loads((out / "summary.json").read_text())
    meeting, topics = record["meeting"], record["topics"]
    assert meeting["ended"] is not None and meeting["scans"] == 2
    discussed = [t for t in topics if t["status"] == "discussed"]
    assert len(discussed) >= 3
    assert [t["order"] for t in discussed] == list(range(1, len(discussed) + 1))
    assert any(t["extensions"] == 1 for t in topics), "one extension"
    assert any(t["ended_by"] == "early" for t in topics), "one early finish"
    assert sum(t["squeaks"] for t in topics) >= 3
    assert "demo: SQUEAK!" in done.stderr and "(warning cue)" in done.stderr

    frames = sorted((out / "frames").glob("*.png"))
    screens = [f.stem.split("-", 1)[1] for f in frames]
    for screen in ("ready", "scanning", "board", "slot", "warning", "time-up", "paused", "summary"):
        assert screen in screens, screen
    assert screens[0] == "ready" and screens[-1] == "summary"
    assert len(frames) < 40, "one frame per screen change, not per redraw"
    assert pygame.image.load(str(frames[0])).get_size() == (800, 480)
    # Its own data folder, never the device's.
    assert (out / "data" / "leancoffee.db").is_file()

    # Run again, on the small screen: the old frames are replaced, the meetings kept.
    again = subprocess.run(
        [sys.executable, "-m", "device.commands.demo", "--headless", "--out", str(out)]
        + ["--size", "480x320"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert again.returncode == 0
    small = sorted((out / "frames").glob("*.png"))
    assert len(small) == len(frames)
    assert pygame.image.load(str(small[0])).get_size() == (480, 320)
    assert json.loads((out / "summary.json").read_text())["meeting"]["id"] == meeting["id"] + 1


def parse(argv):
    parser = argparse.ArgumentParser()
    demo.add_arguments(parser)
    return parser.parse_args(argv)


def test_an_unreadable_wall_is_a_one_line_error(tmp_path, capsys):
    bad = tmp_path / "wall.jpg"
    bad.write_text("not a photo")
    assert demo.run(parse(["--headless", "--out", str(tmp_path / "o"), "--wall", str(bad)])) == 1
    assert (
        capsys.readouterr().err.strip()
        == "leancoffee demo: Cannot read photo wall.jpg: not an image"
    )
    missing = tmp_path / "missing.jpg"
    assert (
        demo.run(parse(["--headless", "--out", str(tmp_path / "o"), "--wall", str(missing)])) == 1
    )
    assert capsys.readouterr().err.strip() == (
        f"leancoffee demo: No photo at {missing}: check the path given to --wall"
    )


def test_an_out_folder_that_is_a_file_is_a_one_line_error(tmp_path, capsys):
    (tmp_path / "afile").write_text("")
    assert demo.run(parse(["--headless", "--out", str(tmp_path / "afile")])) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"leancoffee demo: cannot write to {tmp_path / 'afile'}: ")
    assert "Errno" not in err


def test_a_wall_with_no_notes_ends_the_demo_with_the_error(tmp_path, capsys):
    import cv2
    import numpy as np

    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((600, 800, 3), 255, np.uint8))
    assert demo.run(parse(["--headless", "--out", str(tmp_path / "o"), "--wall", str(blank)])) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("leancoffee demo: No notes found")


def test_a_full_disk_ends_the_demo_with_one_line(tmp_path, capsys, monkeypatch):
    def disk_full(surface, path):
        raise pygame.error("Error writing the PNG file")

    monkeypatch.setattr(pygame.image, "save", disk_full)
    assert demo.run(parse(["--headless", "--out", str(tmp_path / "o")])) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"leancoffee demo: cannot write {tmp_path / 'o' / 'frames' / '001-ready.png'}: Error writing the PNG file"
    ]


@pytest.mark.parametrize("speed", ["0", "x"])
def test_speed_must_be_sensible(speed):
    with pytest.raises(SystemExit):
        parse(["--speed", speed])


def test_defaults():
    args = parse([])
    assert args.out == Path("leancoffee-demo") and args.speed == 60 and not args.headless
    assert args.size == (800, 480)
