"""The SQLite store: what a save keeps, resuming after a crash, a corrupt file, a full or read-only disk."""

from __future__ import annotations

import json
import logging
import sqlite3
from datetime import timedelta

import pytest
from engine_helpers import WallClock, board, first_wall, note, recorded_meeting, saved

from device import session as S
from device import store as store_module
from device.session import Screen
from device.store import DB_NAME, NoDatabase, Recorder, SaveError, Store, StoreError

MIN = 60.0


@pytest.fixture
def wall():
    return WallClock()


def open_recorder(tmp_path, wall, **kw) -> Recorder:
    return Recorder.open(tmp_path, wall=wall, clock_known=wall.is_known, **kw)


def test_a_new_store_is_wal_synchronous_full_with_foreign_keys(tmp_path):
    data = tmp_path / "data"
    with Store(data) as store:
        conn = store._conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(store_module.MIGRATIONS)
    assert (data / DB_NAME).is_file()
    assert data.stat().st_mode & 0o777 == 0o700


def test_nothing_is_recorded_before_the_first_scan(tmp_path, wall):
    d = saved(open_recorder(tmp_path, wall))
    d.tap()
    d.run(2)
    assert d.recorder.meeting_id is None
    assert d.recorder.store.meetings() == []
    d.run_until_capture()
    d.send(S.ScanDone(first_wall(), {n.id: b"png%d" % n.id for n in first_wall().notes}))
    assert d.recorder.meeting_id == 1
    info = d.recorder.store.unfinished()
    assert info.id == 1 and info.topics == 6 and info.screen == "board"
    assert info.started == "2025-03-04T08:10:00+01:00"


def test_topics_and_slots_are_kept_as_rows(tmp_path, wall):
    d = saved(open_recorder(tmp_path, wall))
    d.start_meeting()
    d.tap()
    d.fast_forward(Screen.TIME_UP)
    wall.now += timedelta(minutes=8)
    d.hold()
    d.run(MIN)
    store = d.recorder.store
    topics = {t["key"]: t for t in store.topic_rows(1)}
    top = topics[1]
    assert (top["rank"], top["votes"], top["colour"], top["status"]) == (1, 5, "yellow", "current")
    assert top["squeaks"] == 1 and top["extensions"] == 1 and top["seconds"] == 8 * MIN
    assert json.loads(top["outline"]) == [[150, 150], [250, 150], [250, 250], [150, 250]]
    assert topics[2]["tied"] == 1 and topics[6]["votes"] == 0
    assert store.pictures(1)[1].startswith(b"\x89PNG")
    slots = store.slot_rows(1)
    assert [(s["kind"], s["planned_seconds"], s["topic_key"]) for s in slots] == [
        ("topic", 8 * MIN, 1),
        ("extension", 4 * MIN, 1),
    ]
    assert (slots[0]["start_seconds"], slots[0]["end_seconds"], slots[0]["ended_by"]) == (
        0.0,
        8 * MIN,
        "time up",
    )
    assert slots[1]["end_seconds"] is None and slots[1]["started_at"] == "2025-03-04T08:18:00+01:00"
    # The live slot's row is not rewritten every second; the state is.
    assert store.unfinished().meeting_seconds == pytest.approx(9 * MIN)


def test_every_second_of_a_running_slot_is_saved(tmp_path, wall):
    d = saved(open_recorder(tmp_path, wall))
    d.start_meeting()
    d.tap()
    for _ in range(5):
        d.run(1)
        record = d.recorder.store.state_record(1)
        assert record["slot"]["elapsed"] == pytest.approx(d.state.slot.run_seconds(d.now))


