"""The generic JSON API under ``/v1`` (CONTRACT.md sections 1, 2, 5 and 6)."""

from __future__ import annotations

import datetime as dt
import typing as t

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from engine import Comment, CommentError

from . import body as b
from . import schemas
from .access import configured
from .errors import ApiError
from .moderation import explain, moderate, state
from .signing import token_matches, verify

bp = Blueprint("api", __name__, url_prefix="/v1")


@bp.before_request
def authenticate() -> None:
    """Every call needs the bearer token or a valid signature; with neither configured, every call is refused
    (unless ``ALLOW_UNSIGNED``)."""
    if not configured("/v1"):
        return
    cfg = current_app.config
    token, secrets = cfg["API_TOKEN"], cfg["HMAC_SECRETS"]
    auth = request.headers.get("Authorization", "")
    if token and auth[:7].lower() == "bearer " and token_matches(auth[7:].strip(), token):
        return
    sig = request.headers.get("X-Civility-Signature")
    if secrets and sig and verify(b.raw_body(), sig, secrets):
        return
    raise ApiError(401, "unauthorized", "a valid bearer token or X-Civility-Signature is required")


def parse_comment(data: t.Any, prefix: str = "") -> Comment:
    try:
        return Comment.from_dict(data)
    except CommentError as e:
        field = f"{prefix}.{e.field}" if prefix and e.field else (prefix or e.field)
        raise ApiError(400, "invalid_field", str(e), field or "body") from None


@bp.post("/moderate")
def moderate_one() -> ResponseReturnValue:
    comment = parse_comment(b.json_body(schemas.COMMENT))
    return jsonify(moderate(comment, "api").to_dict())


@bp.post("/moderate/batch")
def moderate_batch() -> ResponseReturnValue:
    items = b.json_body(schemas.BATCH)["comments"]
    limit = int(current_app.config["MAX_BATCH"])
    if len(items) > limit:
        raise ApiError(400, "batch_too_large", f"at most {limit} comments per batch", "comments")
    comments = [parse_comment(item, f"comments[{i}]") for i, item in enumerate(items)]
    return jsonify({"decisions": [moderate(c, "api").to_dict() for c in comments]})


@bp.get("/decisions/<path:decision_id>")
def get_decision(decision_id: str) -> ResponseReturnValue:
    stored = state().store.get_decision(decision_id)
    if stored is None:
        raise ApiError(404, "not_found", f"no decision with id {decision_id!r}", "id")
    out = dict(stored.decision)
    out["explanation"] = explain(stored.decision)
    out["source"] = stored.source
    out["decided_at"] = _iso(stored.created)
    out["text"] = stored.text
    return jsonify(out)


@bp.post("/feedback")
def feedback() -> ResponseReturnValue:
    data = b.json_body(schemas.FEEDBACK)
    decision_id, verdict = data["id"], data["verdict"]
    st = state()
    allowed = ("ok", *st.policy.categories)
    if verdict not in allowed:
        raise ApiError(400, "invalid_field", f"'verdict' must be one of {', '.join(allowed)}", "verdict")
    stored = st.store.get_decision(str(decision_id))
    if stored is None:
        raise ApiError(404, "not_found", f"no decision with id {decision_id!r}", "id")
    st.store.add_feedback(stored.id, verdict, "api", text=stored.text, text_sha256=stored.text_sha256)
    resp = jsonify({"id": stored.id, "verdict": verdict, "label": stored.label, "agrees": verdict == stored.label})
    resp.status_code = 201
    return resp


def _iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat().replace("+00:00", "Z")
