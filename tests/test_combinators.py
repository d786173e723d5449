"""near, all, any, not and parent on real comments."""

from __future__ import annotations

from pathlib import Path

import pytest
from policy_helpers import rule, write_policy

from engine import Comment, PolicyError, decide, load_policy


def hits(tmp_path: Path, match: str, text: str, **kw: object) -> list[str | None]:
    policy = load_policy(write_policy(tmp_path, {"m": rule(match)}))
    return [h.match for h in decide(policy, Comment(text=text, **kw)).hits]  # type: ignore[arg-type]


NEAR = "{near: [{list: insults}, {list: targets}], within: 2}"


@pytest.mark.parametrize(
    "text, found",
    [
        ("you idiot", ["idiot"]),
        ("idiot, you", ["idiot"]),
        ("you are such an idiot", []),  # three words between: beyond `within: 2`
        ("you are an idiot", ["idiot"]),
        ("the idiot plan", []),
    ],
)
def test_near_counts_words_between(tmp_path: Path, text: str, found: list[str]) -> None:
    assert hits(tmp_path, NEAR, text) == found


def test_near_in_order(tmp_path: Path) -> None:
    m = "{near: [{list: targets}, {list: insults}], within: 2, order: in_order}"
    assert hits(tmp_path / "a", m, "you idiot") == ["you"]
    assert hits(tmp_path / "b", m, "idiot, you") == []


@pytest.mark.parametrize(
    "show, text, found",
    [
        ("first", "what a   total clown", ["what a"]),
        ("last", "what a   total clown", ["clown"]),
        ("all", "what a   total clown", ["what a   total clown"]),
        # spans are in the text as received, evasions included
        ("all", "Such a c\u200bl0wn!", ["Such a c\u200bl0wn"]),
    ],
)
def test_near_show_picks_the_words_a_hit_reports(tmp_path: Path, show: str, text: str, found: list[str]) -> None:
    m = f"{{near: [{{words: ['what a', 'such a']}}, {{words: [clown, moron]}}], within: 1, order: in_order, show: {show}}}"
    assert hits(tmp_path, m, text) == found


def test_near_show_rejects_other_values(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match=r"field 'match.show': must be one of 'first', 'last', 'all'"):
        hits(tmp_path, "{near: [{list: insults}, {list: targets}], show: middle}", "you idiot")


def test_all_any_not(tmp_path: Path) -> None:
    m = "{all: [{words: [buy]}, {any: [{words: [cheap]}, {words: [free]}]}, {not: {words: [recipe]}}]}"
    assert hits(tmp_path / "a", m, "buy cheap pills") == ["buy"]
    assert hits(tmp_path / "b", m, "buy free pills") == ["buy"]
    assert hits(tmp_path / "c", m, "buy cheap flour for this recipe") == []
    assert hits(tmp_path / "d", m, "buy pills") == []


def test_parent_is_matched_only_when_sent(tmp_path: Path) -> None:
    m = "{all: [{words: [wrong]}, {parent: {words: [because]}}]}"
    assert hits(tmp_path / "a", m, "wrong", parent_text="It fails because the data is old.") == ["wrong"]
    assert hits(tmp_path / "b", m, "wrong") == []
    assert hits(tmp_path / "c", m, "wrong", parent_text="Nice weather.") == []


def test_all_reports_the_word_not_the_whole_comment(tmp_path: Path) -> None:
    policy = load_policy(write_policy(tmp_path, {"m": rule("{all: [{length: {at_most: 40}}, {list: insults}]}")}))
    hit = decide(policy, Comment(text="Such a moron, honestly")).hits[0]
    assert (hit.span, hit.match) == ((7, 12), "moron")
    assert hit.spans == ((0, 22), (7, 12))


@pytest.mark.parametrize(
    "match, text, found",
    [
        # a `raw_regex` hit (the text as written, case kept) is placed among the words, first or not
        ("{near: [{raw_regex: '\\bIdiot\\b'}, {list: targets}], within: 2}", "you Idiot", ["Idiot"]),
        ("{near: [{raw_regex: '\\bIdiot\\b'}, {list: targets}], within: 2}", "you idiot", []),
        ("{near: [{list: targets}, {raw_regex: '\\bIdiot\\b'}], within: 1, order: in_order}", "You, Idiot", ["You"]),
        ("{near: [{list: targets}, {raw_regex: '\\bIdiot\\b'}], within: 1}", "you are such an Idiot", []),
        # placed in a marked-up comment's visible text, not its markup
        ("{near: [{raw_regex: '\\bIdiot\\b'}, {list: targets}], within: 1}", "**you** absolute Idiot", ["Idiot"]),
    ],
)
def test_near_places_raw_regex_hits_among_the_words(tmp_path: Path, match: str, text: str, found: list[str]) -> None:
    assert hits(tmp_path, match, text, format="markdown") == found
