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
#: a spelled-out run is cut into words up to this many letters, each piece up to `_LONGEST_PIECE`
_LONGEST_RUN = 64
_LONGEST_PIECE = 32


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

    def knows(self, word: str) -> bool:
        """Whether `word` is a word of the vocabulary."""
        return word in self._common

    def spelled(self, text: str, heads: int, tails: int) -> tuple[int, ...] | None:
        """How a run of spelled-out letters (`text`) the vocabulary does not know as a whole is cut into
        words: the lengths of the fewest pieces, each a word of the vocabulary of three letters or more, or one
        of the first `heads` letters or the last `tails` ("I k n o w" is "I" and "know", "t y p i c a l t r o l
        l" is "typical" and "troll"); None to leave it whole ("i d i o t a" is "idiota")."""
        common = self._common
        n = len(text)
        if text in common or n > _LONGEST_RUN:
            return None
        # best[i]: (pieces, -least count of a word piece) of the best cut of text[:i], and its last piece
        best: list[tuple[int, int] | None] = [None] * (n + 1)
        last = [0] * (n + 1)
        best[0] = (0, 0)
        for i in range(1, n + 1):
            for j in range(max(0, i - _LONGEST_PIECE), i):
                before = best[j]
                if before is None:
                    continue
                piece = text[j:i]
                if i - j == 1:
                    if not (i <= heads or (j == n - 1 and tails)):
                        continue
                    score = (before[0] + 1, before[1])
                elif i - j >= 3 and piece in common:
                    score = (before[0] + 1, max(before[1], -common[piece]))
                else:
                    continue
                if best[i] is None or score < t.cast("tuple[int, int]", best[i]):
                    best[i], last[i] = score, i - j
        if best[n] is None:
            return None
        pieces = []
        i = n
        while i:
            pieces.append(last[i])
            i -= last[i]
        return tuple(reversed(pieces))

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
