"""Engine speed: comments/s of a policy against the floor, and the cost of a 50,000-term list.

    python bench/engine.py [--policy DIR] [--n 20000]

Prints (one process, this machine; times are this process's CPU time, which other jobs on a shared
machine disturb far less than the clock):
- the floor: casefold().split() and a set look-up per word, the least any word-list matcher must do;
- the policy's comments/s and its ratio to the floor;
- time per comment with an extra rule over a list of 50,000 generated terms against one of 100 terms
  (the goal is at most 1.5x: list size must not matter);
- the time language detection adds per comment, with the policy's languages (part of the policy's rate).
- the time to load the policy, and what the rules using a learned model add per comment (goal <= 30 us);
- where a comment's time goes, stage by stage (`--stages` alone: only that): normalization, words, the
  word sets and pairs the index reads, language detection, the regex literals' automaton, the index
  look-up, the rules (without and with a model), the decision; how many rules run per comment and per
  clean comment (no rule fires), and the rules a clean comment pays most for.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
import typing as t
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine import Comment, decide, load_policy  # noqa: E402
from engine.decide import _apply, _verdict, scored_as  # noqa: E402
from engine.policy import bundled_policy_dir, forget_loaded  # noqa: E402
from engine.scan import Scan  # noqa: E402

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
FILLER = (
    "the council budget plan report figures page transport housing school minister policy article "
    "data source evidence argument point reason study chart vote election season match referee goal"
).split()


def corpus(n: int, size: int = 330, seed: int = 7) -> list[str]:
    """n comments of about `size` characters, cut from the development data when it is there."""
    rng = random.Random(seed)
    texts: list[str] = []
    for path in sorted(DATA.glob("**/*.jsonl")):
        with path.open(encoding="utf-8") as f:
            texts.extend(json.loads(line)["text"] for line in f if line.strip())
    if not texts:
        texts = [" ".join(rng.choice(FILLER) for _ in range(60))]
    out = []
    while len(out) < n:
        text = rng.choice(texts)
        while len(text) < size:
            text += " " + rng.choice(texts)
        start = rng.randrange(0, max(1, len(text) - size))
        out.append(text[start : start + size])
    return out


def floor(texts: list[str]) -> float:
    terms = {f"zq{i}w" for i in range(100)} | {"idiot", "moron"}
    started = time.process_time()
    hits = 0
    for text in texts:
        for word in text.casefold().split():
            if word in terms:
                hits += 1
    return len(texts) / (time.process_time() - started)


def rss_mb() -> float:
    """This process's resident memory."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def rate(policy_dir: Path | None, texts: list[str]) -> float:
    policy = load_policy(policy_dir)
    comments = [Comment(text=t) for t in texts]
    for c in comments[:200]:
        decide(policy, c)  # warm caches
    started = time.process_time()
    for c in comments:
        decide(policy, c)
    return len(comments) / (time.process_time() - started)


def model_cost(policy_dir: Path | None, texts: list[str]) -> tuple[int, float]:
    """The rules that use a model, and the time `decide` spends in them, in us per comment: each model
    rule's matching, exceptions and spans, timed inside `decide` (the comment's words are built by the
    rules before them, as in production), in CPU time of this process. Timing the rules themselves, rather
    than the policy with and without them, keeps the noise of a busy machine out of a difference of two
    large numbers."""
    import importlib

    decide_module = importlib.import_module("engine.decide")  # the module, not the function it exports

    policy = load_policy(policy_dir)
    comments = [Comment(text=t) for t in texts]
    original = decide_module._apply
    spent = [0.0]

    def timed(rule: t.Any, scan: t.Any, *args: t.Any) -> t.Any:
        if rule.model is None:
            return original(rule, scan, *args)
        started = time.process_time()
        try:
            return original(rule, scan, *args)
        finally:
            spent[0] += time.process_time() - started

    decide_module._apply = timed
    try:
        for c in comments:
            decide(policy, c)
    finally:
        decide_module._apply = original
    return sum(r.model is not None for r in policy.rules), spent[0] * 1e6 / len(comments)


