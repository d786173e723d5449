"""Markup stripping (html, markdown) that keeps a visible -> raw offset map, quoted regions and links.

The visible text is built from segments: runs copied verbatim from the raw body (identity segments) and
replacements (a decoded entity, a newline standing in for a block tag) that map to the whole raw span
they replace. Offsets are mapped with bisect over segment starts, never per character.
"""

from __future__ import annotations

import html
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

import regex

from . import _clock

FORMATS = ("text", "html", "markdown")


@dataclass(frozen=True, slots=True)
class Link:
    """A link the author wrote; `start`/`end` is its raw span (the anchor element, the markdown link)."""

    url: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class OffsetMap:
    """Maps visible positions to raw ones; segment i starts at `vis_starts[i]` in the visible text."""

    vis_starts: tuple[int, ...]
    raw_starts: tuple[int, ...]
    raw_ends: tuple[int, ...]
    identity: tuple[bool, ...]
    vis_len: int
    raw_len: int

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Visible [start, end) -> raw [start, end), from the first to the last character's origin."""
        if not self.vis_starts or start >= self.vis_len:
            return self.raw_len, self.raw_len
        a = self._raw_start(start)
        if end <= start:
            return a, a
        return a, self._raw_end(min(end, self.vis_len) - 1)

    def _raw_start(self, pos: int) -> int:
        i = bisect_right(self.vis_starts, pos) - 1
        if self.identity[i]:
            return self.raw_starts[i] + pos - self.vis_starts[i]
        return self.raw_starts[i]

    def _raw_end(self, pos: int) -> int:
        i = bisect_right(self.vis_starts, pos) - 1
        if self.identity[i]:
            return self.raw_starts[i] + pos - self.vis_starts[i] + 1
        return self.raw_ends[i]


@dataclass(frozen=True, slots=True)
class Markup:
    """The visible text of a body; `offsets` is None when visible is the raw body itself."""

    visible: str
    offsets: OffsetMap | None
    quotes: tuple[tuple[int, int], ...]  # visible [start, end), sorted, non-overlapping
    links: tuple[Link, ...]

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        if self.offsets is None:
            return start, end
        return self.offsets.span(start, end)


class _Builder:
    """Accumulates visible text as segments of the raw body."""

    __slots__ = ("raw", "parts", "vis_starts", "raw_starts", "raw_ends", "identity", "pos")

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.parts: list[str] = []
        self.vis_starts: list[int] = []
        self.raw_starts: list[int] = []
        self.raw_ends: list[int] = []
        self.identity: list[bool] = []
        self.pos = 0

    def copy(self, start: int, end: int) -> None:
        if end <= start:
            return
        if self.identity and self.identity[-1] and self.raw_ends[-1] == start:
            self.raw_ends[-1] = end  # contiguous with the previous verbatim run
        else:
            self._add(start, end, True)
        self.parts.append(self.raw[start:end])
        self.pos += end - start

    def replace(self, text: str, start: int, end: int) -> None:
        if not text:
            return
        self._add(start, end, False)
        self.parts.append(text)
        self.pos += len(text)

    def _add(self, start: int, end: int, identity: bool) -> None:
        self.vis_starts.append(self.pos)
        self.raw_starts.append(start)
        self.raw_ends.append(end)
        self.identity.append(identity)

    def build(self) -> tuple[str, OffsetMap]:
        visible = "".join(self.parts)
        offsets = OffsetMap(
            tuple(self.vis_starts),
            tuple(self.raw_starts),
            tuple(self.raw_ends),
            tuple(self.identity),
            len(visible),
            len(self.raw),
        )
        return visible, offsets


