"""How well a policy sees through disguises (engine/disguise.py, which shares no table with the engine).

    python bench/evasion.py [--policy DIR] [--seeds 3] [--show KIND]

Insults: the policy's cases that must fire a name-calling, hate, threat or harassment rule, and the
development comments labelled with a violation, that the policy flags when written plainly. Each is
disguised at the words its rules matched; the table gives the share still flagged, per kind.
Innocent: the cases that must not fire and the development comments labelled ok that the policy
approves plainly, each with one word (picked by the seed) disguised; the share still approved.
`--show KIND` prints the misses of one kind (e.g. dots, mix).
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import engine  # noqa: E402
from engine import disguise  # noqa: E402

DEV = ROOT.parent / "shared" / "data" / "dev-comments.jsonl"
INSULTS = frozenset({"name_calling", "hate", "threat", "sexual_harassment"})


def corpora(policy: engine.Policy) -> tuple[list[engine.Comment], list[engine.Comment]]:
    """(insults, innocent) comments: the policy's cases and the development comments."""
    insults, innocent = [], []
    rules = {r.id: r for r in policy.rules}
    for case in policy.cases:
        if not case.expect:
            innocent.append(case.comment)
        elif any(rules[rid].category in INSULTS for rid in case.expect if rid in rules):
            insults.append(case.comment)
    if DEV.exists():
        for line in DEV.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            comment = engine.Comment(text=row["text"])
            if row["label"] == "ok":
                innocent.append(comment)
            elif row["label"] != "spam":
                insults.append(comment)
    return insults, innocent


def measure(policy: engine.Policy, seeds: int) -> tuple[dict, dict, dict]:
    """Per kind, [kept, total] for insults (still flagged) and innocent comments (still approved)."""
    insults, innocent = corpora(policy)
    caught: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    approved: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    misses: dict[str, list[str]] = collections.defaultdict(list)
    for comment in insults:
        plain = engine.decide(policy, comment)
        if plain.decision == engine.Verdict.APPROVE:
            continue
        spans = [h.span for h in plain.hits if h.span is not None and h.score > 0]
        for seed in range(seeds):
            for kind, text in disguise.variants(comment.text, seed, spans):
                group = "mix" if "+" in kind else kind
                flagged = engine.decide(policy, _with(comment, text)).decision != engine.Verdict.APPROVE
                caught[group][0] += flagged
                caught[group][1] += 1
                if not flagged:
                    misses[group].append(f"{kind}: {text!r}")
    for comment in innocent:
        if engine.decide(policy, comment).decision != engine.Verdict.APPROVE:
            continue
        for seed in range(seeds):
            for kind, text in disguise.variants(comment.text, seed):
                group = "mix" if "+" in kind else kind
                ok = engine.decide(policy, _with(comment, text)).decision == engine.Verdict.APPROVE
                approved[group][0] += ok
                approved[group][1] += 1
                if not ok:
                    misses["innocent " + group].append(f"{kind}: {text!r}")
    return caught, approved, misses


def _with(comment: engine.Comment, text: str) -> engine.Comment:
    return engine.Comment(text=text, format=comment.format, author=comment.author, parent_text=comment.parent_text)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--policy", default=None, help="policy directory (default: the bundled policy)")
    ap.add_argument("--seeds", type=int, default=3, help="disguises per comment and kind")
    ap.add_argument("--show", action="append", default=[], help="print the misses of this kind")
    args = ap.parse_args(argv)
    policy = engine.load_policy(args.policy)
    caught, approved, misses = measure(policy, args.seeds)
    print(f"{'kind':<12}{'insults still flagged':>24}{'innocent still approved':>26}")
    totals = [[0, 0], [0, 0]]
    for kind in disguise.KINDS:
        c, a = caught[kind], approved[kind]
        for tot, part in zip(totals, (c, a)):
            tot[0] += part[0]
            tot[1] += part[1]
        print(f"{kind:<12}{_share(c):>24}{_share(a):>26}")
    print(f"{'all':<12}{_share(totals[0]):>24}{_share(totals[1]):>26}")
    for kind in args.show:
        for key in (kind, "innocent " + kind):
            for line in misses.get(key, []):
                print(f"  miss [{key}] {line}")
    return 0


def _share(kept_total: list[int]) -> str:
    kept, total = kept_total
    return f"{kept / total:.3f} ({kept}/{total})" if total else "-"


if __name__ == "__main__":
    sys.exit(main())
