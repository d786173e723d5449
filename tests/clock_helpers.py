"""A clock for the time budget's tests that moves one second at each look: a deadline becomes a count of
looks, so a test asserts how the engine stops (at its first look past the deadline) without timing it.
How late it stops by a real clock is bench/hostile.py's to print."""

from __future__ import annotations

import contextlib
import typing as t

import engine._clock as _clock


class Ticking:
    """`time.monotonic()` for engine/_clock.py: the number of looks so far."""

    def __init__(self) -> None:
        self.looks = 0

    def monotonic(self) -> float:
        self.looks += 1
        return float(self.looks)


@contextlib.contextmanager
def ticking() -> t.Iterator[Ticking]:
    """engine/_clock.py reads a `Ticking` clock inside the block (it is the one place a decision reads the
    clock). A regex's timeout is half the looks left, in seconds of CPU: far more than any search here."""
    clock = Ticking()
    saved = _clock.time
    _clock.time = clock  # type: ignore[assignment]
    try:
        yield clock
    finally:
        _clock.time = saved
