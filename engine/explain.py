"""`civility explain`: why the policy decides a comment the way it does, step by step.

The decision itself is `decide()`'s, untouched; this module looks again at the same comment to say what
normalization changed, where each rule fired, which rules nearly fired and what stopped them (an `unless`,
a missing part, words too far apart, a quote), and the arithmetic of the score.
"""

from __future__ import annotations

import time
import typing as t
import unicodedata

import yaml

from . import normalize
from ._yaml import Node, load_file
from .combinators import All, Near, Not
from .decide import _drop_excepted, decide
from .errors import PolicyError
from .model import Comment, Decision
from .policy import Policy, Rule
from .scan import WHOLE, Scan, Span
from .textmodel import ModelMatcher

#: time for the second look (the decision keeps its own budget)
ANALYSIS_SECONDS = 5.0


def explain(policy: Policy, comment: Comment, *, budget_ms: float = 1000) -> dict[str, t.Any]:
    """Everything `civility explain` shows, as one JSON-ready mapping."""
    decision = decide(policy, comment, deadline=time.monotonic() + budget_ms / 1000)
    scan = Scan(comment, time.monotonic() + ANALYSIS_SECONDS)
    out: dict[str, t.Any] = {"text": comment.text, "decision": decision.to_dict()}
    try:
        out["steps"] = normalization_steps(scan)
        out["normalized"] = " ".join(scan.words.texts)
        out["near_misses"] = near_misses(policy, scan, decision)
    except TimeoutError:  # `DeadlineExceeded` or a regex's timeout
        out.setdefault("steps", [])
        out.setdefault("normalized", None)
        out["near_misses"] = []
        out["incomplete"] = "the second look ran out of time; the decision above is complete"
    out["arithmetic"] = arithmetic(policy, decision)
    return out


# -- normalization --------------------------------------------------------------------------------


def normalization_steps(scan: Scan) -> list[dict[str, t.Any]]:
    """Each step that changed the text: markup, the per-character fold, the reading of words."""
    p = scan.prepared
    steps = []
    if p.visible != p.raw:
        steps.append(
            {
                "step": "markup",
                "what": "tags, entities and markup removed; quoted text marked as someone else's",
                "after": p.visible,
            }
        )
    if p.norm != p.visible:
        steps.append({"step": "fold", "what": "; ".join(_fold_changes(p.visible)) or "lower case", "after": p.norm})
    readings = _word_readings(scan)
    if readings:
        steps.append({"step": "words", "what": "; ".join(readings), "after": " ".join(scan.words.texts)})
    return steps


def _fold_changes(visible: str) -> list[str]:
    """The characters the fold changed beyond case, by kind (at most a few of each)."""
    kinds: dict[str, list[str]] = {}
    for ch in dict.fromkeys(visible):
        if ch.isascii():
            continue
        folded = normalize._fold_char(ch)
        if folded == ch.lower():
            continue
        cat = unicodedata.category(ch)
        if folded == "":
            kind, shown = "invisible characters dropped", f"U+{ord(ch):04X}"
        elif folded.strip() != folded:
            kind, shown = "emoji read as words", f"{ch} -> {folded.strip()}"
        elif unicodedata.normalize("NFKC", ch) != ch:
            kind, shown = "compatibility forms (NFKC)", f"{ch} -> {folded}"
        elif cat.startswith("L") and unicodedata.normalize("NFD", ch) != ch:
            kind, shown = "accents removed", f"{ch} -> {folded}"
        else:
            kind, shown = "lookalike letters", f"{ch} -> {folded}"
        kinds.setdefault(kind, []).append(shown)
    return [f"{k}: {', '.join(v[:6])}{' ...' if len(v) > 6 else ''}" for k, v in kinds.items()]


def _word_readings(scan: Scan) -> list[str]:
    """Words read differently from how they are written: leetspeak, spaced or stretched letters, masks."""
    norm = scan.prepared.norm
    out = []
    for tok in scan.tokens:
        written = norm[tok.start : tok.end]
        if tok.text == written and not tok.alts:
            continue
        if tok.masked:
            kind = "masked"
        elif any(c in written for c in " .-_") and len(written) > len(tok.text):
            kind = "spaced letters"
        elif any(not c.isalpha() for c in written):
            kind = "leetspeak"
        else:
            kind = "stretched letters"
        also = f" (or {', '.join(tok.alts)})" if tok.alts else ""
        out.append(f"'{written}' read as '{tok.text}'{also} ({kind})")
    for joined, places in scan.glued.items():
        s, e = places[0]
        out.append(f"'{norm[s:e]}' also read as '{joined}' (glued with . - _)")
    return out


# -- rules that nearly fired ----------------------------------------------------------------------


