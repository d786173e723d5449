"""`civility eval`: a policy against labeled comments, in one streaming pass (constant memory).

Each comment gets the one label of CONTRACT.md section 1 (`ok`, its top category, or `error`), which is
compared with the file's `label`. A file may use labels that are no category of the policy (a public set's
`offensive`): for those, `caught` (the share not approved) still says how much the policy holds.
"""

from __future__ import annotations

import heapq
import time
import typing as t
from dataclasses import dataclass, field

from .decide import decide
from .model import Comment, Decision, Verdict
from .policy import Policy

WORST = 10  # false flags and misses kept for the report
MAX_KEPT_CHARS = 2_000  # of each kept comment: the report shows the start of a long one


@dataclass
class _Kept:
    """A comment kept for the report: its text (clipped), decision and where the rules fired."""

    id: str
    label: str
    decision: str
    predicted: str
    score: float
    text: str
    hits: list[dict[str, t.Any]]


@dataclass
class Evaluation:
    """Running counts; `add` one decided comment at a time, `to_dict` for the figures."""

    policy: Policy
    n: int = 0
    confusion: dict[str, dict[str, int]] = field(default_factory=dict)
    caught: dict[str, int] = field(default_factory=dict)
    rules: dict[str, dict[str, int]] = field(default_factory=dict)
    scores: dict[str, dict[float, int]] = field(default_factory=dict)
    # heaps of (key, sequence, kept): the worst WORST of each kind, never more
    _false_flags: list[tuple[float, int, _Kept]] = field(default_factory=list)
    _misses: list[tuple[float, int, _Kept]] = field(default_factory=list)

    def add(self, label: str, comment: Comment, decision: Decision) -> None:
        self.n += 1
        predicted = decision.label
        row = self.confusion.setdefault(label, {})
        row[predicted] = row.get(predicted, 0) + 1
        flagged = decision.decision is not Verdict.APPROVE
        self.caught[label] = self.caught.get(label, 0) + int(flagged)
        by_score = self.scores.setdefault(label, {})
        by_score[decision.score] = by_score.get(decision.score, 0) + 1
        for hit in decision.hits:
            counts = self.rules.setdefault(hit.rule, {"hits": 0, "true": 0, "false": 0, "false_flags": 0})
            counts["hits"] += 1
            if label == "ok":
                counts["false"] += 1
                counts["false_flags"] += int(flagged)
            else:
                counts["true"] += 1
        if label == "ok" and flagged:
            # the most confident false flags first
            self._keep(self._false_flags, decision.score, label, comment, decision)
        elif label != "ok" and not flagged:
            # the most complete misses first: the lowest score
            self._keep(self._misses, -decision.score, label, comment, decision)

    def _keep(self, heap: list[tuple[float, int, _Kept]], key: float, label: str, c: Comment, d: Decision) -> None:
        item = (key, -self.n, _Kept(d.id or "", label, d.decision.value, d.label, d.score, "", []))
        if len(heap) >= WORST and item[:2] <= heap[0][:2]:
            return
        # only now the text and spans are copied: most comments never get here
        kept = item[2]
        kept.text = c.text[:MAX_KEPT_CHARS]
        kept.hits = [h.to_dict() for h in d.hits + d.shadow_hits]
        (heapq.heappush if len(heap) < WORST else heapq.heapreplace)(heap, item)

    def categories(self) -> dict[str, dict[str, t.Any]]:
        """Precision, recall and F1 per category of the policy (single label per comment)."""
        out = {}
        for cat in self.policy.categories:
            tp = self.confusion.get(cat, {}).get(cat, 0)
            predicted = sum(row.get(cat, 0) for row in self.confusion.values())
            actual = sum(self.confusion.get(cat, {}).values())
            p = tp / predicted if predicted else None
            r = tp / actual if actual else None
            f1 = 2 * p * r / (p + r) if p is not None and r is not None and p + r > 0 else None
            if p is not None and r is not None and p + r == 0:
                f1 = 0.0
            out[cat] = {"n": actual, "predicted": predicted, "tp": tp, "precision": p, "recall": r, "f1": f1}
        return out

    def to_dict(self) -> dict[str, t.Any]:
        labels = {
            label: {"n": sum(row.values()), "caught": self.caught[label] / sum(row.values())}
            for label, row in sorted(self.confusion.items(), key=_label_order)
        }
        order = {r.id: i for i, r in enumerate(self.policy.rules)}
        return {
            "policy_version": self.policy.version,
            "n": self.n,
            "labels": labels,
            "confusion": {k: dict(sorted(v.items(), key=_label_order)) for k, v in self.confusion.items()},
            "categories": self.categories(),
            "rules": {
                rid: {
                    "hits": c["hits"],
                    "true_positives": c["true"],
                    "false_positives": c["false"],
                    "false_flags": c["false_flags"],
                }
                for rid, c in sorted(self.rules.items(), key=lambda kv: (-kv[1]["false_flags"], order.get(kv[0], 0)))
            },
            "scores": {
                label: [[s, k] for s, k in sorted(by.items())]
                for label, by in sorted(self.scores.items(), key=_label_order)
            },
            "worst_false_flags": [vars(k) for _, _, k in sorted(self._false_flags, reverse=True)],
            "worst_misses": [vars(k) for _, _, k in sorted(self._misses, reverse=True)],
        }


