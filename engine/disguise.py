"""Disguises of a comment, the way people write past a word filter: for measuring evasion, not for deciding.

    variants("you are an idiot", seed=1)  ->  [("leetspeak", "you are an 1d10t"), ...]

Each kind rewrites one word (the longest in each target span, or one picked by the seed) or the whole
comment. Nothing here reads the engine's own tables: the leet map is this module's, the homoglyphs come
from Unicode's confusables data (UTS #39) as the `confusable-homoglyphs` package ships it, so a measure
of the engine against these disguises is not true by construction. Deterministic: the same text, seed
and targets give the same variants on any machine.
"""

from __future__ import annotations

import functools
import random
import typing as t
import unicodedata

import regex

#: Every kind `variants` produces; mixes of two are named "first+second".
KINDS = (
    "leetspeak",
    "homoglyphs",
    "spacing",
    "dots",
    "zero_width",
    "repeats",
    "masking",
    "markup",
    "fullwidth",
    "quotes",
    "mix",
)

_WORD = regex.compile(r"[^\W\d_]{3,}")
# Digits and symbols for letters, as filter-dodgers use them (deliberately not the engine's table).
_LEET = {
    "a": "4@",
    "b": "8",
    "e": "3",
    "g": "96",
    "i": "1!",
    "l": "1",
    "o": "0",
    "s": "5$",
    "t": "7+",
    "z": "2",
}
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_QUOTES = ('"{}"', "\u201c{}\u201d", "\u00ab{}\u00bb", "\u201e{}\u201c", "> {}")
_MASKS = "**#"


@functools.cache
def _homoglyphs() -> dict[str, tuple[str, ...]]:
    """Letters of other scripts that look like each ASCII letter, from Unicode's confusables.

    Compatibility forms (fullwidth, mathematical letters) are left out: NFKC folds them to ASCII, and
    fullwidth is a kind of its own.
    """
    from confusable_homoglyphs import utils  # imported here: only measuring needs the 900 kB table

    data = utils.load("confusables.json")
    out: dict[str, tuple[str, ...]] = {}
    for letter in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ":
        found = []
        for entry in data.get(letter, ()):
            c = entry["c"]
            if len(c) != 1 or c.isascii() or not unicodedata.category(c).startswith("L"):
                continue
            if unicodedata.normalize("NFKC", c).isascii():
                continue
            found.append(c)
        if found:
            out[letter] = tuple(sorted(found))
    return out


def _some(rng: random.Random, positions: list[int], share: float = 0.5) -> list[int]:
    """A non-empty random subset of `positions`, in order."""
    k = max(1, round(len(positions) * share))
    return sorted(rng.sample(positions, min(k, len(positions))))


def _substitute(word: str, rng: random.Random, table: t.Mapping[str, t.Sequence[str]]) -> str:
    chars = list(word)
    where = [i for i, c in enumerate(chars) if c in table or c.lower() in table]
    if not where:
        return word
    for i in _some(rng, where, 0.6):
        options = table.get(chars[i]) or table[chars[i].lower()]
        chars[i] = rng.choice(options)
    return "".join(chars)


def leetspeak(word: str, rng: random.Random) -> str:
    return _substitute(word, rng, _LEET)


def homoglyphs(word: str, rng: random.Random) -> str:
    return _substitute(word, rng, _homoglyphs())


def fullwidth(word: str, rng: random.Random) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in word)


def masking(word: str, rng: random.Random) -> str:
    inner = list(range(1, len(word) - 1))
    if not inner:
        return word
    chars = list(word)
    mask = rng.choice(_MASKS)
    for i in _some(rng, inner, 0.25 if len(word) > 4 else 0.0):
        chars[i] = mask
    return "".join(chars)


def spacing(word: str, rng: random.Random) -> str:
    return " ".join(word)


def dots(word: str, rng: random.Random) -> str:
    """A dot between every letter ("i.d.i.o.t"), or between some ("st.u.p.id")."""
    if rng.random() < 0.5 or len(word) < 4:
        return ".".join(word)
    cuts = set(_some(rng, list(range(1, len(word))), 0.4))
    return "".join(("." if i in cuts else "") + c for i, c in enumerate(word))


def zero_width(word: str, rng: random.Random) -> str:
    cuts = set(_some(rng, list(range(1, len(word))), 0.6))
    return "".join((rng.choice(_ZERO_WIDTH) if i in cuts else "") + c for i, c in enumerate(word))


