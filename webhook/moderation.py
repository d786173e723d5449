"""Deciding one comment inside the service: budget, fail-closed, store, structured log.

Every route that moderates goes through :func:`moderate`, so every decision is stored and logged the same way.
"""

from __future__ import annotations

import json
import logging
import time
import typing as t
import uuid
from dataclasses import dataclass

from flask import Flask, current_app

from engine import Comment, Decision, Reason, Verdict, decide, failed_closed

from .reload import PolicyHolder
from .store import Store

log = logging.getLogger("civility.decisions")


@dataclass
class Moderation:
    """Per-app state, kept in ``app.extensions["moderation"]``."""

    holder: PolicyHolder
    store: Store
    config: t.Mapping[str, t.Any]
    outbox: t.Any = None

    @property
    def policy(self) -> t.Any:
        return self.holder.get()


def state(app: Flask | None = None) -> Moderation:
    return t.cast(Moderation, (app or current_app).extensions["moderation"])


def moderate(comment: Comment, source: str, *, native_id: str | None = None, keep_text: bool = True) -> Decision:
    """Decide, enforce the time budget, store and log; never raises for anything the comment contains.

    The decision id is the caller's, else ``<source>:<native id>``, else ``<source>:<uuid>`` (or a bare UUID
    for the generic API).
    """
    st = state()
    cfg = st.config
    policy = st.policy
    cid = comment.id or _new_id(source, native_id)
    budget = max(0, int(cfg["BUDGET_MS"])) / 1000.0
    start = time.monotonic()
    if len(comment.text) > int(cfg["MAX_CHARS"]):
        decision = failed_closed(cid, Reason.TOO_LONG, policy.version)
    else:
        try:
            decision = decide(policy, comment, deadline=start + budget)
        except Exception:
            log.exception("engine failed on comment %s", cid)
            decision = failed_closed(cid, Reason.ENGINE_ERROR, policy.version)
    elapsed = time.monotonic() - start
    if elapsed > budget and decision.decision is Verdict.APPROVE:
        decision = failed_closed(cid, Reason.TIMEOUT, policy.version)
    if decision.id != cid:
        decision = decision.with_id(cid)
    body = decision.to_dict()
    st.store.put_decision(body, decision.label, comment.text, source, keep_text=keep_text)
    _log(decision, source, elapsed, comment.text if cfg["LOG_TEXT"] else None)
    return decision


def _new_id(source: str, native_id: str | None) -> str:
    if source == "api":
        return str(uuid.uuid4())
    return f"{source}:{native_id or uuid.uuid4()}"


def _log(decision: Decision, source: str, elapsed: float, text: str | None) -> None:
    record: dict[str, t.Any] = {
        "event": "decision",
        "id": decision.id,
        "source": source,
        "decision": decision.decision.value,
        "label": decision.label,
        "rules": [h.rule for h in decision.hits],
        "shadow_rules": [h.rule for h in decision.shadow_hits],
        "reasons": [r.value for r in decision.reasons],
        "score": decision.score,
        "latency_ms": round(elapsed * 1000, 3),
        "policy_version": decision.policy_version,
    }
    if text is not None:
        record["text"] = text
    log.info(json.dumps(record, ensure_ascii=False))


def explain(body: t.Mapping[str, t.Any]) -> list[str]:
    """The decision in sentences, for a moderator whose CMS cannot show reasons."""
    lines = []
    for hit in body.get("hits", []):
        where = f" on {hit['match']!r} at {hit['span'][0]}-{hit['span'][1]}" if hit.get("span") else ""
        lines.append(
            f"rule {hit['rule']} (guideline {hit['guideline']}, {hit['category']}) scored {hit['score']}{where}"
        )
    for hit in body.get("shadow_hits", []):
        lines.append(f"shadow rule {hit['rule']} would have scored {hit['score']} (not counted)")
    for reason in body.get("reasons", []):
        lines.append(f"decided without rules: {reason}")
    if not lines:
        lines.append("no rule matched")
    return lines


def rule_summary(decision: Decision) -> str:
    """``rule a, rule b`` or the reasons, for the one free-text field a CMS offers."""
    if decision.hits:
        return ", ".join(f"{h.rule} ({h.guideline})" for h in decision.hits)
    if decision.reasons:
        return "decided without rules: " + ", ".join(r.value for r in decision.reasons)
    return "no rule matched"


def feedback_label(st: Moderation, stored_label: str | None, preferred: t.Iterable[str] = ()) -> str:
    """The category a 'this was bad' verdict names when the source does not say which.

    The stored decision's label when it is a category, else the first of ``preferred`` in the policy, else the
    configured spam category if the policy has it, else the policy's first category.
    """
    cats = tuple(st.policy.categories)
    if stored_label in cats:
        return t.cast(str, stored_label)
    for cat in preferred:
        if cat in cats:
            return cat
    spam = st.config.get("SPAM_CATEGORY")
    if spam in cats:
        return t.cast(str, spam)
    return cats[0] if cats else "flagged"
