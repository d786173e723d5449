"""Masked words ("kn*w", "s*ould*r", "T*at's") read as the words of a policy's vocabulary they fit.

A mask ('*', or '#' inside a word) stands for one letter. People mask a swear word's vowel to pass a filter
("f*ck", "c*nt"), and whatever letter a mask hides, the word stays readable: "Keep looking over your
s*ould*r" is a threat to every reader. So a masked word is read as the words it fits letter for letter
among the words the policy knows: its lists, its regexes' literals, its models' words and its languages'
function words. Lists keep comparing the masked form by its shape as before; the reading is what phrases
and patterns see.

Nobody disguises "that": a masked word that fits a function word far commoner than any list word of its
shape (held by more of the sources above) reads as the function word alone, and no list term is read into
it ("t*at" is not "twat", "n#t" is not "nut"). Where the two are close, the swear word keeps its reading
("c*nt" stays both "cant" and "cunt").
"""

from __future__ import annotations

import typing as t

#: how many more of the vocabulary's sources must hold a function word than a list word of the same shape
#: for the mask to be read as the function word alone
_FAR_COMMONER = 3
#: a reading is worth giving when the word shows at least this many letters, and as many letters as masks
_LEAST_LETTERS = 2
#: the shortest word read from a word with emphasis marks inside ("*bring*ing")
_LEAST_EMPHASIZED = 4


class MaskReader:
    """Readings of masked words from a vocabulary."""

    def __init__(
        self, common: t.Mapping[str, int], function: t.AbstractSet[str], terms: t.AbstractSet[str]
    ) -> None:
        """:param common: each word of the vocabulary, with how many of its sources hold it.
        :param function: the languages' function words.
        :param terms: the lists' single words."""
        self._common, self._function, self._terms = common, function, terms
        grouped: dict[tuple[int, str], list[str]] = {}
        for w in common:
            grouped.setdefault((len(w), w[0]), []).append(w)
        self._by_shape = {k: tuple(v) for k, v in grouped.items()}
        self._memo: dict[str, tuple[str, tuple[str, ...], bool] | None] = {}

    def spelled(self, text: str, heads: int, tails: int) -> tuple[int, int] | None:
        """Where a run of spelled-out letters (`text`) that may hold up to `heads` words of one letter before
        the spelled-out word and `tails` after it is cut: (letters before, letters after) for the commonest
        word of three letters or more the vocabulary holds, when it does not hold the whole run; None to leave
        it whole ("i d i o t" is "idiot", "I k n o w" is "I" and "know")."""
        common = self._common
        if text in common:
            return None  # a word as it is ("i d i o t a" is "idiota")
        best, cut = 0, None
        for h in range(heads + 1):
            for tl in range(tails + 1):
                core = text[h : len(text) - tl]
                if (h or tl) and len(core) >= 3 and common.get(core, 0) > best:
                    best, cut = common[core], (h, tl)
        return cut

    def read(self, pattern: str) -> tuple[str, tuple[str, ...], bool] | None:
        """(text, other readings, still masked) for a masked word written `pattern` ('*' for each mask), or
        None when it fits no word, shows too little to name one ("****", "f***") or has a mask at an edge,
        where a '*' is emphasis more often ("*something", "to*")."""
        found = self._memo.get(pattern, False)
        if found is not False:
            return t.cast("tuple[str, tuple[str, ...], bool] | None", found)
        found = self._read(pattern)
        if len(self._memo) > 50_000:
            self._memo.clear()
        self._memo[pattern] = found
        return found

    def _read(self, pattern: str) -> tuple[str, tuple[str, ...], bool] | None:
        letters = sum(c != "*" for c in pattern)
        if letters < _LEAST_LETTERS or not pattern.replace("*", "").isalpha():
            return None
        if letters * 2 < len(pattern):
            return None  # more masks than letters: no word to tell
        fits = [] if pattern[0] == "*" or pattern[-1] == "*" else sorted(
            w for w in self._by_shape.get((len(pattern), pattern[0]), ()) if _fits(pattern, w)
        )  # a mask hides a letter inside a word; at its edge a '*' is emphasis ("*something to want*")
        if not fits:
            # markdown emphasis inside a word ("*bring*ing", "sh**ame**"): the word without its marks (a mark
            # at its end only closes emphasis over several words, "**don't work**", and is left as it was)
            plain = pattern.replace("*", "")
            if "*" in pattern.strip("*") and len(plain) >= _LEAST_EMPHASIZED and plain in self._common:
                return plain, (pattern,), True
            return None
        common, function, terms = self._common, self._function, self._terms
        # the reading patterns see: the word most sources hold, a word that is no list term before one that is
        # (lists read the shape themselves)
        word = max(fits, key=lambda w: (common.get(w, 0), w not in terms, w in function, w))
        if word in function and all(
            common.get(word, 0) - common.get(w, 0) >= _FAR_COMMONER for w in fits if w in terms and w != word
        ):
            return word, tuple(w for w in fits if w != word and w not in terms), False
        return word, (pattern, *(w for w in fits if w != word)), True


def _fits(pattern: str, word: str) -> bool:
    return all(p == "*" or p == c for p, c in zip(pattern, word))
