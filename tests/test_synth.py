"""The synthetic wall generator (vision.synth) and the benchmark's scoring (vision.bench).

The generator's truth is what the tally is judged by, so it is checked here for the rules a
truth must keep (dots on their notes, strays on none, polygons clockwise from the top-left,
sizes in range) and for the conditions each tier promises. The scoring functions are checked
on small hand-made boards where the right answer is obvious.
"""

import json
import math
from dataclasses import replace

import cv2
import numpy as np
import pytest

from vision.bench import (
    BoardScore,
    load_label,
    match_notes,
    score_board,
    summarize,
)
from vision.board import Board, Dot, Note, rank_notes, reading_order
from vision.synth import SCENES, TIER_NAMES, TIER_SEEDS, VISIBLE_TO_COUNT, make_scene, make_wall
from vision.synth_layout import TIERS

WALLS_PER_TIER = 3


def signed_area(poly):
    n = len(poly)
    return (
        sum(poly[i][0] * poly[(i + 1) % n][1] - poly[(i + 1) % n][0] * poly[i][1] for i in range(n))
        / 2
    )


def inside(poly, point):
    return (
        cv2.pointPolygonTest(
            np.float32(poly).reshape(-1, 1, 2), (float(point[0]), float(point[1])), False
        )
        > 0
    )


def visible_share(poly, width, height):
    p = np.float32(poly)
    frame = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    inter, _ = cv2.intersectConvexConvex(p, frame)
    return inter / abs(cv2.contourArea(p))


@pytest.fixture(scope="module")
def walls():
    return {t: [make_wall(s, t) for s in TIER_SEEDS[t][:WALLS_PER_TIER]] for t in TIER_NAMES}


def all_walls(walls):
    return [w for ws in walls.values() for w in ws]


# -- determinism ------------------------------------------------------------------------------


def test_same_seed_same_pixels_and_truth():
    a = make_wall(7, "medium", (1600, 1200))
    b = make_wall(7, "medium", (1600, 1200))
    assert np.array_equal(a.image, b.image)
    assert a.truth == b.truth


def test_other_seed_other_wall():
    a = make_wall(7, "easy")
    b = make_wall(8, "easy")
    assert a.truth != b.truth


def test_size_is_honoured():
    w = make_wall(3, "hard", (2000, 1500))
    assert w.image.shape == (1500, 2000, 3)
    assert w.image.dtype == np.uint8
    assert (w.truth.width, w.truth.height) == (2000, 1500)


def test_unknown_tier_and_scene_are_refused():
    with pytest.raises(ValueError, match="unknown tier"):
        make_wall(1, "brutal")
    with pytest.raises(ValueError, match="unknown scene"):
        make_scene("crowd", 1)


def test_tier_seeds_are_fixed_and_distinct():
    seen = set()
    for tier in TIER_NAMES:
        seeds = TIER_SEEDS[tier]
        assert len(seeds) >= 100
        assert not seen & set(seeds)
        seen |= set(seeds)


# -- truth rules ------------------------------------------------------------------------------


def check_truth(wall, *, in_frame=True):
    """Every rule a truth board keeps; returns nothing, asserts everything."""
    b = wall.truth
    h, w = wall.image.shape[:2]
    assert (b.width, b.height) == (w, h)
    for note in b.notes:
        p = note.polygon
        assert len(p) == 4
        assert signed_area(p) > 0, "clockwise on screen"
        assert sum(p[0]) <= min(x + y for x, y in p) + 1e-6, "starts at the top-left corner"
        assert inside(p, note.center)
        if in_frame:
            assert all(0 <= x <= w and 0 <= y <= h for x, y in p)
        for dot in note.dots:
            assert inside(p, dot.center), "a dot's centre is on its note"
            assert all(not inside(o.polygon, dot.center) for o in b.notes if o is not note)
            assert dot.radius >= 3.5  # 8 mm on the smallest note is ~8 px across
            assert 0 <= dot.center[0] < w and 0 <= dot.center[1] < h
    for dot in b.stray_dots:
        assert all(not inside(n.polygon, dot.center) for n in b.notes), "a stray is on no note"
    # Ids in reading order; ranks 1..N by votes, ties in reading order.
    by_id = sorted(b.notes, key=lambda n: n.id)
    assert (
        [n.id for n in reading_order(b.notes)]
        == [n.id for n in by_id]
        == list(range(1, len(b.notes) + 1))
    )
    assert [n.rank for n in b.notes] == list(range(1, len(b.notes) + 1))
    assert tuple(b.notes) == rank_notes(b.notes)
    votes = [n.votes for n in b.notes]
    assert votes == sorted(votes, reverse=True)


