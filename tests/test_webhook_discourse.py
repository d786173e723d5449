"""Discourse webhooks, signed as Discourse signs them, and the flag-back outbox against a fake Discourse."""

from __future__ import annotations

import json
import threading
import time

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from webhook.signing import sign, verify

SECRET = "disc-secret"
POST = {
    "id": 4242, "name": "Bob", "username": "bob", "avatar_template": "/user_avatar/forum/bob/{size}/1_2.png",
    "created_at": "2023-01-15T19:30:27.230Z", "cooked": "<p>x</p>", "post_number": 3, "post_type": 1,
    "reply_count": 0, "reply_to_post_number": None, "topic_id": 7, "topic_slug": "t", "topic_title": "T",
    "category_id": 1, "version": 1, "raw": "> you are wrong\n\nYou are a complete idiot.", "moderator": False,
    "admin": False, "staff": False, "user_id": 12, "hidden": False, "trust_level": 1, "deleted_at": None,
    "topic_posts_count": 3, "topic_archetype": "regular", "category_slug": "uncategorized",
}  # fmt: skip


def send(client, event: str, payload: dict, secret: str | None = SECRET):
    body = json.dumps(payload).encode()
    h = {
        "Content-Type": "application/json",
        "User-Agent": "Discourse/3.2.0",
        "X-Discourse-Instance": "http://forum.local",
        "X-Discourse-Event-Id": "1",
        "X-Discourse-Event-Type": "ping" if event == "ping" else "post",
        "X-Discourse-Event": event,
    }
    if secret:
        h["X-Discourse-Event-Signature"] = sign(secret, body)
    return client.post("/discourse", data=body, headers=h)


def test_discourse_pinned_signature_vector():
    body = b'{"ping":"OK"}'
    expected = "sha256=162f107f6b5022353274eb1a7197885cfd35744d8d08e5bcea025d309386b7d6"
    assert sign("my_lovely_secret_for_web_hook", body) == expected
    assert verify(body, expected, ["my_lovely_secret_for_web_hook"])


def test_ping_is_answered(make_app):
    client = make_app(DISCOURSE_SECRET="my_lovely_secret_for_web_hook").test_client()
    r = client.post(
        "/discourse",
        data=b'{"ping":"OK"}',
        headers={"Content-Type": "application/json", "X-Discourse-Event": "ping", "X-Discourse-Event-Type": "ping",
                 "X-Discourse-Event-Signature": "sha256=162f107f6b5022353274eb1a7197885cfd35744d8d08e5bcea025d309386b7d6"},
    )  # fmt: skip
    assert r.status_code == 200 and r.json == {"ping": "OK"}


def test_post_created_is_moderated_as_markdown(make_app):
    client = make_app(DISCOURSE_SECRET=SECRET).test_client()
    r = send(client, "post_created", {"post": POST})
    assert r.status_code == 200
    assert (
        r.json["id"] == "discourse:4242" and r.json["decision"] in ("flag", "reject") and r.json["flag_queued"] is False
    )
    clean = {**POST, "raw": "> you are a complete idiot\n\nNobody here said that; the quote is from the article."}
    assert send(client, "post_edited", {"post": clean}).json["decision"] in ("approve", "flag")


@pytest.mark.parametrize("secret", [None, "wrong"])
def test_unsigned_or_wrongly_signed_is_401(make_app, secret):
    client = make_app(DISCOURSE_SECRET=SECRET).test_client()
    r = send(client, "post_created", {"post": POST}, secret=secret)
    assert r.status_code == 401 and r.json["error"]["code"] == "unauthorized"


def test_other_events_are_ignored_and_bad_posts_are_400(make_app):
    client = make_app(DISCOURSE_SECRET=SECRET).test_client()
    assert send(client, "topic_created", {"topic": {"id": 1}}).json == {"ignored": "topic_created"}
    r = send(client, "post_created", {"post": {"id": 1}})
    assert r.status_code == 400 and r.json["error"]["field"] == "post.raw"


class FakeDiscourse:
    """Records ``post_actions`` calls and fails the first one with a 502; knows no post to read back."""

    def __init__(self) -> None:
        self.calls: list[tuple[dict, dict]] = []
        self.server = make_server("127.0.0.1", 0, self.wsgi, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def wsgi(self, environ, start_response):
        req = Request(environ)
        if req.method == "GET":
            return Response('{"errors": ["not found"]}', status=404)(environ, start_response)
        self.calls.append((dict(req.form), {k: v for k, v in req.headers.items() if k.startswith("Api-")}))
        if req.path != "/post_actions.json" or len(self.calls) == 1:
            return Response("{}", status=502)(environ, start_response)
        return Response('{"id": 1}', content_type="application/json")(environ, start_response)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def wait_for(cond, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.02)
    return False


def test_flag_back_is_stored_before_the_answer_sent_after_retried_and_sent_once(make_app):
    with FakeDiscourse() as fake:
        app = make_app(DISCOURSE_SECRET=SECRET, DISCOURSE_URL=fake.url, DISCOURSE_API_KEY="k-123",
                       DISCOURSE_USERNAME="system", DISCOURSE_RETRY_BASE_S=0.05)  # fmt: skip
        client = app.test_client()
        store = app.extensions["moderation"].store
        r = send(client, "post_created", {"post": POST})
        assert r.status_code == 200 and r.json["flag_queued"] is True
        assert store.outbox_state("4242", "1") is not None  # committed before the 200
        assert wait_for(lambda: store.outbox_state("4242", "1") == ("sent", 2))
        assert len(fake.calls) == 2
        form, hdrs = fake.calls[-1]
        assert form["id"] == "4242" and form["post_action_type_id"] == "7" and form["flag_topic"] == "false"
        assert "discourse:4242" in form["message"] and "name_calling" in form["message"]
        assert hdrs == {"Api-Key": "k-123", "Api-Username": "system"}
        # Discourse redelivers the same event: no second flag; a new version is flagged again.
        assert send(client, "post_created", {"post": POST}).json["flag_queued"] is False
        r = send(client, "post_edited", {"post": {**POST, "version": 2}})
        assert r.json["flag_queued"] is True
        assert wait_for(lambda: store.outbox_state("4242", "2") == ("sent", 1))
        time.sleep(0.2)
        assert len(fake.calls) == 3


def test_flag_back_gives_up_after_bounded_attempts(make_app):
    app = make_app(DISCOURSE_URL="http://127.0.0.1:9", DISCOURSE_API_KEY="k", DISCOURSE_RETRY_BASE_S=0.01,
                   DISCOURSE_MAX_ATTEMPTS=3, DISCOURSE_TIMEOUT_S=0.5, DISCOURSE_SECRET=SECRET)  # fmt: skip
    client = app.test_client()
    assert send(client, "post_created", {"post": POST}).json["flag_queued"] is True
    store = app.extensions["moderation"].store
    assert wait_for(lambda: store.outbox_state("4242", "1") == ("failed", 3))


def test_spam_flags_use_the_spam_type():
    from engine import Verdict
    from webhook.adapters.discourse import flag_request
    from webhook.config import defaults

    class D:
        label, message, id = "spam", "No ads.", "discourse:1"
        hits, reasons = (), ()
        decision = Verdict.FLAG

    assert flag_request("1", D(), defaults())["post_action_type_id"] == "8"