# Single quotes are apostrophes too ("don't", "the students' work", "'cause", "the '90s") and scare quotes
# ("a real 'genius'" is the author's own word): a single-quoted run counts as a quote only with two words
# or more, opened where no word goes on before the mark and closed where none goes on after it, with
# apostrophes inside only between letters ("'you're an idiot'"), and not opened by an elision.
_ELISIONS = r"(?:cause|cos|coz|cuz|em|til|till|bout|n|round|tis|twas|s|ol|nuff|cept|fore|kay|sup|ya)\b"
_SQ_CHAR = r"(?:[^'\u2018\u2019\n]|(?<=[^\W_])['\u2019](?=[^\W_]))"
# (one lazy run: "two words or more" is checked on the match, since a pattern splitting the run at a
# space would try every space of an unclosed run, quadratic time)
_SINGLE = (
    r"(?<![\w'\u2018\u2019])['\u2018](?!" + _ELISIONS + r"|\d)"
    r"((?=[^\W_])" + _SQ_CHAR + r"*?[^\s'\u2018\u2019])['\u2019](?![^\W_])"
)
# Text quotes on one paragraph: straight or curly double quotes, guillemets either way round, German
# low-high quotes, single quotes as above, and '>' lines. A quote's text stops at its own opening mark too:
# otherwise each of 200,000 unclosed marks would scan to the end of the line, quadratic time the clock
# never sees.
_TEXT_QUOTES = regex.compile(
    r'"([^"\n]+)"|\u201c([^\u201c\u201d\n]+)\u201d'
    r"|\u00ab([^\u00ab\u00bb\n]+)\u00bb|\u00bb([^\u00bb\u00ab\n]+)\u00ab"
    r"|\u201e([^\u201e\u201c\u201d\n]+)[\u201c\u201d]|" + _SINGLE + r"|(?m:^[ \t]{0,3}>[^\n]*)",
    regex.I,
)
_SINGLE_GROUP = _TEXT_QUOTES.groups  # `_SINGLE`, the last group of `_TEXT_QUOTES`
_SPACE = regex.compile(r"\s")
#: Characters without which a plain text has no quote (a single quote only where it can open one).
QUOTE_MARKS = '">\u201c\u00ab\u00bb\u201e'
_SINGLE_OPENS = regex.compile(r"(?<![\w'\u2018\u2019])['\u2018][^\W_]")


def may_quote(text: str) -> bool:
    """Whether `text` holds a character that can open a quote (a fast test before any parsing)."""
    return any(c in text for c in QUOTE_MARKS) or (
        ("'" in text or "\u2018" in text) and _SINGLE_OPENS.search(text) is not None
    )


def text_quotes(visible: str, deadline: float | None = None) -> list[tuple[int, int]]:
    """Quoted regions of plain text, in `visible` coordinates."""
    if not may_quote(visible):
        return []
    # each alternative has at most one group: the one that took part is the last (none: the whole line)
    return [
        m.span(m.lastindex or 0)
        for m in _clock.timed(_TEXT_QUOTES.finditer(visible), deadline)
        if m.lastindex != _SINGLE_GROUP or _SPACE.search(m.group(_SINGLE_GROUP))
    ]


# A comment that is a quote and little else is its author's own words: the quote is excused only when
# words of the author's own answer or report it ("He said ... and that is unacceptable"), and never
# when all they add is agreement ("> ...  This.", "so true").
_OWN_WORD = regex.compile(r"[^\W_]*[^\W\d_][^\W_]*")
_MIN_OWN_WORDS = 2
_AGREEMENT = regex.compile(
    r"(?i)(?:\W*\b(?:this|exactly|agreed?|yes|yep|true|so true|facts|same|preach|amen|well said|this is the way"
    r"|i (?:couldn'?t|could not) (?:agree more|have said it better)|\+1|100 ?%|100 percent|lo+l|lmf?ao+|(?:ha)+h?"
    r"|indeed|absolutely|this right here|nailed it|spot on)\b)+\W*"
)
_AGREEMENT_MAX_CHARS = 80


_REPLY_MARK = regex.compile(r"[ \t]{0,3}>*")
_WRAPS = {'"': '"', "\u201c": "\u201d", "\u00ab": "\u00bb", "\u00bb": "\u00ab", "\u201e": "\u201c\u201d"}


