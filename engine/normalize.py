"""Text normalization that undoes evasions and keeps every offset.

Pipeline: markup stripping (html/markdown) -> per-character fold (NFKC, casefold, homoglyphs, accents
and invisible characters dropped) -> words, with evasions (leet, spaced letters, stretching, masking)
undone per word. The common comment is ASCII plain text: for it every step is a whole-string operation
and the offset maps are the identity; per-character maps are built only when a character changes length.
"""

from __future__ import annotations

import typing as t
import unicodedata
from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

import regex

from engine import _clock, _confusables, markup


class Token(t.NamedTuple):
    """One word of `Prepared.norm`: `norm[start:end]`; `text` is its canonical form.

    `alts` are other readings of the same word (an ambiguous leet digit, a stretched letter kept
    double); `masked` words keep '*' in `text` as a one-character wildcard. A named tuple, not a
    frozen dataclass: a comment has dozens of words and a frozen dataclass costs 3x as much to build.
    """

    start: int
    end: int
    text: str
    alts: tuple[str, ...] = ()
    masked: bool = False


class Words(t.NamedTuple):
    """Word forms by position: `texts[i]` is token i's text, `alts` maps other readings to positions."""

    texts: list[str]
    alts: dict[str, list[int]]
    masked: tuple[int, ...]

    @classmethod
    def of(cls, tokens: tuple[Token, ...], deadline: float | None = None) -> Words:
        alts: dict[str, list[int]] = {}
        for i, tok in enumerate(_clock.timed(tokens, deadline)):
            for alt in tok.alts:
                alts.setdefault(alt, []).append(i)
        _clock.check(deadline)
        return cls([tok.text for tok in tokens], alts, tuple(i for i, tok in enumerate(tokens) if tok.masked))


def _plain_words(spaced: str, deadline: float | None = None, stretched: bool = False) -> tuple[Words, bool]:
    """`Words` of a text with no spelled-out word: each word as `_tokens` reads it. With `stretched`, the
    words holding a letter three times in a row ("nooo") are read as such, the others as they are. And
    whether every word reads as written (no leet, stretching or mask undone; a mention aside)."""
    texts: list[str] = []
    alts: dict[str, list[int]] = {}
    masked: list[int] = []
    as_written = True
    triples = _triples_in(spaced, deadline) if stretched else ()
    words = spaced.split()
    # a look at the clock every few hundred words, plain ones too, where they are many
    for w in _clock.steps(words, deadline):
        if (w.isalpha() or w.isdigit()) and not (stretched and _has_triple(w, triples)):
            texts.append(w)
            continue
        tok = _word_memo(w, stretched, deadline)  # leet, masks, edge symbols, stretching: rare, read slowly
        if tok is None:
            continue
        if as_written and _read_as(w[tok.start : tok.end], tok, deadline) is not None:
            as_written = False
        for alt in tok.alts:
            alts.setdefault(alt, []).append(len(texts))
        if tok.masked:
            masked.append(len(texts))
        texts.append(tok.text)
    return Words(texts, alts, tuple(masked)), as_written


_WORDS_READ: dict[tuple[str, bool], Token | None] = {}


def _word_memo(w: str, stretched: bool, deadline: float | None = None) -> Token | None:
    """`_word(w, 0, stretched)`, remembered: the same few thousand words ("2020", "wow!") recur."""
    key = (w, stretched)
    if key in _WORDS_READ:
        return _WORDS_READ[key]
    tok = _word(w, 0, stretched, deadline)
    if len(_WORDS_READ) >= _CACHE_LIMIT:
        _WORDS_READ.clear()
    _WORDS_READ[key] = tok
    return tok


def _triples_in(text: str, deadline: float | None = None) -> tuple[str, ...] | None:
    """The letters-three-in-a-row of a text ("ooo"): a word of it holds one of them exactly when
    `_STRETCH` finds a match in it (each run of three or more of a letter is one match). None when they
    are too many to test each word for (then the regex decides, word by word)."""
    if text.isascii():
        return tuple(triple for triple in _ASCII_TRIPLES if triple in text)
    found = {m.group(1) * 3 for m in _STRETCH.finditer(text, timeout=_clock.left(deadline))}
    return tuple(sorted(found)) if len(found) <= _MANY_TRIPLES else None


def _has_triple(w: str, triples: tuple[str, ...] | None) -> bool:
    if triples is None:
        return _STRETCH.search(w) is not None
    return any(triple in w for triple in triples)


class Read(t.NamedTuple):
    """`Prepared.read`: the text, and per character the norm span it stands for (`starts`, `ends`)."""

    text: str
    starts: array[int]
    ends: array[int]

    def norm_span(self, start: int, end: int) -> tuple[int, int]:
        """Read [start, end) (end > start) -> norm [start, end)."""
        return self.starts[start], self.ends[end - 1]


_MARKS = "_~*"
# an emphasis mark at the edge of a word ("_tiger_.", "**better**"), which `_read` leaves out
_EDGE_MARK = regex.compile(r"(?<!\S)[_~*]|[_~*](?=[\s.,;:!?]|$)")


_IN_LINK = regex.compile(r"https?:|www\.|\.(?:com|org|net|co|be|ai|uk|de|io|gg|ly|me|tv)\b")


def _read_as(written: str, tok: Token, deadline: float | None = None) -> str | None:
    """How `_read` writes a token written so, or None when that is as written. A mention ("@user") stays
    itself; stretched letters read single ("tigeeerrr" as "tiger", "dddummy" as "dummy"), but a short word
    stays stretched ("noooo" is an exclamation more often than a "no")."""
    if tok.text == written or written[0] == "@" or written[0] == "|" == written[-1]:
        return None  # a mention, a placeholder ("|lbr|")
    timeout = _clock.left(deadline) if len(written) > 256 else None  # a word can be a whole text
    if not tok.masked and _STRETCH.search(written, timeout=timeout):
        return tok.alts[0] if tok.alts and len(tok.alts[0]) >= 4 else None
    if not tok.text.isalpha() or sum(map(str.isdigit, written)) >= 5:
        return None  # digits or masks left, or a code ("u+0001f602"): no word a pattern could name
    return tok.text


def _reading(norm: str, tok: Token, deadline: float | None = None) -> str | None:
    """`_read_as` of a token of `norm`, except in a link ("t.co", "youtu.be", "t.co/x1y2")."""
    text = _read_as(norm[tok.start : tok.end], tok, deadline)
    if text is not None:
        # the link around the word: up to 300 characters on either side, so that a text with no space
        # costs no more per word
        lo, hi = max(tok.start - 300, 0), min(tok.end + 300, len(norm))
        before, after = _SPACE_BEFORE.search(norm, lo, tok.start), _SPACE.search(norm, tok.end, hi)
        if _IN_LINK.search(norm, before.end() if before else lo, after.start() if after else hi):
            return None
    return text


def _marks_read(norm: str, last: int, start: int) -> bool:
    """Whether the emphasis marks in the gap norm[last:start] before a word read as spaces: at the edges of
    words they are no punctuation ("sure, _tiger_."); inside a link or a name ("x.com/some_name") they stay."""
    gap = norm[last:start]
    return any(c in gap for c in _MARKS) and (not last or any(c.isspace() for c in gap))


