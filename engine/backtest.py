"""`civility diff`: what a policy edit does to past comments, before it goes live.

Both policies decide every comment of a corpus in one streaming pass; a comment whose decision or label
(CONTRACT.md section 1) changes is reported with the rules that fired on each side. A policy is a
directory or a git revision of one (`HEAD~1:policies`), read with `git archive` into a temporary directory.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
import time
import typing as t
from dataclasses import dataclass, field
from pathlib import Path

from .decide import decide
from .model import Comment, Decision
from .policy import Policy


class RevisionError(ValueError):
    """A policy named as a git revision that git cannot give."""


def checkout(spec: str, into: Path) -> Path:
    """The policy directory SPEC names: itself when it is a directory, else `REV:PATH` from git into INTO.

    :raises RevisionError: when SPEC is neither a directory nor a revision git can archive.
    """
    if Path(spec).is_dir():
        return Path(spec)
    if ":" not in spec:
        raise RevisionError(f"'{spec}' is neither a directory nor a git revision such as HEAD~1:policies")
    try:
        # `git archive REV:PATH` writes the tree at PATH as the archive's root
        out = subprocess.run(["git", "archive", "--format=tar", spec], capture_output=True, check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise RevisionError(f"cannot run git for '{spec}': {e}") from e
    if out.returncode != 0:
        raise RevisionError(f"git cannot give '{spec}': {out.stderr.decode(errors='replace').strip()}")
    target = Path(tempfile.mkdtemp(prefix="policy-", dir=into))
    with tarfile.open(fileobj=io.BytesIO(out.stdout)) as tar:
        tar.extractall(target, filter="data")
    return target


@dataclass
class Change:
    id: str
    text: str
    old: Decision
    new: Decision

    def to_dict(self) -> dict[str, t.Any]:
        return {
            "id": self.id,
            "text": self.text,
            "old": _side(self.old),
            "new": _side(self.new),
        }


def _side(d: Decision) -> dict[str, t.Any]:
    return {
        "decision": d.decision.value,
        "label": d.label,
        "score": d.score,
        "rules": [h.rule for h in d.hits],
        "hits": [h.to_dict() for h in d.hits],
    }


@dataclass
class Counts:
    n: int = 0
    changed: int = 0
    #: "approve->flag" and the like, for each change of decision
    decisions: dict[str, int] = field(default_factory=dict)
    #: comments held back on both sides whose label (top category) changes
    category_changes: int = 0

    def to_dict(self) -> dict[str, t.Any]:
        return {
            "n": self.n,
            "changed": self.changed,
            "decisions": dict(sorted(self.decisions.items())),
            "category_changes": self.category_changes,
        }


def backtest(
    old: Policy, new: Policy, rows: t.Iterable[tuple[int, dict[str, t.Any]]], counts: Counts, budget_ms: float
) -> t.Iterator[Change]:
    """Decide each row under both policies; yield each comment whose decision or label differs."""
    for line_no, row in rows:
        comment = Comment.from_dict(row)
        a = decide(old, comment, deadline=time.monotonic() + budget_ms / 1000)
        b = decide(new, comment, deadline=time.monotonic() + budget_ms / 1000)
        counts.n += 1
        if a.decision is b.decision and a.label == b.label:
            continue
        counts.changed += 1
        if a.decision is not b.decision:
            key = f"{a.decision.value}->{b.decision.value}"
            counts.decisions[key] = counts.decisions.get(key, 0) + 1
        else:
            counts.category_changes += 1
        yield Change(comment.id or f"line-{line_no}", comment.text, a, b)


def render_change(c: Change, short: t.Callable[[str], str]) -> str:
    """One change for people: what each side decided and the rules behind it."""

    def side(d: Decision) -> str:
        rules = ", ".join(f"{h.rule} \u201c{h.match}\u201d" if h.match else h.rule for h in d.hits) or "no rule"
        return f"{d.decision.value} ({d.label}, score {d.score:g}): {rules}"

    return f"{c.id}\t{short(c.text)}\n    old: {side(c.old)}\n    new: {side(c.new)}"


def render_counts(counts: Counts) -> str:
    parts = [f"{v} {k}" for k, v in sorted(counts.decisions.items())]
    parts.append(f"{counts.category_changes} category changes")
    return f"{counts.n} comments, {counts.changed} changed: " + ", ".join(parts)
