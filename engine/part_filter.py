"""Which parts of an `any` may find something in a comment, known without asking each part.

An `any` of many regexes (the default policy has ones of 62, 44, 33 and 25) asked each regex's prefilter in
turn on every comment its rule ran on: 80 prefilter calls a comment, the largest cost of the engine
outside the models. Here each regex is filed under the group of literals it cannot match without
(`RegexMatcher.key`); the literals the policy's automaton finds in the comment (once per comment, shared
with every regex) name the regexes to run. Parts of other kinds, and regexes without such a group, always
run. A part is left out only when its own prefilter would say no, so an `any` finds the same spans.
"""

from __future__ import annotations

import typing as t

from .matchers import Matcher, RegexMatcher
from .scan import Scan

#: fewer filed regexes than this: asking each one costs no more than a look-up
LEAST = 3


class PartFilter:
    """The parts of an `any`, by the literals that let them match; `parts_for` keeps their order."""

    __slots__ = ("parts", "always", "by_literal", "keys", "literals")

    def __init__(self, parts: t.Sequence[Matcher], literals: t.Any, filed: dict[int, frozenset[str]]) -> None:
        self.parts = tuple(parts)
        self.literals = literals  # the policy's automaton (`Literals`)
        self.always = frozenset(i for i in range(len(parts)) if i not in filed)
        by_literal: dict[str, set[int]] = {}
        for i, key in filed.items():
            for literal in key:
                by_literal.setdefault(literal, set()).add(i)
        self.by_literal = {literal: frozenset(found) for literal, found in by_literal.items()}
        self.keys = frozenset(by_literal)

    @classmethod
    def of(cls, parts: t.Sequence[Matcher]) -> PartFilter | None:
        """A filter over `parts`, or None when too few of them are regexes with a key to gain anything."""
        regexes = [(i, p) for i, p in enumerate(parts) if isinstance(p, RegexMatcher) and p.key is not None]
        if not regexes:
            return None
        literals = regexes[0][1].literals
        filed = {i: t.cast(frozenset[str], p.key) for i, p in regexes if p.literals is literals}
        return cls(parts, literals, filed) if len(filed) >= LEAST else None

    def parts_for(self, scan: Scan) -> list[Matcher]:
        """The parts that may find something in this comment, in the order they were written."""
        run = set(self.always)
        by_literal = self.by_literal
        for literal in self.keys.intersection(self.literals.found(scan)):
            run |= by_literal[literal]
        parts = self.parts
        return [parts[i] for i in sorted(run)]
