"""/openapi.json describes every route, and real responses validate against it."""

from __future__ import annotations

import json

import httpx
import jsonschema
import pytest
from conftest import WEBHOOK_POLICY

from webhook.signing import sign


@pytest.fixture
def app(make_app):
    return make_app(POLICY_DIR=str(WEBHOOK_POLICY), CORAL_SECRETS="c", DISCOURSE_SECRET="d", AKISMET_KEYS="k",
                    PERSPECTIVE_KEYS="p")  # fmt: skip


@pytest.fixture
def spec(client):
    r = client.get("/openapi.json")
    assert r.status_code == 200
    return r.json


def openapi_path(rule: str) -> str:
    return rule.replace("<path:", "{").replace("<", "{").replace(">", "}").replace("{decision_id}", "{id}")


def test_every_route_is_described(app, spec):
    jsonschema.Draft202012Validator.check_schema({"$defs": spec["components"]["schemas"]})
    assert spec["openapi"].startswith("3.1")
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = openapi_path(rule.rule)
        assert path in spec["paths"], path
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in spec["paths"][path], (path, method)


def check(spec, path, method, response):
    op = spec["paths"][path][method]
    status = str(response.status_code)
    assert status in op["responses"], (path, status)
    media = response.headers["Content-Type"].split(";")[0]
    content = op["responses"][status]["content"]
    assert media in content, (path, media)
    schema = dict(content[media]["schema"])
    schema["components"] = spec["components"]
    body = response.get_json() if media == "application/json" else response.get_data(as_text=True)
    jsonschema.validate(body, schema, cls=jsonschema.Draft202012Validator)


def test_responses_validate(app, client, spec):
    cases = []
    cases.append(("/v1/moderate", "post", client.post("/v1/moderate", json={"id": "o1", "text": "You idiot"})))
    cases.append(("/v1/moderate", "post", client.post("/v1/moderate", json={"text": 5})))
    cases.append(("/v1/moderate", "post", client.post("/v1/moderate", data="x", content_type="text/plain")))
    cases.append(("/v1/moderate/batch", "post", client.post("/v1/moderate/batch", json={"comments": [{"text": "hi"}]})))
    cases.append(("/v1/decisions/{id}", "get", client.get("/v1/decisions/o1")))
    cases.append(("/v1/decisions/{id}", "get", client.get("/v1/decisions/none")))
    cases.append(("/v1/feedback", "post", client.post("/v1/feedback", json={"id": "o1", "verdict": "ok"})))
    coral = json.dumps({"action": "NEW", "comment": {"body": "<p>You idiot</p>", "parentID": None}}, indent=2).encode()
    h = {"Content-Type": "application/json", "X-Coral-Signature": sign("c", coral)}
    cases.append(("/coral", "post", client.post("/coral", data=coral, headers=h)))
    cases.append(("/coral", "post", client.post("/coral", data=coral, headers={"Content-Type": "application/json"})))
    for text in ("I will kill you", "hello there"):
        body = json.dumps({"comment": {"body": text}}).encode()
        cases.append(
            (
                "/coral",
                "post",
                client.post(
                    "/coral",
                    data=body,
                    headers={"Content-Type": "application/json", "X-Coral-Signature": sign("c", body)},
                ),
            )
        )
    for payload, event in (
        ({"ping": "OK"}, "ping"),
        ({"post": {"id": 1, "raw": "You idiot"}}, "post_created"),
        ({"topic": {}}, "topic_created"),
    ):
        body = json.dumps(payload).encode()
        hdr = {
            "Content-Type": "application/json",
            "X-Discourse-Event": event,
            "X-Discourse-Event-Signature": sign("d", body),
        }
        cases.append(("/discourse", "post", client.post("/discourse", data=body, headers=hdr)))
    form = {"api_key": "k", "blog": "http://b", "user_ip": "1", "comment_content": "buy pills"}
    for path in ("/1.1/comment-check", "/1.1/submit-spam", "/1.1/submit-ham"):
        cases.append((path, "post", client.post(path, data=form)))
    cases.append(("/1.1/comment-check", "post", client.post("/1.1/comment-check", data={**form, "api_key": "bad"})))
    cases.append(("/1.1/verify-key", "post", client.post("/1.1/verify-key", data={"key": "k", "blog": "http://b"})))
    cases.append(("/1.1/verify-key", "post", client.post("/1.1/verify-key", data={"key": "x", "blog": "http://b"})))
    analyze = {
        "comment": {"text": "You idiot"},
        "requestedAttributes": {"TOXICITY": {}, "INSULT": {}},
        "spanAnnotations": True,
    }
    cases.append(("/v1alpha1/comments:analyze", "post", client.post("/v1alpha1/comments:analyze?key=p", json=analyze)))
    cases.append(("/v1alpha1/comments:analyze", "post", client.post("/v1alpha1/comments:analyze?key=x", json=analyze)))
    sug = {
        "comment": {"text": "You idiot"},
        "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1}}},
        "clientToken": "t",
    }
    cases.append(
        ("/v1alpha1/comments:suggestscore", "post", client.post("/v1alpha1/comments:suggestscore?key=p", json=sug))
    )
    for path in ("/healthz", "/readyz", "/openapi.json"):
        cases.append((path, "get", client.get(path)))
    for path, method, response in cases:
        check(spec, path, method, response)


def test_the_real_akismet_wire_validates(app, spec):
    http = httpx.Client(transport=httpx.WSGITransport(app=app))
    r = http.post(
        "https://rest.akismet.com/1.1/comment-check", data={"api_key": "k", "blog": "http://b", "user_ip": "1"}
    )
    assert r.status_code == 200
    schema = dict(spec["paths"]["/1.1/comment-check"]["post"]["responses"]["200"]["content"]["text/plain"]["schema"])
    jsonschema.validate(r.text, schema)
