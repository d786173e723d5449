"""Decisions, moderator feedback and the Discourse flag-back outbox, in SQLite (WAL) (CONTRACT.md section 6).

The :class:`Store` protocol is all the service uses, so a shared PostgreSQL can replace SQLite when several
hosts serve one community. Every write is committed before the caller answers. In WAL mode with
``synchronous=NORMAL`` (the default) a commit is in the WAL file before it returns, so a ``kill -9`` loses
no acknowledged write; only a power loss may roll back the last commits. ``FULL`` adds an fsync per
commit, which survives power loss but costs tail latency that a CMS's timeout (Coral: 200 ms) feels.
Comment text is kept for ``retain_days`` (0: only hashes).

Checkpoints (moving the WAL into the database file, which syncs both files) run in a background thread
every second, not in the request whose commit fills the WAL: there a checkpoint's fsync was that request's
delay (a commit's p99 4 ms and up to 90 ms on a loaded machine, against 0.09 ms without). A commit is
as durable as before: it is in the WAL when it returns.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import threading
import time
import typing as t
import weakref
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("civility.webhook")

DB_NAME = "civility.sqlite3"
_DAY = 86400.0

# Rows are never deleted (retention only blanks the text), so a plain INTEGER PRIMARY KEY numbers them in
# order as AUTOINCREMENT did, without its sqlite_sequence update: one page less in the WAL per commit (a
# decision's insert 31-34 -> 25-27 us). Stores created before keep AUTOINCREMENT; both read the same.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS decisions (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    text_sha256 TEXT NOT NULL,
    text TEXT,
    source TEXT NOT NULL,
    decision TEXT NOT NULL,
    label TEXT NOT NULL,
    body TEXT NOT NULL,
    created REAL NOT NULL,
    text_expires REAL
);
CREATE INDEX IF NOT EXISTS decisions_id ON decisions (id, seq);
CREATE INDEX IF NOT EXISTS decisions_hash ON decisions (text_sha256, seq);
CREATE TABLE IF NOT EXISTS feedback (
    seq INTEGER PRIMARY KEY,
    decision_id TEXT,
    text_sha256 TEXT NOT NULL,
    text TEXT,
    verdict TEXT NOT NULL,
    source TEXT NOT NULL,
    created REAL NOT NULL,
    text_expires REAL
);
CREATE TABLE IF NOT EXISTS outbox (
    post_id TEXT NOT NULL,
    version TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at REAL NOT NULL,
    lease_until REAL NOT NULL DEFAULT 0,
    last_error TEXT,
    PRIMARY KEY (post_id, version)
);
"""


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True, slots=True)
class StoredDecision:
    id: str
    decision: dict[str, t.Any]
    label: str
    source: str
    created: float
    text: str | None
    text_sha256: str


@dataclass(frozen=True, slots=True)
class OutboxItem:
    post_id: str
    version: str
    payload: dict[str, t.Any]
    attempts: int


class Store(t.Protocol):
    def put_decision(
        self, decision: dict[str, t.Any], label: str, text: str, source: str, *, keep_text: bool = True
    ) -> None: ...
    def get_decision(self, decision_id: str) -> StoredDecision | None: ...
    def find_by_text(self, text: str) -> StoredDecision | None: ...
    def add_feedback(
        self,
        decision_id: str | None,
        verdict: str,
        source: str,
        *,
        text: str | None = None,
        text_sha256: str | None = None,
    ) -> None: ...
    def feedback_rows(self) -> t.Iterator[tuple[str, str]]: ...
    def outbox_add(self, post_id: str, version: str, payload: dict[str, t.Any]) -> bool: ...
    def outbox_claim(self, lease_s: float, limit: int = 20) -> list[OutboxItem]: ...
    def outbox_done(self, item: OutboxItem) -> None: ...
    def outbox_retry(self, item: OutboxItem, error: str, delay_s: float, max_attempts: int) -> None: ...
    def outbox_state(self, post_id: str, version: str) -> tuple[str, int] | None: ...
    def next_due(self) -> float | None: ...
    def _purge_if_due(self, now: float) -> None:
        if now >= self._next_purge:
            self._next_purge = now + self.PURGE_EVERY_S
            self.purge()

    def purge(self) -> None: ...
    def close(self) -> None: ...


SYNC_MODES = ("normal", "full")


def feedback_lines(store: Store) -> t.Iterator[str]:
    """``civility feedback export``'s output: one ``{"text", "label"}`` JSON line per comment, the latest verdict
    winning (``ok`` or a category). It is the labeled input that ``civility eval`` and ``civility learn --feedback``
    read, so moderators' verdicts from every source (``/v1/feedback``, Akismet submits, Perspective
    ``suggestscore``) become regression cases and training rows the same way."""
    for text, label in store.feedback_rows():
        yield json.dumps({"text": text, "label": label}, ensure_ascii=False) + "\n"


