"""Coral's external moderation phase, with bodies built by Node exactly as Coral builds them."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from conftest import WEBHOOK_POLICY

import webhook.moderation
from webhook.adapters.coral import render
from webhook.config import defaults
from webhook.signing import sign

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node builds Coral's JSON.stringify(body, null, 2)")

INSULT_HTML = "<p>You are a complete <b>idiot</b>, é 😀 \u2028 go away</p>"
CLEAN_HTML = "<p>The minister's budget ignores rural bus routes; the figures on page 4 don't add up. é 😀</p>"


def coral_body(text: str) -> bytes:
    """The phase request as Coral's ``external.ts`` serializes it: pretty-printed by Node, U+2028 left raw."""
    js = (
        "process.stdout.write(JSON.stringify({action:'NEW',comment:{body:process.argv[1],parentID:null},"
        "author:{id:'baf4e943-3594-4fcc-b2ba-3e8de7a76352',role:'COMMENTER'},"
        "story:{id:'245b3856-b0a0-4d2f-a6bb-58c71f18d6a6',url:'http://localhost:1313/posts/a-story-url/'},"
        "site:{id:'a4bede88-2d2c-4424-bc18-4322a9e285a6'},tenantID:'19ba5794',tenantDomain:'localhost'}, null, 2))"
    )
    return subprocess.run([NODE, "-e", js, text], capture_output=True, check=True).stdout


def headers(body: bytes, *secrets: str) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": "Coral Moderation/9.0.0",
        "X-Coral-Signature": ",".join(sign(s, body) for s in secrets),
    }


@pytest.fixture
def coral(make_app):
    return make_app(CORAL_SECRETS="coral-new").test_client()


@needs_node
def test_node_body_is_pretty_printed_with_raw_unicode():
    body = coral_body(INSULT_HTML)
    assert body.startswith(b'{\n  "action": "NEW"') and "\u2028".encode() in body and "😀".encode() in body


@needs_node
def test_flagged_comment_is_withheld_with_a_flag_action(coral):
    body = coral_body(INSULT_HTML)
    r = coral.post("/coral", data=body, headers=headers(body, "coral-old", "coral-new"))
    assert r.status_code == 200
    assert r.json["status"] in ("SYSTEM_WITHHELD", "REJECTED")
    if r.json["status"] == "SYSTEM_WITHHELD":
        assert r.json["actions"] == [{"actionType": "FLAG", "reason": "COMMENT_DETECTED_TOXIC"}]


@needs_node
def test_clean_comment_is_approved(coral):
    body = coral_body(CLEAN_HTML)
    r = coral.post("/coral", data=body, headers=headers(body, "coral-new"))
    assert r.status_code == 200 and r.json == {"status": "APPROVED"}


@needs_node
def test_signature_over_a_reserialized_body_fails(coral):
    body = coral_body(CLEAN_HTML)
    import json

    compact = json.dumps(json.loads(body)).encode()
    r = coral.post("/coral", data=body, headers=headers(compact, "coral-new"))
    assert r.status_code == 401 and r.json["error"]["code"] == "unauthorized"


@needs_node
@pytest.mark.parametrize("secrets", [(), ("coral-old",), ("wrong", "other")])
def test_missing_or_wrong_signature_is_401(coral, secrets):
    body = coral_body(CLEAN_HTML)
    r = coral.post("/coral", data=body, headers=headers(body, *secrets))
    assert r.status_code == 401 and "error" in r.json


@pytest.mark.parametrize("data", [b"{not json", b'{"comment": {"body": 5}}', b"[]", b'{"x": 1}'])
def test_any_failure_after_a_valid_signature_is_withheld_not_an_error(coral, data):
    r = coral.post("/coral", data=data, headers=headers(data, "coral-new"))
    assert r.status_code == 200
    assert r.json["status"] == "SYSTEM_WITHHELD" and r.json["actions"][0]["actionType"] == "FLAG"


def test_engine_error_is_withheld(coral, monkeypatch):
    monkeypatch.setattr(webhook.moderation, "decide", lambda *a, **k: 1 / 0)
    data = b'{"action": "NEW", "comment": {"body": "<p>hello</p>", "parentID": null}}'
    r = coral.post("/coral", data=data, headers=headers(data, "coral-new"))
    assert r.status_code == 200 and r.json["status"] == "SYSTEM_WITHHELD"


def test_overrun_is_withheld(make_app):
    client = make_app(CORAL_SECRETS="s", BUDGET_MS=0).test_client()
    data = b'{"action": "NEW", "comment": {"body": "<p>hello there</p>", "parentID": null}}'
    r = client.post("/coral", data=data, headers=headers(data, "s"))
    assert r.status_code == 200 and r.json["status"] == "SYSTEM_WITHHELD"


def test_comment_is_moderated_as_html(make_app):
    app = make_app(POLICY_DIR=str(WEBHOOK_POLICY), CORAL_SECRETS="coral-new")
    data = b'{"action": "NEW", "comment": {"body": "<p>buy &#112;ills now</p>", "parentID": null}}'
    r = app.test_client().post("/coral", data=data, headers=headers(data, "coral-new"))
    assert r.status_code == 200 and r.json["status"] == "SYSTEM_WITHHELD"
    assert r.json["actions"] == [{"actionType": "FLAG", "reason": "COMMENT_DETECTED_SPAM"}]


class _D:
    """A decision stand-in for the render map tests."""

    def __init__(self, verdict, label, message="Please be civil."):
        from engine import Verdict

        self.decision = Verdict(verdict)
        self.label = label
        self.message = message
        self.id = "coral:1"
        self.hits = ()
        self.reasons = ()


def test_reject_carries_a_dsa_reason_and_the_message():
    out = render(_D("reject", "threat", "Threats are not allowed."), defaults())
    assert out["status"] == "REJECTED"
    reason = out["moderationAction"]["rejectionReason"]
    assert out["moderationAction"]["status"] == "REJECTED"
    assert reason["code"] == "HARASSMENT_BULLYING" and "Threats are not allowed." in reason["detailedExplanation"]
    assert render(_D("reject", "spam"), defaults())["moderationAction"]["rejectionReason"]["code"] == "SPAM"
    other = render(_D("reject", "contradiction"), defaults())["moderationAction"]["rejectionReason"]
    assert other["code"] == "OTHER" and other["customReason"] == "Please be civil."


def test_maps_are_configurable():
    cfg = defaults()
    cfg["CORAL_STATUSES"]["flag"] = "PREMOD"
    cfg["CORAL_REASONS"]["threat"] = "ILLEGAL_CONTENT"
    assert render(_D("flag", "tone"), cfg)["status"] == "PREMOD"
    assert render(_D("reject", "threat"), cfg)["moderationAction"]["rejectionReason"]["code"] == "ILLEGAL_CONTENT"
    cfg["CORAL_STATUSES"]["flag"] = "NONE"  # flag, but leave it published
    assert render(_D("flag", "tone"), cfg) == {"actions": [{"actionType": "FLAG", "reason": "COMMENT_DETECTED_TOXIC"}]}
