"""Every labeled set: the rules alone, the models alone, the default policy, and three profanity filters.

    nice -n 10 python bench/model_cv.py --dump /tmp/cv.jsonl      # cross-validated model figures (long)
    nice -n 10 python bench/compare.py --cv /tmp/cv.jsonl [--data-dir ../shared/data] [--sample 300]
                                       [--peers-cache /tmp/peers.json] [--set NAME ...]

Prints one markdown table: for each set in the data directory and real/, the share of each non-ok label
caught (any decision but approve; a filter: the comment has profanity) and the share of `ok` flagged.

- rules: the default policy's rules that use no model; model: its rules that use one (`model:`); policy:
  the whole default policy (both). A comment counts as flagged by a part when that part's hits reach the
  flag score, as bench/model_cv.py counts them.
- Honest model figures: the shipped models were trained on some of these sets (each model file names the
  files and their SHA-256). On those sets (marked CV), the model and policy columns come from
  bench/model_cv.py's 5-fold cross-validation (`--dump`): every comment scored by models trained on the
  other folds. Without a dump they are left blank rather than the shipped model scored on its own training
  data. On every other set the shipped policy is scored as it ships.
- The filters run in the benchmark's own venv (bench/peers.txt, bench/run.py installs it): alt-profanity-check
  and glin-profanity on every comment (glin-profanity set up for English and the set's language),
  better-profanity, which takes 15-100 ms a comment, on at most `--sample` comments of each label (seed 0).
- The issue's rule, "beat the best profanity filter's recall at no more of its false flags": on each set's
  target label (its goal in bench/accuracy.py or bench/model_cv.py, else any violation), the policy's
  caught share must exceed the best filter's (the filter catching the most) with no larger share of ok flagged.
Impermium texts are decoded (they are published quoted and escaped), as for training.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import random
import subprocess
import sys
import tempfile
import typing as t
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from accuracy import SETS as ACCURACY_SETS  # noqa: E402
from learn import verdicts  # noqa: E402
from model_cv import EVAL_SETS  # noqa: E402
from run import peers_python  # noqa: E402

from engine import Comment, load_policy  # noqa: E402
from engine.learn import unescape_kaggle  # noqa: E402

OURS = ("rules", "model", "policy")
PEERS = ("better-profanity", "alt-profanity-check", "glin-profanity")
GLIN_LANGUAGES = {"de": "german", "es": "spanish", "pt": "portuguese", "fr": "french", "it": "italian"}
OK = "ok"
PEERS_TXT = ROOT / "bench" / "peers.txt"


class DataSet(t.NamedTuple):
    name: str
    file: str  # relative to the data directory
    format: str
    decode: str | None
    target: str  # the label whose caught share the rule compares ("violation": every non-ok label)
    language: str


def data_sets(data_dir: Path) -> list[DataSet]:
    formats = {ds.path: ds.format for ds in ACCURACY_SETS}
    targets = {ds.path: ds.goal[0] for ds in ACCURACY_SETS if ds.goal}
    targets.update({es.file: es.target for es in EVAL_SETS})
    decodes = {es.file: es.decode for es in EVAL_SETS}
    out = []
    for path in sorted(data_dir.glob("*.jsonl")) + sorted(data_dir.glob("real/*.jsonl")):
        rel = path.relative_to(data_dir).as_posix()
        lang = next((code for code in GLIN_LANGUAGES if f"-{code}-" in path.name), "en")
        out.append(
            DataSet(path.stem, rel, formats.get(rel, "text"), decodes.get(rel), targets.get(rel, "violation"), lang)
        )
    return out


def trained_on(policy: t.Any) -> set[tuple[str, str]]:
    """(file name, SHA-256) of every set a model of the policy was trained on, from the model files."""
    return {
        (s.get("file"), s.get("sha256"))
        for model in policy.models.values()
        for s in (model.training.get("sets") or ())
        if isinstance(s, dict)
    }


def cv_counts(dump: Path) -> dict[str, dict[str, dict[str, list[int]]]]:
    """From bench/model_cv.py's dump: [flagged, n] per data file, label and kind (rules, model, policy)."""
    files = {es.name: es.file for es in EVAL_SETS}
    out: dict[str, dict[str, dict[str, list[int]]]] = {}
    with dump.open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if "flagged" not in row or row["set"] not in files:
                continue
            by_kind = out.setdefault(files[row["set"]], {}).setdefault(row["label"], {})
            for kind, flagged in zip(OURS, (row["flagged"][k] for k in ("rules", "model", "both"))):
                c = by_kind.setdefault(kind, [0, 0])
                c[0] += int(flagged)
                c[1] += 1
    return out


