"""Lint warnings: legal policies that are probably mistakes."""

from __future__ import annotations

from pathlib import Path

from policy_helpers import HEADER, rule, write_policy

from engine import load_policy
from engine.checks import run_checks


def test_untested_rules_zero_scores_and_unused_guidelines(tmp_path: Path) -> None:
    root = write_policy(
        tmp_path,
        {"a": rule("{near: [{list: insults}, {list: [targets, negations]}]}", score=0)},
        cases={"a": "cases:\n  - text: hi\n    expect: []\n"},
    )
    warnings = run_checks(load_policy(root))
    assert warnings == [
        f"{root}/a.yaml:2:5: rule 'a.r': no case in a .cases.yaml expects it to fire",
        f"{root}/a.yaml:2:5: rule 'a.r': score 0 can never flag a comment",
        "guideline 'no-spam' has no rule",
    ]


def test_a_list_no_rule_uses_is_named_where_it_is_defined(tmp_path: Path) -> None:
    root = write_policy(
        tmp_path, {"a": rule("{list: insults}")}, cases={"a": "cases:\n  - text: you idiot\n    expect: [r]\n"}
    )
    warnings = run_checks(load_policy(root))
    assert (
        f"{root}/lists/en.yaml:4:12: list 'targets' is not used by any rule, so editing it changes nothing" in warnings
    )
    assert (
        f"{root}/lists/en.yaml:5:14: list 'negations' is not used by any rule, so editing it changes nothing"
        in warnings
    )
    assert not any("'insults'" in w for w in warnings)


def test_a_guideline_left_to_moderators_needs_no_rule(tmp_path: Path) -> None:
    header = HEADER.replace(
        "{id: no-spam, text: No advertising.}", "{id: no-spam, text: No advertising., moderators_only: true}"
    )
    root = write_policy(tmp_path, {"a": rule("{list: [insults, targets, negations]}")}, header=header)
    assert not any(w.endswith("has no rule") for w in run_checks(load_policy(root)))
