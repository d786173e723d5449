"""`civility learn`: labeled comments and moderators' feedback -> a model file, byte for byte the same on
every run, calibrated, and loadable by the engine."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

pytest.importorskip("sklearn")

from engine import Comment, decide, load_policy  # noqa: E402
from engine import learn as lm  # noqa: E402
from engine.cli import main  # noqa: E402
from engine.errors import ErrorCollector  # noqa: E402
from engine.textmodel import dump_model, load_model  # noqa: E402

FIXTURE = Path(__file__).parent / "fixtures" / "learn_small.jsonl"
MODEL_POLICY = Path(__file__).parent / "policies" / "model"


def learn(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["learn", *args])
    return result.exit_code, result.output


def test_same_inputs_give_identical_bytes(tmp_path: Path):
    a, b = tmp_path / "a" / "insult.json", tmp_path / "b" / "insult.json"
    for out in (a, b):
        code, output = learn(str(FIXTURE), "--category", "name_calling", "--name", "insult", "--out", str(out))
        assert code == 0, output
    assert a.read_bytes() == b.read_bytes()
    errors = ErrorCollector()
    model = load_model(a, errors)
    assert not errors.errors and model is not None
    data = json.loads(a.read_text())
    (source,) = data["training"]["sets"]
    assert source["file"] == "learn_small.jsonl" and len(source["sha256"]) == 64
    assert source["rows"] == 80 and source["positive"] == 40  # profanity and spam rows are left out
    assert all(1 <= len(f.split(" ")) <= 2 for f in data["weights"])


def test_report_prints_precision_recall_and_calibration(tmp_path: Path):
    code, output = learn(str(FIXTURE), "--category", "name_calling", "--out", str(tmp_path / "m.json"))
    assert code == 0
    assert "name_calling: 40 positive, 40 ok (cross-validated, out-of-fold)" in output
    assert "precision" in output and "recall" in output and "ok flagged" in output
    assert "calibration: predicted band -> observed share positive" in output


def test_a_learned_model_works_in_a_policy(tmp_path: Path):
    root = tmp_path / "p"
    shutil.copytree(MODEL_POLICY, root)
    code, _ = learn(str(FIXTURE), "--category", "name_calling", "--name", "insult", "--out", str(root / "models" / "insult.json"))
    assert code == 0
    policy = load_policy(root)
    d = decide(policy, Comment(text="Honestly, you are a total halfwit."))
    assert "name_calling.model_sure" in [h.rule for h in d.hits]
    hit = next(h for h in d.hits if h.rule == "name_calling.model_sure")
    assert hit.probability >= 0.9 and hit.match
    assert not decide(policy, Comment(text="I think the library plan is a reasonable compromise.")).hits


def test_calibration_is_isotonic_and_pinned():
    import numpy as np

    scores = np.array([-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0, 4.0])
    labels = np.array([0, 0, 1, 0, 1, 0, 1, 1])
    knots = lm._calibration(scores, labels, np.ones(8), max_knots=40)
    # pooled adjacent violators: {-3, -2} -> 0, {-1, 0, 1, 2} -> 0.5, {3, 4} -> 1; each block one knot at
    # its mean score (centered isotonic regression)
    assert knots == [(-2.5, 0.0), (0.5, 0.5), (3.5, 1.0)]
    # too many blocks: the two neighbours of least weight together are pooled (the first pair on a tie)
    assert lm._calibration(scores, labels, np.ones(8), max_knots=2) == [(-0.5, 0.3333), (3.5, 1.0)]
    # rows weigh as they are weighted: the ok row at 0 counted 3 times splits the middle block, and pulls
    # its lower part's knot towards itself
    heavier = np.array([1.0, 1.0, 1.0, 3.0, 1.0, 1.0, 1.0, 1.0])
    assert lm._calibration(scores, labels, heavier, max_knots=40) == [(-2.5, 0.0), (-0.25, 0.25), (1.5, 0.5), (3.5, 1.0)]


def test_calibration_on_the_fixture_matches_observed_rates(tmp_path: Path):
    examples, _ = lm.read_examples(FIXTURE)
    data, report = lm.train(examples, "name_calling", "insult", lm.Settings(min_count=1, folds=4))
    xs = [x for x, _ in data["calibration"]]
    ps = [p for _, p in data["calibration"]]
    assert xs == sorted(set(xs)) and ps == sorted(ps) and 0.0 <= ps[0] and ps[-1] <= 1.0
    total = sum(n for _, _, n, _, _ in report.calibration)
    assert total == 80
    # fitted on these very out-of-fold scores; read between the blocks' centers, a band of a few rows
    # between the two classes may sit off, the bands that hold the rows may not
    for _, _, n, predicted, observed in report.calibration:
        if n >= 10:
            assert abs(predicted - observed) <= 0.05
    mean = sum(n * predicted for _, _, n, predicted, _ in report.calibration) / total
    assert abs(mean - 0.5) <= 0.05  # 40 of the 80 are positive


def test_feedback_is_merged_with_its_weight(tmp_path: Path):
    feedback = tmp_path / "feedback.jsonl"
    feedback.write_text(
        "".join(json.dumps({"text": f"Go away, you gronk number {i}.", "label": "name_calling"}) + "\n" for i in range(3))
    )
    without, with_fb = tmp_path / "a.json", tmp_path / "b.json"
    learn(str(FIXTURE), "--category", "name_calling", "--min-count", "1", "--out", str(without))
    code, _ = learn(
        str(FIXTURE), "--category", "name_calling", "--min-count", "1", "--feedback", str(feedback),
        "--feedback-weight", "5", "--out", str(with_fb),
    )
    assert code == 0
    a, b = json.loads(without.read_text()), json.loads(with_fb.read_text())
    assert "gronk" not in a["weights"] and b["weights"]["gronk"] > 0
    fb = b["training"]["sets"][-1]
    assert fb["feedback"] is True and fb["weight"] == 5.0 and fb["positive"] == 3


def test_label_map_and_wildcard(tmp_path: Path):
    rows, _ = lm.read_examples(FIXTURE, label_map={"profanity": "ok", "*": "skip"})
    labels = {r.label for r in rows}
    assert labels == {"ok", "skip"}
    assert next(r for r in rows if "weather" in r.text).label == "ok"


@pytest.mark.parametrize(
    ("published", "text"),
    [
        ('"You\\xa0idiot\\n"', "You\u00a0idiot\n"),
        ('"it\\u2019s a joke"', "it\u2019s a joke"),
        ('"doubly\\\\nescaped"', "doubly\nescaped"),
        ('"caf\\xc3\\xa9 owner"', "caf\u00e9 owner"),
        ("plain text", "plain text"),
    ],
)
def test_kaggle_texts_are_unwrapped_and_unescaped(published, text):
    assert lm.unescape_kaggle(published) == text


def test_usage_errors():
    code, output = learn(str(FIXTURE))
    assert code == 2 and "--category" in output
    code, output = learn(str(FIXTURE), "--category", "threat", "--out", "/dev/null")
    assert code == 1 and "need comments labelled both 'threat' and 'ok'" in output


def test_recipe(tmp_path: Path):
    recipe = tmp_path / "models.yaml"
    recipe.write_text(
        "models:\n  - name: insult\n    category: name_calling\n    map: {profanity: ok}\n"
        "    settings: {min_count: 1, folds: 4}\n"
        f"    sets:\n      - {{file: {FIXTURE.name}, license: written for the tests}}\n"
    )
    code, output = learn("--recipe", str(recipe), "--data-dir", str(FIXTURE.parent), "--out-dir", str(tmp_path / "m"))
    assert code == 0, output
    data = json.loads((tmp_path / "m" / "insult.json").read_text())
    assert data["training"]["sets"][0]["license"] == "written for the tests"
    assert data["training"]["sets"][0]["rows"] == 81  # profanity read as ok
    recipe.write_text("models:\n  - name: insult\n    category: name_calling\n    settings: {depth: 3}\n")
    code, output = learn("--recipe", str(recipe))
    assert code == 2 and "unknown setting 'depth'" in output


def test_thresholds_are_chosen_on_out_of_fold_scores_of_ok_rows():
    import numpy as np

    # the calibration is the identity on [0, 1]: a score is its probability
    knots = [(0.0, 0.0), (1.0, 1.0)]
    ok = [0.01 * i for i in range(100)]  # 100 ok rows from 0.00 to 0.99
    scores = np.array(ok + [0.995] * 10)
    labels = np.array([0] * 100 + [1] * 10)
    settings = lm.Settings(sure_ok_flagged=0.05, likely_ok_flagged=0.2)
    # at 0.95 five ok rows reach `sure` (0.95 .. 0.99), at 0.80 twenty reach `likely`
    assert lm.choose_thresholds(scores, labels, knots, settings) == {"sure": 0.95, "likely": 0.8}
    # a budget no grid value meets gives the highest; a band never reaches its own upper end
    strict = lm.Settings(sure_ok_flagged=0.01, likely_ok_flagged=0.2)
    assert lm.choose_thresholds(scores, labels, knots, strict) == {"sure": 0.95, "likely": 0.8}
    loose = lm.Settings(sure_ok_flagged=0.75, likely_ok_flagged=0.9)
    assert lm.choose_thresholds(scores, labels, knots, loose) == {"sure": 0.3, "likely": 0.25}


def test_shipped_rules_use_the_thresholds_their_models_chose():
    """The default policy's model matchers carry what `civility learn` chose on all the training rows, or
    one step of the grid above it, kept from before a retrain (`python bench/model_cv.py --write-thresholds
    policies` writes them): never a value below the chosen one, which would flag more ok rows than the
    model's budget."""
    import re

    policy_dir = Path(__file__).resolve().parent.parent / "policies"
    chosen = {
        p.stem: json.loads(p.read_text(encoding="utf-8"))["training"]["thresholds"]
        for p in sorted((policy_dir / "models").glob("*.json"))
    }
    matcher = re.compile(r"\{model: (\w+), above: ([0-9.]+)(?:, below: ([0-9.]+))?\}")

    def near(value: float, best: float) -> bool:
        return best - 1e-9 <= value <= best + 0.05 + 1e-9

    seen = 0
    for path in sorted(policy_dir.glob("*.yaml")):
        for name, above, below in matcher.findall(path.read_text(encoding="utf-8")):
            th = chosen[name]
            if below:
                assert near(float(below), th["sure"]) and float(above) < float(below), (path.name, name)
                assert near(float(above), th["likely"]) or float(above) == round(float(below) - 0.05, 2), (path.name, name)
            else:
                assert near(float(above), th["sure"]), (path.name, name)
            seen += 1
    assert seen >= 10


