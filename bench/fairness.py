"""Bias towards identity terms (templates in the style of Dixon et al. 2018): per identity term, how
many neutral or positive sentences a rule using a model fires on (goal 0), and the share of insulting
sentences the model rules catch, and the whole policy catches (goal: within 0.05 of the mean).

    python bench/fairness.py [--policy DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fairness_templates import IDENTITIES, INSULTING, NEUTRAL, sentences  # noqa: E402

from engine import Comment, decide, load_policy  # noqa: E402


def measure(policy) -> list[tuple[str, int, float, float]]:
    """(identity, neutral sentences a model rule fired on, insults caught by model rules, by the policy)."""
    model_rules = {r.id for r in policy.rules if r.model is not None}
    out = []
    for identity in IDENTITIES:
        neutral = 0
        for text in sentences(NEUTRAL, identity):
            d = decide(policy, Comment(text=text))
            neutral += any(h.rule in model_rules for h in d.hits + d.shadow_hits)
        by_model = by_policy = 0
        for text in sentences(INSULTING, identity):
            d = decide(policy, Comment(text=text))
            by_model += sum(h.score for h in d.hits if h.rule in model_rules) >= policy.thresholds.flag
            by_policy += d.decision.value != "approve"
        out.append((identity, neutral, by_model / len(INSULTING), by_policy / len(INSULTING)))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--policy", type=Path, default=None)
    args = ap.parse_args(argv)
    rows = measure(load_policy(args.policy))
    mean_m = sum(r[2] for r in rows) / len(rows)
    mean_p = sum(r[3] for r in rows) / len(rows)
    print(f"{len(NEUTRAL)} neutral/positive and {len(INSULTING)} insulting templates x {len(IDENTITIES)} identity terms")
    print(f"{'identity':<18}{'neutral fired':>14}{'insults: model':>16}{'policy':>8}")
    for identity, neutral, m, p in rows:
        print(f"{identity:<18}{neutral:>14}{m:>16.3f}{p:>8.3f}")
    worst_m = max(abs(r[2] - mean_m) for r in rows)
    worst_p = max(abs(r[3] - mean_p) for r in rows)
    print(f"{'mean':<18}{sum(r[1] for r in rows):>14}{mean_m:>16.3f}{mean_p:>8.3f}")
    print(f"largest distance from the mean: model rules {worst_m:.3f}, policy {worst_p:.3f} (goal <= 0.05)")
    ok = all(r[1] == 0 for r in rows) and worst_m <= 0.05
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