def _read(norm: str, tokens: tuple[Token, ...], deadline: float | None = None) -> Read | None:
    readings = {
        i: r
        for i, tok in enumerate(_clock.timed(tokens, deadline))
        # a word written as it reads (the usual one) is no reading: told without a call
        if norm[tok.start : tok.end] != tok.text and (r := _reading(norm, tok, deadline)) is not None
    }
    if not readings and not _EDGE_MARK.search(norm, timeout=_clock.left(deadline)):
        return None
    parts: list[str] = []
    starts: array[int] = array("q")
    ends: array[int] = array("q")
    marks = any(c in norm for c in _MARKS)
    last = 0
    same = 0  # norm[same:last] reads as written and is not in `parts` yet: one slice and range for a run
    for i, tok in enumerate(_clock.timed(tokens, deadline)):
        if i not in readings and tok.start >= last and not (marks and _marks_read(norm, last, tok.start)):
            last = tok.end  # the gap before it and the word as written
            continue
        if last > same:
            parts.append(norm[same:last])
            starts.extend(range(same, last))
            ends.extend(range(same + 1, last + 1))
        if tok.start > last:
            if _marks_read(norm, last, tok.start):
                _gap_read(norm, last, tok.start, bool(last), parts, starts, ends)
            else:
                parts.append(norm[last : tok.start])
                starts.extend(range(last, tok.start))
                ends.extend(range(last + 1, tok.start + 1))
        text = readings.get(i)
        if text is None:
            parts.append(norm[tok.start : tok.end])
            starts.extend(range(tok.start, tok.end))
            ends.extend(range(tok.start + 1, tok.end + 1))
        elif len(text) == tok.end - tok.start:
            parts.append(text)  # letter for letter ("1d10t" as "idiot")
            starts.extend(range(tok.start, tok.end))
            ends.extend(range(tok.start + 1, tok.end + 1))
        else:
            # each read letter stands for its share of the written word; the first and last for its ends
            n, width = len(text), tok.end - tok.start
            parts.append(text)
            for lo in range(0, n, _clock.CHUNK):  # a word can be 100,000 spaced letters
                _clock.check(deadline)
                starts.extend(tok.start + k * width // n for k in range(lo, min(lo + _clock.CHUNK, n)))
                ends.extend(tok.start + max((k + 1) * width // n, 1) for k in range(lo, min(lo + _clock.CHUNK, n)))
        last = same = max(last, tok.end)
    if last > same:
        parts.append(norm[same:last])
        starts.extend(range(same, last))
        ends.extend(range(same + 1, last + 1))
    _gap_read(norm, last, len(norm), False, parts, starts, ends)
    text = "".join(parts)
    return None if text == norm else Read(text, starts, ends)


def _gap_read(
    norm: str, lo: int, hi: int, between: bool, parts: list[str], starts: array[int], ends: array[int]
) -> None:
    """norm[lo:hi], a gap between words, as read: its emphasis marks left out ("you'd **better** hope" reads
    "you'd better hope", one space apart as a pattern expects); a gap of marks alone between two words is
    one space."""
    gap = norm[lo:hi]
    if not any(c in gap for c in _MARKS):
        parts.append(gap)
        starts.extend(range(lo, hi))
        ends.extend(range(lo + 1, hi + 1))
        return
    kept = [i for i in range(lo, hi) if norm[i] not in _MARKS]
    if not kept:
        if between and hi > lo:
            parts.append(" ")
            starts.append(lo)
            ends.append(hi)
        return
    parts.append("".join(norm[i] for i in kept))
    starts.extend(kept)
    ends.extend(i + 1 for i in kept)


@dataclass(frozen=True, slots=True)
class Prepared:
    """A comment body ready for matching; every offset maps back to `raw`."""

    raw: str
    visible: str
    norm: str
    quotes: tuple[tuple[int, int], ...] = ()  # norm [start, end), sorted
    links: tuple[markup.Link, ...] = ()  # from html hrefs and markdown links, raw spans
    offsets: markup.OffsetMap | None = None  # visible -> raw; None when visible is raw
    norm_to_visible: array[int] | None = None  # per norm char, plus a final sentinel; None: identity
    deadline: float | None = None  # time.monotonic() by which building the words must be done
    _cache: list[tuple[Token, ...]] = field(default_factory=list, repr=False, compare=False)
    _words: list[t.Any] = field(default_factory=list, repr=False, compare=False)
    _read: list[t.Any] = field(default_factory=list, repr=False, compare=False)
    #: reads masked words as the words they fit (`normalize_masks.MaskReader`); None: as written
    masks: t.Any = field(default=None, repr=False, compare=False)

    @property
    def tokens(self) -> tuple[Token, ...]:
        """The words of `norm` with their offsets, computed on first use."""
        cache = self._cache
        if not cache:
            words = self._words
            if len(words) == 3:  # words read one by one (see `words`): no spelled-out or glued run to join
                tokens = _plain_tokens(words[1], self.deadline, words[2])
            else:
                tokens = _tokens(self.norm, self.deadline)
            cache.append(self._vocabulary_read(tokens, len(words) != 3))
        return cache[0]

    @property
    def words(self) -> Words:
        """The canonical forms of `tokens`, without offsets. For a comment with no evasion to undo
        (the usual one) this is one `split()`: offsets are built only when a rule needs a span."""
        cache = self._words
        if not cache:
            spaced = self.norm.translate(_SEP)
            stretched = _has_stretch(self.norm)
            # two searches over the whole text: under the budget like the passes after them
            padded = f" {spaced} "
            spelled = _SPELLED_OUT.search(padded, timeout=_clock.left(self.deadline))
            if spelled or _short_glue(self.norm, self.deadline):
                if not (spelled or self._cache or "|" in self.norm or _THREE_SINGLES.search(padded)):
                    # glued pieces ("t.co", "@jmac_au") and no run of single letters: the plain words joined
                    # where glued, as `_tokens` would read them, without its run-by-run pass (200 us)
                    plain = list(_plain_tokens(spaced, self.deadline, stretched))
                    glued = tuple(_join_glued(self.norm, plain, stretched, self.deadline))
                    self._cache.append(self._vocabulary_read(glued, False))
                cache.append(Words.of(self.tokens, self.deadline))
            else:
                if stretched or any(c in spaced for c in _UNUSUAL_CHARS):
                    words, as_written = _plain_words(spaced, self.deadline, stretched)
                    if words.masked and self.masks is not None:
                        words, read = _masked_words_read(words, self.masks)
                        as_written = as_written and not read
                else:
                    words, as_written = Words(spaced.split(), {}, ()), True  # every word is letters only
                cache += (words, spaced, stretched)
                if as_written and not self._read:
                    if not _EDGE_MARK.search(self.norm, timeout=_clock.left(self.deadline)):
                        self._read.append(None)  # no word to read otherwise: `read` needs no offsets
            # (with `spaced` and `stretched` kept, `tokens` reads the same words with their places)
        return cache[0]

    def _vocabulary_read(self, tokens: tuple[Token, ...], runs: bool) -> tuple[Token, ...]:
        """`tokens` with masked words, and (`runs`) spelled-out runs beside a word of one letter, read by
        the policy's vocabulary (`masks`)."""
        if self.masks is None:
            return tokens
        if "*" in self.norm or "#" in self.norm:  # where a word can be masked
            tokens = _masks_read(tokens, self.masks)
        if runs:  # the general pass: spelled-out runs may have taken in a word beside them
            tokens = _runs_read(self.norm, tokens, self.masks)
        return tokens

    @property
    def read(self) -> Read | None:
        """`norm` with every word written as the rules read it ("d u m m y", "st.u.p.1d" and "1d10t" as
        "dummy", "stupid", "idiot"), for patterns; None when every word reads as written (the usual
        comment, told from `words` without building offsets)."""
        cache = self._read
        if not cache:
            self.words  # noqa: B018 (reading the words fills the cache when no word reads otherwise)
            if not cache:
                cache.append(_read(self.norm, self.tokens, self.deadline))
        return cache[0]

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Norm [start, end) -> raw [start, end), covering exactly the original characters."""
        n2v = self.norm_to_visible
        if n2v is not None:
            if end <= start:
                start = end = n2v[min(max(start, 0), len(n2v) - 1)]
            else:
                start, end = n2v[start], n2v[end - 1] + 1
        return self.raw_span_visible(start, end)

    def raw_span_visible(self, start: int, end: int) -> tuple[int, int]:
        """Visible [start, end) -> raw [start, end)."""
        if self.offsets is None:
            return start, end
        return self.offsets.span(start, end)

    def in_quote(self, norm_pos: int) -> bool:
        """Whether the norm position lies inside quoted text (someone else's words)."""
        q = self.quotes
        if not q:
            return False
        i = bisect_right(q, (norm_pos, len(self.norm) + 1)) - 1
        return i >= 0 and q[i][0] <= norm_pos < q[i][1]


# -- the per-character fold ---------------------------------------------------------------------------

# Latin lookalikes that NFKC leaves alone (small capitals, "ɪᴅɪᴏᴛ"; letters with a stroke) and
# typographic punctuation, folded per character. Letters of other scripts that look Latin are read as
# Latin in words that mix scripts only (`_unconfuse`), so that Russian or Greek stays itself.
_CONFUSABLES = {
    **dict(zip("ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘǫʀꜱᴛᴜᴠᴡʏᴢ", "abcdefghijklmnopqrstuvwyz")),
    "ı": "i",
    "ł": "l",
    "ø": "o",
    "đ": "d",
    "ħ": "h",
    "\u2018": "'",
    "\u2019": "'",
    "\u02bc": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
}
_KEEP_CONTROLS = frozenset("\n\t\r")
# Emoji that stand for an insult or a gesture ("you're a 🤡", "🖕 you"), read as the word they mean.
_EMOJI_WORDS = {
    "\U0001f921": " clown ",
    "\U0001f595": " fuck ",
    "\U0001f40d": " snake ",
    "\U0001f400": " rat ",
    "\U0001f401": " rat ",
    "\U0001f4a9": " shit ",
}


# Lookalikes whose NFKC form is another letter or a space: the lunate sigma looks like 'c', not like the
# sigma it decomposes to; the iota subscript written alone looks like an 'i' and must not split a word.
# The Cyrillic capital I is as often an 'l' ("taІking"): it folds to the palochka, an upright stroke.
_BEFORE_NFKC = {"\u03f2": "c", "\u03f9": "c", "\u037a": "\u03b9", "\u0406": "\u04cf"}


def _fold_char(ch: str) -> str:
    """The folded form of one code point: usually one char, '' for invisible ones, more for 'ß'."""
    if ch in _EMOJI_WORDS:
        return _EMOJI_WORDS[ch]
    if ch in _BEFORE_NFKC:
        return _BEFORE_NFKC[ch]
    cat = unicodedata.category(ch)
    if cat == "Cs":
        return " "  # a lone surrogate cannot be encoded; treat it as a separator
    if cat in ("Mn", "Me", "Cf"):
        return ""  # combining marks, zero-width and bidi controls, soft hyphen
    if cat == "Cc":
        return ch if ch in _KEEP_CONTROLS else " "
    s = unicodedata.normalize("NFKC", ch).casefold()
    if not s.isascii():
        decomposed = unicodedata.normalize("NFD", s)
        s = "".join(c for c in decomposed if not unicodedata.combining(c))
        if len(s) != len(decomposed):
            s = unicodedata.normalize("NFC", s)  # recompose what is not an accent (Hangul)
        s = "".join(_CONFUSABLES.get(c, c) for c in s)
    return s


_CACHE_LIMIT = 200_000


class _FoldTable(dict[int, str]):
    """A str.translate table filled on first sight of each code point."""

    irregular: set[str]

    def __missing__(self, cp: int) -> str:
        ch = chr(cp)
        folded = _fold_char(ch)
        if len(folded) != 1:
            self.irregular.add(ch)
        if len(self) < _CACHE_LIMIT:
            self[cp] = folded
        return folded


_FOLD = _FoldTable({cp: chr(cp).lower() for cp in range(128)})
_FOLD.irregular = set()
for _cp in (*range(0x80, 0x250), *range(0x370, 0x530), *range(0xFF01, 0xFF5F), *range(0x2000, 0x2070)):
    _FOLD[_cp]  # noqa: B018 (warms the table so common text never reaches __missing__)
for _cp in range(0x1D400, 0x1D800):  # mathematical alphanumerics, a favourite for evasion
    _FOLD[_cp]  # noqa: B018


@lru_cache(maxsize=256)
def _char_class(chars: str) -> regex.Pattern[str]:
    return regex.compile("[" + "".join(regex.escape(c) for c in chars) + "]")


# (at most 256 at a time, a look at the clock every 16: a run of 200,000 ligatures folds to millions of
# characters)
_NON_ASCII = regex.compile(r"[^\x00-\x7f]{1,256}")


class TextTooLong(Exception):
    """The folded text is longer than the caller's limit: a ligature ("\ufdfa") or an emoji read as a word
    is several letters, so 200,000 of them would be millions of characters to match."""


def _fold(visible: str, deadline: float | None = None, limit: int | None = None) -> tuple[str, array[int] | None]:
    """Fold `visible`; the map (None: identity) gives each norm char's visible position.

    :raises TextTooLong: when the folded text would be longer than `limit` characters."""
    if visible.isascii():
        return visible.lower(), None
    # Mostly-ASCII text: str.lower for the ASCII stretches, the table only for the rest. This also
    # fills the table for chars seen for the first time, so `irregular` below is complete.
    parts: list[str] = []
    last = 0
    for m in _clock.timed(_NON_ASCII.finditer(visible), deadline, 16):
        parts.append(visible[last : m.start()].lower())
        parts.append(m.group().translate(_FOLD))
        last = m.end()
    parts.append(visible[last:].lower())
    irregular = _FOLD.irregular.intersection(visible)
    if not irregular:
        return "".join(parts), None
    # Rebuild around the chars that change length; the runs between them are copied whole.
    parts = []
    n2v: array[int] = array("q")
    last = 0
    longer = 0  # how much longer than `visible` the folded text is so far
    for m in _clock.timed(_char_class("".join(sorted(irregular))).finditer(visible), deadline):
        i = m.start()
        if i > last:
            parts.append(visible[last:i].translate(_FOLD))
            n2v.extend(range(last, i))
        folded = _FOLD[ord(visible[i])]
        parts.append(folded)
        n2v.extend([i] * len(folded))
        last = i + 1
        longer += len(folded) - 1
        if limit is not None and longer > 0 and len(visible) + longer > limit:
            raise TextTooLong(f"the folded text is over {limit} characters")
    if last < len(visible):
        parts.append(visible[last:].translate(_FOLD))
        n2v.extend(range(last, len(visible)))
    n2v.append(len(visible))
    return "".join(parts), n2v


def fold_term(term: str) -> str:
    """The fold `prepare` applies to text, for a list term at load time (no leet, no spacing)."""
    if term.isascii():
        return " ".join(term.lower().split())
    # spacing settles before lookalikes are read, as it will be when the result is folded again: a lookalike
    # is read by the Latin letters spelled out beside it, one spacer apart ("μ i d i o t")
    return " ".join(_unconfuse(" ".join(term.translate(_FOLD).split())).split())


# -- lookalikes from other scripts (Unicode's confusables, UTS #39) ------------------------------------

# A lookalike that is a bare upright stroke (iota, palochka, runic isa, capital I of other scripts) stands for
# an 'i' as often as an 'l' ("troƖᛁ", "assһoΙe"): it is read as '|', which leet reads both ways.
_STROKES = "ǀɩιӏᛁⲓⵏꓲ𐌉𐊊"
_UNCONFUSE = str.maketrans(
    _confusables.SOURCE, "".join("|" if c in _STROKES else t for c, t in zip(_confusables.SOURCE, _confusables.TARGET))
)
_LOOKALIKES = frozenset(_confusables.SOURCE)
# A word for this purpose: letters, digits and leet symbols, or single characters spelled out with one
# spacer between them ("і.d.і.о.т", "і d і о т"), so that a lookalike has Latin letters beside it.
_SCRIPT_WORD = regex.compile(
    r"(?<![\w@$!|*+#])(?:[\w@$!|*+#][ ._-]){2,}[\w@$!|*+#](?![\w@$!|*+#])|[\w@$!|*+#]+(?:[._-][\w@$!|*+#]+)*"
)


@lru_cache(maxsize=4096)
def _script(ch: str) -> str:
    """A letter's script, from its Unicode name ("CYRILLIC SMALL LETTER A" -> "CYRILLIC")."""
    if ch.isascii():
        return "LATIN"
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0] if name else ""


def _unconfuse(norm: str, deadline: float | None = None) -> str:
    """`norm` with lookalikes read as the Latin letters they imitate, in words that mix scripts (or are
    Latin): "іdiоt" with Cyrillic і and о is "idiot"; a word all in one other script ("идиот", "ποτέ")
    is left alone. One character for one, so offsets do not move."""
    if _LOOKALIKES.isdisjoint(norm):
        return norm
    parts: list[str] = []
    last = 0
    for m in _clock.timed(_SCRIPT_WORD.finditer(norm), deadline):
        word = m.group()
        if _LOOKALIKES.isdisjoint(word):
            continue
        scripts = {_script(c) for c in word if c.isalpha()}
        if len(scripts) == 1 and "LATIN" not in scripts:
            continue
        parts.append(norm[last : m.start()])
        parts.append(word.translate(_UNCONFUSE))
        last = m.end()
    if not parts:
        return norm
    parts.append(norm[last:])
    return "".join(parts)


# -- words --------------------------------------------------------------------------------------------

# Word characters: letters and digits of any script, and the symbols leet and masking use. Everything
# else (including '_') separates words; a fold table maps it to a space so str.split finds the words.
_WORD_SYMBOLS = frozenset("@$!|*+#")


class _SeparatorTable(dict[int, str]):
    def __missing__(self, cp: int) -> str:
        ch = chr(cp)
        out = ch if ch.isalnum() or ch in _WORD_SYMBOLS else " "
        if len(self) < _CACHE_LIMIT:
            self[cp] = out
        return out


_SEP = _SeparatorTable()
# Three or more single characters in a row may spell a word out ("i d i o t"): only the pass that keeps
# offsets joins them. Without such a run (or stretched letters) the words are `split()`'s.
# (Searched in the separator-folded text padded with spaces, where every separator is one space;
# plain character tests, which the regex module runs far faster than \S and lookarounds.)
_SPELLED_OUT = regex.compile(r" [^ ] [^ ] [^ ] ")
# Three single characters in a row, the third maybe with marks after it ("d u m!"): where `_tokens` may join
# a run; without one, its words are the plain ones (`_plain_tokens`), glued pieces aside.
_THREE_SINGLES = regex.compile(r" [^ ] [^ ] [^ ]")
# Characters that make a word need reading one by one: leet and mask symbols, and digits (leet, or
# letters beside digits). A text without them is words of letters only.
_UNUSUAL_CHARS = "@$!|*+#0123456789"
new_token = tuple.__new__  # the plain-word fast path skips NamedTuple's Python-level __new__
# Single letters joined by one of these, the same throughout, are one word: "i d i o t", "m.o.r.o.n";
# a mask or leet symbol may stand for a letter ("i d * o t", "f.*.c.k", "s 7 u p ! d").
_RUN_SYMBOLS = frozenset("*#@$+|!")
# Single letters joined by one of these, the same throughout, are one word: "i d i o t", "m.o.r.o.n".
_SPACERS = frozenset(" .-_")
_STRETCH = regex.compile(r"([^\W\d_])\1\1+")
# Longer words with a dot, hyphen or underscore inside ("id.iot", "douche-bag"), read joined as well.
# (Markdown emphasis inside a word, "k__itchen__", "~~id~~iot", glues the same way.)
_GLUED = regex.compile(r"[^\W\d_]+(?:(?:[.\-_~]|__|~~)[^\W\d_]+)+")
# a letter on one side at least, a letter or a leet digit on the other ("dumm.3.s", not "3.5")
_GLUE_HINT = regex.compile(
    r"(?<=[^\W\d_])(?:[.\-_~]|__|~~)(?=[^\W_]|\|)|(?<=[^\W_]|\|)(?:[.\-_~]|__|~~)(?=[^\W\d_])"
)  # a 4 us test; _GLUED takes 50 us
_GLUE_MARKS = str.maketrans("", "", ".-_~")
_SPACE = regex.compile(r"\s")
_SPACE_BEFORE = regex.compile(r"\s", regex.REVERSE)

_LEET = str.maketrans(
    {
        "0": "o",
        "1": "i",
        "3": "e",
        "4": "a",
        "5": "s",
        "6": "g",
        "7": "t",
        "8": "b",
        "9": "g",
        "@": "a",
        "$": "s",
        "!": "i",
        "|": "i",
        "+": "t",
    }
)
_LEET_ALT = str.maketrans({"1": "l", "|": "l", "6": "b"})  # the other reading of the ambiguous ones
_LEET_CHARS = frozenset("0134567789@$!|+")
_I_OR_L = "1|"
# Letters then a number ("covid19", "a55", "win10") or a number then an ordinal or unit ("2nd", "90s",
# "4k", "5gb") are names, ordinals and sizes, not leet ("4ny" is).
_NOT_LEET = regex.compile(r"[^\W\d_]+\d+|\d+(?:st|nd|rd|th|s|k|m|b|g|x|d|p|h|am|pm|kb|mb|gb|tb|kg|km|cm|mm|ml|hz|yo|v)")


# Letters then one or two digits: read as written and with the digits as leet ("wron9", "sh17").
_LEET_TAIL = regex.compile(r"[^\W\d_]{2,}\d{1,2}")

_ASCII_TRIPLES = tuple(c * 3 for c in "abcdefghijklmnopqrstuvwxyz")
_MANY_TRIPLES = 64


def glued_words(norm: str, deadline: float | None = None) -> dict[str, list[tuple[int, int]]]:
    """Words written with a dot, hyphen or underscore inside, by their joined form ("id.iot" -> "idiot"),
    with their [start, end) in `norm`. Only whole-word look-ups use them: "well-known" is still the
    words "well" and "known" for phrases.

    :raises TimeoutError: when `deadline` (a `time.monotonic()` value) passes: a text of thousands of
        links is thousands of hints."""
    hint = _GLUE_HINT.search(norm, timeout=_clock.left(deadline))
    out: dict[str, list[tuple[int, int]]] = {}
    end = 0
    hints = 0
    while hint is not None:
        hints += 1
        if not hints % 64:
            _clock.check(deadline)
        # such a word holds no space: the pattern runs over the space-free stretch around each hint
        # only, not from every letter of the text (a hyphen in one word cost 170 us a comment)
        space = _SPACE_BEFORE.search(norm, end, hint.start())
        start = space.end() if space else end
        space = _SPACE.search(norm, hint.end())
        end = space.start() if space else len(norm)
        for m in _clock.timed(_GLUED.finditer(norm, start, end), deadline):
            out.setdefault(m.group().translate(_GLUE_MARKS), []).append(m.span())
        hint = _GLUE_HINT.search(norm, end)
    return out


def _has_stretch(norm: str) -> bool:
    """Whether some letter appears 3+ times in a row; substring searches, C-speed for usual text."""
    if norm.isascii():
        return any(triple in norm for triple in _ASCII_TRIPLES)
    letters = [c for c in set(norm) if c.isalpha()]
    if len(letters) > 64:
        return _STRETCH.search(norm) is not None
    return any(c * 3 in norm for c in letters)


def _word(w: str, start: int, stretched: bool, deadline: float | None = None) -> Token | None:
    """The token for a word `w` found at `start`, or None when it holds no letter or digit; the searches
    in it stop at `deadline` (a word can be a whole 200,000-character text)."""
    # Edge symbols: trailing '!' is punctuation; '*' on both ends is emphasis, inside it is a mask; '#'
    # in front is a hashtag, inside a mask ("mo#on"); '+' at the ends is punctuation unless leet follows.
    core = w
    if core[0] in "*#":
        core = core.lstrip("*#")
        start += len(w) - len(core)
        core = core.rstrip("*!#")
    core = core.rstrip("!#")
    if not any(c.isalnum() for c in core):
        return None
    end = start + len(core)
    text = core
    alts: list[str] = []
    # a usual word needs no look at the clock; each pass over a long one gets half the time left then
    long = len(core) > 256
    if not core.isalpha():
        has_letter = any(c.isalpha() for c in core)
        if "#" in core:
            core = text = core.replace("#", "*")
        if has_letter and _LEET_TAIL.fullmatch(core, timeout=_clock.left(deadline) if long else None):
            # letters then a digit or two: a name first ("win10", "mp3"), a word ending in leet too ("wher3", "sh17")
            alts.extend((core.translate(_LEET), core.translate(_LEET_ALT).translate(_LEET)))
        elif (
            has_letter
            and not _NOT_LEET.fullmatch(core, timeout=_clock.left(deadline) if long else None)
            and not _LEET_CHARS.isdisjoint(core)
        ):
            text = core.translate(_LEET)
            alt = core.translate(_LEET_ALT).translate(_LEET)
            if alt != text:
                alts.append(alt)
                alts.extend(_i_or_l(core, text))
            if core[0] == "@" and len(core) > 1:
                alts.append(core[1:])  # a mention: "@user"
        if "*" in text and has_letter:
            # '*' as markdown emphasis inside a word ("idio**t**", "spo*iled*"), not a mask; of every reading
            # of an ambiguous leet letter ("ment**a1ly**")
            for reading in (text, *alts):
                plain = reading.replace("*", "")
                if len(plain) >= 3 and plain.isalpha():
                    alts.append(plain)
    if (stretched or text != core) and _STRETCH.search(text, timeout=_clock.left(deadline) if long else None):
        # Keep a double letter ("goood" -> "good") as the canonical form, the single one as an alt; leet
        # may make the run ("dumb@s5$$"). A masked word is compared by its length, and a letter stretched
        # once stood alone more often than doubled: there the single is canonical ("sttttup*d" -> "stup*d").
        single = _STRETCH.sub(r"\1", text, timeout=_clock.left(deadline) if long else None)
        double = _STRETCH.sub(r"\1\1", text, timeout=_clock.left(deadline) if long else None)
        alts = [single, *(_STRETCH.sub(r"\1", a, timeout=_clock.left(deadline) if long else None) for a in alts), *alts]
        alts += _each_run_once_or_twice(text, _clock.left(deadline) if long else None)
        text = double
        if "*" in single:
            # the all-double reading is no reading of a masked word: a mask read against more lengths finds
            # more words, and a letter stretched once stood alone more often ("t#eeee" is not "thee")
            alts, text = alts[1:], single
    alts = [a for a in dict.fromkeys(alts) if a != text]
    return Token(start, end, text, tuple(alts), "*" in text)


#: the most stretched runs in a word whose readings are each taken once or twice (2 ** 4 readings)
_MOST_RUNS = 4


def _each_run_once_or_twice(text: str, timeout: float | None = None) -> list[str]:
    """Readings of a word with two to four stretched runs where each run is one letter or two, so that a
    word with a double letter of its own is read whichever run it is ("menttttalllly" as "mentally",
    "trigggggerrrred" as "triggered", "meeee**alllllly" as "me**ally"); the all-single and all-double
    readings are the caller's."""
    runs = []
    for run in _STRETCH.finditer(text, timeout=timeout):
        runs.append(run)
        if len(runs) > _MOST_RUNS:
            return []
    if len(runs) < 2:
        return []
    out = []
    for mask in range(1, 2 ** len(runs) - 1):
        parts, last = [], 0
        for bit, run in enumerate(runs):
            parts.append(text[last : run.start()])
            parts.append(run.group(1) * (2 if mask >> bit & 1 else 1))
            last = run.end()
        parts.append(text[last:])
        out.append("".join(parts))
    return out


def _i_or_l(core: str, text: str) -> list[str]:
    """Readings of a word whose '1's or '|'s are some 'i' and some 'l' ("spo113d"), up to three of them."""
    at = [i for i, c in enumerate(core) if c in _I_OR_L]
    if not 2 <= len(at) <= 3:
        return []
    out = []
    for mask in range(1, 2 ** len(at) - 1):
        chars = list(text)
        for bit, i in enumerate(at):
            if mask >> bit & 1:
                chars[i] = "l"
        out.append("".join(chars))
    return out


# A one-letter word may sit beside a spelled-out word: "a" before it ("a m o r o n"), "a", "y", "o" or
# "e" after it ("r e a d a book", "m e n t i r o s o y ..."): the run is also read without it.
_LONE_HEADS = "a"
_LONE_TAILS = "aoye"
#: the longest piece a spelled-out run is cut into (the longest words of the lists are under 30 letters)
_LONGEST_PIECE = 32


# Words an article follows ("what a", "you're a", "is a"): a spelled-out word after one of them that
# begins with "a" may be the article and a word ("is a l o s e r"); after "an", "the", "you" or at the
# start it is one word ("an a b s o l u t e", "you a s s h o l e").
_BEFORE_AN_ARTICLE = frozenset(
    "what such quite rather re s is are was were be been being am r ur your like as just total "
    "complete real proper called call calling".split()
)


def _spaced(norm: str, run: list[int], deadline: float | None = None) -> Token | None:
    """One token for single letters at `run` (>= 3), unless the run is glued to a longer word."""
    first, last = run[0], run[-1]
    sep = norm[first + 1]
    if first >= 2 and norm[first - 1] == sep != " " and norm[first - 2].isalnum():
        return None
    if last + 2 < len(norm) and norm[last + 1] == sep != " " and norm[last + 2].isalnum():
        return None
    joined = "".join(norm[i] for i in run)
    tok = _word(joined, 0, _has_stretch(joined), deadline)
    if tok is None:
        return None
    alts = tok.alts
    text = tok.text
    if len(text) >= 5 and len(text) == len(run):
        head = text[0] in _LONE_HEADS
        tail = text[-1] in _LONE_TAILS
        extra = [text[1:]] if head else []
        if tail:
            extra.append(text[:-1])
        if head and tail and len(text) >= 6:
            extra.append(text[1:-1])
        if len(text) >= 9 and text.isalpha():
            # two words spelled out with one spacer between them as within them ("s t u p i d m o r o n"):
            # each way of cutting it in two, both pieces of 4 letters or more and no longer than a word
            # can be (a run of 100,000 letters would otherwise give 100,000 pieces of its length)
            for k in range(max(4, len(text) - _LONGEST_PIECE), min(len(text) - 3, _LONGEST_PIECE + 1)):
                extra += (text[:k], text[k:])
        alts = tuple(dict.fromkeys((*alts, *extra)))
    return Token(first, last + 1, text, alts, tok.masked)


def _plain_tokens(spaced: str, deadline: float | None, stretched: bool) -> tuple[Token, ...]:
    """`_tokens` of a text with no spelled-out or glued run (see `Prepared.words`), word by word as
    `_plain_words` reads them: the same tokens, several times faster."""
    return tuple(_plain_reading(spaced, deadline, stretched, False))


def plain_starts(spaced: str, deadline: float | None, stretched: bool) -> list[int]:
    """Where each word of `_plain_tokens` starts, without building the tokens (thousands of objects for a
    long comment, which the garbage collector then walks): what a model needs to leave quoted words out."""
    return t.cast(list[int], _plain_reading(spaced, deadline, stretched, True))


def _plain_reading(spaced: str, deadline: float | None, stretched: bool, starts_only: bool) -> list[t.Any]:
    """The words of `spaced` read one by one: each as its `Token`, or (`starts_only`) where it starts."""
    out: list[t.Any] = []
    append = out.append
    find = spaced.find
    pos = 0
    triples = _triples_in(spaced, deadline) if stretched else ()
    for w in _clock.timed(spaced.split(), deadline):
        i = find(w, pos)
        pos = i + len(w)
        if (w.isalpha() or w.isdigit()) and not (stretched and _has_triple(w, triples)):
            append(i if starts_only else new_token(Token, (i, pos, w, (), False)))
            continue
        tok = _word_memo(w, stretched, deadline)  # read at 0: moved to its place
        if tok is None:
            continue
        start = i + tok.start
        append(start if starts_only else new_token(Token, (start, i + tok.end, tok.text, tok.alts, tok.masked)))
    return out


def _tokens(norm: str, deadline: float | None = None) -> tuple[Token, ...]:
    s = norm.translate(_SEP)
    stretched = _has_stretch(norm)
    triples = _triples_in(s, deadline) if stretched else ()
    out: list[Token] = []
    append = out.append
    find = s.find
    pos = 0
    run: list[int] = []  # starts of consecutive single-letter words joined by one spacer
    for w in _clock.timed(s.split(), deadline):
        i = find(w, pos)
        pos = i + len(w)
        if len(w) == 1 and (w.isalnum() or w in _RUN_SYMBOLS):
            if run and (i - run[-1] != 2 or norm[i - 1] not in _SPACERS):
                _flush(norm, run, out, deadline)
            elif run and norm[i - 1] != norm[run[0] + 1]:
                # the spacer changed: a short run ("u m" of "u m.o.r.o.n") hands its last letter on
                last = run.pop() if len(run) < 3 else None
                _flush(norm, run, out, deadline)
                if last is not None:
                    run.append(last)
            run.append(i)
            continue
        if run and len(w) > 1 and w[0].isalnum() and w.endswith("!" * (len(w) - 1)) and i - run[-1] == 2:
            # the last letter of a spelled-out word with an exclamation mark ("d u m m y!")
            run.append(i)
            _flush(norm, run, out, deadline)
            continue
        if run:
            _flush(norm, run, out, deadline)
        if (w.isalpha() or w.isdigit()) and not (stretched and _has_triple(w, triples)):
            append(new_token(Token, (i, pos, w, (), False)))
        else:
            tok = _word_memo(w, stretched, deadline)  # read at 0: moved to its place
            if tok is not None:
                append(new_token(Token, (i + tok.start, i + tok.end, tok.text, tok.alts, tok.masked)))
    if run:
        _flush(norm, run, out, deadline)
    if _short_glue(norm, deadline):
        out = _join_glued(norm, out, stretched, deadline)
    return tuple(out)


# Pieces of a word split by dots, underscores or tildes where one piece is a letter or two ("fu.ck",
# "m.at.ar", "k__itchen__"): one word, for phrases too. Hyphens are left out ("e-mail", "co-op" stay
# two words for phrases; `glued_words` reads them joined for single words).
_GLUE_BETWEEN = regex.compile(r"[._~]|__|~~")
_GLUE_MARK = regex.compile(r"[._~]")
_SHORT_GLUE = regex.compile(
    r"(?<![\w@$!|*+#])[\w@$!|*+#]{1,2}(?:[._~]|__|~~)[\w@$!|*+#]|[\w@$!|*+#](?:[._~]|__|~~)[\w@$!|*+#]{1,2}(?![\w@$!|*+#])"
)
_GLUE_CHARS = "._~"


# Emphasis that closes or opens inside a word ("dum_mes_", "__Politi__ker"): see `_emphasis_inside`.
_EMPHASIS_GLUE = regex.compile(r"[^\W_](__|_|~~)[^\W_]+\1(?![^\W_])|(?<![^\W_])(__|_|~~)[^\W_]+\2[^\W_]")


def _short_glue(norm: str, deadline: float | None = None) -> bool:
    """Whether `norm` holds pieces of a word glued by dots, underscores or tildes that `_join_glued` joins."""
    return (
        any(c in norm for c in _GLUE_CHARS)
        and _GLUE_HINT.search(norm, timeout=_clock.left(deadline)) is not None
        and (
            _short_glue_at_marks(norm, deadline)
            # emphasis glues with '_', '__' or '~~' only
            or (
                ("_" in norm or "~~" in norm) and _EMPHASIS_GLUE.search(norm, timeout=_clock.left(deadline)) is not None
            )
        )
    )


#: up to this many glue marks, `_SHORT_GLUE` is tried only where a match can start: one or two characters
#: before a mark (a search from every character of a 300-character comment took 25 us)
_FEW_MARKS = 64


def _short_glue_at_marks(norm: str, deadline: float | None = None) -> bool:
    """Whether `_SHORT_GLUE` matches somewhere in `norm`."""
    if sum(norm.count(c) for c in _GLUE_CHARS) > _FEW_MARKS:
        return _SHORT_GLUE.search(norm, timeout=_clock.left(deadline)) is not None
    starts = set()
    for m in _GLUE_MARK.finditer(norm):
        starts.update(range(max(m.start() - 2, 0), m.start()))
    return any(_SHORT_GLUE.match(norm, start) is not None for start in starts)


def _join_glued(norm: str, tokens: list[Token], stretched: bool, deadline: float | None = None) -> list[Token]:
    """Each chain of tokens with a glue mark between each and the next, joined where a piece is short.
    Only the marks' places are looked at: each mark in the text is placed among the tokens by bisection
    (testing every pair of tokens took 85 us on a comment of 60 words)."""
    starts = [tok.start for tok in tokens]
    links: list[int] = []  # k: a glue mark joins token k and token k + 1
    for m in _clock.timed(_GLUE_MARK.finditer(norm), deadline):
        k = bisect_right(starts, m.start()) - 1
        if 0 <= k < len(tokens) - 1 and (not links or links[-1] != k) and _linked(norm, tokens[k], tokens[k + 1]):
            links.append(k)
    out: list[Token] = []
    copied = 0  # tokens before this one are in `out`
    n = 0
    while n < len(links):
        if not n % _clock.EVERY:
            _clock.check(deadline)
        i = j = links[n]
        while n < len(links) and links[n] == j:  # links k, k + 1, ...: one chain of pieces
            j += 1
            n += 1
        out.extend(tokens[copied:i])
        copied = j + 1
        pieces = tokens[i : j + 1]
        sizes = [p.end - p.start for p in pieces]
        # all single letters is a run for `_spaced` (which wants three: "e.g" stays two words)
        if (min(sizes) <= 2 and max(sizes) >= 2 and any(c.isalpha() for p in pieces for c in p.text)) or (
            _emphasis_inside(norm, pieces)
        ):
            joined = "".join(norm[p.start : p.end] for p in pieces)
            tok = _word(joined, 0, stretched or _has_stretch(joined), deadline)
            if tok is not None:
                # a long piece keeps its own reading too ("u.idiot" is "uidiot" and "idiot")
                longer = [p.text for p in pieces if len(p.text) >= 3]
                alts = tuple(a for a in dict.fromkeys((*tok.alts, *longer)) if a != tok.text)
                out.append(Token(pieces[0].start, pieces[-1].end, tok.text, alts, tok.masked))
                continue
        out.extend(pieces)
    out.extend(tokens[copied:])
    return out


def _emphasis_inside(norm: str, pieces: list[Token]) -> bool:
    """Pieces split by markdown emphasis inside one word: the same '_', '__' or '~~' between them and
    before the first or after the last ("dum_mes_", "__Politi__ker", "wee~~kend~~"), or around a short
    middle piece ("co_mme_nt"); not a lone underscore ("user_name") nor a name in snake case
    ("#make_it_count")."""
    marks = {norm[a.end : b.start] for a, b in zip(pieces, pieces[1:])}
    if len(marks) != 1:
        return False
    mark = marks.pop()
    if mark not in _EMPHASIS_MARKS:
        return False
    first, last = pieces[0], pieces[-1]
    if len(pieces) > 2:
        return len(pieces) == 3 and pieces[1].end - pieces[1].start <= 4
    return norm[max(first.start - len(mark), 0) : first.start] == mark or norm[last.end : last.end + len(mark)] == mark


_EMPHASIS_MARKS = frozenset(("_", "__", "~~"))


def _linked(norm: str, a: Token, b: Token) -> bool:
    """Whether a glue mark (one or two characters) alone stands between tokens `a` and `b`, both one
    word as written."""
    return (
        0 < b.start - a.end <= 2
        and _GLUE_BETWEEN.fullmatch(norm, a.end, b.start) is not None
        and _plain_piece(norm, a)
        and _plain_piece(norm, b)
    )


def _plain_piece(norm: str, tok: Token) -> bool:
    """A token that is one word as written (not a spelled-out run, which holds separators)."""
    return tok.end - tok.start == len(tok.text) and " " not in norm[tok.start : tok.end]


def _flush(norm: str, run: list[int], out: list[Token], deadline: float | None = None) -> None:
    append = out.append
    # '!' is a letter only between letters ("s t u p ! d"); at either end it is punctuation ("wow ! a b c"),
    # unless the run holds other leet ("! 6 n o r a n +")
    if not any(norm[i] in _LEET_CHARS and norm[i] != "!" for i in run):
        while run and norm[run[0]] == "!":
            run.pop(0)
        while run and norm[run[-1]] == "!":
            run.pop()
    tok = _spaced(norm, run, deadline) if len(run) >= 3 else None
    if tok is not None and tok.text[0] == "a" and len(run) >= 4 and out and out[-1].text in _BEFORE_AN_ARTICLE:
        # "what a l o s e r", "you're a n o b o d y": the article is a word of its own, for phrases
        # ("a nobody", "what a loser"); the joined letters stay a reading of the rest
        rest = _word(norm[run[1] : run[-1] + 1].replace(norm[run[0] + 1], ""), 0, False, deadline)
        if rest is not None and rest.text.replace("*", "").isalpha():
            append(Token(run[0], run[0] + 1, "a"))
            alts = tuple(a for a in dict.fromkeys((tok.text, *tok.alts, *rest.alts)) if a != rest.text)
            append(Token(run[1], run[-1] + 1, rest.text, alts, rest.masked))
            run.clear()
            return
    if tok is not None:
        append(tok)
    else:
        for i in run:
            # a lone mask or leet symbol is no word, except an upright stroke glued into one ("wear.|.ng")
            if norm[i].isalnum() or (norm[i] == "|" and _glued_at(norm, i)):
                append(Token(i, i + 1, norm[i]))
    run.clear()


def _glued_at(norm: str, i: int) -> bool:
    return (i > 0 and norm[i - 1] in _GLUE_CHARS) or (i + 1 < len(norm) and norm[i + 1] in _GLUE_CHARS)


def _mask_read(tok_text: str, alts: tuple[str, ...], masks: t.Any) -> tuple[str, tuple[str, ...], bool] | None:
    """A masked word's (text, alts, masked) as `masks` reads it, or None when it reads no word."""
    found = masks.read(tok_text)
    if found is None:
        return None
    text, more, masked = found
    if masked:
        alts = tuple(a for a in dict.fromkeys((*more, *alts)) if a != text)
    else:
        alts = more  # a function word: the mask hid no swear word
    return text, alts, masked


def _masks_read(tokens: tuple[Token, ...], masks: t.Any) -> tuple[Token, ...]:
    """`tokens` with each masked word read by `masks` (`Prepared.masks`)."""
    out = None
    for i, tok in enumerate(tokens):
        if tok.masked and (found := _mask_read(tok.text, tok.alts, masks)) is not None:
            if out is None:
                out = list(tokens)
            out[i] = Token(tok.start, tok.end, *found)
    return tokens if out is None else tuple(out)


#: letters that are words of their own before a spelled-out word ("I k n o w", "a l o s e r"), and after
#: one ("l u c k y I don't", "r e a d a book", "e" and "y" for "and", "o" for "or")
_WORD_LETTERS_BEFORE = "ai"
_WORD_LETTERS_AFTER = "aioye"


def _runs_read(norm: str, tokens: tuple[Token, ...], masks: t.Any) -> tuple[Token, ...]:
    """`tokens` with each spelled-out run the policy's vocabulary (`masks`) does not know as a whole cut into
    the words it knows: a word of one letter the run took in ("I k n o w", "don't m a k e", "r e a d a
    book") or two words spelled out as one ("t y p i c a l t r o l l"). An article read apart from a run
    ("your a d d r e s s") is joined back where the vocabulary knows the whole and not the rest."""
    out: list[Token] | None = None
    skip = False
    for k, tok in enumerate(tokens):
        if skip:
            skip = False
            continue
        run = tok
        if (
            tok.text in _WORD_LETTERS_BEFORE
            and tok.end - tok.start == 1
            and k + 1 < len(tokens)
            and _spelled_run(tokens[k + 1])
            and tokens[k + 1].start == tok.end + 1
            and norm[tok.end] == norm[tokens[k + 1].start + 1]
            and not masks.knows(tokens[k + 1].text)
            and masks.knows(tok.text + tokens[k + 1].text)
        ):
            nxt = tokens[k + 1]
            run = Token(tok.start, nxt.end, tok.text + nxt.text)
            skip = True
        cut = _run_cut(norm, run, masks) if _spelled_run(run) else None
        if cut is None and run is tok:
            if out is not None:
                out.append(tok)
            continue
        if out is None:
            out = list(tokens[:k])
        if cut is None:
            out.append(run)
            continue
        at = run.start
        for size in cut:
            out.append(Token(at, at + 2 * size - 1, run.text[(at - run.start) // 2 : (at - run.start) // 2 + size]))
            at += 2 * size
    return tokens if out is None else tuple(out)


def _spelled_run(tok: Token) -> bool:
    """A token of four letters or more spelled out one spacer apart."""
    n = len(tok.text)
    return n >= 4 and tok.end - tok.start == 2 * n - 1 and tok.text.isalpha()


def _run_cut(norm: str, tok: Token, masks: t.Any) -> tuple[int, ...] | None:
    """The lengths of the words a spelled-out run is cut into (`MaskReader.spelled`), or None."""
    text = tok.text
    heads = 0
    if text[0] in _WORD_LETTERS_BEFORE or _after_apostrophe(norm, tok.start):
        heads = 2 if text[1] in _WORD_LETTERS_BEFORE else 1
    tails = 1 if text[-1] in _WORD_LETTERS_AFTER else 0
    return t.cast("tuple[int, ...] | None", masks.spelled(text, heads, tails))


def _after_apostrophe(norm: str, i: int) -> bool:
    """Whether the letter at `i` ends a contraction ("don't", "I'm", "he's"): an apostrophe after a letter."""
    return i >= 2 and norm[i - 1] in "'’" and norm[i - 2].isalpha()


def _masked_words_read(words: Words, masks: t.Any) -> tuple[Words, bool]:
    """`words` with each masked word read as `_masks_read` reads its token, and whether any was."""
    texts = list(words.texts)
    at: dict[int, list[str]] = {}
    for alt, places in words.alts.items():
        for i in places:
            at.setdefault(i, []).append(alt)
    masked = []
    read = False
    for i in words.masked:
        found = _mask_read(texts[i], tuple(at.get(i, ())), masks)
        if found is None:
            masked.append(i)
            continue
        read = True
        texts[i], at[i], still = found[0], list(found[1]), found[2]
        if still:
            masked.append(i)
    if not read:
        return words, False
    alts: dict[str, list[int]] = {}
    for i in sorted(at):
        for alt in at[i]:
            alts.setdefault(alt, []).append(i)
    return Words(texts, alts, tuple(masked)), True


def _norm_quotes(quotes: tuple[tuple[int, int], ...], n2v: array[int] | None) -> tuple[tuple[int, int], ...]:
    if n2v is None or not quotes:
        return quotes
    return tuple((bisect_left(n2v, s), bisect_left(n2v, e)) for s, e in quotes)


def prepare(
    text: str, fmt: str = "text", deadline: float | None = None, limit: int | None = None, masks: t.Any = None
) -> Prepared:
    """Normalize a comment body for matching.

    :param text: the body as received.
    :param fmt: ``text``, ``html`` or ``markdown``.
    :param deadline: a `time.monotonic()` value; the per-character passes stop there.
    :param limit: the most characters the normalized text may have.
    :param masks: reads masked words as the words they fit (a policy's `normalize_masks.MaskReader`).
    :raises ValueError: for an unknown format.
    :raises TextTooLong: when the normalized text would be longer than `limit`.
    :raises TimeoutError: when the deadline passes (a text of 200,000 emoji or ligatures is slow to read).
    :returns: the prepared text; offsets in it map back to `text` with `Prepared.raw_span`.
    """
    if fmt == "text" and not markup.may_quote(text):
        visible, offsets, quotes, links = text, None, (), ()
    else:
        m = markup.strip(text, fmt, deadline)
        visible, offsets, quotes, links = m.visible, m.offsets, m.quotes, m.links
    norm, n2v = _fold(visible, deadline, limit)
    if not norm.isascii():
        norm = _unconfuse(norm, deadline)
    return Prepared(text, visible, norm, _norm_quotes(quotes, n2v), links, offsets, n2v, deadline, [], [], [], masks)
