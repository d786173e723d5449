"""`civility coverage`: which guidelines the rules and cases cover, and, over a corpus, which rules never
fire and which only ever fire together with another rule of their category (candidates to merge)."""

from __future__ import annotations

import time
import typing as t
from dataclasses import dataclass, field

from .decide import decide
from .model import Comment
from .policy import Policy


def guidelines(policy: Policy) -> list[dict[str, t.Any]]:
    """Each guideline with its rules and the cases that expect them; uncovered ones first."""
    by_guideline: dict[str, list[str]] = {g: [] for g in policy.guidelines}
    for rule in policy.rules:
        by_guideline.setdefault(rule.guideline, []).append(rule.id)
    cases: dict[str, list[str]] = {g: [] for g in by_guideline}
    rule_guideline = {r.id: r.guideline for r in policy.rules}
    for case in policy.cases:
        for g in dict.fromkeys(rule_guideline[r] for r in case.expect if r in rule_guideline):
            cases[g].append(str(case.location))
    out = []
    for gid, rules in by_guideline.items():
        g = policy.guidelines.get(gid)
        moderators_only = bool(g and g.moderators_only)
        status = (
            "moderators only"
            if moderators_only
            else "no rule"
            if not rules
            else "no case"
            if not cases[gid]
            else "covered"
        )
        out.append(
            {
                "guideline": gid,
                "text": g.text if g else "",
                "status": status,
                "rules": rules,
                "cases": cases[gid],
            }
        )
    order = {"no rule": 0, "no case": 1, "covered": 2, "moderators only": 3}
    return sorted(out, key=lambda x: order[x["status"]])


@dataclass
class Firing:
    """Over a corpus: how often each rule fires, and which rules of its category fired every time it did."""

    policy: Policy
    n: int = 0
    fired: dict[str, int] = field(default_factory=dict)
    # for each rule that has fired: the rules of its category that fired on every comment it fired on
    always_with: dict[str, set[str]] = field(default_factory=dict)

    def add(self, rules: list[str]) -> None:
        self.n += 1
        category = {r.id: r.category for r in self.policy.rules}
        for rid in rules:
            self.fired[rid] = self.fired.get(rid, 0) + 1
            same = {o for o in rules if o != rid and category.get(o) == category.get(rid)}
            self.always_with[rid] = same if rid not in self.always_with else self.always_with[rid] & same

    def to_dict(self) -> dict[str, t.Any]:
        never = [r.id for r in self.policy.rules if r.id not in self.fired]
        merge = [
            {"rule": rid, "fired": self.fired[rid], "always_with": sorted(with_)}
            for rid, with_ in self.always_with.items()
            if with_
        ]
        return {"n": self.n, "fired": self.fired, "never_fired": never, "merge_candidates": merge}


def firing(policy: Policy, rows: t.Iterable[tuple[int, dict[str, t.Any]]], budget_ms: float) -> Firing:
    f = Firing(policy)
    for _, row in rows:
        d = decide(policy, Comment.from_dict(row), deadline=time.monotonic() + budget_ms / 1000)
        f.add([h.rule for h in d.hits + d.shadow_hits])
    return f


def render(report: dict[str, t.Any]) -> str:
    lines = []
    for g in report["guidelines"]:
        lines.append(f"{g['guideline']} ({g['status']}): {len(g['rules'])} rules, {len(g['cases'])} cases")
        for rid in g["rules"]:
            lines.append(f"    {rid}")
    corpus = report.get("corpus")
    if corpus:
        lines.append("")
        lines.append(f"over {corpus['n']} comments: {len(corpus['never_fired'])} rules never fired")
        for rid in corpus["never_fired"]:
            lines.append(f"    {rid}")
        lines.append(f"{len(corpus['merge_candidates'])} rules only ever fired together with another of their category")
        for m in corpus["merge_candidates"]:
            lines.append(f"    {m['rule']} ({m['fired']} times), always with {', '.join(m['always_with'])}")
    return "\n".join(lines)
