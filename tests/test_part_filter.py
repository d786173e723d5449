"""The parts of an `any` a comment's literals let run, and that running only those finds the same spans."""

from __future__ import annotations

from pathlib import Path

import pytest
from policy_helpers import labeled_texts, rule, write_policy

import engine
from engine.combinators import Any, _text_first
from engine.matchers import RegexMatcher
from engine.part_filter import PartFilter
from engine.scan import Scan

ANY = (
    "{any: [{regex: 'i will (?:find|hunt) you'}, {regex: '\\bwatch your back\\b'}, {list: insults},"
    " {regex: 'sleep with one eye open'}, {regex: 'n+o+'}]}"
)


@pytest.fixture(scope="module")
def threat(tmp_path_factory: pytest.TempPathFactory) -> engine.Policy:
    return engine.load_policy(write_policy(tmp_path_factory.mktemp("any"), {"threat": rule(ANY)}))


def kinds(policy: engine.Policy, text: str) -> list[str]:
    """What each part that runs is: its pattern, or the kind of matcher."""
    match = policy.rules[0].match
    assert isinstance(match, Any) and match.filter is not None
    parts = match.filter.parts_for(Scan(engine.Comment(text=text), None))
    return [p.pattern.pattern if isinstance(p, RegexMatcher) else type(p).__name__ for p in parts]


def test_a_comment_without_their_literals_runs_no_regex_with_literals(threat: engine.Policy) -> None:
    # the list and the regex without a literal of three letters or more always run
    assert kinds(threat, "The council published the budget today.") == ["ListMatcher", "n+o+"]


def test_a_literal_runs_the_regexes_filed_under_it_in_written_order(threat: engine.Policy) -> None:
    text = "Sleep with one eye open, and watch your back."
    assert kinds(threat, text) == ["\\bwatch your back\\b", "ListMatcher", "sleep with one eye open", "n+o+"]
    assert [h.match for h in engine.decide(threat, engine.Comment(text=text)).hits] == ["Sleep with one eye open"]


def test_a_literal_as_the_words_read_counts(threat: engine.Policy) -> None:
    # "w@tch" reads as "watch": the regex runs over the text as read and finds it
    assert engine.decide(threat, engine.Comment(text="w@tch your back, pal")).hits[0].match == "w@tch your back"


def test_few_regexes_get_no_filter(tmp_path: Path) -> None:
    policy = engine.load_policy(write_policy(tmp_path, {"r": rule("{any: [{regex: 'hunt you'}, {list: insults}]}")}))
    match = policy.rules[0].match
    assert isinstance(match, Any) and match.filter is None
    assert PartFilter.of([]) is None


def _anys(matcher: object) -> list[Any]:
    found = [matcher] if isinstance(matcher, Any) and matcher.filter is not None else []
    for part in getattr(matcher, "parts", ()):
        found += _anys(part)
    return found


@pytest.mark.skipif(not labeled_texts(1000), reason="../shared/data is not here")
def test_the_default_policy_finds_the_same_spans_on_labeled_comments() -> None:
    """Every filtered `any` of the default policy against all its parts asked, on every 25th labeled comment."""
    policy = engine.load_policy()
    anys = [a for r in policy.rules for m in (r.match, *r.unless) for a in _anys(m)]
    assert len(anys) >= 4
    for text in labeled_texts(25):
        scan = Scan(engine.Comment(text=text), None)
        for matcher in anys:
            for quotes_ok in (False, True):
                every = _text_first([s for p in matcher.parts for s in p.find(scan, quotes_ok)])
                assert matcher.find(scan, quotes_ok) == every, text
