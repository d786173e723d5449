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


def test_each_policy_finds_its_own_literals_and_a_reloaded_edit_keeps_none_of_the_old(tmp_path) -> None:
    """The automaton of the regexes' literals is the policy's: a webhook that reloads edited policies
    does not keep every old policy's literals (it was one per process, and only grew)."""
    import gc
    import weakref

    from policy_helpers import rule, write_policy

    from engine import Comment, Verdict, decide, load_policy

    old = []
    sizes = set()
    for n in range(6):
        root = write_policy(tmp_path / f"edit{n}", {"a": rule(f"{{regex: '\\bsays{n}x (?:idiot|moron)'}}")})
        policy = load_policy(root)
        assert policy.literals is not None
        sizes.add(len(policy.literals))
        assert decide(policy, Comment(text=f"he says{n}x idiot")).decision is Verdict.FLAG
        if n:
            assert decide(policy, Comment(text=f"he says{n - 1}x idiot")).decision is Verdict.APPROVE
        old.append(weakref.ref(policy.literals))
        del policy
    gc.collect()
    assert len(sizes) == 1 and sizes != {0}
    assert all(ref() is None for ref in old)  # nothing holds an old policy's automaton
