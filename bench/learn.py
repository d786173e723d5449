"""Learning from moderators: the spam model trained without one campaign, then given its moderators' labels.

    nice -n 10 python bench/learn.py [--data-dir ../shared/data] [--campaign Youtube03-LMFAO.csv]
                                     [--sizes 0,50,100,200,400] [--seeds 0,1,2] [--feedback-weight W]

Needs the `learn` extra (`pip install -e '.[learn]'`); about 20 s a training on 2 cores, 13 trainings.

1. The `spam` model of bench/models.yaml is trained without the campaign (the rows of one YouTube video,
   `orig.file` in real/youtube-spam-dev.jsonl): the shipped recipe with that video's rows left out.
2. For each seed, the campaign's comments are shuffled; a moderator labels the first k of them (k = 0,
   50, ...: each set of labels holds the smaller ones, as a moderator goes on labelling). The labels go
   where a moderator's verdicts go: into the service's store (`add_feedback`), out through `civility feedback
   export`'s own code, into training as `civility learn --feedback FILE` merges them (an extra source
   counting `--feedback-weight` rows each, default `civility learn`'s). The store keeps one verdict per
   distinct text, so a campaign repeating itself exports fewer rows than labels given.
3. The model goes into a copy of the default policy in place of the shipped one, its rules take the
   thresholds the model chose on its own training rows (`training.thresholds`, as bench/model_cv.py
   --write-thresholds sets them after `civility learn`), and the policy decides the rest of the campaign
   (the comments not labelled; all of them at k = 0). Caught: spam not approved; ok flagged: ok comments
   not approved, at the policy's flag score. Three verdicts from each decision's hits: the rules that use
   no model (which do not change with k), the rules that use a model, and the whole policy.

Figures are pooled over the seeds (each seed's rest of the campaign counted once). At k = 400 the rest is
small (38 of 438 comments a seed), so that row is the noisiest.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import shutil
import sys
import tempfile
import time
import typing as t
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from model_cv import write_thresholds  # noqa: E402

from engine import Comment, decide, load_policy  # noqa: E402
from engine import learn as lm  # noqa: E402
from engine.cli import learn as learn_command  # noqa: E402
from engine.policy import bundled_policy_dir  # noqa: E402
from engine.textmodel import dump_model  # noqa: E402
from webhook.store import SQLiteStore, feedback_lines  # noqa: E402

CAMPAIGN_FILE = "real/youtube-spam-dev.jsonl"
KINDS = ("rules", "model", "policy")


def default_feedback_weight() -> float:
    """What one moderator's label counts for in `civility learn` unless told otherwise."""
    return float(next(p.default for p in learn_command.params if p.name == "feedback_weight"))


def split_campaign(path: Path, campaign: str, out: Path) -> list[dict[str, t.Any]]:
    """The campaign's rows of `path`; the other rows are written to `out` (the training file without them)."""
    rows, kept = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            (rows if (row.get("orig") or {}).get("file") == campaign else kept).append(line)
    if not rows:
        raise SystemExit(f"no rows of {campaign!r} in {path} (orig.file)")
    out.write_text("".join(line + "\n" for line in kept), encoding="utf-8")
    return [json.loads(line) for line in rows]


def export_labels(rows: t.Sequence[dict[str, t.Any]], store_dir: Path, out: Path) -> int:
    """Moderators' verdicts on `rows` through the store and its export; the number of rows exported."""
    store = SQLiteStore(store_dir)
    try:
        for row in rows:
            store.add_feedback(None, row["label"], "api", text=row["text"])
        lines = list(feedback_lines(store))
    finally:
        store.close()
    out.write_text("".join(lines), encoding="utf-8")
    return len(lines)


