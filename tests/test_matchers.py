"""Word lists, phrases, prefixes, masks, fuzzy words and regexes, on real comments."""

from __future__ import annotations

from pathlib import Path

import pytest
from policy_helpers import rule, write_policy

from engine import Comment, decide, load_policy
from engine.matchers import TermSet, term_words
from engine.scan import Scan


def fired(tmp_path: Path, match: str, text: str, extra: str = "") -> list[tuple[int, int] | None]:
    policy = load_policy(write_policy(tmp_path, {"m": rule(match, extra=extra)}))
    return [h.span for h in decide(policy, Comment(text=text)).hits]


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

    @pytest.mark.parametrize("text", ["1d10t", "i d i o t", "іdiоt", "ＩＤＩＯＴ", "idiooot", "id*ot"])
    def test_evasions_reach_the_list(self, text: str) -> None:
        assert spans(["idiot"], f"you {text} there") == [text]

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


class TestRuleMatchers:
    def test_regex_runs_on_normalized_text_and_maps_back(self, tmp_path: Path) -> None:
        text = "Check OUT my ｃｈａｎｎｅｌ!"
        assert fired(tmp_path, r"{regex: '\bcheck out my channel\b'}", text) == [(0, 20)]

    def test_raw_regex_keeps_case(self, tmp_path: Path) -> None:
        assert fired(tmp_path, r"{raw_regex: '\b[A-Z]{5,}\b'}", "this is SHOUTING") == [(8, 16)]
        assert fired(tmp_path, r"{raw_regex: '\b[A-Z]{5,}\b'}", "this is shouting") == []

    def test_fuzzy_catches_misspellings_not_neighbours(self, tmp_path: Path) -> None:
        m = "{fuzzy: {words: [moron, imbecile], distance: 1}}"
        assert fired(tmp_path / "a", m, "you imbecle") == [(4, 11)]
        assert fired(tmp_path / "b", m, "you moron") == [(4, 9)]
        # short terms match only exactly: one edit from "moron" are names and words
        assert fired(tmp_path / "c", m, "Morton is a town; more on that, you morn") == []

    def test_fuzzy_refuses_big_lists(self, tmp_path: Path) -> None:
        from engine import PolicyError

        words = ", ".join(f"w{i}abc" for i in range(2001))
        with pytest.raises(PolicyError, match="fuzzy matching is limited to 2000 terms"):
            load_policy(write_policy(tmp_path, {"m": rule(f"{{fuzzy: {{words: [{words}]}}}}")}))
