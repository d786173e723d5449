"""Literal prefilters for policy regexes: cheap substring checks that skip a regex that cannot match.

A pattern such as `\\b(?:nice try|well done)\\W{1,3}(?:genius|einstein)\\b` can only match a text that
contains one of "nice try"/"well done" and one of "genius"/"einstein". Finding those groups (mandatory,
unrepeated, at the top level, plain words only) lets the engine test `in` on the text, a C-speed
substring search, before running the regex at every position of every comment.

Literals are looked for in the text with each run of whitespace squeezed to one space (`squeeze`), so that
`\\s` counts as text: `\\bwww\\s+[a-z]+` needs "www ", `\\s+\\.\\s*(?:com|net)` one of " .com", " . com",
" .net", " . net" (not just "com" or "net", found in every comment with a link).
"""

from __future__ import annotations

import functools
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


def required_literals(source: str, depth: int = 0, cased: bool = False) -> tuple[tuple[str, ...], ...]:
    """Groups of literals; a match contains at least one literal of every group. Empty: no filter.

    A group is a run of plain text at the top level ("free" in `\\bfree\\s+(?:...)`), or a mandatory,
    unrepeated group at the top level whose every alternative requires literals itself, as a pattern (its
    group with the longest shortest literal stands for it: "otari" for `otari[oa]`, "signals" for
    `\\d+% daily|(?:forex|crypto) signals`).

    `cased`: the pattern matches case-sensitively in the visible text (a `raw_regex`), whose folded form the
    literals are looked for in: its ASCII letters of either case stand for their lower case (`[Dd]u` needs
    "du"), and only printable ASCII characters and `\\s` count as text (each folds to itself lower-cased, each
    `\\s` to whitespace: tests/test_regex_prefilter.py)."""
    body = _unwrap(source)
    if body is None:
        return _either(source, depth, cased)
    groups: list[tuple[str, ...]] = _runs(body, depth, cased)
    for content, follower in _top_level_groups(body):
        if follower and follower in "?*{":
            continue  # optional or repeated: it need not appear
        content = content[2:] if content.startswith("?:") else content
        if content.startswith("?"):
            continue  # lookarounds, flags, named groups: not plain text
        if follower != "+" and _expand(content, depth, cased) is not None:
            continue  # its forms are in a run already (`_runs`)
        each: list[tuple[tuple[str, ...], ...]] = []
        for alternative in _alternatives(content):
            # what the alternative itself requires, its groups and theirs ("(?:a|b) c" inside a group)
            found = required_literals(alternative, depth + 1, cased) if depth < _DEPTH else ()
            if not found:
                break  # an alternative that may match without plain text: no filter from this group
            each.append(found)
        else:
            groups += _one_of_each(each)
    groups = sorted(set(groups), key=groups.index)
    # a group that another implies (each of its literals holds one of this one's) tells nothing more
    for g in list(groups):
        if any(h != g and _implies(h, g) for h in groups):
            groups.remove(g)  # one at a time: of two groups that imply each other, one stays
    return tuple(groups)


def _implies(h: tuple[str, ...], g: tuple[str, ...]) -> bool:
    """Whether a text holding a literal of `h` surely holds one of `g` (left unchecked for large groups)."""
    return len(h) * len(g) <= 1024 and all(any(a in b for a in g) for b in h)


def rarest_group(groups: t.Iterable[t.Collection[str]]) -> t.Collection[str]:
    """The group of literals likeliest to be absent from a text: its shortest literal longest, then fewest."""
    return max(groups, key=_absence)


def _either(source: str, depth: int = 0, cased: bool = False) -> tuple[tuple[str, ...], ...]:
    """For top-level alternatives ("a ... b|c ... d"): groups of one group of each alternative's (a match is
    a match of one of them, and holds a literal of each of that one's groups), `_one_of_each`."""
    while source.startswith("(?:") and _closing(source, 0) == len(source) - 1:
        source = source[3:-1]
    each: list[tuple[tuple[str, ...], ...]] = []
    for alternative in _alternatives(source):
        groups = required_literals(alternative, depth + 1, cased) if depth < _DEPTH else ()
        if not groups:
            return ()  # an alternative without literals: no filter
        each.append(groups)
    return tuple(_one_of_each(each))


