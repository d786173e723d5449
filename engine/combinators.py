"""Matchers made of matchers: all, any, not, near, parent."""

from __future__ import annotations

import typing as t
from bisect import bisect_left, bisect_right

from ._yaml import Node, Reader
from .matchers import Build, Matcher, build, may_match, register
from .part_filter import PartFilter
from .scan import NO_SPAN, NONE, NORM, WHOLE, Scan, Span


class All:
    __slots__ = ("parts", "written", "cost")

    def __init__(self, parts: list[Matcher]) -> None:
        # cheapest first: a failing length or author check spares the regexes after it
        self.parts = sorted(parts, key=lambda p: p.cost)
        self.written = tuple(parts)  # in the policy's order, for `civility explain`
        self.cost = sum(p.cost for p in parts)

    def may_match(self, scan: Scan) -> bool:
        return all(may_match(p, scan) for p in self.parts)

    def find(self, scan: Scan, quotes_ok: bool) -> list[Span]:
        if not self.may_match(scan):
            return []
        found: list[Span] = []
        for part in self.parts:
            spans = part.find(scan, quotes_ok)
            if not spans:
                return []
            found.extend(spans)
        return _text_first(found)


class Any:
    __slots__ = ("parts", "cost", "filter")

    def __init__(self, parts: list[Matcher]) -> None:
        self.parts = parts
        self.cost = sum(p.cost for p in parts)
        # with many regexes among the parts, the comment's literals say which of them to ask
        self.filter = PartFilter.of(parts)

    def _parts(self, scan: Scan) -> t.Sequence[Matcher]:
        return self.parts if self.filter is None else self.filter.parts_for(scan)

    def may_match(self, scan: Scan) -> bool:
        return any(may_match(p, scan) for p in self._parts(scan))

    def find(self, scan: Scan, quotes_ok: bool) -> list[Span]:
        found: list[Span] = []
        for part in self._parts(scan):
            found.extend(part.find(scan, quotes_ok))
        return _text_first(found)


class Not:
    __slots__ = ("part", "cost")

    def __init__(self, part: Matcher) -> None:
        self.part = part
        self.cost = part.cost

    def find(self, scan: Scan, quotes_ok: bool) -> list[Span]:
        return [] if self.part.find(scan, quotes_ok) else [NO_SPAN]


#: which words a `near` hit shows: the first matcher's, the last matched words', or the whole phrase
SHOW = ("first", "last", "all")


class Near:
    """A hit of the first matcher with a hit of every other within `within` words of it."""

    __slots__ = ("parts", "within", "in_order", "show", "cost")

    def __init__(self, parts: list[Matcher], within: int, in_order: bool, show: str = "first") -> None:
        self.parts = parts
        self.cost = sum(p.cost for p in parts)
        self.within = within
        self.in_order = in_order
        self.show = show

    def may_match(self, scan: Scan) -> bool:
        return all(may_match(p, scan) for p in self.parts)

    def find(self, scan: Scan, quotes_ok: bool) -> list[Span]:
        if not self.may_match(scan):
            return []
        anchors = self.parts[0].find(scan, quotes_ok)
        if not anchors:
            return []
        others = []
        for part in self.parts[1:]:
            spans = part.find(scan, quotes_ok)
            if not spans:
                return []
            ranges = sorted(r for r in (scan.token_range(s) for s in spans) if r is not None)
            widest = max((r[1] - r[0] for r in ranges), default=0)
            others.append(([r[0] for r in ranges], ranges, widest))
        out = []
        for anchor in anchors:
            scan.tick()
            at = scan.token_range(anchor)
            if at is None:
                continue
            lo, hi = at
            last = at
            for starts, ranges, widest in others:
                # only ranges starting within reach of the anchor can be close: a window, not a scan
                window = ranges[
                    bisect_left(starts, at[0] - self.within - widest) : bisect_right(starts, at[1] + self.within)
                ]
                close = [o for o in window if self._close(at, o)]
                if not close:
                    break
                lo, hi = min(lo, min(o[0] for o in close)), max(hi, max(o[1] for o in close))
                if self.show == "last":
                    last = max(last, max(close, key=lambda o: o[1]), key=lambda o: o[1])
            else:
                # the span shows the anchor (or the words `show` asks for); its word range covers the
                # whole phrase, so that an exception such as a negation before "you ... idiot" is
                # measured from "you"
                if self.show == "first":
                    out.append(Span(anchor.start, anchor.end, anchor.space, lo, hi))
                else:
                    shown = (lo, hi) if self.show == "all" else last
                    tokens = scan.tokens
                    out.append(Span(tokens[shown[0]].start, tokens[shown[1] - 1].end, NORM, lo, hi))
        return out

    def _close(self, a: tuple[int, int], b: tuple[int, int]) -> bool:
        if a[0] < b[1] and b[0] < a[1]:
            return False  # the same words cannot be both the insult and its target
        if self.in_order and b[0] < a[0]:
            return False
        gap = b[0] - a[1] if b[0] >= a[1] else a[0] - b[1]
        return gap <= self.within


