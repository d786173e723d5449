"""Items filed under the keys they cannot match without; a comment's keys name the items to run.

One mechanism for both filters of the engine: the rule index files rules under words, word pairs and
regex literals (engine/index.py), and an `any` of many regexes files each regex under the literals it needs
(engine/combinators.py). A set of items is an int with one bit per item (item i: bit i), so that the
items of many keys are joined with `|`, kept or dropped with `&`, and read back in their order.
"""

from __future__ import annotations

import typing as t
from functools import reduce
from operator import or_

Key = t.Hashable


class Filed:
    """Items (numbered from 0) by the keys filed for them: `under(keys)` has the bit of every item
    filed under one of `keys`."""

    __slots__ = ("by_key", "keys")

    def __init__(self, filed: t.Mapping[int, t.Iterable[Key]]) -> None:
        by_key: dict[Key, int] = {}
        for item, keys in filed.items():
            for key in keys:
                by_key[key] = by_key.get(key, 0) | 1 << item
        self.by_key = by_key
        self.keys = frozenset(by_key)

    def under(self, keys: t.Collection[Key]) -> int:
        """The items filed under one of `keys`: each of the smaller side looked up once, the bits joined in C
        (a rule index's keys are tens of thousands, seldom in the processor's cache: one probe a key of the
        comment, not a set's and then the dictionary's)."""
        by_key = self.by_key
        if len(by_key) < len(keys):
            return reduce(or_, map(by_key.__getitem__, self.keys.intersection(keys)), 0)
        return reduce(or_, filter(None, map(by_key.get, keys)), 0)


def mask(items: t.Iterable[int]) -> int:
    """The set of `items` as bits."""
    found = 0
    for item in items:
        found |= 1 << item
    return found


def members(found: int) -> list[int]:
    """The items of a set of bits, in increasing order."""
    out = []
    while found:
        low = found & -found
        out.append(low.bit_length() - 1)
        found ^= low
    return out
