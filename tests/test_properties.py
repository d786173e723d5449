"""Properties of the engine over arbitrary Unicode, in the three body formats (hypothesis).

Never an exception; the same decision twice; every span inside the text as received with
``text[start:end] == match``; normalization idempotent. The example counts come from the hypothesis
profile (tests/conftest.py): bounded by default, larger with ``HYPOTHESIS_PROFILE=long``.
"""

from __future__ import annotations

import dataclasses
import functools

from clock_helpers import ticking
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from engine import Comment, Reason, Verdict, decide, load_policy
from engine.normalize import fold_term, prepare

FORMATS = ("text", "html", "markdown")
LONE_SURROGATES = ["\ud800", "\udbff", "\udc00", "\udfff"]
COMBINING = ["\u0301", "\u0336", "\u0338", "\u20dd", "\u0489", "\u1ab0"]
BIDI = ["\u202e", "\u202d", "\u202c", "\u200e", "\u200f", "\u2066", "\u2067", "\u2069", "\u061c"]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e"]
ODD = ["\u0130", "\u00df", "\ufb01", "\ufdfa", "\u01c5", "\u2167", "\u338f", "\U0001d400", "\U0001f921", "\u0000",
       "\u2028", "\r\n", "\uffff", "\U0010ffff"]  # fmt: skip
# Pieces the engine reads specially: insults and targets, markup, entities, quotes and links.
FRAGMENTS = ["you idiot", "You are a complete moron", "f*ck y*u", "1d10t", "i d i o t", "Scunthorpe",
             "<b>", "</b>", "<p>", "<a href='http://x.example'>", "&#105;", "&amp;", "&", "<!--", "-->", "<script>",
             "> ", "\n> ", '"', "\u201c", "\u201d", "[link](http://a.example)", "**", "`", "```\n", "http://b.example/x",
             " ", "\n", "."]  # fmt: skip

pieces = st.one_of(
    st.characters(),  # any code point hypothesis draws (it leaves out surrogates...)
    st.sampled_from(LONE_SURROGATES),  # ...so they are added here
    st.sampled_from(COMBINING + BIDI + ODD),
    st.sampled_from(ZERO_WIDTH).flatmap(lambda z: st.integers(1, 40).map(lambda n: z * n)),  # zero-width runs
    st.sampled_from(FRAGMENTS),
)
hostile_text = st.lists(pieces, max_size=60).map("".join)
formats = st.sampled_from(FORMATS)
PROPERTY = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@functools.cache
def bundled():  # type: ignore[no-untyped-def]
    """The bundled policy, loaded once; not a fixture, so hypothesis never prints its (large) repr."""
    return load_policy()


def check_decision(text: str, d) -> None:  # type: ignore[no-untyped-def]
    assert d.decision in (Verdict.APPROVE, Verdict.FLAG, Verdict.REJECT)
    assert not d.reasons or d.decision is Verdict.FLAG  # decided without rules: never approved
    for hit in (*d.hits, *d.shadow_hits):
        if hit.span is None:
            continue
        start, end = hit.span
        assert 0 <= start <= end <= len(text), (hit.rule, hit.span, len(text))
        assert text[start:end] == hit.match, (hit.rule, text[start:end], hit.match)


@PROPERTY
@given(text=hostile_text, fmt=formats)
@example(text="\ud800 you idiot \udfff", fmt="text")
@example(text="y\u200bo\u200bu i\u200bd\u200bi\u200bo\u200bt", fmt="html")
@example(text="\u202etoidi na era uoy \u202c you idiot", fmt="markdown")
@example(text="e\u0301" * 300 + " you moron", fmt="html")
def test_decide_never_raises_is_deterministic_and_spans_point_at_their_match(text, fmt):
    policy = bundled()
    first = decide(policy, Comment(text=text, format=fmt))
    check_decision(text, first)
    again = decide(policy, Comment(text=text, format=fmt))
    assert again.to_dict() == first.to_dict()


@PROPERTY
@given(text=hostile_text, fmt=formats)
# a lookalike cut off from spaced letters by characters that fold to spaces: read alike on the second fold
@example(text="\u00b5\ud800\x80i d i o t", fmt="text")
def test_normalization_is_idempotent(text, fmt):
    norm = prepare(text, fmt).norm
    assert prepare(norm).norm == norm
    assert fold_term(fold_term(text)) == fold_term(text)


@PROPERTY
@given(text=hostile_text, fmt=formats)
def test_every_normalized_character_maps_into_the_text_as_received(text, fmt):
    p = prepare(text, fmt)
    for i in range(len(p.norm)):
        start, end = p.raw_span(i, i + 1)
        assert 0 <= start < end <= len(text)


MEGABYTE = 1_000_000


@settings(deadline=None, max_examples=4, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(seed=hostile_text.filter(bool), fmt=formats)
@example(seed="\u201e", fmt="html")  # unclosed quotation marks: once quadratic, minutes past the budget
@example(seed="\u00ab" + "a", fmt="text")
@example(seed="\u201c" + "you idiot ", fmt="markdown")
def test_a_megabyte_body_is_decided_within_its_budget(seed, fmt):
    policy = bundled()
    text = (seed * (MEGABYTE // len(seed) + 1))[:MEGABYTE]
    roomy = dataclasses.replace(policy, max_chars=2 * MEGABYTE)  # past the policy's own length limit
    # a clock that moves at each look: the decision stops at its first look past the 100th (how late by a real
    # clock, the work between two looks, is printed by bench/hostile.py, never timed here)
    with ticking() as clock:
        d = decide(roomy, Comment(text=text, format=fmt), deadline=100.5)
    assert clock.looks <= 101 and (clock.looks < 101 or d.reasons == (Reason.TIMEOUT,))
    check_decision(text, d)
    short = decide(policy, Comment(text=text, format=fmt))  # the policy's own limit: flagged unread
    assert short.decision is Verdict.FLAG and [r.value for r in short.reasons] == ["too_long"]
