"""Word and phrase lists: whole words in a set, phrases in a trie of words, `word*` prefixes and `*word`
suffixes.

Lists are looked up by the comment's words (never compiled into one big alternation), so a list of
50,000 terms costs what a list of 100 does.
"""

from __future__ import annotations

import threading
import typing as t
import weakref
from dataclasses import dataclass, field

from ._regex_prefilter import Literals
from .normalize import fold_term, prepare
from .scan import NORM, Scan, Span

#: a list up to this size also matches its words with one letter doubled ("iddiot"): a few variants per
#: term stay cheap for a hand-kept list; a 50,000-term list is left as written, like fuzzy matching
DOUBLED_MAX_TERMS = 5000
#: shorter words double into too many real words ("prat" -> "Pratt", "nut" -> "Nutt")
DOUBLED_MIN_LENGTH = 5


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """A policy's named lists, and the real words that no term's doubled spelling stands for."""

    lists: t.Mapping[str, TermSet]
    real_words: frozenset[str] = frozenset()
    #: where each list is defined, and the lists rules refer to (filled while rules compile), for
    #: lint's warning about a list no rule uses
    where: t.Mapping[str, t.Any] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)
    #: the required literals of the policy's regexes, one automaton (filled while rules compile)
    literals: Literals = field(default_factory=Literals)
    #: lists merged for a matcher that names several (`list: [a, b]`), by their names: many rules name the same
    merged: dict[tuple[str, ...], TermSet] = field(default_factory=dict)


