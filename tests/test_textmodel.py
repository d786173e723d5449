"""Learned models in a policy: the file round-trips, lint pins every error at its place, the `model`
matcher fires in bands, and its spans are the words that raised the score, exact in the original text."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine import Comment, PolicyError, decide, load_policy
from engine._clock import DeadlineExceeded
from engine.cli import main
from engine.errors import ErrorCollector
from engine.model import Reason, Verdict
from engine.policy import policy_hash
from engine.scan import Scan
from engine.textmodel import ModelGroup, dump_model, features, load_model

MODEL_POLICY = Path(__file__).parent / "policies" / "model"
MODEL_FILE = MODEL_POLICY / "models" / "insult.json"


@pytest.fixture(scope="module")
def policy():
    return load_policy(MODEL_POLICY)


@pytest.fixture(scope="module")
def default_policy():
    return load_policy()


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    root = tmp_path / "p"
    shutil.copytree(MODEL_POLICY, root)
    return root


def errors_of(root: Path) -> list[str]:
    with pytest.raises(PolicyError) as info:
        load_policy(root)
    return str(info.value).splitlines()


def edit_model(root: Path, **changes) -> Path:
    path = root / "models" / "insult.json"
    data = json.loads(path.read_text())
    data.update(changes)
    path.write_text(json.dumps(data, indent=1))
    return path


# ---- the file ---------------------------------------------------------------------------------------


def test_model_file_round_trips():
    text = MODEL_FILE.read_text(encoding="utf-8")
    assert dump_model(json.loads(text)) == text
    errors = ErrorCollector()
    model = load_model(MODEL_FILE, errors)
    assert not errors.errors and model is not None
    assert (model.name, model.category, model.ngrams, model.bias) == ("insult", "name_calling", 2, -3.0)
    assert model.weights["you idiot"] == 1.0 and model.weights["thanks"] == -2.0
    assert model.calibrate(-10) == 0.02 and model.calibrate(10) == 0.98 and model.calibrate(0.0) == 0.5
    assert model.calibrate(1.5) == pytest.approx(0.74)


def test_model_file_is_part_of_the_policy_version(copy: Path):
    before = policy_hash(copy)
    edit_model(copy, bias=-2.5)
    assert policy_hash(copy) != before
    assert load_policy(copy).models["insult"].bias == -2.5


def test_bad_json_has_line_and_column(copy: Path):
    path = copy / "models" / "insult.json"
    path.write_text('{\n "format": "civility-model/1",\n "bias": -3.0,,\n}\n')
    assert errors_of(copy)[0] == f"{path}:3:15: invalid JSON: Expecting property name enclosed in double quotes"


def test_wrong_types_and_values_are_reported_at_their_field(copy: Path):
    path = edit_model(copy, bias="high", features={"ngrams": 2, "letters": 3}, colour="red")
    errs = errors_of(copy)
    # the model's own errors, and a short line at each rule that names it
    assert len(errs) == 6 and sum("model 'insult' did not load: see the errors in models/insult.json" in e for e in errs) == 3
    assert f"{path}:2:2: field 'bias': must be a finite number" in errs
    assert any(e.startswith(f"{path}:") and "field 'features.letters': unknown feature kind 'letters'" in e for e in errs)
    assert any("field 'colour': unknown field" in e for e in errs)


def test_non_finite_weight_is_refused(copy: Path):
    path = copy / "models" / "insult.json"
    path.write_text(path.read_text().replace('"clown": 3.5', '"clown": 1e999'))
    assert f"{path}:11:3: field 'weights.clown': must be a finite number" in errors_of(copy)
    path.write_text(path.read_text().replace('"clown": 1e999', '"clown": NaN'))
    assert errors_of(copy)[0].startswith(f"{path}:1:1: invalid JSON: NaN is not a number")


def test_calibration_must_be_monotonic(copy: Path):
    path = edit_model(copy, calibration=[[-3, 0.1], [0, 0.6], [3, 0.5]])
    (msg, *_) = errors_of(copy)
    assert msg.startswith(f"{path}:3:2: field 'calibration[2]': probabilities must not decrease")
    edit_model(copy, calibration=[[0, 0.1], [0, 0.6]])
    assert "field 'calibration[1]': scores must increase" in errors_of(copy)[0]
    edit_model(copy, calibration=[[0, 0.1], [1, 1.6]])
    assert "field 'calibration[1]': a probability must be between 0 and 1" in errors_of(copy)[0]


def test_features_longer_than_declared_are_refused(copy: Path):
    data = json.loads((copy / "models" / "insult.json").read_text())
    edit_model(copy, weights={**data["weights"], "you are an idiot": 2.0})
    assert any("field 'weights.you are an idiot': has 4 words, more than 'features.ngrams' (2)" in e for e in errors_of(copy))
    edit_model(copy, features={"ngrams": 4})
    assert any("field 'features.ngrams': must be a whole number from 1 to 3" in e for e in errors_of(copy))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"features": {"ngrams": 2, "chars": [1, 5]}},
         "field 'features.chars': must be [shortest, longest]: whole numbers with 2 <= shortest <= longest <= 6"),
        ({"features": {"ngrams": 2, "chars": 4}}, "field 'features.chars': must be [shortest, longest]"),
        ({"char_weights": {"<idi": 1.0}},
         "field 'char_weights': needs 'features.chars' (the lengths of the runs of characters weighed)"),
        ({"features": {"ngrams": 2, "chars": [3, 5]}, "char_weights": {"<idiot>": 1.0}},
         "field 'char_weights.<idiot>': has 7 characters, not 3 to 5 ('features.chars')"),
        ({"features": {"ngrams": 2, "chars": [3, 5]}, "char_weights": {"t i": 1.0}},
         "field 'char_weights.t i': a run of characters inside one word: no space, '<' only first and '>' only last"),
        ({"features": {"ngrams": 2, "chars": [3, 5]}, "char_weights": {"a<b": 1.0}},
         "field 'char_weights.a<b': a run of characters inside one word"),
        ({"features": {"ngrams": 2, "chars": [3, 5]}, "char_weights": {"<idi": "high"}},
         "field 'char_weights.<idi': must be a finite number"),
        ({"features": {"ngrams": 2, "chars": [3, 5]}, "char_weights": ["<idi"]},
         "field 'char_weights': must be an object mapping runs of characters"),
    ],
)
def test_character_features_are_checked_field_by_field(copy: Path, changes, message):
    path = edit_model(copy, **changes)
    errs = errors_of(copy)
    mine = [e for e in errs if e.startswith(f"{path}:")]
    assert len(mine) == 1 and message in mine[0], errs
    line, col = (int(x) for x in mine[0][len(str(path)) + 1 :].split(":")[:2])
    key = message.split("'")[1].split(".")[-1]
    assert path.read_text().splitlines()[line - 1][col - 1 :].startswith(f'"{key}"'), (mine[0], key)


def test_name_must_match_the_file(copy: Path):
    path = edit_model(copy, name="other")
    assert any(e.startswith(f"{path}:") and "field 'name': must be the file's name" in e for e in errors_of(copy))


def test_a_pickle_is_not_a_model(copy: Path):
    (copy / "models" / "insult.json").write_bytes(b"\x80\x04\x95\x00\x00cos\nsystem\n")
    assert "invalid JSON" in errors_of(copy)[0] or "cannot read the model file" in errors_of(copy)[0]


# ---- the matcher in rules -----------------------------------------------------------------------------


def test_a_rule_naming_an_unknown_model_is_an_error_at_its_field(copy: Path):
    path = copy / "name_calling.yaml"
    path.write_text(path.read_text().replace("{model: insult, above: 0.9}", "{model: insul, above: 0.9}"))
    assert errors_of(copy) == [
        f"{path}:8:20: rule 'name_calling.model_sure': field 'match.model': no model named 'insul' in models/;"
        " did you mean 'insult'?"
    ]


@pytest.mark.parametrize(
    ("companions", "message"),
    [
        ("", "field 'match': needs 'above' or 'below' (a probability)"),
        (", above: 1.5", "field 'match.above': must be a probability between 0 and 1"),
        (", above: 0.8, below: 0.5", "field 'match.below': must be greater than 'above'"),
        (", above: high", "field 'match.above': must be a number"),
        (", over: 0.5", "field 'match.over': unknown field 'over' beside 'model'"),
    ],
)
def test_companion_errors(copy: Path, companions: str, message: str):
    path = copy / "name_calling.yaml"
    path.write_text(path.read_text().replace("{model: insult, above: 0.9}", "{model: insult" + companions + "}"))
    (msg,) = errors_of(copy)
    assert msg.startswith(f"{path}:") and msg.endswith(message) and "rule 'name_calling.model_sure'" in msg


def fired(policy, text: str) -> list[str]:
    d = decide(policy, Comment(text=text))
    return [h.rule for h in d.hits + d.shadow_hits]


def test_bands_of_one_model_bind_different_rules(policy):
    assert fired(policy, "You idiot.") == ["name_calling.model_sure"]
    assert fired(policy, "You clown.") == ["name_calling.model_likely_at_person"]
    assert fired(policy, "What a clown show.") == ["name_calling.model_unsure"]  # no one addressed
    assert fired(policy, "Thanks, that was a stupid mistake of mine.") == []
    assert fired(policy, "Great point, thanks.") == []


def test_hit_reports_probability_and_the_words_that_raised_it(policy):
    text = "Well you idiot, you clown, great."
    (hit,) = decide(policy, Comment(text=text)).hits
    assert hit.probability == pytest.approx(0.98)  # -3 + 4.5 + 3.5 + 1 + 0.5 - 1.5 = 5: past the last knot
    assert hit.match == "idiot" and text[hit.span[0] : hit.span[1]] == "idiot"
    # idiot (4.5) and clown (3.5); "you idiot" (1.0) weighs less than half the strongest and is not shown
    assert [text[a:b] for a, b in hit.spans] == ["idiot", "clown"]
    assert hit.to_dict()["probability"] == hit.probability


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("you cl0wn, y o u   i d i o t", {"cl0wn", "i d i o t"}),
        ("You ＩＤＩＯＴ", {"ＩＤＩＯＴ"}),
        ("<p>you <b>id</b>iot</p>", {"id</b>iot"}),
    ],
)
def test_model_spans_are_exact_in_the_original_text(policy, text, words):
    fmt = "html" if text.startswith("<") else "text"
    d = decide(policy, Comment(text=text, format=fmt))
    assert d.hits, text
    for hit in d.hits:
        assert text[hit.span[0] : hit.span[1]] == hit.match
        assert words <= {text[a:b] for a, b in (hit.spans or (hit.span,))}


def test_quoted_words_are_not_the_author_s_own(policy):
    scan = Scan(Comment(text='He wrote "you idiot" and I disagree with him.', format="markdown"), None)
    assert "idiot" not in features(scan, 2) and "idiot" in features(scan, 2, quotes_ok=True)


def test_probability_is_computed_once_per_comment(policy):
    model = policy.models["insult"]
    scan = Scan(Comment(text="you clown"), None)
    first = model.probability(scan, False)
    scan.cache[("model", "insult", False)] = 0.123  # a second rule reads the cached value
    assert first == pytest.approx(0.66) and model.probability(scan, False) == 0.123


def test_may_match_reads_a_probability_already_worked_out_and_never_scores(policy):
    from engine.textmodel import ModelMatcher

    model = policy.models["insult"]
    likely = ModelMatcher(model, 0.5, 0.9)
    scan = Scan(Comment(text="you clown"), None)
    assert likely.may_match(scan) and not scan.cache  # not scored yet: it may match, and is not scored here
    model.probability(scan, False)  # no quotes: both readings are known now
    assert likely.may_match(scan) and likely.find(scan, False)
    assert not ModelMatcher(model, 0.9, None).may_match(scan) and not ModelMatcher(model, 0.9, None).find(scan, True)
    quoted = Scan(Comment(text='He said "you clown" to me.', format="markdown"), None)
    model.probability(quoted, False)  # only the reading without quotes is known: it may still match with them
    assert ModelMatcher(model, 0.9, None).may_match(quoted)


def test_check_shows_probability_and_words():
    result = CliRunner().invoke(main, ["check", "--policy", str(MODEL_POLICY), "You idiot, you clown"])
    assert result.exit_code == 1 or result.exit_code == 0
    assert "name_calling.model_sure" in result.output
    assert "probability 0.98" in result.output and "\u201cidiot\u201d" in result.output
    assert "\u201cclown\u201d" in result.output


@pytest.mark.parametrize(
    "text",
    ["You idiot, you clown.", 'He wrote "you idiot" and I disagree, clown.', "y o u  c l o w n", "I d10t!"],
)
@pytest.mark.parametrize("quotes_ok", [False, True])
def test_fast_score_equals_the_sum_over_features(policy, text, quotes_ok):
    model = policy.models["insult"]
    scan = Scan(Comment(text=text), None)
    expected = model.calibrate(model.raw_score(features(scan, 2, quotes_ok)))
    assert model.probability(scan, quotes_ok) == pytest.approx(expected)


def test_models_are_scored_together_by_the_languages_of_their_rules():
    default = load_policy()
    groups = {name: {m.name for m in model.group.models} for name, model in default.models.items()}
    english = {"insult", "spam", "ad_hominem", "tone", "threat"}
    assert groups["insult"] == groups["spam"] == groups["ad_hominem"] == groups["tone"] == groups["threat"] == english
    assert groups["insult_de"] == {"insult_de"} and groups["insult_es"] == {"insult_es"}


@pytest.mark.parametrize(
    "text", ["You are a clown, buy followers at my channel", 'He said "you idiot"', "Du bist ein Idiot", ""]
)
def test_a_group_scores_each_model_as_it_alone_would(text):
    default = load_policy()
    together = Scan(Comment(text=text), None)
    for model in default.models.values():
        alone = Scan(Comment(text=text), None)
        ModelGroup((model,)).score(alone, False)
        expected = model.calibrate(model.raw_score(features(alone, model.ngrams)))
        assert model.probability(together, False) == pytest.approx(alone.cache[("model", model.name, False)])
        assert alone.cache[("model", model.name, False)] == pytest.approx(expected)


# ---- runs of characters inside words ------------------------------------------------------------------


@pytest.fixture
def char_policy(copy: Path):
    """The test model, with runs of 3 to 5 characters: words holding "idiot" or ending in "ic" weigh."""
    edit_model(
        copy, features={"ngrams": 2, "chars": [3, 5]}, char_weights={"idiot": 2.0, "<idi": 1.0, "ic>": 0.5, "<thx": -1.0}
    )
    return load_policy(copy)


def test_character_features_share_weight_between_forms_of_a_word(char_policy):
    model = char_policy.models["insult"]
    assert model.chars == (3, 5) and model.word_weight("idiotic") == 2.0 + 1.0 + 0.5
    assert model.word_weight("idiot") == 4.5 + 2.0 + 1.0  # the word's own weight and its runs'
    assert model.word_weight("weather") == 0.0
    assert fired(char_policy, "You idiotic fool.") == ["name_calling.model_likely_at_person"]  # -3 + 0.5 + 3.5
    assert fired(char_policy, "What an idiotic, idiotic idea, you vollidiot.") == ["name_calling.model_sure"]
    assert fired(char_policy, "Thx, a great idea.") == []


def test_a_character_feature_s_span_is_its_whole_word_in_the_original_text(char_policy):
    for text, words in [
        ("You are one idiotic vollidiot", ["idiotic", "vollidiot"]),
        ("you are so i d i o t i c, vollidi0t", ["i d i o t i c", "vollidi0t"]),
        ("<p>you <b>idio</b>tic vollidiot</p>", ["idio</b>tic", "vollidiot"]),
    ]:
        d = decide(char_policy, Comment(text=text, format="html" if text.startswith("<") else "text"))
        (hit,) = d.hits
        assert hit.rule == "name_calling.model_sure" and text[hit.span[0] : hit.span[1]] == hit.match
        assert [text[a:b] for a, b in hit.spans] == words


@pytest.mark.parametrize("text", ["You idiotic clown, thx", 'He wrote "you idiotic fool" and I disagree', ""])
@pytest.mark.parametrize("quotes_ok", [False, True])
def test_a_group_with_character_features_scores_as_the_sum_over_features(char_policy, text, quotes_ok):
    model = char_policy.models["insult"]
    expected = model.calibrate(model.raw_score(features(Scan(Comment(text=text), None), 2, quotes_ok)))
    fresh = ModelGroup((model,))
    for _ in range(2):  # words met for the first time, then from the group's table of words
        scan = Scan(Comment(text=text), None)
        fresh.score(scan, quotes_ok)
        assert scan.cache[("model", "insult", quotes_ok)] == expected


def test_the_table_of_words_is_bounded_and_changes_no_score(char_policy, monkeypatch):
    import engine.textmodel as tm

    model = char_policy.models["insult"]
    texts = ["you idiotic clown", "an idiotic idea", "thx, you vollidiot", "great point"]
    expected = []
    for text in texts:
        scan = Scan(Comment(text=text), None)
        ModelGroup((model,)).score(scan, False)
        expected.append(scan.cache[("model", "insult", False)])
    monkeypatch.setattr(tm, "WORD_CACHE", 2)
    group = ModelGroup((model,))
    for text, p in zip(texts * 2, expected * 2):
        scan = Scan(Comment(text=text), None)
        group.score(scan, False)
        assert scan.cache[("model", "insult", False)] == p
    assert len(group._words) == 2


def test_character_features_round_trip(char_policy, copy: Path):
    path = copy / "models" / "insult.json"
    data = json.loads(path.read_text())
    text = dump_model(data)
    assert dump_model(json.loads(text)) == text and '"char_weights": {\n  "<idi": 1.0,\n' in text


# ---- the fast paths give what the plain definitions give ----------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        'He said "you are an idiot" and @user agreed, sooo stupid!!! f*ck th1s',
        "«y0u m0ron» — she wrote, then #idiots and $$$ and don't",
        'A "quote" in the middle: noooo, wayyy, 2020, wow!, "another one" at the end',
    ],
)
def test_word_starts_without_tokens_are_the_tokens_starts(text):
    from engine.textmodel import _word_starts

    fast = Scan(Comment(text=text), None)
    assert fast.prepared.quotes and _word_starts(fast) == [tok.start for tok in Scan(Comment(text=text), None).tokens]


@pytest.mark.parametrize(
    "text",
    ['He wrote "you idiot, buy followers at my channel" and I disagree', "«you stupid moron» subscribe now", "no quotes, you clown"],
)
@pytest.mark.parametrize("quotes_ok", [False, True])
def test_every_model_scores_quoted_comments_as_the_sum_over_features(text, quotes_ok):
    default = load_policy()
    scan = Scan(Comment(text=text), None)
    for model in default.models.values():
        expected = model.calibrate(model.raw_score(features(Scan(Comment(text=text), None), model.ngrams, quotes_ok)))
        assert model.probability(scan, quotes_ok) == expected, model.name


def test_contributions_place_each_feature_at_its_first_occurrence(policy):
    model = policy.models["insult"]
    text = 'you clown, "you idiot" said he, you idiot, you clown'
    scan = Scan(Comment(text=text, format="markdown"), None)
    words = scan.words.texts
    # quoted words left out: "idiot" first stands at its second place, "you idiot" too
    got = model.contributions(scan, False)
    assert got == [(4.5, 7, 8), (3.5, 1, 2), (1.0, 6, 8), (0.5, 0, 1)], (words, got)
    assert model.contributions(scan, True)[0] == (4.5, 3, 4)
    assert model.contributions(scan, False, hidden=frozenset({"you"})) == [(4.5, 7, 8), (3.5, 1, 2), (1.0, 6, 8)]


# ---- the time budget in the model's loops -------------------------------------------------------------


class _StoppedClock:
    """A clock for `engine._clock` and `engine.scan`: time stands still at 0 until `run_out()`; after it,
    every look at the clock is past any deadline. No wall-clock time is measured."""

    def __init__(self) -> None:
        self.now = 0.0
        self.looks = 0

    def monotonic(self) -> float:
        self.looks += 1
        return self.now

    def run_out(self) -> None:
        self.now, self.looks = 10.0, 0


@pytest.fixture
def clock(monkeypatch) -> _StoppedClock:
    import engine._clock

    fake = _StoppedClock()
    monkeypatch.setattr(engine._clock, "time", fake)  # the scan's looks at the clock are `_clock`'s
    return fake


def _distinct_words(n: int, prefix: str) -> str:
    """`n` words never met before (each one a new key for the models' per-word loops), an insult among them."""
    return " ".join(f"{prefix}{i:x}" if i % 50 else "idiot" for i in range(n))


def _read(scan: Scan) -> Scan:
    """Everything the scan reads before the models, within the budget."""
    assert scan.words.texts and scan.word_set
    return scan


@pytest.mark.parametrize("fixture", ["policy", "char_policy"])
def test_model_scoring_of_many_distinct_words_stops_at_the_deadline(fixture, request, clock):
    """Word look-ups in C (`map`) and new words' runs of characters alike: 20,000 distinct words and
    pairs stop at the first look at the clock after the budget."""
    model = request.getfixturevalue(fixture).models["insult"]
    scan = _read(Scan(Comment(text=_distinct_words(20_000, "zq")), 1.0))
    clock.run_out()
    with pytest.raises(TimeoutError):
        model.probability(scan, False)
    assert clock.looks == 1
    assert ("model", "insult", False) not in scan.cache


@pytest.mark.parametrize("fixture", ["policy", "char_policy"])
def test_placing_the_words_of_a_firing_model_stops_at_the_deadline(fixture, request, clock):
    model = request.getfixturevalue(fixture).models["insult"]
    scan = _read(Scan(Comment(text=_distinct_words(20_000, "zr")), 1.0))
    assert model.probability(scan, False) > 0.5  # scored within the budget
    clock.run_out()
    with pytest.raises(DeadlineExceeded):
        model.contributions(scan, False)


def test_word_starts_of_many_words_stop_at_the_deadline(clock):
    from engine.textmodel import _word_starts

    scan = _read(Scan(Comment(text='"you idiot" ' + _distinct_words(20_000, "zs")), 1.0))
    assert scan.prepared.quotes and len(scan.prepared._words) == 3  # the path that reads without tokens
    clock.run_out()
    with pytest.raises(TimeoutError):
        _word_starts(scan)


_COMMON = "you are the and of to is that it for not this with but have what so just".split()


@pytest.mark.parametrize(
    "text",
    [
        " ".join(f"{_COMMON[i % 18]} zt{i:x}" for i in range(8_000)),  # English, 8,000 distinct words
        " ".join(f"{_COMMON[i % 18]} {_COMMON[i // 18 % 18]} w{i % 997}" for i in range(8_000)),  # pairs
    ],
    ids=["distinct words", "distinct pairs"],
)
def test_a_decision_on_many_distinct_words_fails_closed_when_the_budget_runs_out_in_the_model(text, monkeypatch):
    """The clock runs out at the first look taken inside the models' code: the decision is then the
    budget's (flag, timeout), which it cannot be if the models' loops over the words never look."""
    import sys

    import engine._clock
    import engine.textmodel

    looks_in_model = []

    class ModelClock:
        def monotonic(self) -> float:
            frame = sys._getframe(1)
            while frame is not None:
                if frame.f_code.co_filename == engine.textmodel.__file__:
                    looks_in_model.append(frame.f_code.co_name)
                    return 10.0
                frame = frame.f_back
            return 0.0

    monkeypatch.setattr(engine._clock, "time", ModelClock())
    d = decide(load_policy(), Comment(text=text), deadline=1.0)
    assert d.decision is Verdict.FLAG and d.reasons == (Reason.TIMEOUT,), d
    # the first look in the models' loops stops the decision
    assert len(looks_in_model) == 1


@pytest.mark.parametrize(
    "text",
    [
        "Honestly you're a genius",  # a compliment: "genius" is sarcastic in much of the insult data
        "Nobody here thinks you're an idiot for asking",  # reassurance, not an attack
        "My kids will murder me if I throw out their drawings",  # family life, not promotion
    ],
)
def test_no_model_rule_fires_on_ordinary_comments_the_models_once_flagged(default_policy, text):
    """False flags of the shipped models fixed by training data (bench/training/team-ok.jsonl holds comments
    of the same kinds, not these texts), not by rules."""
    hits = [h.rule for h in decide(default_policy, Comment(text=text)).hits]
    assert not [r for r in hits if "model" in r], hits


def test_packed_weights_sum_as_fsum_to_the_last_bit():
    import random

    from engine.textmodel import Packed

    rng = random.Random(5)
    rows = [
        tuple(rng.choice((0.0, -0.0, rng.uniform(-9, 9), rng.gauss(0, 1e-9), 2.0**-60, -3e-17)) for _ in range(5))
        for _ in range(3000)
    ]
    packed = Packed(rows, 5)
    entries = [packed.pack(row) for row in rows]
    assert all(packed.weight(e, i) == row[i] for e, row in zip(entries, rows) for i in range(5))
    for _ in range(200):
        picked = rng.sample(range(len(rows)), rng.randint(0, 300))
        sums = packed.sums([entries[k] for k in picked])
        assert sums == [math.fsum(rows[k][i] for k in picked) for i in range(5)]


@pytest.mark.parametrize(
    "text",
    [
        'He said "you clown, buy followers" and I disagree, idiot.',
        "\u201cYou idiot\u201d was all he wrote: a threat?",
        '"Sie sind ein Idiot", schrieb er, du Depp.',
        'So "you are an idiot" is an argument now? "Clown" too?',
    ],
)
@pytest.mark.parametrize("first", [False, True])
def test_a_second_reading_of_a_quoted_comment_equals_it_scored_first(text, first):
    default = load_policy()
    for model in default.models.values():
        group = model.group
        alone = {}
        for quotes_ok in (False, True):
            scan = Scan(Comment(text=text, format="markdown"), None)
            group.score(scan, quotes_ok)
            alone[quotes_ok] = scan.cache[("model", model.name, quotes_ok)]
        scan = Scan(Comment(text=text, format="markdown"), None)
        group.score(scan, first)
        group.score(scan, not first)  # from the first reading's sums: only the features that differ looked up
        assert scan.prepared.quotes and group.reading(scan, first) is not None
        assert scan.cache[("model", model.name, first)] == alone[first]
        assert scan.cache[("model", model.name, not first)] == alone[not first]


@pytest.mark.parametrize("first", [False, True])
def test_a_second_reading_of_a_group_of_models_weighing_runs_of_characters_equals_it_scored_first(first):
    from engine.textmodel import TextModel

    def made(name: str, weights: dict[str, float], runs: dict[str, float]) -> TextModel:
        return TextModel(name, "x", "", 2, 0.0, weights, (-5.0, 5.0), (0.0, 1.0), chars=(3, 4), char_weights=runs)

    models = [
        made("a", {"clown": 1.25, "you clown": 0.5, "buy": -0.3}, {"<clo": 0.75, "own>": 0.1, "idi": 2.0}),
        made("b", {"idiot": 0.9, "he said": -0.2}, {"iot>": 1.5, "<buy": 0.4}),
    ]
    text = 'He said "you clown, buy followers" and I disagree, idiot.'
    group = ModelGroup(models)
    alone = {}
    for quotes_ok in (False, True):
        scan = Scan(Comment(text=text), None)
        group.score(scan, quotes_ok)
        alone[quotes_ok] = [scan.cache[("model", m.name, quotes_ok)] for m in models]
    assert alone[False] != alone[True]  # the quote weighs
    scan = Scan(Comment(text=text), None)
    group.score(scan, first)
    group.score(scan, not first)
    assert group.reading(scan, not first) is None  # taken from the first reading, not looked up again
    for quotes_ok in (False, True):
        assert [scan.cache[("model", m.name, quotes_ok)] for m in models] == alone[quotes_ok]


@pytest.mark.parametrize(
    "text",
    [
        'He wrote "y0u are an 1d10t" and left, you n00b.',  # words read otherwise, one per run: by the runs
        'x"y0u"z and "th1s" 1d10t',  # quote marks glued to words
        "l'h0mme \u00ab t'es un 1d10t \u00bb, d\u00e9bile",
        "She said \u201cid.iot\u201d twice, st00pid",  # a glued word: read with offsets
    ],
)
def test_the_words_outside_quotes_are_those_whose_place_is_outside(default_policy, text):
    from engine.textmodel import _kept, _word_starts

    scan = Scan(Comment(text=text), None, masks=default_policy.masks)
    quotes = scan.prepared.quotes
    assert quotes
    starts = _word_starts(scan)
    expected = [i for i, at in enumerate(starts) if not any(q0 <= at < q1 for q0, q1 in quotes)]
    assert _kept(scan, False) == expected and len(starts) == len(scan.words.texts)
    assert _kept(scan, True) is None  # with its quotes: every word


@pytest.mark.parametrize("word", ["", "a", "idiot", "vollidiot", "x" * 62, "y" * 63, "z" * 200, "äöü\u0301ß"])
def test_runs_of_characters_cut_by_slices_are_the_runs_of_the_word(word):
    from engine.textmodel import char_grams

    marked = f"<{word}>"
    for shortest, longest in [(2, 2), (3, 5), (2, 6)]:
        expected = {marked[i : i + k] for k in range(shortest, longest + 1) for i in range(len(marked) - k + 1)}
        assert char_grams(word, shortest, longest) == expected


def _made(name: str, weights: dict[str, float]):
    from engine.textmodel import TextModel

    return TextModel(name, "x", "", 2, 0.0, weights, (0.0, 1.0), (0.0, 1.0))


@pytest.mark.parametrize("finest", [2.0**-60, 5e-324])  # the second too fine for a float to hold its units
def test_a_group_s_table_packed_model_by_model_is_the_rows_packed_one_by_one(finest):
    import random

    from engine.textmodel import Packed

    rng = random.Random(11)
    words = [f"w{i}" for i in range(400)] + [f"w{i} w{i + 1}" for i in range(300)]
    models = []
    for k in range(4):
        chosen = rng.sample(words, 250)
        values = (0.0, -0.0, rng.uniform(-9, 9), rng.gauss(0, 1e-9), finest, -3e-17, 1.0)
        models.append(_made(f"m{k}", {w: rng.choice(values) for w in chosen}))
    models.append(_made("zeros", {"w1": 0.0, "only zero": 0.0}))  # a feature no model weighs is left out
    packed, table = Packed.table(models)
    by_rows, rows_table = Packed._by_rows(models)
    assert table == rows_table and list(table) != []
    assert (packed.shift, packed.width, packed.offset) == (by_rows.shift, by_rows.width, by_rows.offset)
    assert ("only", "zero") not in table and all(isinstance(f, tuple) or " " not in f for f in table)
    for f, entry in table.items():
        feature = " ".join(f) if isinstance(f, tuple) else f
        assert [packed.weight(entry, i) for i in range(len(models))] == [m.weights.get(feature, 0.0) for m in models]


def test_an_unchanged_model_file_is_kept_across_loads_and_an_edited_one_parsed_again(copy: Path):
    first = load_policy(copy)
    rules = copy / "name_calling.yaml"
    rules.write_text(rules.read_text() + "\n# edited\n")  # another version of the policy, the same model file
    second = load_policy(copy)
    assert second is not first
    before, after = first.models["insult"], second.models["insult"]
    assert after is not before and after.weights is before.weights and after.digest == before.digest
    # a group of its own (the policy's models), sharing the tables built for the same files
    assert after.group is not before.group and after.group.models == (after,) and after.group._table is before.group._table
    text = "You idiot, you clown"
    decided = [decide(p, Comment(text=text)).to_dict() for p in (first, second)]
    assert [{**d, "policy_version": None} for d in decided] == [{**decided[0], "policy_version": None}] * 2
    assert decided[0]["hits"] and decided[0]["hits"][0]["probability"] > 0.5
    edit_model(copy, bias=-2.5)
    third = load_policy(copy).models["insult"]
    assert third.bias == -2.5 and third.weights is not before.weights and third.group._table is not before.group._table


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({"you": 1.0, "": 1.0}, "field 'weights.': a feature is one to three words"),
        ({"you": 1.0, " you": 1.0}, "field 'weights. you': a feature is one to three words"),
        ({"you ": 1.0, "idiot": 1.0}, "field 'weights.you ': a feature is one to three words"),
        ({"you  idiot": 1.0}, "field 'weights.you  idiot': a feature is one to three words"),
        ({"a b c": 1.0}, "field 'weights.a b c': has 3 words, more than 'features.ngrams' (2)"),
        ({"you\n idiot": 1.0, "x": 1.0}, None),  # a line break is part of a word; the space alone separates
        ({"you\tidiot": 1.0, "x \n": 1.0}, None),  # two words, the second a line break
        ({"you": 1, "idiot": 2.5}, None),  # a whole number is a weight too
    ],
)
def test_every_weight_s_key_is_checked_as_when_each_was_asked_alone(copy: Path, weights, message):
    edit_model(copy, weights=weights)
    if message is None:
        assert load_policy(copy).models["insult"].weights == {k: float(v) for k, v in weights.items()}
    else:
        assert any(message in e for e in errors_of(copy)), errors_of(copy)


