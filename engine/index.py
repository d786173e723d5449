"""The whole policy compiled once into one index over the comment's words.

Most comments hit no rule, yet each rule used to pay for its own look-ups on every comment. Here each
rule is filed under the words it cannot match without (a list's words, a phrase's first words, the joined
form of "id.iot", a literal its regex needs; for `all` and `near`, one part's, as every part must
match): a comment's words are looked up once, and only the rules filed under one of them are run, with
the rules that have no such words (a count, a model, `not`, a regex without literals, ...) always. A rule is
skipped only when its matcher surely finds nothing, so decisions and spans are the same as running every
rule (tests/test_index.py checks that on every labeled comment).
"""

from __future__ import annotations

import typing as t

from .combinators import All, Any, Near
from .feature_matchers import AuthorMatcher, CapsRatio, CountMatcher, Length
from .filed import Filed, mask, members
from .language import FUNCTION_WORDS
from .matchers import ListMatcher, RegexMatcher
from .scan import Scan

#: the key under which rules over lists wait for a comment with a masked word ("f*ck", "id**t"), which
#: a list compares by shape rather than by look-up; no word is empty, so it clashes with none
MASKED = ""
#: words too common to file a rule under when another part offers rarer ones
_COMMON = frozenset().union(*FUNCTION_WORDS.values())

#: a key is a word, two words in a row (a phrase's first two: "you", "are"), a phrase's first word
#: alone ("you",), looked up only in a comment without reading pairs (see `Scan.reading_pairs`), or a
#: literal a regex needs ("", "% off"), found by the policy's automaton (no word is empty: no clash)
Key = str | tuple[str, ...]
LITERAL = ""
Clauses = list[frozenset[Key]]  # each must share a key with the comment's; empty: none is required


def clauses(matcher: t.Any) -> Clauses:
    """Key sets of which a comment must hold one key each (or MASKED) for `matcher` to find anything.
    Kinds unknown here require nothing: always run, never wrongly skipped."""
    if isinstance(matcher, ListMatcher):
        terms = matcher.terms
        if terms.prefixes or terms.suffixes:
            return []  # "idiot*" and "*idiot" would need every word's prefixes and suffixes
        # the words, "iddiot", "id.iot" joined (a single), a phrase's first two words, a masked word:
        # what TermSet.may_match asks
        starts = {(word,) for word in terms.phrase_starts}
        return [frozenset(terms.whole_words | terms.singles | terms.phrase_pairs | starts | {MASKED})]
    if isinstance(matcher, RegexMatcher):
        # a group of literals the automaton finds (a short one with a letter, digit or space is tested with
        # `in`: no key)
        if matcher.key is None:
            return []
        return [frozenset((LITERAL, literal) for literal in matcher.key)]
    if isinstance(matcher, Any):
        # one of the parts: one clause of each, joined
        options = [clauses(p) for p in matcher.parts]
        return [] if not all(options) else [frozenset().union(*(_rarest(o) for o in options))]
    if isinstance(matcher, (All, Near)):
        return [c for p in matcher.parts for c in clauses(p)]  # every part must find something
    return []


def _rarest(options: Clauses) -> frozenset[Key]:
    """The clause fewer comments satisfy, by a guess: fewer function words ("you", "you are"), then fewer
    keys."""
    return min(options, key=lambda keys: (sum(map(_common, keys)), len(keys)))


def _common(key: Key) -> bool:
    if isinstance(key, tuple) and key[:1] == (LITERAL,):
        return False
    if isinstance(key, str):
        return key in _COMMON
    return len(key) == 2 and key[0] in _COMMON and key[1] in _COMMON


def _regexes(matcher: t.Any) -> t.Iterator[RegexMatcher]:
    """The regexes among `matcher` and the parts `clauses` looks into."""
    if isinstance(matcher, RegexMatcher):
        yield matcher
    elif isinstance(matcher, (Any, All, Near)):
        for part in matcher.parts:
            yield from _regexes(part)


#: comment-level tests cheap enough to make before running a rule (counts are kept for the other rules)
_GUARDS = (Length, CountMatcher, CapsRatio, AuthorMatcher)


def guards(matcher: t.Any) -> tuple[t.Any, ...]:
    """The cheap comment-level parts of an `all` ("at most 500 characters", "at least one link"): when
    one of them finds nothing, neither does the rule."""
    if isinstance(matcher, All):
        return tuple(p for p in matcher.parts if isinstance(p, _GUARDS))
    return ()