class SQLiteStore:
    """One connection per thread to one database file in ``data_dir``."""

    #: how often writes also erase comment text past its retention (besides at start-up)
    PURGE_EVERY_S = 3600.0

    #: how often the background thread checkpoints the WAL
    CHECKPOINT_EVERY_S = 1.0

    def __init__(
        self, data_dir: Path, retain_days: int = 30, sync: str = "normal", clock: t.Callable[[], float] = time.time
    ) -> None:
        if sync.lower() not in SYNC_MODES:
            raise ValueError(f"sync must be one of {', '.join(SYNC_MODES)}, not {sync!r}")
        self.sync = sync.upper()
        self.path = Path(data_dir) / DB_NAME
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.retain_days = retain_days
        self.clock = clock  # tests move it forward to show retention without waiting for days
        self._next_purge = 0.0
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._checkpointer: sqlite3.Connection | None = None  # the checkpoint thread's own connection
        self._closed = False
        self._conn().executescript(_SCHEMA)

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(f"PRAGMA synchronous={self.sync}")
            conn.execute("PRAGMA busy_timeout=30000")
            conn.execute("PRAGMA wal_autocheckpoint=0")  # the background thread checkpoints
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
                self._closed = False
            _checkpoint_in_background(self)
        return conn

    def checkpoint(self) -> tuple[int, int, int]:
        """Move what the WAL holds into the database file (PASSIVE: never waits for a writer); the
        ``(busy, frames in the WAL, frames moved)`` SQLite reports. Its own connection, which opens
        the file only if it exists and waits at most a second for a lock: one store's trouble never
        holds up the others' checkpoints."""
        # Under the lock for the whole checkpoint: `close` from another thread must not close the connection
        # while SQLite works on it (that crashed the process), and a closed store is never reopened here.
        with self._lock:
            if self._closed:
                return 0, 0, 0
            if self._checkpointer is None:
                self._checkpointer = sqlite3.connect(
                    f"{self.path.as_uri()}?mode=rw", uri=True, timeout=1, isolation_level=None, check_same_thread=False
                )
                self._all.append(self._checkpointer)
            row = self._checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return int(row[0]), int(row[1]), int(row[2])

    def close(self) -> None:
        _stores.discard(self)
        with self._lock:
            self._closed = True
            for conn in self._all:
                conn.close()
            self._all.clear()
            self._checkpointer = None
        self._local = threading.local()

    def _expiry(self, now: float) -> float | None:
        return now + self.retain_days * _DAY if self.retain_days > 0 else None

    # Decisions -------------------------------------------------------------------------------------------

    def put_decision(
        self, decision: dict[str, t.Any], label: str, text: str, source: str, *, keep_text: bool = True
    ) -> None:
        now = self.clock()
        self._purge_if_due(now)
        keep = keep_text and self.retain_days > 0
        self._conn().execute(
            "INSERT INTO decisions (id, text_sha256, text, source, decision, label, body, created, text_expires)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (str(decision["id"]), text_hash(text), text if keep else None, source, decision["decision"], label,
             json.dumps(decision), now, self._expiry(now) if keep else None),
        )  # fmt: skip

    def _decision(self, where: str, arg: str) -> StoredDecision | None:
        row = (
            self._conn()
            .execute(
                f"SELECT id, body, label, source, created, text, text_expires, text_sha256 FROM decisions"
                f" WHERE {where} = ? ORDER BY seq DESC LIMIT 1",
                (arg,),
            )
            .fetchone()
        )
        if row is None:
            return None
        text = row[5] if row[6] is None or row[6] > self.clock() else None
        return StoredDecision(row[0], json.loads(row[1]), row[2], row[3], row[4], text, row[7])

    def get_decision(self, decision_id: str) -> StoredDecision | None:
        return self._decision("id", decision_id)

    def find_by_text(self, text: str) -> StoredDecision | None:
        return self._decision("text_sha256", text_hash(text))

    # Feedback --------------------------------------------------------------------------------------------

    def add_feedback(
        self,
        decision_id: str | None,
        verdict: str,
        source: str,
        *,
        text: str | None = None,
        text_sha256: str | None = None,
    ) -> None:
        """One moderator verdict; give the text when known, else at least its hash."""
        if text is None and text_sha256 is None:
            raise ValueError("feedback needs the text or its hash")
        now = self.clock()
        keep = self.retain_days > 0 and text is not None
        self._conn().execute(
            "INSERT INTO feedback (decision_id, text_sha256, text, verdict, source, created, text_expires)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (decision_id, text_sha256 or text_hash(t.cast(str, text)), text if keep else None, verdict, source,
             now, self._expiry(now) if keep else None),
        )  # fmt: skip

    def feedback_rows(self) -> t.Iterator[tuple[str, str]]:
        """``(text, label)`` per distinct text, the latest verdict winning; rows whose text expired are left out."""
        now = self.clock()
        rows = (
            self._conn()
            .execute(
                "SELECT f.text, f.verdict, d.text, d.text_expires FROM feedback f"
                " LEFT JOIN decisions d ON d.seq = (SELECT MAX(seq) FROM decisions WHERE text_sha256 = f.text_sha256)"
                " WHERE f.seq IN (SELECT MAX(seq) FROM feedback GROUP BY text_sha256)"
                " AND (f.text_expires IS NULL OR f.text_expires > ?) ORDER BY f.seq",
                (now,),
            )
            .fetchall()
        )
        for ftext, verdict, dtext, dexp in rows:
            text = ftext if ftext is not None else (dtext if dexp is not None and dexp > now else None)
            if text is not None:
                yield text, verdict

    # Outbox ----------------------------------------------------------------------------------------------

    def outbox_add(self, post_id: str, version: str, payload: dict[str, t.Any]) -> bool:
        """Queue one call; False when this (post, version) was queued before, so it is sent once."""
        cur = self._conn().execute(
            "INSERT OR IGNORE INTO outbox (post_id, version, payload, next_at) VALUES (?, ?, ?, ?)",
            (post_id, version, json.dumps(payload), self.clock()),
        )
        return cur.rowcount == 1

    def outbox_claim(self, lease_s: float, limit: int = 20) -> list[OutboxItem]:
        """Due items, each leased to this caller so that other workers skip it while it is being sent."""
        now = self.clock()
        conn = self._conn()
        due = conn.execute(
            "SELECT post_id, version, payload, attempts FROM outbox"
            " WHERE state = 'pending' AND next_at <= ? AND lease_until <= ? ORDER BY next_at LIMIT ?",
            (now, now, limit),
        ).fetchall()
        out = []
        for post_id, version, payload, attempts in due:
            cur = conn.execute(
                "UPDATE outbox SET lease_until = ? WHERE post_id = ? AND version = ? AND lease_until <= ?"
                " AND state = 'pending'",
                (now + lease_s, post_id, version, now),
            )
            if cur.rowcount == 1:
                out.append(OutboxItem(post_id, version, json.loads(payload), attempts))
        return out

    def outbox_done(self, item: OutboxItem) -> None:
        self._conn().execute(
            "UPDATE outbox SET state = 'sent', attempts = attempts + 1, lease_until = 0, last_error = NULL"
            " WHERE post_id = ? AND version = ?",
            (item.post_id, item.version),
        )

    def outbox_retry(self, item: OutboxItem, error: str, delay_s: float, max_attempts: int) -> None:
        state = "failed" if item.attempts + 1 >= max_attempts else "pending"
        self._conn().execute(
            "UPDATE outbox SET state = ?, attempts = attempts + 1, next_at = ?, lease_until = 0, last_error = ?"
            " WHERE post_id = ? AND version = ?",
            (state, self.clock() + delay_s, error[:500], item.post_id, item.version),
        )

    def outbox_state(self, post_id: str, version: str) -> tuple[str, int] | None:
        row = (
            self._conn()
            .execute("SELECT state, attempts FROM outbox WHERE post_id = ? AND version = ?", (post_id, version))
            .fetchone()
        )
        return None if row is None else (row[0], row[1])

    def next_due(self) -> float | None:
        row = self._conn().execute("SELECT MIN(next_at) FROM outbox WHERE state = 'pending'").fetchone()
        return None if row is None else row[0]

    # Retention -------------------------------------------------------------------------------------------

    def _purge_if_due(self, now: float) -> None:
        if now >= self._next_purge:
            self._next_purge = now + self.PURGE_EVERY_S
            self.purge()

    def purge(self) -> None:
        """Forget comment text past its retention; hashes, verdicts and decisions stay."""
        now = self.clock()
        conn = self._conn()
        for table in ("decisions", "feedback"):
            conn.execute(
                f"UPDATE {table} SET text = NULL"
                " WHERE text IS NOT NULL AND text_expires IS NOT NULL AND text_expires <= ?",
                (now,),
            )


# Checkpoints -----------------------------------------------------------------------------------------------

_stores: weakref.WeakSet[SQLiteStore] = weakref.WeakSet()
_checkpointer_pid: int | None = None
_checkpointer_lock = threading.Lock()


def _checkpoint_in_background(store: SQLiteStore) -> None:
    """Checkpoint `store` from this process's checkpoint thread, started on first use (also after a fork:
    threads do not survive one)."""
    global _checkpointer_pid
    _stores.add(store)
    if _checkpointer_pid == os.getpid():
        return
    with _checkpointer_lock:
        if _checkpointer_pid != os.getpid():
            _checkpointer_pid = os.getpid()
            threading.Thread(target=_checkpoint_loop, name="civility-checkpoint", daemon=True).start()


def _checkpoint_loop() -> None:
    while True:
        time.sleep(SQLiteStore.CHECKPOINT_EVERY_S)
        for store in list(_stores):
            try:
                store.checkpoint()
            except sqlite3.Error as e:  # a locked or vanished file: the next round tries again
                log.warning("checkpoint of %s failed: %s", store.path, e)
