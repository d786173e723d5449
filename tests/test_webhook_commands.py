"""``civility serve`` and ``civility feedback export``, through click's runner."""

from __future__ import annotations

import json

from click.testing import CliRunner
from conftest import WEBHOOK_POLICY

from webhook.commands import feedback, serve
from webhook.store import SQLiteStore


def test_export_writes_one_labeled_line_per_comment(make_app, tmp_path):
    app = make_app(POLICY_DIR=str(WEBHOOK_POLICY))
    client = app.test_client()
    client.post("/v1/moderate", json={"id": "a", "text": "You idiot"})
    client.post("/v1/moderate", json={"id": "b", "text": "Nice chart, é 😀"})
    client.post("/v1/feedback", json={"id": "a", "verdict": "ok"})
    client.post("/v1/feedback", json={"id": "a", "verdict": "name_calling"})  # the latest verdict wins
    client.post("/v1/feedback", json={"id": "b", "verdict": "ok"})
    out = tmp_path / "labels.jsonl"
    result = CliRunner().invoke(feedback, ["export", "--data-dir", str(tmp_path / "data"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [
        {"text": "You idiot", "label": "name_calling"},
        {"text": "Nice chart, é 😀", "label": "ok"},
    ]
    stdout = CliRunner().invoke(feedback, ["export", "--data-dir", str(tmp_path / "data")])
    assert stdout.exit_code == 0 and stdout.output.splitlines() == lines


def test_export_without_a_store_fails_cleanly(tmp_path):
    result = CliRunner().invoke(feedback, ["export", "--data-dir", str(tmp_path / "none")])
    assert result.exit_code == 1 and "no store" in result.output


def test_expired_text_is_not_exported(tmp_path):
    store = SQLiteStore(tmp_path, retain_days=0)
    store.add_feedback(None, "ok", "cli", text="kept nowhere")
    assert list(store.feedback_rows()) == []
    store.close()


def test_serve_runs_the_app_with_the_given_policy(monkeypatch, tmp_path):
    seen = {}

    def fake_run(self, host, port, **kw):
        seen.update(
            host=host, port=port, policy=self.extensions["moderation"].policy.version, threaded=kw.get("threaded")
        )

    monkeypatch.setattr("flask.Flask.run", fake_run)
    monkeypatch.setenv("CIVILITY_HANDLE_SIGHUP", "0")
    result = CliRunner().invoke(
        serve,
        ["--host", "127.0.0.1", "--port", "8123", "--policy", str(WEBHOOK_POLICY), "--data-dir", str(tmp_path / "d")],
    )
    assert result.exit_code == 0, result.output
    assert (
        seen["host"] == "127.0.0.1" and seen["port"] == 8123 and seen["policy"].startswith("t1-") and seen["threaded"]
    )
    assert CliRunner().invoke(serve, ["--port", "99999"]).exit_code == 2
