"""The time budget inside long per-character and per-word loops: a look at the clock now and then."""

from __future__ import annotations

import time
import typing as t
from itertools import islice

#: how many steps run between two looks at the clock
EVERY = 256
#: how many items a loop in C (`map`) handles between two looks: some 1-2 ms of dictionary probes
CHUNK = 4096


def check(deadline: float | None) -> None:
    """:raises TimeoutError: when `deadline` (a `time.monotonic()` value) has passed."""
    if deadline is not None and time.monotonic() > deadline:
        raise TimeoutError("the time budget ran out while reading the text")


def left(deadline: float | None) -> float | None:
    """A regex call's `timeout` for the time left before `deadline` (None: no budget).

    Half of it: the regex module counts its timeout in CPU time, and the budget is the clock's. On a
    machine where the process gets half a core (other jobs, other workers), a search given t seconds
    runs 2t by the clock; half the time left keeps it within the budget there. A search of an ordinary
    comment takes microseconds, far from either.

    :raises TimeoutError: when the deadline has passed.
    """
    if deadline is None:
        return None
    seconds = deadline - time.monotonic()
    if seconds <= 0:
        raise TimeoutError("the time budget ran out while reading the text")
    return seconds / 2


T = t.TypeVar("T")


def timed(items: t.Iterable[T], deadline: float | None, every: int = EVERY) -> t.Iterator[T]:
    """`items`, with a look at the clock before the first and then every `every` items."""
    if deadline is None:
        yield from items
        return
    for count, item in enumerate(items):
        if not count % every:
            check(deadline)
        yield item


U = t.TypeVar("U")


def mapped(f: t.Callable[[T], U], items: t.Collection[T], deadline: float | None) -> list[U]:
    """`list(map(f, items))`, with a look at the clock before each `CHUNK` items: a loop in C over
    100,000 distinct words never looks at it by itself."""
    if deadline is None or len(items) <= CHUNK:
        return list(map(f, items))
    out: list[U] = []
    rest = iter(items)
    while chunk := list(islice(rest, CHUNK)):
        check(deadline)
        out += map(f, chunk)
    return out
