"""Matcher kinds: compiled once at load, run per comment against a Scan.

This module holds the registry and the text kinds (lists, fuzzy words, regexes); the other kinds
(combinators, feature_matchers, textmodel) import it and register themselves, and policy.py imports them
all, so imports go one way.

Word lists compile to sets keyed by the comment's words (never one big alternation), so a list of
50,000 terms costs what a list of 100 does.
"""

from __future__ import annotations

import functools
import typing as t
from dataclasses import dataclass, field

import regex

from . import _clock, _regex_safety
from ._regex_case import caseless
from ._regex_prefilter import Literals, has, rarest_group, required_literals, scanned
from ._yaml import Node, Reader
from .errors import PatternError
from .scan import NORM, VISIBLE, Scan, Span
from .terms import TermSet, term_words

MAX_FUZZY_TERMS = 2000


class Matcher(t.Protocol):
    #: rough price per comment (0 a field look-up ... 5 a regex), so `all` can try cheap parts first
    cost: int

    def find(self, scan: Scan, quotes_ok: bool) -> list[Span]: ...


def may_match(matcher: Matcher, scan: Scan) -> bool:
    """A cheap necessary condition: False only when `matcher.find` would surely find nothing.

    `near` and `all` ask it of every part before computing any span, so a rule anchored on a common
    word ("you're ...") costs a few set look-ups on the comments that lack its rarer words."""
    check = getattr(matcher, "may_match", None)
    return True if check is None else bool(check(scan))


@dataclass(frozen=True, slots=True)
class Build:
    """What compiling a matcher needs: the policy's lists and models, the rule id, the error collector, and
    the real words that a doubled letter in a term must not be read as."""

    lists: t.Mapping[str, TermSet]
    rule_id: str | None
    errors: t.Any
    real_words: frozenset[str] = frozenset()
    used_lists: set[str] = field(default_factory=set)  # the list names rules refer to, recorded here
    models: t.Mapping[str, t.Any] = field(default_factory=dict)  # the policy's models, by name
    rule_models: list[str] = field(default_factory=list)  # the models this rule's matchers use, in order
    not_shown: frozenset[str] = frozenset()  # words a model hit does not show as its reason ("you", "the")
    literals: Literals = field(default_factory=Literals)  # the policy's regex literals (`Vocabulary.literals`)
    merged: dict[tuple[str, ...], TermSet] = field(default_factory=dict)  # `Vocabulary.merged`

    def fail(self, message: str, node: Node, field: str, cls: type = PatternError, key: str | None = None) -> None:
        """Report at `node`, or at where `key` is written in it (an unknown key, not its value)."""
        self.errors.add(cls(message, node.key_loc(key) if key else node.loc, self.rule_id, field))


# ---- word and phrase lists -------------------------------------------------------------------------


#: `ends:` what may follow a term that ends the sentence or the comment: spaces, closing marks and
#: emphasis, then the sentence's end mark (or the comment's end)
ENDS = {
    "sentence": regex.compile(r"[\s\"'\u201c\u201d\u00ab\u00bb)\]*_~]*(?:[.!?;\n]|\Z)"),
    "comment": regex.compile(r"[\s\"'\u201c\u201d\u00ab\u00bb)\]*_~.!?]*\Z"),
}


class ListMatcher:
    __slots__ = ("terms", "ends")
    cost = 1

    def __init__(self, terms: TermSet, ends: regex.Pattern[str] | None = None) -> None:
        self.terms = terms
        self.ends = ends  # None: anywhere; else what must follow a hit (`ENDS`)

    def may_match(self, scan: Scan) -> bool:
        return self.terms.may_match(scan)

    def find(self, scan: Scan, quotes_ok: bool) -> list[Span]:
        # once per comment for each content: a named list (negations, second-person words) is the
        # exception or a part of many rules, 14 of them on a long comment
        found = scan.memo((self.terms.content, quotes_ok), lambda: self.terms.find(scan, quotes_ok))
        if self.ends is not None:
            norm, ends = scan.prepared.norm, self.ends
            return [s for s in found if s.space == NORM and ends.match(norm, s.end)]
        return list(found)  # callers may sort or extend what they get


def _build_list_at(node: Node, field: str, b: Build, key: str) -> Matcher | None:
    """`list:` or `words:` beside an optional `ends: sentence` or `ends: comment` (the term must end it)."""
    r = Reader(node, (key, "ends"), field.rsplit(".", 1)[0], b.rule_id, b.errors)
    ends = r.get("ends", (str,), None)
    if ends is not None and ends not in ENDS:
        r.fail(f"must be one of {', '.join(repr(e) for e in ENDS)}", node.value["ends"], "ends")
        return None
    built = (_build_list if key == "list" else _build_words)(node.value[key], field, b)
    if built is None or ends is None:
        return built
    return ListMatcher(t.cast(ListMatcher, built).terms, ENDS[ends])


