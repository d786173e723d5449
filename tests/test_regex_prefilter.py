"""Literal prefilters: which words a regex needs, and never a filter that could hide a match."""

from __future__ import annotations

import pytest
import regex

from engine._regex_prefilter import required_literals


@pytest.mark.parametrize(
    "pattern, groups",
    [
        (
            r"(?:\b(?:nice try|well done)\W{1,3}(?:genius|einstein)\b)",
            (("nice try", "well done"), ("einstein", "genius")),
        ),
        (r"\bcheck (?:out )?my (?:channel|page)\b", (("channel", "page"),)),
        (r"you(?:'re| are)\s+\w+", ((" are", "'re"),)),
        (r"(?:x|y)+z", (("x", "y"),)),
    ],
)
def test_mandatory_plain_groups_are_required(pattern: str, groups: tuple[tuple[str, ...], ...]) -> None:
    assert required_literals(pattern) == groups


@pytest.mark.parametrize(
    "pattern",
    [
        r"(?:idiot|moron)|\bfool\b",  # a top-level alternative can match without the group
        r"(?:very )?(?:big)?\s*deal",  # optional groups
        r"(?:ab|cd)*e",  # may repeat zero times
        r"(?:\w+|x)y",  # not plain words
        r"(?=(?:abc|def))",  # a lookahead
        r"free\s+(?:gift\s?cards?|itunes)",  # an alternative is itself a pattern
    ],
)
def test_no_filter_where_a_match_could_lack_the_words(pattern: str) -> None:
    assert required_literals(pattern) == ()


@pytest.mark.parametrize(
    "pattern, text",
    [
        (r"(?:\b(?:nice try|well done)\W{1,3}(?:genius|einstein)\b)", "well done, genius"),
        (r"\bcheck (?:out )?my (?:channel|page)\b", "please check my page"),
        (r"(?:x|y)+z", "xyxyz"),
    ],
)
def test_every_match_contains_a_literal_of_each_group(pattern: str, text: str) -> None:
    m = regex.search(pattern, text)
    assert m is not None
    for group in required_literals(pattern):
        assert any(literal in m.group() for literal in group)
