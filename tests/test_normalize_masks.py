"""Masked words read as the words of the policy they fit (engine/normalize_masks.py)."""

from __future__ import annotations

import pytest

import engine
from engine.normalize import prepare
from engine.normalize_masks import MaskReader


def reader(common: dict[str, int], function: set[str] = frozenset(), terms: set[str] = frozenset()) -> MaskReader:
    return MaskReader(common, frozenset(function), frozenset(terms))


def test_a_masked_word_reads_as_the_word_it_fits() -> None:
    r = reader({"shoulder": 3, "shouldst": 1, "know": 5, "knew": 4})
    assert r.read("s*ould*r") == ("shoulder", ("s*ould*r",), True)
    assert r.read("kn*w") == ("know", ("kn*w", "knew"), True)  # the commonest first, the others as readings
    assert r.read("*now") is None and r.read("kno*") is None  # at an edge a '*' is emphasis
    assert r.read("sn*w") is None  # no word of the vocabulary
    for says_too_little in ("****", "f***", "k***w"):
        assert r.read(says_too_little) is None


def test_a_function_word_far_commoner_than_a_swear_word_drops_the_mask() -> None:
    r = reader({"that": 10, "twat": 5, "cant": 4, "cunt": 6, "not": 10, "nut": 3}, {"that", "cant", "not"}, {"twat", "cunt", "nut"})
    assert r.read("t*at") == ("that", (), False)  # not "twat": nobody disguises "that"
    assert r.read("n#t".replace("#", "*")) == ("not", (), False)
    # as common as the swear word: the shape keeps its reading
    assert r.read("c*nt") == ("cunt", ("c*nt", "cant"), True)


def test_a_word_that_is_no_list_term_is_the_reading_patterns_see_when_as_common() -> None:
    r = reader({"hope": 7, "hole": 7, "home": 7, "hoe": 1}, set(), {"hole"})
    assert r.read("ho*e")[0] == "hope"


def test_a_word_with_two_masks_reads_as_the_word_it_fits() -> None:
    r = reader({"idiot": 2}, set(), {"idiot"})
    assert r.read("id**t") == ("idiot", ("id**t",), True)
    assert r.read("i*iot")[0] == "idiot"


def test_prepare_reads_masked_words_and_keeps_their_places() -> None:
    r = reader({"shoulder": 3, "over": 9, "your": 9}, {"your", "over"})
    text = "Keep looking over yo#r s*ould*r."
    p = prepare(text, masks=r)
    assert p.words.texts == ["keep", "looking", "over", "your", "shoulder"]
    assert p.read is not None and p.read.text == "keep looking over your shoulder."
    tok = p.tokens[-1]
    assert p.raw_span(tok.start, tok.end) == (text.index("s*"), len(text) - 1)
    # without a reader, as before
    assert prepare(text).words.texts[-1] == "s*ould*r"


@pytest.fixture(scope="module")
def policy() -> engine.Policy:
    return engine.load_policy(None)


def decided(policy: engine.Policy, text: str) -> engine.Decision:
    return engine.decide(policy, engine.Comment(text=text))


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("I'm going to b*rn your house down.", "b*rn"),
        ("Someone is going to break your l*gs.", "l*gs"),
        ("You sh*uld be very afraid.", "sh*uld"),
        ("I'll be waiting outside your h*use.", "h*use"),
    ],
)
def test_masked_words_of_a_threat_are_read_and_shown_as_written(policy: engine.Policy, text: str, shown: str) -> None:
    d = decided(policy, text)
    assert d.decision != engine.Verdict.APPROVE
    assert any(shown in text[h.span[0] : h.span[1]] for h in d.hits if h.span)


@pytest.mark.parametrize(
    "text",
    [
        "Wh*t a lovely day, th*t was fun.",
        "N*t sure about th*s one.",
        "Y*u made my day, thanks.",
        "I h*pe you feel better soon.",
        "H*llo everyone, first post.",
        "Go Sc*nthorpe United!",
        "I need to a*sess the damage.",
        "The l*st bus leaves at ten.",
        "That was a h*ll of a game.",
        "T*at is a fair point about the budget.",
        "Thanks, you're a st*r!",
        "You are a l*gend, the garden looks amazing.",
    ],
)
def test_masked_innocent_words_stay_innocent(policy: engine.Policy, text: str) -> None:
    assert decided(policy, text).decision == engine.Verdict.APPROVE


@pytest.mark.parametrize("text", ["You stupid c*nt", "you're a tw*t", "f*ck you", "you absolute id**t"])
def test_masked_swear_words_still_flag(policy: engine.Policy, text: str) -> None:
    assert decided(policy, text).decision != engine.Verdict.APPROVE


def test_emphasis_inside_a_word_reads_as_the_word_when_no_masked_word_fits() -> None:
    r = reader({"bringing": 3, "shame": 5, "work": 8})
    assert r.read("bring*ing") == ("bringing", ("bring*ing",), True)
    assert r.read("sh**ame") == ("shame", ("sh**ame",), True)
    assert r.read("work**") is None  # closing emphasis over several words ("**don't work**"): as written


def test_a_spelled_out_run_gives_back_a_word_of_one_letter_beside_it() -> None:
    r = reader(
        {"know": 9, "make": 9, "outside": 7, "lucky": 5, "read": 8, "pathetic": 6, "idiot": 8, "idiota": 3}
        | {"typical": 6, "troll": 5, "address": 7, "your": 9}
    )
    cases = {
        "I k n o w your name": ["i", "know", "your", "name"],
        "don't m a k e me": ["don", "t", "make", "me"],
        "I'm o u t s i d e": ["i", "m", "outside"],
        "l u c k y I guess": ["lucky", "i", "guess"],
        "r e a d a book": ["read", "a", "book"],
        "he's a p a t h e t i c man": ["he", "s", "a", "pathetic", "man"],
        "you i d i o t": ["you", "idiot"],
        "seu i d i o t a": ["seu", "idiota"],  # the whole run is a word: left whole
        "t y p i c a l t r o l l": ["typical", "troll"],  # two words spelled out as one
        "your a d d r e s s": ["your", "address"],  # not the article and "ddress"
    }
    for text, words in cases.items():
        p = prepare(text, masks=r)
        assert p.words.texts == words, text
        for tok in p.tokens:  # each piece covers its own letters
            assert p.norm[tok.start : tok.end].replace(" ", "") == tok.text, text
    assert prepare("I k n o w your name").words.texts[0] == "iknow"  # without a vocabulary, as before


@pytest.mark.parametrize(
    "text",
    [
        "Don't m a k e me come to your house.",
        "I k n o w where you live.",
        "You'd **better** watch your back.",
        "I'll be w*iting outs*de your house.",
    ],
)
def test_spelled_out_and_emphasized_threats_flag(policy: engine.Policy, text: str) -> None:
    assert decided(policy, text).decision != engine.Verdict.APPROVE


@pytest.mark.parametrize(
    "text",
    [
        "s c u n t h o r p e united",
        "p e n i s t o n e station",
        "a s s a s s i n creed",
        "c o c k t a i l party",
        "d i c k e n s novels",
        "s h i t a k e mushrooms",
        "I a m so proud of you",
        "what a s t a r you are",
    ],
)
def test_spelled_out_innocent_words_stay_innocent(policy: engine.Policy, text: str) -> None:
    assert decided(policy, text).decision == engine.Verdict.APPROVE
