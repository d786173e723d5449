"""Refuses policy regexes that can backtrack catastrophically.

Two lines of defence: a structural check for nested unbounded quantifiers (`(a+)+`, `(\\w+\\s?)*`,
`(a|aa)*`), and a trial run against adversarial inputs with a short timeout. At match time every
regex also runs with the comment's remaining time budget.
"""

from __future__ import annotations

import functools
from contextvars import ContextVar

import regex

#: False only inside ``load_policy(..., refuse_unsafe_regex=False)``: tests of the run-time bound load
#: patterns that the load-time check would refuse. Nothing in a policy file can change it.
refusing: ContextVar[bool] = ContextVar("refusing_unsafe_regex", default=True)

_TRIAL_TIMEOUT = 0.25  # generous: a loaded machine must not refuse a sound pattern; exponential ones blow far past it
_TRIALS = ("a" * 3000 + "!", "a " * 1500 + "!", "1" * 3000 + "x", "aaaa.com/" * 400 + " ", "x\n" * 1500)


def problem(pattern: regex.Pattern[str]) -> str | None:
    """A sentence saying why the pattern is unsafe, or None."""
    if _nested_quantifier(pattern.pattern):
        return (
            "catastrophic regular expression: a repeated group contains another unbounded repeat; "
            "make one of them bounded, e.g. {1,20}"
        )
    for trial in _TRIALS:
        try:
            pattern.search(trial, timeout=_TRIAL_TIMEOUT)
        except TimeoutError:
            return "catastrophic regular expression: it ran over 250 ms on a 3,000-character test text"
    return None


def checked(pattern: regex.Pattern[str]) -> str | None:
    """`problem`, asked once per pattern object that passes (a policy compiles each distinct pattern once
    per process, `matchers.compiled`, and writes it at many places and loads). A refusal is not
    remembered: it is asked again at each place, so that a trial slowed by a busy machine refuses a sound
    pattern once, not for the rest of the process."""
    try:
        _passes(pattern)
    except _Refused as e:
        return e.reason
    return None


class _Refused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@functools.lru_cache(maxsize=4096)
def _passes(pattern: regex.Pattern[str]) -> None:
    reason = problem(pattern)
    if reason is not None:
        raise _Refused(reason)  # an exception is not cached


def forget_checked() -> None:
    """Drop the passes remembered (with the compiled patterns: a next load checks again)."""
    _passes.cache_clear()


def _nested_quantifier(source: str) -> bool:
    """True when a group that repeats without bound contains an unbounded repeat of its own."""
    stack: list[bool] = []  # per open group: does it contain an unbounded quantifier?
    i, n = 0, len(source)
    in_class = False
    while i < n:
        ch = source[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
            i += 1
            continue
        if ch == "[":
            in_class = True
            if source[i + 1 : i + 2] == "]":
                i += 1
        elif ch == "(":
            stack.append(False)
        elif ch == ")" and stack:
            inner = stack.pop()
            unbounded = _unbounded_at(source, i + 1)
            if inner and unbounded:
                return True
            if stack and (inner or unbounded):
                stack[-1] = True
            i += 1
            continue
        elif ch in "*+" or (ch == "{" and _unbounded_at(source, i)):
            if stack:
                stack[-1] = True
        i += 1
    return False


def _unbounded_at(source: str, i: int) -> bool:
    if i >= len(source):
        return False
    if source[i] in "*+":
        return True
    return _OPEN_ENDED.match(source, i) is not None


_OPEN_ENDED = regex.compile(r"\{\d*,\}")
