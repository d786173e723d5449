"""One comment being matched: its prepared text, a word index, and the time left."""

from __future__ import annotations

import bisect
import typing as t
from functools import cached_property
from operator import itemgetter

import regex

from . import _clock
from .model import Comment
from .normalize import Prepared, Words, glued_words, prepare

#: coordinate spaces of a span: the normalized text, the visible text, the raw text, the whole comment
#: (raw coordinates, for a property of all of it such as its capitals), or no text at all
NORM, VISIBLE, RAW, WHOLE, NONE = 0, 1, 2, 3, 4


#: what ends a sentence between two words; a run counts once ("?!", "...")
_SENTENCE_END = regex.compile(r"[.!?;\n]+")
#: what ends a clause: a sentence end, a colon, a dash set apart, or a comma ("Nobody asked you, dingus")
#: unless a list goes on after it ("not a liar, a cheat or a fool")
_CLAUSE_END = regex.compile(
    r"(?:[.!?;\n:\u2013\u2014]|,(?!\d|\s*(?:a|an|or|nor|neither|let alone)\b))+|\s-{1,2}(?=\s)"
)

#: coordinated lists (Scan.list_head): the words joining items, what may stand between two items, and the
#: words that are never an item (a pronoun starts another clause: "not wrong, you clown")
_CONJUNCTIONS = frozenset(("and", "or", "nor"))
_ARTICLES = frozenset(("a", "an", "the"))
#: between two items: spaces and quotes around at most one comma (a comma must stand there to join two items
#: without a conjunction: "idiot, moron")
_LIST_GAP = regex.compile(r"""[\s'"\u2018\u2019\u201c\u201d]*,?[\s'"\u2018\u2019\u201c\u201d]*""")
_NOT_ITEMS = frozenset(
    "you u ya ye yall he she they we i it me him her them us this that these those who what which there here "
    "re s t m ve ll d and or nor but not no never a an the "
    # verbs and little words join clauses, not items ("they lie and are awful", "all the time and ...")
    "is are was were be been being am have has had do does did can could will would shall should may might must "
    "get got make made go going went say said says think thought know knew see saw want need like "
    "all some any each every very just so too also then than as at by for from in into of on onto to with about "
    "over under up down out off time way thing things lol".split()
)


class Span(t.NamedTuple):
    """Where a matcher found something: [start, end) in coordinate space `space`, and the words
    [tok_lo, tok_hi) it covers when known (-1: not placed). A named tuple, not a frozen dataclass: a long
    comment builds tens of thousands of them, and a frozen dataclass's `__init__` costs 4x as much."""

    start: int
    end: int
    space: int
    tok_lo: int = -1
    tok_hi: int = -1


NO_SPAN = Span(0, 0, NONE)
T = t.TypeVar("T")
_new_span = tuple.__new__  # `Span(...)` without the named tuple's Python-level `__new__`, where spans are many
_by_place = itemgetter(0, 1)  # a span's (start, end)


