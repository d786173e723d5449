"""The HTTP API fuzzed from its own OpenAPI document (schemathesis), every request signed as its route
requires so that the parsers behind the signatures are reached, plus hostile bodies sent to every route.

No answer is a 5xx; every error is a body in its route's own shape (CONTRACT.md section 5) that names the
problem; every answer validates against the document. The number of generated requests per route comes
from the hypothesis profile (tests/conftest.py): ``HYPOTHESIS_PROFILE=long`` for a longer campaign.
"""

from __future__ import annotations

import json
import typing as t
import urllib.parse

import jsonschema
import pytest
import schemathesis
from conftest import TOKEN, WEBHOOK_POLICY
from hypothesis import HealthCheck, settings

from webhook.signing import sign

CORAL, DISCOURSE, AKISMET, PERSPECTIVE, HMAC = "coral-s", "disc-s", "akis-k", "persp-k", "hmac-s"
ROUTES = ["/v1/moderate", "/v1/moderate/batch", "/v1/feedback", "/coral", "/discourse", "/1.1/comment-check",
          "/1.1/verify-key", "/1.1/submit-spam", "/1.1/submit-ham", "/v1alpha1/comments:analyze",
          "/v1alpha1/comments:suggestscore"]  # fmt: skip


@pytest.fixture(scope="module")
def app(tmp_path_factory):  # type: ignore[no-untyped-def]
    from webhook import create_app

    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path_factory.mktemp("fuzz")), "HANDLE_SIGHUP": False,
                      "POLICY_DIR": str(WEBHOOK_POLICY), "API_TOKEN": TOKEN, "HMAC_SECRETS": HMAC,
                      "CORAL_SECRETS": CORAL, "DISCOURSE_SECRET": DISCOURSE, "AKISMET_KEYS": AKISMET,
                      "PERSPECTIVE_KEYS": PERSPECTIVE, "MAX_BODY_BYTES": 64 * 1024})  # fmt: skip
    yield app
    app.extensions["moderation"].store.close()


@pytest.fixture(scope="module")
def document(app):  # type: ignore[no-untyped-def]
    return app.test_client().get("/openapi.json").json


@pytest.fixture(scope="module")
def api_schema(document):  # type: ignore[no-untyped-def]
    return schemathesis.openapi.from_dict(document)


schema = schemathesis.pytest.from_fixture("api_schema")


def signed(path: str, body: bytes, headers: dict[str, str], query: dict[str, t.Any]) -> None:
    """Credentials for ``path`` over exactly ``body``, as each caller sends them."""
    if path.startswith("/v1/"):
        if len(body) % 2:  # both ways in: the bearer token, or an HMAC of the body
            headers["Authorization"] = f"Bearer {TOKEN}"
        else:
            headers["X-Civility-Signature"] = sign(HMAC, body)
    elif path == "/coral":
        headers["X-Coral-Signature"] = sign("old-secret", body) + "," + sign(CORAL, body)
    elif path == "/discourse":
        headers["X-Discourse-Event-Signature"] = sign(DISCOURSE, body)
    elif path.startswith("/v1alpha1/"):
        query["key"] = PERSPECTIVE


def send(client, method: str, path: str, body: bytes | None, media: str | None, headers=None, query=None):  # type: ignore[no-untyped-def]
    headers, query = dict(headers or {}), dict(query or {})
    if media:
        headers["Content-Type"] = media
    signed(path, body or b"", headers, query)
    return client.open(path, method=method, data=body, headers=headers, query_string=query)


def check_error_shape(path: str, r) -> None:  # type: ignore[no-untyped-def]
    """An error answers in its route's own protocol, with a message that says what is wrong."""
    assert r.status_code < 500, (path, r.status_code, r.data[:300])
    assert b"<html" not in r.data.lower()
    if path.startswith("/1.1/"):
        if r.data == b"invalid":
            assert r.headers.get("X-akismet-debug-help", "").strip(), path
        return
    if r.status_code < 400:
        return
    err = r.json["error"]
    assert isinstance(err["message"], str) and err["message"].strip(), (path, err)
    if path.startswith("/v1alpha1/"):
        assert err["code"] == r.status_code and err["status"], (path, err)
    else:
        assert isinstance(err["code"], str) and err["code"], (path, err)


