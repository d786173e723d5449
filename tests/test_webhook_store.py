"""The SQLite store: WAL, lookups by id and by text hash, retention, the outbox's once-only key."""

from __future__ import annotations

import sqlite3
import threading
import time

from engine.learn import read_examples
from webhook import store as store_module
from webhook.store import DB_NAME, SQLiteStore, feedback_lines, text_hash


def decision(cid: str, verdict: str = "flag") -> dict:
    return {"id": cid, "decision": verdict, "score": 5.0, "categories": [], "hits": [], "shadow_hits": [],
            "reasons": [], "message": "", "policy_version": "1-abc"}  # fmt: skip


def test_wal_and_lookups(tmp_path):
    store = SQLiteStore(tmp_path)
    store.put_decision(decision("a"), "name_calling", "You idiot", "api")
    store.put_decision(decision("a", "approve"), "ok", "fine", "api")
    assert sqlite3.connect(tmp_path / DB_NAME).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.get_decision("a").decision["decision"] == "approve"
    found = store.find_by_text("You idiot")
    assert found.id == "a" and found.label == "name_calling" and found.text_sha256 == text_hash("You idiot")
    assert store.get_decision("b") is None
    store.close()


def test_a_store_created_with_autoincrement_reads_and_writes_as_before(tmp_path):
    # stores made before the plain INTEGER PRIMARY KEY keep their schema: the latest row still wins
    old = sqlite3.connect(tmp_path / DB_NAME)
    old.executescript(
        store_module._SCHEMA.replace("seq INTEGER PRIMARY KEY,", "seq INTEGER PRIMARY KEY AUTOINCREMENT,")
    )
    old.close()
    store = SQLiteStore(tmp_path)
    for verdict in ("flag", "approve", "reject"):
        store.put_decision(decision("a", verdict), "ok", "same text", "api")
    assert store.get_decision("a").decision["decision"] == "reject"
    assert store.find_by_text("same text").decision["decision"] == "reject"
    conn = sqlite3.connect(tmp_path / DB_NAME)
    assert conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'decisions'").fetchone() == (3,)
    assert "AUTOINCREMENT" not in store_module._SCHEMA  # new stores skip sqlite_sequence's page per commit
    store.close()


def test_commits_leave_checkpoints_to_a_background_thread(tmp_path):
    # a checkpoint syncs the files: in the committing request it was that request's delay
    store = SQLiteStore(tmp_path)
    assert store._conn().execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0  # commits never checkpoint
    size = (tmp_path / DB_NAME).stat().st_size
    for i in range(300):
        store.put_decision(decision(f"c{i}"), "ok", f"comment {i} " * 20, "api")
    waited = 0.0
    while (tmp_path / DB_NAME).stat().st_size == size and waited < 10:
        time.sleep(0.1)
        waited += 0.1
    assert (tmp_path / DB_NAME).stat().st_size > size  # the thread moved them into the database file
    busy, frames, moved = store.checkpoint()
    assert busy == 0 and moved == frames
    assert store.get_decision("c299") is not None
    store.close()


def test_closing_while_the_checkpoint_thread_works(tmp_path):
    # the checkpoint thread and a closing request share the store: never a checkpoint on a closed
    # connection (that crashed the process), and a closed store is not reopened by the thread
    errors: list[BaseException] = []
    for round_ in range(20):
        store = SQLiteStore(tmp_path / str(round_))
        for i in range(50):
            store.put_decision(decision(f"c{i}"), "ok", f"comment {i} " * 20, "api")
        stop = threading.Event()

        def checkpoint_until_stopped() -> None:
            try:
                while not stop.is_set():
                    store.checkpoint()
            except BaseException as e:  # noqa: BLE001 - the test reports whatever escaped
                errors.append(e)

        worker = threading.Thread(target=checkpoint_until_stopped)
        worker.start()
        time.sleep(0.005)
        store.close()
        stop.set()
        worker.join()
        assert store.checkpoint() == (0, 0, 0) and store._all == []
    assert errors == []