def test_after_a_crash_the_meeting_resumes_paused_with_its_time_as_of_the_last_save(tmp_path, wall):
    d = saved(open_recorder(tmp_path, wall))
    d.start_meeting()
    d.tap()
    d.fast_forward(Screen.TIME_UP)
    d.tap()  # topic 2
    d.recording = False
    d.run(3 * MIN + 19)
    d.recording = True
    d.run(1.6)  # the last save was at 3:20 into the slot
    left, meeting_left = d.state.slot_remaining, d.state.meeting_left
    # The plug is pulled: no close, no final save. A new boot, a new monotonic clock.
    store = Store(tmp_path, wall=wall)
    info = store.unfinished()
    assert info.id == 1 and info.screen == "slot"
    state = store.load_state(info.id, S.Rules(), now=4.0)
    assert state.screen is Screen.PAUSED
    assert state.current == 2 and state.topics[0].status.value == "discussed"
    assert state.slot_remaining == pytest.approx(left + 0.6)
    assert state.meeting_left == pytest.approx(meeting_left + 0.6)
    assert all(t.picture for t in state.topics)
    # Resumed, it saves into the same meeting.
    recorder = Recorder(lambda: store)
    recorder.meeting_id = info.id
    d2 = saved(recorder, now=4.0, state=S.resume_prompt(state, 4.0))
    d2.tap(2.0)
    d2.tap(1.0)
    d2.run(10)
    assert store.meetings()[-1].id == 1 and len(store.meetings()) == 1
    assert store.state_record(1)["slot"]["elapsed"] == pytest.approx(3 * MIN + 30)


def test_a_new_meeting_instead_of_resuming_leaves_the_old_one_ended(tmp_path, wall):
    d = saved(open_recorder(tmp_path, wall))
    d.start_meeting()
    store = d.recorder.store
    state = store.load_state(1, S.Rules(), now=1.0)
    recorder = Recorder(lambda: store)
    recorder.meeting_id = 1
    d2 = saved(recorder, now=1.0, state=S.resume_prompt(state, 1.0))
    d2.hold()
    assert d2.state.screen is Screen.READY
    assert store.unfinished() is None
    assert store.meeting(1).end_reason == "abandoned"
    d2.start_meeting(board(note(1, 300, 300, 2)))
    assert recorder.meeting_id == 2 and store.unfinished().id == 2


def test_the_summary_ends_the_meeting(tmp_path, wall):
    d = saved(open_recorder(tmp_path, wall))
    d.start_meeting()
    d.tap()
    d.run(MIN)
    wall.now += timedelta(minutes=50)
    d.tap()
    d.long_hold()
    d.long_hold()
    info = d.recorder.store.meeting(1)
    assert info.ended == "2025-03-04T09:00:00+01:00" and info.end_reason == "summary"
    assert d.recorder.store.unfinished() is None
    d.hold()  # a new meeting
    d.start_meeting()
    assert d.recorder.meeting_id == 2
    assert d.recorder.store.meeting(1).end_reason == "summary"


@pytest.mark.parametrize(
    "content",
    [b"this is not a database" * 50, b"SQLite format 3\x00" + b"\xff" * 2000],
    ids=["garbage", "damaged header"],
)
def test_a_corrupt_database_is_moved_aside_and_a_new_one_started(tmp_path, wall, caplog, content):
    (tmp_path / DB_NAME).write_bytes(content)
    (tmp_path / (DB_NAME + "-wal")).write_bytes(b"old wal")
    caplog.set_level(logging.ERROR)
    store = Store(tmp_path, wall=wall)
    aside = tmp_path / f"{DB_NAME}.unreadable-20250304T081000"
    assert store.moved_aside == aside
    assert aside.read_bytes() == content
    assert (tmp_path / f"{aside.name}-wal").read_bytes() == b"old wal"
    assert store.meetings() == []
    assert "unreadable" in caplog.text and str(aside) in caplog.text
    # A second corrupt file the same second gets its own name: nothing is overwritten.
    store.close()
    (tmp_path / DB_NAME).write_bytes(content)
    again = Store(tmp_path, wall=wall)
    assert again.moved_aside == tmp_path / f"{DB_NAME}.unreadable-20250304T081000-2"
    assert aside.read_bytes() == content


def test_a_truncated_database_is_moved_aside(tmp_path, wall):
    d = saved(open_recorder(tmp_path, wall))
    d.start_meeting()
    d.recorder.close()
    path = tmp_path / DB_NAME
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    conn.close()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    store = Store(tmp_path, wall=wall)
    assert store.moved_aside is not None and store.meetings() == []


