"""Word lists: whole words, phrases, prefixes, masks and evasions, at any list size."""

from __future__ import annotations

import pytest

from engine import Comment
from engine.scan import Scan
from engine.terms import TermSet, term_words


def spans(terms: list[str], text: str) -> list[str]:
    scan = Scan(Comment(text=text), None)
    return [text[slice(*scan.raw_span(s))] for s in TermSet(terms).find(scan, quotes_ok=True)]


class TestTermSet:
    @pytest.mark.parametrize(
        "text, found",
        [
            ("You idiot.", ["idiot"]),
            ("IDIOT!!!", ["IDIOT"]),
            ("Scunthorpe is a town; Middlesex too.", []),
            ("that idiotic argument", []),
            ("idiots everywhere", []),
            ("what a waste  of\nspace", ["waste  of\nspace"]),
            ("what a waste of time", []),
            ("you brainless twit", ["brainless"]),
            ("brainlessness is a word?", ["brainlessness"]),
        ],
    )
    def test_whole_words_and_phrases(self, text: str, found: list[str]) -> None:
        assert spans(["idiot", "waste of space", "brainless*"], text) == found

    @pytest.mark.parametrize(
        "text, found",
        [
            ("Du Fachidiot!", ["Fachidiot"]),
            ("Polit-Idiot und Polit-Clown", ["Polit-Idiot"]),  # joined across a hyphen
            ("Idiot", []),  # the head alone is a word of its own: list it as such
            ("diese VOLKSVERRÄTER", ["VOLKSVERRÄTER"]),  # umlauts read without their dots, both sides
            ("Landesverräter und Hochverräter", ["Landesverräter", "Hochverräter"]),
            ("Idiotie ist eine Krankheit", []),  # the head must end the word
            ("die Verräterin", []),  # an inflection is a term of its own
            ("ein Verrat am Volk", []),
        ],
    )
    def test_a_leading_star_is_a_words_end(self, text: str, found: list[str]) -> None:
        assert sorted(spans(["*idiot", "*verräter"], text)) == sorted(found)

    @pytest.mark.parametrize("text", ["1d10t", "i d i o t", "іdiоt", "ＩＤＩＯＴ", "idiooot", "id*ot"])
    def test_evasions_reach_the_list(self, text: str) -> None:
        assert spans(["idiot"], f"you {text} there") == [text]

    @pytest.mark.parametrize("text", ["iddiot", "idiiot", "IDIOTT", "mooron"])
    def test_one_doubled_letter_reaches_the_list(self, text: str) -> None:
        assert spans(["idiot", "moron"], f"you {text} there") == [text]

    def test_doubled_letters_spare_real_words_and_short_terms(self) -> None:
        scan_terms = TermSet(["loser", "prat"], real_words=frozenset({"looser"}))
        for text in ("the rules are looser now", "Chris Pratt was there", "a losserr"):
            scan = Scan(Comment(text=text), None)
            assert scan_terms.find(scan, quotes_ok=True) == []
        assert spans(["loser"], "what a losser") == ["losser"]

    @pytest.mark.parametrize("text", ["id.iot", "idi-ot", "id_iot", "ID.IOT"])
    def test_a_dot_hyphen_or_underscore_inside_a_word_reaches_the_list(self, text: str) -> None:
        assert spans(["idiot"], f"you {text} there") == [text]

    def test_glued_words_match_whole_terms_only(self) -> None:
        # joined across the mark only, never across a space
        assert spans(["knownidiot", "wellknown"], "a well-known idiot") == ["well-known"]
        assert spans(["us", "mail"], "e-mail from the U.S.") == ["mail", "U.S"]
        assert spans(["moron"], "you m.o.r.o.n") == ["m.o.r.o.n"]  # one hit, not two readings

    @pytest.mark.parametrize(
        "text, found",
        [
            ("well f*ck you too", ["f*ck you"]),
            ("fuck y*u", ["fuck y*u"]),
            ("shut the f**k up", ["shut the f**k up"]),
            ("**** you", []),  # says too little to name a word
            ("f*ck this weather", []),
        ],
    )
    def test_a_masked_word_inside_a_phrase(self, text: str, found: list[str]) -> None:
        assert spans(["fuck you", "shut the fuck up"], text) == found

    def test_a_masked_stretched_word_is_read_with_each_run_once_or_twice(self) -> None:
        # "mentally": one t, two l; "boomer": two o, one e; alone and inside a phrase
        assert spans(["mentally unstable"], "she is meeee**alllllly unstable") == ["meeee**alllllly unstable"]
        assert spans(["boomer"], "ok boooo*eeeeeer") == ["boooo*eeeeeer"]
        assert spans(["ok boomer"], "ok boooo*eeeeeer") == ["ok boooo*eeeeeer"]
        assert spans(["fuck you"], "ffffu*kkkkk you") == ["ffffu*kkkkk you"]
        # only the word's own letters once or twice: no other length fits
        assert spans(["boomers"], "ok boooo*eeeeeer") == []

    def test_masks_need_enough_letters(self) -> None:
        assert spans(["idiot"], "you i****") == []

    def test_terms_split_like_comments(self) -> None:
        assert term_words("You're") == ["you", "re"]
        assert term_words("  Waste of SPACE ") == ["waste", "of", "space"]

    def test_list_size_does_not_change_results(self) -> None:
        big = [f"zq{i}x" for i in range(50_000)] + ["moron", "idiot"]
        assert spans(big, "you moron") == ["moron"]
        assert spans(big, "you id*ot, m*ron") == ["id*ot", "m*ron"]
        assert spans(big, "you *dio*") == []  # masked at both ends: too loose to name a word
        # a list this long keeps its words as written: no doubled spellings
        assert TermSet(big).doubled == frozenset()


def test_lists_with_the_same_terms_share_their_content_and_one_search_per_comment():
    from engine.matchers import ListMatcher

    a = ListMatcher(TermSet(["idiot", "you are a clown"]))
    b = ListMatcher(TermSet(["you are a clown", "idiot", "idiot"]))  # the same terms, written otherwise
    other = ListMatcher(TermSet(["idiot"]))
    merged = ListMatcher(TermSet(["idiot"]).merged(TermSet(["you are a clown"])))
    assert a.terms.content is b.terms.content is merged.terms.content
    assert other.terms.content is not a.terms.content
    scan = Scan(Comment(text="You are a clown, an idiot."), None)
    first = a.find(scan, False)
    assert [(s.start, s.end) for s in first] == [(0, 15), (20, 25)]
    first.clear()  # a caller's list is its own: what the next rule gets is whole
    assert b.find(scan, False) == merged.find(scan, False) == a.find(scan, False)
    assert len(b.find(scan, False)) == 2
    assert [(s.start, s.end) for s in other.find(scan, False)] == [(20, 25)]
