"""The generic JSON API: /v1/moderate, /v1/moderate/batch, /v1/decisions/<id>, /v1/feedback."""

from __future__ import annotations

import json
import logging

import pytest

import webhook.moderation
from webhook.signing import sign

INSULT = "You are a complete idiot."
HELD = ("flag", "reject")  # the bundled policy may reject a heaped-up insult; either way it is not published
CLEAN = "The report is thin on sources, I think the denial deserves scrutiny."


def test_moderate_flags_an_insult_with_spans_into_the_text(client):
    r = client.post("/v1/moderate", json={"id": "c-1", "text": INSULT})
    assert r.status_code == 200
    d = r.json
    assert d["id"] == "c-1" and d["decision"] in HELD
    assert d["hits"] and all(INSULT[h["span"][0] : h["span"][1]] == h["match"] for h in d["hits"])
    assert d["message"] and d["policy_version"]


def test_moderate_approves_a_clean_comment_and_fills_in_an_id(client):
    d = client.post("/v1/moderate", json={"text": CLEAN}).json
    assert d["decision"] == "approve" and d["hits"] == [] and d["message"] == ""
    assert len(d["id"]) == 36  # a UUID


def test_html_spans_index_the_body_as_received(client):
    text = "<p>You are a complete <b>idiot</b>.</p>"
    d = client.post("/v1/moderate", json={"id": "h", "text": text, "format": "html"}).json
    assert d["decision"] in HELD
    assert all(text[h["span"][0] : h["span"][1]] == h["match"] for h in d["hits"])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"id": "x", "text": 5}, "text"),
        ({"id": "x"}, "text"),
        ({"text": "hi", "format": "pdf"}, "format"),
        ({"text": "hi", "author": {"account_age_days": "old"}}, "author.account_age_days"),
        ([1, 2], "body"),
    ],
)
def test_wrong_types_answer_400_naming_the_field(client, body, field):
    r = client.post("/v1/moderate", json=body)
    assert r.status_code == 400
    assert r.json["error"]["field"] == field and r.json["error"]["code"] and r.json["error"]["message"]


@pytest.mark.parametrize(
    ("data", "code"),
    [(b'{"id":', "invalid_json"), (b'{"text": "\xff\xfe"}', "invalid_utf8"), (b'{"text": "\\ud800"}', "invalid_utf8"),
     (b'{"text": NaN}', "invalid_json"), (b"[" * 100000, "invalid_json")],
)  # fmt: skip
def test_malformed_bodies_answer_400_with_field_body(client, data, code):
    r = client.post("/v1/moderate", data=data, content_type="application/json")
    assert r.status_code == 400
    assert r.json["error"] == {**r.json["error"], "code": code, "field": "body"}


def test_wrong_content_type_is_415(client):
    r = client.post("/v1/moderate", data="hello", content_type="text/plain")
    assert r.status_code == 415 and r.json["error"]["code"] == "unsupported_media_type"


def test_oversize_body_is_413(make_app):
    client = make_app(MAX_BODY_BYTES=1000).test_client()
    r = client.post("/v1/moderate", json={"text": "a" * 2000})
    assert r.status_code == 413 and r.json["error"]["code"] == "payload_too_large"


def test_text_over_max_chars_is_flagged_too_long(make_app):
    client = make_app(MAX_CHARS=10).test_client()
    d = client.post("/v1/moderate", json={"text": "a perfectly fine comment"}).json
    assert d["decision"] == "flag" and d["reasons"] == ["too_long"]


def test_budget_overrun_fails_closed(make_app):
    client = make_app(BUDGET_MS=0).test_client()
    d = client.post("/v1/moderate", json={"text": CLEAN}).json
    assert d["decision"] == "flag" and d["reasons"] == ["timeout"]