@pytest.mark.parametrize(
    "word", ["idiotidiot", "idiotic", "banana", "<idi", "iot>", "<>", "a<b>c", "", "x" * 300, "idiot" * 40, "Vollidiotin"]
)
def test_a_word_s_runs_found_by_the_automaton_weigh_as_its_runs_looked_up_one_by_one(char_policy, default_policy, word):
    from engine.textmodel import char_grams

    for model in (char_policy.models["insult"], default_policy.models["insult_de"]):
        own = model.weights.get(word, 0.0)
        parts = list(filter(None, map(model.char_weights.get, char_grams(word, *model.chars))))
        assert model.word_weight(word) == (math.fsum([own, *parts]) if parts else own)


def test_the_models_kept_across_loads_are_bounded(tmp_path: Path):
    from engine import textmodel

    data = json.loads(MODEL_FILE.read_text())
    for k in range(textmodel.MODELS_KEPT + 5):
        path = tmp_path / "insult.json"
        path.write_text(json.dumps({**data, "bias": -3.0 + k / 100}))
        model = load_model(path, ErrorCollector())
        textmodel.group_models({"insult": model}, [("en", "insult")])
    assert len(textmodel._parsed) <= textmodel.MODELS_KEPT and len(textmodel._grouped) <= textmodel.GROUPS_KEPT
    assert (path.name, model.digest) in textmodel._parsed  # the most recent stays
