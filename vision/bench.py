"""The vision benchmark: how right and how fast `vision.tally` is (python -m vision.bench).

Per difficulty tier (synthetic walls with exact truth, vision.synth) and overall:
note recall and precision, the share of true notes with exactly the right vote
count, the mean absolute vote error, the share of boards whose top 3 are right,
and speed: tally against cv2.imdecode on the same 12 MP JPEG, on one thread and
on all, and the peak memory of a 12 MP tally. Where ../shared/data/real and
tests/labels/*.json exist, the labelled real photos are scored the same way.
With --blame, each synthetic wall's wrong counts are put down to the outline, the dot
counter or neither (vision.blame).

Scoring (importable; the tests use it):
- a found note matches a true note when each one's centre lies inside the
  other's polygon; pairs are taken greedily, nearest centres first, one to one;
- vote figures are over true notes: an unmatched true note is a wrong count,
  and its error is its true vote count (found with no votes);
- top 3 is right when the found board's first three ranked notes match true
  notes whose vote counts are truth's first three counts, in order: notes tied
  on votes are interchangeable. A board with fewer than three notes compares
  what it has.

This module is a developer tool: unlike the rest of vision/ it reads files,
times things and starts a subprocess.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import cv2
import numpy as np

from vision.blame import Blame, blame, total
from vision.board import Board, Dot, Note, rank_notes, reading_order
from vision.geometry import inside
from vision.synth import TIER_NAMES, TIER_SEEDS, make_wall

REPO = Path(__file__).resolve().parents[1]
REAL_PHOTOS = REPO.parent / "shared" / "data" / "real"
LABELS = REPO / "tests" / "labels"
SPEED_SIZE = (4608, 2592)
RSS_LIMIT_MB = 400


# -- scoring ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardScore:
    true_notes: int  # true notes that count (certain ones)
    found_notes: int  # found notes that count (not on an uncertain note, inside the region)
    matched: int
    voted: int  # true notes whose votes are known
    exact: int  # of those, found with exactly the right count
    abs_error: int  # sum of |found votes - true votes| over those
    top3: bool | None  # None when truth's votes are not all known
    seconds: float | None = None
    error: str | None = None
    blame: Blame | None = None  # where its wrong counts come from (`--blame`)


@dataclass(frozen=True)
class Summary:
    boards: int
    true_notes: int
    found_notes: int
    recall: float
    precision: float
    exact_share: float
    mean_abs_error: float
    top3_share: float | None
    errors: int
    median_seconds: float | None


def match_notes(found: Sequence[Note], truth: Sequence[Note]) -> list[tuple[int, int]]:
    """One-to-one (found index, true index) pairs: centres inside each other's polygons, nearest first."""
    candidates = []
    for i, f in enumerate(found):
        for j, t in enumerate(truth):
            if inside(t.polygon, f.center) and inside(f.polygon, t.center):
                candidates.append((math.dist(f.center, t.center), i, j))
    candidates.sort()
    pairs, used_f, used_t = [], set(), set()
    for _, i, j in candidates:
        if i not in used_f and j not in used_t:
            pairs.append((i, j))
            used_f.add(i)
            used_t.add(j)
    return sorted(pairs)


def _ranked(notes: Sequence[Note]) -> list[Note]:
    return sorted(notes, key=lambda n: n.rank)