def near_misses(policy: Policy, scan: Scan, decision: Decision) -> list[dict[str, t.Any]]:
    """Rules that did not fire although part of them matched, and what stopped each."""
    fired = {h.rule for h in decision.hits + decision.shadow_hits}
    language = scan.comment.context.get("language") if scan.comment.context else None
    out = []
    sources = _SourceIndex()
    for rule in policy.rules:
        if rule.id in fired:
            continue
        if rule.language and language and rule.language != language:
            continue
        why = _why_not(rule, scan, sources.rule_node(rule))
        if why is not None:
            out.append({"rule": rule.id, "category": rule.category, "score": rule.score, **why})
    return out


def _why_not(rule: Rule, scan: Scan, node: Node | None) -> dict[str, t.Any] | None:
    spans = rule.match.find(scan, rule.in_quotes)
    if not spans:
        if not rule.in_quotes and rule.match.find(scan, True):
            return {"stopped_by": "quote", "detail": "it matches only inside quoted text (someone else's words)"}
        return _below_threshold(rule.match, scan, rule.in_quotes) or _missing_part(
            rule.match, scan, _field(node, "match")
        )
    kept = spans
    for exc in rule.unless_near:
        after = _drop_excepted(kept, exc, scan, rule.in_quotes)
        if not after:
            words = _matched(scan, exc.matcher.find(scan, rule.in_quotes))
            where = "among its words" if exc.side == "inside" else f"within {exc.within} words {exc.side} it"
            return {
                "stopped_by": "unless",
                "detail": f"unless {exc.side}: {', '.join(words)} {where}",
                "matched": _matched(scan, spans),
            }
        kept = after
    # the `unless` entries that are matchers of their own, in the order written
    unless = _field(node, "unless")
    written = unless.value if unless is not None and unless.is_list else []
    plain = [n for n in written if not (n.is_map and set(n.value) & {"before", "after", "inside"})]
    for i, m in enumerate(rule.unless):
        found = m.find(scan, rule.in_quotes)
        if found:
            said = _describe(plain[i]) if i < len(plain) else f"#{i + 1}"
            words = _matched(scan, found)
            detail = f"unless {said}" + (f": {', '.join(words)}" if _on_words(found) else "")
            return {"stopped_by": "unless", "detail": detail, "matched": _matched(scan, spans)}
    return None


def _field(node: Node | None, key: str) -> Node | None:
    return node.value.get(key) if node is not None and node.is_map else None


def _on_words(spans: list[Span]) -> bool:
    """Whether a matcher found words, not only a property of the whole comment (its length, its author)."""
    return any(s.space < WHOLE for s in spans)


#: how close to its bound a model's probability must come to count as a near miss
MODEL_MARGIN = 0.2


def _below_threshold(matcher: t.Any, scan: Scan, quotes_ok: bool) -> dict[str, t.Any] | None:
    """For a `model` matcher: the probability, when it came within MODEL_MARGIN of its bound."""
    if not isinstance(matcher, ModelMatcher):
        return None
    p = matcher.model.probability(scan, quotes_ok)
    name = matcher.model.name
    if matcher.above is not None and matcher.above - MODEL_MARGIN <= p < matcher.above:
        return {
            "stopped_by": "threshold",
            "detail": f"model {name}: probability {p:.2f}, below above: {matcher.above:g}",
        }
    if matcher.below is not None and matcher.below <= p < matcher.below + MODEL_MARGIN:
        return {
            "stopped_by": "threshold",
            "detail": f"model {name}: probability {p:.2f}, not below below: {matcher.below:g}",
        }
    return None


def _missing_part(matcher: t.Any, scan: Scan, node: Node | None) -> dict[str, t.Any] | None:
    """For `near` and `all`: which parts matched and which did not; None when none did (not near)."""
    if isinstance(matcher, Near):
        parts, key = list(matcher.parts), "near"
    elif isinstance(matcher, All):
        parts, key = list(matcher.written), "all"
    else:
        return None
    written = node.value.get(key).value if node is not None and node.is_map and key in node.value else None
    found = [p.find(scan, True) for p in parts]
    if not any(_on_words(f) for f in found):
        return None  # no word of it is in the comment: not a near miss
    described = [_describe(written[i]) if written and i < len(written) else f"part {i + 1}" for i in range(len(parts))]
    have = [f"{described[i]}: {', '.join(_matched(scan, f))}" for i, f in enumerate(found) if _on_words(f)]
    if all(found):
        assert isinstance(matcher, Near)  # an `all` whose every part matches has fired
        order = " in order" if matcher.in_order else ""
        return {
            "stopped_by": "distance",
            "detail": f"every part matched, but not within {matcher.within} words of each other{order}",
            "found": have,
        }
    missing = [described[i] + _why_part(p, scan) for i, (p, f) in enumerate(zip(parts, found)) if not f]
    return {"stopped_by": "missing part", "detail": f"nothing for {'; '.join(missing)}", "found": have}


