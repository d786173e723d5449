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


class TestCompiledOnce:
    """A pattern or a set of lists written in several places compiles once; each place still reports its own
    errors."""

    def test_equal_patterns_share_one_compiled_regex(self, tmp_path: Path) -> None:
        r = r"{regex: '\bnice try\W{1,3}genius\b'}"
        body = rule(r) + rule(r, rid="s").split("rules:\n", 1)[1]
        policy = load_policy(write_policy(tmp_path, {"a": body, "b": rule(r, rid="t")}))
        assert len({id(rule.match.pattern) for rule in policy.rules}) == 1
        assert [h.rule for h in decide(policy, Comment(text="Nice try, genius")).hits] == ["a.r", "a.s", "b.t"]
        # a raw regex is another search (with case, on the visible text)
        raw = load_policy(write_policy(tmp_path / "raw", {"a": rule(r.replace("regex", "raw_regex"))}))
        assert raw.rules[0].match.pattern is not policy.rules[0].match.pattern

    @pytest.mark.parametrize(
        "pattern, error",
        [(r"(\w+\s?)*$", "catastrophic regular expression"), ("you [idiot", "invalid regular expression")],
    )
    def test_a_bad_pattern_is_reported_where_each_rule_writes_it_at_every_load(
        self, tmp_path: Path, pattern: str, error: str
    ) -> None:
        from engine import PolicyError

        m = f"{{regex: '{pattern}'}}"
        root = write_policy(tmp_path, {"a": rule(m), "b": rule(m, rid="s")})
        for _ in range(2):  # the second load compiles nothing new, and still refuses the pattern
            with pytest.raises(PolicyError) as info:
                load_policy(root)
            first, second = str(info.value).splitlines()
            assert first.startswith(f"{root}/a.yaml:7:20: rule 'a.r': field 'match.regex': {error}")
            assert second.startswith(f"{root}/b.yaml:7:20: rule 'b.s': field 'match.regex': {error}")
            (root / "a.yaml").write_text(rule(m) + "\n")  # another digest: not the loader's memo of the policy

    def test_lists_merged_once_for_every_matcher_naming_them(self, tmp_path: Path) -> None:
        m = "{list: [insults, targets]}"
        body = rule(m) + "".join(rule(w, rid=r).split("rules:\n", 1)[1] for w, r in ((m, "s"), ("{list: [targets, insults]}", "t")))
        policy = load_policy(write_policy(tmp_path, {"a": body}))
        first, second, third = (rule.match.terms for rule in policy.rules)
        assert first is second and first.singles == third.singles
        assert [h.span for h in decide(policy, Comment(text="what a moron")).hits] == [(7, 12)] * 3
