"""Literal prefilters for policy regexes: cheap substring checks that skip a regex that cannot match.

A pattern such as `\\b(?:nice try|well done)\\W{1,3}(?:genius|einstein)\\b` can only match a text that
contains one of "nice try"/"well done" and one of "genius"/"einstein". Finding those groups (mandatory,
unrepeated, at the top level, plain words only) lets the engine test `in` on the text, a C-speed
substring search, before running the regex at every position of every comment.
"""

from __future__ import annotations

import threading
import typing as t
from operator import itemgetter

import ahocorasick
import regex

from . import _clock

if t.TYPE_CHECKING:
    from .scan import Scan

_PLAIN = regex.compile(r"[a-z0-9' ]+")


#: groups nested deeper than this give no filter (a policy's pattern may nest thousands deep)
_DEPTH = 12


def required_literals(source: str, depth: int = 0) -> tuple[tuple[str, ...], ...]:
    """Groups of literals; a match contains at least one literal of every group. Empty: no filter.

    A group is a run of plain text at the top level ("free" in `\\bfree\\s+(?:...)`), or a mandatory,
    unrepeated group at the top level whose every alternative requires literals itself, as a pattern (its
    group with the longest shortest literal stands for it: "otari" for `otari[oa]`, "signals" for
    `\\d+% daily|(?:forex|crypto) signals`)."""
    body = _unwrap(source)
    if body is None:
        return _either(source, depth)
    groups: list[tuple[str, ...]] = [(run,) for run in _runs(body)]
    for content, follower in _top_level_groups(body):
        if follower and follower in "?*{":
            continue  # optional or repeated: it need not appear
        content = content[2:] if content.startswith("?:") else content
        if content.startswith("?"):
            continue  # lookarounds, flags, named groups: not plain text
        literals: set[str] = set()
        for alternative in _alternatives(content):
            # what the alternative itself requires, its groups and theirs ("(?:a|b) c" inside a group)
            found = required_literals(alternative, depth + 1) if depth < _DEPTH else ()
            if not found:
                break  # an alternative that may match without plain text: no filter from this group
            literals.update(rarest_group(found))
        else:
            groups.append(tuple(sorted(literals)))
    return tuple(sorted(set(groups), key=groups.index))


def rarest_group(groups: t.Iterable[t.Collection[str]]) -> t.Collection[str]:
    """The group of literals likeliest to be absent from a text: its shortest literal longest, then fewest."""
    return max(groups, key=lambda g: (min(map(len, g)), -len(g)))


def _either(source: str, depth: int = 0) -> tuple[tuple[str, ...], ...]:
    """For top-level alternatives ("a ... b|c ... d"): one group of one group of each alternative's (a
    match is a match of one of them, and holds that one's), the one with the longest shortest literal."""
    while source.startswith("(?:") and _closing(source, 0) == len(source) - 1:
        source = source[3:-1]
    chosen: set[str] = set()
    for alternative in _alternatives(source):
        groups = required_literals(alternative, depth + 1) if depth < _DEPTH else ()
        if not groups:
            return ()  # an alternative without literals: no filter
        chosen.update(rarest_group(groups))
    return (tuple(sorted(chosen)),)


def _alternatives(source: str) -> list[str]:
    """`source` split at its top-level '|'."""
    cuts = [i for i, ch, depth in _structure(source) if ch == "|" and depth == 0]
    return [source[i + 1 : j] for i, j in zip([-1, *cuts], [*cuts, len(source)])]


def _runs(source: str) -> list[str]:
    """The runs of plain text (`_PLAIN`) at the top level of `source`, each of which every match contains:
    a character made optional or repeatable by a quantifier (`?`, `*`, `{`) is left out, and escapes,
    classes, groups and any other character end a run."""
    runs: list[str] = []
    run = ""
    i = 0
    while i < len(source):
        ch = source[i]
        if _PLAIN.fullmatch(ch) and source[i + 1 : i + 2] not in ("?", "*", "{"):
            run += ch
            if source[i + 1 : i + 2] == "+":  # "ab+c" holds "ab", not "abc"
                runs.append(run)
                run = ""
                i += 1
            i += 1
            continue
        if run:
            runs.append(run)
            run = ""
        if ch == "\\":
            i = _escape_end(source, i)
        elif ch == "{" and (quantifier := _QUANTIFIER.match(source, i)):
            i = quantifier.end()
        elif ch == "[":
            i = _class_end(source, i)
        elif ch == "(":
            end = _closing(source, i)
            if end < 0:
                return []
            i = end + 1
        else:
            i += 1
    if run:
        runs.append(run)
    return [run for run in runs if run.strip()]


