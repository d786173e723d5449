"""Which characters a hit shows: the offending words, not the pointer before them or the punctuation around.

A rule often matches more than the offence ("you're such a clown", ", you idiot."); the decision still
counts it once, but a moderator reads the span. The span loses, at its start, the words of the policy's
`not_shown` lists ("you're", "a", "such"), and at both ends spaces and punctuation. It never loses
everything: a span made only of such words is shown whole, but only when the hit has no other span (a
condition such as "aimed at the reader" finds "your"; the hit shows the remark it also found, see
`pointer_only`). Matching and scoring never see this.
"""

from __future__ import annotations

from bisect import bisect_left

from .scan import NORM, RAW, VISIBLE, Scan, Span

#: trimmed from both ends of a shown span; not '*', '@', '#' or '$', which belong to masked words,
#: mentions, tags and sums
_EDGE = frozenset(" \t\r\n,.;:!?\"'()[]{}\u2018\u2019\u201c\u201d\u00ab\u00bb\u2026-\u2013\u2014")


def shown_span(span: Span, scan: Scan, not_shown: frozenset[str]) -> tuple[int, int] | None:
    """The raw [start, end) a hit shows for one matched span."""
    if not_shown and span.space == NORM:
        span = _without_leading_words(span, scan, not_shown)
    raw = scan.raw_span(span)
    if raw is None or span.space not in (NORM, VISIBLE, RAW):
        return raw  # a property of the whole comment: nothing to trim
    return _strip_edges(scan.comment.text, *raw)


def pointer_only(span: Span, scan: Scan, not_shown: frozenset[str]) -> bool:
    """Whether every word of the span is a word of the `not_shown` lists ("you", "this comment" is not):
    such a span names the target, not the offence, and a hit shows another of its spans where it has one."""
    if not not_shown or span.space != NORM:
        return False
    tokens = scan.tokens
    i = j = bisect_left(scan._token_starts, span.start)
    while j < len(tokens) and tokens[j].end <= span.end:
        if not_shown.isdisjoint(scan.forms(j)):
            return False
        j += 1
    return j > i


def _without_leading_words(span: Span, scan: Scan, words: frozenset[str]) -> Span:
    tokens = scan.tokens
    i = j = bisect_left(scan._token_starts, span.start)
    while j < len(tokens) and tokens[j].end <= span.end and not words.isdisjoint(scan.forms(j)):
        j += 1
    if j == i or j >= len(tokens) or tokens[j].start >= span.end:
        return span  # nothing to drop, or nothing would be left
    return Span(tokens[j].start, span.end, NORM, span.tok_lo, span.tok_hi)


def _strip_edges(text: str, start: int, end: int) -> tuple[int, int]:
    s, e = start, end
    while s < e and text[s] in _EDGE:
        s += 1
    while e > s and text[e - 1] in _EDGE:
        e -= 1
    return (s, e) if e > s else (start, end)