class Clock:
    """A clock the test moves forward: retention is shown without waiting for days."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def texts(tmp_path) -> dict[str, str | None]:
    conn = sqlite3.connect(tmp_path / DB_NAME)
    try:
        rows = conn.execute("SELECT id, text FROM decisions UNION ALL SELECT 'f:' || decision_id, text FROM feedback")
        return dict(rows.fetchall())
    finally:
        conn.close()


def test_text_is_dropped_after_retention(tmp_path):
    clock = Clock()
    store = SQLiteStore(tmp_path, retain_days=1, clock=clock)
    store.put_decision(decision("a"), "name_calling", "You idiot", "api")
    store.add_feedback("a", "ok", "api", text="You idiot")
    clock.now += 2 * 86400
    assert store.get_decision("a").text is None  # hidden at once...
    store.purge()
    assert texts(tmp_path) == {"a": None, "f:a": None}  # ...and erased from the file
    assert list(store.feedback_rows()) == []
    assert store.find_by_text("You idiot").id == "a"  # the hash stays
    store.close()


def test_a_running_service_erases_old_text_as_it_writes(tmp_path):
    clock = Clock()
    store = SQLiteStore(tmp_path, retain_days=30, clock=clock)
    store.put_decision(decision("old"), "name_calling", "You idiot", "api")
    store.add_feedback("old", "name_calling", "api", text="You idiot")
    clock.now += 29 * 86400
    store.put_decision(decision("recent"), "ok", "Fine point about the budget.", "api")
    assert texts(tmp_path) == {"old": "You idiot", "recent": "Fine point about the budget.", "f:old": "You idiot"}
    clock.now += 2 * 86400  # 31 days after the first comment, 2 after the second: no restart in between
    store.put_decision(decision("new"), "ok", "Thanks for the link.", "api")
    assert texts(tmp_path) == {"old": None, "recent": "Fine point about the budget.", "new": "Thanks for the link.",
                               "f:old": None}  # fmt: skip
    assert store.get_decision("old").decision["id"] == "old"  # the decision itself stays
    store.close()


def test_retention_zero_keeps_no_text(tmp_path):
    store = SQLiteStore(tmp_path, retain_days=0)
    store.put_decision(decision("a"), "name_calling", "You idiot", "api")
    store.add_feedback("a", "ok", "api", text="You idiot")
    assert texts(tmp_path) == {"a": None, "f:a": None}
    store.close()


def test_outbox_key_is_post_and_version(tmp_path):
    store = SQLiteStore(tmp_path)
    assert store.outbox_add("1", "1", {"id": "1"}) is True
    assert store.outbox_add("1", "1", {"id": "1"}) is False
    assert store.outbox_add("1", "2", {"id": "1"}) is True
    items = store.outbox_claim(lease_s=30)
    assert {(i.post_id, i.version) for i in items} == {("1", "1"), ("1", "2")}
    assert store.outbox_claim(lease_s=30) == []  # leased: another worker skips them
    store.close()


def test_kill_9_loses_no_acknowledged_write(tmp_path):
    """A writer process acknowledges each decision after put_decision returns; killed mid-stream, every
    acknowledged decision is in the store."""
    import os
    import signal
    import subprocess
    import sys

    code = (
        "import sys, json\n"
        "from webhook.store import SQLiteStore\n"
        "from engine import load_policy, decide, Comment\n"
        "p = load_policy(None)\n"
        "store = SQLiteStore(sys.argv[1])\n"
        "for i in range(100000):\n"
        "    d = decide(p, Comment(text=f'comment {i}', id=f'k{i}'))\n"
        "    store.put_decision(d.to_dict(), d.label, f'comment {i}', 'api')\n"
        "    print(i, flush=True)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    acknowledged = -1
    for line in proc.stdout:
        acknowledged = int(line)
        if acknowledged >= 150:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    store = SQLiteStore(tmp_path)
    missing = [i for i in range(acknowledged + 1) if store.get_decision(f"k{i}") is None]
    store.close()
    assert acknowledged >= 150 and missing == []


def test_sync_mode_is_checked(tmp_path):
    import pytest

    with pytest.raises(ValueError, match="sync must be one of normal, full"):
        SQLiteStore(tmp_path, sync="sometimes")
    store = SQLiteStore(tmp_path, sync="full")
    assert store._conn().execute("PRAGMA synchronous").fetchone()[0] == 2
    store.close()


def test_feedback_export_is_what_learn_reads(tmp_path):
    """One line per distinct text, the latest verdict winning, read by `civility learn --feedback` as is."""
    store = SQLiteStore(tmp_path / "store")
    store.put_decision(decision("a", "approve"), "ok", "Check out my channel, free gift cards!!", "api")
    store.add_feedback("a", "spam", "api", text="Check out my channel, free gift cards!!")
    store.add_feedback(None, "ok", "akismet", text="Great song, takes me back to 2012 \u266a")
    store.add_feedback(None, "spam", "akismet", text="Great song, takes me back to 2012 \u266a")  # changed their mind
    store.add_feedback(None, "ok", "perspective", text="Line one\nline two, \"quoted\"")
    out = tmp_path / "labels.jsonl"
    out.write_text("".join(feedback_lines(store)), encoding="utf-8")
    store.close()
    rows, problems = read_examples(out, weight=5.0)
    assert problems == []
    assert [(ex.text, ex.label, ex.weight) for ex in rows] == [
        ("Check out my channel, free gift cards!!", "spam", 5.0),
        ("Great song, takes me back to 2012 \u266a", "spam", 5.0),
        ('Line one\nline two, "quoted"', "ok", 5.0),
    ]