#: the most groups alternatives give (`_one_of_each`): each is one more test of the literals found
_MAX_EITHER = 4


def _one_of_each(each: t.Sequence[t.Collection[tuple[str, ...]]]) -> list[tuple[str, ...]]:
    """Groups for alternatives, given the groups each alternative requires: the k-th joins the k-th likeliest
    absent group of every alternative (its last, for one with fewer), up to `_MAX_EITHER`. Whichever
    alternative matches, a literal of each of its groups is there, so one of every joined group is. The
    first joins the likeliest absent ones; the next ones catch what a common literal of the first lets
    through (`(?:text|send) \\S+ to \\d+`: "to " alone is in most comments, "text " or "send " is not)."""
    ranked = [sorted(groups, key=_absence, reverse=True) for groups in each]
    out: list[tuple[str, ...]] = []
    for k in range(min(_MAX_EITHER, max(map(len, ranked)))):
        joined = tuple(sorted(set().union(*(groups[min(k, len(groups) - 1)] for groups in ranked))))
        if joined not in out:
            out.append(joined)
    return out


def _absence(group: t.Collection[str]) -> tuple[int, int]:
    """How likely a text lacks every literal of `group`, by a guess: its shortest literal longest, then fewest."""
    return min(map(len, group)), -len(group)


def _alternatives(source: str) -> list[str]:
    """`source` split at its top-level '|'."""
    cuts = [i for i, ch, depth in _structure(source) if ch == "|" and depth == 0]
    return [source[i + 1 : j] for i, j in zip([-1, *cuts], [*cuts, len(source)])]


def _runs(source: str, depth: int = 0, cased: bool = False) -> list[tuple[str, ...]]:
    """Groups of literals at the top level of `source`, each of which every match holds one of (in the text
    with its whitespace squeezed, `squeeze`): runs of literal characters ("free", "bit.ly", "(dot)"), spaces
    and `\\s` standing for one space ("you are" for `you\\s+are`), an optional character, space or group of
    plain alternatives giving a literal with and one without it ("check (?:out )?my": "check out my",
    "check my"; `\\s+\\.\\s*(?:com|net)`: " .com", " . com", " .net", " . net"), assertions (`\\b`, a
    lookahead) standing for nothing; and required classes of a few caseless characters (`[$£€]{2,}`: one of
    "$", "£", "€"). A character made repeatable (`*`, `{`) and anything else (escapes of letters, other
    classes, groups with other text) ends a run."""
    groups: list[tuple[str, ...]] = []
    run: set[str] = {""}
    for element in _elements(source, depth, cased):
        if isinstance(element, _Group):
            groups.append(element.members)
            element = None
        extended = None if element is None else _extended(run, element)
        if extended is not None:
            run = extended
            continue
        _end_run(run, groups)
        run = {""} if element is None else set(element)
    _end_run(run, groups)
    return [group for group in groups if all(literal.strip() for literal in group)]


#: the most literals one run may stand for (an optional part doubles them)
_MAX_FORMS = 128
#: a group longer than this is not expanded (its alternatives are too many; and a pattern nested thousands
#: deep would be walked again at every depth)
_MAX_EXPANDED = 2048
#: what a pattern with a form for each text it can match never holds: classes of letters, digits and words,
#: unescaped dots, negated classes, back-references (a quick no before walking it)
_NOT_PLAIN = regex.compile(r"\\[wWdDSpPXN0-9]|(?<!\\)\.|\[\^")


class _Group(t.NamedTuple):
    """A required class's members: a group of its own, which ends a run."""

    members: tuple[str, ...]