def peer_verdicts(texts: list[str], languages: list[str], sampled: list[int], cache: Path | None) -> dict[str, list]:
    """Every filter's verdict on every text (better-profanity on `sampled` only), kept in `cache` for the
    same input: the filters take half an hour on a loaded machine and do not change with Civility."""
    given = json.dumps({"texts": texts, "languages": languages, "sampled": sampled, "peers": PEERS_TXT.read_text()})
    key = hashlib.sha256(given.encode()).hexdigest()
    if cache is not None and cache.exists():
        kept = json.loads(cache.read_text())
        if kept.get("input") == key:
            return t.cast(dict[str, list], kept["verdicts"])
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "input.json").write_text(given)
        done = subprocess.run(
            [str(peers_python()), str(ROOT / "bench" / "peers.py"), "--verdicts", str(Path(tmp) / "input.json")],
            check=True,
            capture_output=True,
            text=True,
            cwd=tmp,
        )
    out = t.cast(dict[str, list], json.loads(done.stdout))
    if cache is not None:
        cache.write_text(json.dumps({"input": key, "verdicts": out}))
    return out


def share(c: list[int] | None) -> str:
    return "" if not c or not c[1] else f"{c[0] / c[1]:.3f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--cv", type=Path, help="bench/model_cv.py --dump output (model figures on the sets trained on)")
    ap.add_argument("--sample", type=int, default=300, help="better-profanity: at most this many comments a label")
    ap.add_argument("--set", action="append", help="only the sets whose name starts with one of these")
    ap.add_argument("--peers-cache", type=Path, help="keep the filters' verdicts here for the same input")
    args = ap.parse_args(argv)

    policy = load_policy(None)
    uses_model = {r.id: r.model is not None for r in policy.rules}
    trained = trained_on(policy)
    cv = cv_counts(args.cv) if args.cv else {}
    sets = [ds for ds in data_sets(args.data_dir) if not args.set or any(ds.name.startswith(s) for s in args.set)]

    rows: list[tuple[DataSet, int, str]] = []  # (set, index in its file, label)
    texts, languages, comments = [], [], []
    for ds in sets:
        path = args.data_dir / ds.file
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
            if not line.strip():
                continue
            row = json.loads(line)
            text = unescape_kaggle(row["text"]) if ds.decode == "kaggle" else row["text"]
            rows.append((ds, i, str(row["label"])))
            texts.append(text)
            languages.append(GLIN_LANGUAGES.get(ds.language, "english"))
            comments.append(Comment(text=text, format=ds.format))
    by_label: dict[tuple[str, str], list[int]] = collections.defaultdict(list)
    for k, (ds, _, label) in enumerate(rows):
        by_label[(ds.name, label)].append(k)
    rng = random.Random(0)
    sampled = sorted(k for ks in by_label.values() for k in rng.sample(ks, min(args.sample, len(ks))))
    print(f"{len(texts):,} comments in {len(sets)} sets; the filters ...", file=sys.stderr, flush=True)
    peers = peer_verdicts(texts, languages, sampled, args.peers_cache)
    print("the default policy ...", file=sys.stderr, flush=True)

    # counts[set][label][column] = [flagged, n]
    counts: dict[str, dict[str, dict[str, list[int]]]] = {}
    for k, ((ds, _, label), comment) in enumerate(zip(rows, comments)):
        cells = counts.setdefault(ds.name, {}).setdefault(label, {})
        for column, flagged in zip(OURS, verdicts(policy, uses_model, comment)):
            c = cells.setdefault(column, [0, 0])
            c[0] += flagged
            c[1] += 1
        for peer in PEERS:
            if peers[peer][k] is not None:
                c = cells.setdefault(peer, [0, 0])
                c[0] += peers[peer][k]
                c[1] += 1

    print("| set | label | n | rules | model | policy | " + " | ".join(PEERS) + " |")
    print("|---|---|---:|---:|---:|---:|" + "---:|" * len(PEERS))
    verdict_lines = []
    for ds in sets:
        sha = hashlib.sha256((args.data_dir / ds.file).read_bytes()).hexdigest()
        is_trained = (Path(ds.file).name, sha) in trained
        cells = counts[ds.name]
        if is_trained:  # model and policy: cross-validated, or nothing
            for label, by_column in cells.items():
                for column in ("model", "policy"):
                    by_column[column] = cv.get(ds.file, {}).get(label, {}).get(column, [0, 0])
        labels = sorted(cells, key=lambda lab: (lab == OK, lab))
        name = ds.name + (" (CV)" if is_trained else "")
        for label in labels:
            shown = "ok flagged" if label == OK else label
            n = cells[label]["rules"][1]
            line = [name, shown, f"{n:,}"] + [share(cells[label].get(c)) for c in OURS + PEERS]
            print("| " + " | ".join(line) + " |")
            name = ""
        verdict_lines.append(rule_verdict(ds, cells))
    print()
    print("\n".join(verdict_lines))
    print(
        f"\nEach cell: the share of that label's comments flagged. better-profanity: at most {args.sample} comments"
        " a label (seed 0). (CV): trained on by a shipped model; model and policy cross-validated"
        f" ({args.cv or 'no --cv dump given: left blank'})."
    )
    return 0


