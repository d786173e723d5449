"""Accuracy of a policy on the labeled development sets.

    python bench/accuracy.py [--policy DIR] [--data-dir DIR] [--set NAME ...] [--jobs N] [--errors FILE]

For each data set it prints n, per-category precision and recall of the single evaluation label
(`decision.label`, CONTRACT.md section 1) against the gold label, the "caught" recall of every non-ok
gold label (any decision other than approve counts as caught: the real sets' categories differ from
ours), the share of `ok` comments that were not approved, the goal for the set and whether it is met,
and comments per second.
"""

from __future__ import annotations

import argparse
import collections
import json
import multiprocessing
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import engine  # noqa: E402
from engine.learn import unescape_kaggle  # noqa: E402


@dataclass(frozen=True)
class DataSet:
    name: str
    path: str
    # (gold label whose caught recall is the goal, minimum recall, maximum share of ok flagged)
    goal: tuple[str, float, float] | None
    # how the texts are written: Reddit comments are markdown, so `> ...` quotes are not the author's words
    format: str = "text"
    # `kaggle`: texts published quoted and escaped (Impermium), decoded as for training
    decode: str | None = None


SETS = (
    DataSet("dev-comments", "dev-comments.jsonl", ("violation", 0.90, 0.03)),
    DataSet("youtube-spam", "real/youtube-spam-dev.jsonl", ("spam", 0.85, 0.05)),
    DataSet("olid-train", "real/olid-train.jsonl", ("name_calling", 0.50, 0.05)),
    DataSet("cmv-adhominem", "real/habernal-adhominem.jsonl", ("ad_hominem", 0.40, 0.05), "markdown"),
    # the other English sets (issue 7): Impermium's goal is the issue's; the rest report ok flagged
    DataSet("impermium-insults", "real/impermium-insults-dev.jsonl", ("name_calling", 0.80, 0.12), decode="kaggle"),
    DataSet("gab-hate", "real/gab-hate-corpus-dev.jsonl", None),
    DataSet("ucc-unhealthy", "real/ucc-unhealthy-dev.jsonl", None),
    DataSet("davidson-offensive", "real/davidson-offensive-dev.jsonl", None),
    # the language packs' sets (issue 8): insults at a person, or the set's broader label, per language
    DataSet("germeval2018-de", "real/germeval2018-de-dev.jsonl", ("name_calling", 0.50, 0.05)),
    DataSet("germeval2019-de", "real/germeval2019-de-dev.jsonl", ("name_calling", 0.50, 0.05)),
    DataSet("germeval2021-de", "real/germeval2021-de-dev.jsonl", ("toxic", 0.40, 0.05)),
    DataSet("offendes-es", "real/offendes-es-dev.jsonl", ("name_calling", 0.50, 0.05)),
    DataSet("toldbr-pt", "real/toldbr-pt-dev.jsonl", ("name_calling", 0.50, 0.05)),
    DataSet("hatebr-pt", "real/hatebr-pt-dev.jsonl", ("offensive", 0.40, 0.05)),
    DataSet("offcombr-pt", "real/offcombr-pt-dev.jsonl", ("offensive", 0.40, 0.05)),
    # small sets: figures reported, the goal is only ok flagged <= 0.05
    DataSet("cyberagressionado-fr", "real/cyberagressionado-fr-dev.jsonl", ("name_calling", 0.0, 0.05)),
    DataSet("pejorativity-it", "real/pejorativity-it-dev.jsonl", ("pejorative_epithet", 0.0, 0.05)),
    DataSet("disaggreghateit-it", "real/disaggreghateit-it-dev.jsonl", ("offensive_group", 0.0, 0.05)),
)

_POLICY = None


def _init(policy_dir: str | None) -> None:
    global _POLICY
    _POLICY = engine.load_policy(policy_dir)


def _label(item: tuple[str, str]) -> tuple[str, str, tuple[str, ...]]:
    assert _POLICY is not None
    text, fmt = item
    d = engine.decide(_POLICY, engine.Comment(text=text, format=fmt))
    return d.decision.value, d.label, tuple(h.rule for h in d.hits)


