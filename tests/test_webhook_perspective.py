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
        for p in (0.0, 0.3, 1.0):
            assert band(Verdict.APPROVE, s, p) < 0.80 < band(Verdict.FLAG, s, p) < band(Verdict.REJECT, s, p) < 1


def test_inside_a_band_the_model_probability_orders():
    for verdict in Verdict:
        assert band(verdict, 0, 0.0) < band(verdict, 0, 0.2) < band(verdict, 0, 0.9) < band(verdict, 0, 1.0)
        assert band(verdict, 2, 0.2) > band(verdict, 0, 0.2) and band(verdict, 2, 0.0) == band(verdict, 2)


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


# ---- with the default policy's models ------------------------------------------------------------------

RUDE_APPROVED = [  # sharp, sneering or hostile, yet no rule and no model band flags them
    "What a stupid take, honestly.",
    "This is the dumbest thing I've read all week.",
    "Shut up already, nobody cares about your opinion",
]
FRIENDLY = [
    "Thanks, that was a helpful explanation of the budget.",
    "Lovely photo, thanks for sharing!",
    "I disagree with the council's decision on the bridge.",
    "Danke für den Artikel, sehr informativ.",
    "Obrigado pela explicação, muito útil.",
]


@pytest.fixture
def default_client(make_app):
    """The bundled policy (with its models), and a budget no loaded machine overruns."""
    return make_app(PERSPECTIVE_KEYS=KEY, BUDGET_MS=60_000).test_client()


def test_rude_but_approved_comments_score_above_friendly_ones(default_client):
    rude = {text: value(coral_analyze(default_client, text)) for text in RUDE_APPROVED}
    friendly = {text: value(coral_analyze(default_client, text)) for text in FRIENDLY}
    assert all(v < 0.80 for v in rude.values()), rude  # still approved: Coral publishes them at 0.80
    assert min(rude.values()) > max(friendly.values()) + 0.1, (rude, friendly)
    # before models ordered them, every one of these scored 0
    assert max(rude.values()) > 0.2


def test_insult_score_follows_the_insult_model_not_the_spam_model(default_client):
    body = {"comment": {"text": "What a stupid take, honestly."}, "requestedAttributes": {"INSULT": {}, "SPAM": {}}}
    r = default_client.post(f"/v1alpha1/comments:analyze?key={KEY}", json=body)
    assert value(r, "INSULT") > 0.2 > value(r, "SPAM")


def test_every_flagged_case_scores_above_080_and_every_approved_one_at_or_below(default_client):
    """Every text of the default policy's cases: Coral's threshold still equals the policy's flag."""
    import yaml

    from engine import Comment, decide, load_policy
    from engine.policy import bundled_policy_dir

    policy = load_policy(None)
    texts = sorted(
        {case["text"] for path in bundled_policy_dir().glob("*.cases.yaml")
         for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]}
    )  # fmt: skip
    flagged = approved = 0
    for text in texts:
        v = value(coral_analyze(default_client, text))
        if decide(policy, Comment(text=text)).decision is Verdict.APPROVE:
            assert 0.0 <= v <= 0.80, text
            approved += 1
        else:
            assert 0.80 < v <= 1.0, text
            flagged += 1
    assert flagged > 200 and approved > 100


def test_suggestscore_verdicts_are_training_rows_through_the_export(make_app, tmp_path):
    """Coral's feedback reaches `civility learn --feedback` as `civility feedback export` writes it."""
    from engine.learn import read_examples
    from webhook.store import feedback_lines

    app = make_app(PERSPECTIVE_KEYS=KEY)
    client = app.test_client()
    for text in RUDE_APPROVED[:2] + [TOXIC]:
        coral_analyze(client, text)
    assert suggest(client, RUDE_APPROVED[0], 1).status_code == 200  # the moderator rejects what we approved
    assert suggest(client, RUDE_APPROVED[1], 0).status_code == 200
    assert suggest(client, TOXIC, 1).status_code == 200
    labels = tmp_path / "labels.jsonl"
    labels.write_text("".join(feedback_lines(app.extensions["moderation"].store)), encoding="utf-8")
    rows, problems = read_examples(labels, weight=5.0)
    assert problems == []
    assert [(ex.text, ex.label, ex.weight) for ex in rows] == [
        (RUDE_APPROVED[0], "name_calling", 5.0),  # approved: the category whose model finds it likeliest
        (RUDE_APPROVED[1], "ok", 5.0),
        (TOXIC, "name_calling", 5.0),
    ]