_QUANTIFIER = regex.compile(r"\{\d*(?:,\d*)?\}")
# the escapes longer than a backslash and one character: \x41 \x{263a} \u263a \U0001f449 \N{...} \p{L}
# \g<name>, octal codes and back-references (\012, \1)
_LONG_ESCAPE = regex.compile(
    r"\\(?:x\{[^}]*\}|x[0-9a-fA-F]{0,2}|u[0-9a-fA-F]{0,4}|U[0-9a-fA-F]{0,8}|[NpP]\{[^}]*\}|g<[^>]*>|\d+)"
)


def _escape_end(source: str, start: int) -> int:
    """The index after the escape that starts at `start`."""
    m = _LONG_ESCAPE.match(source, start)
    return m.end() if m else start + 2


def _unwrap(source: str) -> str | None:
    """The pattern's top level, looking inside one group that wraps it all; None with a top-level '|'."""
    while source.startswith("(?:") and _closing(source, 0) == len(source) - 1:
        source = source[3:-1]
    if any(ch == "|" and depth == 0 for _, ch, depth in _structure(source)):
        return None
    return source


def _top_level_groups(source: str) -> list[tuple[str, str]]:
    """(content, the character after the group) for every group at depth 0."""
    out = []
    for i, ch, depth in _structure(source):
        if ch == "(" and depth == 1:
            end = _closing(source, i)
            if end < 0:
                return []
            out.append((source[i + 1 : end], source[end + 1 : end + 2]))
    return out


def _closing(source: str, start: int) -> int:
    """The index of the parenthesis closing the group that opens at `start`, or -1."""
    for i, ch, depth in _structure(source, start):
        if ch == ")" and depth == 0:
            return i
    return -1


def _structure(source: str, start: int = 0) -> t.Iterator[tuple[int, str, int]]:
    """(index, character, depth after it) for each structural character, skipping escapes and classes."""
    depth, i = 0, start
    while i < len(source):
        ch = source[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            i = _class_end(source, i)
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        yield i, ch, depth
        i += 1


def _class_end(source: str, start: int) -> int:
    """The index after a character class that opens at `start`."""
    i = start + 1
    if source[i : i + 1] == "^":
        i += 1
    if source[i : i + 1] == "]":
        i += 1
    while i < len(source) and source[i] != "]":
        i += 2 if source[i] == "\\" else 1
    return i + 1


_second = itemgetter(1)  # a hit's literal

#: literals this short ("a", "so") are in most comments: tested with `in`, not put in the automaton
SHORT = 2


class Literals:
    """Every regex's required literals in one Aho-Corasick automaton: a comment's text is scanned once for
    all of them, where each regex's prefilter used to test its own literals one by one (311 literals of
    22 regexes: 123 us a comment one by one, 11 us at once). Literals of one or two letters ("a", "so"),
    found in most comments, are tested with `in`.
    One per policy (`Vocabulary.literals`): its regexes add their literals as they compile, and the
    automaton is built at the end of the load (or on the first look-up); a reloaded policy does not keep
    an old one's literals."""

    def __init__(self) -> None:
        self._words: set[str] = set()
        self._automaton: t.Any = None
        self._lock = threading.Lock()

    def add(self, literals: t.Iterable[str]) -> None:
        with self._lock:
            new = {literal for literal in literals if len(literal) > SHORT} - self._words
            if new:
                self._words |= new
                self._automaton = None

    def found(self, scan: Scan) -> frozenset[str]:
        """The literals (longer than `SHORT`) in the comment's normalized text."""
        automaton = self._automaton
        if automaton is None:
            automaton = self.build()
        # (keyed by the automaton too: one built before a policy added more literals looks again)
        return scan.memo((self, automaton), lambda: _found(automaton, scan))

    def __len__(self) -> int:
        return len(self._words)

    def build(self) -> t.Any:
        with self._lock:
            if self._automaton is None and self._words:
                automaton = ahocorasick.Automaton()
                for literal in self._words:
                    automaton.add_word(literal, literal)
                automaton.make_automaton()
                self._automaton = automaton
            return self._automaton


def _found(automaton: t.Any, scan: Scan) -> frozenset[str]:
    """The automaton's literals in the comment's normalized text and in its text as read."""
    found: set[str] = set()
    read = scan.prepared.read
    for text in (scan.prepared.norm, *((read.text,) if read is not None else ())):
        hits = automaton.iter(text) if automaton is not None else ()
        if len(text) > 4 * _clock.EVERY:
            hits = _clock.timed(hits, scan.deadline)  # a long text has thousands of hits
        found.update(map(_second, hits))  # in C: a comment's 100 hits cost no Python frame each
    return frozenset(found)
