"""The rule index: which rules a comment's words let run, and that running only those changes nothing.

The whole of ../shared/data takes minutes: CIVILITY_INDEX_ALL=1 python -m pytest tests/test_index.py
checks every labeled comment; the default run checks one in 25.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
from policy_helpers import labeled_texts, rule, write_policy

import engine
from engine.index import LITERAL, MASKED, RuleIndex, clauses
from engine.scan import Scan

ROOT = Path(__file__).resolve().parent.parent
EVERY = 1 if os.environ.get("CIVILITY_INDEX_ALL") else 25


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    root = tmp_path_factory.mktemp("index")
    rules = {
        "insult": rule("{list: insults}", "insult"),
        "at_you": rule("{near: [{list: insults}, {list: targets}], within: 2}", "at_you"),
        "shouty": rule("{caps_ratio: {at_least: 0.8}}", "shouty"),
        "nice": rule("{words: [have a nice day]}", "nice"),
        "prefixed": rule("{list: rude}", "prefixed"),
        "not_polite": rule("{not: {words: [please]}}", "not_polite"),
        "short_no": rule("{all: [{length: {at_most: 10}}, {regex: 'no+'}]}", "short_no"),
        "click_link": rule("{all: [{links: {at_least: 1}}, {regex: 'click'}]}", "click_link"),
        "keyword": rule("{regex: '\\b(?:text|send)\\s+[a-z]{2,12}\\s+to\\s+\\d{4,6}\\b'}", "keyword"),
        "offer": rule("{any: [{regex: 'free\\W+gift'}, {regex: 'prize\\W+winner'}]}", "offer"),
        "linked": rule("{links: {at_least: 1}}", "linked"),
        "no_link": rule("{links: {at_most: 0}}", "no_link"),
        "contact": rule("{any: [{phone_numbers: {at_least: 1}}, {emails: {at_least: 1}}]}", "contact"),
    }
    # `rude` holds a prefix: rules over it run always (a word's prefixes are not looked up)
    lists = "language: en\nlists:\n  insults: [idiot, moron, 'waste of space']\n  targets: [you, u]\n  rude: ['brainless*']\n"
    policy = engine.load_policy(write_policy(root, rules, lists=lists))
    return policy


def ids(policy, text: str) -> list[str]:
    """The candidate rules' ids without their file's name."""
    return [r.id.split(".")[-1] for r in policy.index.candidates(Scan(engine.Comment(text=text), None))]


def test_a_clean_comment_runs_only_the_rules_without_words(small):
    assert ids(small, "The council published the budget today.") == ["no_link", "not_polite", "prefixed", "shouty"]


def test_comment_level_parts_of_all_are_tested_before_the_rule_runs(small):
    assert "short_no" in ids(small, "Nooo.")
    assert "short_no" not in ids(small, "No, the council published the budget today.")
    assert "click_link" in ids(small, "click here: http://spam.example/x")
    assert "click_link" not in ids(small, "click the button below the article")


def test_a_regex_needs_one_of_its_literals(small):
    # `click_link` is filed under the literal its regex needs: a comment with a link and no "click" skips it
    assert "click_link" not in ids(small, "see http://spam.example/x")
    assert "click_link" in ids(small, "CLICK here: http://spam.example/x")
    # "no+" needs only "n" (one letter, tested with `in`): no key, the rule waits for its guard alone
    assert clauses(by_id(small)["short_no"].match) == []


def test_every_group_of_literals_a_regex_needs_is_checked(small):
    # filed under one group (" to "), the other ("text ", "send ") checked before the rule runs
    assert "keyword" not in ids(small, "we want to 55555 people")
    assert "keyword" in ids(small, "text WIN to 55555")
    # an `any`: filed under one group of each part ("free", "winner"), checked on the others joined ("gift", "prize")
    assert "offer" not in ids(small, "free shipping for the winner")
    assert "offer" in ids(small, "a free gift")
    assert "offer" in ids(small, "prize winner!")


def test_a_count_above_zero_needs_what_its_feature_looks_for_first(small):
    # "at least one": filed under the count's cheap test (features.MAY_COUNT); "at most": always run
    assert "linked" not in ids(small, "No link here. None at all")
    assert "linked" in ids(small, "see example.com/x") and "linked" in ids(small, "a [link](http://x.example)")
    assert "no_link" in ids(small, "No link here.")
    assert "contact" not in ids(small, "call me at 5 or @ noon")
    assert "contact" in ids(small, "call 555 123 4567") and "contact" in ids(small, "mail me@example.com")
    assert clauses(by_id(small)["no_link"].match) == []


def test_a_phrase_needs_its_first_two_words_in_a_row(small):
    assert "nice" not in ids(small, "have you seen a nice day like this")
    assert "nice" in ids(small, "have a nice day")


def test_a_word_of_a_list_runs_its_rules(small):
    assert ids(small, "What an idiot.") == ["insult", "no_link", "not_polite", "prefixed", "shouty"]
    # `near` needs both parts: "you" alone files nothing, "you" with an insult runs it
    assert "at_you" not in ids(small, "I told you so.")
    assert "at_you" in ids(small, "you idiot")


def test_evasions_reach_the_index(small):
    assert "insult" in ids(small, "what an 1d10t")  # leet, read as "idiot"
    assert "insult" in ids(small, "what an id.iot")  # glued
    assert "insult" in ids(small, "what an id**t")  # masked: compared by shape
    assert "insult" in ids(small, "what a w4ste of space")  # a phrase's first word, leet
    assert "nice" in ids(small, "have a nice day")


def by_id(policy):
    return {r.id.split(".")[-1]: r for r in policy.rules}


def test_clauses_of_each_kind(small):
    rules = by_id(small)
    (insults,) = clauses(rules["insult"].match)
    assert {"idiot", "moron", ("waste", "of"), ("waste",), MASKED} <= insults
    assert len(clauses(rules["at_you"].match)) == 2  # one per part of the `near`
    assert clauses(rules["click_link"].match) == [frozenset({(LITERAL, LITERAL, "links")}), frozenset({(LITERAL, "click")})]
    assert clauses(rules["shouty"].match) == [] and clauses(rules["not_polite"].match) == []


def test_copies_with_other_rules_get_their_own_index(small):
    fewer = dataclasses.replace(small, rules=small.rules[:2])
    assert fewer.index.rules == small.rules[:2]
    assert dataclasses.replace(small, indexed=False).index is None
    assert RuleIndex(()).candidates(Scan(engine.Comment(text="you idiot"), None)) == []


@pytest.fixture(scope="module")
def excepted(tmp_path_factory):
    unless = (
        "    unless:\n"
        "      - {before: {list: negations}, within: 2}\n"
        "      - {after: {words: [sandwich]}, within: 1}\n"
        "      - {before: {regex: 'call(?:ed|ing) (?:him|her)'}, within: 3}\n"
        "      - {words: [joking]}\n"
        "      - {length: {at_least: 500}}\n"
    )
    return engine.load_policy(write_policy(tmp_path_factory.mktemp("excepted"), {"e": rule("{list: insults}", "e", unless)}))


def asked(policy, text: str) -> tuple[list[str], list[str]]:
    """What the index asks of the rule's exceptions on `text`: the exceptions' sides and the vetoes' kinds."""
    (r,) = policy.rules
    near, vetoes = policy.index.exceptions(r, Scan(engine.Comment(text=text), None))
    return [e.side for e in near], [type(m).__name__ for m in vetoes]


