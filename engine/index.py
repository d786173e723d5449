"""The whole policy compiled once into one index over the comment's words.

Most comments hit no rule, yet each rule used to pay for its own look-ups on every comment. Here each
rule is filed under the words it cannot match without (a list's words, a phrase's first words, the joined
form of "id.iot", a literal its regex needs; for `all` and `near`, one part's, as every part must
match): a comment's words are looked up once, and only the rules filed under one of them are run, with
the rules that have no such words (a count, a model, `not`, a regex without literals, ...) always. A rule is
skipped only when its matcher surely finds nothing, so decisions and spans are the same as running every
rule (tests/test_index.py checks that on every labeled comment). A rule that found something asks, the
same way, only those of its exceptions (`unless`) whose words the comment holds.
"""

from __future__ import annotations

import typing as t

from .combinators import All, Any, Near
from .features import MAY_COUNT
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
#: alone ("you",), looked up only in a comment without reading pairs (see `Scan.reading_pairs`), a
#: literal a regex needs ("", "% off"), found by the policy's automaton (no word is empty: no clash), or
#: a count that may be above zero ("", "", "links"), by its feature's cheap test (`features.MAY_COUNT`)
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
    if isinstance(matcher, CountMatcher):
        # "at least one link": a comment without what every link holds has none
        at_least = matcher.bounds.at_least
        return [frozenset({_count(matcher.name)})] if at_least is not None and at_least > 0 else []
    if isinstance(matcher, Any):
        # one of the parts: one clause of each, joined
        options = [clauses(p) for p in matcher.parts]
        return [] if not all(options) else [frozenset().union(*(_rarest(o) for o in options))]
    if isinstance(matcher, (All, Near)):
        return [c for p in matcher.parts for c in clauses(p)]  # every part must find something
    return []


def checked(matcher: t.Any) -> Clauses:
    """More clauses than `clauses`, not to file a matcher under but to check once it is found: a regex's
    other groups of literals ("text "/"send " beside " to "), the parts' of an `all` or `near`."""
    if isinstance(matcher, RegexMatcher):
        if matcher.key is None:
            return []
        key = frozenset(matcher.key)
        groups = matcher.groups
        return [frozenset((LITERAL, lit) for lit in words) for words, short in groups if not short and words != key]
    if isinstance(matcher, (All, Near)):
        return [c for p in matcher.parts for c in checked(p)]
    if isinstance(matcher, Any):
        # the k-th clause of every part, joined: whichever part finds something holds a key of each of its own
        options = [clauses(p) + checked(p) for p in matcher.parts]
        if not all(options):
            return []
        rarest = [_rarest(o) for o in options]
        ranked = [[first, *(c for c in o if c is not first)] for o, first in zip(options, rarest)]
        filed = frozenset().union(*rarest)  # the clause `clauses` files the `any` under: no need to check it
        joined = {frozenset().union(*(r[min(k, len(r) - 1)] for r in ranked)) for k in range(1, 4)}
        return [c for c in joined if c != filed]
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


def _count(name: str) -> tuple[str, str, str]:
    """The key of a count that may be above zero."""
    return (LITERAL, LITERAL, name)


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


class Filter:
    """Matchers filed by their clauses (`Filed`: a set of matchers is an int, bit i for matcher i): `live`
    has the bit of every matcher that may find something on a comment with these keys."""

    __slots__ = ("filed", "always", "checked", "checks", "items", "needs", "size")

    def __init__(self, matchers: t.Sequence[t.Any]) -> None:
        filed: dict[int, frozenset[Key]] = {}
        #: per matcher, the clauses left to check once its filing key is found
        self.checks: list[tuple[frozenset[Key], ...]] = []
        for i, matcher in enumerate(matchers):
            found = clauses(matcher)
            if not found:
                self.checks.append(())
                continue
            filed[i] = _rarest(found)
            self.checks.append(tuple(dict.fromkeys(c for c in found + checked(matcher) if c != filed[i])))
        self.always = mask(i for i in range(len(matchers)) if i not in filed)
        self.checked = mask(i for i, c in enumerate(self.checks) if c)
        # the clauses to check, numbered after the matchers and filed with them by their keys: one pass over a
        # comment's keys gives the matchers filed under one and the clauses it meets; a matcher needs all of
        # its own (`needs`: bits of clauses, counted from `size`)
        self.size = len(matchers)
        self.items = (1 << self.size) - 1
        number: dict[frozenset[Key], int] = {}
        for cs in self.checks:
            for c in cs:
                number.setdefault(c, len(number))
        self.filed = Filed({**filed, **{self.size + j: c for c, j in number.items()}})
        self.needs = [mask(number[c] for c in cs) for cs in self.checks]

    def keys(self) -> set[Key]:
        """Every key some clause names."""
        return set(self.filed.keys).union(*(c for cs in self.checks for c in cs))

    def live(self, keys: set[Key], allowed: int = -1) -> int:
        """The matchers among `allowed` whose every clause shares a key with `keys`, and those without clauses."""
        filed = self.filed.under(keys)
        found = filed & self.items & allowed  # before the clauses are checked: fewer to check
        if found & self.checked:
            met, needs = filed >> self.size, self.needs
            for i in members(found & self.checked):
                if needs[i] & ~met:
                    found ^= 1 << i
        return found | (self.always & allowed)