@pytest.mark.parametrize("tier", TIER_NAMES)
def test_truth_keeps_its_rules(walls, tier):
    for wall in walls[tier]:
        check_truth(wall)


@pytest.mark.parametrize("tier", TIER_NAMES)
def test_counts_and_sizes_per_tier(walls, tier):
    spec = TIERS[tier]
    for wall in walls[tier]:
        b = wall.truth
        assert spec.notes[0] <= len(b.notes) <= spec.notes[1]
        assert spec.note_px[0] - 1 <= min(n.width for n in b.notes)
        assert max(n.width for n in b.notes) <= spec.note_px[1] + 1
        mp = b.width * b.height / 1e6
        assert 1.9 <= mp <= 12.6
        # A Lean Coffee wall: 5-15 people with three dots each (a few forget one).
        assert spec.people[0] <= wall.people <= spec.people[1]
        assert (
            wall.people * 2 <= b.total_votes + len(b.stray_dots) <= wall.people * 3 + spec.strays[1]
        )
        assert spec.strays[0] <= len(b.stray_dots) <= spec.strays[1]
        assert any(n.votes == 0 for n in b.notes) or len(b.notes) <= 10
        for n in b.notes:
            for d in n.dots:
                # 8-19 mm dots on notes of 76-127 mm: 6-26% of the note's width.
                assert 0.055 <= 2 * d.radius / n.width <= 0.3


def test_easy_walls_keep_notes_apart_and_hues_apart(walls):
    for wall in walls["easy"]:
        notes = wall.truth.notes
        for n in notes:
            assert all(d.colour != n.colour for d in n.dots)
        for i, a in enumerate(notes):
            for b in notes[:i]:
                inter, _ = cv2.intersectConvexConvex(np.float32(a.polygon), np.float32(b.polygon))
                assert inter == 0


def conditions(wall):
    """Which of issue 3's hard conditions a wall shows, read off its truth."""
    b = wall.truth
    found = set()
    for i, a in enumerate(b.notes):
        for o in b.notes[:i]:
            gap = min(
                abs(cv2.pointPolygonTest(np.float32(o.polygon).reshape(-1, 1, 2), p, True))
                for p in a.polygon
            )
            inter, _ = cv2.intersectConvexConvex(np.float32(a.polygon), np.float32(o.polygon))
            if inter > 0 or gap < 2:
                found.add("notes touching")
                if a.colour == o.colour:
                    found.add("same colour touching")
        for d in a.dots:
            if d.colour == a.colour:
                found.add("dot of its note's hue")
            edge = cv2.pointPolygonTest(np.float32(a.polygon).reshape(-1, 1, 2), d.center, True)
            if edge < d.radius:
                found.add("dot over the edge")
        for k, d in enumerate(a.dots):
            if any(math.dist(d.center, e.center) < d.radius + e.radius - 1 for e in a.dots[:k]):
                found.add("dots overlapping")
    if b.stray_dots:
        found.add("stray dots")
    if max(n.votes for n in b.notes) >= 5:
        found.add("a leader with 5+")
    if any(n.tied for n in b.notes):
        found.add("ties")
    return found


