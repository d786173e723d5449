"""A policy regex without IGNORECASE on case-folded text: when it is the same search, and that it is."""

from __future__ import annotations

import sys

import pytest
import regex
from policy_helpers import labeled_texts, policy_regexes

import engine
from engine._regex_case import caseless
from engine.normalize import prepare


def _cased() -> list[str]:
    """Every character with a case mapping: the only ones IGNORECASE can pair with another."""
    out = []
    for cp in range(sys.maxunicode + 1):
        c = chr(cp)
        if not 0xD800 <= cp < 0xE000 and (c.lower() != c or c.upper() != c or c.title() != c or c.casefold() != c):
            out.append(c)
    return out


def test_no_two_characters_that_are_their_own_fold_match_each_other_without_case():
    # what the module rests on, checked against the regex module installed: for a pattern character
    # `c` that is its own fold, IGNORECASE pairs it with no other character of a case-folded text
    cased = _cased()
    every = "".join(cased)
    for c in cased:
        if c.casefold() == c:
            paired = set(regex.findall(regex.escape(c), every, flags=regex.IGNORECASE)) - {c}
            assert all(other.casefold() != other for other in paired), (c, paired)


@pytest.mark.parametrize(
    "pattern",
    [
        r"\byou(?:'re| are)\s+(?:an?\s+)?(?:idiot|moron)\b",
        r"(?<=\w[\s,.!?]{1,4})(?:idiota|otari[oa])",  # a variable lookbehind parses
        r"[a-z0-9-]{3,}\.(?:com|net)\b|[^.!?]{0,60}",
        r"(?<![#@\w])(?!(?:puta|pro)\w*merda)\w{3,}(?:lixo|merda)",
        r"\bdämlich|\bidiót[ae]",
        r"\{dot\}",  # an escaped brace is a character
    ],
)
def test_a_pattern_of_folded_characters_runs_without_case(pattern: str) -> None:
    twin = caseless(regex.compile(pattern, regex.IGNORECASE))
    assert twin is not None and not twin.flags & regex.IGNORECASE and twin.pattern == pattern


@pytest.mark.parametrize(
    "pattern",
    [
        r"\bYou\b",  # a capital matches only a capital without IGNORECASE
        r"[A-Z]{3,}",
        r"stra[ßs]e",  # 'ß' folds to 'ss'
        r"\p{Lu}+",  # regex-module syntax the standard parser cannot check
        r"\b(\w+)\s+\1\b",  # a back-reference compares two stretches with or without case
        r"[[:upper:]]x",
        r"(?:idiot){e<=1}",  # fuzzy matching
        r"\u212a",  # the Kelvin sign is no fold of itself
    ],
)
def test_other_patterns_keep_ignorecase(pattern: str) -> None:
    assert caseless(regex.compile(pattern, regex.IGNORECASE)) is None


def test_a_pattern_compiled_with_case_has_no_twin():
    assert caseless(regex.compile("you")) is None


def test_the_default_policy_twins_find_what_the_patterns_find():
    texts = labeled_texts(every=40)
    if not texts:
        pytest.skip("../shared/data is not here")
    matchers = [m for m in policy_regexes(engine.load_policy(None)) if m._caseless is not None]
    assert len(matchers) > 50  # most of the policy's regexes
    for text in texts:
        prepared = prepare(text)
        read = prepared.read
        for norm in (prepared.norm, *((read.text,) if read is not None else ())):
            assert norm.casefold() == norm
            for m in matchers:
                assert [x.span() for x in m._caseless.finditer(norm)] == [x.span() for x in m.pattern.finditer(norm)]


def test_the_twin_is_only_for_folded_text():
    # on a text that is not its own fold the twin misses what IGNORECASE finds: a scan tells them apart
    sample = "YOU ARE AN IDIOT"
    assert caseless(regex.compile("idiot", regex.IGNORECASE)).search(sample) is None
    assert regex.compile("idiot", regex.IGNORECASE).search(sample) is not None
    scan = engine.scan.Scan(engine.Comment(text=sample), None)
    assert scan.folded(0) and not scan.folded(1)  # the normalized text is folded; there is no text as read
