"""Cross-validated accuracy of the default policy's learned models: rules alone, models alone, both.

    python bench/model_cv.py [--recipe bench/models.yaml] [--data-dir ../shared/data] [--folds 5]

For each of 5 folds (rows grouped by video or thread where the data has one, by `learn.assign_folds`), every
model of the recipe is trained by `civility learn`'s own code on the other folds only (its calibration
too, by folds inside those), written into a copy of the default policy, and the policy decides the
held-out fold's comments. No comment is ever scored by a model trained on it, nor by a threshold chosen
on it: each fold's rules take the thresholds its models chose on their own training rows
(`training.thresholds` in the model file: `sure` for a rule on the model alone, `likely`..`sure` for a
band that needs more; see `learn.choose_thresholds`). From each decision's hits, three verdicts: the
rules that use no model, the rules that use a model, and the whole policy.

    python bench/model_cv.py --write-thresholds policies

writes the thresholds of a policy's own model files into its rules (after `civility learn`), so that the
shipped rules use what the shipped models chose on all their training rows; a rule's current value stays
when it is the chosen one or one step of the grid above it (hysteresis: see `write_thresholds`), so that a
retrain that barely moves a model does not churn the rules. The folds below take the chosen values as they
are (the shipped values were chosen on every fold).

Prints per set: the goal label's share caught and the share of `ok` flagged, for each of the three.
Training sets not in the recipe (Gab) are scored by every fold's policy on a fifth of their rows each.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
import time
import typing as t
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "bench"))
from accuracy import SETS as ACCURACY_SETS  # noqa: E402
from engine import Comment, decide, load_policy  # noqa: E402
from engine import learn as lm  # noqa: E402
from engine.policy import bundled_policy_dir  # noqa: E402
from engine.scan import Scan  # noqa: E402
from engine.textmodel import dump_model  # noqa: E402


@dataclass(frozen=True)
class EvalSet:
    name: str
    file: str
    target: str  # the gold label whose share caught is the goal ("violation": any but ok)
    goal: tuple[float, float] | None  # (min caught, max ok flagged)
    decode: str | None = None
    format: str | None = None
    group: str | None = None
    #: `data` (--data-dir) or `recipe` (beside the recipe: the team's own comments, bench/training/)
    dir: str = "data"


_FORMATS = {ds.path: ds.format for ds in ACCURACY_SETS}
EVAL_SETS = (
    EvalSet("dev-comments", "dev-comments.jsonl", "violation", (1.0, 0.0)),
    EvalSet("youtube-spam (by video)", "real/youtube-spam-dev.jsonl", "spam", (0.92, 0.03), group="orig.file"),
    EvalSet("olid name_calling", "real/olid-train.jsonl", "name_calling", (0.50, 0.05)),
    EvalSet(
        "cmv ad_hominem (by thread)",
        "real/habernal-adhominem.jsonl",
        "ad_hominem",
        (0.50, 0.05),
        format=_FORMATS.get("real/habernal-adhominem.jsonl"),
        group="orig.link_id",
    ),
    EvalSet("impermium name_calling (decoded)", "real/impermium-insults-dev.jsonl", "name_calling", (0.80, 0.12), "kaggle"),
    EvalSet("gab (ok flagged)", "real/gab-hate-corpus-dev.jsonl", "violation", None),
    # the team's probe sets (bench/training/team-labeled.jsonl), each file held out whole: the rules were written
    # from them, so "rules" and "both" are in sample; "model" is out of fold
    *(
        EvalSet(f"team {label} (by file)", "training/team-labeled.jsonl", label, None, group="source", dir="recipe")
        for label in ("threat", "ad_hominem", "tone", "name_calling")
    ),
    # the English probes of 2026-12-01 (bench/training/team-probes-ij.jsonl), each file held out whole
    *(
        EvalSet(f"team-ij {label} (by file)", "training/team-probes-ij.jsonl", label, None, group="source", dir="recipe")
        for label in ("ad_hominem", "spam", "tone")
    ),
    # the language packs' sets (ToLD-Br and HateBR: evaluation only, no model trains on them)
    EvalSet("germeval2018 name_calling", "real/germeval2018-de-dev.jsonl", "name_calling", (0.50, 0.05)),
    EvalSet("germeval2019 name_calling", "real/germeval2019-de-dev.jsonl", "name_calling", (0.50, 0.05)),
    EvalSet("germeval2021 toxic", "real/germeval2021-de-dev.jsonl", "toxic", (0.40, 0.05)),
    EvalSet("offendes name_calling", "real/offendes-es-dev.jsonl", "name_calling", (0.50, 0.05)),
    EvalSet("toldbr name_calling (eval only)", "real/toldbr-pt-dev.jsonl", "name_calling", (0.50, 0.05)),
    EvalSet("hatebr offensive (eval only)", "real/hatebr-pt-dev.jsonl", "offensive", (0.40, 0.05)),
    EvalSet("offcombr offensive", "real/offcombr-pt-dev.jsonl", "offensive", (0.40, 0.05)),
    # by chat: a chat's messages (its participants, their names and running quarrels) never on both sides
    EvalSet(
        "cyberagressionado name_calling (by chat)", "real/cyberagressionado-fr-dev.jsonl", "name_calling", (0.0, 0.05), group="orig.scenario"
    ),
    EvalSet("pejorativity pejorative_epithet", "real/pejorativity-it-dev.jsonl", "pejorative_epithet", (0.0, 0.05)),
    EvalSet("disaggreghateit offensive_group", "real/disaggreghateit-it-dev.jsonl", "offensive_group", (0.0, 0.05)),
)
KINDS = ("rules", "model", "both")

#: the spacing of learn.THRESHOLD_GRID
THRESHOLD_STEP = round(lm.THRESHOLD_GRID[1] - lm.THRESHOLD_GRID[0], 2)
# a model matcher as the rule files write it: `{model: NAME, above: P}` or `{model: NAME, above: P, below: Q}`
_MODEL_MATCHER = re.compile(r"\{model: (\w+), above: ([0-9.]+)(?:, below: ([0-9.]+))?\}")


def write_thresholds(root: Path, chosen: t.Mapping[str, t.Mapping[str, float]], *, keep: bool = True) -> int:
    """Set every model matcher of the policy's rule files to its model's chosen thresholds: a matcher
    with `above` alone takes `sure`; a band takes `likely` to `sure`. Returns how many changed.

    With `keep` (hysteresis), a matcher's current value stays when it is the chosen one or one step of
    the grid above it: every value at or above the chosen one flags no more ok rows out of fold than the
    budget allows (the chosen one is the lowest that does), and a retrain that moves the out-of-fold
    scores a little flips the lowest between two neighbours of the grid; without hysteresis every such
    retrain churns the rules and their cases. A value below the chosen one breaks the budget and moves; a
    value two steps or more above moves down (no ratchet). A band's lower end stays below its upper end."""
    step = THRESHOLD_STEP

    def settled(current: float | None, new: float) -> float:
        if keep and current is not None and new - 1e-9 <= current <= new + step + 1e-9:
            return current
        return new

    def replace(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in chosen:
            return m.group(0)
        th = chosen[name]
        if m.group(3) is None:
            return f"{{model: {name}, above: {settled(float(m.group(2)), th['sure']):g}}}"
        sure = settled(float(m.group(3)), th["sure"])
        likely = settled(float(m.group(2)), th["likely"])
        if likely >= sure - 1e-9:
            likely = min(th["likely"], round(sure - step, 2))
        return f"{{model: {name}, above: {likely:g}, below: {sure:g}}}"

    changed = 0
    for path in sorted(root.glob("*.yaml")):
        if path.name.endswith(".cases.yaml"):
            continue
        text = path.read_text(encoding="utf-8")
        new = _MODEL_MATCHER.sub(replace, text)
        if new != text:
            changed += sum(a != b for a, b in zip(_MODEL_MATCHER.findall(text), _MODEL_MATCHER.findall(new)))
            path.write_text(new, encoding="utf-8")
    return changed


def model_thresholds(root: Path) -> dict[str, dict[str, float]]:
    """Each model file's chosen thresholds (`training.thresholds`), by model name."""
    out = {}
    for path in sorted((root / "models").glob("*.json")):
        th = json.loads(path.read_text(encoding="utf-8")).get("training", {}).get("thresholds")
        if th:
            out[path.stem] = th
    return out


def _verdicts(policy, rule_model: dict[str, str | None], ex: lm.Example, dump: t.IO[str] | None, set_name: str) -> tuple[bool, bool, bool]:
    d = decide(policy, Comment(text=ex.text, format=ex.format))
    flag = policy.thresholds.flag
    rules = sum(h.score for h in d.hits if rule_model.get(h.rule) is None)
    model = sum(h.score for h in d.hits if rule_model.get(h.rule) is not None)
    verdicts = rules >= flag, model >= flag, d.decision.value != "approve"
    if dump is not None:  # for trying other thresholds without training again, and for bench/compare.py
        scan = Scan(Comment(text=ex.text, format=ex.format), None)
        probs = {name: round(m.probability(scan, False), 4) for name, m in policy.models.items()}
        rule_hits = {h.rule: h.score for h in d.hits if rule_model.get(h.rule) is None}
        model_hits = {h.rule: h.score for h in d.hits if rule_model.get(h.rule) is not None}
        flagged = dict(zip(KINDS, verdicts))
        dump.write(
            json.dumps(
                {"set": set_name, "label": ex.label, "p": probs, "rules": rule_hits, "models": model_hits, "flagged": flagged}
            )
            + "\n"
        )
    return verdicts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--recipe", type=Path, default=ROOT / "bench" / "models.yaml")
    ap.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--policy", type=Path, default=None, help="the policy whose rules use the models (default: bundled)")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument(
        "--sets",
        help="only the sets whose name holds one of these texts ('germeval,offendes'); only the models trained on one of them are"
        " trained per fold, the others are the shipped files (trained on none of the sets scored)",
    )
    ap.add_argument("--dump", type=Path, help="write each held-out comment's model probabilities and rule hits (JSONL)")
    ap.add_argument("--write-thresholds", type=Path, metavar="POLICY_DIR", help="set the rules' thresholds from the policy's model files, and stop")
    ap.add_argument(
        "--fresh",
        action="store_true",
        help="with --write-thresholds: the chosen values as they are, no hysteresis (after a change to how scores become"
        " probabilities, the old values meant something else)",
    )
    args = ap.parse_args(argv)
    if args.write_thresholds:
        chosen = model_thresholds(args.write_thresholds)
        n = write_thresholds(args.write_thresholds, chosen, keep=not args.fresh)
        for name, th in sorted(chosen.items()):
            print(f"{name}: chosen sure {th['sure']:g}, likely {th['likely']:g}")
        kept = "" if args.fresh else " (a current value the chosen one or one step above it stays)"
        print(f"{n} model matchers changed{kept}")
        return 0
    base = args.policy or bundled_policy_dir()
    plans = lm.read_recipe(args.recipe, args.data_dir)

    started = time.perf_counter()
    cache: dict[tuple[str, str], set[str]] = {}

    def featurized(examples: list[lm.Example], ngrams: int) -> list[set[str]]:
        out = []
        for ex in examples:
            key = (ex.text, ex.format)
            if key not in cache:
                cache[key] = lm.comment_features(ex, lm.MAX_NGRAM)
            out.append({f for f in cache[key] if f.count(" ") < ngrams})
        return out

    wanted = args.sets.split(",") if args.sets else [""]
    eval_sets = [es for es in EVAL_SETS if any(w in es.name for w in wanted)]
    if args.sets:
        scored = {((args.recipe.parent if es.dir == "recipe" else args.data_dir) / es.file).resolve() for es in eval_sets}
        plans = [p for p in plans if any(src.path.resolve() in scored for src in p.sources)]
    training = []
    for plan in plans:
        examples, _, _ = lm.load_plan(plan)
        training.append((plan, examples, featurized(examples, plan.settings.ngrams)))
    evals = []
    for es in eval_sets:
        path = (args.recipe.parent if es.dir == "recipe" else args.data_dir) / es.file
        if path.exists():
            rows, _ = lm.read_examples(path, group=es.group, fmt=es.format, decode=es.decode)
            evals.append((es, rows))
    fold = lm.assign_folds(
        [ex.group for _, examples, _ in training for ex in examples] + [ex.group for _, rows in evals for ex in rows],
        args.folds,
    )
    print(f"features of every comment: {time.perf_counter() - started:.0f} s", flush=True)

    # counts[set][kind] = [caught, target rows, ok flagged, ok rows]
    counts = {es.name: {k: [0, 0, 0, 0] for k in KINDS} for es, _ in evals}
    dump = args.dump.open("w", encoding="utf-8") if args.dump else None
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(args.folds):
            root = Path(tmp) / f"fold{k}"
            shutil.copytree(base, root)
            (root / "models").mkdir(exist_ok=True)
            chosen = {}
            for plan, examples, feats in training:
                keep = [i for i, ex in enumerate(examples) if fold[ex.group] != k]
                data, _ = lm.train(
                    [examples[i] for i in keep], plan.category, plan.name, plan.settings, featurized=[feats[i] for i in keep]
                )
                (root / "models" / f"{plan.name}.json").write_text(dump_model(data), encoding="utf-8")
                chosen[plan.name] = data["training"]["thresholds"]
            write_thresholds(root, chosen, keep=False)  # no hysteresis: the shipped values saw every fold
            print(f"fold {k + 1} thresholds: " + ", ".join(f"{n} {th['likely']:g}/{th['sure']:g}" for n, th in chosen.items()), flush=True)
            policy = load_policy(root)
            rule_model = {r.id: r.model for r in policy.rules}
            for es, rows in evals:
                for ex in rows:
                    if fold[ex.group] != k:
                        continue
                    is_target = ex.label != "ok" if es.target == "violation" else ex.label == es.target
                    for kind, flagged in zip(KINDS, _verdicts(policy, rule_model, ex, dump, es.name)):
                        c = counts[es.name][kind]
                        if is_target:
                            c[0] += flagged
                            c[1] += 1
                        elif ex.label == "ok":
                            c[2] += flagged
                            c[3] += 1
            print(f"fold {k + 1}/{args.folds} done: {time.perf_counter() - started:.0f} s", flush=True)

    if dump is not None:
        dump.close()
    print(f"\n{args.folds}-fold cross-validation, models trained by {args.recipe.name} on the other folds only")
    print(f"{'set':<36}{'goal':>14}" + "".join(f"{k:>16}" for k in KINDS))
    met_all = True
    for es, _ in evals:
        cells = []
        for kind in KINDS:
            caught, n, okf, n_ok = counts[es.name][kind]
            cells.append(f"{caught / max(n, 1):.3f} / {okf / max(n_ok, 1):.3f}")
        goal = f"{es.goal[0]:.2f} / {es.goal[1]:.2f}" if es.goal else "report"
        if es.goal:
            caught, n, okf, n_ok = counts[es.name]["both"]
            met = caught / max(n, 1) >= es.goal[0] and okf / max(n_ok, 1) <= es.goal[1]
            met_all = met_all and met
            goal += " " + ("MET" if met else "no")
        print(f"{es.name:<36}{goal:>14}" + "".join(f"{c:>16}" for c in cells))
    print("(each cell: target caught / ok flagged)")
    return 0 if met_all else 1


if __name__ == "__main__":
    sys.exit(main())
