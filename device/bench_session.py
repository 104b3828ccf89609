"""Benchmark: the cost of one session `handle` call and of one store save.

    python -m device.bench_session [--topics N] [--saves N] [--data-dir DIR]

Targets on a PC: handle under 50 microseconds, save under 2 ms, so the Pi's
loop (which saves every second of a running slot) never stutters. The save is
a real one: a SQLite commit with synchronous=FULL, so it includes an fsync of
the disk under --data-dir (default: a temporary folder).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from device import session as S
from device.store import Store
from vision.board import Board, Dot, Note, rank_notes


def wall(topics: int) -> tuple[Board, dict[int, bytes]]:
    """A wall of `topics` notes in rows of six, with 0-7 dots each, and 20 kB pictures."""
    notes = []
    for i in range(topics):
        x, y = 150 + 220 * (i % 6), 150 + 220 * (i // 6)
        polygon = ((x - 90, y - 90), (x + 90, y - 90), (x + 90, y + 90), (x - 90, y + 90))
        dots = tuple(Dot((x - 60 + 20 * k, y), 9.0, "red") for k in range((i * 5) % 8))
        notes.append(Note(id=i, polygon=polygon, center=(x, y), colour="yellow", dots=dots))
    board = Board(width=1600, height=1200, notes=rank_notes(notes))
    return board, {n.id: bytes(20_000) for n in board.notes}


def running_meeting(topics: int) -> S.State:
    """A meeting two topics in, with a slot running."""
    board, pictures = wall(topics)
    now = 100.0
    state = S.start(S.Rules(), now)
    state, _ = S.handle(state, S.TAP, now)
    state, _ = S.handle(state, S.TICK, now + 3)
    state, _ = S.handle(state, S.ScanDone(board, pictures), now + 5)
    state, _ = S.handle(state, S.TAP, now + 6)
    state, _ = S.handle(state, S.TAP, now + 66)  # pause
    state, _ = S.handle(state, S.HOLD, now + 70)  # topic done: next topic
    return state


def median_seconds(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_handle(state: S.State, runs: int) -> dict[str, float]:
    paused, _ = S.handle(state, S.TAP, state.now + 1)
    # A tick one second on: the slot's clock reaches its next second, so the state changes.
    return {
        "handle(Tick), running slot": median_seconds(
            lambda: S.handle(state, S.TICK, state.now + 1.0), runs
        ),
        "handle(Tap), pause": median_seconds(lambda: S.handle(state, S.TAP, state.now + 1), runs),
        "handle(Hold), next topic": median_seconds(
            lambda: S.handle(paused, S.HOLD, paused.now + 1), runs
        ),
    }


def bench_save(state: S.State, data_dir: Path, saves: int) -> dict[str, float]:
    with Store(data_dir) as store:
        meeting = store.save(state)  # the first save writes the topics and their pictures
        ticking = [state]

        def save_a_second():
            ticking[0], _ = S.handle(ticking[0], S.TICK, ticking[0].now + 1.0)
            store.save(ticking[0], meeting)

        per_second = median_seconds(save_a_second, saves)
        handle_only = median_seconds(
            lambda: S.handle(ticking[0], S.TICK, ticking[0].now + 1.0), saves
        )
    # The disk's own share of every durable save: one 4 kB write and fsync in the same folder.
    with open(data_dir / "fsync-probe", "wb") as probe:

        def write_and_fsync():
            probe.seek(0)
            probe.write(b"x" * 4096)
            probe.flush()
            os.fsync(probe.fileno())

        fsync = median_seconds(write_and_fsync, min(saves, 100))
    (data_dir / "fsync-probe").unlink()
    return {"save, one second of a running slot": per_second - handle_only, "fsync": fsync}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m device.bench_session", description=__doc__)
    parser.add_argument("--topics", type=int, default=20, help="notes on the wall (default 20)")
    parser.add_argument("--runs", type=int, default=20000, help="handle calls per measure")
    parser.add_argument("--saves", type=int, default=300, help="saves to time (default 300)")
    parser.add_argument("--data-dir", type=Path, help="where to save (default: a temporary folder)")
    args = parser.parse_args(argv)

    state = running_meeting(args.topics)
    results = bench_handle(state, args.runs)
    if args.data_dir:
        results.update(bench_save(state, args.data_dir, args.saves))
    else:
        with tempfile.TemporaryDirectory(prefix="leancoffee-bench-") as folder:
            results.update(bench_save(state, Path(folder), args.saves))

    fsync = results.pop("fsync")
    print(f"leancoffee session benchmark: {args.topics} topics, Python {sys.version.split()[0]}")
    for name, seconds in results.items():
        target = 2e-3 if name.startswith("save") else 50e-6
        verdict = "ok" if seconds < target else "OVER"
        print(
            f"  {name:<40} median {seconds * 1e6:9.1f} us  (target {target * 1e6:.0f} us: {verdict})"
        )
    print(
        f"  (a bare 4 kB write + fsync on that disk: median {fsync * 1e6:.1f} us; "
        "synchronous=FULL makes every save wait for one)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
