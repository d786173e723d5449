"""A self-hosted drop-in for Perspective's ``comments:analyze`` and ``comments:suggestscore`` (``/v1alpha1``).

Coral's toxicity phase (and other Perspective users) request ``TOXICITY`` and treat ``value > 0.80`` as toxic.
Scores are derived from the policy's decision, not a model, in bands that keep that contract:

- ``approve``: ``0.79 * s / (s + 3)``, below 0.79 (``s`` is the score of the attribute's hits);
- ``flag``: ``0.81 + 0.13 * s / (s + 5)``, in [0.81, 0.94); a flag made without rules (timeout, ...) is 0.81;
- ``reject``: ``0.95 + 0.049 * s / (s + 5)``, in [0.95, 0.999).

``TOXICITY`` covers every category; ``SEVERE_TOXICITY`` too, but only a ``reject`` takes it above 0.80. Other
attributes (``PERSPECTIVE_ATTRIBUTES``, and each policy category upper-cased) cover their categories: they score
in the decision's band when the comment is not approved and one of their categories hit, else in the approve band.
"""

from __future__ import annotations

import typing as t

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from engine import Comment, Decision, Verdict

from .. import body as b
from .. import schemas
from ..access import configured
from ..errors import ApiError
from ..moderation import feedback_label, moderate, state
from ..signing import token_matches

bp = Blueprint("perspective", __name__, url_prefix="/v1alpha1")

ALL = "*"


def band(verdict: Verdict, s: float) -> float:
    s = max(0.0, float(s))
    if verdict is Verdict.REJECT:
        return round(0.95 + 0.049 * s / (s + 5), 6)
    if verdict is Verdict.FLAG:
        return round(0.81 + 0.13 * s / (s + 5), 6)
    return round(0.79 * s / (s + 3), 6)


def attributes(policy: t.Any, cfg: t.Mapping[str, t.Any]) -> dict[str, tuple[str, ...] | None]:
    """Attribute name -> the categories it covers (``None``: all of them)."""
    cats = tuple(policy.categories)
    out: dict[str, tuple[str, ...] | None] = {}
    for cat in cats:
        out[cat.upper()] = (cat,)
    for name, spec in cfg["PERSPECTIVE_ATTRIBUTES"].items():
        parts = [p.strip() for p in spec.split("|") if p.strip()]
        out[name.upper()] = None if ALL in parts else tuple(p for p in parts if p in cats)
    return out


def score(decision: Decision, name: str, covers: tuple[str, ...] | None) -> tuple[float, list[t.Any]]:
    hits = [h for h in decision.hits if covers is None or h.category in covers]
    s = sum(max(0.0, h.score) for h in hits)
    verdict = decision.decision
    if name == "SEVERE_TOXICITY" and verdict is not Verdict.REJECT:
        verdict = Verdict.APPROVE
    elif covers is not None and not hits:
        verdict = Verdict.APPROVE
    return band(verdict, s), [(h, band(verdict, h.score)) for h in hits if h.span is not None]


def _check_key() -> None:
    if not configured("/v1alpha1"):
        return
    keys = current_app.config["PERSPECTIVE_KEYS"]
    given = request.args.get("key")
    ok = False
    for k in keys:
        ok |= token_matches(given, k)
    if not ok:
        raise ApiError(400, "invalid_key", "API key not valid. Please pass a valid API key.")


def _requested(data: t.Any, known: t.Mapping[str, t.Any], field: str) -> dict[str, t.Any]:
    req = b.field_of(data, field, dict)
    if not req:
        raise ApiError(400, "invalid_field", f"{field} must name at least one attribute", field)
    for name in req:
        if name.upper() not in known:
            raise ApiError(
                400, "invalid_field", f"Attribute {name} does not exist. Known: {', '.join(sorted(known))}", field
            )
    return t.cast(dict[str, t.Any], req)


def _languages(data: dict[str, t.Any]) -> list[str]:
    langs = data.get("languages")
    if langs is None:
        return ["en"]
    if not isinstance(langs, list) or not all(isinstance(x, str) for x in langs):
        raise ApiError(400, "invalid_field", "languages must be a list of strings", "languages")
    return langs or ["en"]


@bp.post("/comments:analyze")
def analyze() -> ResponseReturnValue:
    _check_key()
    data = b.json_body(schemas.PERSPECTIVE_ANALYZE)
    text = b.field_of(data, "comment.text", str)
    kind = b.field_of(data, "comment.type", str, required=False) or "PLAIN_TEXT"
    st = state()
    known = attributes(st.policy, current_app.config)
    requested = _requested(data, known, "requestedAttributes")
    spans = data.get("spanAnnotations") is True
    comment = Comment(text=text, format="html" if kind.upper() == "HTML" else "text", context={"cms": "perspective"})
    decision = moderate(comment, "perspective", keep_text=data.get("doNotStore") is not True)
    out: dict[str, t.Any] = {}
    for name, opts in requested.items():
        value, span_hits = score(decision, name.upper(), known[name.upper()])
        threshold = opts.get("scoreThreshold") if isinstance(opts, dict) else None
        if isinstance(threshold, (int, float)) and value < threshold:
            continue
        entry: dict[str, t.Any] = {"summaryScore": {"value": value, "type": "PROBABILITY"}}
        if spans:
            entry["spanScores"] = [
                {"begin": h.span[0], "end": h.span[1], "score": {"value": v, "type": "PROBABILITY"}}
                for h, v in span_hits
            ]
        out[name] = entry
    resp: dict[str, t.Any] = {"attributeScores": out, "languages": _languages(data)}
    if isinstance(data.get("clientToken"), str):
        resp["clientToken"] = data["clientToken"]
    return jsonify(resp)


@bp.post("/comments:suggestscore")
def suggest_score() -> ResponseReturnValue:
    """A moderator's verdict (Coral: 0 approved, 1 rejected) recorded as feedback on the stored decision."""
    _check_key()
    data = b.json_body(schemas.PERSPECTIVE_SUGGEST)
    text = b.field_of(data, "comment.text", str)
    st = state()
    known = attributes(st.policy, current_app.config)
    suggested = _requested(data, known, "attributeScores")
    name, entry = next(iter(suggested.items()))
    value = b.field_of(entry, "summaryScore.value", (int, float)) if isinstance(entry, dict) else None
    if value is None:
        raise ApiError(
            400, "invalid_field", f"attributeScores.{name}.summaryScore.value is required", "attributeScores"
        )
    _languages(data)
    stored = st.store.find_by_text(text)
    covers = known[name.upper()] or ()
    verdict = feedback_label(st, stored.label if stored else None, covers) if value >= 0.5 else "ok"
    st.store.add_feedback(stored.id if stored else None, verdict, "perspective", text=text)
    resp: dict[str, t.Any] = {}
    if isinstance(data.get("clientToken"), str):
        resp["clientToken"] = data["clientToken"]
    return jsonify(resp)
