"""Rule matchers from YAML: regexes on normalized and raw text, fuzzy words, their load errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from policy_helpers import rule, write_policy

from engine import Comment, decide, load_policy


def fired(tmp_path: Path, match: str, text: str, extra: str = "") -> list[tuple[int, int] | None]:
    policy = load_policy(write_policy(tmp_path, {"m": rule(match, extra=extra)}))
    return [h.span for h in decide(policy, Comment(text=text)).hits]


class TestRuleMatchers:
    def test_regex_runs_on_normalized_text_and_maps_back(self, tmp_path: Path) -> None:
        text = "Check OUT my ｃｈａｎｎｅｌ!"
        assert fired(tmp_path, r"{regex: '\bcheck out my channel\b'}", text) == [(0, 20)]

    def test_regex_literals_are_found_for_every_policy_loaded(self, tmp_path: Path) -> None:
        # the literals a regex needs are looked up for all regexes at once; a policy loaded later adds
        # its own, and a comment decided under the first policy still finds the first's
        first = load_policy(write_policy(tmp_path / "a", {"m": rule(r"{regex: '\b(?:nice|fine) try\W{1,3}genius\b'}")}))
        scan_text = "nice try, genius"
        assert [h.span for h in decide(first, Comment(text=scan_text)).hits] == [(0, 16)]
        second = load_policy(write_policy(tmp_path / "b", {"m": rule(r"{regex: '\b(?:so|quite) brave\W{1,3}hero\b'}")}))
        assert [h.span for h in decide(second, Comment(text="so brave, hero")).hits] == [(0, 14)]
        assert [h.span for h in decide(second, Comment(text="so bold, hero")).hits] == []  # "brave" missing
        assert [h.span for h in decide(first, Comment(text="fine try.. genius")).hits] == [(0, 17)]
        assert decide(first, Comment(text="nice try")).hits == ()

    def test_regex_sees_evasions_undone_and_maps_back(self, tmp_path: Path) -> None:
        m = r"{regex: ',\s*(?:dummy|stupid)[\s.!]*$'}"
        # the span shows the word as written, as for the plain comment
        assert fired(tmp_path / "a", m, "Sit down, d u m m y.") == [(10, 19)]
        assert fired(tmp_path / "b", m, "Sit down, st.u.p.1d") == [(10, 19)]
        assert fired(tmp_path / "c", m, "Sit down, stupid.") == [(10, 16)]
        assert fired(tmp_path / "d", m, "Sit down, s t u d y.") == []

    def test_raw_regex_keeps_case(self, tmp_path: Path) -> None:
        assert fired(tmp_path, r"{raw_regex: '\b[A-Z]{5,}\b'}", "this is SHOUTING") == [(8, 16)]
        assert fired(tmp_path, r"{raw_regex: '\b[A-Z]{5,}\b'}", "this is shouting") == []

    def test_list_terms_that_end_the_sentence_or_the_comment(self, tmp_path: Path) -> None:
        m = "{list: insults, ends: sentence}"
        assert fired(tmp_path / "a", m, "Sit down, idiot. We are done") == [(10, 15)]
        assert fired(tmp_path / "b", m, "Sit down (idiot)!") == [(10, 15)]
        assert fired(tmp_path / "c", m, "an idiot would say that") == []
        assert fired(tmp_path / "d", m, "the idiot's car") == []
        m = "{words: [moron], ends: comment}"
        assert fired(tmp_path / "e", m, "Sit down, moron!!") == [(10, 15)]
        assert fired(tmp_path / "f", m, "Sit down, moron. We are done") == []

    def test_list_ends_must_be_sentence_or_comment(self, tmp_path: Path) -> None:
        from engine import PolicyError

        with pytest.raises(PolicyError, match="field 'match.ends': must be one of 'sentence', 'comment'"):
            load_policy(write_policy(tmp_path, {"m": rule("{list: insults, ends: line}")}))

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