def _label_order(item: tuple[str, t.Any]) -> tuple[int, str]:
    return (0 if item[0] == "ok" else 1, item[0])


def evaluate(
    policy: Policy,
    rows: t.Iterable[tuple[int, dict[str, t.Any]]],
    budget_ms: float,
) -> Evaluation:
    """Decide each labeled row ((line number, row with `text` and `label`)) and count."""
    ev = Evaluation(policy)
    for line_no, row in rows:
        comment = Comment.from_dict(row)
        decision = decide(policy, comment, deadline=time.monotonic() + budget_ms / 1000)
        if decision.id is None:
            decision = decision.with_id(f"line-{line_no}")
        ev.add(str(row["label"]), comment, decision)
    return ev


def format_share(x: float | None) -> str:
    """A share as the text output and the HTML report print it (three decimals; '-' when undefined)."""
    return "-" if x is None else f"{x:.3f}"


def render_text(report: dict[str, t.Any]) -> str:
    """The figures for people: per label, confusion table, per category, per rule."""
    lw = max([len(label) for label in report["labels"]] + [5])
    lines = [f"{report['n']} comments, policy {report['policy_version']}", "", f"{'label':<{lw}}       n  caught"]
    for label, v in report["labels"].items():
        lines.append(f"{label:<{lw}} {v['n']:>7}  {format_share(v['caught'])}")
    predicted = sorted({p for row in report["confusion"].values() for p in row}, key=lambda p: _label_order((p, 0)))
    first = max(len(label) for label in report["labels"]) + 1 if report["labels"] else 6
    w = max([len(p) for p in predicted] + [6]) + 1
    lines += ["", "confusion (rows: label, columns: decided as)", " " * first + "".join(f"{p:>{w}}" for p in predicted)]
    for label in report["labels"]:
        row = report["confusion"][label]
        lines.append(f"{label:<{first}}" + "".join(f"{row.get(p, 0):>{w}}" for p in predicted))
    lines += ["", "category              n  precision  recall     f1"]
    for cat, v in report["categories"].items():
        lines.append(
            f"{cat:<18} {v['n']:>5}  {format_share(v['precision']):>9}  {format_share(v['recall']):>6}"
            f"  {format_share(v['f1']):>5}"
        )
    lines += ["", "rule                                       hits   true  false  false flags"]
    for rid, v in report["rules"].items():
        lines.append(
            f"{rid:<40} {v['hits']:>6} {v['true_positives']:>6} {v['false_positives']:>6} {v['false_flags']:>12}"
        )
    return "\n".join(lines)
