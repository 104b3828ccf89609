"""`leancoffee tally`: the readable table, JSON Lines, annotated copies, bad files, exit codes."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from device.cli import main
from device.paths import sample_walls
from vision.bench import match_notes
from vision.board import Board

KEYS = ["image", "width", "height", "seconds", "total_votes", "stray_dots", "voters", "notes"]
NOTE_KEYS = ["id", "rank", "votes", "tied", "colour", "polygon", "center", "dots"]


def test_bundled_sample_walls_ship_with_their_truth():
    walls = sample_walls()
    assert len(walls) >= 2
    for wall in walls:
        assert wall.with_suffix(".json").is_file()


@pytest.mark.parametrize("wall", sample_walls(), ids=lambda p: p.stem)
def test_json_lines_match_the_sample_walls_truth(wall, capsys):
    assert main(["tally", "--json", str(wall)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert list(record) == KEYS
    assert record["image"] == str(wall)
    assert all(list(n) == NOTE_KEYS for n in record["notes"])
    assert [n["rank"] for n in record["notes"]] == list(range(1, len(record["notes"]) + 1))
    assert record["voters"] == -(-record["total_votes"] // 3)
    truth = Board.from_dict(json.loads(wall.with_suffix(".json").read_text()))
    found = Board.from_dict(record)
    pairs = match_notes(found.notes, truth.notes)
    assert len(pairs) == len(truth.notes) == len(found.notes)
    # The sample walls are counted exactly: the demo shows them.
    assert sorted(found.notes[f].votes - truth.notes[t].votes for f, t in pairs) == [0] * len(pairs)


def test_table_and_votes_per_person(capsys):
    wall = sample_walls()[0]
    assert main(["tally", "--votes-per-person", "5", str(wall)]) == 0
    out = capsys.readouterr().out
    assert "rank  votes  colour" in out and "about" in out and "voters" in out


def test_annotate_writes_a_checked_copy(tmp_path, capsys):
    wall = sample_walls()[0]
    assert main(["tally", "--annotate", str(tmp_path / "out"), str(wall)]) == 0
    drawn = cv2.imread(str(tmp_path / "out" / f"{wall.stem}.annotated.jpg"))
    assert drawn is not None and drawn.shape == cv2.imread(str(wall)).shape


def test_unreadable_images_get_an_error_line_and_exit_1_after_the_rest(tmp_path, capsys):
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    corrupt = tmp_path / "corrupt.jpg"
    corrupt.write_bytes(b"\xff\xd8 not really a jpeg")
    missing = tmp_path / "missing.png"
    good = tmp_path / "grey.png"
    cv2.imwrite(str(good), np.full((60, 80), 200, np.uint8))
    assert main(["tally", "--json", str(empty), str(corrupt), str(missing), str(good)]) == 1
    out, err = capsys.readouterr()
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["image"] for r in records] == [str(empty), str(corrupt), str(missing), str(good)]
    assert all(set(r) == {"image", "error"} for r in records[:3])
    assert records[3]["notes"] == [] and records[3]["width"] == 80
    assert len(err.strip().splitlines()) == 3  # one line per bad file
    assert "cannot read" in err


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["tally"])
    assert exc.value.code == 2
    assert main(["tally", "--votes-per-person", "0", "x.jpg"]) == 2
    with pytest.raises(SystemExit) as exc:
        main(["no-such-command"])
    assert exc.value.code == 2


def test_help_and_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for command in ("tally", "sessions", "export", "status", "settings"):
        assert command in out
    with pytest.raises(SystemExit):
        main(["--version"])
    assert "leancoffee" in capsys.readouterr().out


def test_annotated_copies_do_not_overwrite_each_other_and_write_failures_exit_1(tmp_path, capsys):
    wall = sample_walls()[0]
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "wall.jpg").write_bytes(wall.read_bytes())
    out = tmp_path / "out"
    assert (
        main(
            [
                "tally",
                "--annotate",
                str(out),
                str(tmp_path / "a" / "wall.jpg"),
                str(tmp_path / "b" / "wall.jpg"),
            ]
        )
        == 0
    )
    assert sorted(p.name for p in out.iterdir()) == ["wall.annotated-2.jpg", "wall.annotated.jpg"]
    capsys.readouterr()
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    assert main(["tally", "--json", "--annotate", str(blocked), str(wall)]) == 1
    out, err = capsys.readouterr()
    assert "cannot write the annotated copy" in err and len(err.strip().splitlines()) == 1
    assert set(json.loads(out)) == {"image", "error"}


def test_verbose_is_taken_before_or_after_the_command():
    from device.cli import build_parser

    parser = build_parser()
    assert parser.parse_args(["-v", "tally", "x.jpg"]).verbose is True
    assert parser.parse_args(["tally", "-v", "x.jpg"]).verbose is True
    assert parser.parse_args(["tally", "x.jpg"]).verbose is False