def _model_cv():
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "bench" / "model_cv.py"
    spec = importlib.util.spec_from_file_location("model_cv", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_writing_thresholds_keeps_a_value_one_step_above_the_chosen_one(tmp_path: Path):
    """Hysteresis: a retrain that moves the chosen threshold by one step of the grid in either direction
    does not churn the rules, unless the current value would break the budget (below the chosen one)."""
    model_cv = _model_cv()
    rules = tmp_path / "x.yaml"
    rules.write_text(
        "a: {model: m, above: 0.75}\nb: {model: m, above: 0.5, below: 0.75}\nc: {model: n, above: 0.6}\n", encoding="utf-8"
    )
    cases = tmp_path / "x.cases.yaml"
    cases.write_text("a: {model: m, above: 0.75}\n", encoding="utf-8")
    # sure 0.7 (0.75 is one step above: stays), likely 0.55 (0.5 is below it: moves); n: 0.4 is two steps under 0.6
    assert model_cv.write_thresholds(tmp_path, {"m": {"sure": 0.7, "likely": 0.55}, "n": {"sure": 0.4, "likely": 0.3}}) == 2
    assert rules.read_text(encoding="utf-8") == (
        "a: {model: m, above: 0.75}\nb: {model: m, above: 0.55, below: 0.75}\nc: {model: n, above: 0.4}\n"
    )
    assert cases.read_text(encoding="utf-8") == "a: {model: m, above: 0.75}\n"  # cases are never rewritten
    # a value below the chosen one moves up; without hysteresis (cross-validation folds) every value moves
    assert model_cv.write_thresholds(tmp_path, {"m": {"sure": 0.85, "likely": 0.5}}) == 2
    assert "a: {model: m, above: 0.85}" in rules.read_text(encoding="utf-8")
    assert "b: {model: m, above: 0.55, below: 0.85}" in rules.read_text(encoding="utf-8")
    model_cv.write_thresholds(tmp_path, {"m": {"sure": 0.8, "likely": 0.5}}, keep=False)
    assert rules.read_text(encoding="utf-8").startswith("a: {model: m, above: 0.8}\nb: {model: m, above: 0.5, below: 0.8}")


def test_folds_balance_rows_and_keep_groups_whole():
    # three videos of 400-450 comments and 2,000 single comments, as bench/model_cv.py sees them
    rows = ["video:a"] * 450 + ["video:b"] * 420 + ["video:c"] * 400 + [f"tweet:{i}" for i in range(2000)]
    fold = lm.assign_folds(rows, 5)
    assert len({fold["video:a"], fold["video:b"], fold["video:c"]}) == 3
    per_fold = [sum(fold[g] == k for g in rows) for k in range(5)]
    assert max(per_fold) - min(per_fold) <= 1
    assert lm.assign_folds(reversed(rows), 5) == fold  # the order rows arrive in changes nothing
    # single rows only: dealt out in turn, in the order of their hash
    singles = lm.assign_folds([f"tweet:{i}" for i in range(10)], 5)
    assert sorted(list(singles.values())) == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]