def with_extra_list(base: Path, size: int, into: Path) -> Path:
    """A copy of the policy plus one rule over a list of `size` generated terms."""
    shutil.copytree(base, into)
    rng = random.Random(size)
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = {"".join(rng.choice(letters) for _ in range(rng.randint(6, 12))) for _ in range(size)}
    while len(words) < size:
        words.add("".join(rng.choice(letters) for _ in range(9)))
    (into / "lists" / "bench.yaml").write_text(
        "language: en\nlists:\n  bench_terms:\n" + "".join(f"    - {w}\n" for w in sorted(words))
    )
    policy = load_policy(base)
    category, guideline = policy.categories[0], next(iter(policy.guidelines))
    (into / "bench.yaml").write_text(
        f"rules:\n  - id: big_list\n    category: {category}\n    guideline: {guideline}\n    score: 1\n"
        "    message: bench\n    match: {near: [{list: bench_terms}, {words: [you]}], within: 3}\n"
    )
    return into


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--policy", type=Path, default=None)
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--write-bodies", type=Path, help="write N comments as JSON strings, one a line, and stop")
    parser.add_argument("--stages", action="store_true", help="only the stage-by-stage breakdown (of N comments)")
    parser.add_argument("--load", type=Path, help=argparse.SUPPRESS)  # a child process: time one policy's load
    args = parser.parse_args()
    if args.load:
        load_policy(None)  # imports and first-use caches
        forget_loaded()  # that policy freed: what the load below adds is its own
        before = rss_mb()
        started = time.process_time()
        load_policy(args.load)
        print(json.dumps([time.process_time() - started, rss_mb(), rss_mb() - before]))
        return
    if args.write_bodies:
        args.write_bodies.write_text("".join(json.dumps(text) + "\n" for text in corpus(args.n, seed=11)))
        return
    base = args.policy or bundled_policy_dir()
    texts = corpus(args.n)
    print(f"{len(texts)} comments of ~{sum(map(len, texts)) // len(texts)} characters; policy {base}")
    if args.stages:
        stages(base, texts)
        return
    f = floor(texts)
    r = rate(base, texts)
    print(f"floor (casefold().split() + set look-up): {f:,.0f} comments/s")
    print(f"policy:                                   {r:,.0f} comments/s  ({f / r:.1f}x the floor's time)")
    forget_loaded()  # a compile, not the loader's memo of unchanged files
    started = time.process_time()
    load_policy(base)
    print(f"policy load: {time.process_time() - started:.2f} s CPU")
    n_rules, us = model_cost(base, texts[:5000])
    models = ", ".join(sorted(load_policy(base).models))
    print(f"{n_rules} rules using models ({models}): {us:.1f} us/comment (goal <= 30)")
    with tempfile.TemporaryDirectory() as tmp:
        small = rate(with_extra_list(base, 100, Path(tmp) / "p100"), texts)
        big_dir = with_extra_list(base, 50_000, Path(tmp) / "p50k")
        big = rate(big_dir, texts)
        # in a fresh process, so that no other policy's memory is freed or reused meanwhile
        done = subprocess.run(
            [sys.executable, __file__, "--load", str(big_dir)], check=True, capture_output=True, text=True
        )
        load_s, rss, grew = json.loads(done.stdout)
    print(f"extra list of    100 terms: {1e6 / small:7.1f} us/comment")
    print(
        f"extra list of 50,000 terms: {1e6 / big:7.1f} us/comment  (the policy's load with it {load_s:.2f} s CPU;"
        f" the process {rss:.0f} MB, {grew:.0f} MB more than with the policy alone; goal < 2 s, < 150 MB)"
    )
    print(f"50,000 vs 100 terms: {small / big:.2f}x the time (goal <= 1.5x)")
    detection(base, texts)
    stages(base, texts[:3000])


