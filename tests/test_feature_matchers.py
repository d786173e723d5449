"""Comment-level matchers: counts, repetition, shouting, length and author fields."""

from __future__ import annotations

from pathlib import Path

import pytest
from policy_helpers import rule, write_policy

from engine import Author, Comment, decide, load_policy


def hit(tmp_path: Path, match: str, text: str, **kw: object) -> tuple[tuple[int, int] | None, str | None] | None:
    policy = load_policy(write_policy(tmp_path, {"m": rule(match, category="spam", guideline="no-spam")}))
    found = decide(policy, Comment(text=text, **kw)).hits  # type: ignore[arg-type]
    return (found[0].span, found[0].match) if found else None


@pytest.mark.parametrize(
    "match, text, expected",
    [
        ("{links: {at_least: 2}}", "see http://a.example/x and www.b.example", ((4, 22), "http://a.example/x")),
        ("{links: {at_least: 2}}", "see http://a.example/x only", None),
        ("{shortened_links: {at_least: 1}}", "go to bit.ly/abc now", ((6, 16), "bit.ly/abc")),
        ("{emails: {at_least: 1}}", "mail me: deals@shop.example", ((9, 27), "deals@shop.example")),
        ("{phone_numbers: {at_least: 1}}", "call +1 555 123 4567 today", ((5, 20), "+1 555 123 4567")),
        ("{phone_numbers: {at_least: 1}}", "in 2024 it cost $1,250", None),
        ("{repeated_chars: {at_least: 6}}", "nooooooo way", ((1, 8), "ooooooo")),
        ("{repeated_text: {at_least: 3, min_words: 2}}", "buy now buy now buy now", ((8, 15), "buy now")),
    ],
)
def test_counted_features_point_at_the_text(tmp_path: Path, match: str, text: str, expected: object) -> None:
    assert hit(tmp_path, match, text) == expected


def test_caps_and_length_point_at_the_whole_comment(tmp_path: Path) -> None:
    m = "{caps_ratio: {at_least: 0.8, min_letters: 10}}"
    assert hit(tmp_path / "a", m, " THIS IS A SCAM, WAKE UP!\n") == ((1, 25), "THIS IS A SCAM, WAKE UP!")
    assert hit(tmp_path / "b", m, "OK") is None
    assert hit(tmp_path / "c", "{length: {at_most: 5}}", "no.") == ((0, 3), "no.")


def test_author_fields_absent_never_match(tmp_path: Path) -> None:
    m = "{author: {account_age_days: {at_most: 1}}}"
    assert hit(tmp_path / "a", m, "hi", author=Author(account_age_days=0.5)) == (None, None)
    assert hit(tmp_path / "b", m, "hi", author=Author(account_age_days=30)) is None
    assert hit(tmp_path / "c", m, "hi") is None


def test_repeated_text_consecutive_ignores_a_phrase_recurring_in_prose(tmp_path: Path) -> None:
    m = "{repeated_text: {at_least: 3, min_words: 2, consecutive: true}}"
    prose = "the cost of the bridge, the age of the road and the state of the rail"
    assert hit(tmp_path / "a", "{repeated_text: {at_least: 3, min_words: 2}}", prose) is not None
    assert hit(tmp_path / "b", m, prose) is None
    assert hit(tmp_path / "c", m, "so cheap: buy now buy now buy now") == ((18, 25), "buy now")