def repeats(word: str, rng: random.Random) -> str:
    letters = [i for i, c in enumerate(word) if c.isalpha()]
    chosen = set(_some(rng, letters, 0.3))
    return "".join(c * (1 + rng.randint(2, 5) if i in chosen else 1) for i, c in enumerate(word))


def markup(word: str, rng: random.Random) -> str:
    """Markdown emphasis around the word or a part of it ("**id**iot", "_idiot_")."""
    mark = rng.choice(("**", "*", "_", "__", "~~"))
    if rng.random() < 0.5:
        return f"{mark}{word}{mark}"
    cut = rng.randrange(1, len(word))
    if rng.random() < 0.5:
        return f"{mark}{word[:cut]}{mark}{word[cut:]}"
    return f"{word[:cut]}{mark}{word[cut:]}{mark}"


# Letter substitutions first, then what goes between letters, so that a mix keeps both visible.
_SUBSTITUTIONS: dict[str, t.Callable[[str, random.Random], str]] = {
    "leetspeak": leetspeak,
    "homoglyphs": homoglyphs,
    "masking": masking,
    "fullwidth": fullwidth,
}
_SEPARATIONS: dict[str, t.Callable[[str, random.Random], str]] = {
    "spacing": spacing,
    "dots": dots,
    "zero_width": zero_width,
    "repeats": repeats,
    "markup": markup,
}
WORD_KINDS = {**_SUBSTITUTIONS, **_SEPARATIONS}
MIXES = tuple(
    [f"{a}+{b}" for a in _SUBSTITUTIONS for b in _SEPARATIONS if a != "fullwidth"]
    + ["leetspeak+homoglyphs", "homoglyphs+masking"]
)


def _targets(text: str, spans: t.Iterable[tuple[int, int]] | None, rng: random.Random) -> list[tuple[int, int]]:
    """The words to disguise: the longest word inside each span, or one word the seed picks."""
    words = [m.span() for m in _WORD.finditer(text)]
    if spans is None:
        return [rng.choice(words)] if words else []
    out = set()
    for start, end in spans:
        inside = [w for w in words if w[0] >= start and w[1] <= end]
        if inside:
            out.add(max(inside, key=lambda w: (w[1] - w[0], -w[0])))
    return sorted(out)


def _rewrite(text: str, targets: list[tuple[int, int]], fn: t.Callable[[str], str]) -> str:
    parts, last = [], 0
    for start, end in targets:
        parts.append(text[last:start])
        parts.append(fn(text[start:end]))
        last = end
    parts.append(text[last:])
    return "".join(parts)


def apply(kind: str, text: str, seed: int = 0, spans: t.Iterable[tuple[int, int]] | None = None) -> str:
    """`text` disguised one way: a kind of `KINDS` (but "mix"), or a mix from `MIXES` ("leetspeak+dots").

    :param spans: [start, end) regions of `text` whose longest word is disguised (an insult a rule
        found); None picks one word of three or more letters by the seed.
    :raises ValueError: for an unknown kind.
    """
    rng = random.Random(f"{seed}\x00{kind}\x00{text}")
    if kind == "quotes":
        return rng.choice(_QUOTES).format(text)
    names = kind.split("+")
    if not all(n in WORD_KINDS for n in names) or len(names) > 2 or (len(names) == 2 and kind not in MIXES):
        raise ValueError(f"unknown disguise {kind!r}; expected one of {', '.join(KINDS[:-1])} or {', '.join(MIXES)}")
    targets = _targets(text, None if spans is None else list(spans), rng)

    def disguise(word: str) -> str:
        for name in names:
            word = WORD_KINDS[name](word, rng)
        return word

    return _rewrite(text, targets, disguise)


def variants(
    text: str, seed: int = 0, spans: t.Iterable[tuple[int, int]] | None = None
) -> list[tuple[str, str]]:
    """One disguise of `text` per kind of `KINDS`, as (kind, disguised text); the mix is one of `MIXES`
    picked by the seed. Kinds that cannot change the text (no word of three letters) are left out."""
    spans = None if spans is None else list(spans)
    rng = random.Random(f"{seed}\x00{text}")
    out = []
    for kind in KINDS:
        name = rng.choice(MIXES) if kind == "mix" else kind
        disguised = apply(name, text, seed, spans)
        if disguised != text:
            out.append((name, disguised))
    return out
