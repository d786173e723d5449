"""Loading and validating policy directories: typed results, and every error with its location."""

from __future__ import annotations

from pathlib import Path

import pytest
from policy_helpers import rule, write_policy

from engine import Comment, PolicyError, decide, load_policy
from engine.policy import forget_loaded, policy_hash

VALID = Path(__file__).parent / "policies" / "valid"


def errors_of(root: Path) -> list[str]:
    with pytest.raises(PolicyError) as info:
        load_policy(root)
    return str(info.value).splitlines()


class TestValid:
    def test_rules_are_namespaced_by_file(self) -> None:
        policy = load_policy(VALID)
        assert [r.id for r in policy.rules] == [
            "name_calling.insult_at_person",
            "name_calling.watch_clown",
            "spam.many_links",
            "spam.promo",
            "spam.kill",
        ]
        assert policy.categories == ("threat", "name_calling", "spam")
        assert policy.thresholds.flag == 3 and policy.thresholds.reject == 20

    def test_version_is_field_and_hash(self) -> None:
        policy = load_policy(VALID)
        assert policy.version == f"t1-{policy_hash(VALID)}"
        assert len(policy.version.split("-")[1]) == 8

    def test_hash_changes_with_any_edit_or_rename(self, tmp_path: Path) -> None:
        root = write_policy(tmp_path / "p", {"a": rule("{words: [idiot]}")})
        first = policy_hash(root)
        (root / "a.yaml").rename(root / "b.yaml")
        renamed = policy_hash(root)
        (root / "b.yaml").write_text((root / "b.yaml").read_text() + "\n")
        assert len({first, renamed, policy_hash(root)}) == 3

    def test_unchanged_files_load_as_the_same_compiled_policy_and_an_edit_compiles_anew(self, tmp_path: Path) -> None:
        root = write_policy(tmp_path / "p", {"a": rule("{words: [idiot]}")})
        first = load_policy(root)
        assert load_policy(root) is first
        forget_loaded()
        assert load_policy(root) is not first
        first = load_policy(root)
        assert load_policy(root, refuse_unsafe_regex=False) is not first  # another compile setting
        (root / "a.yaml").write_text(rule("{words: [moron]}"))
        edited = load_policy(root)
        assert edited is not first and edited.version != first.version
        assert [h.match for h in decide(edited, Comment(text="you moron")).hits] == ["moron"]
        assert decide(edited, Comment(text="you idiot")).hits == ()

    def test_cases_resolve_short_ids(self) -> None:
        policy = load_policy(VALID)
        assert policy.cases[0].expect == ("name_calling.insult_at_person",)
        assert policy.cases[1].expect == ()


