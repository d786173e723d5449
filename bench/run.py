"""Every speed figure of bench/README.md in one run, so that the ratios hold on a noisy machine.

    python bench/run.py [--n 20000] [--seconds 10] [--skip peers,lists,webhook]

1. The engine on N comments (~330 characters, cut from ../shared/data with a fixed seed): comments/s of
   the default policy against the floor (casefold().split() + a set look-up), p50/p99 per comment, a
   100 KB comment, the worst overrun of a hostile body (bench/hostile.py), `civility dry-run --json` end to
   end, and what language detection and model rules cost, where the policy has them.
2. Peers on the same comments and on labeled comments (up to 100 per label from ../shared/data), installed
   into the benchmark's own venv (bench/peers.txt; $CIVILITY_BENCH_VENV, default ~/.cache/civility-bench):
   comments/s one call per comment (and alt-profanity-check batched), and the share of each label flagged.
3. An extra list of 100 ... 50,000 generated terms, each in a fresh process: comments/s, load time and
   resident memory.
4. The webhook against bare Flask under the same gunicorn settings (bench/load.sh: wrk, then autocannon
   at half the peak).
Last: the key ratios and targets. Absolute figures vary with the machine's load; the ratios are the point.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import typing as t
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from engine import Comment, Verdict, decide, load_policy  # noqa: E402
from engine.policy import bundled_policy_dir  # noqa: E402


def _bench_module(name: str) -> t.Any:
    """A sibling script as a module (bench/engine.py shares its name with the package)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", HERE / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench_engine = _bench_module("engine")  # corpus, floor, rate, extra lists
hostile = _bench_module("hostile")

LIST_SIZES = (100, 1_000, 10_000, 50_000)
PER_LABEL = 100
MIN_LABEL = 90  # labels with fewer comments in the data are left out of the flag-rate table


def labeled_sample(seed: int = 5) -> list[list[str]]:
    """Up to PER_LABEL comments of each label, interleaved by label (so a time-limited peer sees all)."""
    by_label: dict[str, list[str]] = {}
    for path in sorted(bench_engine.DATA.glob("**/*.jsonl")):
        with path.open(encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    row = json.loads(line)
                    by_label.setdefault(row["label"], []).append(row["text"])
    rng = random.Random(seed)
    picked = {
        label: rng.sample(texts, min(PER_LABEL, len(texts)))
        for label, texts in sorted(by_label.items())
        if len(texts) >= MIN_LABEL
    }
    out = []
    for i in range(PER_LABEL):
        out.extend([label, texts[i]] for label, texts in picked.items() if i < len(texts))
    return out


# ---- 1. the engine ---------------------------------------------------------------------------------


def latencies(policy: t.Any, texts: list[str]) -> tuple[float, float]:
    """p50 and p99 of one `decide` call, in us of CPU time."""
    spent = []
    for text in texts:
        comment = Comment(text=text)
        started = time.process_time()
        decide(policy, comment)
        spent.append(time.process_time() - started)
    q = statistics.quantiles(spent, n=100)
    return q[49] * 1e6, q[98] * 1e6


def hundred_kb(policy: t.Any, texts: list[str]) -> float:
    """ms of CPU time for one comment of 100,000 characters of ordinary text (best of three)."""
    text = " ".join(texts)[:100_000]
    runs = []
    for _ in range(3):
        started = time.process_time()
        decide(policy, Comment(text=text))
        runs.append(time.process_time() - started)
    return min(runs) * 1000


def dry_run(texts: list[str], tmp: Path) -> tuple[float, float]:
    """comments/s of `civility dry-run --json` end to end (start, policy load, reading, deciding, writing)
    by the clock and by the CPU time it used."""
    source = tmp / "comments.jsonl"
    source.write_text("".join(json.dumps({"text": text}) + "\n" for text in texts))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", "from engine.cli import main; main()", "dry-run", "--json", str(source)],
        check=True,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(HERE.parent)},
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return len(texts) / wall, len(texts) / cpu