def test_hard_walls_show_every_condition_at_once():
    wanted = {
        "notes touching",
        "dot of its note's hue",
        "dot over the edge",
        "dots overlapping",
        "stray dots",
        "ties",
    }
    per_wall = [conditions(make_wall(s, "hard")) for s in TIER_SEEDS["hard"][:6]]
    for seen in per_wall:
        assert len(wanted & seen) >= 5, seen  # each wall has nearly all of them
    union = set().union(*per_wall)
    assert wanted | {"same colour touching", "a leader with 5+"} <= union


def test_hard_is_harder_than_easy(walls):
    easy = set().union(*(conditions(w) for w in walls["easy"]))
    assert not easy & {
        "notes touching",
        "dot of its note's hue",
        "dot over the edge",
        "dots overlapping",
        "stray dots",
    }


def test_truth_matches_the_pixels(walls):
    """Inside each true note the photo has the note's colour; a dot's middle differs from it."""
    for wall in walls["easy"]:
        img = wall.image
        lab = cv2.cvtColor(img, cv2.COLOR_BGR2Lab).astype(np.float32)
        for n in wall.truth.notes:
            c = np.float32(n.center)
            inner = c + (np.float32(n.polygon) - c) * 0.9
            mask = np.zeros(img.shape[:2], np.uint8)
            cv2.fillPoly(mask, [np.round(inner).astype(np.int32)], 255)
            whole = np.zeros(img.shape[:2], np.uint8)
            cv2.fillPoly(whole, [np.round(np.float32(n.polygon)).astype(np.int32)], 255)
            outside = cv2.dilate(whole, np.ones((31, 31), np.uint8)) - cv2.dilate(
                whole, np.ones((15, 15), np.uint8)
            )
            paper = np.median(lab[mask > 0], axis=0)
            ring = np.median(lab[outside > 0], axis=0)
            assert np.linalg.norm(paper - ring) > 10, "the note stands out from what is around it"
            for d in n.dots:
                x, y = round(d.center[0]), round(d.center[1])
                r = max(1, round(d.radius * 0.4))
                middle = np.median(lab[y - r : y + r + 1, x - r : x + r + 1].reshape(-1, 3), axis=0)
                assert np.linalg.norm(middle - paper) > 12


# -- scenes -----------------------------------------------------------------------------------


def test_scene_kinds_are_documented():
    assert SCENES == ("empty", "no_dots", "one_note", "border")


@pytest.mark.parametrize("seed", [1, 2])
def test_empty_scene_is_a_bare_wall(seed):
    wall = make_scene("empty", seed)
    assert wall.truth.notes == () and wall.truth.stray_dots == ()
    assert wall.image.std() > 1  # a surface, not a blank array


@pytest.mark.parametrize("seed", [1, 2])
def test_no_dots_scene(seed):
    wall = make_scene("no_dots", seed)
    check_truth(wall)
    assert len(wall.truth.notes) >= 8
    assert wall.truth.total_votes == 0 and wall.truth.stray_dots == ()
    assert all(n.tied for n in wall.truth.notes)


@pytest.mark.parametrize("seed", [1, 2])
def test_one_note_fills_the_frame(seed):
    wall = make_scene("one_note", seed)
    check_truth(wall)
    (note,) = wall.truth.notes
    h, w = wall.image.shape[:2]
    assert note.width >= 0.6 * min(w, h)
    assert 2 <= note.votes <= 5


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_border_scene_cuts_and_touches_notes(seed):
    wall = make_scene("border", seed)
    check_truth(wall, in_frame=False)
    h, w = wall.image.shape[:2]
    shares = [visible_share(n.polygon, w, h) for n in wall.truth.notes]
    assert min(shares) >= VISIBLE_TO_COUNT, "a note counts only when most of it is in the frame"
    assert any(s < 0.999 for s in shares), "some counted note is cut by the border"
    touching = [
        n
        for n, s in zip(wall.truth.notes, shares, strict=True)
        if s > 0.999 and min(min(x, y, w - x, h - y) for x, y in n.polygon) < 1.5
    ]
    assert touching, "a whole note touches the border"
    for n in wall.truth.notes:
        assert 0 <= n.center[0] < w and 0 <= n.center[1] < h
        for d in n.dots:
            assert (
                d.radius <= d.center[0] <= w - d.radius and d.radius <= d.center[1] <= h - d.radius
            )


