"""Matchers made of matchers: all, any, not, near, parent."""

from __future__ import annotations

import typing as t
from bisect import bisect_left, bisect_right

from ._yaml import Node, Reader
from .filed import Filed, mask, members
from .matchers import Build, Matcher, RegexMatcher, build, may_match, register
from .scan import NO_SPAN, NONE, NORM, WHOLE, Scan, Span


def _price(part: Matcher, scan: Scan) -> int:
    """What finding `part` in this comment costs, roughly: an `any` costs the parts it would ask."""
    if isinstance(part, Any):
        return sum(p.cost for p in part.live(scan))
    return part.cost


def _each_found(parts: t.Sequence[Matcher], weighed: bool, scan: Scan, quotes_ok: bool) -> list[list[Span]] | None:
    """Each part's spans, or None as soon as one part finds nothing. With `weighed` (some part is an `any`,
    whose cost depends on the comment), the cheapest part is asked first: a part that finds nothing spares
    the others. The spans are the same in any order (each part's are its own, and a comment's shared
    look-ups are memoized)."""
    found: list[list[Span]] = [[] for _ in parts]
    order = sorted(range(len(parts)), key=lambda i: _price(parts[i], scan)) if weighed else range(len(parts))
    for i in order:
        spans = parts[i].find(scan, quotes_ok)
        if not spans:
            return None
        found[i] = spans
    return found


class All:
    __slots__ = ("parts", "written", "cost", "weighed")

    def __init__(self, parts: list[Matcher]) -> None:
        # cheapest first: a failing length or author check spares the regexes after it
        self.parts = sorted(parts, key=lambda p: p.cost)
        self.written = tuple(parts)  # in the policy's order, for `civility explain`
        self.cost = sum(p.cost for p in parts)
        self.weighed = any(isinstance(p, Any) for p in parts)

    def may_match(self, scan: Scan) -> bool:
        return all(may_match(p, scan) for p in self.parts)

    def find(self, scan: Scan, quotes_ok: bool) -> list[Span]:
        if not self.may_match(scan):
            return []
        each = _each_found(self.parts, self.weighed, scan, quotes_ok)
        if each is None:
            return []
        return _text_first([s for spans in each for s in spans])


#: fewer filed regexes than this in an `any`: asking each one costs no more than a look-up
LEAST = 3


class Any:
    __slots__ = ("parts", "cost", "filed", "always", "literals")

    def __init__(self, parts: list[Matcher]) -> None:
        self.parts = parts
        self.cost = sum(p.cost for p in parts)
        # with many regexes among the parts, the comment's literals (found once for all regexes of the
        # policy) say which of them to ask: each regex is filed under the group of literals it cannot match
        # without (`RegexMatcher.key`); the other parts always run
        keyed = [(i, p) for i, p in enumerate(parts) if isinstance(p, RegexMatcher) and p.key is not None]
        self.literals = keyed[0][1].literals if keyed else None
        filed = {i: p.key for i, p in keyed if p.literals is self.literals}
        self.filed = Filed(filed) if len(filed) >= LEAST else None
        self.always = mask(i for i in range(len(parts)) if self.filed is None or i not in filed)

    def live(self, scan: Scan) -> list[Matcher]:
        """The parts that may find something in this comment, in the order they were written; once per
        comment (`near` and `all` ask before they find). A part left out would surely find nothing (its
        literals are absent, or its `may_match` says so), so the `any` finds the same spans."""
        try:
            return t.cast(list[Matcher], scan.cache[self])
        except KeyError:
            pass
        parts = self.parts
        if self.filed is not None:
            asked = self.always | self.filed.under(t.cast(t.Any, self.literals).found(scan))
            parts = [parts[i] for i in members(asked)]
        live = scan.cache[self] = [p for p in parts if may_match(p, scan)]
        return live

    def may_match(self, scan: Scan) -> bool:
        return bool(self.live(scan))

    def find(self, scan: Scan, quotes_ok: bool) -> list[Span]:
        found: list[Span] = []
        for part in self.live(scan):
            # a live regex has passed its `may_match` already
            found.extend(part.run(scan, quotes_ok) if type(part) is RegexMatcher else part.find(scan, quotes_ok))
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

    __slots__ = ("parts", "within", "in_order", "show", "cost", "weighed")

    def __init__(self, parts: list[Matcher], within: int, in_order: bool, show: str = "first") -> None:
        self.parts = parts
        self.cost = sum(p.cost for p in parts)
        self.within = within
        self.in_order = in_order
        self.show = show
        # the anchor is not always the cheapest part: then the parts are asked cheapest first
        self.weighed = any(isinstance(p, Any) for p in parts) or any(p.cost < parts[0].cost for p in parts)

    def may_match(self, scan: Scan) -> bool:
        return all(may_match(p, scan) for p in self.parts)

    def find(self, scan: Scan, quotes_ok: bool) -> list[Span]:
        if not self.may_match(scan):
            return []
        each = _each_found(self.parts, self.weighed, scan, quotes_ok)
        if each is None:
            return []
        anchors = each[0]
        others = []
        for spans in each[1:]:
            # `placed`: a span of the visible text (a `raw_regex` hit) is measured among the words too
            ranges = sorted(r for r in (scan.placed(s) for s in spans) if r is not None)
            widest = max((r[1] - r[0] for r in ranges), default=0)
            others.append(([r[0] for r in ranges], ranges, widest))
        out = []
        for anchor in anchors:
            scan.tick()
            at = scan.placed(anchor)
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