def _build_list(node: Node, field: str, b: Build) -> Matcher | None:
    names = node.value if node.is_list else [node]
    found: list[str] = []
    for name_node in names:
        name = name_node.value
        if not isinstance(name, str):
            b.fail("a list name must be text", name_node, field)
            continue
        if name not in b.lists:
            from ._yaml import did_you_mean

            b.fail(f"no list named '{name}'{did_you_mean(name, b.lists)}", name_node, field)
            continue
        b.used_lists.add(name)
        found.append(name)
    if not found:
        return None
    key = tuple(found)
    merged = b.merged.get(key)
    if merged is None:
        merged = b.lists[found[0]]
        for name in found[1:]:
            merged = merged.merged(b.lists[name])
        b.merged[key] = merged
    return ListMatcher(merged)


def _build_words(node: Node, field: str, b: Build) -> Matcher | None:
    terms = _string_list(node, field, b)
    return ListMatcher(TermSet(terms, b.real_words)) if terms else None


def _string_list(node: Node, field: str, b: Build) -> list[str]:
    """Words as written: YAML would read `no`, `yes` or `420` as a boolean or a number."""
    if not node.is_list or not all(n.source is not None and not (n.is_map or n.is_list) for n in node.value):
        b.fail("must be a list of words or phrases", node, field)
        return []
    terms = [t.cast(str, n.source) for n in node.value]
    for n, term in zip(node.value, terms):
        # a term of ASCII letters (most of a long list) has words: split them once, in TermSet
        if not (term.isascii() and term.replace(" ", "").isalpha()) and not term_words(term):
            b.fail(f"'{term}' has no letters or digits to match", n, field)
    return terms


# ---- fuzzy words -----------------------------------------------------------------------------------


#: shortest word compared at each distance: short words sit one edit from names and other words
#: ("moron" / "Morton"), so they only match exactly
FUZZY_MIN_LENGTH = {1: 6, 2: 9}


class FuzzyMatcher:
    """Words within `distance` edits of a term, by deletion neighbourhoods (small lists only)."""

    __slots__ = ("distance", "exact", "neighbours", "min_length")
    cost = 3

    def __init__(self, terms: t.Iterable[str], distance: int) -> None:
        self.distance = distance
        self.min_length = FUZZY_MIN_LENGTH[distance]
        self.exact = frozenset(terms)
        self.neighbours: dict[str, set[str]] = {}
        for term in self.exact:
            if len(term) < self.min_length:
                continue
            for variant in _deletions(term, distance):
                self.neighbours.setdefault(variant, set()).add(term)

    def find(self, scan: Scan, quotes_ok: bool) -> list[Span]:
        out = []
        for word in scan.word_set:
            if not word.isalpha():
                continue
            if word in self.exact or (len(word) >= self.min_length - self.distance and self._close(word)):
                out.extend(scan.token_span(i, i + 1) for i in scan.positions(word))
        return scan.keep(out, quotes_ok)

    def _close(self, word: str) -> bool:
        for variant in _deletions(word, self.distance):
            for term in self.neighbours.get(variant, ()):
                if _edit_distance(word, term, self.distance) <= self.distance:
                    return True
        return False


def _deletions(word: str, distance: int) -> set[str]:
    found = {word}
    frontier = {word}
    for _ in range(distance):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


def _edit_distance(a: str, b: str, limit: int) -> int:
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _build_fuzzy(node: Node, field: str, b: Build) -> Matcher | None:
    r = Reader(node, ("words", "list", "distance"), field, b.rule_id, b.errors)
    distance = r.get("distance", (int,), 1)
    if not 1 <= distance <= 2:
        b.fail("distance must be 1 or 2", node, f"{field}.distance")
        return None
    terms: list[str] = []
    if r.node_of("words") is not None:
        terms += [w for term in _string_list(r.node_of("words"), f"{field}.words", b) for w in term_words(term)]
    if r.node_of("list") is not None:
        lst = _build_list(r.node_of("list"), f"{field}.list", b)
        if isinstance(lst, ListMatcher):
            terms += list(lst.terms.singles)
    if not terms:
        b.fail("fuzzy needs 'words' or 'list'", node, field)
        return None
    if len(terms) > MAX_FUZZY_TERMS:
        b.fail(f"fuzzy matching is limited to {MAX_FUZZY_TERMS} terms, this has {len(terms)}", node, field)
        return None
    return FuzzyMatcher(terms, distance)


# ---- regular expressions ---------------------------------------------------------------------------