@pytest.mark.parametrize("kind", ["newer", "foreign"])
def test_a_database_that_is_not_ours_is_moved_aside(tmp_path, wall, kind):
    conn = sqlite3.connect(tmp_path / DB_NAME)
    if kind == "newer":
        conn.execute("PRAGMA user_version = 99")
    else:
        conn.execute("CREATE TABLE photos (x)")
    conn.commit()
    conn.close()
    store = Store(tmp_path, wall=wall)
    assert store.moved_aside is not None and store.meetings() == []


def test_migrations_run_from_the_version_on_disk(tmp_path, monkeypatch, wall):
    d = saved(open_recorder(tmp_path, wall))
    d.start_meeting()
    d.recorder.close()
    monkeypatch.setattr(
        store_module,
        "MIGRATIONS",
        (*store_module.MIGRATIONS, "ALTER TABLE meetings ADD COLUMN place TEXT"),
    )
    with Store(tmp_path, wall=wall) as store:
        conn = store._conn
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(store_module.MIGRATIONS)
        assert conn.execute("SELECT place FROM meetings").fetchall() == [(None,)]
        assert store.meeting(1).topics == 6


def limited(limit_after: dict):
    """A connect function whose database cannot grow once `limit_after["full"]` is set."""

    def connect(path):
        conn = sqlite3.connect(path)
        limit_after["conn"] = conn
        return conn

    return connect


def fill_the_disk(conn: sqlite3.Connection) -> None:
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")


def test_a_full_disk_stops_saving_but_not_the_meeting(tmp_path, wall, caplog):
    handle = {}
    d = saved(open_recorder(tmp_path, wall, connect=limited(handle)), rules=S.Rules())
    d.recorder.retry_seconds = 30
    d.start_meeting()
    d.tap()
    d.run(5)
    fill_the_disk(handle["conn"])
    caplog.set_level(logging.ERROR)
    # A late note with a large picture needs room the disk does not have.
    d.tap()
    d.long_hold()
    d.hold()
    big = board(*first_wall().notes, note(9, 900, 600, 2, "purple"))
    d.scan(big, {n.id: bytes(200_000) for n in big.notes})
    assert d.events == [S.SaveFailed("Saving has stopped: the disk is full.")]
    assert d.state.save_failed and d.state.save_message.endswith("the disk is full.")
    assert "no longer saved" in caplog.text
    # The meeting goes on in memory.
    d.tap()
    d.run(2 * MIN)
    assert d.state.screen is Screen.SLOT and len(d.state.topics) == 7
    assert d.events == [S.SaveFailed("Saving has stopped: the disk is full.")]  # said once
    # Room again: the next retry saves everything and the screen is told.
    handle["conn"].execute("PRAGMA max_page_count = 1073741823")
    d.run(30)
    assert d.events[-1] == S.SaveRecovered() and not d.state.save_failed
    store = d.recorder.store
    assert store.meeting(1).topics == 7
    assert store.state_record(1)["slot"]["elapsed"] == pytest.approx(
        d.state.slot.run_seconds(d.now)
    )
    assert len(store.pictures(1)) == 7


def test_a_read_only_disk_stops_saving_but_not_the_meeting(tmp_path, wall):
    d = saved(open_recorder(tmp_path, wall))
    d.start_meeting()
    d.recorder.close()

    def read_only(path):
        return sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)

    store = Store(tmp_path, wall=wall, connect=read_only)
    state = store.load_state(1, S.Rules(), now=1.0)
    recorder = Recorder(lambda: store)
    recorder.meeting_id = 1
    d2 = saved(recorder, now=1.0, state=S.resume_prompt(state, 1.0))
    d2.tap()
    assert d2.events == [S.SaveFailed("Saving has stopped: the disk is read-only.")]
    d2.tap()
    d2.run(10)
    assert d2.state.screen is Screen.SLOT and d2.state.save_failed
    with pytest.raises(SaveError, match="read-only"):
        store.end_meeting(1)


def test_a_data_folder_that_cannot_be_made_is_reported_once(tmp_path, wall):
    blocker = tmp_path / "data"
    blocker.write_text("a file where the folder should be")
    d = saved(Recorder.open(blocker / "meetings", wall=wall))
    d.start_meeting()
    d.tap()
    d.run(3)
    assert len(d.events) == 1 and isinstance(d.events[0], S.SaveFailed)
    assert "Cannot create the data folder" in d.events[0].message
    assert d.state.screen is Screen.SLOT and d.state.save_failed