def check_documented(document: dict, path: str, method: str, r) -> None:  # type: ignore[type-arg, no-untyped-def]
    op = document["paths"][path][method.lower()]
    assert str(r.status_code) in op["responses"], (path, r.status_code, r.data[:200])
    content = op["responses"][str(r.status_code)]["content"]
    media = r.headers["Content-Type"].split(";")[0]
    assert media in content, (path, media)
    body = r.get_json() if media == "application/json" else r.get_data(as_text=True)
    validator = dict(content[media]["schema"], components=document["components"])
    jsonschema.validate(body, validator, cls=jsonschema.Draft202012Validator)


def serialize(case) -> tuple[bytes | None, str | None]:  # type: ignore[no-untyped-def]
    if case.body is None or type(case.body).__name__ == "NotSet":
        return None, None
    media = case.media_type or "application/json"
    if isinstance(case.body, bytes):
        return case.body, media
    if media == "application/x-www-form-urlencoded" and isinstance(case.body, dict):
        return urllib.parse.urlencode({k: str(v) for k, v in case.body.items()}).encode(), media
    return json.dumps(case.body, ensure_ascii=False).encode("utf-8", "surrogatepass"), media


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_generated_requests_never_fail_the_server(app, document, case):  # type: ignore[no-untyped-def]
    path = case.operation.path
    body, media = serialize(case)
    headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "content-type"}
    if path == "/discourse":
        headers["X-Discourse-Event"] = "ping" if isinstance(case.body, dict) and "ping" in case.body else "post_created"
    if path.startswith("/1.1/") and media == "application/x-www-form-urlencoded":  # a valid key: reach the form
        form = dict(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True))
        form["key" if path.endswith("verify-key") else "api_key"] = AKISMET
        body = urllib.parse.urlencode(form).encode()
    query = dict(case.query or {})
    r = send(app.test_client(), case.method, case.formatted_path, body, media, headers, query)
    check_error_shape(path, r)
    if case.method.lower() in document["paths"][path]:
        check_documented(document, path, case.method, r)
    else:  # schemathesis also tries methods the route does not have; OPTIONS lists the allowed ones
        assert r.status_code == (200 if case.method == "OPTIONS" else 405), (case.method, path, r.status_code)


def deep(n: int) -> bytes:
    return b"[" * n + b"]" * n


HOSTILE = {
    "oversize": (b'{"text": "' + b"a" * (65 * 1024) + b'"}', "application/json"),
    "wrong-content-type": (b'{"text": "hi"}', "text/plain"),
    "no-content-type": (b'{"text": "hi"}', None),
    "broken-utf8": (b'{"text": "\xff\xfe\xc3("}', "application/json"),
    "lone-surrogate-escape": (b'{"text": "\\ud800"}', "application/json"),
    "deep-json": (deep(30_000), "application/json"),
    "deep-object": (b'{"a":' * 9_000 + b"1" + b"}" * 9_000, "application/json"),
    "nan": (b'{"text": NaN}', "application/json"),
    "empty": (b"", "application/json"),
    "form-broken-utf8": (b"api_key=" + AKISMET.encode() + b"&blog=x&user_ip=1&comment_content=\xff\xfe", "application/x-www-form-urlencoded"),
    "form-deep-payload": (b"payload=" + urllib.parse.quote(deep(9_000)).encode(), "application/x-www-form-urlencoded"),
}  # fmt: skip


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("kind", list(HOSTILE))
def test_hostile_bodies_get_an_error_in_the_routes_shape(app, document, route, kind):
    body, media = HOSTILE[kind]
    headers = {"X-Discourse-Event": "post_created"} if route == "/discourse" else {}
    r = send(app.test_client(), "POST", route, body, media, headers)
    check_error_shape(route, r)
    check_documented(document, route, "POST", r)
    if kind == "oversize":
        assert r.status_code == 413 or (route.startswith("/1.1/") and r.headers.get("X-akismet-debug-help"))
    elif route == "/coral":  # after a valid signature Coral must never publish on an error: withheld
        assert r.status_code == 200 and r.json["status"] == "SYSTEM_WITHHELD"
    elif not route.startswith("/1.1/"):
        assert r.status_code in (400, 415), (kind, r.status_code, r.data[:200])
