"""What a hit shows: the offending words of every case of the default policy, never the pointer before them."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine import Comment, decide, load_policy
from engine.cli import main

POLICY = load_policy()
FIRING = [c for c in POLICY.cases if c.expect]
VALID = Path(__file__).parent / "policies" / "valid"

# words that point at the target or introduce the insult; a span that starts with one shows the pointer
POINTERS = {
    "a", "an", "the", "such", "so", "this", "that", "these", "those", "you", "you're", "youre", "your", "ur",
    "u", "he", "she", "they", "he's", "she's", "they're",
}  # fmt: skip


def _first_word(match: str) -> str:
    return match.split()[0].casefold().replace("\u2019", "'")


@pytest.mark.parametrize("case", FIRING, ids=[str(c.location) for c in FIRING])
def test_each_hit_shows_the_offending_words(case) -> None:  # type: ignore[no-untyped-def]
    d = decide(POLICY, case.comment)
    text = case.comment.text
    for h in d.hits + d.shadow_hits:
        if h.span is None:
            continue  # a property of the whole comment (its length, its capitals)
        assert text[h.span[0] : h.span[1]] == h.match
        assert h.match.strip() == h.match and not unicodedata.category(h.match[0]).startswith("P"), h
        assert not unicodedata.category(h.match[-1]).startswith("P") or h.match[-1] in "*", h
        assert _first_word(h.match) not in POINTERS, h


def test_nobody_as_a_pronoun_is_no_insult() -> None:
    text = "People like you are the reason nobody comes to these meetings any more."
    d = decide(POLICY, Comment(text=text))
    assert [h.match for h in d.hits if h.category == "name_calling"] == []


def test_a_span_of_pointer_words_only_is_shown_whole(tmp_path: Path) -> None:
    import shutil

    policy = tmp_path / "p"
    shutil.copytree(VALID, policy)
    (policy / "policy.yaml").write_text((policy / "policy.yaml").read_text() + "not_shown: [targets]\n")
    r = CliRunner().invoke(main, ["check", "--policy", str(policy), "--json", "you, idiot"])
    assert r.exit_code == 0, r.output
    assert [h["match"] for h in json.loads(r.output)["hits"]] == ["idiot"]
    broken = tmp_path / "b"
    shutil.copytree(VALID, broken)
    (broken / "policy.yaml").write_text((broken / "policy.yaml").read_text() + "not_shown: [targetz]\n")
    r = CliRunner().invoke(main, ["lint", str(broken)])
    assert r.exit_code == 1 and "field 'not_shown': no list named 'targetz'; did you mean 'targets'?" in r.output


def test_a_hit_never_shows_a_span_of_pointer_words_when_it_has_another(tmp_path: Path) -> None:
    import shutil

    policy = tmp_path / "p"
    shutil.copytree(VALID, policy)
    (policy / "policy.yaml").write_text((policy / "policy.yaml").read_text() + "not_shown: [targets]\n")
    # `all` lists its spans in text order: the target ("you") comes first, the hit still shows the insult
    (policy / "both.yaml").write_text(
        "rules:\n"
        "  - id: target_and_insult\n"
        "    category: name_calling\n"
        "    guideline: no-name-calling\n"
        "    score: 5\n"
        "    message: Please criticize the idea, not the person.\n"
        "    match:\n"
        "      all: [{list: targets}, {list: insults}]\n"
    )
    p = load_policy(policy)
    text = "You, in my opinion, are a  brainless  clod"
    d = decide(p, Comment(text=text))
    hit = next(h for h in d.hits if h.rule == "both.target_and_insult")
    assert hit.match == "brainless" and text[hit.span[0] : hit.span[1]] == "brainless"
    # the pointer's span is not listed either; every listed span is exact in the original
    assert [text[s:e] for s, e in hit.spans] == ["brainless"]
    # a hit with nothing but pointer words still shows them, whole
    (policy / "both.yaml").write_text((policy / "both.yaml").read_text().replace("{list: insults}", "{words: [ur]}"))
    d = decide(load_policy(policy), Comment(text="you and ur pals"))
    hit = next(h for h in d.hits if h.rule == "both.target_and_insult")
    assert hit.match == "you" and [list(s) for s in hit.spans] == [[0, 3], [8, 10]]


def test_check_groups_overlapping_hits_into_one_line() -> None:
    r = CliRunner().invoke(main, ["check", "You're such a cl0wn lol"])
    lines = r.output.splitlines()
    word_lines = [line for line in lines if line.startswith("    \u201c")]
    assert len(word_lines) == 1 and word_lines[0].startswith("    \u201ccl0wn\u201d [14, 19)  +")
    j = CliRunner().invoke(main, ["check", "--json", "You're such a cl0wn lol"])
    # the JSON keeps every hit
    assert len(json.loads(j.output)["hits"]) > 1
    two = CliRunner().invoke(
        main, ["check", "--policy", str(VALID), "you idiot, check out my channel http://a.example http://b.example"]
    )
    assert sum(line.startswith("    ") and "+" in line for line in two.output.splitlines()) >= 2