def own_quotes(
    visible: str, quotes: tuple[tuple[int, int], ...], deadline: float | None = None
) -> tuple[tuple[int, int], ...]:
    """The regions of `quotes` that are someone else's words: all of them when the author's own words
    outside answer or report them. Otherwise the quotes are the author's own words, and so is a comment
    wrapped whole in quotation marks (over paragraphs too); quotes inside those are judged in turn by
    the words around them (`"He said 'x' and that is unacceptable"` quoted whole)."""
    _clock.check(deadline)
    stripped = visible.strip()
    wrapped = len(stripped) > 2 and stripped[-1] in _WRAPS.get(stripped[0], "")
    if not quotes and not wrapped:
        return quotes
    if not wrapped and _answered(visible, quotes):
        return quotes
    if wrapped:
        start = visible.index(stripped[0]) + 1
        regions = [(start, start + len(stripped) - 2)]
    else:
        regions = list(quotes)
    inner: list[tuple[int, int]] = []
    for region in regions:
        _clock.check(deadline)  # each region reads its own words: a look at the clock for each
        s, e = region
        if not wrapped:
            s += len(_REPLY_MARK.match(visible, s, e).group())  # "> ..." is judged without its mark
        content = visible[s:e]
        # `quotes` are merged (sorted, apart): those inside the region are one run, found by bisection,
        # so a comment of thousands of quotes is not quadratic
        lo = bisect_left(quotes, (s, 0))
        inside = quotes[lo : bisect_left(quotes, (e, 0), lo)]
        within = [(a - s, b - s) for a, b in inside if b <= e and (a, b) != region]
        found = _merge(within + text_quotes(content))
        if found and found != ((0, len(content)),) and _answered(content, found):
            inner.extend((s + a, s + b) for a, b in found)
    return tuple(inner)


def _answered(visible: str, quotes: tuple[tuple[int, int], ...]) -> bool:
    """Whether words of the author's own outside `quotes` answer or report them."""
    parts, last = [], 0
    for s, e in quotes:
        parts.append(visible[last:s])
        last = e
    parts.append(visible[last:])
    own = " ".join(parts)
    if len(_OWN_WORD.findall(own)) < _MIN_OWN_WORDS:
        return False
    own = " ".join(own.split())
    return len(own) > _AGREEMENT_MAX_CHARS or not _AGREEMENT.fullmatch(own)


def _merge(regions: list[tuple[int, int]], deadline: float | None = None) -> tuple[tuple[int, int], ...]:
    out: list[tuple[int, int]] = []
    for s, e in _clock.timed(sorted(r for r in regions if r[1] > r[0]), deadline):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(e, out[-1][1]))
        else:
            out.append((s, e))
    return tuple(out)


# -- html ---------------------------------------------------------------------------------------------

# Attribute text never contains '<', so a stray '<' costs a scan to the next '<' only (linear overall).
_HTML = regex.compile(
    r"""
    (?P<comment><!--.*?(?:-->|\Z))
  | (?P<rawtext><(?P<rawtag>script|style)\b[^<>]*>.*?(?:</(?P=rawtag)\s*>|\Z))
  | (?P<tag></?(?P<name>[a-zA-Z][a-zA-Z0-9:-]*)(?P<attrs>(?:[^<>"']|"[^"<>]*"|'[^'<>]*')*)>)
  | (?P<ent>&(?:\#[0-9]{1,7};?|\#[xX][0-9a-fA-F]{1,6};?|[a-zA-Z][a-zA-Z0-9]{1,31};?))
    """,
    regex.S | regex.I | regex.X,
)
_HREF = regex.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", regex.I)
_BLOCK_TAGS = frozenset(
    "p div br li ul ol blockquote h1 h2 h3 h4 h5 h6 tr td th table hr pre section article header "
    "footer aside nav dd dt dl figure figcaption main".split()
)