def _end_run(run: set[str], groups: list[tuple[str, ...]]) -> None:
    if not run or not all(form.strip() for form in run):
        return  # a form without text (an optional part left out) holds nothing
    # a form holding another is redundant: a text with it holds the other
    kept: list[str] = []
    for form in sorted(run, key=len):
        if not any(other in form for other in kept):
            kept.append(form)
    groups.append(tuple(sorted(kept)))


def _extended(run: set[str], element: frozenset[str]) -> set[str] | None:
    """Each form of `run` followed by each text of `element`, spaces squeezed; None past `_MAX_FORMS` forms."""
    if len(run) * len(element) > _MAX_FORMS:
        return None
    return {_squeeze_spaces(a + b) for a in run for b in element}


def _squeeze_spaces(text: str) -> str:
    return _SPACES.sub(" ", text) if "  " in text else text


_SPACES = regex.compile(" {2,}")


@functools.lru_cache(maxsize=4096)
def _expand(source: str, depth: int, cased: bool = False) -> frozenset[str] | None:
    """Every text a pattern made only of literal characters, spaces, assertions and groups of such
    alternatives can match, spaces squeezed; None for any other pattern, or one of too many forms."""
    if depth >= _DEPTH or len(source) > _MAX_EXPANDED or _NOT_PLAIN.search(source):
        return None
    forms: set[str] = set()
    for alternative in _alternatives(source):
        run: set[str] = {""}
        for element in _elements(alternative, depth + 1, cased):
            extended = None if element is None or isinstance(element, _Group) else _extended(run, element)
            if extended is None:
                return None
            run = extended
        forms |= run
        if len(forms) > _MAX_FORMS:
            return None
    return frozenset(forms)


def _elements(source: str, depth: int, cased: bool = False) -> t.Iterator[frozenset[str] | _Group | None]:
    """The pattern's top level as the texts each element can match (squeezed), left to right: a set of
    texts, a `_Group` of a required class, or None for an element that is no text (it ends a run).
    Assertions (`\\b`, `^`, lookarounds), which match no text, give nothing."""
    i = 0
    while i < len(source):
        char, after = _literal(source, i, cased)
        ch = source[i]
        if char is None and source.startswith("\\s", i):
            char, after = " ", i + 2
        if char is not None:
            quantifier = _quantifier(source, after)
            end = after + len(quantifier)
            if char == " ":  # a space: one or more, squeezed, are one space
                yield _SPACE if _required(quantifier) else _MAYBE_SPACE
            elif quantifier == "":
                # the plain characters that follow, with it: one element
                while end < len(source):
                    following, after = _literal(source, end, cased)
                    if following is None or following == " " or _quantifier(source, after):
                        break
                    char += following
                    end = after
                yield frozenset((char,))
            elif quantifier in ("?", "??"):
                yield frozenset(("", char))
            elif quantifier in ("+", "+?", "++"):
                yield frozenset((char,))  # "ab+c" holds "ab" and "c", not "abc"
                yield None
            else:
                yield None
            i = end
            continue
        if ch == "\\":
            i = _escape_end(source, i)
            if source[i - 1 : i] in ("b", "B", "A", "Z") and i - 2 >= 0 and source[i - 2] == "\\" and not _quantifier(source, i):
                continue  # an assertion: no text
            yield None
        elif ch in "^$":
            i += 1  # an assertion
        elif ch == "{" and (quantifier := _QUANTIFIER.match(source, i)):
            i = quantifier.end()
            yield None
        elif ch == "[":
            start, i = i, _class_end(source, i)
            members = _caseless_class(source[start + 1 : i - 1], cased)
            quantifier = _quantifier(source, i)
            if members and quantifier == "":
                yield frozenset(members)
            else:
                if members and _at_least_once(source, i):
                    yield _Group(members)
                yield None
            i += len(quantifier)
        elif ch == "(":
            end = _closing(source, i)
            if end < 0:
                yield None
                return
            content = source[i + 1 : end]
            quantifier = _quantifier(source, end + 1)
            i = end + 1 + len(quantifier)
            if content.startswith(("?=", "?!", "?<=", "?<!")) and quantifier == "":
                continue  # a lookaround: no text
            content = content[2:] if content.startswith("?:") else content
            forms = None if content.startswith("?") else _expand(content, depth, cased)
            if forms is None or quantifier not in ("", "?", "??"):
                yield None
            else:
                yield frozenset(forms | {""}) if quantifier else frozenset(forms)
        else:
            i += 1
            yield None


