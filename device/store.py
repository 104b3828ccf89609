"""Every meeting in one SQLite file, saved so that pulling the plug loses nothing.

`leancoffee.db` in the data directory: WAL journal, synchronous=FULL (a commit
is on the card before the call returns), foreign keys on. Tables: meetings
(with the serialised session state, for resuming), topics (votes, rank, colour,
outline, note picture PNG) and slots (topic, kind, start, end, planned length).
The schema is migrated from version 1 on with PRAGMA user_version.

One `leancoffee run` at a time per data folder: `RunLock` holds an advisory
lock (flock) on `leancoffee.lock` beside it for the life of the process, and
`run_lock_state` tells readers (`leancoffee status`) whether a run holds it.

Faults:
- A corrupt or unreadable file is renamed aside with a timestamp (never
  overwritten or deleted), logged, and a new database started.
- A full or read-only disk (or any write failure) raises `SaveError`;
  `Recorder` turns that into a `SaveFailed` event so the meeting goes on in
  memory with "saving has stopped" on screen, and retries now and then.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import sqlite3
import time
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from device import session, snapshot
from device.paths import clock_known
from device.session import NewMeeting, Rules, Save, SaveFailed, SaveRecovered, Screen, State
from device.topics import Topic

log = logging.getLogger(__name__)

DB_NAME = "leancoffee.db"
LOCK_NAME = "leancoffee.lock"

try:
    import fcntl
except ImportError:  # not a POSIX system: no lock, as before there was one
    fcntl = None

# Each entry migrates from the version before it; user_version = number of entries applied.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE meetings (
        id INTEGER PRIMARY KEY,
        started TEXT NOT NULL,              -- wall clock (ISO 8601) of the first scan
        ended TEXT,                         -- NULL while the meeting is unfinished
        end_reason TEXT,                    -- 'summary' or 'abandoned'
        updated TEXT NOT NULL,              -- wall clock of the last save
        meeting_seconds REAL NOT NULL DEFAULT 0,  -- the meeting clock (from the first topic)
        rules TEXT NOT NULL,                -- the meeting rules in force (JSON)
        scans INTEGER NOT NULL DEFAULT 0,
        total_votes INTEGER NOT NULL DEFAULT 0,
        stray_dots INTEGER NOT NULL DEFAULT 0,
        screen TEXT NOT NULL,
        state TEXT NOT NULL                 -- the session state (device.snapshot), for resuming
    );
    CREATE TABLE topics (
        id INTEGER PRIMARY KEY,
        meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
        key INTEGER NOT NULL,               -- the session's topic number, stable across re-scans
        rank INTEGER NOT NULL,
        votes INTEGER NOT NULL,
        tied INTEGER NOT NULL,
        colour TEXT NOT NULL,
        outline TEXT NOT NULL,              -- JSON: 4 corners in photo pixels, clockwise from top-left
        status TEXT NOT NULL,               -- waiting, current, discussed, skipped
        seconds REAL NOT NULL,
        extensions INTEGER NOT NULL,
        squeaks INTEGER NOT NULL,
        ended_by TEXT,
        discussion_order INTEGER,
        on_wall INTEGER NOT NULL,
        picture BLOB,                       -- PNG of the note, perspective-corrected
        UNIQUE (meeting_id, key)
    );
    CREATE TABLE slots (
        id INTEGER PRIMARY KEY,
        meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
        topic_id INTEGER NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
        number INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('topic', 'extension')),
        planned_seconds REAL NOT NULL,
        start_seconds REAL NOT NULL,        -- meeting clock
        end_seconds REAL,                   -- meeting clock; NULL while live
        seconds REAL NOT NULL,              -- time it ran (as of the last save while live)
        ended_by TEXT,
        started_at TEXT NOT NULL,           -- wall clock
        ended_at TEXT,
        UNIQUE (meeting_id, number)
    );
    CREATE INDEX topics_meeting ON topics (meeting_id);
    CREATE INDEX slots_meeting ON slots (meeting_id);
    CREATE INDEX meetings_unfinished ON meetings (ended, id);
    """,
    # When a meeting's age counts from, for deleting old ones: its end, if the wall clock was
    # known to be right then; else the first time it was known right afterwards (a Pi without
    # a network or a real-time clock may think it is any date). NULL until then.
    """
    ALTER TABLE meetings ADD COLUMN aged_from TEXT;
    """,
)