def test_an_unreadable_saved_state_is_a_clear_error(tmp_path, wall):
    d = saved(open_recorder(tmp_path, wall))
    d.start_meeting()
    store = d.recorder.store
    store._conn.execute("UPDATE meetings SET state = '{\"version\": 1}'")
    with pytest.raises(StoreError, match="meeting 1 is unreadable"):
        store.load_state(1, S.Rules(), 1.0)
    store._conn.execute("UPDATE meetings SET state = 'not json'")
    with pytest.raises(StoreError, match="meeting 1 is unreadable"):
        store.load_state(1, S.Rules(), 1.0)


def test_reading_without_a_database_creates_nothing(tmp_path):
    with pytest.raises(NoDatabase):
        Store(tmp_path / "none", readonly=True)
    assert not (tmp_path / "none").exists()


def test_a_read_only_store_refuses_to_save(tmp_path, wall):
    d = saved(open_recorder(tmp_path, wall))
    d.start_meeting()
    with Store(tmp_path, readonly=True) as reader:
        assert reader.meeting().id == 1
        with pytest.raises(SaveError):
            reader.save(d.state, 1)


def test_prune_deletes_old_ended_meetings_only(tmp_path, wall):
    d = saved(open_recorder(tmp_path, wall))
    d.start_meeting()
    d.long_hold()  # meeting 1 ends 2025-03-04
    d.hold()
    wall.now += timedelta(days=100)
    d.start_meeting()  # meeting 2, unfinished
    store = d.recorder.store
    assert store.prune(wall.now - timedelta(days=90)) == 1
    assert [m.id for m in store.meetings()] == [2]
    assert store._conn.execute("SELECT count(*) FROM topics WHERE meeting_id = 1").fetchone() == (
        0,
    )


def test_the_recorder_offers_the_unfinished_meeting_and_saves_into_it(tmp_path, wall):
    d = saved(open_recorder(tmp_path, wall))
    d.start_meeting()
    d.tap()
    d.run(30.5)
    d.recorder.close()
    recorder = open_recorder(tmp_path, wall)
    prompt = recorder.resume_prompt(S.Rules(), now=2.0)
    assert prompt.screen is Screen.RESUME and recorder.meeting_id == 1
    d2 = saved(recorder, now=2.0, state=prompt)
    d2.tap()
    assert d2.state.screen is Screen.PAUSED
    assert d2.state.slot_remaining == pytest.approx(8 * MIN - 30)
    assert recorder.store.state_record(1)["screen"] == "paused"


def test_nothing_to_resume_on_a_fresh_device(tmp_path, wall):
    assert open_recorder(tmp_path, wall).resume_prompt(S.Rules(), 1.0) is None


def test_an_unreadable_meeting_is_not_offered_again(tmp_path, wall, caplog):
    d = saved(open_recorder(tmp_path, wall))
    d.start_meeting()
    d.recorder.store._conn.execute("UPDATE meetings SET state = 'garbage'")
    d.recorder.close()
    recorder = open_recorder(tmp_path, wall)
    assert recorder.resume_prompt(S.Rules(), 1.0) is None
    assert "Starting a new meeting instead" in caplog.text
    assert recorder.store.meeting(1).end_reason == "unreadable"
    assert recorder.resume_prompt(S.Rules(), 1.0) is None


def test_a_save_on_the_resume_question_keeps_the_meeting_asked_about(tmp_path):
    from device import session as S
    from device.store import Recorder, Store

    recorded_meeting(tmp_path, finish=False)
    recorder = Recorder.open(tmp_path)
    prompt = recorder.resume_prompt(S.Rules(), 5.0)
    assert prompt.screen is S.Screen.RESUME
    assert recorder.perform((S.SAVE,), prompt, 5.0) == []
    recorder.close()
    with Store(tmp_path, readonly=True) as store:
        meeting = store.meeting(None)
        assert meeting.unfinished and meeting.topics > 0
