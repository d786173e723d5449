"""The service under gunicorn on 127.0.0.1, with real processes: hot reload under load with a worker killed
by ``kill -9``, crash safety of the store and the Discourse outbox, a bounded soak, slow clients.

Bounded for CI; ``CIVILITY_SOAK_S`` lengthens the soak (README, Tests).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import threading
import time
import typing as t
from collections import Counter
from pathlib import Path

import httpx
import pytest
from conftest import WEBHOOK_POLICY
from server_helpers import TOKEN, Gunicorn, Load, rss_kb

from webhook.signing import sign
from webhook.store import DB_NAME, SQLiteStore

pytestmark = pytest.mark.skipif(shutil.which("gunicorn") is None and not Path("/proc").is_dir(),
                                reason="needs gunicorn and /proc")  # fmt: skip

INSULT, CLEAN = "You are a complete idiot.", "The council's figures on page 4 don't add up."
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def moderate(n: int) -> tuple[str, dict]:
    return "/v1/moderate", {"id": f"c{n}", "text": INSULT if n % 2 else CLEAN}


def readyz(server: Gunicorn) -> dict:
    return httpx.get(server.url + "/readyz", timeout=10).json()


def poll(cond, timeout: float = 20.0, step: float = 0.05):  # type: ignore[no-untyped-def]
    """Call ``cond`` until it returns something true (returned) or the time is up (None)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = cond()
        if value:
            return value
        time.sleep(step)
    return None


class Policy:
    """A policy directory edited by hand, as a moderator would: good edits and broken ones."""

    BROKEN = [
        ("name_calling.yaml", "rules:\n  - id: insult\n    match: {list: insults\n"),  # YAML syntax error
        ("spam.yaml", "rules:\n  - id: link\n    category: spam\n    guideline: no-spam\n    match: {nope: 1}\n"),
        (
            "threat.yaml",
            "rules:\n  - id: kill\n    category: threat\n    guideline: no-threats\n    match: {regex: '(a|aa)+$'}\n",
        ),  # fmt: skip  # refused: catastrophic
    ]

    def __init__(self, root: Path) -> None:
        self.root = root
        shutil.copytree(WEBHOOK_POLICY, root)
        self.original = {p.name: p.read_text() for p in root.glob("*.yaml")}

    def write(self, name: str, text: str) -> None:
        tmp = self.root / f".{name}.tmp"
        tmp.write_text(text)
        os.replace(tmp, self.root / name)

    # An edit is several files written one by one, and a worker may read between two of them. The version
    # goes first in a good edit and last in a broken one, so no half-written edit is a valid policy under a
    # version the test did not mean to be good.
    def good(self, version: str) -> None:
        self.write("policy.yaml", self.original["policy.yaml"].replace('version: "t1"', f'version: "{version}"'))
        for name, text in self.original.items():
            if name != "policy.yaml":
                self.write(name, text)

    def broken(self, i: int) -> None:
        name, text = self.BROKEN[i % len(self.BROKEN)]
        self.write(name, text)
        self.write("policy.yaml", self.original["policy.yaml"].replace('version: "t1"', f'version: "broken{i}"'))