# -- bench scoring ----------------------------------------------------------------------------


def square(cx, cy, votes, size=100.0, colour="yellow"):
    s = size / 2
    poly = ((cx - s, cy - s), (cx + s, cy - s), (cx + s, cy + s), (cx - s, cy + s))
    dots = tuple(Dot((cx - s / 2 + 8 * k, cy), 6.0, "red") for k in range(votes))
    return Note(id=0, polygon=poly, center=(cx, cy), colour=colour, dots=dots)


def board(*notes):
    with_ids = [
        Note(k + 1, n.polygon, n.center, n.colour, n.dots)
        for k, n in enumerate(reading_order(notes))
    ]
    return Board(1000, 800, rank_notes(with_ids))


@pytest.fixture
def truth():
    # Votes 5, 3, 3, 1: a tie for second place.
    return board(square(100, 100, 5), square(300, 100, 3), square(500, 100, 3), square(100, 300, 1))


def test_perfect_tally_scores_one(truth):
    s = score_board(truth, truth)
    assert (s.true_notes, s.found_notes, s.matched, s.exact, s.abs_error, s.top3) == (
        4,
        4,
        4,
        4,
        0,
        True,
    )
    m = summarize([s])
    assert m.recall == m.precision == m.exact_share == m.top3_share == 1.0
    assert m.mean_abs_error == 0.0


def test_missing_note(truth):
    found = board(*[n for n in truth.notes if n.votes != 1])
    s = score_board(found, truth)
    m = summarize([s])
    assert m.recall == 0.75 and m.precision == 1.0
    assert m.exact_share == 0.75  # the missed note counts as a wrong count
    assert m.mean_abs_error == 0.25  # its one vote, found as none
    assert s.top3  # the top three are still right


def test_missing_the_leader_breaks_top3(truth):
    found = board(*[n for n in truth.notes if n.votes != 5])
    assert score_board(found, truth).top3 is False


def test_extra_note(truth):
    found = board(*truth.notes, square(800, 600, 0))
    m = summarize([score_board(found, truth)])
    assert m.recall == 1.0 and m.precision == 0.8
    assert m.exact_share == 1.0


def test_wrong_count(truth):
    notes = [square(*n.center, n.votes + (1 if n.votes == 1 else 0)) for n in truth.notes]
    s = score_board(board(*notes), truth)
    assert (s.exact, s.abs_error) == (3, 1)
    assert s.top3  # 1 -> 2 votes stays fourth
    notes = [square(*n.center, 4 if n.votes == 1 else n.votes) for n in truth.notes]
    s = score_board(board(*notes), truth)
    assert s.top3 is False  # 1 -> 4 votes jumps to second


def reranked(b, order):
    """The board's notes ranked in the given order of their current positions."""
    notes = tuple(replace(b.notes[i], rank=k + 1) for k, i in enumerate(order))
    return Board(b.width, b.height, notes)


def test_tied_notes_are_interchangeable(truth):
    # The two 3-vote notes swap places in the found ranking: still the right top three.
    assert score_board(reranked(truth, [0, 2, 1, 3]), truth).top3
    # A 1-vote note in third place is not a tie with the 3-vote one.
    assert score_board(reranked(truth, [0, 1, 3, 2]), truth).top3 is False
    # Ranks, not the order of the tuple, are what counts.
    assert score_board(Board(truth.width, truth.height, truth.notes[::-1]), truth).top3


def test_matching_needs_both_centres_inside_each_other():
    t = square(100, 100, 0, size=100)
    shifted = square(145, 100, 0, size=100)  # its centre is in t, t's centre is in it
    off = square(190, 100, 0, size=100)  # its centre is just outside t
    huge = Note(
        0, ((0, 0), (600, 0), (600, 600), (0, 600)), (140, 140), "yellow"
    )  # t's centre inside, not centred
    assert match_notes([shifted], [t]) == [(0, 0)]
    assert match_notes([off], [t]) == []
    assert match_notes([Note(0, huge.polygon, (400, 400), "yellow")], [t]) == []