def verdicts(policy: t.Any, uses_model: t.Mapping[str, bool], comment: Comment) -> tuple[bool, bool, bool]:
    """Flagged by the rules that use no model, by those that use one, by the whole policy."""
    d = decide(policy, comment)
    flag = policy.thresholds.flag
    rules = sum(h.score for h in d.hits if not uses_model.get(h.rule))
    model = sum(h.score for h in d.hits if uses_model.get(h.rule))
    return rules >= flag, model >= flag, d.decision.value != "approve"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--recipe", type=Path, default=ROOT / "bench" / "models.yaml")
    ap.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--model", default="spam", help="the recipe's model to train")
    ap.add_argument(
        "--campaign", default="Youtube03-LMFAO.csv", help=f"orig.file of the rows left out ({CAMPAIGN_FILE})"
    )
    ap.add_argument("--sizes", default="0,50,100,200,400", help="moderators' labels given")
    ap.add_argument("--seeds", default="0,1,2", help="one shuffle of the campaign per seed")
    ap.add_argument("--feedback-weight", type=float, default=default_feedback_weight())
    args = ap.parse_args(argv)
    sizes = sorted(int(x) for x in args.sizes.split(","))
    seeds = [int(x) for x in args.seeds.split(",")]
    plan = next((p for p in lm.read_recipe(args.recipe, args.data_dir) if p.name == args.model), None)
    if plan is None:
        raise SystemExit(f"no model {args.model!r} in {args.recipe}")
    source = (args.data_dir / CAMPAIGN_FILE).resolve()

    started = time.perf_counter()
    cache: dict[tuple[str, str], set[str]] = {}

    def featurized(examples: list[lm.Example]) -> list[set[str]]:
        for ex in examples:
            if (ex.text, ex.format) not in cache:
                cache[(ex.text, ex.format)] = lm.comment_features(ex, plan.settings.ngrams)
        return [cache[(ex.text, ex.format)] for ex in examples]

    # counts[k][kind] = [spam caught, spam, ok flagged, ok]
    counts = {k: {kind: [0, 0, 0, 0] for kind in KINDS} for k in sizes}
    exported: dict[int, list[int]] = {k: [] for k in sizes}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        rest_file = tmp / source.name
        campaign = split_campaign(source, args.campaign, rest_file)
        sources = tuple(
            dataclasses.replace(s, path=rest_file) if s.path.resolve() == source else s for s in plan.sources
        )
        if sources == plan.sources:
            raise SystemExit(f"{args.model} is not trained on {CAMPAIGN_FILE}")
        base_plan = dataclasses.replace(plan, sources=sources)
        policy_dir = tmp / "policy"
        shutil.copytree(bundled_policy_dir(), policy_dir)
        trained: dict[tuple[int, tuple[str, ...]], t.Any] = {}
        for seed in seeds:
            order = list(campaign)
            random.Random(seed).shuffle(order)
            for k in sizes:
                given, rest = order[:k], order[k:]
                key = (k, tuple(r["id"] for r in given))
                if key not in trained:  # k = 0 trains once for every seed
                    extra = []
                    if given:
                        labels = tmp / f"labels-{seed}-{k}.jsonl"
                        exported[k].append(export_labels(given, tmp / f"store-{seed}-{k}", labels))
                        extra = [lm.Source(labels, "moderators' labels", weight=args.feedback_weight, feedback=True)]
                    examples, _, _ = lm.load_plan(base_plan, extra)
                    data, _ = lm.train(
                        examples, plan.category, plan.name, plan.settings, featurized=featurized(examples)
                    )
                    (policy_dir / "models" / f"{plan.name}.json").write_text(dump_model(data), encoding="utf-8")
                    write_thresholds(policy_dir, {plan.name: data["training"]["thresholds"]})
                    trained[key] = load_policy(policy_dir)
                    print(f"seed {seed}, {k} labels: trained ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
                policy = trained[key]
                uses_model = {r.id: r.model is not None for r in policy.rules}
                for row in rest:
                    spam = row["label"] == plan.category
                    for kind, flagged in zip(KINDS, verdicts(policy, uses_model, Comment(text=row["text"]))):
                        c = counts[k][kind]
                        c[0 if spam else 2] += flagged
                        c[1 if spam else 3] += 1

    n_spam = sum(r["label"] == plan.category for r in campaign)
    print(
        f"\n{args.model} model without {args.campaign} ({len(campaign)} comments, {n_spam} spam), then given k of its"
        f" moderators' labels (weight {args.feedback_weight:g} each), measured on the rest of the campaign;"
        f" seeds {','.join(map(str, seeds))}, pooled\n"
    )
    print("| labels given | rows exported | rest: spam / ok | rules alone | model rules | policy (both) |")
    print("|---:|---:|---:|---:|---:|---:|")
    for k in sizes:
        cells = []
        for kind in KINDS:
            caught, n, okf, n_ok = counts[k][kind]
            cells.append(f"{caught / max(n, 1):.3f} / {okf / max(n_ok, 1):.3f}")
        spam_n, ok_n = counts[k]["policy"][1], counts[k]["policy"][3]
        rows = f"{sum(exported[k]) / len(exported[k]):.0f}" if exported[k] else "0"
        print(f"| {k} | {rows} | {spam_n} / {ok_n} | " + " | ".join(cells) + " |")
    print("\n(each cell: spam caught / ok flagged; rows exported: mean over seeds, one per distinct text)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