def score_board(
    found: Board,
    truth: Board,
    *,
    uncertain: Sequence[int] = (),
    unvoted: Sequence[int] = (),
    region=None,
    seconds: float | None = None,
) -> BoardScore:
    """Score one tally against its truth.

    uncertain: indices of truth.notes that may or may not be notes (a found note on one is
    neither right nor wrong); unvoted: indices whose vote count is unknown; region: a polygon
    outside which found notes are ignored (the labelled part of a photo).
    """
    uncertain, unvoted = set(uncertain), set(unvoted)
    fnotes = [n for n in _ranked(found.notes) if region is None or inside(region, n.center)]
    tnotes = list(truth.notes)
    pairs = match_notes(fnotes, tnotes)
    drop = {i for i, j in pairs if j in uncertain}
    matched_f = {i for i, _ in pairs}
    for i, f in enumerate(fnotes):
        if i not in matched_f and any(inside(tnotes[j].polygon, f.center) for j in uncertain):
            drop.add(i)
    pairs = [(i, j) for i, j in pairs if j not in uncertain]
    found_of = {j: fnotes[i] for i, j in pairs}
    certain = [j for j in range(len(tnotes)) if j not in uncertain]
    voted = [j for j in certain if j not in unvoted]
    errors = [abs((found_of[j].votes if j in found_of else 0) - tnotes[j].votes) for j in voted]
    exact = sum(j in found_of and found_of[j].votes == tnotes[j].votes for j in voted)

    top3 = None
    if not unvoted & set(certain):
        kept = [i for i in range(len(fnotes)) if i not in drop]
        truth_of = dict(pairs)
        true_votes = [tnotes[j].votes for j in certain]  # truth.notes are in rank order
        top3 = _top3(kept, truth_of, tnotes, true_votes)
    return BoardScore(
        true_notes=len(certain),
        found_notes=len(fnotes) - len(drop),
        matched=len(pairs),
        voted=len(voted),
        exact=exact,
        abs_error=sum(errors),
        top3=top3,
        seconds=seconds,
    )


def _top3(found_ranked: list[int], truth_of: dict, tnotes, true_votes: list[int]) -> bool:
    if not true_votes:
        return not found_ranked
    wanted = sorted(true_votes, reverse=True)[:3]
    if len(found_ranked) < len(wanted):
        return False
    for k, want in enumerate(wanted):
        j = truth_of.get(found_ranked[k])
        if j is None or tnotes[j].votes != want:
            return False
    return True


def summarize(scores: Sequence[BoardScore]) -> Summary:
    true_n = sum(s.true_notes for s in scores)
    found_n = sum(s.found_notes for s in scores)
    matched = sum(s.matched for s in scores)
    voted = sum(s.voted for s in scores)
    top3 = [s.top3 for s in scores if s.top3 is not None]
    times = [s.seconds for s in scores if s.seconds is not None]
    return Summary(
        boards=len(scores),
        true_notes=true_n,
        found_notes=found_n,
        recall=matched / true_n if true_n else 1.0,
        precision=matched / found_n if found_n else 1.0,
        exact_share=sum(s.exact for s in scores) / voted if voted else 1.0,
        mean_abs_error=sum(s.abs_error for s in scores) / voted if voted else 0.0,
        top3_share=sum(top3) / len(top3) if top3 else None,
        errors=sum(s.error is not None for s in scores),
        median_seconds=statistics.median(times) if times else None,
    )


# -- real photos ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Label:
    path: Path  # the photo
    truth: Board
    uncertain: tuple[int, ...]
    unvoted: tuple[int, ...]
    region: tuple | None


def load_label(path: Path, photos: Path = REAL_PHOTOS) -> Label:
    """A tests/labels/*.json file (schema in tests/labels/README.md) as a truth board."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    notes, flags = [], []
    for n in data["notes"]:
        poly = tuple(tuple(float(v) for v in p) for p in n["polygon"])
        dots = tuple(Dot(tuple(d["center"]), float(d["radius"]), d["colour"]) for d in n["dots"])
        notes.append(Note(id=0, polygon=poly, center=_centre(poly), colour=n["colour"], dots=dots))
        flags.append((n["certain"], n["votes"] is not None))
    key = {id(n): f for n, f in zip(notes, flags, strict=True)}
    ordered = reading_order(notes)
    with_ids = [replace(n, id=k + 1) for k, n in enumerate(ordered)]
    flag_of = {n.id: key[id(o)] for n, o in zip(with_ids, ordered, strict=True)}
    ranked = rank_notes(with_ids)
    strays = tuple(
        Dot(tuple(d["center"]), float(d["radius"]), d["colour"]) for d in data["stray_dots"]
    )
    truth = Board(int(data["width"]), int(data["height"]), ranked, strays)
    uncertain = tuple(k for k, n in enumerate(ranked) if not flag_of[n.id][0])
    unvoted = tuple(k for k, n in enumerate(ranked) if not flag_of[n.id][1])
    region = tuple(tuple(p) for p in data["region"]) if data.get("region") else None
    return Label(Path(photos) / data["image"], truth, uncertain, unvoted, region)


def _centre(poly) -> tuple[float, float]:
    """Where a quad's diagonals cross (the mean of the corners for anything else)."""
    p = np.asarray(poly, dtype=np.float64)
    if len(p) == 4:
        d1, d2 = p[2] - p[0], p[3] - p[1]
        den = d1[0] * d2[1] - d1[1] * d2[0]
        if abs(den) > 1e-9:
            t = ((p[1][0] - p[0][0]) * d2[1] - (p[1][1] - p[0][1]) * d2[0]) / den
            c = p[0] + t * d1
            return (float(c[0]), float(c[1]))
    c = p.mean(axis=0)
    return (float(c[0]), float(c[1]))


