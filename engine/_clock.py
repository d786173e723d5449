"""The time budget: a look at the clock now and then inside long per-character and per-word loops, half
the time left as a regex's timeout, and the garbage collector held off while a long text is decided.
The one place that reads the clock for a decision: `Scan.check`/`Scan.tick` and every stage come here."""

from __future__ import annotations

import _thread
import gc
import os
import queue
import threading
import time
import typing as t
from itertools import islice

#: how many steps run between two looks at the clock
EVERY = 256
#: how many items a loop in C (`map`) handles between two looks: some 1-2 ms of dictionary probes
CHUNK = 4096
#: a text this long builds enough objects (words, pairs, readings) that a full garbage collection in
#: the middle of its decision walks them all: 40-50 ms on 200,000 characters, with no look at the clock
LONG_TEXT = 16_384


class DeadlineExceeded(TimeoutError):
    """The comment's time budget ran out (a regex stopped by its `timeout` raises a plain TimeoutError:
    `decide` fails closed on either)."""


def check(deadline: float | None) -> None:
    """:raises DeadlineExceeded: when `deadline` (a `time.monotonic()` value) has passed."""
    if deadline is not None and time.monotonic() > deadline:
        raise DeadlineExceeded("the time budget ran out")


def left(deadline: float | None) -> float | None:
    """A regex call's `timeout` for the time left before `deadline` (None: no budget).

    Half of it: the regex module counts its timeout in CPU time, and the budget is the clock's. On a
    machine where the process gets half a core (other jobs, other workers), a search given t seconds
    runs 2t by the clock; half the time left keeps it within the budget there. A search of an ordinary
    comment takes microseconds, far from either.

    :raises DeadlineExceeded: when the deadline has passed.
    """
    if deadline is None:
        return None
    seconds = deadline - time.monotonic()
    if seconds <= 0:
        raise DeadlineExceeded("the time budget ran out")
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


def steps(items: t.Iterable[T], deadline: float | None, size: int | None = None) -> t.Iterable[T]:
    """`items` (`size` of them; default `len(items)`), `timed` when they are more than EVERY; as they are
    when fewer or without a budget: a generator around a short loop costs more than the loop's own work."""
    if deadline is None or (len(t.cast(t.Sized, items)) if size is None else size) <= EVERY:
        return items
    return timed(items, deadline)


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


def gathered(items: t.Iterable[T], deadline: float | None, into: set[T] | None = None) -> set[T]:
    """`set(items)` (or `into.update(items)`), with a look at the clock before each `CHUNK` items. The
    items go in one by one in the same order either way, so the set is laid out (and iterates) the same."""
    out: set[T] = set() if into is None else into
    if deadline is None:
        out.update(items)
        return out
    rest = iter(items)
    while chunk := list(islice(rest, CHUNK)):
        check(deadline)
        out.update(chunk)
    return out


_paused = 0  # long decisions holding the collector off
_resume = False  # whether the collector was on when the first of them began
_pause_lock = threading.Lock()


def pause_collector() -> None:
    """Hold the cyclic garbage collector off while a long text is decided: its decision builds hundreds
    of thousands of objects (words, pairs, readings, spans), and a full collection in the middle walks
    them all (40-50 ms on 200,000 characters, with no look at the clock). Decisions in several threads
    share one pause; `resume_collector` ends each."""
    global _paused, _resume
    with _pause_lock:
        if not _paused:
            _resume = gc.isenabled()
            gc.disable()
        _paused += 1


def resume_collector() -> None:
    """The end of one `pause_collector`: the collector is on again when the last pause ends, if it was on
    when the first began."""
    global _paused
    with _pause_lock:
        _paused -= 1
        if not _paused and _resume:
            gc.enable()


_doomed: queue.Queue[list[t.Any]] = queue.Queue()
_reaper_pid = 0  # the process the freeing thread runs in (none survives a fork)


def drop_later(items: list[t.Any]) -> None:
    """Free `items` in a thread of their own, then end a `pause_collector`: what a long text's decision
    built takes 5-10 ms to free, after its deadline, and each of those objects still waits in the
    collector's youngest generation (which the first allocation with the collector on would walk)."""
    global _reaper_pid
    if _reaper_pid != os.getpid():  # the first time, and in a forked process
        _reaper_pid = os.getpid()
        _thread.start_new_thread(_reap, ())  # not `Thread.start`: that waits for the thread to run (1-2 ms)
    _doomed.put(items)


def _reap() -> None:
    while True:
        items = _doomed.get()
        items.clear()  # the last reference to each: freed here
        del items
        resume_collector()
        _doomed.task_done()


def _after_fork() -> None:
    """A forked process has none of the parent's other threads: no decision of theirs to wait for."""
    global _doomed, _paused, _pause_lock
    if _paused and _resume:
        gc.enable()
    _doomed, _paused, _pause_lock = queue.Queue(), 0, threading.Lock()


os.register_at_fork(after_in_child=_after_fork)