class TermSet:
    """Whole-word terms: single words in a set, phrases by their first word, `word*` prefixes, `*word`
    suffixes (the head of a compound: "*idiot" is "Fachidiot", not "idiot"), and the single words with one letter
    doubled."""

    __slots__ = (
        "singles",
        "doubled",
        "whole_words",
        "phrases",
        "phrase_starts",
        "phrase_pairs",
        "prefixes",
        "suffixes",
        "_by_shape",
        "_first_by_shape",
        "size",
        "content",
    )

    def __init__(self, terms: t.Iterable[str], real_words: t.AbstractSet[str] = frozenset()) -> None:
        singles: set[str] = set()
        # phrases as a trie of words: each place a first word occurs costs one look-up per following
        # word, however many phrases share the start ("you are", "you're a", "you're so", ...)
        phrases: dict[str, t.Any] = {}
        prefixes: list[str] = []
        suffixes: list[str] = []
        for term in terms:
            words = term_words(term)
            if not words:
                continue
            if term.strip().startswith("*") and len(words) == 1:
                suffixes.append(words[0])
            elif term.rstrip().endswith("*") and len(words) == 1:
                prefixes.append(words[0])
            elif len(words) == 1:
                singles.add(words[0])
            else:
                node = phrases
                for word in words:
                    node = node.setdefault(word, {})
                node[_END] = True
        self.singles = frozenset(singles)
        self.doubled = _doubled(self.singles, real_words) if len(singles) <= DOUBLED_MAX_TERMS else frozenset()
        self.whole_words = self.singles | self.doubled  # one look-up per comment for both
        self.phrases = phrases
        self.phrase_starts = frozenset(phrases)
        self.phrase_pairs = _pairs(phrases)
        self.prefixes = tuple(sorted(set(prefixes)))
        self.suffixes = tuple(sorted(set(suffixes)))
        self._by_shape: dict[int, tuple[str, ...]] | None = None
        self._first_by_shape: dict[tuple[t.Any, ...], tuple[str, ...]] | None = None
        self.size = len(singles) + _trie_size(phrases) + len(self.prefixes) + len(self.suffixes)
        self.content = _content(self)

    def merged(self, other: TermSet) -> TermSet:
        out = TermSet(())
        out.singles = self.singles | other.singles
        out.doubled = (self.doubled | other.doubled) - out.singles
        out.whole_words = out.singles | out.doubled
        out.phrases = _trie_merge(self.phrases, other.phrases)
        out.phrase_starts = frozenset(out.phrases)
        out.phrase_pairs = self.phrase_pairs | other.phrase_pairs
        out.prefixes = tuple(sorted(set(self.prefixes + other.prefixes)))
        out.suffixes = tuple(sorted(set(self.suffixes + other.suffixes)))
        out.size = self.size + other.size
        out.content = _content(out)
        return out

    def by_shape(self) -> dict[tuple[t.Any, ...], tuple[str, ...]]:
        """Single words keyed by (length, first letter, last letter), by (length, first) and by
        (length, last): a masked word ("id*ot", "f**k", "*diot") is compared with a handful of terms
        of its shape, not with every term of its length (thousands in a 50,000-term list)."""
        if self._by_shape is None:
            self._by_shape = _group_by_shape(self.singles)
        return self._by_shape

    def may_match(self, scan: Scan) -> bool:
        words = scan.word_set
        if not self.whole_words.isdisjoint(words) or self.prefixes or self.suffixes or scan.masked:
            return True
        if scan.glued and not self.singles.isdisjoint(scan.glued):
            return True
        if self.phrase_starts.isdisjoint(words):
            return False
        pairs = scan.reading_pairs
        return pairs is None or not self.phrase_pairs.isdisjoint(pairs)

    def find(self, scan: Scan, quotes_ok: bool) -> list[Span]:
        words = scan.word_set
        # frozenset.intersection(set) walks the smaller side: the comment's words, not a long list; a
        # word read two ways ("idiooot" is "idioot" and "idiot") is one hit
        at: set[int] = set()
        for word in self.whole_words.intersection(words):
            at.update(scan.positions(word))
        out: list[Span] = scan.word_spans(at)
        if scan.glued:
            # "id.iot" read joined; a run of single letters ("m.o.r.o.n") is one word already
            for word in self.singles.intersection(scan.glued):
                for start, end in scan.glued[word]:
                    span = Span(start, end, NORM)
                    lo, hi = scan.token_range(span) or (0, 0)
                    if not (hi - lo == 1 and lo in at):
                        out.append(span)
        if not self.phrase_starts.isdisjoint(words):
            out.extend(self._phrases(scan))
        if scan.masked and self.phrases:
            out.extend(self._masked_phrases(scan))
        if self.prefixes:
            for word in words:
                if word.startswith(self.prefixes):
                    out += scan.word_spans(scan.positions(word))
        if self.suffixes:
            # a compound: letters before the head ("*clown" is "Politclown", "Polit-Clown", not "Clown")
            for word in words:
                if word[1:].endswith(self.suffixes):
                    out += scan.word_spans(scan.positions(word))
            for word, places in scan.glued.items():
                if word[1:].endswith(self.suffixes):
                    out.extend(Span(start, end, NORM) for start, end in places)
        if scan.masked:
            out.extend(self._masked(scan))
            # a masked phrase read two ways is one hit
            out = list(dict.fromkeys(out))
        return scan.keep(out, quotes_ok)

    def _phrases(self, scan: Scan) -> list[Span]:
        """Phrases start where the comment has one of their first two words in a row: the pairs are
        intersected as sets, so only real beginnings are walked down the trie."""
        out = []
        pairs = scan.reading_pairs
        if pairs is not None:
            # only where a phrase's first two words stand; with one reading per word and no mask, a phrase
            # is one path down the trie, walked without a stack
            walk = _phrase_ends if scan.masked or scan.words.alts else _walk
            for first, second in self.phrase_pairs.intersection(pairs):
                node = self.phrases[first][second]
                for i in scan.pair_positions(first, second):
                    out.extend(scan.token_span(i, end) for end in walk(node, scan, i + 2))
            if scan.masked and scan.words.alts:
                out.extend(self._masked_seconds(scan))
            return out
        for word in self.phrase_starts.intersection(scan.word_set):  # masks among readings, or many readings
            root = self.phrases[word]
            for i in scan.positions(word):
                out.extend(scan.token_span(i, end) for end in _phrase_ends(root, scan, i + 1))
        return out

    def _masked_seconds(self, scan: Scan) -> list[Span]:
        """Phrases whose second word is masked, after any reading of the first: with reading pairs,
        what walking from every reading finds besides them (`_masked_phrases` takes the written first
        word only, as it did when readings were always walked)."""
        out = []
        for j, readings in _mask_readings(scan).items():
            if j == 0:
                continue
            for first in scan.forms(j - 1):
                for key, child in self.phrases.get(first, {}).items():
                    if key != _END and _fits_one(readings, key):
                        out.extend(scan.token_span(j - 1, end) for end in _phrase_ends(child, scan, j + 1))
        return out

    def _masked(self, scan: Scan) -> list[Span]:
        out = []
        by_shape = self.by_shape()
        for i, readings in _mask_readings(scan).items():
            scan.tick()
            if any(_fits(pattern, term) for pattern, shape in readings for term in by_shape.get(shape, ())):
                out.append(scan.token_span(i, i + 1))
        return out

    def _masked_phrases(self, scan: Scan) -> list[Span]:
        """Phrases with a masked word ("f*ck you", "fuck y*u"): a masked first word is compared with the
        phrases' first words of its shape; a later one with the few words the trie allows there."""
        if self._first_by_shape is None:
            self._first_by_shape = _group_by_shape(self.phrases)
        out = []
        texts = scan.words.texts
        masks = _mask_readings(scan)
        for i in scan.masked:
            scan.tick()
            readings = masks.get(i, ())
            firsts = {first for pattern, shape in readings for first in self._first_by_shape.get(shape, ()) if _fits(pattern, first)}
            for first in sorted(firsts):
                out.extend(scan.token_span(i, end) for end in _phrase_ends(self.phrases[first], scan, i + 1))
            if i > 0 and texts[i - 1] in self.phrases:  # the mask is the second word
                out.extend(scan.token_span(i - 1, end) for end in _phrase_ends(self.phrases[texts[i - 1]], scan, i))
        return out