class Analysis:
    """What a regex's searches are filed and filtered by, worked out from its text: the groups of literals it
    requires (`required_literals`) and the same search without IGNORECASE for a case-folded text."""

    __slots__ = ("required", "groups", "key", "caseless")

    def __init__(self, pattern: regex.Pattern[str], space: int) -> None:
        verbose = pattern.flags & regex.VERBOSE or _VERBOSE_FLAG.search(pattern.pattern)
        # a `raw_regex` searches the visible text, which the automaton sees folded: its literals are read
        # case-sensitively (`cased`), unless a flag could make it match otherwise (IGNORECASE, `(?i)`, ...)
        cased = space != NORM
        flagged = pattern.flags & regex.IGNORECASE or _INLINE_FLAG.search(pattern.pattern)
        skip = verbose or (cased and flagged)
        self.required = () if skip else required_literals(pattern.pattern, cased=cased)
        # per group: the literals the automaton finds, and the short ones
        self.groups = tuple(
            (frozenset(lit for lit in group if scanned(lit)), tuple(lit for lit in group if not scanned(lit)))
            for group in self.required
        )
        # the group a comment is likeliest to lack, to file the regex under (the rule index, an `any`); None
        # when every group holds a short literal with a letter, digit or space ("so", " u": tested with `in`)
        found = [words for words, short in self.groups if not short]
        self.key: frozenset[str] | None = frozenset(rarest_group(found)) if found else None
        # the same search without IGNORECASE (20-30% faster), for a case-folded text
        self.caseless = caseless(pattern) if space == NORM else None


#: an inline flag group turning on VERBOSE ("(?x)", "(?ix:"): whitespace in it is no text, so no literals
_VERBOSE_FLAG = regex.compile(r"\(\?[a-zA-Z]*x")
#: any inline flag group ("(?i)", "(?-i:", "(?V1)"): a `raw_regex` with one is given no literals
_INLINE_FLAG = regex.compile(r"\(\?[a-zA-Z^-]")


class RegexMatcher:
    __slots__ = ("pattern", "space", "required", "groups", "key", "literals", "_caseless")
    cost = 5

    def __init__(
        self, pattern: regex.Pattern[str], space: int, literals: Literals, analysis: Analysis | None = None
    ) -> None:
        self.pattern = pattern
        self.space = space
        analysis = analysis or Analysis(pattern, space)
        self.required, self.groups, self.key = analysis.required, analysis.groups, analysis.key
        self.literals = literals  # the policy's: all its regexes' literals, found in one pass
        literals.add(lit for group in self.required for lit in group)
        self._caseless = analysis.caseless

    def may_match(self, scan: Scan) -> bool:
        """Whether the text holds a literal of every group the pattern requires (`in` semantics), as written or
        with its words as read (`Prepared.read`); for a `raw_regex`, in the normalized text, the visible one
        folded."""
        if not self.groups:
            return True
        found = self.literals.found(scan)
        for words, short in self.groups:
            if found.isdisjoint(words) and not (short and any(has(scan, lit) for lit in short)):
                return False
        return True

    def find(self, scan: Scan, quotes_ok: bool) -> list[Span]:
        if self.required and not self.may_match(scan):
            return []  # a word the pattern needs is absent: no need to run it
        return self.run(scan, quotes_ok)

    def run(self, scan: Scan, quotes_ok: bool) -> list[Span]:
        """`find` once `may_match` has said yes."""
        # once per comment for each pattern (`compiled` gives equal patterns one object): several rules
        # share one ("@\\w+", a mention, as an exception)
        return list(scan.memo((self.pattern, self.space, quotes_ok), lambda: self._find(scan, quotes_ok)))

    def _find(self, scan: Scan, quotes_ok: bool) -> list[Span]:
        prepared = scan.prepared
        if self.space == NORM:
            text, pattern = prepared.norm, self._caseless if self._caseless and scan.folded(0) else self.pattern
        else:
            text, pattern = prepared.visible, self.pattern
        out = [Span(start, end, self.space) for start, end in self._matches(pattern, text, scan)]
        # the words as the rules read them, evasions undone ("sit down, d u m m y"), when they differ
        read = prepared.read if self.space == NORM else None
        if read is not None:
            seen = {(s.start, s.end) for s in out}
            pattern = self._caseless if self._caseless and scan.folded(1) else self.pattern
            for span in self._matches(pattern, read.text, scan):
                start, end = read.norm_span(*span)
                if (start, end) not in seen:
                    seen.add((start, end))
                    out.append(Span(start, end, NORM))
        return scan.keep(out, quotes_ok)

    @staticmethod
    def _matches(pattern: regex.Pattern[str], text: str, scan: Scan) -> t.Iterator[tuple[int, int]]:
        """(start, end) of each non-empty match of `pattern` in `text`, within the budget."""
        for m in pattern.finditer(text, timeout=_clock.left(scan.deadline)):
            scan.tick()  # the regex's timeout counts its own search only, not this loop (100,000 matches)
            if m.end() > m.start():
                yield m.start(), m.end()


