"""Policy errors render as FILE:LINE:COL: rule 'ID': field 'PATH': message, and collect in order."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import ErrorCollector, Location, PatternError, PolicyErrors, PolicySchemaError


def test_rendering_with_and_without_parts() -> None:
    loc = Location(Path("policies/spam.yaml"), 14, 7)
    assert str(PatternError("invalid regular expression", loc, "spam.link", "match.regex")) == (
        "policies/spam.yaml:14:7: rule 'spam.link': field 'match.regex': invalid regular expression"
    )
    assert (
        str(PolicySchemaError("no policy.yaml", Location(Path("p/policy.yaml")))) == "p/policy.yaml:1:1: no policy.yaml"
    )


def test_collector_raises_one_or_all_sorted() -> None:
    c = ErrorCollector()
    c.raise_if_any()
    c.add(PolicySchemaError("second", Location(Path("b.yaml"), 3, 1)))
    c.add(PolicySchemaError("first", Location(Path("a.yaml"), 9, 1)))
    with pytest.raises(PolicyErrors) as info:
        c.raise_if_any()
    assert str(info.value).splitlines() == ["a.yaml:9:1: first", "b.yaml:3:1: second"]
