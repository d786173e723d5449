"""The time budget inside long per-character and per-word loops: a look at the clock now and then."""

from __future__ import annotations

import time
import typing as t

#: how many steps run between two looks at the clock
EVERY = 1024


def check(deadline: float | None) -> None:
    """:raises TimeoutError: when `deadline` (a `time.monotonic()` value) has passed."""
    if deadline is not None and time.monotonic() > deadline:
        raise TimeoutError("the time budget ran out while reading the text")


T = t.TypeVar("T")


def timed(items: t.Iterable[T], deadline: float | None) -> t.Iterator[T]:
    """`items`, with a look at the clock before the first and then every `EVERY` items."""
    if deadline is None:
        yield from items
        return
    for count, item in enumerate(items):
        if not count % EVERY:
            check(deadline)
        yield item