class StoreError(Exception):
    """The store cannot do what was asked; the message is one sentence."""


class SaveError(StoreError):
    """Writing failed (disk full, read-only, I/O error): the meeting can only go on in memory."""


class NoSuchMeeting(StoreError):
    pass


class NoDatabase(StoreError):
    """Read-only access asked for, but no meeting has been saved in that folder yet."""


class Busy(StoreError):
    """Another process (a `leancoffee run`) holds the data folder's lock."""

    def __init__(self, message: str, pid: int | None) -> None:
        super().__init__(message)
        self.pid = pid


@dataclass(frozen=True)
class MeetingInfo:
    id: int
    started: str
    ended: str | None
    end_reason: str | None
    updated: str
    meeting_seconds: float
    scans: int
    total_votes: int
    screen: str
    topics: int
    discussed: int
    rules: dict

    @property
    def unfinished(self) -> bool:
        return self.ended is None


def local_now() -> datetime:
    return datetime.now().astimezone()


def _wall_text(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _rollback(conn: sqlite3.Connection) -> None:
    """Roll back a failed transaction, if the failure left one to roll back."""
    try:
        conn.execute("ROLLBACK")
    except sqlite3.Error:
        pass


def _default_connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path)


def _kind(exc: sqlite3.Error) -> str:
    """full, readonly, io, corrupt, cantopen or other, from SQLite's error code."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc).lower()
    if name.startswith("SQLITE_FULL") or "disk is full" in text:
        return "full"
    if name.startswith("SQLITE_READONLY") or "readonly" in text or "read-only" in text:
        return "readonly"
    if (
        name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))
        or "malformed" in text
        or "not a database" in text
    ):
        return "corrupt"
    if name.startswith("SQLITE_IOERR") or "disk i/o" in text:
        return "io"
    if name.startswith("SQLITE_CANTOPEN") or "unable to open" in text:
        return "cantopen"
    return "other"


_REASONS = {
    "full": "the disk is full",
    "readonly": "the disk is read-only",
    "io": "the disk reported an error",
    "corrupt": "the database file is damaged",
    "cantopen": "the database file cannot be opened",
}


def _reason(exc: BaseException) -> str:
    if isinstance(exc, sqlite3.Error):
        return _REASONS.get(_kind(exc), str(exc))
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return str(exc)


class _Corrupt(Exception):
    pass


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


class RunLock:
    """The data folder's lock: one `leancoffee run` at a time writes its meetings.

    An advisory flock on `leancoffee.lock`, held until `release()` or the end of the
    process: the kernel drops it when the process ends however it ends (kill -9, a crash,
    the plug pulled), so a lock is never left stale. The file holds the holder's pid,
    only for messages; the lock, not the file, says whether a run is going.
    """

    def __init__(self, fd: int | None, path: Path) -> None:
        self._fd = fd
        self.path = path

    @classmethod
    def take(cls, data_dir: str | Path, *, wait_seconds: float = 0.1) -> RunLock:
        """Lock `data_dir` (made if missing) for this process.

        Raises Busy when another process holds it, SaveError when the folder or the lock
        file cannot be made. `wait_seconds`: how long to try again, as `run_lock_state`
        holds it for a few microseconds while it looks.
        """
        data_dir = Path(data_dir)
        path = data_dir / LOCK_NAME
        if fcntl is None:
            return cls(None, path)
        try:
            data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            # No O_TRUNC: the pid in it is the holder's until the lock is ours.
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            if isinstance(exc, FileExistsError | NotADirectoryError):
                raise SaveError(f"Cannot lock {data_dir}: it is not a folder.") from exc
            raise SaveError(f"Cannot lock the data folder {data_dir}: {_reason(exc)}.") from exc
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() < deadline:
                    time.sleep(0.01)
                    continue
                pid = _read_pid(fd)
                os.close(fd)
                who = "another leancoffee run" + (f" (pid {pid})" if pid else "")
                raise Busy(f"{who} is using {data_dir}; stop it first.", pid) from None
            except OSError as exc:
                os.close(fd)
                raise SaveError(f"Cannot lock the data folder {data_dir}: {_reason(exc)}.") from exc
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        except OSError as exc:  # a full disk: the lock holds all the same, without its pid
            log.warning("cannot write the pid into %s: %s", path, _reason(exc))
        return cls(fd, path)

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the only descriptor drops the flock
            self._fd = None

    def __enter__(self) -> RunLock:
        return self

    def __exit__(self, *exc) -> None:
        self.release()


@dataclass(frozen=True)
class RunLockState:
    """Whether a `leancoffee run` holds a data folder's lock: `going` is None when that
    cannot be told (the lock file cannot be opened), `pid` the holder's when known."""

    going: bool | None
    pid: int | None = None


