"""Per-comment scan state: word index with evasion readings, token ranges, the time budget."""

from __future__ import annotations

import time

import pytest
from clock_helpers import ticking

from engine import Comment
from engine._clock import DeadlineExceeded
from engine.scan import NORM, Scan, Span


def test_index_has_every_reading_of_every_word() -> None:
    scan = Scan(Comment(text="you 1d10t, stuuupid"), None)
    assert {"you", "idiot", "stupid"} <= scan.word_set
    assert scan.positions("you") == [0]
    assert scan.positions("idiot") == [1]
    assert scan.positions("stupid") == [2]
    assert scan.forms(1) == ("idiot", "ldlot", "ldiot", "idlot")  # every mix of i and l


def test_token_range_of_a_regex_span() -> None:
    scan = Scan(Comment(text="well done, genius"), None)
    assert scan.token_range(Span(11, 17, NORM)) == (2, 3)
    assert scan.token_range(Span(0, 9, NORM)) == (0, 2)


def test_budget() -> None:
    Scan(Comment(text="x"), None).check()
    Scan(Comment(text="x"), time.monotonic() + 5).check()
    with pytest.raises(DeadlineExceeded):
        Scan(Comment(text="x"), time.monotonic() - 0.001).check()
    assert issubclass(DeadlineExceeded, TimeoutError)  # one exception for the budget, a regex's timeout among them


def test_a_regex_gets_half_the_time_left_and_the_same_exception_past_it() -> None:
    from engine import _clock

    assert _clock.left(None) is None
    with ticking():  # a clock that moves one second at each look: this one reads 1
        assert _clock.left(11.0) == 5.0
    with pytest.raises(DeadlineExceeded):
        _clock.left(time.monotonic() - 0.001)
    with pytest.raises(DeadlineExceeded):
        _clock.check(time.monotonic() - 0.001)


def test_parent_scan_only_when_sent() -> None:
    assert Scan(Comment(text="x"), None).for_parent() is None
    parent = Scan(Comment(text="x", parent_text="You idiot"), None).for_parent()
    assert parent is not None and parent.positions("idiot") == [1]