def _pooled(cells: dict[str, dict[str, list[int]]], target: str, column: str) -> list[int]:
    labels = [lab for lab in cells if lab != OK] if target == "violation" else [target]
    got = [cells[lab].get(column) for lab in labels if lab in cells]
    return [sum(c[0] for c in got if c), sum(c[1] for c in got if c)]


def rule_verdict(ds: DataSet, cells: dict[str, dict[str, list[int]]]) -> str:
    """The issue's rule on one set: the policy against the filter catching the most of its target; and
    which filters the policy beats (more caught, no more ok flagged)."""

    def rate(c: list[int] | None) -> float | None:
        return c[0] / c[1] if c and c[1] else None

    ours, ours_ok = rate(_pooled(cells, ds.target, "policy")), rate(cells.get(OK, {}).get("policy"))
    scored = [(rate(_pooled(cells, ds.target, p)), rate(cells.get(OK, {}).get(p)), p) for p in PEERS]
    scored = [s for s in scored if s[0] is not None and s[1] is not None]
    if ours is None or ours_ok is None or not scored:
        return f"- {ds.name}, {ds.target}: no figures to compare"
    best_recall, best_ok, best = max(scored, key=lambda s: (s[0], -s[1]))
    beaten = [p for r, f, p in scored if ours > r and ours_ok <= f]
    if ours > best_recall and ours_ok <= best_ok:
        mark = "**beats it**"
    elif ours > best_recall:
        mark = f"not beaten: more caught, but {ours_ok - best_ok:+.3f} ok flagged"
    else:
        mark = f"not beaten: {ours - best_recall:+.3f} caught" + (
            f", at {ours_ok / best_ok:.2f}x its ok flagged" if best_ok else ""
        )
    return (
        f"- {ds.name}, {ds.target} caught / ok flagged: policy {ours:.3f} / {ours_ok:.3f}; best filter {best}"
        f" {best_recall:.3f} / {best_ok:.3f}: {mark}; beats {', '.join(beaten) or 'none'}"
    )


if __name__ == "__main__":
    sys.exit(main())