def in_packs(rule: t.Any, packs: t.Container[str] | None) -> bool:
    """Whether `rule` is scored with these language packs: a rule of no language always, another when its
    language is one of `packs` (None: every pack)."""
    return not rule.language or packs is None or rule.language in packs


class RuleIndex:
    """Rules by the words that let them match (`Filed`: a set of rules is an int, bit i for rule i);
    `candidates` keeps the policy's rule order."""

    __slots__ = (
        "rules",
        "always",
        "filed",
        "checked",
        "checks",
        "guarded",
        "guards",
        "words",
        "pairs",
        "starts",
        "literals",
        "automaton",
        "_allowed",
    )

    def __init__(self, rules: t.Sequence[t.Any]) -> None:
        self.rules = tuple(rules)
        filed: dict[int, frozenset[Key]] = {}
        #: per rule, the clauses left to check once its filing key is found, and its guards
        self.checks: list[tuple[frozenset[Key], ...]] = []
        self.guards = [guards(rule.match) for rule in self.rules]
        for i, rule in enumerate(self.rules):
            found = clauses(rule.match)
            if not found:
                self.checks.append(())
                continue
            filed[i] = _rarest(found)
            self.checks.append(tuple(c for c in found if c is not filed[i]))
        self.filed = Filed(filed)
        self.always = mask(i for i in range(len(self.rules)) if i not in filed)
        self.checked = mask(i for i, c in enumerate(self.checks) if c)
        self.guarded = mask(i for i, g in enumerate(self.guards) if g)
        #: every key some clause names, by kind: what a comment's keys are intersected with, once
        every: set[Key] = set(self.filed.keys).union(*(c for cs in self.checks for c in cs))
        self.words = frozenset(k for k in every if isinstance(k, str))
        self.literals = frozenset(k[1] for k in every if isinstance(k, tuple) and k[:1] == (LITERAL,))
        self.pairs = frozenset(k for k in every if isinstance(k, tuple) and len(k) == 2 and k[0] != LITERAL)
        self.starts = frozenset(k for k in every if isinstance(k, tuple) and len(k) == 1)
        #: the policy's automaton of regex literals (every regex of a policy holds the same one)
        self.automaton = next((m.literals for r in self.rules for m in _regexes(r.match)), None)
        #: per set of packs, the rules of no language or of one of them (a handful of sets per policy)
        self._allowed: dict[t.Any, int] = {}

    def candidates(self, scan: Scan, packs: t.Container[str] | None = None) -> list[t.Any]:
        """The rules that may match this comment, in policy order; with `packs`, only rules of no language
        or of one of them (the others' guards are not even tested: 9 of 20 on an English comment)."""
        words = scan.word_set
        keys: set[Key] = set(self.words.intersection(words))
        pairs = scan.reading_pairs
        if pairs is not None:
            keys.update(self.pairs.intersection(pairs))
        elif self.starts:  # a mask among readings, or many readings: phrases are walked from every reading
            keys.update(self.starts.intersection({(w,) for w in words}))
        glued = scan.glued
        if glued:
            keys.update(self.words.intersection(glued))
        if scan.masked:
            keys.add(MASKED)
        if self.literals and self.automaton is not None:
            keys.update([(LITERAL, literal) for literal in self.literals.intersection(self.automaton.found(scan))])
        found = self.filed.under(keys)
        always = self.always
        if packs is not None:
            allowed = self._of_packs(packs)
            found &= allowed  # before the clauses are checked: a German rule's are not, on an English comment
            always &= allowed
        checks = self.checks
        for i in members(found & self.checked):
            if not all(not c.isdisjoint(keys) for c in checks[i]):
                found ^= 1 << i
        found |= always
        rules, tested = self.rules, self.guards
        if found & self.guarded:
            return [rules[i] for i in members(found) if not tested[i] or self._passes(rules[i], tested[i], scan)]
        return [rules[i] for i in members(found)]

    def _of_packs(self, packs: t.Container[str]) -> int:
        """The rules of no language or of one of `packs`, remembered per (hashable) set of packs."""
        try:
            return self._allowed[packs]
        except KeyError:
            allowed = self._allowed[packs] = mask(i for i, r in enumerate(self.rules) if in_packs(r, packs))
        except TypeError:  # not hashable: worked out each time (`isinstance(packs, Hashable)` costs more)
            allowed = mask(i for i, r in enumerate(self.rules) if in_packs(r, packs))
        return allowed

    @staticmethod
    def _passes(rule: t.Any, tests: tuple[t.Any, ...], scan: Scan) -> bool:
        return all(test.find(scan, rule.in_quotes) for test in tests)
