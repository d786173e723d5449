"""Comment-level features over a prepared comment: links, contacts, repetition, capitals, length.

Each is a small function computed only when a rule asks for it; all are linear-time. Spans are raw
[start, end) code points, like every span the engine reports.
"""

from __future__ import annotations

import typing as t
import unicodedata
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass

import regex

from engine import _clock
from engine.normalize import Prepared

Span = tuple[int, int]

SHORTENERS = frozenset(
    """
    bit.ly bitly.com tinyurl.com goo.gl t.co ow.ly is.gd buff.ly rebrand.ly cutt.ly shorturl.at tiny.cc
    rb.gy t.ly v.gd bl.ink short.io s.id tr.im lnkd.in db.tt qr.ae adf.ly bc.vc soo.gd s2r.co clicky.me
    budurl.com snipurl.com shorte.st ouo.io trib.al dlvr.it fb.me youtu.be amzn.to wp.me j.mp su.pr
    x.co po.st mcaf.ee ity.im q.gs lnkd.in t2m.io tiny.one shorturl.com urlzs.com hyperurl.co
    """.split()
)


@dataclass(frozen=True, slots=True)
class Found:
    """One thing found in the comment: what it is (a URL, an address, a number) and its raw span."""

    value: str
    start: int
    end: int

    @property
    def span(self) -> Span:
        return self.start, self.end


# Scheme URLs, www. hosts, and bare domains with a path or a common TLD ("bit.ly/x", "example.com").
_URL = regex.compile(
    r"""
    (?<![\w@.])
    (?:
        (?:https?|ftp)://[^\s<>"'()\[\]]{1,2048}
      | www\.[^\s<>"'()\[\]]{1,2048}
      | (?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}/[^\s<>"'()\[\]]{0,2048}
      # a known top-level domain; "bit.ly's history" is prose
      | (?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+
        (?:com|net|org|info|biz|io|co|ly|gl|gd|me|ru|cn|xyz|top|click|link|online|site|shop)\b(?!['\u2019]\w)
    )
    """,
    regex.I | regex.X,
)
_TRAILING = ".,;:!?'\")]}>"
# What every link the full pattern finds has somewhere: a scheme, "www.", a domain and a path, or a known TLD.
_DOT_LETTER = regex.compile(r"\.[a-z]")  # on the normalized (lower-case) text
_MAYBE_URL = regex.compile(
    r"://|www\.|[a-z0-9]\.[a-z]{2,24}/|\.(?:com|net|org|info|biz|io|co|ly|gl|gd|me|ru|cn|xyz|top|click|link|online|site|shop)\b",
    regex.I,
)
_HOST = regex.compile(r"^(?:[a-z][a-z0-9+.-]*://)?(?:[^@/\s]*@)?([^/:?#\s]+)", regex.I)
_EMAIL = regex.compile(r"(?<![\w.+-])[\w.+-]{1,64}@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}\b", regex.I)
# Runs of digits with separators, optionally "+country"; counted only with 9+ digits (not years, prices).
_PHONE = regex.compile(
    r"(?<![\w+$€£.,])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d(?:[\s.-]?\d){5,16}(?![\w.,]\d|\d)"
)
# a count grouped in thousands ("2.124.821.694 views", "1,234,567,890 people"), not a number to call: comma
# groups, or dot groups led by one or two digits or four groups long (phones with dots are 3.3.4 or 2.2.2.2)
_THOUSANDS = regex.compile(r"\d{1,3}(?:,\d{3}){2,}|\d{1,2}(?:\.\d{3}){2,}|\d{3}(?:\.\d{3}){3,}")
# what every address `_EMAIL` finds holds: "@", the first character of its host, the rest of that label, a dot
_AT_HOST = regex.compile(r"@[a-z0-9][a-z0-9-]*\.", regex.I)
_MENTION = regex.compile(r"(?<![\w@.])@[\w](?:[\w.-]{0,38}[\w])?")
_SAME_CHAR = regex.compile(r"(.)\1*", regex.S)
_WORD = regex.compile(r"\w+")


def _trim(url: str) -> str:
    """Drop what follows a URL but is not part of it: closing punctuation, and invisible characters such
    as the byte order mark some sites append to every comment."""
    end = len(url)
    while end and (url[end - 1] in _TRAILING or unicodedata.category(url[end - 1]) == "Cf"):
        end -= 1
    return url[:end]


def host(url: str) -> str:
    """The lower-case host of a URL or bare domain, without a leading 'www.'."""
    m = _HOST.match(url.strip())
    h = m.group(1).lower().rstrip(".") if m else ""
    return h[4:] if h.startswith("www.") else h


