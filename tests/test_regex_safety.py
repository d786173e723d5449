"""Policy regexes that could backtrack catastrophically are refused at load time."""

from __future__ import annotations

import pytest
import regex

from engine._regex_safety import problem


@pytest.mark.parametrize("pattern", [r"(a+)+$", r"(\w+\s?)*$", r"(?:x|\w{1,})+y", r"((ab)*)+c"])
def test_nested_unbounded_repeats_are_refused(pattern: str) -> None:
    assert problem(regex.compile(pattern)).startswith("catastrophic regular expression")


@pytest.mark.parametrize(
    "pattern",
    [r"\bidiot\b", r"(?:you|u)\s+(?:are|r)\s+(?:an?\s+)?\w+", r"[(]a+[)]+", r"(ab){2,}", r"(?:https?://)?bit\.ly/\S+"],
)
def test_ordinary_patterns_pass(pattern: str) -> None:
    assert problem(regex.compile(pattern)) is None
