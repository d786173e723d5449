"""How far past its time budget the engine runs on hostile comments.

    python bench/hostile.py [--policy DIR] [--budget-ms 100]

Each body is about 200,000 characters built to make one stage slow (tags, links, masked words, emoji,
insults for a `near` rule ...). The service gives each comment a budget (CIVILITY_BUDGET_MS, 100 ms by
default) and Coral publishes a comment whose check takes over 200 ms, so what matters is how late the
engine stops: the decision must be `flag` with reason `timeout` (or a real decision) soon after the budget.
"""

from __future__ import annotations

import argparse
import sys
import time
import typing as t
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine import Comment, decide, load_policy  # noqa: E402

BODIES: dict[str, tuple[str, str]] = {
    "html tags": ("<b>you</b><i>idiot</i>", "html"),
    "html links": ('<a href="http://a.example/x">http://a.example/x</a> ', "html"),
    "markdown links": ("[x](http://a.example/y) ", "markdown"),
    "markdown quotes": ("> you idiot\n", "markdown"),
    "bare links": ("http://a.example/b ", "text"),
    "shortened links": ("http://bit.ly/b ", "text"),
    "e-mails": ("a@b.example ", "text"),
    "insults for near": ("you are not an idiot ", "text"),
    "masked words": ("f*ck y*u ", "text"),
    "spaced letters": ("i d i o t ", "text"),
    "stretched letters": ("idiooooot ", "text"),
    "leet": ("1d10t 4ss ", "text"),
    "emoji words": ("\U0001f921a", "text"),
    "nfkc expansion": ("\ufdfa", "text"),
    "zero-width": ("i\u200bd\u200bi\u200bo\u200bt ", "text"),
    "combining marks": ("i\u0301\u0302\u0303d", "text"),
    "quoted insults": ('"you idiot" ', "text"),
    "capitals": ("YOU ARE AN IDIOT ", "text"),
    "repeated text": ("buy now ", "text"),
    "one long word": ("x", "text"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--policy", type=Path, default=None)
    parser.add_argument("--budget-ms", type=float, default=100.0)
    parser.add_argument("--chars", type=int, default=199_000)
    args = parser.parse_args()
    policy = load_policy(args.policy)
    worst = overrun(policy, args.budget_ms, args.chars, print)
    print(f"worst overrun: {worst:.0f} ms past a {args.budget_ms:.0f} ms budget")


def overrun(policy: t.Any, budget_ms: float, chars: int, say: t.Callable[[str], None] = lambda line: None) -> float:
    """The most any body runs past `budget_ms`, in ms; `say` gets one line per body."""
    budget = budget_ms / 1000
    decide(policy, Comment(text="warm up: you idiot http://a.example f*ck"))
    worst = 0.0
    say(f"{'body':20s} {'decision':9s} {'reasons':12s} {'ms':>6s}  over budget")
    for name, (unit, fmt) in BODIES.items():
        text = (unit * (chars // len(unit) + 1))[:chars]
        started = time.perf_counter()
        d = decide(policy, Comment(text=text, format=fmt), deadline=time.monotonic() + budget)
        elapsed = time.perf_counter() - started
        over = max(0.0, elapsed - budget)
        worst = max(worst, over)
        reasons = ",".join(r.value for r in d.reasons) or "-"
        say(f"{name:20s} {d.decision.value:9s} {reasons:12s} {elapsed * 1000:6.0f}  {over * 1000:5.0f} ms")
    return worst * 1000

if __name__ == "__main__":
    main()