def _why_part(part: t.Any, scan: Scan) -> str:
    if isinstance(part, Not):
        return " (what it excludes is there)"
    if isinstance(part, ModelMatcher):
        return f" (probability {part.model.probability(scan, True):.2f})"
    return ""


def _matched(scan: Scan, spans: list[Span]) -> list[str]:
    text = scan.comment.text
    out: list[str] = []
    for s in spans:
        raw = scan.raw_span(s)
        if raw is not None and raw[1] > raw[0] and text[raw[0] : raw[1]] not in out:
            out.append(text[raw[0] : raw[1]])
    return out[:5]


def _describe(node: Node, width: int = 90) -> str:
    """A matcher as written in the policy, on one line."""
    text = yaml.safe_dump(node.plain(), default_flow_style=True, width=10_000, allow_unicode=True).strip()
    return text if len(text) <= width else text[: width - 4] + " ...}"


class _SourceIndex:
    """Each rule as written, from its file (read once per file)."""

    def __init__(self) -> None:
        self.files: dict[t.Any, Node | None] = {}

    def rule_node(self, rule: Rule) -> Node | None:
        path = rule.location.path
        if path not in self.files:
            try:
                self.files[path] = load_file(path)
            except (PolicyError, OSError):
                self.files[path] = None
        root = self.files[path]
        if root is None or not root.is_map or "rules" not in root.value:
            return None
        for item in root.value["rules"].value:
            if item.loc == rule.location:
                return item
        return None


# -- the score ------------------------------------------------------------------------------------


def arithmetic(policy: Policy, decision: Decision) -> dict[str, t.Any]:
    th = policy.thresholds
    terms = [[h.rule, h.score] for h in decision.hits]
    total = sum(s for _, s in terms)
    if decision.reasons:
        why = f"decided without rules ({', '.join(r.value for r in decision.reasons)}): flag"
    elif th.reject is not None and total >= th.reject:
        why = f"{total:g} >= reject {th.reject:g}: reject"
    elif total >= th.flag:
        why = f"{total:g} >= flag {th.flag:g}: flag"
    else:
        why = f"{total:g} < flag {th.flag:g}: approve"
    return {
        "terms": terms,
        "shadow": [[h.rule, h.score] for h in decision.shadow_hits],
        "total": total,
        "flag": th.flag,
        "reject": th.reject,
        "result": why,
    }


# -- for people -----------------------------------------------------------------------------------


def render(report: dict[str, t.Any], mark: t.Callable[[str], str] = lambda s: f"[{s}]") -> str:
    """The explanation as text; `mark` highlights a span of the original."""
    text = report["text"]
    d = report["decision"]
    lines = [f"text:        {text}"]
    for step in report["steps"]:
        lines.append(f"{step['step'] + ':':<12} {step['what']}")
        lines.append(f"{'':<12} -> {step['after']}")
    if report.get("normalized") is not None:
        lines.append(f"normalized:  {report['normalized']}")
    lines.append("")
    lines.append(
        f"{d['decision'].upper()}, score {d['score']:g}" + (f" ({', '.join(d['reasons'])})" if d["reasons"] else "")
    )
    for h in d["hits"] + d["shadow_hits"]:
        shadow = " (shadow: not scored)" if h in d["shadow_hits"] else ""
        lines.append(f"  fired  {h['rule']}  +{h['score']:g}{shadow}  {h['category']} / {h['guideline']}")
        lines.append(f"         {highlight(text, h['span'], mark)}")
    for m in report["near_misses"]:
        lines.append(f"  nearly {m['rule']}  (+{m['score']:g})  stopped by {m['stopped_by']}: {m['detail']}")
        for f in m.get("found", []):
            lines.append(f"         found {f}")
        if m.get("matched"):
            lines.append(f"         it matched: {', '.join(m['matched'])}")
    a = report["arithmetic"]
    sums = " + ".join(f"{s:g}" for _, s in a["terms"]) or "0"
    lines.append("")
    lines.append(f"score: {sums} = {a['total']:g}; {a['result']}")
    if report.get("incomplete"):
        lines.append(f"note: {report['incomplete']}")
    return "\n".join(lines)


def highlight(text: str, span: list[int] | None, mark: t.Callable[[str], str]) -> str:
    """One line of the original with the span marked (the whole comment when the hit has no span)."""
    if not span:
        return f"(the whole comment) {_one_line(text)}"
    s, e = span
    before, inside, after = text[max(0, s - 60) : s], text[s:e], text[e : e + 60]
    return _one_line(("..." if s > 60 else "") + before) + mark(_one_line(inside)) + _one_line(after)


def _one_line(s: str) -> str:
    return s.replace("\n", " ").replace("\r", " ")
