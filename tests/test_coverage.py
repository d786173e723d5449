"""`civility coverage` through the real CLI: guidelines, cases, rules that never fire, merge candidates."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import main

VALID = Path(__file__).parent / "policies" / "valid"
COMMENTS = ["you idiot", "idiot!", "you moron, honestly", "Thanks for the link.", "I will kill you", "what a clown"]


@pytest.fixture
def policy(tmp_path: Path) -> Path:
    p = tmp_path / "p"
    shutil.copytree(VALID, p)
    header = p / "policy.yaml"
    header.write_text(header.read_text() + "  - id: be-kind\n    text: Be kind.\n")
    rules = p / "name_calling.yaml"
    rules.write_text(
        rules.read_text()
        + "  - id: insult_word\n    category: name_calling\n    guideline: no-name-calling\n    score: 1\n"
        + "    message: m\n    match: {words: [idiot, moron]}\n"
    )
    return p


def test_guidelines_uncovered_first(policy: Path) -> None:
    r = CliRunner().invoke(main, ["coverage", "--policy", str(policy), "--json"])
    assert r.exit_code == 0, r.output
    got = {g["guideline"]: g for g in json.loads(r.output)["guidelines"]}
    first = json.loads(r.output)["guidelines"][0]
    assert first["guideline"] == "be-kind" and first["status"] == "no rule" and first["rules"] == []
    # the valid policy's cases expect only name_calling rules: its spam and threat rules have none
    assert got["no-spam"]["status"] == "no case" and got["no-spam"]["rules"] == ["spam.many_links", "spam.promo"]
    assert got["no-name-calling"]["status"] == "covered" and got["no-name-calling"]["cases"][0].endswith(
        "name_calling.cases.yaml:2:5"
    )
    text = CliRunner().invoke(main, ["coverage", "--policy", str(policy)]).output
    assert text.startswith("be-kind (no rule): 0 rules, 0 cases\n")


def test_rules_that_never_fire_and_merge_candidates(policy: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "c.csv"
    corpus.write_text("text\n" + "".join(f'"{c}"\n' for c in COMMENTS))
    r = CliRunner().invoke(main, ["coverage", "--policy", str(policy), "--json", str(corpus)])
    assert r.exit_code == 0, r.output
    got = json.loads(r.output)["corpus"]
    # the right answers, from one check per comment
    fired: list[set[str]] = []
    for c in COMMENTS:
        d = json.loads(CliRunner().invoke(main, ["check", "--policy", str(policy), "--json", c]).output)
        fired.append({h["rule"] for h in d["hits"] + d["shadow_hits"]})
    every = {r for f in fired for r in f}
    assert got["n"] == len(COMMENTS)
    assert set(got["never_fired"]) == {"spam.many_links", "spam.promo", "name_calling.insult_at_person"} - every
    assert "spam.promo" in got["never_fired"] and "spam.kill" not in got["never_fired"]
    assert got["fired"] == {r: sum(r in f for f in fired) for r in every}
    # insult_at_person only ever fires where insult_word does; insult_word also fires alone ("idiot!")
    assert {m["rule"]: m["always_with"] for m in got["merge_candidates"]} == {
        "name_calling.insult_at_person": ["name_calling.insult_word"]
    }