def test_hot_reload_under_load_with_a_worker_killed_while_the_files_are_broken(tmp_path, capsys):
    policy = Policy(tmp_path / "policy")
    env = {"CIVILITY_POLICY_DIR": str(policy.root), "CIVILITY_DATA_DIR": str(tmp_path / "data"),
           "CIVILITY_RELOAD_INTERVAL_S": "0.05"}  # fmt: skip
    good_versions = {"t1"}
    with Gunicorn(env, workers=2, log=tmp_path / "gunicorn.log") as server:
        load = Load(server.url, moderate, threads=2, max_requests=20_000).start()
        killed_at = None
        reported_errors = 0
        for i in range(20):
            time.sleep(0.25)
            if i % 2 == 0:
                version = f"g{i // 2 + 1}"
                policy.good(version)
                good_versions.add(version)
                # both workers pick it up: a run of answers with the new version and no error
                assert poll(lambda v=version: all(
                    (r := readyz(server))["policy_version"].startswith(v + "-") and r["reload_error"] is None
                    for _ in range(4)))  # fmt: skip
                continue
            policy.broken(i)
            error = poll(lambda: readyz(server)["reload_error"])
            assert error, f"edit {i} was not reported on /readyz"
            reported_errors += 1
            if i == 13:  # the files on disk are broken: kill -9 one worker under load
                before = server.workers()
                killed_at = time.monotonic()
                server.kill_worker(before[0])
                fresh = server.wait_workers(2, exclude=[before[0]])
                assert fresh
                # the replacement boots on the last good copy, and says so
                boot = poll(lambda: (r := readyz(server))["policy_source"] == "last-good" and r)
                assert boot and boot["policy_version"].startswith(version + "-"), boot
                assert boot["reload_error"]  # and reports why it did not boot on the files
        outcomes = load.stop()
    failed = [o for o in outcomes if o.status != 200]
    versions = {o.body["policy_version"].rsplit("-", 1)[0] for o in outcomes if o.status == 200}
    in_flight_on_kill = [o for o in outcomes if killed_at is not None and o.started <= killed_at <= o.ended]
    with capsys.disabled():
        print(f"\nreload under load: {len(outcomes)} requests, {len(failed)} failed, "
              f"{len(in_flight_on_kill)} in flight at the kill, 20 edits (10 broken, {reported_errors} reported), "
              f"versions served {sorted(versions)}")  # fmt: skip
    assert len(outcomes) > 200
    # only a request the killed worker was serving may fail: a sync worker serves one at a time
    assert len(failed) <= 1, [(o.status, o.error) for o in failed]
    assert all(o in in_flight_on_kill for o in failed)
    assert versions <= good_versions, versions - good_versions  # never a broken edit
    assert reported_errors == 10


def test_kill_9_while_writing_decisions_and_feedback_loses_no_acknowledged_write(tmp_path, capsys):
    data = tmp_path / "data"
    env = {"CIVILITY_DATA_DIR": str(data), "CIVILITY_POLICY_DIR": str(WEBHOOK_POLICY)}
    decisions: dict[str, dict] = {}
    feedback: list[tuple[str, str]] = []
    failures: list[str] = []
    stop = threading.Event()

    def client(k: int, url: str) -> None:
        with httpx.Client(timeout=10, headers=AUTH) as c:
            for n in range(5000):
                if stop.is_set():
                    return
                cid, verdict = f"w{k}-{n}", "ok" if n % 2 else "name_calling"
                try:
                    r = c.post(url + "/v1/moderate", json={"id": cid, "text": INSULT if n % 2 else CLEAN})
                    if r.status_code != 200:
                        failures.append(f"moderate {r.status_code}")
                        continue
                    decisions[cid] = r.json()
                    r = c.post(url + "/v1/feedback", json={"id": cid, "verdict": verdict})
                    if r.status_code == 201:
                        feedback.append((cid, verdict))
                    else:
                        failures.append(f"feedback {r.status_code}")
                except httpx.HTTPError as e:
                    failures.append(type(e).__name__)

    kills = 3
    with Gunicorn(env, workers=2, log=tmp_path / "gunicorn.log") as server:
        threads = [threading.Thread(target=client, args=(k, server.url), daemon=True) for k in range(3)]
        for th in threads:
            th.start()
        for i in range(kills):
            time.sleep(1.0)
            victim = server.workers()[i % 2]
            server.kill_worker(victim)
            server.wait_workers(2, exclude=[victim])
        time.sleep(1.0)
        stop.set()
        for th in threads:
            th.join(30)
    # the server is down; read what it left on disk
    conn = sqlite3.connect(data / DB_NAME)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        bodies = [json.loads(b) for (b,) in conn.execute("SELECT body FROM decisions")]  # none torn
        assert all({"id", "decision", "policy_version"} <= set(b) for b in bodies)
        rows = conn.execute("SELECT decision_id, verdict FROM feedback").fetchall()
    finally:
        conn.close()
    store = SQLiteStore(data)
    try:
        missing = [
            cid for cid, body in decisions.items() if (s := store.get_decision(cid)) is None or s.decision != body
        ]
    finally:
        store.close()
    lost_feedback = Counter(feedback) - Counter(map(tuple, rows))
    with capsys.disabled():
        print(f"\nkill -9 while writing: {kills} workers killed, {len(decisions)} decisions and {len(feedback)} "
              f"feedback acknowledged, {len(missing)} decisions and {sum(lost_feedback.values())} feedback missing, "
              f"{len(failures)} requests failed ({Counter(failures)})")  # fmt: skip
    assert len(decisions) > 100 and len(feedback) > 100
    assert not missing and not lost_feedback
    # only requests in flight on a killed worker fail, and a sync worker serves one at a time
    assert len(failures) <= kills and all(f.endswith("Error") for f in failures), failures