def test_only_the_exceptions_that_may_find_something_are_asked(excepted):
    # no negation, no "sandwich", no "called him", no "joking": only the length veto, which has no key
    assert asked(excepted, "what an idiot") == ([], ["Length"])
    assert asked(excepted, "not an idiot sandwich") == (["before", "after"], ["Length"])
    assert asked(excepted, "I was joking when I called him an idiot") == (["before"], ["ListMatcher", "Length"])
    # a rule without exceptions, or of another policy, keeps what it has
    other = dataclasses.replace(excepted.rules[0], unless=(), unless_near=())
    assert excepted.index.exceptions(other, Scan(engine.Comment(text="idiot"), None)) == ((), ())


def test_skipped_exceptions_change_no_decision(excepted):
    plain = dataclasses.replace(excepted, indexed=False)
    for text in ("what an idiot", "not an idiot", "an idiot sandwich", "I was joking, idiot", "called him an idiot"):
        comment = engine.Comment(text=text)
        assert engine.decide(excepted, comment).to_dict() == engine.decide(plain, comment).to_dict(), text


@pytest.mark.parametrize("policy_dir", [None, ROOT / "tests" / "policies" / "model"], ids=["default", "model"])
def test_decisions_and_spans_are_the_same_without_the_index(policy_dir):
    texts = labeled_texts(EVERY)
    if not texts:
        pytest.skip("../shared/data is not here")
    indexed = engine.load_policy(policy_dir)
    plain = dataclasses.replace(indexed, indexed=False)
    differ = []
    for text in texts:
        for fmt in ("text", "markdown") if ">" in text else ("text",):
            comment = engine.Comment(text=text, format=fmt)
            a, b = engine.decide(indexed, comment).to_dict(), engine.decide(plain, comment).to_dict()
            if a != b:
                differ.append((text[:80], a["hits"], b["hits"]))
    assert not differ, differ[:3]
    assert len(texts) > 1000
