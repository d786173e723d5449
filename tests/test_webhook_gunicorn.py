"""The service under gunicorn on 127.0.0.1, with real processes: hot reload under load with a worker killed
by ``kill -9``, crash safety of the store and the Discourse outbox, a bounded soak, slow clients.

Bounded for CI; ``CIVILITY_SOAK_S`` lengthens the soak (README, Tests).
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import httpx
import pytest
from conftest import WEBHOOK_POLICY
from server_helpers import TOKEN, Gunicorn, Load

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
        ("threat.yaml", "rules:\n  - id: kill\n    category: threat\n    guideline: no-threats\n"
                        "    match: {regex: '(a|aa)+$'}\n"),  # fmt: skip  # refused: catastrophic
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