def read_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def evaluate(rows: list[dict], results: list[tuple[str, str, tuple[str, ...]]]) -> dict:
    gold_counts: collections.Counter[str] = collections.Counter()
    pred_counts: collections.Counter[str] = collections.Counter()
    both: collections.Counter[str] = collections.Counter()
    caught: collections.Counter[str] = collections.Counter()
    for row, (verdict, label, _) in zip(rows, results):
        gold = row["label"]
        gold_counts[gold] += 1
        pred_counts[label] += 1
        if label == gold:
            both[gold] += 1
        if verdict != "approve":
            caught[gold] += 1
    return {"gold": gold_counts, "pred": pred_counts, "both": both, "caught": caught}


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def _fmt(x: float | None) -> str:
    return "   -  " if x is None else f"{x:6.3f}"


def report(ds: DataSet, stats: dict, seconds: float, out=sys.stdout) -> bool | None:
    gold, pred, both, caught = stats["gold"], stats["pred"], stats["both"], stats["caught"]
    n = sum(gold.values())
    print(f"\n== {ds.name}  n={n}  ({n / seconds:,.0f} comments/s)", file=out)
    print(f"{'label':<22}{'gold':>7}{'pred':>7}{'prec':>8}{'recall':>8}{'caught':>8}", file=out)
    labels = sorted(set(gold) | set(pred), key=lambda x: (x != "ok", x))
    for lab in labels:
        prec = _ratio(both[lab], pred[lab])
        rec = _ratio(both[lab], gold[lab])
        cau = _ratio(caught[lab], gold[lab]) if lab != "ok" else None
        print(f"{lab:<22}{gold[lab]:>7}{pred[lab]:>7}  {_fmt(prec)}  {_fmt(rec)}  {_fmt(cau)}", file=out)
    violations = sum(v for k, v in gold.items() if k != "ok")
    vcaught = sum(v for k, v in caught.items() if k != "ok")
    ok_flagged = _ratio(caught["ok"], gold["ok"]) or 0.0
    print(f"{'any violation caught':<36}{_fmt(_ratio(vcaught, violations))}", file=out)
    print(f"{'ok flagged (share)':<36}{_fmt(ok_flagged)}   ({caught['ok']} of {gold['ok']})", file=out)
    if ds.goal is None:
        return None
    target, min_recall, max_ok = ds.goal
    recall = _ratio(vcaught, violations) if target == "violation" else _ratio(caught[target], gold[target])
    met = recall is not None and recall >= min_recall and ok_flagged <= max_ok
    print(
        f"goal: {target} caught >= {min_recall:.2f} with ok flagged <= {max_ok:.2f}: "
        f"{_fmt(recall).strip()} / {ok_flagged:.3f} -> {'MET' if met else 'NOT MET'}",
        file=out,
    )
    return met


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--policy", default=None, help="policy directory (default: the bundled policy)")
    ap.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--set", action="append", help="only these data sets (by name prefix)")
    ap.add_argument("--jobs", type=int, default=0, help="worker processes (default: 1 for small sets, else CPUs)")
    ap.add_argument("--errors", help="write misses and false flags as JSON Lines to this file")
    args = ap.parse_args(argv)

    data_dir = Path(args.data_dir)
    chosen = [ds for ds in SETS if not args.set or any(ds.name.startswith(s) for s in args.set)]
    errors = open(args.errors, "w", encoding="utf-8") if args.errors else None
    all_met = True
    for ds in chosen:
        path = data_dir / ds.path
        if not path.exists():
            print(f"\n== {ds.name}: {path} not found, skipped")
            continue
        rows = read_rows(path)
        decode = unescape_kaggle if ds.decode == "kaggle" else str
        texts = [(decode(r["text"]), ds.format) for r in rows]
        jobs = args.jobs or (1 if len(texts) < 2000 else min(2, os.cpu_count() or 1))
        start = time.perf_counter()
        if jobs > 1:
            with multiprocessing.Pool(jobs, initializer=_init, initargs=(args.policy,)) as pool:
                results = pool.map(_label, texts, chunksize=256)
        else:
            _init(args.policy)
            results = [_label(t) for t in texts]
        seconds = max(time.perf_counter() - start, 1e-9)
        met = report(ds, evaluate(rows, results), seconds)
        all_met = all_met and met is not False
        if errors:
            for row, (verdict, label, rules) in zip(rows, results):
                if (row["label"] == "ok") != (verdict == "approve"):
                    errors.write(
                        json.dumps(
                            {
                                "set": ds.name,
                                "id": row.get("id"),
                                "gold": row["label"],
                                "label": label,
                                "rules": rules,
                                "text": row["text"],
                            }
                        )
                        + "\n"
                    )
    if errors:
        errors.close()
    return 0 if all_met else 1


if __name__ == "__main__":
    sys.exit(main())