def real_labels(labels: Path = LABELS, photos: Path = REAL_PHOTOS) -> list[Label]:
    """Labelled real photos that are present here (none in a clone without ../shared)."""
    if not photos.is_dir() or not labels.is_dir():
        return []
    out = []
    for path in sorted(labels.glob("*.json")):
        label = load_label(path, photos)
        if label.path.is_file():
            out.append(label)
    return out


# -- running ----------------------------------------------------------------------------------


def _tally():
    from vision import tally  # late: the bench's scoring works before the tally exists

    return tally


def run_tally(image) -> tuple[Board | None, float, str | None]:
    tally = _tally()
    t0 = time.perf_counter()
    try:
        board = tally(image)
    except Exception as e:  # a crash is a result: scored as nothing found
        return None, time.perf_counter() - t0, f"{type(e).__name__}: {e}"
    return board, time.perf_counter() - t0, None


def score_image(image, truth: Board, *, blamed: bool = False, **kw) -> BoardScore:
    """Tally a photo and score it against its truth; `blamed`: with where its wrong counts
    come from (each true note counted again on its true outline: `vision.blame`)."""
    board, seconds, error = run_tally(image)
    if board is None:
        board = Board(truth.width, truth.height)
    s = score_board(board, truth, seconds=seconds, **kw)
    if blamed:
        fnotes = _ranked(board.notes)
        pairs = match_notes(fnotes, truth.notes)
        s = replace(s, blame=blame(image, truth.notes, {j: fnotes[i] for i, j in pairs}))
    return s if error is None else replace(s, error=error)


def _score_seed(job: tuple[str, int, bool]) -> BoardScore:
    tier, seed, blamed = job
    wall = make_wall(seed, tier)
    return score_image(wall.image, wall.truth, blamed=blamed)


def _one_thread() -> None:
    # Walls scored side by side each get one core: OpenCV's own threads would fight them.
    cv2.setNumThreads(1)


def _pool(jobs: int):
    """Processes to score walls in. Spawned, not forked: a fork copies OpenCV's thread pool
    mid-use, and the child can hang on its lock."""
    return multiprocessing.get_context("spawn").Pool(jobs, initializer=_one_thread)


def bench_tier(
    tier: str, walls: int, progress=None, pool=None, blamed: bool = False
) -> list[BoardScore]:
    """Score the tier's first `walls` fixed seeds, in `pool` (a multiprocessing pool) if given;
    `blamed`: each with where its wrong counts come from."""
    jobs = [(tier, seed, blamed) for seed in TIER_SEEDS[tier][:walls]]
    results = pool.imap(_score_seed, jobs) if pool is not None else map(_score_seed, jobs)
    scores = []
    for (_, seed, _), score in zip(jobs, results, strict=True):
        scores.append(score)
        if progress:
            progress(tier, seed, score)
    return scores


def bench_real(labels: Sequence[Label]) -> list[tuple[str, BoardScore]]:
    out = []
    for label in labels:
        image = cv2.imread(str(label.path), cv2.IMREAD_COLOR)
        if image is None:
            continue
        s = score_image(
            image,
            label.truth,
            uncertain=label.uncertain,
            unvoted=label.unvoted,
            region=label.region,
        )
        out.append((label.path.name, s))
    return out