_END = ""  # marks the end of a phrase in the trie; no word is empty


def _doubled(singles: frozenset[str], real_words: t.AbstractSet[str]) -> frozenset[str]:
    """Each word of letters with one of its letters written twice ("iddiot", "mooron"), unless that
    spelling is a word of its own ("looser" is not "loser") or a term already."""
    out = set()
    for word in singles:
        if len(word) >= DOUBLED_MIN_LENGTH and word.isalpha():
            out.update(word[: i + 1] + word[i:] for i in range(len(word)))
    return frozenset(out - singles - real_words)


def _walk(node: dict[str, t.Any], scan: Scan, j: int) -> list[int]:
    """`_phrase_ends` for a comment whose words have one reading each and no mask."""
    scan.tick()
    texts = scan.words.texts
    count = len(texts)
    ends = []
    while True:
        if _END in node:
            ends.append(j)
        if j >= count:
            return ends
        node = node.get(texts[j])
        if node is None:
            return ends
        j += 1


def _phrase_ends(node: dict[str, t.Any], scan: Scan, j: int) -> list[int]:
    """Token positions where a phrase that began before `j` (its trie `node`) ends."""
    ends = []
    count = len(scan.words.texts)
    stack = [(node, j)]
    masks = _mask_readings(scan) if scan.masked else {}
    while stack:
        scan.tick()
        node, j = stack.pop()
        if _END in node:
            ends.append(j)
        if j < count:
            for form in scan.forms(j):
                child = node.get(form)
                if child is not None:
                    stack.append((child, j + 1))
            readings = masks.get(j)
            if readings:
                stack.extend((child, j + 1) for key, child in node.items() if key != _END and _fits_one(readings, key))
    return ends


def _group_by_shape(words: t.Iterable[str]) -> dict[tuple[t.Any, ...], tuple[str, ...]]:
    """Words keyed by (length, first, last), (length, first, None) and (length, None, last)."""
    grouped: dict[tuple[t.Any, ...], list[str]] = {}
    for w in words:
        for key in ((len(w), w[0], w[-1]), (len(w), w[0], None), (len(w), None, w[-1])):
            grouped.setdefault(key, []).append(w)
    return {k: tuple(v) for k, v in grouped.items()}


