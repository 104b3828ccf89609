"""The hand labels of the real wall photos (tests/labels/*.json) keep to their schema.

The labels are the ground truth the tally is checked against, so a label that breaks its own
rules (a dot outside its note, votes that disagree with the dots, an anticlockwise polygon)
would make every later comparison meaningless. See tests/labels/README.md for the schema.
"""

import copy
import json
from pathlib import Path

import cv2
import pytest

LABELS = Path(__file__).resolve().parent / "labels"
LABEL_FILES = sorted(LABELS.glob("*.json"))

NOTE_COLOURS = {"yellow", "orange", "pink", "green", "blue", "purple", "white"}
DOT_COLOURS = {"red", "orange", "yellow", "green", "blue", "purple", "pink", "black"}
TOP_KEYS = {"image", "width", "height", "region", "notes", "stray_dots", "has_dots", "comment"}
NOTE_KEYS = {"polygon", "colour", "votes", "dots", "certain"}
DOT_KEYS = {"center", "radius", "colour"}


def signed_area(poly):
    """Shoelace area; positive when the points run clockwise on screen (y grows downwards)."""
    n = len(poly)
    return (
        sum(poly[i][0] * poly[(i + 1) % n][1] - poly[(i + 1) % n][0] * poly[i][1] for i in range(n))
        / 2
    )


def is_convex(poly):
    n = len(poly)
    crosses = []
    for i in range(n):
        (ax, ay), (bx, by), (cx, cy) = poly[i], poly[(i + 1) % n], poly[(i + 2) % n]
        crosses.append((bx - ax) * (cy - by) - (by - ay) * (cx - bx))
    return all(c > 0 for c in crosses) or all(c < 0 for c in crosses)


def inside(point, poly):
    """Even-odd ray casting: a point exactly on an edge may go either way, so labels avoid that."""
    x, y = point
    hit = False
    n = len(poly)
    for i in range(n):
        (x1, y1), (x2, y2) = poly[i], poly[(i + 1) % n]
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            hit = not hit
    return hit


def is_number(v):
    return isinstance(v, int | float) and not isinstance(v, bool)


def is_point(p):
    return isinstance(p, list) and len(p) == 2 and all(is_number(v) for v in p)


def dot_problems(dot, where, width, height):
    if not isinstance(dot, dict) or set(dot) != DOT_KEYS:
        return [f"{where}: keys must be {sorted(DOT_KEYS)}"]
    out = []
    if not is_point(dot["center"]):
        return [f"{where}: center must be [x, y]"]
    x, y = dot["center"]
    if not (0 <= x < width and 0 <= y < height):
        out.append(f"{where}: center {dot['center']} outside the {width}x{height} image")
    if not is_number(dot["radius"]) or dot["radius"] <= 0:
        out.append(f"{where}: radius must be a positive number")
    if not isinstance(dot["colour"], str) or dot["colour"] not in DOT_COLOURS:
        out.append(f"{where}: dot colour {dot['colour']!r} not in the vocabulary")
    return out


def polygon_problems(poly, where, width, height):
    if not isinstance(poly, list) or len(poly) != 4 or not all(is_point(p) for p in poly):
        return [f"{where}: polygon must be 4 [x, y] points"]
    out = []
    if any(not (0 <= x <= width and 0 <= y <= height) for x, y in poly):
        out.append(f"{where}: polygon corner outside the image")
    if signed_area(poly) <= 0:
        out.append(f"{where}: polygon is not clockwise")
    elif not is_convex(poly):
        out.append(f"{where}: polygon is not convex")
    if sum(poly[0]) > min(x + y for x, y in poly):
        out.append(f"{where}: polygon does not start at its top-left corner")
    return out