def test_character_features_are_learned_and_reproducible(tmp_path: Path):
    examples, _ = lm.read_examples(FIXTURE)
    words = lm.Settings(min_count=1, folds=4)
    chars = lm.Settings(min_count=1, folds=4, chars=(3, 5), char_scale=0.5, neutral=("gay",))
    plain, _ = lm.train(examples, "name_calling", "insult", words)
    data, _ = lm.train(examples, "name_calling", "insult", chars)
    again, _ = lm.train(examples, "name_calling", "insult", chars)
    assert dump_model(data) == dump_model(again)
    assert data["features"] == {"ngrams": 2, "chars": [3, 5]} and data["training"]["settings"]["char_scale"] == 0.5
    assert data["char_weights"]["<idi"] > 0 and all(2 <= len(g) <= 5 for g in data["char_weights"])
    assert not any(g in "<gay>" for g in data["char_weights"])  # a neutral word weighs nothing by its parts
    path = tmp_path / "insult.json"
    path.write_text(dump_model(data))
    errors = ErrorCollector()
    model = load_model(path, errors)
    assert not errors.errors and model is not None and model.chars == (3, 5)
    # a form never seen in training shares the weight of the words it holds
    assert model.word_weight("idiotic") > 0 and "idiotic" not in plain["weights"]


