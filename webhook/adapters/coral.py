"""Coral's external moderation phase (``POST /coral``; protocols.md sections 3.2-3.5 and c1).

Coral signs the exact bytes it sends (``JSON.stringify(body, null, 2)``) with every active secret and
publishes the comment when the phase fails, answers non-2xx or times out (200 ms by default). So the
signature is checked over the raw body before anything else, and after a valid signature every failure
answers 200 ``SYSTEM_WITHHELD``.
"""

from __future__ import annotations

import typing as t

from flask import Blueprint, Response, current_app, g, jsonify, request
from flask.typing import ResponseReturnValue

from engine import Author, Comment, Decision, Verdict

from .. import body as b
from .. import schemas
from ..access import configured
from ..config import lookup
from ..errors import ApiError
from ..moderation import moderate, rule_summary
from ..signing import verify

bp = Blueprint("coral", __name__)


@bp.post("/coral")
def phase() -> ResponseReturnValue:
    raw = b.raw_body()
    if configured("/coral"):
        if not verify(raw, request.headers.get("X-Coral-Signature"), current_app.config["CORAL_SECRETS"]):
            raise ApiError(401, "unauthorized", "missing or invalid X-Coral-Signature")
    g.coral_verified = True
    b.require_json()
    payload = b.parse_json(raw)
    schemas.validate(schemas.CORAL_PHASE, payload)
    comment = parse(payload)
    decision = moderate(comment, "coral")
    return jsonify(render(decision, current_app.config))


def parse(payload: t.Any) -> Comment:
    """The phase request as a comment: ``comment.body`` is HTML; Coral sends no comment id or parent text."""
    text = payload["comment"]["body"]
    author = payload.get("author") if isinstance(payload.get("author"), dict) else {}
    story = payload.get("story") if isinstance(payload.get("story"), dict) else {}
    return Comment(
        text=text,
        format="html",
        author=Author(id=_str(author.get("id")), role=_str(author.get("role"))),
        context={
            "cms": "coral",
            "action": payload.get("action"),
            "story_url": story.get("url"),
            "tenant": payload.get("tenantDomain") or payload.get("tenantID"),
            "parent_id": (payload.get("comment") or {}).get("parentID"),
        },
    )


def render(decision: Decision, cfg: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """The decision in Coral's response format, through ``CORAL_STATUSES``, ``CORAL_REASONS`` (DSA codes)
    and ``CORAL_FLAG_REASONS``."""
    status = lookup(cfg["CORAL_STATUSES"], decision.decision.value) or "SYSTEM_WITHHELD"
    if decision.decision is Verdict.APPROVE and status == "APPROVED":
        return {"status": "APPROVED"}
    out: dict[str, t.Any] = {}
    if status != "NONE":
        out["status"] = status
    if status == "REJECTED":
        code = lookup(cfg["CORAL_REASONS"], decision.label) or "OTHER"
        reason = {"code": code, "detailedExplanation": _explanation(decision)}
        if code == "OTHER":
            reason["customReason"] = decision.message[:500]
        out["moderationAction"] = {"status": "REJECTED", "rejectionReason": reason}
    elif decision.decision is not Verdict.APPROVE:
        flag = lookup(cfg["CORAL_FLAG_REASONS"], decision.label) or "COMMENT_DETECTED_TOXIC"
        out["actions"] = [{"actionType": "FLAG", "reason": flag}]
    return out


def _explanation(decision: Decision) -> str:
    text = f"{decision.message} [Civility {decision.id}: {rule_summary(decision)}]"
    return text.strip()[:1000]


def withheld() -> Response:
    """What Coral gets when anything fails after a valid signature: held for a moderator, never published."""
    return jsonify(
        {"status": "SYSTEM_WITHHELD", "actions": [{"actionType": "FLAG", "reason": "COMMENT_DETECTED_TOXIC"}]}
    )


def _str(v: t.Any) -> str | None:
    return None if v is None or isinstance(v, (dict, list)) else str(v)
