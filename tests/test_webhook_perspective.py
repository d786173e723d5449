"""Perspective-compatible analysis and feedback, with requests built as Coral's toxicity phase builds them."""

from __future__ import annotations

import json

import pytest
from conftest import WEBHOOK_POLICY

from engine import Verdict
from webhook.adapters.perspective import band

KEY = "pkey"
TOXIC = "You are a complete idiot and everyone here knows it."
CLEAN = "The council's figures on page 4 don't add up; I'd like to see the raw counts."


@pytest.fixture
def client(make_app):
    return make_app(PERSPECTIVE_KEYS=KEY, POLICY_DIR=str(WEBHOOK_POLICY)).test_client()


def coral_analyze(client, text, model="TOXICITY", key=KEY):
    """Coral's ``perspective.ts``: compact JSON, the key in the query string."""
    body = json.dumps({"comment": {"text": text}, "doNotStore": True, "requestedAttributes": {model: {}},
                       "languages": ["en"]}, separators=(",", ":"))  # fmt: skip
    return client.post(f"/v1alpha1/comments:analyze?key={key}", data=body, headers={"Content-Type": "application/json"})


def value(r, attr="TOXICITY"):
    return r.json["attributeScores"][attr]["summaryScore"]["value"]


def test_flagged_scores_above_and_approved_below_coral_threshold(client):
    hi, lo = coral_analyze(client, TOXIC), coral_analyze(client, CLEAN)
    assert hi.status_code == lo.status_code == 200
    assert value(hi) > 0.80 and value(lo) < 0.80
    assert hi.json["languages"] == ["en"]
    assert hi.json["attributeScores"]["TOXICITY"]["summaryScore"]["type"] == "PROBABILITY"


def test_bands_never_touch_the_threshold():
    for s in (0, 0.5, 3, 11.9, 1e9):
        assert band(Verdict.APPROVE, s) < 0.80 < band(Verdict.FLAG, s) < band(Verdict.REJECT, s) < 1


def test_attributes_follow_categories_with_spans(client):
    body = {"comment": {"text": "you idiot, buy pills"}, "requestedAttributes": {"INSULT": {}, "THREAT": {}, "SPAM": {},
            "SEVERE_TOXICITY": {}}, "spanAnnotations": True}  # fmt: skip
    r = client.post(f"/v1alpha1/comments:analyze?key={KEY}", json=body)
    scores = r.json["attributeScores"]
    assert value(r, "INSULT") > 0.8 and value(r, "SPAM") > 0.8
    assert value(r, "THREAT") < 0.8 and value(r, "SEVERE_TOXICITY") < 0.8
    span = scores["INSULT"]["spanScores"][0]
    assert body["comment"]["text"][span["begin"] : span["end"]].lower() == "idiot"


def test_a_reject_is_severe(client):
    r = client.post(f"/v1alpha1/comments:analyze?key={KEY}",
                    json={"comment": {"text": "I will kill you"}, "requestedAttributes": {"SEVERE_TOXICITY": {}, "THREAT": {}}})  # fmt: skip
    assert value(r, "SEVERE_TOXICITY") > 0.8 and value(r, "THREAT") >= 0.95


def test_score_threshold_omits_low_attributes(client):
    r = client.post(f"/v1alpha1/comments:analyze?key={KEY}",
                    json={"comment": {"text": CLEAN}, "requestedAttributes": {"TOXICITY": {"scoreThreshold": 0.5}}})  # fmt: skip
    assert r.json["attributeScores"] == {}


@pytest.mark.parametrize(
    "body",
    [{"comment": {"text": "x"}, "requestedAttributes": {"NO_SUCH_ATTR": {}}},
     {"comment": {"text": "x"}, "requestedAttributes": {}},
     {"comment": {"text": 5}, "requestedAttributes": {"TOXICITY": {}}},
     {"requestedAttributes": {"TOXICITY": {}}},
     {"comment": {"text": "x"}, "requestedAttributes": {"TOXICITY": {}}, "languages": "en"}],
)  # fmt: skip
def test_bad_requests_are_400_in_googles_shape(client, body):
    r = client.post(f"/v1alpha1/comments:analyze?key={KEY}", json=body)
    assert r.status_code == 400
    assert (
        r.json["error"]["code"] == 400
        and r.json["error"]["status"] == "INVALID_ARGUMENT"
        and r.json["error"]["message"]
    )


def test_wrong_key_and_malformed_json_are_400(client):
    assert coral_analyze(client, CLEAN, key="wrong").status_code == 400
    r = client.post(f"/v1alpha1/comments:analyze?key={KEY}", data="{", content_type="application/json")
    assert r.status_code == 400 and r.json["error"]["status"] == "INVALID_ARGUMENT"


def test_do_not_store_keeps_no_text(make_app):
    app = make_app(POLICY_DIR=str(WEBHOOK_POLICY), PERSPECTIVE_KEYS=KEY)
    coral_analyze(app.test_client(), TOXIC)
    stored = app.extensions["moderation"].store.find_by_text(TOXIC)
    assert stored is not None and stored.text is None


def suggest(client, text, v):
    """Coral's ``sendFeedback``: 0 when a moderator approves, 1 when they reject."""
    body = {"comment": {"text": text},
            "context": {"entries": [{"text": json.dumps({"url": "http://localhost:1313/posts/a/?commentID=c1",
                                                          "reply_to_id_Coral_comment_id": None, "Coral_comment_id": "c1"})}]},
            "attributeScores": {"TOXICITY": {"summaryScore": {"value": v}}}, "languages": ["en"],
            "communityId": "Coral:http://localhost", "clientToken": "comment:c1"}  # fmt: skip
    return client.post(f"/v1alpha1/comments:suggestscore?key={KEY}", json=body)


def test_suggestscore_records_moderator_feedback(make_app):
    app = make_app(PERSPECTIVE_KEYS=KEY, POLICY_DIR=str(WEBHOOK_POLICY))
    client = app.test_client()
    coral_analyze(client, TOXIC)
    r = suggest(client, TOXIC, 1)
    assert r.status_code == 200 and r.json == {"clientToken": "comment:c1"}
    assert suggest(client, CLEAN, 0).status_code == 200
    rows = list(app.extensions["moderation"].store.feedback_rows())
    assert rows == [(TOXIC, "name_calling"), (CLEAN, "ok")]
    bad = client.post(
        f"/v1alpha1/comments:suggestscore?key={KEY}", json={"comment": {"text": "x"}, "attributeScores": {"X": {}}}
    )
    assert bad.status_code == 400 and bad.json["error"]["status"] == "INVALID_ARGUMENT"
