"""A self-hosted drop-in for Perspective's ``comments:analyze`` and ``comments:suggestscore`` (``/v1alpha1``).

Coral's toxicity phase (and other Perspective users) request ``TOXICITY`` and treat ``value > 0.80`` as toxic.
The decision fixes the band, so that threshold still equals our flag; inside its band a comment is placed by
``q = 1 - (1 - p) * (1 - r)``, where ``p`` is the highest probability the policy's models give it (the models
of the attribute's categories that score the comment's language; each rescaled so that a comment without
words is 0; 0 without models) and ``r`` grows with the score ``s`` of the attribute's hits:

- ``approve``: ``0.799 * q`` with ``r = s / (s + 3)``, in [0, 0.80): a rude comment the policy lets through
  scores above a friendly one, so a stricter threshold than 0.80 catches the likeliest first;
- ``flag``: ``0.81 + 0.13 * q`` with ``r = s / (s + 5)``, in [0.81, 0.94]; a flag made without rules (timeout,
  ...) is 0.81;
- ``reject``: ``0.95 + 0.049 * q``, in [0.95, 0.999].

``TOXICITY`` covers every category; ``SEVERE_TOXICITY`` too, but only a ``reject`` takes it above 0.80. Other
attributes (``PERSPECTIVE_ATTRIBUTES``, and each policy category upper-cased) cover their categories: they score
in the decision's band when the comment is not approved and one of their categories hit, else in the approve band.
``suggestscore`` verdicts are stored as feedback, which ``civility feedback export`` writes for ``civility learn``.
"""

from __future__ import annotations

import typing as t

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from engine import Comment, Decision, Policy, Verdict
from engine.decide import scored_as
from engine.scan import Scan

from .. import body as b
from .. import schemas
from ..access import configured
from ..errors import ApiError
from ..moderation import feedback_label, moderate, state
from ..signing import token_matches

bp = Blueprint("perspective", __name__, url_prefix="/v1alpha1")

ALL = "*"


def band(verdict: Verdict, s: float, p: float = 0.0) -> float:
    """The value of a decision's band for hits scoring ``s`` and a model probability ``p``."""
    s, p = max(0.0, float(s)), min(1.0, max(0.0, float(p)))
    if verdict is Verdict.APPROVE:
        return round(0.799 * _either(p, s / (s + 3)), 6)
    q = _either(p, s / (s + 5))
    if verdict is Verdict.REJECT:
        return round(0.95 + 0.049 * q, 6)
    return round(0.81 + 0.13 * q, 6)


def _either(p: float, r: float) -> float:
    """Either of two pieces of evidence: 0 when both are 0, 1 when one is 1, ordered by each."""
    return 1.0 - (1.0 - p) * (1.0 - r)


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


def model_probability(
    policy: Policy, comment: Comment, covers: tuple[str, ...] | None, seen: dict[t.Any, t.Any] | None = None
) -> float:
    """The highest probability the policy's models give the comment, among the models its rules of the covered
    categories use in the packs that score the comment (quoted text counted as those rules count it); 0 when
    there are none. ``seen`` keeps the comment's scan and probabilities for the next attribute."""
    seen = {} if seen is None else seen
    scored = scored_as(policy, comment)
    packs = scored.packs if scored is not None else None
    wanted = {
        (rule.model, rule.in_quotes)
        for rule in policy.rules
        if rule.model in policy.models
        and not rule.shadow
        and (covers is None or rule.category in covers)
        and (not rule.language or packs is None or rule.language in packs)
    }
    if not wanted:
        return 0.0
    for key in wanted - seen.keys():
        if "scan" not in seen:
            seen["scan"] = Scan(comment, None)
        seen[key] = _above_blank(policy.models[key[0]], seen["scan"], key[1])
    return max(seen[key] for key in wanted)


def _above_blank(model: t.Any, scan: Scan, quotes_ok: bool) -> float:
    """The model's probability, measured from what it gives a comment without words (0) to 1.

    A comment none of whose words a model knows (English to a Portuguese model) gets the model's prior, which
    is high for a model trained where most comments offend; rescaled, it is 0 for every model, and models of
    several languages compare on what the comment's words add."""
    blank = model.calibrate(model.bias)  # what a comment without a feature scores
    p = model.probability(scan, quotes_ok)
    return (p - blank) / (1.0 - blank) if p > blank and blank < 1.0 else 0.0


def likeliest(policy: Policy, text: str, covers: tuple[str, ...] | None) -> list[str]:
    """What a moderator most likely meant by rejecting a comment we approved: the covered categories whose
    models see the text as theirs, likeliest first, then the attribute's other categories in its order (none
    for an attribute of every category: ``feedback_label`` then falls back as for any source)."""
    cats = list(policy.categories) if covers is None else list(covers)
    comment, seen = Comment(text=text), {}
    evidence = {cat: model_probability(policy, comment, (cat,), seen) for cat in cats}
    ranked = sorted((cat for cat in cats if evidence[cat] > 0), key=lambda cat: -evidence[cat])
    return ranked + ([] if covers is None else [cat for cat in cats if cat not in ranked])


def score(decision: Decision, name: str, covers: tuple[str, ...] | None, p: float = 0.0) -> tuple[float, list[t.Any]]:
    """The attribute's value and its hits with spans, each with the value of its own score."""
    hits = [h for h in decision.hits if covers is None or h.category in covers]
    s = sum(max(0.0, h.score) for h in hits)
    verdict = decision.decision
    if name == "SEVERE_TOXICITY" and verdict is not Verdict.REJECT:
        verdict = Verdict.APPROVE
    elif covers is not None and not hits:
        verdict = Verdict.APPROVE
    return band(verdict, s, p), [(h, band(verdict, h.score)) for h in hits if h.span is not None]


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
    seen: dict[t.Any, t.Any] = {}
    for name, opts in requested.items():
        covers = known[name.upper()]
        # a decision failed closed (timeout, too long) leaves no time for the models
        p = 0.0 if decision.reasons else model_probability(st.policy, comment, covers, seen)
        value, span_hits = score(decision, name.upper(), covers, p)
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
    verdict = "ok"
    if value >= 0.5:
        covers = known[name.upper()]
        verdict = feedback_label(st, stored.label if stored else None, likeliest(st.policy, text, covers))
    st.store.add_feedback(stored.id if stored else None, verdict, "perspective", text=text)
    resp: dict[str, t.Any] = {}
    if isinstance(data.get("clientToken"), str):
        resp["clientToken"] = data["clientToken"]
    return jsonify(resp)
