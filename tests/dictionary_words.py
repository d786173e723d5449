"""The Scunthorpe check shared by every language: each word of a Debian word list, alone, through a policy.

The words that fire are pinned in reviewed fixtures (a word, or a stem and * for its inflections) (insults and slurs that are an insult as a whole
comment, and bare replies such as "Nope." that a rule is meant to hold); every other word must be clean,
and a pinned word that no longer fires must leave its fixture.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import engine

FIXTURES = Path(__file__).resolve().parent / "fixtures"
IN_CI = bool(os.environ.get("CI"))
MAX_PINNED = 100


def read_words(path: Path) -> set[str]:
    out = set()
    if not path.exists():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.add(line)
    return out


def _base(word: str) -> str:
    return word[:-2] if word.endswith("'s") else word


def rules_fired(policy, text: str, language: str | None = None) -> set[str]:
    d = engine.decide(policy, engine.Comment(text=text, language=language))
    return {h.rule for h in d.hits} | {h.rule for h in d.shadow_hits}


def check_word_list(
    policy, wordlist: Path, package: str, fires: Path, by_design: Path, language: str | None = None
) -> None:
    """Every word of `wordlist` (Debian `package`) is clean unless pinned in `fires` or `by_design`.

    :param language: the words' language, given as the caller would: each pack answers for its own
        language's dictionary (a word alone is otherwise too short to tell, and scored by every pack).
    """
    if not wordlist.exists():
        if IN_CI:
            pytest.fail(f"{wordlist} is missing: install Debian's {package} package")
        pytest.skip(f"{wordlist} not installed (apt-get install {package})")
    pinned = {w.lower() for w in read_words(fires)}
    designed = {w.lower() for w in read_words(by_design)}
    assert len(pinned) <= MAX_PINNED, f"{fires.name}: {len(pinned)} entries, at most {MAX_PINNED}"
    words = [w.strip() for w in wordlist.read_text(encoding="utf-8").splitlines() if w.strip()]
    fired = {word for word in words if rules_fired(policy, word, language)}
    bases = {_base(w).lower() for w in fired}
    unexpected = sorted(w for w in fired if not _pinned(_base(w).lower(), pinned | designed))
    assert not unexpected, f"dictionary words that fire on their own: {unexpected[:50]}"
    stale = sorted(p for p in pinned | designed if not any(_pinned(b, {p}) for b in bases))
    assert not stale, f"pinned words that no longer fire: {stale}"


def _pinned(word: str, pins: set[str]) -> bool:
    """A pin is a word, or a stem with a trailing * for all its inflections ("mentiros*": -o, -a, -os, -as)."""
    return word in pins or any(p.endswith("*") and word.startswith(p[:-1]) for p in pins)