class RuleIndex:
    """Rules, and the exceptions of each (`unless`), by the words that let them match; `candidates` keeps
    the policy's rule order, `exceptions` each rule's order of exceptions. An exception that surely finds
    nothing on the comment is not asked: it would drop no span and veto nothing."""

    __slots__ = (
        "rules",
        "filter",
        "guarded",
        "guards",
        "words",
        "pairs",
        "starts",
        "literals",
        "counts",
        "automaton",
        "_allowed",
        "_excepts",
        "_keys",
    )

    def __init__(self, rules: t.Sequence[t.Any]) -> None:
        self.rules = tuple(rules)
        self.filter = Filter([rule.match for rule in self.rules])
        self.guards = [guards(rule.match) for rule in self.rules]
        self.guarded = mask(i for i, g in enumerate(self.guards) if g)
        #: per rule (by identity) with exceptions, its `before`/`after`/`inside` ones and then its vetoes, filed
        self._excepts: dict[int, tuple[int, Filter]] = {}
        tests: list[t.Any] = []
        for rule in self.rules:
            mine = [exc.matcher for exc in rule.unless_near] + list(rule.unless)
            if mine:
                self._excepts[id(rule)] = (len(rule.unless_near), Filter(mine))
                tests += mine
        #: every key some clause names, by kind: what a comment's keys are intersected with, once
        every = self.filter.keys().union(*(f.keys() for _, f in self._excepts.values()))
        self.words = frozenset(k for k in every if isinstance(k, str))
        self.literals = frozenset(k[1] for k in every if isinstance(k, tuple) and len(k) == 2 and k[0] == LITERAL)
        self.pairs = frozenset(k for k in every if isinstance(k, tuple) and len(k) == 2 and k[0] != LITERAL)
        self.starts = frozenset(k for k in every if isinstance(k, tuple) and len(k) == 1)
        #: the counts some clause needs above zero, with their tests
        self.counts = tuple((k, MAY_COUNT[k[2]]) for k in every if isinstance(k, tuple) and len(k) == 3)
        #: the policy's automaton of regex literals (every regex of a policy holds the same one)
        matchers = [r.match for r in self.rules] + tests
        self.automaton = next((m.literals for top in matchers for m in _regexes(top)), None)
        #: per set of packs, the rules of no language or of one of them (a handful of sets per policy)
        self._allowed: dict[t.Any, int] = {}
        self._keys = object()  # where a comment's keys are kept in its scan's cache

    def keys(self, scan: Scan) -> set[Key]:
        """The keys of the comment that some clause names; once per comment."""
        try:
            return t.cast(set[Key], scan.cache[self._keys])
        except KeyError:
            pass
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
        if self.counts:
            prepared = scan.prepared
            keys.update([key for key, may in self.counts if may(prepared)])
        scan.cache[self._keys] = keys
        return keys

    def candidates(self, scan: Scan, packs: t.Container[str] | None = None) -> list[t.Any]:
        """The rules that may match this comment, in policy order; with `packs`, only rules of no language
        or of one of them (the others' guards are not even tested: 9 of 20 on an English comment)."""
        # a German rule's clauses are not checked on an English comment
        found = self.filter.live(self.keys(scan), -1 if packs is None else self._of_packs(packs))
        rules, tested = self.rules, self.guards
        if found & self.guarded:
            return [rules[i] for i in members(found) if not tested[i] or self._passes(rules[i], tested[i], scan)]
        return [rules[i] for i in members(found)]

    def exceptions(self, rule: t.Any, scan: Scan) -> tuple[t.Sequence[t.Any], t.Sequence[t.Any]]:
        """The rule's `unless` exceptions (`before`/`after`/`inside`) and vetoes that may find something on
        this comment, in the rule's order: the others would find nothing. Asked only of a rule that found
        something, so worked out per rule, not for every exception of the policy."""
        at = self._excepts.get(id(rule))
        if at is None:  # no exceptions, or not a rule of this index
            return rule.unless_near, rule.unless
        near, filed = at
        asked = members(filed.live(self.keys(scan)))
        return [rule.unless_near[k] for k in asked if k < near], [rule.unless[k - near] for k in asked if k >= near]

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
