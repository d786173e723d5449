"""The time budget's looks at the clock (engine/_clock.py), with a clock that only moves when told."""

from __future__ import annotations

import pytest

import engine._clock as _clock


class _Clock:
    def __init__(self, now: float = 0.0) -> None:
        self.now, self.looks = now, 0

    def monotonic(self) -> float:
        self.looks += 1
        return self.now


@pytest.fixture
def clock(monkeypatch) -> _Clock:
    fake = _Clock()
    monkeypatch.setattr(_clock, "time", fake)
    return fake


def test_mapped_is_map_and_looks_once_per_chunk(clock):
    words = [f"w{i}" for i in range(3 * _clock.CHUNK + 5)]
    assert _clock.mapped(str.upper, words, 1.0) == [w.upper() for w in words]
    assert clock.looks == 4
    assert _clock.mapped(str.upper, words, None) == [w.upper() for w in words] and clock.looks == 4
    assert _clock.mapped(str.upper, words[:10], 1.0) == [w.upper() for w in words[:10]] and clock.looks == 4


def test_mapped_stops_at_the_first_look_past_the_deadline(clock):
    calls = []
    clock.now = 2.0
    with pytest.raises(TimeoutError):
        _clock.mapped(calls.append, set(range(10 * _clock.CHUNK)), 1.0)
    assert calls == [] and clock.looks == 1


def test_timed_looks_every_few_items(clock):
    assert list(_clock.timed(range(1000), 1.0, every=100)) == list(range(1000)) and clock.looks == 10
    clock.now = 2.0
    seen = []
    with pytest.raises(TimeoutError):
        seen.extend(_clock.timed(range(1000), 1.0, every=100))
    assert seen == []


def test_gathered_is_the_set_laid_out_alike_with_a_look_per_chunk(clock):
    words = [f"w{i % 9000}" for i in range(3 * _clock.CHUNK + 5)]
    got = _clock.gathered(words, 1.0)
    assert got == set(words) and list(got) == list(set(words))  # the same order: model sums run in it
    assert clock.looks == 4
    assert list(_clock.gathered(words, 1.0, into={"x"})) == list({"x", *words})
    clock.now = 2.0
    with pytest.raises(TimeoutError):
        _clock.gathered(words, 1.0)


def test_the_collector_pause_is_shared_and_restores_its_state():
    import gc

    was = gc.isenabled()
    try:
        gc.enable()
        _clock.pause_collector()
        _clock.pause_collector()  # a second decision meanwhile
        _clock.resume_collector()
        assert not gc.isenabled()
        _clock.resume_collector()
        assert gc.isenabled()
        gc.disable()  # an application that runs without the collector keeps it off
        _clock.pause_collector()
        _clock.resume_collector()
        assert not gc.isenabled()
    finally:
        (gc.enable if was else gc.disable)()


def test_drop_later_frees_in_another_thread_and_ends_the_pause():
    import gc
    import threading
    import weakref

    class Built:
        freed_in: str | None = None

        def __del__(self) -> None:
            Built.freed_in = threading.current_thread().name

    items = [Built()]
    alive = weakref.ref(items[0])
    _clock.pause_collector()
    _clock.drop_later(items)  # the list's reference is the last: the thread that empties it frees it
    _clock._doomed.join()
    assert alive() is None and Built.freed_in != threading.current_thread().name and gc.isenabled()
