"""Writes small policies for tests: a header, lists and rule files given as YAML text."""

from __future__ import annotations

import textwrap
import typing as t
from pathlib import Path

HEADER = """\
version: "t"
thresholds: {flag: 3, reject: 20}
categories: [threat, name_calling, spam]
guidelines:
  - {id: civil, text: "Criticize ideas, not people."}
  - {id: no-spam, text: No advertising.}
"""

LISTS = """\
language: en
lists:
  insults: [idiot, moron, "waste of space", "brainless*"]
  targets: [you, "you're", u, yourself]
  negations: [not, never]
"""


def write_policy(
    root: Path, rules: dict[str, str], header: str = HEADER, lists: str = LISTS, cases: dict[str, str] | None = None
) -> Path:
    (root / "lists").mkdir(parents=True, exist_ok=True)
    (root / "policy.yaml").write_text(textwrap.dedent(header))
    (root / "lists" / "en.yaml").write_text(textwrap.dedent(lists))
    for name, body in rules.items():
        (root / f"{name}.yaml").write_text(textwrap.dedent(body))
    for name, body in (cases or {}).items():
        (root / f"{name}.cases.yaml").write_text(textwrap.dedent(body))
    return root


def rule(
    match: str,
    rid: str = "r",
    extra: str = "",
    category: str = "name_calling",
    guideline: str = "civil",
    score: int = 5,
) -> str:
    """One rule file whose `match:` is the given YAML flow mapping."""
    return (
        f"rules:\n  - id: {rid}\n    category: {category}\n    guideline: {guideline}\n    score: {score}\n"
        f"    message: Please revise.\n    match: {match}\n{extra}"
    )


def default_policy_cases(*, packs: bool) -> list[t.Any]:
    """The bundled policy's cases: the language packs' (case files named by a language of the policy other
    than English: `de.cases.yaml`), or with `packs=False` the English ones."""
    import engine

    policy = engine.load_policy(None)
    others = set(policy.languages) - {"en"}
    return [c for c in policy.cases if (Path(c.location.path).name.split(".")[0] in others) is packs]


def case_id(case: t.Any) -> str:
    """A case's test id: its file and line."""
    return f"{Path(case.location.path).name}:{case.location.line}"
