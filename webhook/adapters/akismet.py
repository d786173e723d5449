"""Akismet-compatible endpoints (``/1.1/*``; protocols.md sections 4 and c3), form-encoded, text answers.

``comment-check`` answers ``true`` (WordPress moves the comment to Spam), ``false`` (WordPress applies its
own moderation settings) or ``true`` with ``X-akismet-pro-tip: discard`` (dropped unseen), chosen through
``AKISMET_ACTIONS`` by category first, then by decision. Errors are ``invalid`` with
``X-akismet-debug-help``, which is what Akismet clients expect.
"""

from __future__ import annotations

import hmac
import typing as t

from flask import Blueprint, Response, current_app, request
from flask.typing import ResponseReturnValue

from engine import Author, Comment, Decision

from .. import schemas
from ..config import lookup
from ..errors import ApiError
from ..moderation import feedback_label, moderate, state

bp = Blueprint("akismet", __name__, url_prefix="/1.1")

THANKS = "Thanks for making the web a better place."
SPAM_AUTHORS = ("viagra-test-123",)
SPAM_EMAILS = ("akismet-guaranteed-spam@example.com",)


def _invalid(message: str) -> ApiError:
    return ApiError(400, "invalid", message)


def _form() -> t.Mapping[str, str]:
    if request.mimetype not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        raise ApiError(
            415, "unsupported_media_type", "send the fields form-encoded (application/x-www-form-urlencoded)"
        )
    return request.form


def _key(form: t.Mapping[str, str], field: str) -> str | None:
    """The key from the form, or from the Host's first label (``<key>.<public host>``) when the public host is set."""
    key = form.get(field)
    if key:
        return key
    public = current_app.config["PUBLIC_HOST"].lower().strip(".")
    host = (request.host or "").split(":")[0].lower()
    if public and host.endswith("." + public):
        return host[: -len(public) - 1] or None
    return None


def _valid_key(key: str | None) -> bool:
    keys = current_app.config["AKISMET_KEYS"]
    ok = False
    for k in keys:
        ok |= key is not None and hmac.compare_digest(k.encode(), key.encode("utf-8", "replace"))
    return ok


def _check(form: t.Mapping[str, str], schema: dict[str, t.Any], field: str = "api_key") -> None:
    """The key first (from the form or the Host), then each field ``schema`` requires, as Akismet words it."""
    key = _key(form, field)
    if not key:
        raise _invalid(f'Empty "{field}" value')
    if not _valid_key(key):
        raise _invalid("Invalid API key or site URL")
    for name in schema["required"]:
        if not form.get(name):
            raise _invalid(f'Empty "{name}" value')


def _text(body: str) -> Response:
    return Response(body, mimetype="text/plain")


@bp.post("/verify-key")
def verify_key() -> ResponseReturnValue:
    form = _form()
    key = form.get("key") or _key(form, "api_key")
    missing = [name for name in schemas.AKISMET_VERIFY["required"] if not form.get(name)]
    why = 'Empty "key" value' if not key else "Invalid API key" if not _valid_key(key) else None
    why = why or (f'Empty "{missing[0]}" value' if missing else None)
    if why is None:
        return _text("valid")
    resp = _text("invalid")
    resp.headers["X-akismet-debug-help"] = why  # as Akismet does: the reason, for whoever reads the headers
    return resp


@bp.post("/comment-check")
def comment_check() -> ResponseReturnValue:
    form = _form()
    _check(form, schemas.AKISMET_CHECK)
    # The documented test triggers answer without moderating, so client test suites pass unchanged.
    if form.get("comment_author") in SPAM_AUTHORS or form.get("comment_author_email") in SPAM_EMAILS:
        return _text("true")
    if form.get("user_role") == "administrator":
        return _text("false")
    decision = moderate(parse(form), "akismet")
    return render(decision, current_app.config)


def parse(form: t.Mapping[str, str]) -> Comment:
    """WordPress sends comment HTML (tags filtered, entities encoded), so it is moderated as ``html``."""
    return Comment(
        text=form.get("comment_content", ""),
        format="html",
        author=Author(name=form.get("comment_author") or None, role=form.get("user_role") or None),
        context={
            "cms": "akismet",
            "blog": form.get("blog"),
            "comment_type": form.get("comment_type"),
            "permalink": form.get("permalink"),
        },
    )


def render(decision: Decision, cfg: t.Mapping[str, t.Any]) -> Response:
    action = lookup(cfg["AKISMET_ACTIONS"], decision.label, decision.decision.value) or "spam"
    resp = _text("false" if action == "ham" else "true")
    if action == "discard":
        resp.headers["X-akismet-pro-tip"] = "discard"
    resp.headers["X-Civility-Decision"] = str(decision.id)
    return resp


def _submit(verdict_spam: bool) -> Response:
    form = _form()
    _check(form, schemas.AKISMET_SUBMIT)
    text = form.get("comment_content", "")
    if form.get("is_test") not in ("1", "true"):
        st = state()
        stored = st.store.find_by_text(text)
        verdict = feedback_label(st, stored.label if stored else None) if verdict_spam else "ok"
        st.store.add_feedback(stored.id if stored else None, verdict, "akismet", text=text)
    return _text(THANKS)


@bp.post("/submit-spam")
def submit_spam() -> ResponseReturnValue:
    return _submit(True)


@bp.post("/submit-ham")
def submit_ham() -> ResponseReturnValue:
    return _submit(False)
