"""`leancoffee tally IMAGE...`: count the dot votes on photos of walls and print the ranking."""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path

HELP = "count the dot votes on photos of post-it walls and print the ranked topics"

log = logging.getLogger("leancoffee.tally")


def add_arguments(parser) -> None:
    parser.add_argument("images", nargs="+", metavar="IMAGE", help="photo files (JPEG, PNG, ...)")
    parser.add_argument(
        "--json", action="store_true", help="one JSON object per image per line (JSON Lines)"
    )
    parser.add_argument(
        "--annotate",
        metavar="DIR",
        type=Path,
        help="also write each photo with what was found drawn on it",
    )
    parser.add_argument(
        "--votes-per-person",
        type=int,
        default=3,
        metavar="N",
        help="dots each person had, to estimate voters (default 3)",
    )


def read_image(path: Path):
    """The photo as BGR and its full (width, height), or ValueError with a one-line reason.
    A JPEG too big to decode whole here comes smaller (see device.imagefile)."""
    import cv2
    import numpy as np

    from device import imagefile

    try:
        data = np.fromfile(str(path), dtype=np.uint8)
    except OSError as exc:
        raise ValueError(exc.strerror or str(exc)) from None
    try:
        image, size = imagefile.decode(data)
    except cv2.error:
        image = None
    if image is None:
        raise ValueError("not an image OpenCV can read")
    return image, size


def tally_file(
    path: Path,
    votes_per_person: int = 3,
    annotate_dir: Path | None = None,
    written: set[Path] | None = None,
) -> dict:
    """The tally JSON record for one file (DESIGN.md "Tally JSON"). Raises ValueError if the
    photo is unreadable, OSError if its annotated copy cannot be written. `written` holds the
    copies made so far in this run: a/wall.jpg and b/wall.jpg get wall.annotated.jpg and
    wall.annotated-2.jpg, not one over the other."""
    import cv2

    import vision

    image, (width, height) = read_image(path)
    start = time.perf_counter()
    board = vision.tally(image)
    seconds = time.perf_counter() - start
    shown = board  # what the annotated copy draws: the photo as read
    if (width, height) != (image.shape[1], image.shape[0]):
        log.info("%s: %dx%d read at %dx%d", path, width, height, image.shape[1], image.shape[0])
        board = board.scaled(width / image.shape[1], (width, height))
    record = {"image": str(path)}
    record.update(board.to_dict(votes_per_person))
    record["seconds"] = round(seconds, 3)
    if annotate_dir is not None:
        written = set() if written is None else written
        out, n = annotate_dir / f"{path.stem}.annotated.jpg", 2
        while out in written:
            out, n = annotate_dir / f"{path.stem}.annotated-{n}.jpg", n + 1
        try:
            annotate_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OSError(f"cannot make the folder {annotate_dir}: {exc.strerror or exc}") from None
        try:
            ok = cv2.imwrite(
                str(out), vision.annotate(image, shown), [cv2.IMWRITE_JPEG_QUALITY, 90]
            )
        except cv2.error as exc:
            raise OSError(str(exc).strip().splitlines()[-1]) from None
        if not ok:
            raise OSError("OpenCV could not write it")
        written.add(out)
    log.debug(
        "%s: %d notes, %d votes, %d stray dots in %.2f s",
        path,
        len(board.notes),
        board.total_votes,
        len(board.stray_dots),
        seconds,
    )
    return record


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}" if n == 1 else f"{n} {thing}s"


def format_table(record: dict) -> str:
    """A readable ranked table for one tallied image."""
    counts = [_count(len(record["notes"]), "note"), _count(record["total_votes"], "dot")]
    counts.append(f"about {_count(record['voters'], 'voter')}")
    if record["stray_dots"]:
        counts.append(f"{_count(record['stray_dots'], 'stray dot')} on the wall")
    lines = [f"{record['image']}: {', '.join(counts)}"]
    if record["notes"]:
        lines.append("  rank  votes  colour   where (x, y)")
    for n in record["notes"]:
        rank = f"{n['rank']}{'=' if n['tied'] else ' '}"
        lines.append(
            f"  {rank:>5} {n['votes']:>6}  {n['colour']:<8} ({n['center'][0]:.0f}, {n['center'][1]:.0f})"
        )
    return "\n".join(lines)


def run(args) -> int:
    if args.votes_per_person < 1:
        print("leancoffee tally: --votes-per-person must be 1 or more", file=sys.stderr)
        return 2
    status = 0
    written: set[Path] = set()
    for name in args.images:
        path = Path(name)
        try:
            record = tally_file(path, args.votes_per_person, args.annotate, written)
        except (ValueError, OSError) as exc:
            status = 1
            what = (
                "cannot read"
                if isinstance(exc, ValueError)
                else "cannot write the annotated copy of"
            )
            print(f"leancoffee tally: {what} {path}: {exc}", file=sys.stderr)
            if args.json:
                print(
                    json.dumps({"image": str(path), "error": f"{what.replace(' of', '')}: {exc}"}),
                    flush=True,
                )
            continue
        if args.json:
            ordered = {k: record[k] for k in ("image", "width", "height", "seconds")}
            ordered.update(record)
            print(json.dumps(ordered), flush=True)
        else:
            print(format_table(record), flush=True)
    return status