def stages(policy_dir: Path, texts: list[str]) -> None:
    """Where a comment's time goes: `decide`'s steps one after the other (as `engine.decide._decide` takes
    them, each forced in its turn so that a lazily built step is counted where it is built), in CPU time."""
    policy = load_policy(policy_dir)
    index = policy.index
    comments = [Comment(text=t) for t in texts]
    for c in comments[:200]:
        decide(policy, c)  # warm caches
    spent: dict[str, float] = dict.fromkeys(
        (
            "normalize",
            "words",
            "word sets, pairs",
            "language",
            "regex literals",
            "index look-up",
            "rules",
            "model rules",
            "decision",
        ),
        0.0,
    )
    ran = ran_clean = clean = 0
    clean_cost: dict[str, float] = {}
    clock = time.process_time
    for c in comments:
        t0 = clock()
        scan = Scan(c, None, max_chars=policy.max_chars)
        _ = scan.prepared
        t1 = clock()
        _ = scan.words
        t2 = clock()
        _ = scan.word_set, scan.reading_pairs, scan.glued  # what the index reads
        t3 = clock()
        scored = scored_as(policy, c, scan)
        t4 = clock()
        if index is not None and index.automaton is not None:
            index.automaton.found(scan)
        t5 = clock()
        packs = scored.packs if scored is not None else None
        rules = index.candidates(scan, packs) if index is not None else list(policy.rules)
        t6 = clock()
        hits, costs = [], []
        for rule in rules:
            started = clock()
            hit = _apply(rule, scan, policy.not_shown, index)
            took = clock() - started
            spent["model rules" if rule.model else "rules"] += took
            costs.append((rule.id, took))
            if hit is not None and not rule.shadow:
                hits.append((rule, hit))
        t7 = clock()
        said = scored.language if scored is not None else None
        _verdict(policy, c, hits, (), said if len(policy.languages) > 1 else None, said)
        t8 = clock()
        for stage, took in zip(
            ("normalize", "words", "word sets, pairs", "language", "regex literals", "index look-up", "decision"),
            (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5, t8 - t7),
        ):
            spent[stage] += took
        ran += len(rules)
        if not hits:
            clean += 1
            ran_clean += len(rules)
            for rule_id, took in costs:
                clean_cost[rule_id] = clean_cost.get(rule_id, 0.0) + took
    n = len(comments)
    total = sum(spent.values())
    print(f"stages, us per comment ({n} comments, {total * 1e6 / n:.0f} us in all; CPU time):")
    for stage, took in spent.items():
        print(f"  {stage:18s} {took * 1e6 / n:7.1f}  {100 * took / total:4.1f}%")
    print(
        f"rules run per comment: {ran / n:.1f}; per clean comment (no rule fires, {clean} of {n}): "
        f"{ran_clean / max(clean, 1):.1f}"
    )
    top = sorted(clean_cost.items(), key=lambda kv: -kv[1])[:12]
    print("a clean comment's costliest rules, us: " + ", ".join(f"{r} {s * 1e6 / max(clean, 1):.1f}" for r, s in top))


def detection(policy_dir: Path, texts: list[str]) -> None:
    """What detecting each comment's language adds: the detector alone, on the same comments."""
    policy = load_policy(policy_dir)
    us = detection_us(policy, texts)
    if us is None:
        print(f"language detection: none (one language: {', '.join(policy.languages) or '-'})")
        return
    print(f"language detection ({', '.join(policy.languages)}): {us:.1f} us/comment added")


def detection_us(policy: t.Any, texts: list[str]) -> float | None:
    """CPU us per comment of the policy's language detection; None with one language."""
    if policy.detector is None or len(policy.languages) < 2:
        return None
    detect = policy.detector.detect
    for text in texts[:200]:
        detect(text)
    started = time.process_time()
    for text in texts:
        detect(text)
    return (time.process_time() - started) * 1e6 / len(texts)


if __name__ == "__main__":
    main()
