"""Hot reload: edits and SIGHUP swap the policy; a broken edit keeps the last good one; boot on the last good copy."""

from __future__ import annotations

import os
import signal

import pytest

from engine import PolicyError, policy_digest
from webhook import reload
from webhook.reload import LAST_GOOD, install_sighup

BROKEN = "# BROKEN on purpose\nrules:\n  - id: broken\n    category: nope\n    match: {regex: '(a+)+'}\n"


def set_version(policy_dir, version):
    p = policy_dir / "policy.yaml"
    p.write_text(p.read_text().replace('version: "t1"', f'version: "{version}"'))


def test_an_edit_is_picked_up(make_app, policy_dir):
    client = make_app(POLICY_DIR=str(policy_dir), RELOAD_INTERVAL_S=0).test_client()
    assert client.get("/readyz").json["policy_version"].startswith("t1-")
    set_version(policy_dir, "t2")
    ready = client.get("/readyz").json
    assert ready["policy_version"].startswith("t2-") and ready["reload_error"] is None
    assert client.post("/v1/moderate", json={"text": "hello"}).json["policy_version"].startswith("t2-")


def test_a_broken_edit_keeps_the_last_good_policy_and_reports_the_error(make_app, policy_dir, caplog):
    client = make_app(POLICY_DIR=str(policy_dir), RELOAD_INTERVAL_S=0).test_client()
    good = client.get("/readyz").json["policy_version"]
    (policy_dir / "broken.yaml").write_text(BROKEN)
    ready = client.get("/readyz").json
    assert ready["status"] == "ready" and ready["policy_version"] == good
    assert "broken.yaml" in ready["reload_error"]
    assert "broken.yaml" in caplog.text
    d = client.post("/v1/moderate", json={"text": "You idiot"}).json
    assert d["decision"] == "flag" and d["policy_version"] == good
    (policy_dir / "broken.yaml").unlink()
    set_version(policy_dir, "t3")
    ready = client.get("/readyz").json
    assert ready["reload_error"] is None and ready["policy_version"].startswith("t3-")


def test_edits_are_polled_at_most_once_per_interval(make_app, policy_dir):
    client = make_app(POLICY_DIR=str(policy_dir), RELOAD_INTERVAL_S=3600).test_client()
    first = client.get("/readyz").json["policy_version"]
    set_version(policy_dir, "t2")
    assert client.get("/readyz").json["policy_version"] == first


def test_unchanged_files_are_not_hashed_at_every_poll(make_app, policy_dir, monkeypatch):
    monkeypatch.setattr(reload, "RACY_S", 0)  # the copied files were written just now
    hashed = []
    monkeypatch.setattr(reload, "fingerprint", lambda d: hashed.append(d) or policy_digest(d))
    client = make_app(POLICY_DIR=str(policy_dir), RELOAD_INTERVAL_S=0).test_client()
    hashed.clear()
    for _ in range(5):
        assert client.get("/readyz").json["policy_version"].startswith("t1-")
    assert len(hashed) == 1  # the first poll, which records the files' stat()
    set_version(policy_dir, "t2")
    assert client.get("/readyz").json["policy_version"].startswith("t2-")


def test_a_same_size_edit_with_its_mtime_put_back_is_picked_up(make_app, policy_dir, monkeypatch):
    monkeypatch.setattr(reload, "RACY_S", 0)
    client = make_app(POLICY_DIR=str(policy_dir), RELOAD_INTERVAL_S=0).test_client()
    client.get("/readyz")
    client.get("/readyz")  # stat() recorded
    path = policy_dir / "policy.yaml"
    before = path.stat()
    set_version(policy_dir, "t7")  # as many bytes as "t1"
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # the ctime moves all the same
    assert path.stat().st_size == before.st_size
    assert client.get("/readyz").json["policy_version"].startswith("t7-")


def test_files_written_within_the_racy_window_are_hashed_whatever_their_stat(make_app, policy_dir, monkeypatch):
    # A same-size rewrite within one timestamp tick of the last look leaves stat() as it was: stand in for it
    # with stat() that never changes, its newest file within the window.
    monkeypatch.setattr(reload, "RACY_S", 3600)
    frozen = reload.file_stats(policy_dir)
    monkeypatch.setattr(reload, "file_stats", lambda d: frozen)
    client = make_app(POLICY_DIR=str(policy_dir), RELOAD_INTERVAL_S=0).test_client()
    client.get("/readyz")
    client.get("/readyz")
    set_version(policy_dir, "t8")
    assert client.get("/readyz").json["policy_version"].startswith("t8-")


def test_sighup_reloads(make_app, policy_dir):
    previous = signal.getsignal(signal.SIGHUP)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    try:
        app = make_app(POLICY_DIR=str(policy_dir), RELOAD_INTERVAL_S=3600, HANDLE_SIGHUP=True)
        assert install_sighup()
        client = app.test_client()
        set_version(policy_dir, "t9")
        assert client.get("/readyz").json["policy_version"].startswith("t1-")
        os.kill(os.getpid(), signal.SIGHUP)
        assert client.get("/readyz").json["policy_version"].startswith("t9-")
    finally:
        signal.signal(signal.SIGHUP, previous)


def test_a_worker_boots_on_the_last_good_copy_when_the_files_are_broken(make_app, policy_dir, tmp_path):
    first = make_app(POLICY_DIR=str(policy_dir))
    version = first.extensions["moderation"].policy.version
    assert (tmp_path / "data" / LAST_GOOD / "policy.yaml").is_file()
    (policy_dir / "broken.yaml").write_text(BROKEN)
    second = make_app(POLICY_DIR=str(policy_dir)).test_client()
    ready = second.get("/readyz").json
    assert ready["policy_source"] == "last-good" and ready["policy_version"] == version
    assert "broken.yaml" in ready["reload_error"]
    assert second.post("/v1/moderate", json={"text": "You idiot"}).json["decision"] == "flag"


def test_boot_fails_without_any_good_copy(make_app, policy_dir):
    (policy_dir / "broken.yaml").write_text(BROKEN)
    with pytest.raises(PolicyError):
        make_app(POLICY_DIR=str(policy_dir))


def test_data_dir_inside_the_policy_dir_is_refused(make_app, policy_dir):
    with pytest.raises(ValueError, match="must not be inside"):
        make_app(POLICY_DIR=str(policy_dir), DATA_DIR=str(policy_dir / "data"))