def run_lock_state(data_dir: str | Path) -> RunLockState:
    """Whether a `leancoffee run` holds `data_dir`'s lock, without making anything.

    It looks by taking a shared lock and dropping it at once; a run starting in those
    microseconds tries again (`RunLock.take`'s wait_seconds).
    """
    if fcntl is None:
        return RunLockState(None)
    try:
        fd = os.open(Path(data_dir) / LOCK_NAME, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return RunLockState(False)  # no run of this version has used the folder
    except OSError:
        return RunLockState(None)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return RunLockState(True, _read_pid(fd))
    except OSError:
        return RunLockState(None)
    else:
        return RunLockState(False)
    finally:
        os.close(fd)


class Store:
    """One SQLite database of meetings. Not thread-safe: use it from the app's loop only."""

    def __init__(
        self,
        data_dir: str | Path | None = None,
        *,
        connect: Callable[[Path], sqlite3.Connection] = _default_connect,
        wall: Callable[[], datetime] = local_now,
        clock_known: Callable[[], bool] = clock_known,
        readonly: bool = False,
    ) -> None:
        if data_dir is None:
            from device.paths import default_data_dir

            data_dir = default_data_dir()
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / DB_NAME
        self.readonly = readonly
        self.moved_aside: Path | None = None
        self._connect = connect
        self._wall = wall
        self._clock_known = clock_known
        self._cache: dict = {}
        self._conn = self._open_readonly() if readonly else self._open()
        # Closed when the store is dropped, if nobody called close() (a Connection left to the
        # garbage collector warns on Python 3.13).
        self._closer = weakref.finalize(self, self._conn.close)

    # --- opening ---

    def _open(self) -> sqlite3.Connection:
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise SaveError(
                f"Cannot create the data folder {self.data_dir}: {_reason(exc)}."
            ) from exc
        if self.path.exists():
            why = self._unreadable()
            if why:
                self._move_aside(why)
        conn = None
        try:
            conn = self._connect(self.path)
            # Transactions are explicit (BEGIN IMMEDIATE ... COMMIT).
            conn.isolation_level = None
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            self._migrate(conn)
            return conn
        except sqlite3.Error as exc:
            if conn is not None:
                conn.close()
            why = _reason(exc)
            if _kind(exc) in ("cantopen", "readonly"):
                why = self._cannot_open() or why
            raise SaveError(f"Cannot open {self.path}: {why}.") from exc

    def _unreadable(self) -> str | None:
        """Why the existing file is not a usable leancoffee database, or None if it is.

        Probed read-only: a read-write connection to a damaged file would delete
        its -wal file on closing, and nothing may be lost before it is moved aside.
        """
        try:
            conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            return str(exc)
        try:
            self._check(conn)
        except _Corrupt as exc:
            return str(exc)
        except sqlite3.Error as exc:
            if _kind(exc) in ("corrupt", "cantopen"):
                return str(exc)
            raise SaveError(f"Cannot open {self.path}: {_reason(exc)}.") from exc
        finally:
            conn.close()
        return None

    def _open_readonly(self) -> sqlite3.Connection:
        self._check_folder()
        conn = None
        try:
            conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
            conn.isolation_level = None
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.Error as exc:
            if conn is not None:
                conn.close()
            raise StoreError(f"Cannot read {self.path}: {_reason(exc)}.") from exc
        if version > len(MIGRATIONS):
            conn.close()
            raise StoreError(f"{self.path} was written by a newer leancoffee (format {version}).")
        if version < 1:
            conn.close()
            raise StoreError(f"{self.path} is not a leancoffee database.")
        return conn

    def _check_folder(self) -> None:
        """For reading: NoDatabase when no meeting has been saved in the folder yet, a
        StoreError saying why when the folder or the file cannot be looked at."""
        try:
            if self.path.stat().st_mode & 0o170000 == 0o100000:  # a regular file
                return
            raise StoreError(f"{self.path} is not a file.")
        except FileNotFoundError:
            pass
        except NotADirectoryError:
            raise StoreError(f"{self.data_dir} is not a folder.") from None
        except OSError as exc:
            raise StoreError(
                f"Cannot read the data folder {self.data_dir}: {_reason(exc)}."
            ) from exc
        if self.data_dir.exists() and not self.data_dir.is_dir():
            raise StoreError(f"{self.data_dir} is not a folder.")
        raise NoDatabase(f"No meetings saved in {self.data_dir} yet.")

    def _cannot_open(self) -> str | None:
        """Why SQLite cannot open the file for writing, in plain words, when the folder's
        or the file's permissions say (SQLite itself says only "unable to open")."""
        try:
            flags = os.statvfs(self.data_dir).f_flag
        except OSError:
            flags = 0
        if flags & os.ST_RDONLY:
            return "the disk is read-only"
        # The folder takes the -wal and -shm files (and the database, when it is new).
        if not os.access(self.data_dir, os.W_OK | os.X_OK):
            return "permission denied (the folder cannot be written)"
        if self.path.exists() and not os.access(self.path, os.R_OK | os.W_OK):
            return "permission denied"
        return None

    @staticmethod
    def _check(conn: sqlite3.Connection) -> None:
        rows = conn.execute("PRAGMA quick_check").fetchall()
        if rows != [("ok",)]:
            raise _Corrupt("; ".join(str(r[0]) for r in rows[:3]))
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise _Corrupt(f"written by a newer leancoffee (format {version})")
        if version == 0:
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if tables:
                raise _Corrupt("a SQLite file that is not a leancoffee database")

    @staticmethod
    def _migrate(conn: sqlite3.Connection) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        for number in range(version, len(MIGRATIONS)):
            script = f"BEGIN IMMEDIATE; {MIGRATIONS[number]}; PRAGMA user_version = {number + 1}; COMMIT;"
            try:
                conn.executescript(script)
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            log.info(
                "meeting database %s: format %d",
                "created" if number == 0 else "migrated",
                number + 1,
            )

    def _move_aside(self, why: str) -> None:
        stamp = self._wall().strftime("%Y%m%dT%H%M%S")
        target = self.path.with_name(f"{DB_NAME}.unreadable-{stamp}")
        n = 1
        while target.exists() or target.with_name(target.name + "-wal").exists():
            n += 1
            target = self.path.with_name(f"{DB_NAME}.unreadable-{stamp}-{n}")
        try:
            for suffix in ("", "-wal", "-shm"):
                source = self.path.with_name(DB_NAME + suffix)
                if source.exists():
                    source.rename(target.with_name(target.name + suffix))
        except OSError as exc:
            raise SaveError(
                f"Cannot move the unreadable {self.path} aside: {_reason(exc)}."
            ) from exc
        self.moved_aside = target
        log.error(
            "meeting database %s is unreadable (%s): moved it to %s and started a new one",
            self.path,
            why,
            target,
        )

    def close(self) -> None:
        self._closer()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- writing ---

    def save(self, state: State, meeting_id: int | None = None) -> int:
        """Write the state as meeting `meeting_id` (None: a new meeting) in one transaction; its id.

        Raises SaveError when the disk will not take it.
        """
        if self.readonly:
            raise SaveError("This store was opened read-only.")
        wall = _wall_text(self._wall())
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            if meeting_id is None or self._cache.get("meeting") != meeting_id:
                self._cache = {}
            if meeting_id is None:
                meeting_id = self._insert_meeting(state, wall)
                self._cache = {"meeting": meeting_id}
            self._write(meeting_id, state, wall)
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._cache = {}  # the transaction is void: write everything next time
            _rollback(conn)
            raise SaveError(f"Saving has stopped: {_reason(exc)}.") from exc
        return meeting_id

    def _insert_meeting(self, state: State, wall: str) -> int:
        rules = json.dumps(dataclasses.asdict(state.rules))
        cur = self._conn.execute(
            "INSERT INTO meetings (started, updated, rules, screen, state) VALUES (?, ?, ?, ?, '{}')",
            (wall, wall, rules, state.screen.value),
        )
        return cur.lastrowid

    def _write(self, meeting_id: int, state: State, wall: str) -> None:
        cache = self._cache
        conn = self._conn
        if cache.get("topics") is not state.topics:
            self._write_topics(meeting_id, state.topics)
            cache["topics"] = state.topics
            cache["topic_dicts"] = [snapshot.topic_dict(t) for t in state.topics]
        record = snapshot.to_record(state, topics=cache["topic_dicts"])
        board = state.board
        conn.execute(
            """UPDATE meetings SET updated = ?, meeting_seconds = ?, scans = ?, total_votes = ?,
                   stray_dots = ?, screen = ?, state = ?,
                   ended = CASE WHEN ? THEN COALESCE(ended, ?) ELSE ended END,
                   aged_from = CASE WHEN ? THEN COALESCE(aged_from, ?) ELSE aged_from END,
                   end_reason = CASE WHEN ? THEN COALESCE(end_reason, 'summary') ELSE end_reason END
               WHERE id = ?""",
            (
                wall,
                state.meeting_elapsed_at(state.now) or 0.0,
                state.scans,
                state.total_votes,
                0 if board is None else len(board.stray_dots),
                state.screen.value,
                json.dumps(record, separators=(",", ":")),
                state.over,
                wall,
                state.over and self._clock_known(),
                wall,
                state.over,
                meeting_id,
            ),
        )
        live = state.slot
        if cache.get("slots") is not state.slots or cache.get("live") is not live:
            # Finished slots never change again: write the new ones and the live one.
            todo = list(state.slots[cache.get("slots_written", 0) :])
            if live is not None:
                todo.append(live)
            self._write_slots(meeting_id, todo, state.now, wall)
            cache.update(slots=state.slots, live=live, slots_written=len(state.slots))

    def _write_topics(self, meeting_id: int, topics: Iterable[Topic]) -> None:
        conn = self._conn
        pictures = self._cache.setdefault("pictures", {})
        keys = []
        for t in topics:
            keys.append(t.key)
            conn.execute(
                """INSERT INTO topics (meeting_id, key, rank, votes, tied, colour, outline, status,
                       seconds, extensions, squeaks, ended_by, discussion_order, on_wall)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (meeting_id, key) DO UPDATE SET rank = excluded.rank,
                       votes = excluded.votes, tied = excluded.tied, colour = excluded.colour,
                       outline = excluded.outline, status = excluded.status,
                       seconds = excluded.seconds, extensions = excluded.extensions,
                       squeaks = excluded.squeaks, ended_by = excluded.ended_by,
                       discussion_order = excluded.discussion_order, on_wall = excluded.on_wall""",
                (
                    meeting_id,
                    t.key,
                    t.rank,
                    t.votes,
                    int(t.tied),
                    t.colour,
                    json.dumps([[round(x, 1), round(y, 1)] for x, y in t.note.polygon]),
                    t.status.value,
                    t.seconds,
                    t.extensions,
                    t.squeaks,
                    t.ended_by,
                    t.order,
                    int(t.on_wall),
                ),
            )
            if t.picture is not None and pictures.get(t.key) is not t.picture:
                conn.execute(
                    "UPDATE topics SET picture = ? WHERE meeting_id = ? AND key = ?",
                    (t.picture, meeting_id, t.key),
                )
                pictures[t.key] = t.picture
        conn.execute(
            f"DELETE FROM topics WHERE meeting_id = ? AND key NOT IN ({','.join('?' * len(keys))})",
            (meeting_id, *keys),
        )

    def _write_slots(self, meeting_id: int, slots, now: float, wall: str) -> None:
        for slot in slots:
            self._conn.execute(
                """INSERT INTO slots (meeting_id, topic_id, number, kind, planned_seconds,
                       start_seconds, end_seconds, seconds, ended_by, started_at, ended_at)
                   VALUES (?, (SELECT id FROM topics WHERE meeting_id = ? AND key = ?),
                           ?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (meeting_id, number) DO UPDATE SET end_seconds = excluded.end_seconds,
                       seconds = excluded.seconds, ended_by = excluded.ended_by,
                       ended_at = COALESCE(slots.ended_at, excluded.ended_at)""",
                (
                    meeting_id,
                    meeting_id,
                    slot.topic,
                    slot.number,
                    slot.kind,
                    slot.planned,
                    slot.started,
                    slot.ended,
                    slot.run_seconds(now),
                    slot.ended_by,
                    wall,
                    None if slot.ended is None else wall,
                ),
            )

    def end_meeting(self, meeting_id: int, reason: str = "abandoned") -> None:
        """Mark a meeting ended (if it is not yet), e.g. when a new one is started instead of resuming."""
        wall = _wall_text(self._wall())
        try:
            self._conn.execute(
                """UPDATE meetings SET ended = COALESCE(ended, ?), end_reason = COALESCE(end_reason, ?),
                       aged_from = CASE WHEN ? THEN COALESCE(aged_from, ?) ELSE aged_from END
                   WHERE id = ?""",
                (wall, reason, self._clock_known(), wall, meeting_id),
            )
        except sqlite3.Error as exc:
            raise SaveError(f"Saving has stopped: {_reason(exc)}.") from exc
        self._cache = {}

    def prune(self, ended_before: datetime) -> int:
        """Delete meetings that ended before this moment (privacy); how many went.

        Only call it when the clock is known to be right. A meeting that ended while it was
        not is aged from now on: its stamps may be months out, and it may be this week's.
        """
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(
                "UPDATE meetings SET aged_from = ? WHERE ended IS NOT NULL AND aged_from IS NULL",
                (_wall_text(self._wall()),),
            )
            cur = conn.execute(
                "DELETE FROM meetings WHERE julianday(aged_from) < julianday(?)",
                (_wall_text(ended_before),),
            )
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            _rollback(conn)
            raise SaveError(f"Cannot delete old meetings: {_reason(exc)}.") from exc
        if cur.rowcount:
            log.info(
                "deleted %d meeting(s) that ended before %s", cur.rowcount, ended_before.date()
            )
        self._cache = {}
        return cur.rowcount

    # --- reading ---

    def _query(self, sql: str, params=()) -> list[dict]:
        try:
            cur = self._conn.execute(sql, params)
            names = [d[0] for d in cur.description]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        except sqlite3.Error as exc:
            raise StoreError(f"Cannot read {self.path}: {_reason(exc)}.") from exc

    _INFO = """SELECT m.id, m.started, m.ended, m.end_reason, m.updated, m.meeting_seconds, m.scans,
                      m.total_votes, m.screen, m.rules,
                      (SELECT count(*) FROM topics t WHERE t.meeting_id = m.id) AS topics,
                      (SELECT count(*) FROM topics t WHERE t.meeting_id = m.id
                           AND t.status IN ('discussed', 'current')) AS discussed
               FROM meetings m"""

    @staticmethod
    def _info(row: dict) -> MeetingInfo:
        row = dict(row)
        row["rules"] = json.loads(row["rules"])
        return MeetingInfo(**row)

    def meetings(self) -> list[MeetingInfo]:
        """Every meeting, oldest first."""
        return [self._info(r) for r in self._query(self._INFO + " ORDER BY m.id")]

    def meeting(self, meeting_id: int | None = None) -> MeetingInfo:
        """One meeting (None: the latest)."""
        if meeting_id is None:
            rows = self._query(self._INFO + " ORDER BY m.id DESC LIMIT 1")
            if not rows:
                raise NoSuchMeeting(f"No meetings saved in {self.data_dir} yet.")
        else:
            rows = self._query(self._INFO + " WHERE m.id = ?", (meeting_id,))
            if not rows:
                raise NoSuchMeeting(f"There is no meeting {meeting_id} in {self.data_dir}.")
        return self._info(rows[0])

    def unfinished(self) -> MeetingInfo | None:
        """The latest meeting that never reached its summary (for the Resume? screen)."""
        rows = self._query(self._INFO + " WHERE m.ended IS NULL ORDER BY m.id DESC LIMIT 1")
        return self._info(rows[0]) if rows else None

    def state_record(self, meeting_id: int) -> dict:
        rows = self._query("SELECT state FROM meetings WHERE id = ?", (meeting_id,))
        if not rows:
            raise NoSuchMeeting(f"There is no meeting {meeting_id} in {self.data_dir}.")
        try:
            return json.loads(rows[0]["state"])
        except ValueError as exc:
            raise StoreError(
                f"The saved state of meeting {meeting_id} is unreadable: {exc}."
            ) from exc

    def pictures(self, meeting_id: int) -> dict[int, bytes]:
        """Topic key -> note picture (PNG)."""
        rows = self._query(
            "SELECT key, picture FROM topics WHERE meeting_id = ? AND picture IS NOT NULL",
            (meeting_id,),
        )
        return {r["key"]: bytes(r["picture"]) for r in rows}

    def load_state(self, meeting_id: int, rules: Rules, now: float) -> State:
        """The meeting's state rebased on this boot's clock (a running slot comes back paused)."""
        record = self.state_record(meeting_id)
        try:
            return snapshot.from_record(record, rules, now, self.pictures(meeting_id))
        except snapshot.RecordError as exc:
            raise StoreError(
                f"The saved state of meeting {meeting_id} is unreadable: {exc}."
            ) from exc

    def topic_rows(self, meeting_id: int) -> list[dict]:
        return self._query("SELECT * FROM topics WHERE meeting_id = ? ORDER BY key", (meeting_id,))

    def slot_rows(self, meeting_id: int) -> list[dict]:
        return self._query(
            """SELECT s.*, t.key AS topic_key FROM slots s JOIN topics t ON t.id = s.topic_id
               WHERE s.meeting_id = ? ORDER BY s.number""",
            (meeting_id,),
        )


class Recorder:
    """Performs the session's Save and NewMeeting effects, and keeps the meeting going when saving fails.

    `perform(effects, state, now)` returns events for the session: SaveFailed
    once when saving stops (the screen then says so), SaveRecovered when a later
    retry works. While failing it retries at most every `retry_seconds`.
    A meeting gets its row at the first save that has topics (a first scan).
    """

    def __init__(
        self,
        opener: Callable[[], Store],
        *,
        retry_seconds: float = 30.0,
    ) -> None:
        self._opener = opener
        self.retry_seconds = retry_seconds
        self.store: Store | None = None
        self.meeting_id: int | None = None
        self.failure: str | None = None  # why saving has stopped, while it has
        self._retry_at = float("-inf")
        self._reported = False
        try:
            self.store = opener()
        except StoreError as exc:
            self._fail(str(exc), now=None)

    @classmethod
    def open(cls, data_dir: str | Path | None = None, **store_args) -> Recorder:
        return cls(lambda: Store(data_dir, **store_args))

    def resume_prompt(self, rules: Rules, now: float) -> State | None:
        """The Resume? screen for the latest unfinished meeting (saves then go to it), or None.

        A meeting whose saved state cannot be read back is ended as "unreadable"
        (its rows stay for export) and logged, and the device starts afresh.
        """
        if self.store is None:
            return None
        info = None
        try:
            info = self.store.unfinished()
            if info is None:
                return None
            saved = self.store.load_state(info.id, rules, now)
        except StoreError as exc:
            log.error("%s Starting a new meeting instead.", exc)
            if info is not None:
                try:
                    self.store.end_meeting(info.id, "unreadable")
                except SaveError:
                    pass
            return None
        self.meeting_id = info.id
        return session.resume_prompt(saved, now)

    def perform(self, effects: Iterable, state: State, now: float) -> list:
        events = []
        for effect in effects:
            if isinstance(effect, NewMeeting):
                self._leave()
            elif isinstance(effect, Save):
                event = self._save(state, now)
                if event is not None:
                    events.append(event)
        if self.failure is not None and not self._reported:
            self._reported = True
            events.append(SaveFailed(self.failure))
        return events

    def _save(self, state: State, now: float):
        if self.meeting_id is None and not state.topics:
            return None  # nothing to record before the first scan
        if state.screen is Screen.RESUME:
            # The question "resume or start anew?" holds the saved meeting without its topics:
            # saving it would write an empty meeting over the one being asked about.
            return None
        if self.failure is not None:
            if now < self._retry_at:
                return None
            if self.store is None:
                try:
                    self.store = self._opener()
                except StoreError as exc:
                    self._fail(str(exc), now)
                    return None
        try:
            self.meeting_id = self.store.save(state, self.meeting_id)
        except SaveError as exc:
            self._fail(str(exc), now)
            return None
        if self.failure is not None:
            log.warning("saving works again")
            self.failure, self._reported = None, False
            return SaveRecovered()
        return None

    def _fail(self, message: str, now: float | None) -> None:
        if self.failure is None:
            log.error("%s The meeting goes on, but is no longer saved.", message)
            self._reported = False
        self.failure = message
        self._retry_at = (now if now is not None else float("-inf")) + self.retry_seconds

    def _leave(self) -> None:
        if self.meeting_id is not None and self.store is not None:
            try:
                self.store.end_meeting(self.meeting_id, "abandoned")
            except SaveError as exc:
                log.error("%s", exc)
        self.meeting_id = None

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