def _mask_readings(scan: Scan) -> dict[int, tuple[tuple[str, tuple[int, str | None, str | None]], ...]]:
    """Each masked word's masked readings with their `_mask_shape`, worked out once for every list: the
    word as written, and as read with each stretched run once or twice ("meeee**alllllly" is "me**aly",
    and "me**ally"); a word whose readings all say too little is left out."""
    return scan.memo("mask_readings", lambda: _masks_read(scan))


def _masks_read(scan: Scan) -> dict[int, tuple[tuple[str, tuple[int, str | None, str | None]], ...]]:
    readings = {}
    for i in scan.masked:
        scan.tick()
        found = [(p, shape) for p in scan.forms(i) if "*" in p and (shape := _mask_shape(p)) is not None]
        if found:
            readings[i] = tuple(found)
    return readings


def _fits_one(readings: t.Iterable[tuple[str, t.Any]], word: str) -> bool:
    return any(_fits(pattern, word) for pattern, _ in readings)


def _mask_shape(pattern: str) -> tuple[int, str | None, str | None] | None:
    """The (length, first, last) a masked word is compared by; None when it says too little to name a
    word: "****", "f***" (fewer letters than masks) or "*dio*" (masked at both ends)."""
    letters = sum(ch != "*" for ch in pattern)
    if letters < 2 or letters * 2 < len(pattern):
        return None
    first = pattern[0] if pattern[0] != "*" else None
    last = pattern[-1] if pattern[-1] != "*" else None
    if first is None and last is None:
        return None
    return len(pattern), first, last


def _fits(pattern: str, word: str) -> bool:
    return len(pattern) == len(word) and all(p == "*" or p == c for p, c in zip(pattern, word))


class Content:
    """What a list holds, as one object: lists with the same terms share it (two rules' `words: [you]`, a
    named list used by many rules), so that what one of them found in a comment is reused by the others
    (`ListMatcher.find`), looked up by identity."""

    __slots__ = ("__weakref__",)


_CONTENTS: weakref.WeakValueDictionary[tuple[t.Any, ...], Content] = weakref.WeakValueDictionary()
_CONTENTS_LOCK = threading.Lock()


def _content(terms: TermSet) -> Content:
    key = (terms.singles, terms.doubled, frozenset(_paths(terms.phrases)), terms.prefixes, terms.suffixes)
    with _CONTENTS_LOCK:
        return _CONTENTS.setdefault(key, Content())


def _paths(node: dict[str, t.Any], before: tuple[str, ...] = ()) -> t.Iterator[tuple[str, ...]]:
    """Each phrase of a trie, as the tuple of its words."""
    for key, child in node.items():
        if key == _END:
            yield before
        else:
            yield from _paths(child, (*before, key))


def _pairs(phrases: dict[str, t.Any]) -> frozenset[tuple[str, str]]:
    return frozenset((first, second) for first, child in phrases.items() for second in child if second != _END)


def _trie_merge(a: dict[str, t.Any], b: dict[str, t.Any]) -> dict[str, t.Any]:
    out = dict(a)
    for key, child in b.items():
        out[key] = _trie_merge(out[key], child) if key in out and key != _END else child
    return out


def _trie_size(node: dict[str, t.Any]) -> int:
    return sum(1 if key == _END else _trie_size(child) for key, child in node.items())


def term_words(term: str) -> list[str]:
    """A list term split into words exactly as comments are, so both sides agree."""
    folded = fold_term(term.strip().strip("*"))
    words = folded.split(" ")
    if folded.isascii() and all(w.isalpha() for w in words) and _plain_ascii(folded, words):
        return words  # lower-case letters and single spaces: as a comment of them reads (most terms)
    prepared = prepare(folded)
    prepared.words  # noqa: B018 (read first, the words let `tokens` take its fast path when it can)
    return [tok.text for tok in prepared.tokens]


def _plain_ascii(folded: str, words: list[str]) -> bool:
    """Whether ASCII words of letters read as themselves: no letter three times in a row (stretching),
    no three one-letter words in a row (spelled out)."""
    if any(c * 3 in folded for c in set(folded)):
        return False
    run = 0
    for w in words:
        run = run + 1 if len(w) == 1 else 0
        if run == 3:
            return False
    return True