class Scan:
    """Per-comment state shared by every rule; the prepared text is built once, on first use."""

    def __init__(
        self,
        comment: Comment,
        deadline: float | None,
        text: str | None = None,
        max_chars: int | None = None,
        masks: t.Any = None,
    ) -> None:
        self.comment = comment
        self.masks = masks  # the policy's reader of masked words (`normalize_masks.MaskReader`)
        self.deadline = deadline
        self.max_chars = max_chars
        self._text = comment.text if text is None else text
        self._format = comment.format if text is None else "text"
        self._index: dict[str, list[int]] | None = None
        self._alts_at: dict[int, list[str]] | None = None
        self._pairs_at: dict[tuple[str, str], list[int]] = {}
        self._ticks = 0
        self._folded: tuple[bool, bool] | None = None
        self.cache: dict[t.Any, t.Any] = {}

    @cached_property
    def prepared(self) -> Prepared:
        """:raises TextTooLong: when the normalized text is longer than `max_chars`."""
        return prepare(self._text, self._format, self.deadline, self.max_chars, self.masks)

    @property
    def tokens(self) -> t.Sequence[t.Any]:
        """Words with offsets: built only once a rule needs a span."""
        return self.prepared.tokens

    @cached_property
    def words(self) -> Words:
        return self.prepared.words

    @cached_property
    def word_set(self) -> set[str]:
        """Every word form of the comment, evasion readings included: what lists are checked against."""
        words = self.words
        return _clock.gathered(words.texts, self.deadline).union(words.alts)

    def folded(self, which: int) -> bool:
        """Whether the normalized text (0) or the text as read (1) is case-folded, as `str.casefold`
        leaves it: where a policy regex may run without IGNORECASE (engine/_regex_case.py)."""
        found = self._folded
        if found is None:
            prepared = self.prepared
            read = prepared.read
            found = self._folded = (
                prepared.norm.casefold() == prepared.norm,
                read is not None and read.text.casefold() == read.text,
            )
        return found[which]

    @cached_property
    def glued(self) -> dict[str, list[tuple[int, int]]]:
        """Words with a dot, hyphen or underscore inside, by their joined form ("id.iot": "idiot")."""
        return glued_words(self.prepared.norm, self.deadline)

    @cached_property
    def word_pairs(self) -> set[tuple[str, str]] | None:
        """Each word with the next (their texts, as a model reads them); None when some word has
        other readings."""
        words = self.words
        if words.alts:
            return None
        return _clock.gathered(zip(words.texts, words.texts[1:]), self.deadline)

    @cached_property
    def reading_pairs(self) -> set[tuple[str, str]] | None:
        """Each reading of a word with each reading of the next, where phrases can begin; None when the
        readings are many (then phrases are walked from every reading of every word)."""
        words = self.words
        if not words.alts:
            return self.word_pairs
        texts = words.texts
        if sum(map(len, words.alts.values())) > len(texts) // 4 + 16:
            return None
        pairs = _clock.gathered(zip(texts, texts[1:]), self.deadline)
        last = len(texts) - 1
        for alt, places in words.alts.items():
            for i in _clock.steps(places, self.deadline):
                if i < last:
                    pairs.update((alt, form) for form in self.forms(i + 1))
                if i > 0:
                    pairs.update((form, alt) for form in self.forms(i - 1))
        return pairs

    def positions(self, word: str) -> list[int]:
        """Token positions where `word` (or a reading of it) stands, in order."""
        if self._index is None:
            # one pass for all words, on the first look-up: a comment that reaches here usually
            # looks up several words
            index: dict[str, list[int]] = {}
            texts = self.words.texts
            for i, w in _clock.steps(enumerate(texts), self.deadline, len(texts)):
                index.setdefault(w, []).append(i)
            for alt, places in self.words.alts.items():
                self.tick()
                index[alt] = sorted(set(index.get(alt, [])).union(places))
            self._index = index
        return self._index.get(word, [])

    def pair_positions(self, first: str, second: str) -> t.Sequence[int]:
        """Token positions where a reading `first` stands with a reading `second` next, in order; once per
        comment for each pair (many lists begin phrases with "you are", "such a")."""
        found = self._pairs_at.get((first, second))
        if found is None:
            after = {i - 1 for i in self.positions(second)}
            found = self._pairs_at[first, second] = [i for i in self.positions(first) if i in after]
        return found

    def forms(self, i: int) -> tuple[str, ...]:
        """The text of token i and its other readings."""
        words = self.words
        if not words.alts:
            return (words.texts[i],)
        if self._alts_at is None:
            self._alts_at = {}
            for alt, places in words.alts.items():
                for place in _clock.steps(places, self.deadline):
                    self._alts_at.setdefault(place, []).append(alt)
        return (words.texts[i], *self._alts_at.get(i, ()))

    def memo(self, key: t.Hashable, build: t.Callable[[], T]) -> T:
        """`build()` once per comment under `key` (a list's spans, a count, the parent's scan): what several
        rules ask for is worked out for the first and shared with the rest."""
        try:
            return t.cast(T, self.cache[key])
        except KeyError:
            value = self.cache[key] = build()
            return value

    @property
    def masked(self) -> tuple[int, ...]:
        return self.words.masked

    def token_span(self, lo: int, hi: int) -> Span:
        self.tick()
        toks = self.tokens
        return t.cast(Span, _new_span(Span, (toks[lo].start, toks[hi - 1].end, NORM, lo, hi)))

    def word_spans(self, positions: t.Collection[int]) -> list[Span]:
        """`token_span(i, i + 1)` for each of `positions` (a common word stands thousands of times in a
        long comment), with a look at the clock every EVERY of them."""
        if not positions:
            return []  # the words' offsets are built only when some span needs them
        toks = self.tokens
        return [
            _new_span(Span, (toks[i].start, toks[i].end, NORM, i, i + 1))
            for i in _clock.steps(positions, self.deadline)
        ]

    @cached_property
    def _token_starts(self) -> list[int]:
        """Where each word starts in the normalized text, to place a span among the words."""
        return [tok.start for tok in self.tokens]

    @cached_property
    def _sentence_ends(self) -> list[int]:
        """Positions k of the words after which a sentence ends (before word k + 1)."""
        return self._ends(_SENTENCE_END)

    @cached_property
    def _clause_ends(self) -> list[int]:
        """Positions k of the words after which a clause ends."""
        return self._ends(_CLAUSE_END)

    def _ends(self, pattern: regex.Pattern[str]) -> list[int]:
        toks = self.tokens
        starts = self._token_starts
        ends: list[int] = []
        for m in pattern.finditer(self.prepared.norm):
            k = bisect.bisect_right(starts, m.start()) - 1
            if 0 <= k < len(toks) - 1 and toks[k].end <= m.start() and (not ends or ends[-1] != k):
                ends.append(k)
        return ends

    def list_head(self, k: int) -> int:
        """The first word of the coordinated list word k is an item of ("not a liar, a cheat or a fool",
        "words like idiot, moron and loser": 'a' before 'liar', 'idiot'), k itself when it is none."""
        return self._list_heads[k] if 0 <= k < len(self._list_heads) else k

    @cached_property
    def _list_heads(self) -> list[int]:
        toks = self.tokens
        norm = self.prepared.norm
        texts = [tok.text for tok in toks]
        n = len(toks)

        def gap(i: int) -> str:  # what stands between word i and word i + 1
            return norm[toks[i].end : toks[i + 1].start]

        def item(i: int) -> bool:
            return texts[i].isalpha() and texts[i] not in _NOT_ITEMS

        # each item's first word (its article: "a cheat") and the item before it, joined by a comma or a conjunction
        start = list(range(n))
        before: dict[int, tuple[int, bool]] = {}  # item -> (the item before it, joined by a conjunction)
        for k in _clock.steps(range(n), self.deadline):
            if not item(k):
                continue
            s = k - 1 if k > 0 and texts[k - 1] in _ARTICLES and gap(k - 1).isspace() else k
            start[k] = s
            if s > 0 and "," in gap(s - 1) and _LIST_GAP.fullmatch(gap(s - 1)) and item(s - 1):
                before[k] = (s - 1, False)
            elif (
                s > 1
                and texts[s - 1] in _CONJUNCTIONS
                and _LIST_GAP.fullmatch(gap(s - 2))
                and _LIST_GAP.fullmatch(gap(s - 1))
                and item(s - 2)
            ):
                before[k] = (s - 2, True)
        # a comma joins two items only in a list that a conjunction closes ("idiot, moron and loser") or between
        # items with articles ("a liar, a cheat"): "No one cares, moron" is two clauses
        closed: set[int] = set()
        for k in sorted(before, reverse=True):
            p, conj = before[k]
            if conj or k in closed:
                closed.add(p)
        heads = list(range(n))
        for k in range(n):
            if k in before:
                p, conj = before[k]
                if conj or p in closed or (start[k] < k and start[p] < p):
                    heads[k] = heads[p]
            heads[start[k]] = heads[k]  # the article too: a span may begin with it ("an idiot")
        return heads

    def sentence_ends_between(self, first: int, last: int, clause: bool = False) -> bool:
        """Whether a sentence (with `clause`, a clause) ends after word `first` and before word `last`."""
        ends = self._clause_ends if clause else self._sentence_ends
        i = bisect.bisect_left(ends, first)
        return i < len(ends) and ends[i] < last

    def token_range(self, span: Span) -> tuple[int, int] | None:
        """Token positions [lo, hi) a span covers; None for spans outside the normalized text."""
        if span.tok_lo >= 0:
            return span.tok_lo, span.tok_hi
        if span.space != NORM:
            return None
        starts = self._token_starts
        lo = max(bisect.bisect_right(starts, span.start) - 1, 0)
        hi = max(bisect.bisect_left(starts, span.end), lo + 1)
        return lo, hi

    def placed(self, span: Span) -> tuple[int, int] | None:
        """`token_range`, with a span of the visible text (a `raw_regex` hit) placed among the words too,
        for an exception `inside`, `before` or `after` a hit ("The Idiot by Dostoevsky")."""
        if span.space == VISIBLE and span.tok_lo < 0:
            n2v = self.prepared.norm_to_visible
            if n2v is not None:
                span = Span(bisect.bisect_left(n2v, span.start), bisect.bisect_left(n2v, span.end), NORM)
            else:
                span = Span(span.start, span.end, NORM)
        return self.token_range(span)

    def keep(self, spans: list[Span], quotes_ok: bool) -> list[Span]:
        """Spans outside quotes (unless quotes count), in text order. Never capped: a cap would let
        a padded comment push the real insult past it; every later step is O(n log n) instead."""
        if not quotes_ok and spans:
            prepared = self.prepared
            spans = [s for s in spans if s.space != NORM or not prepared.in_quote(s.start)]
        spans.sort(key=_by_place)
        return spans

    def raw_span(self, span: Span) -> tuple[int, int] | None:
        if span.space == NORM:
            return self.prepared.raw_span(span.start, span.end)
        if span.space == VISIBLE:
            return self.prepared.raw_span_visible(span.start, span.end)
        if span.space in (RAW, WHOLE):
            return span.start, span.end
        return None

    def tick(self) -> None:
        """One step of a loop over the comment's words: now and then, a look at the clock, so that one
        rule over a huge padded text cannot run far past the budget."""
        self._ticks += 1
        if not self._ticks % _clock.EVERY:
            _clock.check(self.deadline)

    def check(self) -> None:
        """:raises DeadlineExceeded: when the budget is spent (a regex's timeout: `_clock.left`)."""
        _clock.check(self.deadline)

    def for_parent(self) -> Scan | None:
        text = self.comment.parent_text
        if text is None:
            return None
        return self.memo("parent", lambda: Scan(self.comment, self.deadline, text, self.max_chars, self.masks))
