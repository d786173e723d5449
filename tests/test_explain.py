"""`civility explain` through the real CLI: steps, spans, near misses and the score's arithmetic."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import main

VALID = Path(__file__).parent / "policies" / "valid"


def explain(*args: str) -> dict:
    r = CliRunner().invoke(main, ["explain", "--policy", str(VALID), "--json", *args])
    assert r.exit_code == 0, r.output
    return json.loads(r.output)


@pytest.mark.parametrize(
    "text",
    ["ＹＯＵ 1d1ot", "not you idiot", "I will kill them", "what a clown", '"you idiot" he said', "you i d i o t"],
)
def test_the_decision_is_the_one_check_gives(text: str) -> None:
    check = json.loads(CliRunner().invoke(main, ["check", "--policy", str(VALID), "--json", text]).output)
    assert explain(text)["decision"] == check


def test_normalization_steps_and_the_span_in_the_original() -> None:
    e = explain("ＹＯＵ 1d1ot\u200b")
    steps = {s["step"]: s for s in e["steps"]}
    assert "compatibility forms (NFKC): Ｙ -> y" in steps["fold"]["what"]
    assert "invisible characters dropped: U+200B" in steps["fold"]["what"]
    assert "'1d1ot' read as 'idiot'" in steps["words"]["what"] and "leetspeak" in steps["words"]["what"]
    assert e["normalized"] == "you idiot"
    (hit,) = e["decision"]["hits"]
    assert e["text"][slice(*hit["span"])] == "1d1ot"
    text = CliRunner().invoke(main, ["explain", "--policy", str(VALID), "ＹＯＵ 1d1ot"]).output
    assert "ＹＯＵ [1d1ot]" in text
    spaced = explain("you i d i o t")
    assert "'i d i o t' read as 'idiot' (spaced letters)" in spaced["steps"][-1]["what"]


def test_what_stopped_a_rule() -> None:
    unless = {m["rule"]: m for m in explain("not you idiot")["near_misses"]}
    assert unless["name_calling.insult_at_person"]["stopped_by"] == "unless"
    assert unless["name_calling.insult_at_person"]["detail"] == "unless before: not within 2 words before it"
    target = {m["rule"]: m for m in explain("I will kill them")["near_misses"]}
    assert target["spam.kill"]["stopped_by"] == "missing part"
    assert target["spam.kill"]["detail"] == "nothing for {list: targets}"
    assert target["spam.kill"]["found"] == ["{words: [kill, hurt]}: kill"]
    quoted = {m["rule"]: m for m in explain('"you idiot" he said')["near_misses"]}
    assert quoted["name_calling.insult_at_person"]["stopped_by"] == "quote"
    far = {m["rule"]: m for m in explain("kill the plan, the whole plan, the whole thing you wrote")["near_misses"]}
    assert far["spam.kill"]["stopped_by"] == "distance"
    # a comment with none of a rule's words is no near miss of it
    assert explain("Thanks for the link.")["near_misses"] == []


def test_the_arithmetic_of_the_score() -> None:
    both = explain("you idiot, check out my channel http://a.example http://b.example")
    a = both["arithmetic"]
    assert sum(s for _, s in a["terms"]) == a["total"] == both["decision"]["score"]
    assert a["result"] == f"{a['total']:g} >= flag 3: flag"
    shadow = explain("what a clown")["arithmetic"]
    assert shadow["terms"] == [] and shadow["shadow"] == [["name_calling.watch_clown", 2.0]]
    assert shadow["result"] == "0 < flag 3: approve"
    threat = explain("I will kill you")["arithmetic"]
    assert threat["result"] == "20 >= reject 20: reject"
    out = CliRunner().invoke(main, ["explain", "--policy", str(VALID), "I will kill you"]).output
    assert "score: 20 = 20; 20 >= reject 20: reject" in out


def test_a_model_below_its_threshold() -> None:
    model_policy = Path(__file__).parent / "policies" / "model"
    r = CliRunner().invoke(main, ["explain", "--policy", str(model_policy), "--json", "you clown"])
    e = json.loads(r.output)
    (hit,) = e["decision"]["hits"]
    assert hit["rule"] == "name_calling.model_likely_at_person" and 0.6 <= hit["probability"] < 0.9
    near = {m["rule"]: m for m in e["near_misses"]}
    p = f"{hit['probability']:.2f}"
    assert near["name_calling.model_unsure"] == {
        "rule": "name_calling.model_unsure",
        "category": "name_calling",
        "score": 1.0,
        "stopped_by": "threshold",
        "detail": f"model insult: probability {p}, not below below: 0.6",
    }