def test_matching_is_one_to_one_nearest_first():
    t = square(100, 100, 0)
    near, far = square(105, 100, 0), square(130, 100, 0)
    assert match_notes([far, near], [t]) == [(1, 0)]


def test_uncertain_notes_and_region_are_neither_right_nor_wrong():
    sure, unsure = square(100, 100, 2), square(300, 100, 0)
    truth = board(sure, unsure)
    k_unsure = [i for i, n in enumerate(truth.notes) if n.center == (300, 100)]
    found = board(sure, unsure, square(900, 700, 0))
    region = ((0, 0), (600, 0), (600, 400), (0, 400))
    s = score_board(found, truth, uncertain=k_unsure, region=region)
    assert (s.true_notes, s.found_notes, s.matched) == (1, 1, 1)
    s = score_board(found, truth, uncertain=k_unsure)
    assert (s.found_notes, s.matched) == (2, 1)  # the note outside the region is now an extra


def test_unknown_votes_skip_the_vote_figures():
    a, b = square(100, 100, 2), square(300, 100, 0)
    truth = board(a, b)
    s = score_board(board(square(100, 100, 7), b), truth, unvoted=[0])
    assert (s.voted, s.exact, s.top3) == (1, 1, None)


def test_empty_truth_and_empty_tally():
    empty = Board(640, 480)
    assert score_board(empty, empty).top3 is True
    s = score_board(board(square(100, 100, 1)), empty)
    assert (s.found_notes, s.matched, s.top3) == (1, 0, False)


def test_summary_pools_the_boards():
    a = BoardScore(
        true_notes=10,
        found_notes=10,
        matched=9,
        voted=10,
        exact=8,
        abs_error=3,
        top3=True,
        seconds=0.2,
    )
    b = BoardScore(
        true_notes=10,
        found_notes=12,
        matched=10,
        voted=10,
        exact=10,
        abs_error=0,
        top3=False,
        seconds=0.4,
    )
    m = summarize([a, b])
    assert m.recall == 19 / 20 and m.precision == 19 / 22
    assert m.exact_share == 0.9 and m.mean_abs_error == 0.15
    assert m.top3_share == 0.5 and m.median_seconds == pytest.approx(0.3)


def test_synthetic_truth_scores_itself_perfectly(walls):
    for wall in all_walls(walls):
        s = score_board(wall.truth, wall.truth)
        assert s.matched == s.true_notes == len(wall.truth.notes) and s.top3


def test_real_labels_load_as_truth(tmp_path):
    label = {
        "image": "wall.jpg",
        "width": 400,
        "height": 300,
        "region": None,
        "notes": [
            {
                "polygon": [[10, 10], [110, 12], [108, 110], [12, 108]],
                "colour": "yellow",
                "votes": 1,
                "certain": True,
                "dots": [{"center": [50, 50], "radius": 6, "colour": "red"}],
            },
            {
                "polygon": [[200, 10], [300, 10], [300, 110], [200, 110]],
                "colour": "pink",
                "votes": None,
                "certain": False,
                "dots": [],
            },
        ],
        "stray_dots": [{"center": [350, 250], "radius": 6, "colour": "blue"}],
        "has_dots": True,
        "comment": "made up",
    }
    path = tmp_path / "wall.json"
    path.write_text(json.dumps(label))
    got = load_label(path, tmp_path)
    assert got.path == tmp_path / "wall.jpg"
    assert [n.votes for n in got.truth.notes] == [1, 0]
    assert got.uncertain == (1,) and got.unvoted == (1,)
    assert len(got.truth.stray_dots) == 1
    s = score_board(got.truth, got.truth, uncertain=got.uncertain, unvoted=got.unvoted)
    assert (s.true_notes, s.matched, s.exact, s.top3) == (
        1,
        1,
        1,
        True,
    )  # the unsure note is left out