class FakeDiscourse:
    """Discourse's flag API as the outbox meets it: ``POST /post_actions.json`` flags a post once per user
    (a repeat answers 403, as Discourse's guardian does) and ``GET /posts/ID.json`` shows the caller's flags
    in ``actions_summary``. While ``hang`` is set, a flag is recorded and its answer held back, as when the
    caller dies before it reads the answer."""

    def __init__(self) -> None:
        from werkzeug.serving import make_server

        self.flags: Counter[tuple[str, str]] = Counter()  # (post id, user) -> flags that took effect
        self.posts: list[str] = []  # every POST, in order
        self.checks = 0
        self.hang = threading.Event()
        self.release = threading.Event()
        self.server = make_server("127.0.0.1", 0, self.wsgi, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.lock = threading.Lock()

    def wsgi(self, environ, start_response):  # type: ignore[no-untyped-def]
        from werkzeug.wrappers import Request, Response

        req = Request(environ)
        user = req.headers.get("Api-Username", "")
        if req.method == "GET" and req.path.startswith("/posts/"):
            post = req.path.split("/")[2].removesuffix(".json")
            with self.lock:
                self.checks += 1
                acted = self.flags[(post, user)] > 0
            summary = [{"id": 7, "count": 1, "acted": True}] if acted else []
            return Response(json.dumps({"id": post, "actions_summary": summary}), content_type="application/json")(
                environ, start_response
            )
        post = req.form.get("id", "")
        with self.lock:
            self.posts.append(post)
            repeat = self.flags[(post, user)] > 0
            if not repeat:
                self.flags[(post, user)] += 1
        if repeat:
            body = {"errors": ["You are not permitted to view the requested resource."], "error_type": "invalid_access"}
            return Response(json.dumps(body), status=403, content_type="application/json")(environ, start_response)
        if self.hang.is_set():
            self.release.wait(20)
        return Response('{"id": 1}', content_type="application/json")(environ, start_response)

    def __enter__(self) -> FakeDiscourse:
        self.thread.start()
        return self

    def __exit__(self, *exc: t.Any) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def test_the_discourse_outbox_sends_each_flag_once_across_a_kill_9(tmp_path, capsys):
    data = tmp_path / "data"
    posts = [str(4200 + i) for i in range(6)]
    with FakeDiscourse() as fake:
        fake.hang.set()
        env = {"CIVILITY_DATA_DIR": str(data), "CIVILITY_POLICY_DIR": str(WEBHOOK_POLICY),
               "CIVILITY_DISCOURSE_SECRET": "disc", "CIVILITY_DISCOURSE_URL": fake.url,
               "CIVILITY_DISCOURSE_API_KEY": "k", "CIVILITY_DISCOURSE_TIMEOUT_S": "2",
               "CIVILITY_DISCOURSE_RETRY_BASE_S": "0.2"}  # fmt: skip
        with Gunicorn(env, workers=2, log=tmp_path / "gunicorn.log") as server:
            for post in posts:
                body = json.dumps({"post": {"id": int(post), "raw": INSULT, "version": 1}}).encode()
                r = httpx.post(server.url + "/discourse", content=body, timeout=10, headers={
                    "Content-Type": "application/json", "X-Discourse-Event": "post_created",
                    "X-Discourse-Event-Signature": sign("disc", body)})  # fmt: skip
                assert r.status_code == 200 and r.json()["flag_queued"] is True  # stored before this answer
            assert poll(lambda: fake.posts, timeout=10)  # a flag is taken, its answer held back...
            victims = server.workers()
            for pid in victims:  # ...and every worker is killed before it reads it
                server.kill_worker(pid)
            in_flight = len(fake.posts)
            fake.hang.clear()
            fake.release.set()
            server.wait_workers(2, exclude=victims)
            done = poll(lambda: all(fake.flags[(p, "system")] for p in posts) and outbox_states(data) == {"sent"},
                        timeout=40, step=0.2)  # fmt: skip
    with capsys.disabled():
        print(f"\noutbox across kill -9: {len(posts)} flags queued, {in_flight} in flight at the kill, "
              f"{len(fake.posts)} flag calls, {fake.checks} read-backs, "
              f"flags on Discourse's side {sorted(fake.flags.values())}")  # fmt: skip
    assert done, (fake.flags, outbox_states(data))
    assert all(fake.flags[(p, "system")] == 1 for p in posts)  # each post flagged once on Discourse's side
    assert Counter(fake.posts) == Counter(posts)  # and asked once: the lost answers were read back, not resent


def outbox_states(data: Path) -> set[str]:
    conn = sqlite3.connect(data / DB_NAME)
    try:
        return {s for (s,) in conn.execute("SELECT state FROM outbox")}
    finally:
        conn.close()


SOAK_S = float(os.environ.get("CIVILITY_SOAK_S", "30"))
GROWTH_BOUND_KB = 16 * 1024  # per worker, between the end of the warm-up and the end of the soak


def test_bounded_soak_keeps_memory_flat_and_answers_every_request(tmp_path, capsys):
    env = {"CIVILITY_DATA_DIR": str(tmp_path / "data"), "CIVILITY_POLICY_DIR": str(WEBHOOK_POLICY)}
    texts = [INSULT, CLEAN, "<p>Buy cheap pills at bit.ly/x now</p>", "y o u  a r e  a n  i d i 0 t",
             "I will find you", "\u202e\u200b" * 50 + "fine", "é 😀 " * 200]  # fmt: skip

    def request(n: int) -> tuple[str, dict]:
        return "/v1/moderate", {"id": f"s{n}", "text": texts[n % len(texts)] + f" #{n}", "format": "html"}

    with Gunicorn(env, workers=2, log=tmp_path / "gunicorn.log") as server:
        load = Load(server.url, request, threads=2, max_requests=10_000_000).start()
        time.sleep(max(3.0, SOAK_S / 5))  # warm-up: imports, caches, SQLite pages
        pids = server.workers()
        before = {pid: rss_kb(pid) for pid in pids}
        sent_before = load.sent()
        time.sleep(SOAK_S)
        after = {pid: rss_kb(pid) for pid in pids}
        outcomes = load.stop()
        assert server.workers() == pids  # no worker died or was recycled
    failed = [o for o in outcomes if o.status != 200]
    with capsys.disabled():
        print(f"\nsoak {SOAK_S:.0f} s: {len(outcomes)} requests ({len(outcomes) - sent_before} measured), "
              f"{len(failed)} failed; worker RSS before/after kB: "
              + ", ".join(f"{before[p]}/{after[p]}" for p in pids))  # fmt: skip
    assert not failed, failed[:3]
    assert len(outcomes) - sent_before > 100
    for pid in pids:
        assert after[pid] - before[pid] < GROWTH_BOUND_KB, (pid, before[pid], after[pid])


def test_a_slow_client_holds_one_worker_and_the_others_keep_answering(tmp_path):
    env = {"CIVILITY_DATA_DIR": str(tmp_path / "data"), "CIVILITY_POLICY_DIR": str(WEBHOOK_POLICY)}
    body = json.dumps({"id": "slow", "text": INSULT}).encode()
    with Gunicorn(env, workers=2, log=tmp_path / "gunicorn.log") as server:
        slow = socket.create_connection(("127.0.0.1", server.port), timeout=20)
        try:
            head = (f"POST /v1/moderate HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n"
                    f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()  # fmt: skip
            slow.sendall(head + body[:5])  # a worker takes it and waits for the rest
            time.sleep(0.5)
            quick = [httpx.post(server.url + "/v1/moderate", json={"text": CLEAN}, headers=AUTH, timeout=10)
                     for _ in range(20)]  # fmt: skip
            assert [r.status_code for r in quick] == [200] * 20
            for i in range(5, len(body)):  # the rest, a byte at a time
                slow.sendall(body[i : i + 1])
                time.sleep(0.05)
            answer = slow.recv(65536).decode("utf-8", "replace")
        finally:
            slow.close()
    assert answer.startswith("HTTP/1.1 200") and '"decision":"flag"' in answer.replace(" ", "")
