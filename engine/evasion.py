"""`civility evasion`: the policy's own cases, disguised the way people write past a word filter.

For each case a rule must fire on (and does, written plainly), the words that rule matched are disguised
every way `disguise` knows (leetspeak, homoglyphs, spacing, dots, zero-width characters, repeated letters,
masking, markup, fullwidth, quotes, mixes of two); the rule's recall is the share of disguises it still
fires on. Cases no rule may fire on are disguised at a word the seed picks; a disguise that makes a rule
fire there is a false flag the disguises cause. The generator shares no table with the engine.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass, field

from . import disguise
from .decide import decide
from .model import Comment, Verdict
from .policy import Case, Policy

MAX_EXAMPLES = 20


def _ratio(kept: int, total: int) -> float | None:
    return kept / total if total else None


@dataclass
class Evasion:
    rules: dict[str, list[int]] = field(default_factory=dict)  # rule -> [still fired, disguises]
    kinds: dict[str, list[int]] = field(default_factory=dict)  # kind -> [still fired, disguises]
    missed: list[dict[str, str]] = field(default_factory=list)
    innocent: dict[str, list[int]] = field(default_factory=dict)  # kind -> [now fired, disguises]
    false_flags: list[dict[str, t.Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, t.Any]:
        def table(counts: dict[str, list[int]], kept: str) -> dict[str, dict[str, t.Any]]:
            return {k: {"disguises": n, kept: c, "share": _ratio(c, n)} for k, (c, n) in counts.items()}

        caught = sum(c for c, _ in self.rules.values())
        total = sum(n for _, n in self.rules.values())
        flagged = sum(c for c, _ in self.innocent.values())
        tried = sum(n for _, n in self.innocent.values())
        return {
            "recall": _ratio(caught, total),
            "disguises": total,
            "rules": table(self.rules, "still_fired"),
            "kinds": table(self.kinds, "still_fired"),
            "missed": self.missed[:MAX_EXAMPLES],
            "false_flag_rate": _ratio(flagged, tried),
            "innocent_disguises": tried,
            "false_flags_by_kind": table(self.innocent, "fired"),
            "false_flags": self.false_flags[:MAX_EXAMPLES],
        }


def _count(table: dict[str, list[int]], key: str, hit: bool) -> None:
    row = table.setdefault(key, [0, 0])
    row[0] += int(hit)
    row[1] += 1


def _disguised(case: Case, text: str) -> Comment:
    c = case.comment
    return Comment(text=text, id=c.id, format=c.format, author=c.author, parent_text=c.parent_text, context=c.context)


def evasion(policy: Policy, seeds: int = 1) -> Evasion:
    """Disguise every case `seeds` times per kind and count what still fires."""
    ev = Evasion()
    for case in policy.cases:
        plain = decide(policy, case.comment)
        hits = {h.rule: h for h in plain.hits + plain.shadow_hits}
        if case.expect:
            for rid in case.expect:
                hit = hits.get(rid)
                if hit is None or hit.span is None:
                    continue  # the case fails plainly, or the rule looks at no words: nothing to disguise
                spans = hit.spans or (hit.span,)
                for seed in range(seeds):
                    for kind, text in disguise.variants(case.comment.text, seed, spans):
                        d = decide(policy, _disguised(case, text))
                        fired = any(h.rule == rid for h in d.hits + d.shadow_hits)
                        _count(ev.rules, rid, fired)
                        _count(ev.kinds, "mix" if "+" in kind else kind, fired)
                        if not fired:
                            ev.missed.append({"rule": rid, "kind": kind, "text": text})
        elif plain.decision is Verdict.APPROVE and not hits:
            for seed in range(seeds):
                for kind, text in disguise.variants(case.comment.text, seed):
                    d = decide(policy, _disguised(case, text))
                    fired = [h.rule for h in d.hits]
                    _count(ev.innocent, "mix" if "+" in kind else kind, bool(fired))
                    if fired:
                        ev.false_flags.append({"kind": kind, "text": text, "rules": fired, "case": str(case.location)})
    return ev


def _share(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def render(report: dict[str, t.Any]) -> str:
    lines = [
        f"recall under evasion: {_share(report['recall'])} of {report['disguises']} disguised cases",
        "",
        "kind               disguises  still fired  recall",
    ]
    for kind, v in report["kinds"].items():
        lines.append(f"{kind:<18} {v['disguises']:>9}  {v['still_fired']:>11}  {_share(v['share'])}")
    w = max([len(r) for r in report["rules"]] + [4])
    lines += ["", f"{'rule':<{w}}  disguises  still fired  recall"]
    for rid, v in sorted(report["rules"].items(), key=lambda kv: (kv[1]["share"] or 0, kv[0])):
        lines.append(f"{rid:<{w}} {v['disguises']:>10}  {v['still_fired']:>11}  {_share(v['share'])}")
    if report["missed"]:
        lines += ["", "missed (first ones):"]
        lines += [f"    {m['rule']} ({m['kind']}): {m['text']}" for m in report["missed"]]
    lines += [
        "",
        f"false flags: {_share(report['false_flag_rate'])} of {report['innocent_disguises']} disguised "
        "must-not-fire cases fire a rule",
    ]
    lines += [f"    {f['kind']}: {', '.join(f['rules'])}: {f['text']}" for f in report["false_flags"]]
    return "\n".join(lines)