_SPACE = frozenset((" ",))
_MAYBE_SPACE = frozenset(("", " "))


def _quantifier(source: str, i: int) -> str:
    """The quantifier at `source[i]` ("", "?", "+", "*", "{2,}", with a lazy or possessive mark)."""
    ch = source[i : i + 1]
    if ch in ("?", "*", "+"):
        end = i + 1
    elif ch == "{" and (m := _QUANTIFIER.match(source, i)):
        end = m.end()
    else:
        return ""
    if source[end : end + 1] in ("?", "+"):
        end += 1
    return source[i:end]


def _required(quantifier: str) -> bool:
    """Whether a quantifier asks for its element at least once."""
    if not quantifier:
        return True
    if quantifier[0] in "?*":
        return False
    if quantifier[0] == "{":
        return not quantifier.startswith(("{0", "{,", "{}"))
    return True


#: characters a pattern matches as themselves only in a class or escaped, or never (`{` of a quantifier)
_META = frozenset(".^$*+?{}[]\\|()")
_ASCII_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyz0123456789' ")


def _literal(source: str, i: int, cased: bool = False) -> tuple[str | None, int]:
    """The character the pattern matches at `source[i]` as itself, whatever the case flags (lower-case ASCII
    letters, digits, the space, punctuation and symbols; an escaped ASCII punctuation mark: "\\." is "."),
    or None; and the index after it. Upper-case and non-ASCII letters are left out: IGNORECASE makes them
    match more than themselves. `cased` (see `required_literals`): printable ASCII only, letters lower-cased."""
    ch = source[i]
    if ch == "\\":
        escaped = source[i + 1 : i + 2]
        if escaped and escaped.isascii() and not escaped.isalnum() and escaped not in "\n\r\t\f\v":
            return (escaped, i + 2) if escaped.isprintable() or not cased else (None, i)
        return None, i
    if cased:
        return (ch.lower(), i + 1) if ch.isascii() and ch.isprintable() and ch not in _META and ch != "_" else (None, i)
    if ch in _ASCII_PLAIN:
        return ch, i + 1
    if ch in _META or ch.isspace() or ch.isalnum() or ch.lower() != ch.upper() or ch == "_":
        return None, i
    return ch, i + 1


def _caseless_class(body: str, cased: bool = False) -> tuple[str, ...]:
    """The members of a class (`body` between its brackets) when it is a short list of caseless characters
    (`[$£€]`, `[.,]`): no range, negation, escape of a letter, nested class or set operation. `cased`: printable
    ASCII only, and letters lower-cased (`[Dd]` is "d")."""
    if not body or len(body) > 12 or body.startswith("^") or any(op in body for op in ("--", "&&", "||", "~~", "[")):
        return ()
    members: set[str] = set()
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            escaped = body[i + 1 : i + 2]
            if not escaped or not escaped.isascii() or escaped.isalnum() or cased and not escaped.isprintable():
                return ()
            members.add(escaped)
            i += 2
            continue
        if cased and not (ch.isascii() and ch.isprintable()):
            return ()
        letter = cased and ch.isalpha()  # matched as written, so found lower-cased in the folded text
        if ch == "-" or ch.isalnum() and not letter or ch.isspace() or ch.lower() != ch.upper() and not letter or ch == "_":
            return ()  # a range, a letter or digit (case, and too common to filter by), a space
        members.add(ch.lower())
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
    opened = -1
    for i, ch, depth in _structure(source):
        if ch == "(" and depth == 1:
            opened = i
        elif ch == ")" and depth == 0 and opened >= 0:
            out.append((source[opened + 1 : i], source[i + 1 : i + 2]))
            opened = -1
    return [] if opened >= 0 else out  # a group left open: none


