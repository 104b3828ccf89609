"""`leancoffee tally`: the readable table, JSON Lines, annotated copies, bad files, exit codes."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys

import cv2
import numpy as np
import pytest

from device import imagefile
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


@pytest.mark.parametrize("progressive", [False, True])
def test_a_jpeg_cut_short_is_refused_on_every_opencv(tmp_path, capsys, progressive):
    # OpenCV 4.6 fills a cut JPEG's missing rows with grey and newer ones refuse it: a wall
    # counted from its top half is no tally, so it is refused on both.
    wall = np.random.default_rng(1).integers(0, 255, (240, 320, 3), np.uint8)
    flags = [cv2.IMWRITE_JPEG_QUALITY, 90, cv2.IMWRITE_JPEG_PROGRESSIVE, int(progressive)]
    ok, data = cv2.imencode(".jpg", wall, flags)
    assert ok and imagefile.decode(data)[0] is not None  # whole, it reads
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(data.tobytes()[: data.size // 2])
    assert main(["tally", "--json", str(cut)]) == 1
    out, err = capsys.readouterr()
    reason = "the file stops before the photo's end (a JPEG cut short)"
    assert json.loads(out) == {"image": str(cut), "error": "cannot read: " + reason}
    assert err.strip() == f"leancoffee tally: cannot read {cut}: {reason}"


def _jpeg_kinds():
    """Whole JPEG files of the kinds cameras and phones write, and cut copies of them."""
    rng = np.random.default_rng(0)
    wall = cv2.GaussianBlur(rng.integers(0, 255, (240, 320, 3), np.uint8), (0, 0), 3)

    def jpeg(image, *flags):
        return cv2.imencode(".jpg", image, list(flags))[1].tobytes()

    base = jpeg(wall)
    thumbnail = jpeg(cv2.resize(wall, (80, 60)))  # inside the EXIF block: its own start to end
    exif = b"Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\x00\x00" + thumbnail
    with_thumbnail = base[:2] + b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif + base[2:]
    restarts = jpeg(wall, cv2.IMWRITE_JPEG_RST_INTERVAL, 4)
    whole = {
        "baseline": base,
        "progressive": jpeg(wall, cv2.IMWRITE_JPEG_PROGRESSIVE, 1),
        "restart markers": restarts,
        "EXIF thumbnail": with_thumbnail,
        "two pictures (MPO)": base + jpeg(cv2.flip(wall, 1)),
        "a video after it (motion photo)": base + b"\x00\x00\x00\x18ftypmp42" + bytes(5000),
    }
    cut = {
        "baseline": base[: len(base) // 2],
        "EXIF thumbnail": with_thumbnail[: len(with_thumbnail) // 2],
        "restart markers": restarts[: len(restarts) // 2],
        "zero padded": base[: len(base) // 2] + bytes(4000),  # a card copy stopped half-way
    }
    return whole, cut


@pytest.mark.parametrize("kind", list(_jpeg_kinds()[0]))
def test_whole_jpegs_of_every_kind_are_read(kind):
    image, size = imagefile.decode(np.frombuffer(_jpeg_kinds()[0][kind], np.uint8))
    assert image is not None and size == (320, 240)


@pytest.mark.parametrize("kind", list(_jpeg_kinds()[1]))
def test_cut_jpegs_of_every_kind_are_refused(kind):
    with pytest.raises(imagefile.CutShort):
        imagefile.decode(np.frombuffer(_jpeg_kinds()[1][kind], np.uint8))


def test_a_broken_file_gets_one_line_on_stderr_not_opencv_s_log_too(tmp_path):
    # OpenCV logs its own "[ WARN:0@0.3] global grfmt_png.cpp ..." lines on a broken file
    # unless told not to: the user gets the one sentence that says it in their words.
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"x" * 40)
    env = {k: v for k, v in os.environ.items() if k != "OPENCV_LOG_LEVEL"}
    # (libpng's own "libpng error: ..." line, written straight to stderr, is heard and kept too)
    assert _tally_in_a_process(broken, env) == (
        1,
        [f"leancoffee tally: cannot read {broken}: not an image OpenCV can read"],
    )


def _tally_in_a_process(path, env=None) -> tuple[int, list[str]]:
    """`leancoffee tally PATH` run as its own process: its exit status and stderr's lines
    (what reaches the process's stderr, the decoders' own lines included)."""
    run = subprocess.run(
        [sys.executable, "-m", "device", "tally", str(path)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    return run.returncode, run.stderr.splitlines()


def _damaged(base: bytes, at: float, length: int = 500) -> bytes:
    """`base` with `length` bytes a share `at` into it overwritten (a bad sector, a bad copy)."""
    data = bytearray(base)
    start = int(len(data) * at)
    data[start : start + length] = b"\x55" * length
    return bytes(data)


@pytest.mark.parametrize("at", [0.3, 0.5, 0.7])
def test_a_jpeg_damaged_part_way_is_refused_not_tallied_as_smears(at):
    # libjpeg decodes on past broken data, filling the rest with grey or smears; it says so
    # only on stderr. mutation: _decoder_says' lines not looked at.
    damaged = _damaged(_jpeg_kinds()[0]["baseline"], at)
    with pytest.raises(imagefile.Damaged, match="damaged part-way .*premature end"):
        imagefile.decode(np.frombuffer(damaged, np.uint8))


def test_a_damaged_jpeg_gets_its_one_line_and_exit_1(tmp_path):
    damaged = tmp_path / "wall.jpg"
    damaged.write_bytes(_damaged(_jpeg_kinds()[0]["baseline"], 0.5))
    assert _tally_in_a_process(damaged) == (
        1,
        [
            f"leancoffee tally: cannot read {damaged}: the photo's data is damaged part-way"
            " (Corrupt JPEG data: premature end of data segment)"
        ],
    )


def test_a_jpeg_with_stray_bytes_before_its_end_is_read():
    # libjpeg warns of "extraneous bytes before marker 0xd9" and reads the whole photo:
    # cameras write such files.
    base = _jpeg_kinds()[0]["baseline"]
    image, size = imagefile.decode(np.frombuffer(base[:-2] + bytes(7) + base[-2:], np.uint8))
    assert image is not None and size == (320, 240)


def test_a_png_cut_short_and_an_empty_file_say_so():
    png = cv2.imencode(".png", np.full((60, 80, 3), 90, np.uint8))[1].tobytes()
    with pytest.raises(imagefile.CutShort, match="a PNG cut short"):
        imagefile.decode(np.frombuffer(png[: len(png) // 2], np.uint8))
    with pytest.raises(imagefile.Unreadable, match="^empty file$"):
        imagefile.decode(np.zeros(0, np.uint8))


def test_other_lines_on_stderr_while_decoding_are_written_on(capfd):
    # The decoders' lines are heard on the process's stderr: another thread's log line
    # written meanwhile must not be lost. mutation: every heard line kept.
    with imagefile._decoder_says() as said:
        os.write(2, b"a log line\nCorrupt JPEG data: 3 extraneous bytes before marker 0xd9\n")
    assert said == ["Corrupt JPEG data: 3 extraneous bytes before marker 0xd9"]
    assert capfd.readouterr().err == "a log line\n"


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
    assert f"cannot make the folder {blocked}: " in err and "Errno" not in err
    assert set(json.loads(out)) == {"image", "error"}


def test_verbose_is_taken_before_or_after_the_command():
    from device.cli import build_parser

    parser = build_parser()
    assert parser.parse_args(["-v", "tally", "x.jpg"]).verbose is True
    assert parser.parse_args(["tally", "-v", "x.jpg"]).verbose is True
    assert parser.parse_args(["tally", "x.jpg"]).verbose is False


def test_a_photo_too_big_to_decode_whole_is_read_smaller_or_refused(tmp_path, capsys, monkeypatch):
    # The cap is set low here so that a small wall is "too big": a JPEG over it is decoded
    # at half its size and its tally given in its own pixels; a PNG over it is refused.

    wall = sample_walls()[0]
    image = cv2.imread(str(wall))
    h, w = image.shape[:2]
    full = json.loads(_tally_json(wall, capsys))
    big_jpeg, big_png = tmp_path / "big.jpg", tmp_path / "big.png"
    cv2.imwrite(str(big_jpeg), image, [cv2.IMWRITE_JPEG_QUALITY, 95])
    cv2.imwrite(str(big_png), image)
    monkeypatch.setattr(imagefile, "MAX_PIXELS", w * h // 3)
    assert main(["tally", "--json", str(big_jpeg), str(big_png)]) == 1
    out, err = capsys.readouterr()
    halved, refused = [json.loads(line) for line in out.splitlines()]
    assert (halved["width"], halved["height"]) == (w, h)
    assert [n["votes"] for n in halved["notes"]] == [n["votes"] for n in full["notes"]]
    for a, b in zip(halved["notes"], full["notes"], strict=True):
        assert np.allclose(a["center"], b["center"], atol=6)  # in the photo's own pixels
    assert set(refused) == {"image", "error"} and "MP" in refused["error"]
    assert len(err.strip().splitlines()) == 1 and "shrink it first" in err


def _tally_json(path, capsys) -> str:
    assert main(["tally", "--json", str(path)]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize(
    "ext, flags",
    [
        (".jpg", [cv2.IMWRITE_JPEG_PROGRESSIVE, 0]),
        (".jpg", [cv2.IMWRITE_JPEG_PROGRESSIVE, 1]),
        (".png", []),
        (".bmp", []),
        (".tiff", []),
        (".webp", [cv2.IMWRITE_WEBP_QUALITY, 80]),
        (".webp", [cv2.IMWRITE_WEBP_QUALITY, 101]),  # lossless
    ],
)
def test_photo_sizes_are_read_from_their_headers(ext, flags):
    from device.imagefile import header_size

    image = np.zeros((37, 53, 3), np.uint8)
    ok, data = cv2.imencode(ext, image, flags)
    assert ok and header_size(data) == (53, 37)


def test_broken_headers_give_no_size():
    from device.imagefile import header_size

    for data in (b"\xff\xd8 not really a jpeg", b"BM", b"\x89PNG\r\n\x1a\n", b"II*\x00", b""):
        assert header_size(np.frombuffer(data, np.uint8)) is None
    # A PNG whose header chunk is garbage: its checksum does not match, so no size is read
    # from it (these bytes would read as 2021161080 px square), and the file is unreadable.
    garbage = b"\x89PNG\r\n\x1a\n" + b"x" * 40
    assert header_size(np.frombuffer(garbage, np.uint8)) is None
    ok, png = cv2.imencode(".png", np.zeros((30, 40, 3), np.uint8))
    assert header_size(png) == (40, 30)


def test_a_turned_phone_photo_too_big_to_decode_whole_keeps_its_own_size(monkeypatch):
    # Stored landscape with EXIF Orientation 6 (turn 90 degrees to show): OpenCV shows it
    # portrait, and the size the tally reports is the portrait photo's, not the stored one.

    stored = np.full((300, 400, 3), 200, np.uint8)
    ok, jpeg = cv2.imencode(".jpg", stored)
    tiff = b"MM\x00\x2a" + struct.pack(">IH", 8, 1) + struct.pack(">HHIHHI", 0x112, 3, 1, 6, 0, 0)
    app1 = b"Exif\x00\x00" + tiff
    data = jpeg.tobytes()[:2] + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1
    data = np.frombuffer(data + jpeg.tobytes()[2:], np.uint8)
    image, size = imagefile.decode(data)
    assert image.shape[:2] == (400, 300) and size == (300, 400)
    monkeypatch.setattr(imagefile, "MAX_PIXELS", 300 * 400 // 3)
    image, size = imagefile.decode(data)
    assert image.shape[:2] == (200, 150) and size == (300, 400)


def test_a_progressive_jpeg_too_big_is_refused(monkeypatch):

    ok, jpeg = cv2.imencode(
        ".jpg", np.zeros((300, 400, 3), np.uint8), [cv2.IMWRITE_JPEG_PROGRESSIVE, 1]
    )
    monkeypatch.setattr(imagefile, "MAX_PIXELS", 300 * 400 // 3)
    with pytest.raises(imagefile.TooBig, match="0.1 MP, more than the 0.0 MP"):
        imagefile.decode(jpeg)


def test_opencv_s_own_cap_is_set_for_formats_not_sized_here(tmp_path):
    # Set when the device package is imported, before cv2: a PGM (not sized from its header
    # here) over the cap is refused with the reason, on both OpenCV versions.
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "OPENCV_IO_MAX_IMAGE_PIXELS"}
    code = "import device, os; print(os.environ['OPENCV_IO_MAX_IMAGE_PIXELS'])"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "48000000"
    big = tmp_path / "wall.pgm"
    assert cv2.imwrite(str(big), np.zeros((40, 40), np.uint8))
    run = [sys.executable, "-m", "device", "tally", str(big)]
    out = subprocess.run(
        run, env={**env, "OPENCV_IO_MAX_IMAGE_PIXELS": "1000"}, capture_output=True, text=True
    )
    assert out.returncode == 1
    assert "0.0 MP a photo may have here: shrink it first" in out.stderr


def test_a_tiff_whose_tags_follow_its_pixels_is_sized_too(monkeypatch):
    # libtiff writes the tags after the pixels: the whole file is searched for them.

    noise = np.random.default_rng(0).integers(0, 255, (300, 400, 3), np.uint8)
    ok, tiff = cv2.imencode(".tiff", noise)
    assert ok and tiff.size > 65536 and imagefile.header_size(tiff) == (400, 300)
    monkeypatch.setattr(imagefile, "MAX_PIXELS", 300 * 400 // 3)
    with pytest.raises(imagefile.TooBig):
        imagefile.decode(tiff)