def _median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def speed(repeats: int = 5, size=SPEED_SIZE) -> dict:
    """Medians of cv2.imdecode and vision.tally on one 12 MP JPEG (quality 90), 1 thread and all."""
    tally = _tally()
    wall = make_wall(TIER_SEEDS["hard"][0], "hard", size)
    ok, buf = cv2.imencode(".jpg", wall.image, [cv2.IMWRITE_JPEG_QUALITY, 90])
    image = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    before = cv2.getNumThreads()
    out = {"width": size[0], "height": size[1], "jpeg_bytes": int(buf.size), "repeats": repeats}
    try:
        for label, threads in (("one_thread", 1), ("all_threads", -1)):
            cv2.setNumThreads(threads)
            tally(image)  # warm up caches and OpenCV's thread pool
            decode = _median_time(lambda: cv2.imdecode(buf, cv2.IMREAD_COLOR), repeats)
            count = _median_time(lambda: tally(image), repeats)
            out[label] = {
                "threads": cv2.getNumThreads(),
                "decode_s": decode,
                "tally_s": count,
                "ratio": count / decode,
            }
    finally:
        cv2.setNumThreads(before)
    out["peak_rss_mb"] = peak_rss(wall.image)
    return out


def peak_rss(image) -> float | None:
    """Peak resident memory (MB) of a fresh process that decodes this image's JPEG and tallies it."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "wall.jpg"
        cv2.imwrite(str(path), image, [cv2.IMWRITE_JPEG_QUALITY, 90])
        done = subprocess.run(
            [sys.executable, "-m", "vision.bench", "--rss-child", str(path)],
            capture_output=True,
            text=True,
            cwd=str(REPO),
            timeout=300,
        )
    if done.returncode != 0:
        return None
    return float(json.loads(done.stdout.strip().splitlines()[-1])["peak_rss_mb"])


def _rss_child(path: str) -> int:
    image = cv2.imread(path, cv2.IMREAD_COLOR)
    _tally()(image)
    print(json.dumps({"peak_rss_mb": round(_peak_rss_mb(), 1)}))
    return 0


def _peak_rss_mb() -> float:
    """This process's peak resident memory (MB). On Linux its own memory's high-water mark
    (VmHWM): ru_maxrss keeps the parent's peak across fork and exec, so a child spawned by
    the benchmark, whose walls take more memory than one tally, would report the benchmark's."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    import resource

    # ru_maxrss is in kilobytes on Linux (bytes on macOS).
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 / (1024 if sys.platform == "darwin" else 1)


# -- report -----------------------------------------------------------------------------------


def _fmt(v, pct=True) -> str:
    if v is None:
        return "-"
    return f"{v:6.1%}" if pct else f"{v:6.3f}"


def _table(rows: list[tuple[str, Summary]], width: int = 10) -> str:
    head = f"{'':{width}} {'walls':>5} {'notes':>6} {'recall':>7} {'precis':>7} {'exact':>7} {'MAE':>7} {'top3':>7} {'s/wall':>7} errors"
    lines = [head]
    for name, s in rows:
        sec = f"{s.median_seconds:7.3f}" if s.median_seconds is not None else "      -"
        lines.append(
            f"{name:{width}} {s.boards:5d} {s.true_notes:6d} {_fmt(s.recall):>7} {_fmt(s.precision):>7} "
            f"{_fmt(s.exact_share):>7} {_fmt(s.mean_abs_error, False):>7} {_fmt(s.top3_share):>7} {sec} {s.errors:6d}"
        )
    return "\n".join(lines)


