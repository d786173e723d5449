"""`civility evasion` through the real CLI: recall under disguise and false flags, checked one by one."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from engine import disguise
from engine.cli import main

VALID = Path(__file__).parent / "policies" / "valid"


def check(text: str) -> dict:
    return json.loads(CliRunner().invoke(main, ["check", "--policy", str(VALID), "--json", text]).output)


def test_recall_and_false_flags_match_one_check_per_disguise() -> None:
    r = CliRunner().invoke(main, ["evasion", "--policy", str(VALID), "--json", "--seeds", "2"])
    assert r.exit_code == 0, r.output
    got = json.loads(r.output)
    # the valid policy's one firing case, "You idiot.", and its two must-not-fire cases
    rule = "name_calling.insult_at_person"
    (hit,) = [h for h in check("You idiot.")["hits"] if h["rule"] == rule]
    tried = still = 0
    kinds: dict[str, list[int]] = {}
    for seed in range(2):
        for kind, text in disguise.variants("You idiot.", seed, [tuple(hit["span"])]):
            fired = any(h["rule"] == rule for h in check(text)["hits"])
            tried, still = tried + 1, still + fired
            row = kinds.setdefault("mix" if "+" in kind else kind, [0, 0])
            row[0], row[1] = row[0] + fired, row[1] + 1
    assert got["rules"] == {rule: {"disguises": tried, "still_fired": still, "share": still / tried}}
    assert {k: [v["still_fired"], v["disguises"]] for k, v in got["kinds"].items()} == kinds
    assert tried >= 20 and got["recall"] == still / tried
    flagged = n = 0
    for text in ("That argument is idiotic.", "I never said you are an idiot."):
        for seed in range(2):
            for _, variant in disguise.variants(text, seed):
                n += 1
                flagged += bool(check(variant)["hits"])
    assert got["innocent_disguises"] == n and got["false_flag_rate"] == flagged / n
    assert len(got["false_flags"]) == min(flagged, 20)


def test_text_output() -> None:
    out = CliRunner().invoke(main, ["evasion", "--policy", str(VALID)]).output
    assert out.startswith("recall under evasion: ")
    assert "name_calling.insult_at_person" in out and "false flags: " in out
