"""Discourse webhooks (``POST /discourse``; protocols.md sections 2.3, 2.4 and c2).

A webhook cannot hold a Discourse post, so a flag is sent back through ``POST /post_actions.json`` when
``DISCOURSE_URL`` and ``DISCOURSE_API_KEY`` are set. The call is stored in the outbox before the webhook
is answered and sent after, once per (post id, version) however often Discourse redelivers the event.
"""

from __future__ import annotations

import typing as t

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from engine import Author, Comment, Decision, Verdict

from .. import body as b
from .. import schemas
from ..access import configured
from ..config import lookup
from ..errors import ApiError
from ..moderation import moderate, rule_summary, state
from ..signing import verify

bp = Blueprint("discourse", __name__)

MODERATED_EVENTS = ("post_created", "post_edited")


@bp.post("/discourse")
def webhook() -> ResponseReturnValue:
    cfg = current_app.config
    raw = b.raw_body()
    if configured("/discourse") and not verify(
        raw, request.headers.get("X-Discourse-Event-Signature"), [cfg["DISCOURSE_SECRET"]]
    ):
        raise ApiError(401, "unauthorized", "missing or invalid X-Discourse-Event-Signature")
    payload = _payload(raw)
    event = request.headers.get("X-Discourse-Event") or ("ping" if "ping" in payload else "")
    if event == "ping" or request.headers.get("X-Discourse-Event-Type") == "ping":
        return jsonify({"ping": "OK"})
    if event not in MODERATED_EVENTS:
        return jsonify({"ignored": event or "unknown event"})
    if payload.get("post") is None:
        raise ApiError(400, "invalid_field", f"'post' is required for {event}", "post")
    comment, post_id, version = parse(payload["post"])
    decision = moderate(comment, "discourse", native_id=post_id)
    queued = False
    if decision.decision is not Verdict.APPROVE and flag_back_enabled(cfg):
        queued = state().outbox.enqueue(post_id, version, flag_request(post_id, decision, cfg))
    return jsonify({"id": decision.id, "decision": decision.decision.value, "flag_queued": queued})


def _payload(raw: bytes) -> dict[str, t.Any]:
    """JSON bodies, or ``payload=<json>`` when the webhook is set to form encoding."""
    if request.mimetype == "application/x-www-form-urlencoded":
        data = request.form.get("payload")
        if data is None:
            raise ApiError(400, "invalid_field", "form-encoded webhooks carry the event in 'payload'", "payload")
        value = b.parse_json(data.encode("utf-8"))
    else:
        b.require_json()
        value = b.parse_json(raw)
    schemas.validate(schemas.DISCOURSE_EVENT, value)
    return t.cast(dict[str, t.Any], value)


def parse(post: dict[str, t.Any]) -> tuple[Comment, str, str]:
    """``post.raw`` (Markdown) as a comment, with the post id and version that key the flag-back."""
    text, post_id = post["raw"], post["id"]
    version = post.get("version", 1)
    role = "admin" if post.get("admin") else "moderator" if post.get("moderator") or post.get("staff") else None
    # the post's locale, where the forum sends one (content localization), is the caller's language
    locale = post.get("locale")
    comment = Comment(
        text=text,
        format="markdown",
        language=locale if isinstance(locale, str) and locale.strip() else None,
        author=Author(id=_opt(post.get("user_id")), name=_opt(post.get("username")), role=role),
        context={
            "cms": "discourse",
            "topic_id": post.get("topic_id"),
            "post_number": post.get("post_number"),
            "trust_level": post.get("trust_level"),
            "instance": request.headers.get("X-Discourse-Instance"),
        },
    )
    return comment, str(post_id), str(version)


def flag_back_enabled(cfg: t.Mapping[str, t.Any]) -> bool:
    return bool(cfg["DISCOURSE_URL"] and cfg["DISCOURSE_API_KEY"])


def flag_request(post_id: str, decision: Decision, cfg: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """The ``post_actions`` form, its flag type from ``DISCOURSE_FLAGS`` (category, then decision, then ``*``)."""
    kind = lookup(cfg["DISCOURSE_FLAGS"], decision.label, decision.decision.value) or "7"
    message = (
        f"Civility {decision.decision.value}: {decision.message} "
        f"Rules: {rule_summary(decision)}. Decision {decision.id}."
    )
    # Types 6, 7 and 10 need the message; the others take it as the flag's explanation.
    return {"id": post_id, "post_action_type_id": kind, "message": message[:1000], "flag_topic": "false"}


def _opt(v: t.Any) -> str | None:
    return None if v is None or isinstance(v, (dict, list, bool)) else str(v)