def test_bench_help_and_bad_arguments(capsys):
    from vision.bench import main

    with pytest.raises(SystemExit) as e:
        main(["--help"])
    assert e.value.code == 0
    assert "--walls" in capsys.readouterr().out
    with pytest.raises(SystemExit) as e:
        main(["--walls", "0"])
    assert e.value.code == 2
    with pytest.raises(SystemExit) as e:
        main(["--jobs", "0"])
    assert e.value.code == 2


def test_bench_tier_scores_the_same_in_a_pool():
    from vision.bench import _pool, bench_tier

    def untimed(scores):
        return [replace(s, seconds=None) for s in scores]

    seen = []
    alone = bench_tier("easy", 2)
    with _pool(2) as pool:
        pooled = bench_tier("easy", 2, lambda tier, seed, s: seen.append(seed), pool)
    assert untimed(pooled) == untimed(alone)
    assert seen == list(TIER_SEEDS["easy"][:2])  # reported in seed order


def test_the_peak_memory_a_child_reports_is_its_own_not_the_benchmarks():
    # The benchmark measures a tally's peak memory in a child process; ru_maxrss keeps the
    # parent's peak across fork and exec, and reported the benchmark's (260 MB for 121).
    import subprocess
    import sys

    held = np.ones(300 * 2**20, np.uint8)  # the parent's memory, paged in
    code = "from vision.bench import _peak_rss_mb; print(_peak_rss_mb())"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert held.sum() > 0
    assert float(done.stdout) < 250


# -- where wrong counts come from (vision.blame, bench --blame) -------------------------------


def test_blame_puts_each_wrong_count_down_to_one_cause():
    from vision.blame import blame

    wall = make_wall(1000, "easy")  # the counter is right on every true outline here
    truth = list(wall.truth.notes)
    j = next(k for k, n in enumerate(truth) if n.votes >= 2)
    note = truth[j]
    right = dict(enumerate(truth))

    def found(**changed):
        return {**right, j: replace(note, **changed)} if changed else right

    shifted = tuple((x + 0.2 * note.width, y) for x, y in note.polygon)
    cases = {
        "right": (truth, found()),
        # the dots shared out wrong, on an outline in place
        "pipeline": (truth, found(dots=note.dots[1:])),
        # missed, or found off its place with a dot short
        "outline": (truth, {k: n for k, n in right.items() if k != j}),
        "moved": (truth, found(polygon=shifted, dots=note.dots[1:])),
        # the truth says a dot more than the counter sees on the true outline
        "counter": (
            [*truth[:j], replace(note, dots=(*note.dots, note.dots[0])), *truth[j + 1 :]],
            right,
        ),
    }
    got = {name: blame(wall.image, t, f) for name, (t, f) in cases.items()}
    assert all(b.notes == len(truth) for b in got.values())
    assert got["right"].wrong == 0 and got["right"].counter_exact == len(truth)
    assert (got["pipeline"].pipeline, got["pipeline"].wrong) == (1, 1)
    assert (got["outline"].outline, got["outline"].wrong) == (1, 1)
    assert (got["moved"].outline, got["moved"].wrong) == (1, 1)
    assert (got["counter"].counter, got["counter"].wrong) == (1, 1)
    assert got["counter"].counter_exact == len(truth) - 1


def test_bench_blame_adds_up_per_tier(monkeypatch, capsys):
    import vision.bench as bench

    monkeypatch.setattr(bench, "real_labels", lambda: [])
    assert bench.main(["--tier", "easy", "--walls", "2", "--blame", "--no-speed", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    walls = out["walls"]["easy"]
    blamed = out["blame"]["easy"]
    assert blamed["notes"] == sum(w["true_notes"] for w in walls)
    wrong = blamed["outline"] + blamed["counter"] + blamed["pipeline"]
    assert wrong == sum(w["voted"] - w["exact"] for w in walls)
    assert out["blame"]["overall"] == blamed
    assert bench.main(["--tier", "easy", "--walls", "1", "--blame", "--no-speed"]) == 0
    assert "Where the wrong counts come from" in capsys.readouterr().out