def links(p: Prepared) -> tuple[Found, ...]:
    """Links in the comment: hrefs and markdown links first, then URLs written in the visible text."""
    out = [Found(link.url, link.start, link.end) for link in _clock.timed(p.links, p.deadline)]
    if not _may_write_link(p):
        return tuple(out)  # no scheme and no ".x": no link (a sub-microsecond test for most comments)
    # anchors and markdown links, in text order and apart: a URL inside one is its text, counted already
    starts = [f.start for f in out]
    ends = [f.end for f in out]
    for m in _clock.timed(_url_matches(p.visible, p.deadline), p.deadline):
        url = _trim(m.group())
        a, b = p.raw_span_visible(m.start(), m.start() + len(url))
        i = bisect_right(starts, a) - 1
        if i >= 0 and b <= ends[i]:
            continue
        out.append(Found(url, a, b))
    return tuple(sorted(out, key=lambda f: f.start))


def _may_write_link(p: Prepared) -> bool:
    """Whether the visible text may hold a URL: a scheme or a dot before a letter."""
    return "://" in p.visible or bool(_DOT_LETTER.search(p.norm, timeout=_clock.left(p.deadline)))


def _url_matches(text: str, deadline: float | None = None) -> t.Iterator[regex.Match[str]]:
    """The full URL pattern tries a domain at every position; a URL holds no space and contains what
    `_MAYBE_URL` finds, so the pattern runs only over the space-free chunks around those finds."""
    end = 0
    for hint in _clock.timed(_MAYBE_URL.finditer(text, timeout=_clock.left(deadline)), deadline):
        if hint.start() < end:
            continue  # inside a chunk already searched
        start = max(text.rfind(c, 0, hint.start()) for c in " \t\n\r") + 1
        end = min((i for i in (text.find(c, hint.end()) for c in " \t\n\r") if i >= 0), default=len(text))
        yield from _URL.finditer(text, start, end, timeout=_clock.left(deadline))


def shortened_links(p: Prepared, shorteners: frozenset[str] = SHORTENERS) -> tuple[Found, ...]:
    """Links through a URL shortener (the host or a parent domain is in `shorteners`)."""
    return shortened_from(links(p), shorteners, p.deadline)


def shortened_from(
    found: tuple[Found, ...], shorteners: frozenset[str] = SHORTENERS, deadline: float | None = None
) -> tuple[Found, ...]:
    return tuple(f for f in _clock.timed(found, deadline) if _is_short(host(f.value), shorteners))


def _is_short(h: str, shorteners: frozenset[str]) -> bool:
    """Whether the host or one of its parent domains is a shortener: a look-up per label, not per shortener."""
    while h:
        if h in shorteners:
            return True
        h = h.partition(".")[2]
    return False


def _find(pattern: regex.Pattern[str], p: Prepared, keep: t.Callable[[str], bool] | None = None) -> tuple[Found, ...]:
    out = []
    for m in _clock.timed(pattern.finditer(p.visible, timeout=_clock.left(p.deadline)), p.deadline):
        if keep is None or keep(m.group()):
            a, b = p.raw_span_visible(*m.span())
            out.append(Found(m.group(), a, b))
    return tuple(out)


def emails(p: Prepared) -> tuple[Found, ...]:
    # every address holds "@", a host's first letter and a dot: "@USER" and "@ 5pm" skip the full pattern,
    # which tries a local part at every word
    if not _may_email(p):
        return ()
    return _find(_EMAIL, p)


def _may_email(p: Prepared) -> bool:
    return "@" in p.visible and bool(_AT_HOST.search(p.visible, timeout=_clock.left(p.deadline)))


def phone_numbers(p: Prepared) -> tuple[Found, ...]:
    """Phone numbers: 9 to 15 digits with separators, optional +country and (area); not years, prices or
    counts grouped in thousands."""
    if not _may_phone(p):
        return ()  # nine digits at least: skip the pattern for the usual comment
    return _find(
        _PHONE, p, lambda found: 9 <= sum(c.isdigit() for c in found) <= 15 and not _THOUSANDS.fullmatch(found)
    )


def _may_phone(p: Prepared) -> bool:
    return _digits(p.visible) >= 9


def mentions(p: Prepared) -> tuple[Found, ...]:
    """@name mentions (datasets often anonymise them as "@USER"); not e-mail addresses."""
    if not _may_mention(p):
        return ()
    return _find(_MENTION, p)


def _may_mention(p: Prepared) -> bool:
    return "@" in p.visible


def _may_link(p: Prepared) -> bool:
    return bool(p.links) or _may_write_link(p)


