"""Secure by default: each route family refuses every call until its secret, key or token is configured."""

from __future__ import annotations

import json
import logging

import pytest
from click.testing import CliRunner
from flask import Flask

from webhook.commands import loopback, serve
from webhook.config import from_env

NOTHING = {"API_TOKEN": "", "HMAC_SECRETS": ""}  # the tests' default token removed: a fresh install
ANALYZE = {"comment": {"text": "You are a complete idiot."}, "requestedAttributes": {"TOXICITY": {}}}


def calls(client):
    """One ordinary, unauthenticated call to each gated route family."""
    return {
        "/v1": client.post("/v1/moderate", json={"text": "you idiot"}, headers={"Authorization": ""}),
        "/v1 decisions": client.get("/v1/decisions/x", headers={"Authorization": ""}),
        "/coral": client.post("/coral", json={"comment": {"body": "<p>you idiot</p>"}}),
        "/discourse": client.post(
            "/discourse", json={"post": {"id": 1, "raw": "you idiot"}}, headers={"X-Discourse-Event": "post_created"}
        ),
        "/v1alpha1": client.post("/v1alpha1/comments:analyze", json=ANALYZE),
        "/v1alpha1 suggest": client.post(
            "/v1alpha1/comments:suggestscore",
            json={"comment": {"text": "x"}, "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1}}}},
        ),
    }


def test_nothing_configured_refuses_every_route_naming_the_setting(make_app):
    r = calls(make_app(**NOTHING).test_client())
    for name in ("/v1", "/v1 decisions"):
        assert r[name].status_code == 401 and r[name].headers["WWW-Authenticate"]
        err = r[name].json["error"]
        assert err["code"] == "unauthorized"
        assert "CIVILITY_API_TOKEN" in err["message"] and "CIVILITY_HMAC_SECRETS" in err["message"]
    for name, setting in (("/coral", "CIVILITY_CORAL_SECRETS"), ("/discourse", "CIVILITY_DISCOURSE_SECRET")):
        assert r[name].status_code == 404
        assert r[name].json["error"]["code"] == "adapter_off" and setting in r[name].json["error"]["message"]
    for name in ("/v1alpha1", "/v1alpha1 suggest"):  # Google's error shape, as Perspective clients expect
        assert r[name].status_code == 404
        err = r[name].json["error"]
        assert err["code"] == 404 and err["status"] == "NOT_FOUND" and "CIVILITY_PERSPECTIVE_KEYS" in err["message"]


def test_no_decision_is_made_or_stored_for_a_refused_call(make_app):
    app = make_app(**NOTHING)
    calls(app.test_client())
    assert app.extensions["moderation"].store.find_by_text("you idiot") is None


def test_akismet_refuses_every_key_when_none_is_configured(make_app):
    client = make_app(**NOTHING, ALLOW_UNSIGNED=True).test_client()
    form = {"api_key": "anything", "blog": "http://b", "user_ip": "1", "comment_content": "you idiot"}
    r = client.post("/1.1/comment-check", data=form)
    assert r.text == "invalid" and "Invalid API key" in r.headers["X-akismet-debug-help"]
    assert client.post("/1.1/verify-key", data={"key": "anything", "blog": "http://b"}).text == "invalid"


def test_allow_unsigned_opens_the_unconfigured_routes_and_says_so(make_app, caplog):
    with caplog.at_level(logging.WARNING, logger="civility.webhook"):
        app = make_app(**NOTHING, ALLOW_UNSIGNED=True)
    assert "CIVILITY_ALLOW_UNSIGNED is on: /v1, /coral, /discourse, /v1alpha1" in caplog.text
    client = app.test_client()
    r = calls(client)
    assert r["/v1"].status_code == 200 and r["/v1"].json["decision"] == "flag"
    assert r["/coral"].status_code == 200 and r["/coral"].json["status"] != "APPROVED"
    assert r["/discourse"].status_code == 200 and r["/discourse"].json["decision"] == "flag"
    assert r["/v1alpha1"].status_code == 200
    assert r["/v1alpha1"].json["attributeScores"]["TOXICITY"]["summaryScore"]["value"] > 0.8
    assert client.get("/readyz").json["unsigned_routes"] == ["/v1", "/coral", "/discourse", "/v1alpha1"]


def test_allow_unsigned_never_weakens_a_configured_secret(make_app):
    app = make_app(ALLOW_UNSIGNED=True, CORAL_SECRETS="c", DISCOURSE_SECRET="d", PERSPECTIVE_KEYS="p")
    r = calls(app.test_client())  # the /v1 call sends an empty Authorization header
    assert r["/v1"].status_code == r["/coral"].status_code == r["/discourse"].status_code == 401
    assert r["/v1alpha1"].status_code == 400 and r["/v1alpha1"].json["error"]["status"] == "INVALID_ARGUMENT"
    assert app.test_client().get("/readyz").json["unsigned_routes"] == []


def test_readyz_reports_no_open_route_by_default(client):
    assert client.get("/readyz").json["unsigned_routes"] == []


def test_the_environment_turns_it_on():
    assert from_env({"CIVILITY_ALLOW_UNSIGNED": "1"})["ALLOW_UNSIGNED"] is True
    assert from_env({"CIVILITY_ALLOW_UNSIGNED": "0"})["ALLOW_UNSIGNED"] is False


@pytest.mark.parametrize(
    ("host", "expected"),
    [("127.0.0.1", True), ("127.9.9.9", True), ("localhost", True), ("::1", True), ("[::1]", True),
     ("0.0.0.0", False), ("::", False), ("192.168.1.5", False), ("example.org", False)],
)  # fmt: skip
def test_loopback_hosts(host, expected):
    assert loopback(host) is expected


@pytest.mark.parametrize(("host", "opened"), [("127.0.0.1", True), ("0.0.0.0", False)])
def test_serve_on_loopback_opens_unsigned_routes_with_a_warning(monkeypatch, tmp_path, host, opened):
    seen = {}

    def run(app, **kwargs):  # the server itself is not started: the app it would serve is inspected
        seen["unsigned"] = app.config["ALLOW_UNSIGNED"]
        seen["ready"] = json.loads(app.test_client().get("/readyz").data)
        app.extensions["moderation"].store.close()

    monkeypatch.setattr(Flask, "run", run)
    for name in ("CIVILITY_ALLOW_UNSIGNED", "CIVILITY_API_TOKEN", "CIVILITY_HMAC_SECRETS", "CIVILITY_CORAL_SECRETS",
                 "CIVILITY_DISCOURSE_SECRET", "CIVILITY_PERSPECTIVE_KEYS"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CIVILITY_HANDLE_SIGHUP", "0")
    result = CliRunner().invoke(serve, ["--host", host, "--data-dir", str(tmp_path / "d")])
    assert result.exit_code == 0, result.output
    assert seen["unsigned"] is opened and bool(seen["ready"]["unsigned_routes"]) is opened
    assert ("CIVILITY_ALLOW_UNSIGNED=1" in result.output) is opened


def test_serve_on_loopback_respects_an_explicit_refusal(monkeypatch, tmp_path):
    seen = {}

    def run(app, **kwargs):
        seen["unsigned"] = app.config["ALLOW_UNSIGNED"]
        app.extensions["moderation"].store.close()

    monkeypatch.setattr(Flask, "run", run)
    monkeypatch.setenv("CIVILITY_ALLOW_UNSIGNED", "0")
    monkeypatch.setenv("CIVILITY_HANDLE_SIGHUP", "0")
    result = CliRunner().invoke(serve, ["--data-dir", str(tmp_path / "d")])
    assert result.exit_code == 0 and seen["unsigned"] is False