def flag_rates(policy: t.Any, labeled: list[list[str]]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for label, text in labeled:
        counts = out.setdefault(label, [0, 0])
        counts[0] += decide(policy, Comment(text=text)).decision is not Verdict.APPROVE
        counts[1] += 1
    return out


# ---- 2. peers ----------------------------------------------------------------------------------------


def peers_python() -> Path:
    """The peers' venv, made and filled from bench/peers.txt on first use."""
    venv = Path(os.environ.get("CIVILITY_BENCH_VENV", Path.home() / ".cache" / "civility-bench"))
    python = venv / "bin" / "python"
    stamp = venv / "peers.txt"
    wanted = (HERE / "peers.txt").read_text()
    if not python.exists() or not stamp.exists() or stamp.read_text() != wanted:
        print(f"installing the peers into {venv} (bench/peers.txt) ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "-r", str(HERE / "peers.txt")], check=True)
        stamp.write_text(wanted)
    return python


def peers(texts: list[str], labeled: list[list[str]], seconds: float, tmp: Path) -> dict[str, t.Any]:
    given = tmp / "peers-input.json"
    given.write_text(json.dumps({"texts": texts, "labeled": labeled, "seconds": seconds}))
    done = subprocess.run(
        [str(peers_python()), str(HERE / "peers.py"), str(given)], check=True, capture_output=True, text=True, cwd=tmp
    )
    return t.cast(dict[str, t.Any], json.loads(done.stdout))


# ---- 3. list sizes -----------------------------------------------------------------------------------


def list_child(size: int, n: int) -> None:
    """In a fresh process: load the policy with an extra list of `size` terms (time, memory grown), then
    time it and the policy without the list in turns, so that the machine's load hits both alike."""
    texts = bench_engine.corpus(n)
    base = load_policy(None)  # imports and caches warmed, so the load below is the list's own cost
    with tempfile.TemporaryDirectory() as tmp:
        directory = bench_engine.with_extra_list(bundled_policy_dir(), size, Path(tmp) / "p")
        before = bench_engine.rss_mb()
        started = time.process_time()
        policy = load_policy(directory)
        load_s = time.process_time() - started
        after = bench_engine.rss_mb()
    comments = [Comment(text=text) for text in texts]
    spent = {"list": [], "base": []}
    for _ in range(3):
        for name, p in (("list", policy), ("base", base)):
            started = time.process_time()
            for c in comments:
                decide(p, c)
            spent[name].append(time.process_time() - started)
    print(
        json.dumps(
            {
                "size": size,
                "load_s": load_s,
                "rss_mb": after,
                "grew_mb": after - before,
                "rate": n / min(spent["list"]),
                "vs_base": min(spent["list"]) / min(spent["base"]),
            }
        )
    )


def list_sizes(n: int) -> list[dict[str, float]]:
    out = []
    for size in LIST_SIZES:
        done = subprocess.run(
            [sys.executable, __file__, "--list-child", str(size), "--n", str(n)],
            check=True,
            capture_output=True,
            text=True,
        )
        out.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return out


# ---- 4. the webhook ----------------------------------------------------------------------------------


def webhook(seconds: float) -> dict[str, dict[str, float]]:
    done = subprocess.run(["bash", str(HERE / "load.sh"), str(int(seconds))], capture_output=True, text=True)
    for line in done.stdout.splitlines():
        if not line.startswith("RESULT"):
            print("   " + line if not line.startswith("   ") else line)
    if done.returncode:
        print(done.stderr[-2000:])
        raise SystemExit("bench/load.sh failed")
    out: dict[str, dict[str, float]] = {}
    for app, key, value in re.findall(r"^RESULT (\S+) (\S+) (\S+)$", done.stdout, re.M):
        out.setdefault(app, {})[key] = float(value)
    return out


# ---- the run -----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=10, help="per peer and per webhook step")
    parser.add_argument("--skip", default="", help="comma-separated: peers, lists, webhook")
    parser.add_argument("--list-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.list_child is not None:
        list_child(args.list_child, args.n)
        return
    skip = set(filter(None, args.skip.split(",")))
    texts = bench_engine.corpus(args.n)
    labeled = labeled_sample()
    policy = load_policy(None)
    ratios: list[tuple[str, str, str]] = []  # (what, measured, target)
    print(
        f"{len(texts):,} comments of ~{sum(map(len, texts)) // len(texts)} characters (seed 7); "
        f"{len(labeled):,} labeled comments; policy {policy.version}, {len(policy.rules)} rules, "
        f"languages {', '.join(policy.languages) or '-'}, models {', '.join(sorted(policy.models)) or '-'}"
    )

    print("\n== 1. engine (one process, one core; CPU time of the process, which other jobs disturb little)")
    floor = bench_engine.floor(texts)
    civility = bench_engine.rate(None, texts)
    p50, p99 = latencies(policy, texts[:5000])
    big_ms = hundred_kb(policy, texts)
    gc.freeze()  # as the service does after loading its policy (webhook.create_app)
    worst, worst_cpu = hostile.overrun(policy, 100.0, 199_000)
    with tempfile.TemporaryDirectory() as tmp:
        dry_wall, dry = dry_run(texts, Path(tmp))
    detect = bench_engine.detection_us(policy, texts[:5000])
    n_model_rules, model_us = bench_engine.model_cost(None, texts[:5000]) if policy.models else (0, None)
    print(f"   {'floor: casefold().split() + set look-up':44s} {floor:>10,.0f} comments/s")
    print(
        f"   {'civility decide(), default policy':44s} {civility:>10,.0f} comments/s   "
        f"({floor / civility:.1f}x the floor's time)"
    )
    print(f"   {'per comment p50 / p99 (CPU)':44s} {p50:>10,.0f} / {p99:,.0f} us")
    print(f"   {'a 100 KB comment':44s} {big_ms:>10,.1f} ms")
    print(
        f"   {'worst overrun of a hostile 199 KB body':44s} {worst:>10,.1f} ms past a 100 ms budget "
        f"({worst_cpu:.1f} ms of CPU after the deadline)"
    )
    print(f"   {'civility dry-run --json, end to end':44s} {dry:>10,.0f} comments/s ({dry_wall:,.0f}/s by the clock)")
    detected = f"{detect:>10,.1f} us/comment (inside decide's rate)" if detect is not None else "none (one language)"
    print(f"   {'language detection':44s} {detected}")
    modelled = f"{model_us:>10,.1f} us/comment ({n_model_rules} rules)" if model_us is not None else "none (no model)"
    print(f"   {'model rules':44s} {modelled}")
    ratios += [
        ("engine: share of the floor's rate", f"1/{floor / civility:.1f}", ">= 1/8"),
        ("dry-run --json end to end", f"{dry:,.0f}/s", ">= 12,000/s"),
        ("a 100 KB comment", f"{big_ms:.1f} ms", "< 50 ms"),
        ("worst overrun of the budget (hostile bodies)", f"{worst:.1f} ms ({worst_cpu:.1f} ms CPU)", "<= 10 ms"),
    ]

    if "peers" not in skip:
        print(f"\n== 2. peers (one call per comment, at most {args.seconds:.0f} s each, then labeled comments)")
        with tempfile.TemporaryDirectory() as tmp:
            found = peers(texts, labeled, args.seconds, Path(tmp))
        ours = flag_rates(policy, labeled)
        print(f"   {'civility decide()':32s} {civility:>10,.0f} comments/s")
        for name, r in found.items():
            print(f"   {name:32s} {r['rate']:>10,.0f} comments/s  ({r['timed']:,} comments timed)")
        short = {
            "better-profanity": "better-profanity",
            "alt-profanity-check per call": "alt-check per call",
            "alt-profanity-check batched": "alt-check batched",
            "glin-profanity": "glin-profanity",
        }
        names = ["civility", *(short.get(name, name[:20]) for name in found)]
        print(
            f"\n   share of each label flagged (n per label: civility {PER_LABEL} at most; "
            "a peer stopped by time saw fewer)"
        )
        print("   " + f"{'label':22s}" + "".join(f"{n:>22s}" for n in names))
        for label in dict.fromkeys(label for label, _ in labeled):
            cells = []
            for counts in [ours, *(r["flags"] for r in found.values())]:
                hit, n = counts.get(label, [0, 0])
                cells.append(f"{hit / n:.2f} (n={n})" if n else "-")
            print("   " + f"{label:22s}" + "".join(f"{c:>22s}" for c in cells))
        fastest = max((r["rate"], name) for name, r in found.items() if "batched" not in name)
        ratios.append(("engine vs the fastest peer per call", f"{civility / fastest[0]:.2f}x ({fastest[1]})", "> 1x"))

    if "lists" not in skip:
        n = min(args.n, 5000)
        print(f"\n== 3. an extra list (a `near` rule over it), each in a fresh process, {n:,} comments")
        rows = list_sizes(n)
        print(
            f"   {'terms':>8s} {'comments/s':>12s} {'us/comment':>11s} {'vs no list':>11s} {'load s':>8s} "
            f"{'RSS MB':>8s} {'grew MB':>8s}"
        )
        for row in rows:
            print(
                f"   {row['size']:>8,} {row['rate']:>12,.0f} {1e6 / row['rate']:>11.1f} {row['vs_base']:>10.2f}x "
                f"{row['load_s']:>8.2f} {row['rss_mb']:>8.0f} {row['grew_mb']:>8.0f}"
            )
        by = {int(row["size"]): row for row in rows}
        ratios += [
            (
                "50,000-term list vs 100-term, time per comment",
                f"{by[50_000]['vs_base'] / by[100]['vs_base']:.2f}x",
                "<= 1.5x",
            ),
            (
                "50,000-term list: policy load, memory grown",
                f"{by[50_000]['load_s']:.2f} s, {by[50_000]['grew_mb']:.0f} MB",
                "< 2 s, < 150 MB",
            ),
        ]

    if "webhook" not in skip:
        print(
            f"\n== 4. webhook vs bare Flask: gunicorn, 2 workers x 4 threads, loopback, {args.seconds:.0f} s per step;"
            " half the peak held by bench/rate.js"
        )
        w = webhook(args.seconds)
        c, b = w["civility"], w["bare_flask"]
        print(
            f"   {'':12s} {'peak req/s':>11s} {'held req/s':>11s} {'p50 ms':>7s} {'p99 ms':>7s} {'checked':>9s} "
            f"{'not 200 decision':>17s} {'failed closed':>14s}"
        )
        for name, r in w.items():
            if "peak_rps" in r:
                print(
                    f"   {name:12s} {r['peak_rps']:>11,.0f} {r['half_rps']:>11,.0f} {r['half_p50_ms']:>7.1f} "
                    f"{r['half_p99_ms']:>7.1f} {r['wrk_checked'] + r['half_checked']:>9,.0f} "
                    f"{r['wrk_bad'] + r['half_bad']:>17,.0f} {r['wrk_closed'] + r['half_closed']:>14,.0f}"
                )
        print(
            f"   decisions in the service's store: {c.get('stored', 0):,.0f} for {c.get('answered', 0):,.0f} answered;"
            f" read back as soon as answered: {c.get('read_back_found', 0):,.0f} of {c.get('read_back_asked', 0):,.0f}"
        )
        ratios += [
            ("webhook: share of bare Flask's requests/s", f"{c['peak_rps'] / b['peak_rps']:.0%}", ">= 70%"),
            ("webhook: p99 at half its peak", f"{c['half_p99_ms']:.0f} ms", "< 20 ms"),
        ]

    print("\n== key ratios (one run; absolute figures move with the machine's load, these should not)")
    for what, measured, target in ratios:
        print(f"   {what:50s} {measured:>24s}   target {target}")


if __name__ == "__main__":
    main()