class Parent:
    __slots__ = ("part", "cost")

    def __init__(self, part: Matcher) -> None:
        self.part = part
        self.cost = part.cost + 1

    def find(self, scan: Scan, quotes_ok: bool) -> list[Span]:
        parent = scan.for_parent()
        if parent is None:
            return []
        return [NO_SPAN] if self.part.find(parent, quotes_ok) else []


def _text_first(spans: list[Span]) -> list[Span]:
    """Spans on words first, in text order, then the whole comment, then none: a hit reports the
    most precise characters it can ("cl0wn", not the whole short comment it sits in)."""
    return sorted(spans, key=lambda s: (s.space >= WHOLE, s.space == NONE, s.start))


def _parts(node: Node, field: str, b: Build, least: int) -> list[Matcher] | None:
    if not node.is_list or len(node.value) < least:
        b.fail(f"must be a list of at least {least} matchers", node, field)
        return None
    parts = [build(item, f"{field}[{i}]", b) for i, item in enumerate(node.value)]
    if any(p is None for p in parts):
        return None
    return t.cast(list[Matcher], parts)


@register("all")
def _build_all(node: Node, field: str, b: Build) -> Matcher | None:
    parts = _parts(node, field, b, 1)
    return All(parts) if parts else None


@register("any")
def _build_any(node: Node, field: str, b: Build) -> Matcher | None:
    parts = _parts(node, field, b, 1)
    return Any(parts) if parts else None


@register("not")
def _build_not(node: Node, field: str, b: Build) -> Matcher | None:
    part = build(node, field, b)
    return Not(part) if part else None


@register("parent")
def _build_parent(node: Node, field: str, b: Build) -> Matcher | None:
    part = build(node, field, b)
    return Parent(part) if part else None


@register("near")
def _build_near(node: Node, field: str, b: Build) -> Matcher | None:
    """`near` sits beside its `within`, `order` and `show` keys, so it receives the whole mapping."""
    base = field.rsplit(".", 1)[0]
    r = Reader(node, ("near", "within", "order", "show"), base, b.rule_id, b.errors)
    within = r.get("within", (int,), 3)
    order = r.get("order", (str,), "any")
    show = r.get("show", (str,), "first")
    if order not in ("any", "in_order"):
        r.fail("must be 'any' or 'in_order'", node.value["order"], "order")
        return None
    if show not in SHOW:
        r.fail(f"must be one of {', '.join(repr(s) for s in SHOW)}", node.value["show"], "show")
        return None
    if within < 0:
        r.fail("must be 0 or more", node.value["within"], "within")
        return None
    parts = _parts(node.value["near"], field, b, 2)
    return Near(parts, within, order == "in_order", show) if parts else None