def _closing(source: str, start: int) -> int:
    """The index of the parenthesis closing the group that opens at `start`, or -1."""
    for i, ch, depth in _structure(source, start):
        if ch == ")" and depth == 0:
            return i
    return -1


def _structure(source: str, start: int = 0) -> t.Iterator[tuple[int, str, int]]:
    """(index, mark, depth after it) for each '(', ')' and '|', skipping escapes and classes (`_class_end`)."""
    depth = 0
    for m in _MARKS.finditer(source, start):
        ch = m.group()
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch != "|":
            continue  # an escape or a class
        yield m.start(), ch, depth


#: an escape (a backslash and the character after it), a class, or a mark `_structure` reports
_MARKS = regex.compile(r"\\.?|\[\^?\]?(?:[^\]\\]|\\.?)*\]?|[()|]", regex.S)


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


def scanned(literal: str) -> bool:
    """Whether the automaton looks for `literal`: one longer than `SHORT`, or one of symbols and
    punctuation only ("$", "@", "=>"), rare in comments; a short one with a letter, digit or space ("a",
    "so", " u") is tested with `in`."""
    return len(literal) > SHORT or not any(ch.isalnum() or ch.isspace() for ch in literal)


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
            new = {literal for literal in literals if scanned(literal)} - self._words
            if new:
                self._words |= new
                self._automaton = None

    def found(self, scan: Scan) -> frozenset[str]:
        """The literals it looks for (`scanned`) in the comment's squeezed texts."""
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

    def words(self) -> frozenset[str]:
        """The literals it looks for."""
        with self._lock:
            return frozenset(self._words)

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
    """The automaton's literals in the comment's normalized text and in its text as read, squeezed."""
    found: set[str] = set()
    for text in squeezed(scan):
        hits = automaton.iter(text) if automaton is not None else ()
        if len(text) > 4 * _clock.EVERY:
            hits = _clock.timed(hits, scan.deadline)  # a long text has thousands of hits
        found.update(map(_second, hits))  # in C: a comment's 100 hits cost no Python frame each
    return frozenset(found)


def squeezed(scan: Scan) -> tuple[str, ...]:
    """The comment's normalized text, and its text as read when it differs, each run of whitespace one space:
    where the literals are looked for (`_runs` reads `\\s+` as a space). `str.split` splits at every character
    the regex module's `\\s` matches (and at four control characters more): a match's text squeezed holds its
    literals squeezed (tests/test_regex_prefilter.py)."""
    try:
        return t.cast(tuple[str, ...], scan.cache[_SQUEEZED])
    except KeyError:
        prepared = scan.prepared
        read = prepared.read
        texts = (prepared.norm,) if read is None else (prepared.norm, read.text)
        if max(map(len, texts)) > 4 * _clock.EVERY:
            _clock.check(scan.deadline)
        found = scan.cache[_SQUEEZED] = tuple(map(squeeze, texts))
        return found


def squeeze(text: str) -> str:
    """`text` with each run of whitespace one space (at its ends too)."""
    inner = " ".join(text.split())
    if not inner:
        return " " if text else ""
    return (" " if text[0].isspace() else "") + inner + (" " if text[-1].isspace() else "")


_SQUEEZED = object()  # the key of a comment's squeezed texts in its scan's cache


def has(scan: Scan, literal: str) -> bool:
    """A short literal in the comment's squeezed texts."""
    return any(literal in text for text in squeezed(scan))
