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


DATA_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def labeled_texts(every: int = 1) -> list[str]:
    """Every `every`-th labeled comment of each file of ../shared/data (none when it is not here)."""
    import json

    texts = []
    for path in sorted(DATA_DIR.glob("**/*.jsonl")):
        with path.open(encoding="utf-8") as f:
            texts.extend(json.loads(line)["text"] for i, line in enumerate(f) if line.strip() and not i % every)
    return texts


def policy_regexes(policy: t.Any) -> list[t.Any]:
    """The distinct regexes of a policy's rules (by pattern and space), in their parts and exceptions."""
    from engine.matchers import RegexMatcher

    found: dict[tuple[str, int], RegexMatcher] = {}

    def walk(m: object) -> None:
        if isinstance(m, RegexMatcher):
            found.setdefault((m.pattern.pattern, m.space), m)
        for name in ("parts", "matcher", "part"):
            value = getattr(m, name, None)
            for part in value if isinstance(value, (list, tuple)) else [value] if value is not None else []:
                walk(part)

    for r in policy.rules:
        for m in (r.match, *r.unless, *(exc.matcher for exc in r.unless_near)):
            walk(m)
    return list(found.values())
