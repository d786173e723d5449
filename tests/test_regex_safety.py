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


def test_a_pass_is_remembered_per_pattern_and_a_refusal_asked_again(monkeypatch: pytest.MonkeyPatch) -> None:
    from engine import _regex_safety

    asked: list[str] = []
    real = _regex_safety.problem

    def counted(pattern: regex.Pattern[str]) -> str | None:
        asked.append(pattern.pattern)
        return real(pattern)

    monkeypatch.setattr(_regex_safety, "problem", counted)
    _regex_safety.forget_checked()
    sound, unsafe = regex.compile(r"\bidiot\b"), regex.compile(r"(a+)+$")
    assert [_regex_safety.checked(sound) for _ in range(3)] == [None] * 3
    assert all(_regex_safety.checked(unsafe).startswith("catastrophic") for _ in range(2))
    assert asked == [sound.pattern, unsafe.pattern, unsafe.pattern]
    _regex_safety.forget_checked()
    assert _regex_safety.checked(sound) is None and asked[-1] == sound.pattern
