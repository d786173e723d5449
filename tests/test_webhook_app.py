"""The app factory, settings from the environment, health routes and the app-wide error handler."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webhook import create_app
from webhook.config import from_env, parse_map

ROUTES = ["/v1/moderate", "/v1/moderate/batch", "/v1/feedback", "/coral", "/discourse", "/1.1/comment-check",
          "/1.1/verify-key", "/1.1/submit-spam", "/1.1/submit-ham", "/v1alpha1/comments:analyze",
          "/v1alpha1/comments:suggestscore"]  # fmt: skip


def test_factory_defaults_and_test_config(make_app):
    app = make_app()
    assert app.testing and app.config["BUDGET_MS"] == 100 and app.config["MAX_BATCH"] == 100


def test_settings_come_from_the_environment_with_raw_secrets(monkeypatch, tmp_path):
    monkeypatch.setenv("CIVILITY_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("CIVILITY_API_TOKEN", "123456")
    monkeypatch.setenv("CIVILITY_CORAL_SECRETS", "0001, abc ,")
    monkeypatch.setenv("CIVILITY_BUDGET_MS", "250")
    monkeypatch.setenv("CIVILITY_LOG_TEXT", "true")
    monkeypatch.setenv("CIVILITY_CORAL_REASONS", "tone=ABUSIVE")
    app = create_app({"HANDLE_SIGHUP": False})
    try:
        assert app.config["API_TOKEN"] == "123456"
        assert app.config["CORAL_SECRETS"] == ["0001", "abc"]
        assert app.config["BUDGET_MS"] == 250 and app.config["LOG_TEXT"] is True
        assert app.config["CORAL_REASONS"]["tone"] == "ABUSIVE" and app.config["CORAL_REASONS"]["spam"] == "SPAM"
    finally:
        app.extensions["moderation"].store.close()


def test_bad_settings_name_the_variable():
    with pytest.raises(ValueError, match="CIVILITY_BUDGET_MS"):
        from_env({"CIVILITY_BUDGET_MS": "fast"})
    with pytest.raises(ValueError, match="key=value"):
        parse_map("spam")


def test_health_and_readiness(client):
    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz").json
    assert ready["status"] == "ready" and ready["policy_source"] == "bundled" and ready["reload_error"] is None


@pytest.mark.parametrize(
    ("method", "path", "status", "family"),
    [("get", "/nope", 404, "v1"), ("get", "/v1/moderate", 405, "v1"), ("get", "/v1alpha1/comments:analyze", 405, "google"),
     ("get", "/1.1/comment-check", 405, "akismet"), ("post", "/v1alpha1/nope", 404, "google")],
)  # fmt: skip
def test_http_errors_are_never_html(client, method, path, status, family):
    r = getattr(client, method)(path)
    assert r.status_code == status and b"<html" not in r.data.lower()
    if family == "v1":
        assert r.json["error"]["code"] in ("not_found", "method_not_allowed")
    elif family == "google":
        assert r.json["error"]["code"] == status
    else:
        assert r.text == "invalid" and r.headers["X-akismet-debug-help"]


@pytest.fixture(scope="module")
def shared_client(tmp_path_factory):
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path_factory.mktemp("fuzz")), "HANDLE_SIGHUP": False,
                      "CORAL_SECRETS": "c", "AKISMET_KEYS": "k", "MAX_BODY_BYTES": 4096})  # fmt: skip
    yield app.test_client()
    app.extensions["moderation"].store.close()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    route=st.sampled_from(ROUTES),
    body=st.one_of(st.binary(max_size=300), json_values.map(lambda v: json.dumps(v).encode()),
                   st.fixed_dictionaries({"text": json_values, "comments": json_values, "comment": json_values,
                                          "requestedAttributes": json_values, "post": json_values}).map(lambda v: json.dumps(v).encode())),
    content_type=st.sampled_from(["application/json", "text/plain", "application/x-www-form-urlencoded", ""]),
)  # fmt: skip
def test_no_request_gets_a_500(shared_client, route, body, content_type):
    r = shared_client.post(route, data=body, content_type=content_type or None)
    assert r.status_code < 500, (route, body, r.data)
    assert b"<html" not in r.data.lower()