def test_engine_failure_fails_closed(client, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("engine bug")

    monkeypatch.setattr(webhook.moderation, "decide", boom)
    d = client.post("/v1/moderate", json={"id": "e", "text": CLEAN}).json
    assert d["decision"] == "flag" and d["reasons"] == ["engine_error"]


def test_batch_keeps_order_and_limits_size(make_app):
    client = make_app(MAX_BATCH=2).test_client()
    r = client.post("/v1/moderate/batch", json={"comments": [{"id": "a", "text": INSULT}, {"id": "b", "text": CLEAN}]})
    assert [(d["id"], d["decision"] in HELD) for d in r.json["decisions"]] == [("a", True), ("b", False)]
    r = client.post("/v1/moderate/batch", json={"comments": [{"text": "x"}] * 3})
    assert r.status_code == 400 and r.json["error"]["field"] == "comments"
    r = client.post("/v1/moderate/batch", json={"comments": [{"text": "x"}, {"text": 1}]})
    assert r.status_code == 400 and r.json["error"]["field"] == "comments[1].text"
    r = client.post("/v1/moderate/batch", json={"comments": "no"})
    assert r.status_code == 400 and r.json["error"]["field"] == "comments"


def test_stored_decision_is_explained(client):
    client.post("/v1/moderate", json={"id": "c-9", "text": CLEAN})
    client.post("/v1/moderate", json={"id": "c-9", "text": INSULT})  # the latest wins
    r = client.get("/v1/decisions/c-9")
    assert r.status_code == 200
    d = r.json
    assert d["decision"] in HELD and d["text"] == INSULT and d["source"] == "api"
    assert any(d["hits"][0]["rule"] in line for line in d["explanation"])
    r = client.get("/v1/decisions/nope")
    assert r.status_code == 404 and r.json["error"]["code"] == "not_found"


def test_retain_days_zero_keeps_no_text(make_app):
    client = make_app(RETAIN_DAYS=0).test_client()
    client.post("/v1/moderate", json={"id": "r", "text": INSULT})
    assert client.get("/v1/decisions/r").json["text"] is None


def test_feedback_is_recorded_against_the_decision(app, client):
    client.post("/v1/moderate", json={"id": "f-1", "text": INSULT})
    r = client.post("/v1/feedback", json={"id": "f-1", "verdict": "ok"})
    assert r.status_code == 201 and r.json["agrees"] is False
    assert list(app.extensions["moderation"].store.feedback_rows()) == [(INSULT, "ok")]
    r = client.post("/v1/feedback", json={"id": "f-1", "verdict": "nonsense"})
    assert r.status_code == 400 and r.json["error"]["field"] == "verdict"
    r = client.post("/v1/feedback", json={"id": "missing", "verdict": "ok"})
    assert r.status_code == 404
    r = client.post("/v1/feedback", json={"verdict": "ok"})
    assert r.status_code == 400 and r.json["error"]["field"] == "id"


def test_bearer_token_is_required_when_configured(make_app):
    client = make_app(API_TOKEN="123456").test_client()
    r = client.post("/v1/moderate", json={"text": CLEAN})
    assert r.status_code == 401 and r.json["error"]["code"] == "unauthorized"
    r = client.post("/v1/moderate", json={"text": CLEAN}, headers={"Authorization": "Bearer 1234567"})
    assert r.status_code == 401
    r = client.post("/v1/moderate", json={"text": CLEAN}, headers={"Authorization": "Bearer 123456"})
    assert r.status_code == 200
    assert client.get("/v1/decisions/x").status_code == 401


def test_hmac_signature_is_accepted_when_configured(make_app):
    client = make_app(API_TOKEN="", HMAC_SECRETS="old,new").test_client()
    body = json.dumps({"id": "s", "text": CLEAN}).encode()
    hdr = {"Content-Type": "application/json"}
    assert client.post("/v1/moderate", data=body, headers=hdr).status_code == 401
    bad = {**hdr, "X-Civility-Signature": sign("other", body)}
    assert client.post("/v1/moderate", data=body, headers=bad).status_code == 401
    good = {**hdr, "X-Civility-Signature": sign("new", body)}
    assert client.post("/v1/moderate", data=body, headers=good).status_code == 200
    tampered = body.replace(b'"s"', b'"t"')
    assert client.post("/v1/moderate", data=tampered, headers=good).status_code == 401


def test_each_decision_is_logged_as_json_without_text(client, caplog):
    with caplog.at_level(logging.INFO, logger="civility.decisions"):
        client.post("/v1/moderate", json={"id": "l-1", "text": INSULT})
    records = [json.loads(r.getMessage()) for r in caplog.records if r.name == "civility.decisions"]
    assert len(records) == 1
    rec = records[0]
    assert rec["id"] == "l-1" and rec["decision"] in HELD and rec["rules"] and rec["policy_version"]
    assert "latency_ms" in rec and "text" not in rec and "idiot" not in caplog.text


def test_text_is_logged_only_when_asked(make_app, caplog):
    client = make_app(LOG_TEXT=True).test_client()
    with caplog.at_level(logging.INFO, logger="civility.decisions"):
        client.post("/v1/moderate", json={"id": "l-2", "text": INSULT})
    assert json.loads(caplog.records[-1].getMessage())["text"] == INSULT
