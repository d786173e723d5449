"""Items filed under keys (engine/filed.py): the rule index's and an `any`'s filter, and that asking only
the filed items, in any order, finds the same spans."""

from __future__ import annotations

from pathlib import Path

import pytest
from policy_helpers import labeled_texts, rule, write_policy

import engine
from engine.combinators import All, Any, Near, _text_first
from engine.filed import Filed, mask, members
from engine.matchers import RegexMatcher
from engine.scan import Scan

ANY = (
    "{any: [{regex: 'i will (?:find|hunt) you'}, {regex: '\\bwatch your back\\b'}, {list: insults},"
    " {regex: 'sleep with one eye open'}, {regex: 'n+o+'}]}"
)


def test_items_under_keys_as_bits():
    filed = Filed({0: ["a", "b"], 2: ["b"], 5: [("x", "y")]})
    assert members(filed.under({"b"})) == [0, 2]
    assert members(filed.under({"a", ("x", "y"), "zzz"})) == [0, 5]
    assert filed.under(set()) == 0 and filed.under({"c"}) == 0
    assert members(mask([7, 1, 3]) | filed.under({"b"})) == [0, 1, 2, 3, 7]
    assert members(0) == [] and members(1 << 300) == [300]
    # more keys than the filed ones: the smaller side is walked, the same items
    many = {f"w{i}" for i in range(100)}
    assert members(filed.under(many | {"a"})) == [0] and filed.under(many) == 0
    assert members(filed.under(many | {"b", ("x", "y")})) == [0, 2, 5]


@pytest.fixture(scope="module")
def threat(tmp_path_factory: pytest.TempPathFactory) -> engine.Policy:
    return engine.load_policy(write_policy(tmp_path_factory.mktemp("any"), {"threat": rule(ANY)}))


def kinds(policy: engine.Policy, text: str) -> list[str]:
    """What each part asked is: its pattern, or the kind of matcher."""
    match = policy.rules[0].match
    assert isinstance(match, Any) and match.filed is not None
    parts = match.live(Scan(engine.Comment(text=text), None))
    return [p.pattern.pattern if isinstance(p, RegexMatcher) else type(p).__name__ for p in parts]


def test_a_comment_without_their_literals_asks_no_regex_with_literals(threat: engine.Policy) -> None:
    # the list (it holds a prefix, "brainless*": always asked) and the regex without a literal of three
    # letters or more, whose "n" and "o" the comment holds, are asked
    assert kinds(threat, "The council published the budget today.") == ["ListMatcher", "n+o+"]
    assert kinds(threat, "What a jerk.") == ["ListMatcher"]


def test_a_literal_asks_the_regexes_filed_under_it_in_written_order(threat: engine.Policy) -> None:
    text = "Sleep with one eye open, and watch your back, idiot."
    assert kinds(threat, text) == ["\\bwatch your back\\b", "ListMatcher", "sleep with one eye open", "n+o+"]
    hits = engine.decide(threat, engine.Comment(text=text)).hits
    assert [h.match for h in hits] == ["Sleep with one eye open"]


def test_a_literal_as_the_words_read_counts(threat: engine.Policy) -> None:
    # "w@tch" reads as "watch": the regex runs over the text as read and finds it
    assert engine.decide(threat, engine.Comment(text="w@tch your back, pal")).hits[0].match == "w@tch your back"


def test_few_regexes_get_no_filter(tmp_path: Path) -> None:
    policy = engine.load_policy(write_policy(tmp_path, {"r": rule("{any: [{regex: 'hunt you'}, {list: insults}]}")}))
    match = policy.rules[0].match
    assert isinstance(match, Any) and match.filed is None
    assert match.live(Scan(engine.Comment(text="I will hunt you"), None)) == match.parts


def _parts(matcher: object, kind: type | tuple[type, ...]) -> list[object]:
    found = [matcher] if isinstance(matcher, kind) else []
    for part in getattr(matcher, "parts", ()):
        found += _parts(part, kind)
    return found


@pytest.mark.skipif(not labeled_texts(1000), reason="../shared/data is not here")
def test_the_default_policy_finds_the_same_spans_on_labeled_comments() -> None:
    """On every 25th labeled comment: every `any` of the default policy against all its parts asked, and every
    `near` and `all` asking its parts cheapest first against asking them in order."""
    policy = engine.load_policy()
    matchers = [m for r in policy.rules for top in (r.match, *r.unless) for m in _parts(top, (Any, Near, All))]
    anys = [m for m in matchers if isinstance(m, Any) and m.filed is not None]
    weighed = [m for m in matchers if isinstance(m, (Near, All)) and m.weighed]
    assert len(anys) >= 4 and len(weighed) >= 4
    for text in labeled_texts(25):
        scan, plain = Scan(engine.Comment(text=text), None), Scan(engine.Comment(text=text), None)
        for quotes_ok in (False, True):
            for matcher in anys:
                every = _text_first([s for p in matcher.parts for s in p.find(plain, quotes_ok)])
                assert matcher.find(scan, quotes_ok) == every, text
            for matcher in weighed:
                found = matcher.find(scan, quotes_ok)
                matcher.weighed = False
                try:
                    assert matcher.find(plain, quotes_ok) == found, text
                finally:
                    matcher.weighed = True