def label_problems(label):
    """Every way a label breaks the schema, as one-line messages (empty when it is valid)."""
    if not isinstance(label, dict) or set(label) != TOP_KEYS:
        return [f"top-level keys must be {sorted(TOP_KEYS)}"]
    out = []
    w, h = label["width"], label["height"]
    if not (isinstance(w, int) and isinstance(h, int) and w > 0 and h > 0):
        return ["width and height must be positive integers"]
    if not isinstance(label["image"], str) or not label["image"]:
        out.append("image must be a file name")
    if not isinstance(label["comment"], str) or not label["comment"].strip():
        out.append("comment must say what was labelled and how")
    if not isinstance(label["has_dots"], bool):
        out.append("has_dots must be true or false")
    region = label["region"]
    if region is not None:
        if not (isinstance(region, list) and len(region) >= 3 and all(is_point(p) for p in region)):
            out.append("region must be null or a list of at least 3 [x, y] points")
            region = None
    notes = label["notes"]
    if not isinstance(notes, list) or not notes:
        return out + ["notes must be a non-empty list"]
    all_dots = 0
    for i, note in enumerate(notes):
        where = f"note {i}"
        if not isinstance(note, dict) or set(note) != NOTE_KEYS:
            out.append(f"{where}: keys must be {sorted(NOTE_KEYS)}")
            continue
        out += polygon_problems(note["polygon"], where, w, h)
        if not isinstance(note["colour"], str) or note["colour"] not in NOTE_COLOURS:
            out.append(f"{where}: note colour {note['colour']!r} not in the vocabulary")
        if not isinstance(note["certain"], bool):
            out.append(f"{where}: certain must be true or false")
        dots = note["dots"]
        if not isinstance(dots, list):
            out.append(f"{where}: dots must be a list")
            continue
        all_dots += len(dots)
        if note["votes"] is None:
            if dots:
                out.append(f"{where}: votes is null (not counted) but dots are listed")
        elif not isinstance(note["votes"], int) or note["votes"] != len(dots):
            out.append(f"{where}: votes {note['votes']!r} != {len(dots)} dots")
        poly_ok = not polygon_problems(note["polygon"], where, w, h)
        for j, dot in enumerate(dots):
            problems = dot_problems(dot, f"{where} dot {j}", w, h)
            out += problems
            if not problems and poly_ok and not inside(dot["center"], note["polygon"]):
                out.append(f"{where} dot {j}: center {dot['center']} is not on its note")
        if region is not None and poly_ok:
            xs, ys = zip(*note["polygon"], strict=True)
            if not inside((sum(xs) / 4, sum(ys) / 4), region):
                out.append(f"{where}: centre lies outside the labelled region")
    if not isinstance(label["stray_dots"], list):
        return out + ["stray_dots must be a list"]
    for j, dot in enumerate(label["stray_dots"]):
        problems = dot_problems(dot, f"stray dot {j}", w, h)
        out += problems
        if problems:
            continue
        for i, note in enumerate(notes):
            if (
                isinstance(note, dict)
                and not polygon_problems(note.get("polygon"), "", w, h)
                and inside(dot["center"], note["polygon"])
            ):
                out.append(f"stray dot {j}: center {dot['center']} is on note {i}")
    all_dots += len(label["stray_dots"])
    note_dots = [
        d
        for n in notes
        if isinstance(n, dict) and isinstance(n.get("dots"), list)
        for d in n["dots"]
    ]
    dots = [
        d
        for d in label["stray_dots"] + note_dots
        if isinstance(d, dict) and is_point(d.get("center"))
    ]
    if region is not None:
        for j, dot in enumerate(label["stray_dots"]):
            if dot in dots and not inside(dot["center"], region):
                out.append(f"stray dot {j}: outside the labelled region")
    centres = [tuple(d["center"]) for d in dots]
    for k, a in enumerate(centres):
        if any(abs(a[0] - b[0]) + abs(a[1] - b[1]) < 6 for b in centres[k + 1 :]):
            out.append(f"dot at {list(a)} is listed twice")
    if label["has_dots"] is False and all_dots:
        out.append("has_dots is false but dots are listed")
    if label["has_dots"] is True and not all_dots:
        out.append("has_dots is true but no dot is listed")
    return out


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def test_labels_exist_with_their_readme():
    assert (LABELS / "README.md").is_file()
    assert LABEL_FILES, "no label files in tests/labels"


@pytest.mark.parametrize("path", LABEL_FILES, ids=lambda p: p.stem)
def test_label_keeps_to_the_schema(path):
    label = load(path)
    assert label_problems(label) == []
    assert Path(label["image"]).stem == path.stem, "a label is named after its photo"


@pytest.mark.parametrize("path", LABEL_FILES, ids=lambda p: p.stem)
def test_label_matches_its_photo(path, real_photos):
    label = load(path)
    photo = real_photos / label["image"]
    assert photo.is_file(), f"{label['image']} is not in {real_photos}"
    image = cv2.imread(str(photo), cv2.IMREAD_COLOR)
    assert image is not None, f"{photo} does not decode"
    assert image.shape[:2] == (label["height"], label["width"])


# The checker itself must catch broken labels, or the tests above prove nothing.


def _good_label():
    return {
        "image": "wall.jpg",
        "width": 200,
        "height": 100,
        "region": None,
        "notes": [
            {
                "polygon": [[10, 10], [60, 12], [58, 60], [12, 58]],
                "colour": "yellow",
                "votes": 1,
                "dots": [{"center": [30, 30], "radius": 4, "colour": "red"}],
                "certain": True,
            }
        ],
        "stray_dots": [{"center": [150, 50], "radius": 4, "colour": "blue"}],
        "has_dots": True,
        "comment": "synthetic",
    }


def test_checker_accepts_a_good_label():
    assert label_problems(_good_label()) == []


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (lambda lab: lab["notes"][0].update(votes=2), "votes 2 != 1 dots"),
        (lambda lab: lab["notes"][0]["polygon"].reverse(), "not clockwise"),
        (
            lambda lab: lab["notes"][0].update(polygon=[[60, 12], [58, 60], [12, 58], [10, 10]]),
            "top-left",
        ),
        (lambda lab: lab["notes"][0].update(colour="beige"), "not in the vocabulary"),
        (lambda lab: lab["notes"][0]["dots"][0].update(colour="teal"), "not in the vocabulary"),
        (lambda lab: lab["notes"][0]["dots"][0].update(center=[100, 30]), "not on its note"),
        (lambda lab: lab["stray_dots"][0].update(center=[30, 40]), "is on note 0"),
        (lambda lab: lab["stray_dots"][0].update(center=[250, 40]), "outside the 200x100"),
        (lambda lab: lab["notes"][0].update(votes=None), "not counted"),
        (lambda lab: lab.update(has_dots=False), "has_dots is false"),
        (lambda lab: lab.update(region=[[100, 0], [200, 0], [200, 100]]), "outside the labelled"),
        (
            lambda lab: lab.update(region=[[0, 0], [120, 0], [120, 100], [0, 100]]),
            "stray dot 0: outside the labelled region",
        ),
        (lambda lab: lab["stray_dots"].append(dict(lab["stray_dots"][0])), "listed twice"),
        (lambda lab: lab["notes"][0].pop("certain"), "keys must be"),
        (
            lambda lab: lab["notes"][0].update(polygon=[[10, 10], [60, 12], [20, 20], [12, 58]]),
            "not convex",
        ),
    ],
)
def test_checker_rejects_a_broken_label(breakage, message):
    label = copy.deepcopy(_good_label())
    breakage(label)
    problems = label_problems(label)
    assert any(message in p for p in problems), problems
