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
    groups: list[tuple[str, ...]] = _runs(body)
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


def _runs(source: str) -> list[tuple[str, ...]]:
    """Groups of literals at the top level of `source`, each of which every match holds one of: runs of
    literal characters (`_literal`: "free", "bit.ly", "(dot)") and required classes of a few caseless
    characters (`[$£€]{2,}`: one of "$", "£", "€"). A character made optional or repeatable by a quantifier
    (`?`, `*`, `{`) is left out, and escapes of letters, other classes, groups and any other character end a
    run."""
    groups: list[tuple[str, ...]] = []
    run = ""
    i = 0
    while i < len(source):
        char, after = _literal(source, i)
        follower = source[after : after + 1]
        if char is not None and follower not in ("?", "*", "{"):
            run += char
            if follower == "+":  # "ab+c" holds "ab", not "abc"
                groups.append((run,))
                run = ""
                after += 1
            i = after
            continue
        if run:
            groups.append((run,))
            run = ""
        ch = source[i]
        if char is not None:
            i = after  # a quantified character: its quantifier is skipped next
        elif ch == "\\":
            i = _escape_end(source, i)
        elif ch == "{" and (quantifier := _QUANTIFIER.match(source, i)):
            i = quantifier.end()
        elif ch == "[":
            start, i = i, _class_end(source, i)
            members = _caseless_class(source[start + 1 : i - 1])
            if members and _at_least_once(source, i):
                groups.append(members)
        elif ch == "(":
            end = _closing(source, i)
            if end < 0:
                return []
            i = end + 1
        else:
            i += 1
    if run:
        groups.append((run,))
    return [group for group in groups if all(literal.strip() for literal in group)]


#: characters a pattern matches as themselves only in a class or escaped, or never (`{` of a quantifier)
_META = frozenset(".^$*+?{}[]\\|()")
_ASCII_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyz0123456789' ")


def _literal(source: str, i: int) -> tuple[str | None, int]:
    """The character the pattern matches at `source[i]` as itself, whatever the case flags (lower-case ASCII
    letters, digits, the space, punctuation and symbols; an escaped ASCII punctuation mark: "\\." is "."),
    or None; and the index after it. Upper-case and non-ASCII letters are left out: IGNORECASE makes them
    match more than themselves."""
    ch = source[i]
    if ch == "\\":
        escaped = source[i + 1 : i + 2]
        if escaped and escaped.isascii() and not escaped.isalnum() and escaped not in "\n\r\t\f\v":
            return escaped, i + 2
        return None, i
    if ch in _ASCII_PLAIN:
        return ch, i + 1
    if ch in _META or ch.isspace() or ch.isalnum() or ch.lower() != ch.upper() or ch == "_":
        return None, i
    return ch, i + 1


def _caseless_class(body: str) -> tuple[str, ...]:
    """The members of a class (`body` between its brackets) when it is a short list of caseless characters
    (`[$£€]`, `[.,]`): no range, negation, escape of a letter, nested class or set operation."""
    if not body or len(body) > 12 or body.startswith("^") or any(op in body for op in ("--", "&&", "||", "~~", "[")):
        return ()
    members: set[str] = set()
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            escaped = body[i + 1 : i + 2]
            if not escaped or not escaped.isascii() or escaped.isalnum():
                return ()
            members.add(escaped)
            i += 2
            continue
        if ch == "-" or ch.isalnum() or ch.isspace() or ch.lower() != ch.upper() or ch == "_":
            return ()  # a range, a letter or digit (case, and too common to filter by), a space
        members.add(ch)
        i += 1
    return tuple(sorted(members))


def _at_least_once(source: str, i: int) -> bool:
    """Whether what ends before `source[i]` is required by the quantifier after it (none, `+`, `{1,}`...)."""
    follower = source[i : i + 1]
    if follower in ("?", "*"):
        return False
    if follower == "{":
        quantifier = _QUANTIFIER.match(source, i)
        return quantifier is None or not quantifier.group().startswith(("{0", "{,", "{}"))
    return True


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
        # once per comment, under the automaton itself: one built before a policy added more literals
        # looks again (asked ~50 times a comment: no key tuple or closure built each time)
        cache = scan.cache
        try:
            return t.cast(frozenset[str], cache[automaton])
        except KeyError:
            found = cache[automaton] = _found(automaton, scan)
            return found

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