def test_recipe_turns_character_features_on_per_model(tmp_path: Path):
    recipe = tmp_path / "models.yaml"
    recipe.write_text(
        "models:\n  - name: insult\n    category: name_calling\n"
        "    settings: {min_count: 1, folds: 4, chars: [3, 5], char_scale: 0.3}\n"
        f"    sets:\n      - {{file: {FIXTURE.name}}}\n"
    )
    (plan,) = lm.read_recipe(recipe, FIXTURE.parent)
    assert plan.settings.chars == (3, 5) and plan.settings.char_scale == 0.3
    for bad in ("chars: 3", "chars: [3]", "chars: [3, five]"):
        recipe.write_text(f"models:\n  - name: insult\n    category: name_calling\n    settings: {{{bad}}}\n")
        with pytest.raises(ValueError, match=r"models\[0\]: .*setting"):
            lm.read_recipe(recipe, FIXTURE.parent)


def test_a_recipe_set_may_sit_beside_the_recipe(tmp_path: Path):
    """`dir: recipe` reads a set from the recipe's own directory (comments written for the project, shipped
    with it), the others from --data-dir; any other `dir` is an error naming the set."""
    (tmp_path / "recipe").mkdir()
    shutil.copy(FIXTURE, tmp_path / "recipe" / "ours.jsonl")
    recipe = tmp_path / "recipe" / "models.yaml"
    recipe.write_text(
        "models:\n  - name: insult\n    category: name_calling\n    sets:\n"
        f"      - {{file: {FIXTURE.name}}}\n      - {{file: ours.jsonl, dir: recipe}}\n"
    )
    (plan,) = lm.read_recipe(recipe, FIXTURE.parent)
    assert [s.path for s in plan.sources] == [FIXTURE.parent / FIXTURE.name, tmp_path / "recipe" / "ours.jsonl"]
    recipe.write_text("models:\n  - name: insult\n    category: name_calling\n    sets:\n      - {file: x.jsonl, dir: home}\n")
    with pytest.raises(ValueError, match=r"models\[0\]\.sets\[0\]: 'dir' must be data"):
        lm.read_recipe(recipe, FIXTURE.parent)