def _strip_html(raw: str, deadline: float | None) -> Markup:
    b = _Builder(raw)
    quotes: list[tuple[int, int]] = []
    links: list[Link] = []
    depth = 0
    quote_start = 0
    anchor: tuple[str, int] | None = None
    last = 0
    for m in _clock.timed(_HTML.finditer(raw), deadline):
        b.copy(last, m.start())
        last = m.end()
        if m.group("ent") is not None:
            ent = m.group("ent")
            decoded = html.unescape(ent)
            if decoded == ent:
                b.copy(m.start(), m.end())
            else:
                b.replace(decoded, m.start(), m.end())
            continue
        if m.group("tag") is None:
            continue  # comments and script/style bodies are not visible
        name = m.group("name").lower()
        closing = m.group("tag")[1] == "/"
        if name == "a":
            if closing and anchor is not None:
                links.append(Link(anchor[0], anchor[1], m.end()))
                anchor = None
            elif not closing:
                if anchor is not None:
                    links.append(Link(anchor[0], anchor[1], m.start()))
                h = _HREF.search(m.group("attrs"))
                if h:
                    url = html.unescape(next(g for g in h.groups() if g is not None)).strip()
                    anchor = (url, m.start()) if url else None
        elif name == "blockquote":
            if closing:
                if depth == 1:
                    quotes.append((quote_start, b.pos))
                depth = max(0, depth - 1)
            else:
                depth += 1
                if depth == 1:
                    quote_start = b.pos
        if name in _BLOCK_TAGS:
            # Block boundaries separate words: "<p>a</p><p>b</p>" is "a b", never "ab".
            b.replace("\n", m.start(), m.end())
    b.copy(last, len(raw))
    if anchor is not None:
        links.append(Link(anchor[0], anchor[1], len(raw)))
    visible, offsets = b.build()
    if depth:
        quotes.append((quote_start, len(visible)))
    merged = _merge(quotes + text_quotes(visible, deadline), deadline)
    return Markup(visible, offsets, own_quotes(visible, merged, deadline), tuple(links))


# -- markdown -----------------------------------------------------------------------------------------

_MD = regex.compile(
    r"""
    (?P<link>!?\[(?P<text>[^\[\]\n]{0,1000})\]\(\s*<?(?P<url>[^()\s<>]{1,2048})>?(?:\s+(?:"[^"\n]*"|'[^'\n]*'))?\s*\))
  | (?P<auto><(?P<aurl>(?:https?|ftp)://[^<>\s]{1,2048}|mailto:[^<>\s]{1,512})>)
  | (?P<qopen>\[quote(?:=[^\]\n]{0,200})?\])
  | (?P<qclose>\[/quote\])
    """,
    regex.I | regex.X,
)
_MD_LINE_QUOTE = regex.compile(r"(?m)^[ \t]{0,3}>[^\n]*")


def _strip_markdown(raw: str, deadline: float | None) -> Markup:
    b = _Builder(raw)
    quotes: list[tuple[int, int]] = []
    links: list[Link] = []
    depth = 0
    quote_start = 0
    last = 0
    for m in _clock.timed(_MD.finditer(raw), deadline):
        b.copy(last, m.start())
        last = m.end()
        if m.group("link") is not None:
            links.append(Link(m.group("url"), m.start(), m.end()))
            b.copy(*m.span("text"))  # the link text stays visible, the target does not
        elif m.group("auto") is not None:
            links.append(Link(m.group("aurl"), m.start(), m.end()))
            b.copy(*m.span("aurl"))
        elif m.group("qopen") is not None:
            depth += 1
            if depth == 1:
                quote_start = b.pos
            b.replace("\n", m.start(), m.end())
        else:
            if depth == 1:
                quotes.append((quote_start, b.pos))
            depth = max(0, depth - 1)
            b.replace("\n", m.start(), m.end())
    b.copy(last, len(raw))
    visible, offsets = b.build()
    if depth:
        quotes.append((quote_start, len(visible)))
    for m in _clock.timed(_MD_LINE_QUOTE.finditer(visible, timeout=_clock.left(deadline)), deadline):
        quotes.append(m.span())
    for region in text_quotes(visible, deadline):
        quotes.append(region)
    return Markup(visible, offsets, own_quotes(visible, _merge(quotes, deadline), deadline), tuple(links))


def strip(raw: str, fmt: str = "text", deadline: float | None = None) -> Markup:
    """The visible text of `raw` in format `fmt` (text, html or markdown), its quotes and links.

    :raises ValueError: for an unknown format.
    :raises TimeoutError: when `deadline` passes (a body of 100,000 tags).
    """
    if fmt == "text":
        return Markup(raw, None, own_quotes(raw, _merge(text_quotes(raw, deadline), deadline), deadline), ())
    if fmt == "html":
        return _strip_html(raw, deadline)
    if fmt == "markdown":
        return _strip_markdown(raw, deadline)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