#: per count (the names `links`, `emails`, ... of the policy language), the cheap test a comment passes
#: whenever that count is above zero: each count's function returns nothing without it
MAY_COUNT: dict[str, t.Callable[[Prepared], bool]] = {
    "links": _may_link,
    "shortened_links": _may_link,  # a subset of the links
    "emails": _may_email,
    "phone_numbers": _may_phone,
    "mentions": _may_mention,
}


def longest_run(p: Prepared) -> int:
    """The length of the longest run of one non-space character in the raw text."""
    best = 0
    for m in _clock.timed(_SAME_CHAR.finditer(p.raw, timeout=_clock.left(p.deadline)), p.deadline):
        n = m.end() - m.start()
        if n > best and not m.group()[0].isspace():
            best = n
    return best


def repeated_chars(p: Prepared, at_least: int) -> Span | None:
    """The first run of one non-space character repeated `at_least` times or more ("!!!!!", "sooooo")."""
    if at_least < 2:
        at_least = 2
    pattern = _run_pattern(at_least)
    m = pattern.search(p.raw, timeout=_clock.left(p.deadline))
    return m.span() if m else None


_RUN_PATTERNS: dict[int, regex.Pattern[str]] = {}


def _run_pattern(n: int) -> regex.Pattern[str]:
    pattern = _RUN_PATTERNS.get(n)
    if pattern is None:
        pattern = regex.compile(rf"(\S)\1{{{n - 1},}}")
        if len(_RUN_PATTERNS) < 64:
            _RUN_PATTERNS[n] = pattern
    return pattern


def repeated_text(p: Prepared, at_least: int = 2, min_words: int = 3, consecutive: bool = False) -> Span | None:
    """The raw span of the second occurrence of a run of `min_words` words written `at_least` times.

    Uses the canonical words, so "BUY NOW buy now" repeats; counting word n-grams first (C-speed)
    skips the exact scan for the usual comment, which repeats nothing. `consecutive` counts only
    repeats that follow each other ("buy now buy now buy now"), not a phrase recurring in a long text.
    """
    texts = p.words.texts
    n = max(1, min_words)
    at_least = max(at_least, 2)
    if len(texts) < n * at_least:
        return None
    grams = list(zip(*(texts[k:] for k in range(n))))
    counts = Counter(grams)
    if max(counts.values()) < at_least:
        return None
    places: dict[tuple[str, ...], list[int]] = {}
    for i, gram in _clock.timed(enumerate(grams), p.deadline):
        if counts[gram] < at_least:
            continue
        starts = places.setdefault(gram, [])
        if starts and i < starts[-1] + n:
            continue  # overlaps the previous occurrence ("a a a a" is not "a a" at every offset)
        if consecutive and starts and i != starts[-1] + n:
            starts.clear()  # a gap: the run of back-to-back repeats starts again here
        starts.append(i)
        if len(starts) >= at_least:
            second = starts[1]
            toks = p.tokens
            return p.raw_span(toks[second].start, toks[second + n - 1].end)
    return None


_ASCII_UPPER = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ASCII_LOWER = b"abcdefghijklmnopqrstuvwxyz"
_ASCII_DIGITS = b"0123456789"


@dataclass(frozen=True, slots=True)
class Caps:
    ratio: float  # uppercase letters / cased letters; 0.0 with none
    letters: int  # cased letters counted


def caps_ratio(p: Prepared) -> Caps:
    """The share of capitals among letters that have case (scripts without case do not count)."""
    text = p.visible
    # the ASCII letters counted by deleting bytes (one C pass each; a per-character test would not run at C
    # speed); the other characters, a handful in most comments (accents, emoji, curly quotes), one by one
    data = text.encode("ascii", "ignore")
    n = len(data)
    upper = n - len(data.translate(None, _ASCII_UPPER))
    lower = n - len(data.translate(None, _ASCII_LOWER))
    if len(data) < len(text):
        rest = _non_ascii(text)
        upper += sum(map(str.isupper, rest))
        lower += sum(map(str.islower, rest))
    letters = upper + lower
    return Caps(upper / letters if letters else 0.0, letters)


def _digits(text: str) -> int:
    """How many characters of `text` are digits (`str.isdigit`): the ASCII ones counted in C, the others one
    by one."""
    data = text.encode("ascii", "ignore")
    n = len(data) - len(data.translate(None, _ASCII_DIGITS))
    return n if len(data) == len(text) else n + sum(map(str.isdigit, _non_ascii(text)))


def _non_ascii(text: str) -> str:
    """The characters of `text` outside ASCII, in order."""
    return _ASCII_RUN.sub("", text)


_ASCII_RUN = regex.compile(r"[\x00-\x7f]+")


def length(p: Prepared) -> int:
    return len(p.raw)