#: how many distinct policy regexes stay compiled (`compiled`): the default policy writes ~800
_COMPILED_MAX = 4096


@functools.lru_cache(maxsize=_COMPILED_MAX)
def compiled(source: str, space: int) -> tuple[regex.Pattern[str], Analysis]:
    """A policy regex compiled and analysed once per process: a policy writes many patterns more than once
    (995 regexes, 774 distinct, in the default policy: across rules, exceptions and languages) and a reload
    after an edit writes nearly all of them again. One object per pattern also lets the rules that share it
    share its search on a comment (`RegexMatcher.run`'s memo is keyed by it).

    :raises regex.error: for an invalid pattern (not remembered)."""
    flags = regex.IGNORECASE if space == NORM else 0
    # not in the regex module's own cache too: 500 patterns, whose churn would evict its small ones
    pattern = regex.compile(source, flags, cache_pattern=False)
    return pattern, Analysis(pattern, space)


def forget_compiled() -> None:
    """Drop the compiled regexes (`compiled`): the next load compiles them again (for measuring it)."""
    compiled.cache_clear()
    _regex_safety.forget_checked()


def _compile_regex(node: Node, field: str, b: Build, space: int) -> Matcher | None:
    if not isinstance(node.value, str):
        b.fail("must be a regular expression written as text", node, field)
        return None
    try:
        pattern, analysis = compiled(node.value, space)
    except regex.error as e:
        b.fail(f"invalid regular expression: {e}", node, field)
        return None
    if _regex_safety.refusing.get():
        problem = _regex_safety.checked(pattern)
        if problem:
            b.fail(problem, node, field)
            return None
    return RegexMatcher(pattern, space, b.literals, analysis)


def _build_regex(node: Node, field: str, b: Build) -> Matcher | None:
    return _compile_regex(node, field, b, NORM)


def _build_raw_regex(node: Node, field: str, b: Build) -> Matcher | None:
    return _compile_regex(node, field, b, VISIBLE)


# ---- registry --------------------------------------------------------------------------------------

Builder = t.Callable[[Node, str, Build], "Matcher | None"]
MATCHERS: dict[str, Builder] = {
    "list": lambda node, field, b: _build_list_at(node, field, b, "list"),
    "words": lambda node, field, b: _build_list_at(node, field, b, "words"),
    "fuzzy": _build_fuzzy,
    "regex": _build_regex,
    "raw_regex": _build_raw_regex,
}


def register(name: str) -> t.Callable[[Builder], Builder]:
    def add(fn: Builder) -> Builder:
        MATCHERS[name] = fn
        return fn

    return add


#: keys that may sit beside the matcher key in one mapping, per matcher
COMPANIONS: dict[str, tuple[str, ...]] = {
    "near": ("within", "order", "show"),
    "model": ("above", "below"),
    "list": ("ends",),
    "words": ("ends",),
}


def build(node: Node, field: str, b: Build) -> Matcher | None:
    """Compile one matcher mapping (exactly one matcher key) into a Matcher, or report why not."""
    if not node.is_map or not node.value:
        b.fail(f"must be a mapping with one of: {', '.join(sorted(MATCHERS))}", node, field, _schema())
        return None
    keys = [k for k in node.value if k in MATCHERS]
    if len(keys) != 1:
        from ._yaml import did_you_mean

        unknown = [k for k in node.value if k not in MATCHERS]
        if not keys and unknown:
            hint = did_you_mean(unknown[0], MATCHERS)
            b.fail(
                f"unknown matcher '{unknown[0]}'{hint} (one of: {', '.join(sorted(MATCHERS))})",
                node,
                field,
                _schema(),
                key=unknown[0],
            )
        else:
            b.fail(f"exactly one matcher per mapping, found {', '.join(keys) or 'none'}", node, field, _schema())
        return None
    key = keys[0]
    extra = [k for k in node.value if k != key and k not in COMPANIONS.get(key, ())]
    if extra:
        b.fail(f"unknown field '{extra[0]}' beside '{key}'", node, f"{field}.{extra[0]}", _schema(), key=extra[0])
        return None
    if key in COMPANIONS:
        return MATCHERS[key](node, f"{field}.{key}", b)
    return MATCHERS[key](node.value[key], f"{field}.{key}", b)


def _schema() -> type:
    from .errors import PolicySchemaError

    return PolicySchemaError