class TestErrors:
    def test_yaml_syntax_error_has_line_and_column(self, tmp_path: Path) -> None:
        root = write_policy(tmp_path, {"a": "rules:\n  - id: x\n    match: {words: [idiot\n"})
        (msg,) = errors_of(root)
        assert msg.startswith(f"{root}/a.yaml:4:1: invalid YAML")

    def test_unknown_field_suggests_the_close_one(self, tmp_path: Path) -> None:
        root = write_policy(tmp_path, {"a": rule("{words: [idiot]}", extra="    scroe: 3\n")})
        assert errors_of(root) == [
            f"{root}/a.yaml:8:5: rule 'a.r': field 'scroe': unknown field 'scroe'; did you mean 'score'?"
        ]

    def test_inside_exception_takes_no_distance(self, tmp_path: Path) -> None:
        extra = "    unless:\n      - inside: {words: [not]}\n        within: 1\n"
        root = write_policy(tmp_path, {"a": rule("{words: [idiot]}", extra=extra)})
        assert errors_of(root) == [
            f"{root}/a.yaml:10:17: rule 'a.r': field 'unless[0].within': "
            "'inside' looks among the hit's own words and takes no 'within'"
        ]

    def test_exception_scope_is_a_sentence_or_a_clause(self, tmp_path: Path) -> None:
        extra = "    unless:\n      - before: {words: [not]}\n        within: 1\n        scope: paragraph\n"
        root = write_policy(tmp_path, {"a": rule("{words: [idiot]}", extra=extra)})
        assert errors_of(root) == [
            f"{root}/a.yaml:11:16: rule 'a.r': field 'unless[0].scope': must be one of 'sentence', 'clause'"
        ]

    def test_real_words_must_be_a_list(self, tmp_path: Path) -> None:
        root = write_policy(
            tmp_path, {"a": rule("{words: [idiot]}")}, lists="language: en\nreal_words: looser\nlists: {x: [y]}\n"
        )
        assert errors_of(root) == [f"{root}/lists/en.yaml:2:13: field 'real_words': must be a list of words or phrases"]

    def test_everyday_words_need_the_files_language(self, tmp_path: Path) -> None:
        root = write_policy(tmp_path, {"a": rule("{words: [idiot]}")}, lists="everyday_words: [Abo]\nlists: {x: [y]}\n")
        assert errors_of(root) == [f"{root}/lists/en.yaml:1:17: 'everyday_words' needs the file's 'language:'"]

    def test_a_broken_rule_is_reported_once_not_at_every_case(self, tmp_path: Path) -> None:
        cases = {"a": "cases:\n  - text: you idiot\n    expect: [r]\n  - text: hi\n    expect: [nope]\n"}
        root = write_policy(tmp_path, {"a": rule("{list: insultz}")}, cases=cases)
        assert errors_of(root) == [
            f"{root}/a.cases.yaml:5:14: field 'cases[1].expect': no rule 'a.nope'",
            f"{root}/a.yaml:7:19: rule 'a.r': field 'match.list': no list named 'insultz'; did you mean 'insults'?",
        ]
        (tmp_path / "a.yaml").write_text("rules:\n  - id: r\n    match: {words: [idiot]\n")
        (msg,) = errors_of(root)
        assert msg.startswith(f"{root}/a.yaml:4:1: invalid YAML")

    def test_unknown_matcher_lists_the_known_ones(self, tmp_path: Path) -> None:
        root = write_policy(tmp_path, {"a": rule("{wrods: [idiot]}")})
        (msg,) = errors_of(root)
        assert msg.startswith(
            f"{root}/a.yaml:7:13: rule 'a.r': field 'match': unknown matcher 'wrods'; did you mean 'words'?"
        )

    def test_bad_regex(self, tmp_path: Path) -> None:
        root = write_policy(tmp_path, {"a": rule("{regex: 'you [idiot'}")})
        (msg,) = errors_of(root)
        assert msg.startswith(f"{root}/a.yaml:7:20: rule 'a.r': field 'match.regex': invalid regular expression:")

    def test_catastrophic_regex(self, tmp_path: Path) -> None:
        root = write_policy(tmp_path, {"a": rule(r"{regex: '(\w+\s?)*$'}")})
        (msg,) = errors_of(root)
        assert msg.startswith(f"{root}/a.yaml:7:20: rule 'a.r': field 'match.regex': catastrophic regular expression")

    def test_unknown_list_category_and_guideline(self, tmp_path: Path) -> None:
        body = rule("{list: insluts}", category="rudeness", guideline="nope")
        root = write_policy(tmp_path, {"a": body})
        assert errors_of(root) == [
            f"{root}/a.yaml:3:15: rule 'a.r': field 'category': unknown category 'rudeness' (one of: threat, name_calling, spam)",
            f"{root}/a.yaml:4:16: rule 'a.r': field 'guideline': no guideline with id 'nope' in policy.yaml",
            f"{root}/a.yaml:7:19: rule 'a.r': field 'match.list': no list named 'insluts'; did you mean 'insults'?",
        ]

    def test_duplicate_ids_and_missing_fields_all_reported(self, tmp_path: Path) -> None:
        two = rule("{words: [idiot]}") + rule("{words: [moron]}").replace("rules:\n", "")
        root = write_policy(tmp_path, {"a": two, "b": "rules:\n  - id: y\n    category: spam\n"})
        msgs = errors_of(root)
        assert (
            f"{root}/a.yaml:8:5: rule 'a.r': field 'id': duplicate rule id, first defined at {root}/a.yaml:2:5" in msgs
        )
        assert f"{root}/b.yaml:2:5: rule 'b.y': missing required field 'guideline'" in msgs
        assert f"{root}/b.yaml:2:5: rule 'b.y': missing required field 'match'" in msgs

    def test_duplicate_key_and_empty_value(self, tmp_path: Path) -> None:
        root = write_policy(tmp_path, {"a": rule("{words: [idiot]}", extra="    score: 4\n"), "b": "rules:\n"})
        assert errors_of(root) == [
            f"{root}/a.yaml:8:5: field 'rules[0].score': duplicate key 'score'",
            f"{root}/b.yaml:1:7: field 'rules': empty value (write a value or remove the key)",
        ]

    def test_case_naming_an_unknown_rule(self, tmp_path: Path) -> None:
        root = write_policy(
            tmp_path, {"a": rule("{words: [idiot]}")}, cases={"a": "cases:\n  - text: hi\n    expect: [nope]\n"}
        )
        assert errors_of(root) == [f"{root}/a.cases.yaml:3:14: field 'cases[0].expect': no rule 'a.nope'"]

    def test_missing_policy_yaml(self, tmp_path: Path) -> None:
        assert errors_of(tmp_path) == [f"{tmp_path}/policy.yaml:1:1: no policy.yaml in this directory"]


class TestLanguagePacks:
    """A community adds a language with YAML only: a list file and rules that name the language."""

    SPANISH = {
        "insultos": """\
            rules:
              - id: insulto
                category: name_calling
                guideline: civil
                score: 5
                language: es
                message: Critica las ideas, no a las personas.
                match:
                  near: [{list: insultos}, {list: segunda_persona}]
                  within: 2
            """,
    }

    def write(self, tmp_path: Path) -> Path:
        root = write_policy(tmp_path, self.SPANISH)
        (root / "lists" / "es.yaml").write_text(
            "language: es\nlists:\n  insultos: [idiota, imbécil, 'pedazo de idiota']\n  segunda_persona: [eres, tú, usted]\n"
        )
        return root

    @pytest.mark.parametrize(
        "text, match",
        [
            ("¡Eres un imbécil!", "imbécil"),
            ("eres un IMBÉCIL", "IMBÉCIL"),
            ("tú, imbe\u0301cil", "imbe\u0301cil"),  # a combining accent
            ("Eres un 1d10ta", "1d10ta"),
        ],
    )
    def test_a_spanish_pack_matches_with_unicode_words(self, tmp_path: Path, text: str, match: str) -> None:
        from engine import Comment, decide

        policy = load_policy(self.write(tmp_path))
        hits = decide(policy, Comment(text=text, context={"language": "es"})).hits
        assert [h.match for h in hits] == [match]

    def test_words_of_other_lengths_and_other_languages_stay_clean(self, tmp_path: Path) -> None:
        from engine import Comment, decide

        policy = load_policy(self.write(tmp_path))
        assert decide(policy, Comment(text="la imbecilidad de la ley", context={"language": "es"})).hits == ()
        # the rule names its language: a comment known to be English is not matched against it
        assert decide(policy, Comment(text="eres un idiota", context={"language": "en"})).hits == ()
        # a comment whose language is unknown is matched against every rule
        assert [h.rule for h in decide(policy, Comment(text="eres un idiota")).hits] == ["insultos.insulto"]