def test_the_team_written_set_is_ok_comments_with_a_license_in_the_recipe():
    """bench/training/team-ok.jsonl: ordinary comments written for the project (compliments addressed to
    the reader, reassurance that a question is fine, family life, everyday talk of money and channels),
    all `ok`, each once; the recipe records its license wherever it is used."""
    rows = [json.loads(line) for line in (ROOT / "bench" / "training" / "team-ok.jsonl").read_text().splitlines()]
    assert len(rows) >= 100 and {r["label"] for r in rows} == {"ok"}
    assert len({r["text"] for r in rows}) == len(rows)
    plans = lm.read_recipe(ROOT / "bench" / "models.yaml", SHARED_DATA)
    team = [s for p in plans for s in p.sources if s.path.name == "team-ok.jsonl"]
    assert team and all("team-written" in s.license for s in team)


def test_the_team_labeled_set_names_the_file_of_each_row_and_the_recipe_holds_each_file_out_whole():
    """bench/training/team-labeled.jsonl: the team's probe sets (tests/fixtures/), each row once, with the file
    it came from as `source`; every model trained on it groups its folds by that field, so that a
    cross-validation scores each probe set by models trained on none of its rows."""
    rows = [json.loads(line) for line in (ROOT / "bench" / "training" / "team-labeled.jsonl").read_text().splitlines()]
    assert len({" ".join(r["text"].split()).casefold() for r in rows}) == len(rows)
    assert all((ROOT / "tests" / "fixtures" / f"{r['source']}.jsonl").exists() for r in rows)
    plans = lm.read_recipe(ROOT / "bench" / "models.yaml", SHARED_DATA)
    team = [s for p in plans for s in p.sources if s.path.name == "team-labeled.jsonl"]
    assert team and all(s.group == "source" and "team-written" in s.license for s in team)


def test_an_l1_penalty_keeps_fewer_features(tmp_path: Path):
    examples, _ = lm.read_examples(FIXTURE)
    l2, _ = lm.train(examples, "name_calling", "insult", lm.Settings(min_count=1, folds=4))
    l1, _ = lm.train(examples, "name_calling", "insult", lm.Settings(min_count=1, folds=4, penalty="l1"))
    again, _ = lm.train(examples, "name_calling", "insult", lm.Settings(min_count=1, folds=4, penalty="l1"))
    assert dump_model(l1) == dump_model(again)
    assert 0 < len(l1["weights"]) < len(l2["weights"]) / 2
    assert l1["training"]["settings"]["solver"] == "liblinear L1 logistic regression"
    assert l2["training"]["settings"]["solver"] == "liblinear L2 logistic regression"
    recipe = tmp_path / "models.yaml"
    recipe.write_text("models:\n  - name: insult\n    category: name_calling\n    settings: {penalty: l1}\n")
    (plan,) = lm.read_recipe(recipe, FIXTURE.parent)
    assert plan.settings.penalty == "l1"
    recipe.write_text("models:\n  - name: insult\n    category: name_calling\n    settings: {penalty: l0}\n")
    with pytest.raises(ValueError, match=r"models\[0\]: setting 'penalty' must be l1 or l2"):
        lm.read_recipe(recipe, FIXTURE.parent)


ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"


def test_shipped_models_are_what_the_recipe_trains(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The documented command reproduces every shipped model file byte for byte (about 40 s of CPU). A change
    to normalization, features or training that moves a model fails here: retrain with that command and
    `python bench/model_cv.py --write-thresholds policies` (docs/models.md, "Reproduce")."""
    if not SHARED_DATA.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{SHARED_DATA} is missing")
        pytest.skip(f"{SHARED_DATA} not present")
    monkeypatch.chdir(ROOT)  # the model files record the command as typed, recipe path included
    code, output = learn("--recipe", "bench/models.yaml", "--data-dir", "../shared/data", "--out-dir", str(tmp_path), "--json")
    assert code == 0, output
    trained = sorted(p.name for p in tmp_path.glob("*.json"))
    shipped = sorted(p.name for p in (ROOT / "policies" / "models").glob("*.json"))
    assert trained == shipped
    differ = [n for n in shipped if (tmp_path / n).read_bytes() != (ROOT / "policies" / "models" / n).read_bytes()]
    assert not differ, (
        f"{', '.join(differ)} no longer reproduced by bench/models.yaml: retrain them with `civility learn --recipe"
        " bench/models.yaml --data-dir ../shared/data --out-dir policies/models`, then `python bench/model_cv.py"
        " --write-thresholds policies` (docs/models.md)"
    )
