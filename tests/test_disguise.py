"""The disguise generator: deterministic, every kind changes the text it is aimed at, and it shares no
table with the engine's normalization (a measure against it would otherwise be true by construction)."""

from __future__ import annotations

import ast
import unicodedata
from pathlib import Path

import pytest

from engine import disguise

TEXT = "You absolute idiot, the schedule was posted last week."
IDIOT = (13, 18)


def test_same_seed_same_variants_other_seed_differs() -> None:
    a = disguise.variants(TEXT, seed=4, spans=[IDIOT])
    assert a == disguise.variants(TEXT, seed=4, spans=[IDIOT])
    assert any(x != y for x, y in zip(a, disguise.variants(TEXT, seed=5, spans=[IDIOT])))


def test_one_variant_per_kind_and_only_the_target_word_changes() -> None:
    out = dict(disguise.variants(TEXT, seed=1, spans=[IDIOT]))
    kinds = {"mix" if "+" in k else k for k in out}
    assert kinds == set(disguise.KINDS)
    for kind, text in out.items():
        if kind == "quotes":
            assert TEXT in text and text != TEXT
            continue
        assert text.startswith("You absolute ") and text.endswith(", the schedule was posted last week."), kind
        assert text[13:-36] != "idiot", kind


@pytest.mark.parametrize(
    ("kind", "check"),
    [
        ("spacing", lambda w: w == "i d i o t"),
        ("fullwidth", lambda w: w == "ｉｄｉｏｔ"),
        ("leetspeak", lambda w: any(c.isdigit() or c in "@!$+" for c in w) and len(w) == 5),
        ("homoglyphs", lambda w: not w.isascii() and len(w) == 5 and all(c.isalpha() for c in w)),
        ("zero_width", lambda w: w.replace("\u200b", "").replace("\u200c", "").replace("\u200d", "")
         .replace("\u2060", "").replace("\ufeff", "") == "idiot"),
        ("dots", lambda w: w.replace(".", "") == "idiot" and "." in w),
        ("repeats", lambda w: len(w) > 5 and "".join(dict.fromkeys(w)) == "idot"),
        ("masking", lambda w: w[0] == "i" and w[-1] == "t" and any(c in "*#" for c in w)),
    ],
)
def test_each_word_kind(kind, check) -> None:
    for seed in range(10):
        text = disguise.apply(kind, "you idiot", seed, [(4, 9)])
        assert text.startswith("you "), text
        assert check(text[4:]), (kind, text)


def test_mix_of_two_applies_both() -> None:
    for seed in range(10):
        word = disguise.apply("leetspeak+dots", "stupid", seed, [(0, 6)])
        assert "." in word and any(c.isdigit() or c in "@!$+" for c in word), word


def test_homoglyphs_are_other_scripts_from_unicode_confusables_not_compatibility_forms() -> None:
    table = disguise._homoglyphs()
    assert "\u0456" in table["i"] and "\u043e" in table["o"]  # Cyrillic i and o
    assert len({c for cs in table.values() for c in cs}) > 300
    for chars in table.values():
        for c in chars:
            assert not unicodedata.normalize("NFKC", c).isascii(), c


def test_no_word_to_disguise_leaves_the_text_alone() -> None:
    assert [kind for kind, _ in disguise.variants("ok", seed=0)] == ["quotes"]
    assert disguise.apply("dots", "a b", 0) == "a b"


def test_unknown_kind_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown disguise 'morse'"):
        disguise.apply("morse", TEXT)
    with pytest.raises(ValueError):
        disguise.apply("dots+leetspeak", TEXT)  # mixes substitute letters first


def test_shares_nothing_with_the_engine() -> None:
    tree = ast.parse(Path(disguise.__file__).read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not any(m and (m.startswith("engine") or m == "") for m in imported)
    assert all(isinstance(n, ast.ImportFrom) and n.level == 0 or not isinstance(n, ast.ImportFrom)
               for n in ast.walk(tree))