def _blame_table(blames: list[tuple[str, Blame]]) -> str:
    head = f"{'':8} {'notes':>6} {'wrong':>6} {'outline':>8} {'counter':>8} {'pipeline':>9}   counter exact on true outlines"
    lines = [head]
    for name, b in blames:
        share = b.counter_exact / b.notes if b.notes else None
        lines.append(
            f"{name:8} {b.notes:6d} {b.wrong:6d} {b.outline:8d} {b.counter:8d} {b.pipeline:9d}   {_fmt(share)}"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m vision.bench", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--tier",
        choices=(*TIER_NAMES, "all"),
        default="all",
        help="which tier of synthetic walls (default: all)",
    )
    parser.add_argument(
        "--walls",
        type=int,
        default=30,
        metavar="N",
        help=f"walls per tier (default 30, at most {len(TIER_SEEDS['hard'])})",
    )
    parser.add_argument(
        "--quick", action="store_true", help="5 walls per tier and 3 timing repeats"
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object instead of tables"
    )
    parser.add_argument(
        "--no-speed", action="store_true", help="skip the speed and memory measurements"
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=1,
        metavar="N",
        help="score N walls at once, in N processes of one thread each (default 1); "
        "the speed figures are measured after, alone",
    )
    parser.add_argument(
        "--blame",
        action="store_true",
        help="also say where the synthetic walls' wrong counts come from: the outline, the "
        "dot counter or neither (each true note counted again on its true outline)",
    )
    parser.add_argument("--rss-child", metavar="JPEG", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.rss_child:
        return _rss_child(args.rss_child)
    if args.walls < 1:
        parser.error("--walls must be at least 1")
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    walls = 5 if args.quick else min(args.walls, len(TIER_SEEDS["hard"]))
    tiers = TIER_NAMES if args.tier == "all" else (args.tier,)

    def progress(tier, seed, s):
        if not args.json:
            print(
                f"  {tier} {seed}: {s.matched}/{s.true_notes} notes, {s.exact}/{s.voted} counts, top3 {s.top3}",
                file=sys.stderr,
            )

    if args.jobs > 1:
        with _pool(args.jobs) as pool:
            per_tier = {t: bench_tier(t, walls, progress, pool, args.blame) for t in tiers}
    else:
        per_tier = {t: bench_tier(t, walls, progress, blamed=args.blame) for t in tiers}
    rows = [(t, summarize(s)) for t, s in per_tier.items()]
    rows.append(("overall", summarize([s for v in per_tier.values() for s in v])))
    blames = None
    if args.blame:
        blames = [(t, total(s.blame for s in v)) for t, v in per_tier.items()]
        blames.append(("overall", total(b for _, b in blames)))
    real = bench_real(real_labels())
    real_rows = [(name, summarize([s])) for name, s in real]
    if real:
        real_rows.append(("all real", summarize([s for _, s in real])))
    sp = None if args.no_speed else speed(3 if args.quick else 7)

    if args.json:
        print(
            json.dumps(
                {
                    "synthetic": {name: asdict(s) for name, s in rows},
                    "walls": {
                        t: [
                            {"seed": seed, **asdict(s)}
                            for seed, s in zip(TIER_SEEDS[t], v, strict=False)
                        ]
                        for t, v in per_tier.items()
                    },
                    "real": {name: asdict(s) for name, s in real_rows},
                    "real_errors": {name: s.error for name, s in real if s.error},
                    "blame": None if blames is None else {t: asdict(b) for t, b in blames},
                    "speed": sp,
                }
            )
        )
        return 0
    print("Synthetic walls (vision.synth)")
    print(_table(rows))
    if args.jobs > 1:
        # (Not comparable with a run of one wall at a time: see the speed figures for that.)
        print(
            f"(s/wall: each wall timed in one of {args.jobs} processes side by side, one thread each)"
        )
    if blames is not None:
        print(
            "\nWhere the wrong counts come from (each true note counted again on its true outline)"
        )
        print(_blame_table(blames))
    if real:
        print("\nReal photos (../shared/data/real, labels in tests/labels)")
        print(_table([(n[:60], s) for n, s in real_rows], width=60))
    else:
        print("\nReal photos: none here (../shared/data/real or tests/labels missing)")
    if sp is None:
        return 0
    print(
        f"\nSpeed on a {sp['width']}x{sp['height']} JPEG (quality 90), medians of {sp['repeats']}:"
    )
    for key in ("one_thread", "all_threads"):
        r = sp[key]
        verdict = "ok" if r["ratio"] <= 1 else "SLOWER than decoding"
        print(
            f"  {key.replace('_', ' '):12} ({r['threads']} threads): imdecode {r['decode_s'] * 1000:7.1f} ms, tally {r['tally_s'] * 1000:7.1f} ms, ratio {r['ratio']:.2f}  {verdict}"
        )
    rss = sp["peak_rss_mb"]
    print(
        f"  peak RSS of a 12 MP tally: {'-' if rss is None else f'{rss:.0f} MB'} (target < {RSS_LIMIT_MB} MB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
