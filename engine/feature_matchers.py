"""Comment-level matchers: counts of links and contacts, shouting, repetition, length, author fields."""

from __future__ import annotations

import typing as t

from . import features
from ._yaml import Node, Reader
from .matchers import Build, Matcher, register
from .scan import NO_SPAN, RAW, WHOLE, Scan, Span

_BOUNDS = ("at_least", "at_most")


class Bounds:
    __slots__ = ("at_least", "at_most")

    def __init__(self, at_least: float | None, at_most: float | None) -> None:
        self.at_least = at_least
        self.at_most = at_most

    def holds(self, value: float) -> bool:
        return (self.at_least is None or value >= self.at_least) and (self.at_most is None or value <= self.at_most)


def _bounds(r: Reader, node: Node) -> Bounds | None:
    at_least = r.get("at_least", (int, float))
    at_most = r.get("at_most", (int, float))
    if at_least is None and at_most is None:
        r.fail("needs 'at_least' or 'at_most'", node)
        return None
    return Bounds(at_least, at_most)


def _whole(scan: Scan) -> Span:
    """A property of the whole comment points at all of it (without surrounding space)."""
    raw = scan.prepared.raw
    start = len(raw) - len(raw.lstrip())
    end = len(raw.rstrip())
    return Span(start, end, WHOLE) if end > start else NO_SPAN


class CountMatcher:
    """Fires when the number of occurrences is within bounds; spans point at them."""

    __slots__ = ("name", "bounds")
    cost = 2

    def __init__(self, name: str, bounds: Bounds) -> None:
        self.name = name
        self.bounds = bounds

    def find(self, scan: Scan, quotes_ok: bool) -> list[Span]:
        spans = _counted(scan, self.name)
        if not self.bounds.holds(len(spans)):
            return []
        return [Span(f.start, f.end, RAW) for f in spans[:20]] or [NO_SPAN]


def _counted(scan: Scan, name: str) -> tuple[features.Found, ...]:
    """Each count once per comment; shortened links are filtered from the links already found."""
    if name == "shortened_links":
        return scan.memo(
            ("count", name), lambda: features.shortened_from(_counted(scan, "links"), deadline=scan.deadline)
        )
    return scan.memo(
        ("count", name), lambda: t.cast(tuple[features.Found, ...], getattr(features, name)(scan.prepared))
    )


def _count_builder(name: str) -> t.Callable[[Node, str, Build], Matcher | None]:
    def build(node: Node, field: str, b: Build) -> Matcher | None:
        r = Reader(node, _BOUNDS, field, b.rule_id, b.errors)
        bounds = _bounds(r, node)
        return CountMatcher(name, bounds) if bounds else None

    return build


for _name in ("links", "shortened_links", "emails", "phone_numbers", "mentions"):
    register(_name)(_count_builder(_name))


class RepeatedChars:
    __slots__ = ("at_least",)
    cost = 2

    def __init__(self, at_least: int) -> None:
        self.at_least = at_least

    def find(self, scan: Scan, quotes_ok: bool) -> list[Span]:
        span = features.repeated_chars(scan.prepared, self.at_least)
        return [Span(span[0], span[1], RAW)] if span else []


@register("repeated_chars")
def _build_repeated_chars(node: Node, field: str, b: Build) -> Matcher | None:
    r = Reader(node, ("at_least",), field, b.rule_id, b.errors)
    n = r.get("at_least", (int,), required=True)
    return RepeatedChars(n) if n else None


class RepeatedText:
    __slots__ = ("at_least", "min_words", "consecutive")
    cost = 2

    def __init__(self, at_least: int, min_words: int, consecutive: bool) -> None:
        self.at_least = at_least
        self.min_words = min_words
        self.consecutive = consecutive

    def find(self, scan: Scan, quotes_ok: bool) -> list[Span]:
        span = features.repeated_text(scan.prepared, self.at_least, self.min_words, self.consecutive)
        return [Span(span[0], span[1], RAW)] if span else []


@register("repeated_text")
def _build_repeated_text(node: Node, field: str, b: Build) -> Matcher | None:
    r = Reader(node, ("at_least", "min_words", "consecutive"), field, b.rule_id, b.errors)
    n = r.get("at_least", (int,), 2)
    words = r.get("min_words", (int,), 3)
    return RepeatedText(n, words, bool(r.get("consecutive", (bool,), False)))


class CapsRatio:
    __slots__ = ("bounds", "min_letters")
    cost = 1

    def __init__(self, bounds: Bounds, min_letters: int) -> None:
        self.bounds = bounds
        self.min_letters = min_letters

    def find(self, scan: Scan, quotes_ok: bool) -> list[Span]:
        caps = features.caps_ratio(scan.prepared)
        return [_whole(scan)] if caps.letters >= self.min_letters and self.bounds.holds(caps.ratio) else []


@register("caps_ratio")
def _build_caps_ratio(node: Node, field: str, b: Build) -> Matcher | None:
    r = Reader(node, (*_BOUNDS, "min_letters"), field, b.rule_id, b.errors)
    bounds = _bounds(r, node)
    return CapsRatio(bounds, r.get("min_letters", (int,), 12)) if bounds else None


class Length:
    __slots__ = ("bounds",)
    cost = 0

    def __init__(self, bounds: Bounds) -> None:
        self.bounds = bounds

    def find(self, scan: Scan, quotes_ok: bool) -> list[Span]:
        return [_whole(scan)] if self.bounds.holds(len(scan.comment.text)) else []


@register("length")
def _build_length(node: Node, field: str, b: Build) -> Matcher | None:
    r = Reader(node, _BOUNDS, field, b.rule_id, b.errors)
    bounds = _bounds(r, node)
    return Length(bounds) if bounds else None


class AuthorMatcher:
    """Fields the caller sent about the author; a field that was not sent never matches."""

    __slots__ = ("numbers", "roles")
    cost = 0

    def __init__(self, numbers: dict[str, Bounds], roles: frozenset[str] | None) -> None:
        self.numbers = numbers
        self.roles = roles

    def find(self, scan: Scan, quotes_ok: bool) -> list[Span]:
        author = scan.comment.author
        if author is None:
            return []
        for name, bounds in self.numbers.items():
            value = getattr(author, name)
            if value is None or not bounds.holds(value):
                return []
        if self.roles is not None and (author.role or "").lower() not in self.roles:
            return []
        return [NO_SPAN]


@register("author")
def _build_author(node: Node, field: str, b: Build) -> Matcher | None:
    r = Reader(node, ("account_age_days", "approved_count", "role"), field, b.rule_id, b.errors)
    numbers = {}
    for name in ("account_age_days", "approved_count"):
        sub = r.node_of(name)
        if sub is not None:
            bounds = _bounds(Reader(sub, _BOUNDS, r.sub(name), b.rule_id, b.errors), sub)
            if bounds is None:
                return None
            numbers[name] = bounds
    roles_node = r.node_of("role")
    roles = None
    if roles_node is not None:
        items = roles_node.value if roles_node.is_list else [roles_node]
        roles = frozenset(str(n.value).lower() for n in items)
    if not numbers and roles is None:
        r.fail("needs at least one of account_age_days, approved_count, role", node)
        return None
    return AuthorMatcher(numbers, roles)
