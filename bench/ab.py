"""Two engines in one process, timed in turns: the honest comparison on a machine shared with other jobs.

    git archive main | tar -x -C /tmp/base                 # the tree to compare against
    nice python bench/ab.py /tmp/base [--n 1500] [--rounds 3] [--chunk 25] [--deadline] [--models] [--rules]

Loads this tree's engine and the other tree's (its `engine/` copied under another package name), both with
this tree's policy (`--policy`), and decides the same bench comments (`bench/engine.py`'s, fixed seed) with
each in turns, `--chunk` comments at a time, in CPU time; prints us per comment for each, per round and the
best, and their ratio. Every decision of the two engines is compared (`to_dict`): a speed change must
leave them identical, and the script fails otherwise. `--deadline` gives every comment a budget, as the
service and `dry-run` do. `--models` then times the rules that use a model alone (their `_apply` inside
`decide`, as `bench/engine.py`'s model cost does), in the same turns; `--rules`, every rule's `_apply`.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import re
import shutil
import sys
import tempfile
import time
import typing as t
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def other_engine(tree: Path, into: Path) -> t.Any:
    """`tree`'s engine package, imported as `engine_base`."""
    target = into / "engine_base"
    shutil.copytree(tree / "engine", target, ignore=shutil.ignore_patterns("__pycache__"))
    for path in target.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"^(\s*)from engine(\.| )", r"\1from engine_base\2", text, flags=re.M)
        path.write_text(text, encoding="utf-8")
    sys.path.insert(0, str(into))
    return importlib.import_module("engine_base")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("base", type=Path, help="the other tree (its engine/ is compared with this one's)")
    parser.add_argument("--policy", type=Path, default=ROOT / "policies")
    parser.add_argument("--n", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--chunk", type=int, default=25)
    parser.add_argument("--deadline", action="store_true", help="a budget of 10 s for every comment")
    parser.add_argument("--models", action="store_true", help="also the time spent in the rules with a model")
    parser.add_argument("--rules", action="store_true", help="also the time spent in the rules (`_apply`), all")
    args = parser.parse_args()

    import engine

    spec = importlib.util.spec_from_file_location("bench_engine", ROOT / "bench" / "engine.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    texts = module.corpus(args.n)

    with tempfile.TemporaryDirectory() as tmp:
        base = other_engine(args.base, Path(tmp))
        engines = {"base": base, "this": engine}
        policies = {name: e.load_policy(args.policy) for name, e in engines.items()}
        comments = {name: [e.Comment(text=x) for x in texts] for name, e in engines.items()}
        budget = 10.0 if args.deadline else None

        def run(name: str, lo: int, hi: int) -> list[t.Any]:
            e, policy = engines[name], policies[name]
            if budget is None:
                return [e.decide(policy, c) for c in comments[name][lo:hi]]
            return [e.decide(policy, c, deadline=time.monotonic() + budget) for c in comments[name][lo:hi]]

        # warms the caches; every decision compared
        outs = {name: [d.to_dict() for d in run(name, 0, len(texts))] for name in engines}
        differ = sum(a != b for a, b in zip(outs["base"], outs["this"]))
        spent = {name: [] for name in engines}
        for r in range(args.rounds):
            took = dict.fromkeys(engines, 0.0)
            for lo in range(0, len(texts), args.chunk):
                order = ("base", "this") if (lo // args.chunk + r) % 2 == 0 else ("this", "base")
                for name in order:
                    started = time.process_time()
                    run(name, lo, lo + args.chunk)
                    took[name] += time.process_time() - started
            for name in engines:
                spent[name].append(took[name] * 1e6 / len(texts))
            print(
                f"round {r + 1}: base {spent['base'][-1]:.1f} us, this {spent['this'][-1]:.1f} us a comment "
                f"({spent['this'][-1] / spent['base'][-1]:.3f}x)",
                flush=True,
            )
        best = {name: min(v) for name, v in spent.items()}
        print(
            f"best of {args.rounds}: base {best['base']:.1f} us ({1e6 / best['base']:.0f}/s), this {best['this']:.1f} us "
            f"({1e6 / best['this']:.0f}/s): {best['this'] / best['base']:.3f}x; {len(texts)} decisions, {differ} differ"
        )
        if args.models:
            rules_time(engines, lambda name: run(name, 0, len(texts)), args.rounds, len(texts), "rules with a model")
        if args.rules:
            rules_time(engines, lambda name: run(name, 0, len(texts)), args.rounds, len(texts), "rules")
        if differ:
            sys.exit(1)


def rules_time(engines: dict[str, t.Any], run: t.Callable[[str], t.Any], rounds: int, n: int, what: str) -> None:
    """The CPU time of the rules (`what`: all, or those that use a model), inside `decide`, each engine in
    turns."""
    models_only = what != "rules"
    spent = {name: [] for name in engines}
    for r in range(rounds):
        for name in ("base", "this") if r % 2 == 0 else ("this", "base"):
            module = importlib.import_module(engines[name].__name__ + ".decide")
            original, took = module._apply, [0.0]

            def timed(rule: t.Any, *rest: t.Any, original: t.Any = original, took: list[float] = took) -> t.Any:
                if models_only and rule.model is None:
                    return original(rule, *rest)
                started = time.process_time()
                try:
                    return original(rule, *rest)
                finally:
                    took[0] += time.process_time() - started

            module._apply = timed
            try:
                run(name)
            finally:
                module._apply = original
            spent[name].append(took[0] * 1e6 / n)
    best = {name: min(v) for name, v in spent.items()}
    print(
        f"{what}, best of {rounds}: base {best['base']:.1f} us, this {best['this']:.1f} us a comment "
        f"({best['this'] / best['base']:.3f}x)"
    )


if __name__ == "__main__":
    main()
