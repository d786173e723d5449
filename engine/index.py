"""The whole policy compiled once into one index over the comment's words.

Most comments hit no rule, yet each rule used to pay for its own look-ups on every comment. Here each
rule is filed under the words it cannot match without (a list's words, a phrase's first words, the joined
form of "id.iot"; for `all` and `near`, one part's words, as every part must match): a comment's words are
looked up once, and only the rules filed under one of them are run, with the rules that have no such
words (a regex, a count, a model, `not`, ...; their own prefilters keep them cheap) always. A rule is
skipped only when its matcher surely finds nothing, so decisions and spans are the same as running every
rule (tests/test_index.py checks that on every labeled comment).
"""

from __future__ import annotations

import typing as t

from .combinators import All, Any, Near
from .language import FUNCTION_WORDS
from .matchers import ListMatcher
from .scan import Scan

#: the key under which rules over lists wait for a comment with a masked word ("f*ck", "id**t"), which
#: a list compares by shape rather than by look-up; no word is empty, so it clashes with none
MASKED = ""
#: words too common to file a rule under when another part offers rarer ones
_COMMON = frozenset().union(*FUNCTION_WORDS.values())

Clauses = list[frozenset[str]]  # each must share a word with the comment's; empty: none is required


def clauses(matcher: t.Any) -> Clauses:
    """Word sets of which a comment must hold one word each (or MASKED) for `matcher` to find anything.
    Kinds unknown here require nothing: always run, never wrongly skipped."""
    if isinstance(matcher, ListMatcher):
        terms = matcher.terms
        if terms.prefixes:
            return []  # "idiot*" would need every word's prefixes
        # the words, "iddiot", "id.iot" joined (a single), a phrase's first word, a masked word
        return [frozenset(terms.whole_words | terms.singles | terms.phrase_starts | {MASKED})]
    if isinstance(matcher, Any):
        # one of the parts: one clause of each, joined
        options = [clauses(p) for p in matcher.parts]
        return [] if not all(options) else [frozenset().union(*(_rarest(o) for o in options))]
    if isinstance(matcher, (All, Near)):
        return [c for p in matcher.parts for c in clauses(p)]  # every part must find something
    return []


def _rarest(options: Clauses) -> frozenset[str]:
    """The clause fewer comments satisfy, by a guess: no function words ("you", "are"), then fewer words."""
    return min(options, key=lambda keys: (len(keys & _COMMON), len(keys)))


class RuleIndex:
    """Rules by the words that let them match; `candidates` keeps the policy's rule order."""

    __slots__ = ("rules", "always", "by_word", "words", "checks")

    def __init__(self, rules: t.Sequence[t.Any]) -> None:
        self.rules = tuple(rules)
        by_word: dict[str, set[int]] = {}
        always: list[int] = []
        #: per rule, the clauses left to check once its filing word is found
        self.checks: list[tuple[frozenset[str], ...]] = []
        for i, rule in enumerate(self.rules):
            found = clauses(rule.match)
            if not found:
                always.append(i)
                self.checks.append(())
                continue
            filed = _rarest(found)
            for key in filed:
                by_word.setdefault(key, set()).add(i)
            self.checks.append(tuple(c for c in found if c is not filed))
        self.always = frozenset(always)
        self.by_word = {key: tuple(sorted(found)) for key, found in by_word.items()}
        #: every word some clause names: what a comment's words are intersected with, once
        self.words = frozenset().union(*(c for cs in self.checks for c in cs), self.by_word)

    def candidates(self, scan: Scan) -> list[t.Any]:
        """The rules that may match this comment, in policy order."""
        words = scan.word_set
        glued = scan.glued
        keys = self.words.intersection(words)
        if glued or scan.masked:
            keys = keys | self.words.intersection(glued) | ({MASKED} if scan.masked else set())
        found = set(self.always)
        by_word, checks = self.by_word, self.checks
        for key in keys:
            for i in by_word.get(key, ()):
                if i not in found and all(not c.isdisjoint(keys) for c in checks[i]):
                    found.add(i)
        rules = self.rules
        return [rules[i] for i in sorted(found)]
