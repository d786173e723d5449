"""Learned models of a policy: JSON data files in `models/`, parsed once, scored in pure Python.

A model is a linear scorer over the comment's normalized words (the same words the rules see, so an
evasion undone for the rules is undone for the model), their pairs or triples and, optionally, the runs of
characters inside each word (so that "idiotic", "idiots" and a compound holding "idiot" share weight),
then a calibration table that turns the score into a probability. Nothing in the file runs code: it is
numbers and words.
See docs/policy-language.md ("Models") for the file format.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import math
import re
import threading
import typing as t
from itertools import chain, compress, filterfalse, repeat
from math import fsum, ldexp
from operator import add, itemgetter, lshift, methodcaller
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import ahocorasick

from . import _clock
from ._yaml import Node, Reader, did_you_mean
from .errors import ErrorCollector, Location, PolicySchemaError, PolicySyntaxError
from .matchers import Build, Matcher, register
from .feature_matchers import _whole
from .normalize import _SEP, plain_starts
from .scan import Scan, Span

FORMAT = "civility-model/1"
MAX_NGRAM = 3  # longer features would let a model memorize phrases of its training comments
MAX_CHARS = 6  # the longest run of characters (word-boundary marks included) a character feature holds
#: features a model file may ask for: `ngrams`, the longest run of words one feature spans; `chars`,
#: [shortest, longest] runs of characters inside each word, marked `<` at its start and `>` at its end
FEATURE_KINDS = ("ngrams", "chars")
_KEYS = (
    "format", "name", "category", "description", "features", "bias", "weights", "char_weights", "calibration",
    "training",
)
#: how many distinct words a group keeps the summed weights of (a bound on memory; beyond it, a word's
#: weight is computed again each time it is met, to the same value)
WORD_CACHE = 200_000


def char_grams(word: str, shortest: int, longest: int) -> set[str]:
    """The runs of `shortest`..`longest` characters of `<word>` (the marks stand for the word's edges)."""
    marked = f"<{word}>"
    n = len(marked)
    if n > _SLICED:
        return {marked[i : i + k] for k in range(shortest, longest + 1) for i in range(n - k + 1)}
    # the runs cut in C, by slices made once per length
    return set(map(marked.__getitem__, _slices(n, shortest, longest)))


#: the longest marked word whose runs are cut by `_slices` (longer ones: one comprehension, no table kept)
_SLICED = 64


@functools.lru_cache(maxsize=None)
def _slices(n: int, shortest: int, longest: int) -> tuple[slice, ...]:
    return tuple(slice(i, i + k) for k in range(shortest, longest + 1) for i in range(n - k + 1))


_spaced = methodcaller("__contains__", " ")
_second = itemgetter(1)
_spaces = methodcaller("count", " ")
#: any character `str.isspace` calls a space
_SPACE = re.compile(r"\s")


def _key(feature: str) -> str | tuple[str, ...]:
    """A feature as a group's table holds it: a run of words as the tuple of its words (no string to build
    per comment), a word as itself."""
    return tuple(feature.split(" ")) if " " in feature else feature


@dataclass(frozen=True, slots=True)
class TextModel:
    name: str
    category: str
    description: str
    ngrams: int
    bias: float
    weights: t.Mapping[str, float]
    #: calibration knots: raw score -> probability, interpolated linearly, flat beyond the ends
    knots_x: tuple[float, ...]
    knots_p: tuple[float, ...]
    training: t.Mapping[str, t.Any] = field(default_factory=dict)
    path: Path | None = None
    #: runs of characters inside words: (shortest, longest) and their weights; None: words only
    chars: tuple[int, int] | None = None
    char_weights: t.Mapping[str, float] = field(default_factory=dict)
    #: the models scored with this one in one pass (`group_models`); alone until a policy groups it
    group: ModelGroup | None = field(default=None, init=False, repr=False, compare=False)
    #: the SHA-256 of the file's text, once loaded from a file (`load_model`)
    digest: str = field(default="", init=False, repr=False, compare=False)
    #: `char_weights` as an automaton finding each run in a word, and the runs' weights (`_runs`)
    runs: tuple[t.Any, tuple[float, ...]] | None = field(default=None, init=False, repr=False, compare=False)

    def calibrate(self, z: float) -> float:
        return interpolate(self.knots_x, self.knots_p, z)

    def word_weight(self, form: str) -> float:
        """What one word form of the comment adds: its own weight and those of its runs of characters."""
        w = self.weights.get(form, 0.0)
        if self.chars is None:
            return w
        automaton, weights = self._runs()
        if automaton is None:
            return w
        # the runs the word holds, found in C by one pass of an automaton over the marked word (not a
        # probe of the table for each of its ~20 runs: a word is weighed when first met, the table seldom
        # in the processor's cache then); a run found twice counts once, as in `char_grams`' set; one
        # weighing nothing adds nothing to the exact sum
        parts = list(filter(None, map(weights.__getitem__, set(map(_second, automaton.iter(f"<{form}>"))))))
        return fsum([w, *parts]) if parts else w

    def _runs(self) -> tuple[t.Any, tuple[float, ...]]:
        """The automaton of the weighed runs of characters (None: there are none), each run's value its
        place in the tuple of weights; built once (at load: `ModelGroup`)."""
        runs = self.runs
        if runs is None:
            automaton = None
            if self.char_weights:
                automaton = ahocorasick.Automaton()
                for i, run in enumerate(self.char_weights):
                    automaton.add_word(run, i)
                automaton.make_automaton()
            runs = (automaton, tuple(self.char_weights.values()))
            object.__setattr__(self, "runs", runs)
        return runs

    def raw_score(self, features: t.Iterable[str]) -> float:
        """The score of a comment's `features` (word forms and runs of words, as `features` gives them)."""
        w = self.weights
        return self.bias + fsum(w.get(f, 0.0) if " " in f else self.word_weight(f) for f in features)

    def probability(self, scan: Scan, quotes_ok: bool) -> float:
        """The calibrated probability for the comment, computed once per comment (cached on the scan)
        together with every model of its group."""
        key = ("model", self.name, quotes_ok)
        p = scan.cache.get(key)
        if p is None:
            group = self.group
            if group is None:
                group = ModelGroup((self,))
                object.__setattr__(self, "group", group)
            group.score(scan, quotes_ok)
            p = scan.cache[key]
        return t.cast(float, p)

    def contributions(
        self, scan: Scan, quotes_ok: bool, hidden: frozenset[str] = frozenset()
    ) -> list[tuple[float, int, int]]:
        """(weight, first word, end word) of each feature present with a positive weight, largest first;
        a feature found more than once is placed at its first occurrence; one made only of `hidden` words
        is left out. A word weighs with its runs of characters: they are explained by the whole word."""
        group = self.group if self.group is not None else ModelGroup((self,))
        at = group.models.index(self)
        weight = group.weight_in(at)
        deadline = scan.deadline
        reading = group.reading(scan, quotes_ok) if self.ngrams == group.ngrams else None
        if reading is None:  # a model scored alone, one with shorter runs than its group's, a second reading
            forms, runs = _word_sets(scan, quotes_ok, self.ngrams)
            values = group._word_values(forms, deadline)
            reading = Reading(forms, values, runs, _clock.mapped(group._table.get, runs, deadline), None)
        forms, values, runs, run_values = reading.forms, reading.values, reading.runs, reading.run_values
        # the loops in Python walk only the features found (`compress` drops the others in C)
        weighed: dict[t.Any, float] = {}
        for f, entry in compress(zip(forms, values), values):
            if (x := weight(entry)) > 0 and f not in hidden:
                weighed[f] = x
        runs_weighed: dict[tuple[str, ...], float] = {}
        for r, entry in compress(zip(runs, run_values), run_values):
            if (x := weight(entry)) > 0 and not hidden.issuperset(r):
                runs_weighed[r] = x
        if not weighed and not runs_weighed:
            return []
        _clock.check(deadline)
        # each at its first place among the kept words: the first of its places, found by dictionaries
        # built in C from the last place to the first (the first one written last stays)
        texts = scan.words.texts
        keep = _kept(scan, quotes_ok)
        order: t.Sequence[int] = range(len(texts)) if keep is None else keep
        kept_texts = texts if keep is None else [texts[i] for i in keep]
        placed = []
        if weighed:
            first = dict(zip(reversed(kept_texts), reversed(order)))
            kept = None if keep is None else set(keep)
            for alt, places in scan.words.alts.items():  # other readings: their first kept place
                if alt in weighed:
                    at_alt = min((p for p in places if kept is None or p in kept), default=None)
                    if at_alt is not None and (alt not in first or at_alt < first[alt]):
                        first[alt] = at_alt
            placed += [(x, first[f], first[f] + 1) for f, x in weighed.items() if f in first]
        for n in range(2, self.ngrams + 1):
            of_n = {r: x for r, x in runs_weighed.items() if len(r) == n}
            if of_n:
                starts = range(len(kept_texts) - n + 1)
                found = reversed(list(zip(*(kept_texts[k:] for k in range(n)))))
                first_run = dict(zip(found, reversed(starts)))
                placed += [
                    (x, order[first_run[r]], order[first_run[r] + n - 1] + 1) for r, x in of_n.items() if r in first_run
                ]
        # the largest first, then by place: two stable sorts keyed in C
        placed.sort(key=itemgetter(1, 2))
        placed.sort(key=itemgetter(0), reverse=True)
        return placed


class ModelGroup:
    """Models scored in one pass over the comment's features: one table, built at load, maps each run of
    words (a tuple) to its weight in every model of the group, and one maps each word form to what it adds
    to every model (its own weight and its runs of characters', summed once per distinct word and kept, up
    to WORD_CACHE words), so that a comment's word is looked up once whatever the number of models. A policy
    groups the models whose rules apply to the same languages (`group_models`): a German comment never pays
    for the English models, nor the reverse. Sums are exact (`math.fsum`), so a score depends neither on the
    order sets are walked in nor on which words were met before."""

    __slots__ = ("models", "ngrams", "_table", "_words", "_chars", "_packed")

    def __init__(self, models: t.Sequence[TextModel]) -> None:
        self.models = tuple(models)
        self.ngrams = max(m.ngrams for m in self.models)
        self._chars = any(m.chars is not None for m in self.models)
        for m in self.models:
            if m.chars is not None:
                m._runs()  # at load, not within a comment's time budget
        if len(self.models) > 1 and not self._chars:
            # several models weighing words alone: each entry is one integer holding every model's weight
            # (`Packed`), so that a comment's sums are one `sum` in C
            self._packed, table = Packed.table(self.models)
        else:
            self._packed = None
            rows: dict[str | tuple[str, ...], list[float]] = {}
            for i, m in enumerate(self.models):
                for feature, w in m.weights.items():
                    # a run of words is looked up as the tuple of its words (no string to build per comment)
                    f = _key(feature)
                    row = rows.get(f)
                    if row is None:
                        row = rows[f] = [0.0] * len(self.models)
                    row[i] = w
            # one model: the weight itself; several: a tuple, one weight per model. A zero weight (never
            # written by `learn`) is left out: `score` drops what the look-up finds false
            table = {f: self._value(row) for f, row in rows.items() if any(row)}
        if self._chars:  # words are weighed with their runs of characters, on first meeting (`_word`)
            self._table = {f: v for f, v in table.items() if isinstance(f, tuple)}
            self._words: dict[str, t.Any] = {}
        else:
            self._table = self._words = table

    def sharing(self, models: t.Sequence[TextModel]) -> ModelGroup:
        """A group of `models` (the same weights as this group's, in the same order: another load of the
        same files) with this group's tables, words already met included."""
        other = ModelGroup.__new__(ModelGroup)
        for name in self.__slots__:
            setattr(other, name, getattr(self, name))
        other.models = tuple(models)
        return other

    def _value(self, row: t.Sequence[float]) -> t.Any:
        """A table's entry: the weight (one model) or the tuple of weights; 0 when nothing weighs."""
        if not any(row):
            return 0
        return row[0] if len(self.models) == 1 else tuple(row)

    def weight_in(self, at: int) -> t.Callable[[t.Any], float]:
        """A table entry -> the weight of the group's `at`-th model."""
        if self._packed is not None:
            return functools.partial(self._packed.weight, at=at)
        return (lambda entry: entry) if len(self.models) == 1 else itemgetter(at)

    def _word(self, form: str) -> t.Any:
        value = self._value([m.word_weight(form) for m in self.models])
        if len(self._words) < WORD_CACHE:
            self._words[form] = value
        return value

    def _word_values(self, forms: t.Collection[str], deadline: float | None = None) -> list[t.Any]:
        """What each word form adds (as `_value` writes it; None: nothing), in the order of `forms`."""
        if not self._chars:
            return _clock.mapped(self._table.get, forms, deadline)
        values = _clock.mapped(self._words.get, forms, deadline)
        if None in values:  # words not met before
            # thousands of new words: the budget holds here too
            pairs = _clock.steps(zip(forms, values), deadline, len(values))
            values = [self._word(f) if v is None else v for f, v in pairs]
        return values

    def word(self, form: str) -> t.Any:
        """What a word form adds to each model (as `_value` writes it: 0 when nothing)."""
        value = self._words.get(form)
        if value is None:
            return self._word(form) if self._chars else 0
        return value

    def reading(self, scan: Scan, quotes_ok: bool) -> Reading | None:
        """What `score` looked up for the comment read this way (None: it has not, or took this reading
        from the other one)."""
        return t.cast("Reading | None", scan.cache.get(("model reading", self, _mode(scan, quotes_ok))))

    def score(self, scan: Scan, quotes_ok: bool) -> None:
        """Every model's probability for the comment, cached on the scan under ("model", NAME, quotes_ok).
        One dictionary probe per feature, in C (`map`): the table is large and seldom in the processor's
        cache, so each probe costs memory reads that an extra set intersection would double."""
        forms, runs = _word_sets(scan, quotes_ok, self.ngrams)
        quoted = scan.prepared.quotes
        first = self.reading(scan, not quotes_ok) if quoted else None
        sums = self._from_other_reading(first, forms, runs, scan.deadline) if first is not None else None
        if sums is None:
            sums = self._read(scan, quotes_ok, forms, runs)
        # without quotes in the comment, rules that score quoted text and rules that do not see the same words
        modes = (quotes_ok,) if quoted else (False, True)
        for model, z in zip(self.models, sums):
            p = model.calibrate(model.bias + z)
            for mode in modes:
                scan.cache[("model", model.name, mode)] = p

    def _read(self, scan: Scan, quotes_ok: bool, forms: set[str], runs: set[tuple[str, ...]]) -> t.Sequence[float]:
        """Each model's sum of the comment's feature weights, every feature looked up; what was looked up
        stays on the scan (`reading`): for the spans of a hit (the table is seldom in the processor's cache
        by the time a rule asks for them, and its probes would cost as much again), and for the other
        reading of a comment with quotes (`_from_other_reading`)."""
        deadline = scan.deadline
        values = self._word_values(forms, deadline)
        run_values = _clock.mapped(self._table.get, runs, deadline) if runs else []
        found = list(filter(None, values))
        found += filter(None, run_values)
        if self._packed is not None:
            kept: t.Any = (sum(found), len(found))
            sums = self._packed.split(*kept) if not kept[1] >> Packed.GUARD else self._packed.sums(found)
        else:
            kept = found
            sums = self._column_sums(found)
        scan.cache[("model reading", self, _mode(scan, quotes_ok))] = Reading(forms, values, runs, run_values, kept)
        return sums

    def _column_sums(self, found: list[t.Any]) -> list[float]:
        """Each model's `math.fsum` of the found entries (weights for one model, tuples for several)."""
        if len(self.models) == 1:
            return [fsum(found)]
        return [fsum(column) for column in zip(*found)] if found else [0.0] * len(self.models)

    def _from_other_reading(
        self, first: Reading, forms: set[str], runs: set[tuple[str, ...]], deadline: float | None
    ) -> t.Sequence[float] | None:
        """The sums of a comment with quotes read the other way (with its quotes or without) after the
        `first` reading: its found weights, plus those of the features only this one has, less those of
        the features only the first had (runs across a quote). The sums are exact (one integer, `Packed`,
        or `math.fsum` over the weights with the lost ones negated), so they are the floats that summing
        this reading's features alone gives. None: too many features for a packed sum."""
        table = self._table
        gained = self._word_values(list(forms - first.forms), deadline)
        gained += _clock.mapped(table.get, list(runs - first.runs), deadline)
        lost = self._word_values(list(first.forms - forms), deadline)
        lost += _clock.mapped(table.get, list(first.runs - runs), deadline)
        gained, lost = list(filter(None, gained)), list(filter(None, lost))
        if self._packed is None:  # weights, or tuples of weights: the lost ones negated
            negated = [-w for w in lost] if len(self.models) == 1 else [tuple(-w for w in e) for e in lost]
            return self._column_sums([*first.found, *gained, *negated])
        total, n = first.found
        n += len(gained) - len(lost)
        if n >> Packed.GUARD:
            return None
        return self._packed.split(total + sum(gained) - sum(lost), n)


class Reading(t.NamedTuple):
    """What a group looked up for a comment read one way: its word forms and their values (as
    `ModelGroup._value` writes them; 0 or None: nothing), its runs of words and theirs, in the sets' order,
    and what its sums start from (`Packed`: the found entries' sum and count; else the found entries;
    None where no sum was made)."""

    forms: set[str]
    values: list[t.Any]
    runs: set[tuple[str, ...]]
    run_values: list[t.Any]
    found: t.Any


def _mode(scan: Scan, quotes_ok: bool) -> bool | None:
    """A reading's key: with or without quotes; None for a comment without quotes (both read the same)."""
    return quotes_ok if scan.prepared.quotes else None


class Packed:
    """Every model's weight of a feature in one integer, a field per model, so that the sums of a comment's
    features are one `sum` of integers in C (not a `math.fsum` per model over a column of tuples), to the
    same last bit: each weight of the group is a whole number of units of 2**-shift (a float is a binary
    fraction, and `shift` is the finest any of them needs), a sum of whole numbers is exact, and dividing
    it by 2**shift rounds once, to the nearest (ties to even), as `fsum` rounds the exact sum."""

    __slots__ = ("models", "shift", "offset", "width", "mask", "unit")
    #: spare bits in each field: a sum of fewer than 2**GUARD features never carries into the next field
    GUARD = 48

    def __init__(self, rows: t.Iterable[t.Sequence[float]], models: int) -> None:
        ratios = [w.as_integer_ratio() for row in rows for w in row]
        self.models = models
        self.shift = max((d.bit_length() - 1 for _, d in ratios), default=0)
        largest = max((abs(n) << (self.shift - d.bit_length() + 1) for n, d in ratios), default=0)
        self._set(models, self.shift, largest)

    @classmethod
    def table(cls, models: t.Sequence[TextModel]) -> tuple[Packed, dict[str | tuple[str, ...], int]]:
        """The packing of `models`' weights and its table (keyed as `ModelGroup` looks up: a run of words as
        the tuple of its words): each feature's entry holds its weight in every model (0 where a model has
        none); a feature no model weighs (all zeros) is left out. Built in C, model by model, not by `pack`
        row by row (half a second of a load): a weight's units are `int(ldexp(w, shift))`, exact (a float
        times a power of two, a whole number), the same integer as `pack`'s."""
        weights = list(chain.from_iterable(m.weights.values() for m in models))
        denominator = max(map(itemgetter(1), map(float.as_integer_ratio, weights)), default=1)
        shift = denominator.bit_length() - 1
        try:
            units = [list(map(int, map(ldexp, m.weights.values(), repeat(shift)))) for m in models]
        except OverflowError:  # weights too fine for a float to hold their units: row by row
            return cls._by_rows(models)
        packed = cls.__new__(cls)
        packed._set(len(models), shift, max((max(map(abs, u), default=0) for u in units), default=0))
        # each entry starts as every field's offset (a weight of 0), then each model adds its own units
        base = sum(packed.offset << (i * packed.width) for i in range(len(models)))
        entries = dict.fromkeys(chain.from_iterable(m.weights for m in models), base)
        for i, (m, u) in enumerate(zip(models, units)):
            added = map(add, map(entries.__getitem__, m.weights), map(lshift, u, repeat(i * packed.width)))
            entries.update(list(zip(m.weights, added)))
        kept: set[str] = set()
        for m in models:  # a weight of 0 (never written by `learn`) is left out: `score` drops what is false
            kept.update(compress(m.weights, m.weights.values()))
        if len(kept) < len(entries):
            entries = {f: entries[f] for f in entries if f in kept}
        # words first, then runs of words (the tuple of their words)
        runs = list(filter(_spaced, entries))
        words = list(filterfalse(_spaced, entries))
        table = dict(zip(words, map(entries.__getitem__, words)))
        table.update(zip(map(tuple, map(str.split, runs, repeat(" "))), map(entries.__getitem__, runs)))
        return packed, table

    @classmethod
    def _by_rows(cls, models: t.Sequence[TextModel]) -> tuple[Packed, dict[str | tuple[str, ...], int]]:
        rows: dict[str | tuple[str, ...], list[float]] = {}
        for i, m in enumerate(models):
            for feature, w in m.weights.items():
                rows.setdefault(_key(feature), [0.0] * len(models))[i] = w
        kept = {f: row for f, row in rows.items() if any(row)}
        packed = cls(kept.values(), len(models))
        return packed, {f: packed.pack(row) for f, row in kept.items()}

    def _set(self, models: int, shift: int, largest: int) -> None:
        self.models = models
        self.shift = shift
        # a field holds a weight's units plus `offset` (so never negative), summed fewer than 2**GUARD times
        self.offset = 1 << largest.bit_length()
        self.width = largest.bit_length() + 1 + self.GUARD
        self.mask = (1 << self.width) - 1
        self.unit = 1 << self.shift

    def pack(self, row: t.Sequence[float]) -> int:
        out = 0
        for i, w in enumerate(row):
            n, d = w.as_integer_ratio()
            out |= ((n << (self.shift - d.bit_length() + 1)) + self.offset) << (i * self.width)
        return out

    def weight(self, entry: int, at: int) -> float:
        """The `at`-th model's weight in `entry` (exactly the float it was)."""
        return (((entry >> (at * self.width)) & self.mask) - self.offset) / self.unit

    def sums(self, found: list[int]) -> list[float]:
        """Each model's sum of the weights in `found`, as `math.fsum` gives it."""
        n = len(found)
        if n >> self.GUARD:  # more features than any text holds: the sum could carry into the next field
            return [fsum(self.weight(e, i) for e in found) for i in range(self.models)]
        return self.split(sum(found), n)

    def split(self, total: int, n: int) -> list[float]:
        """Each model's sum, from the sum `total` of `n` entries (fewer than 2**GUARD)."""
        base, width, mask, unit = n * self.offset, self.width, self.mask, self.unit
        # int / int is rounded once, correctly (CPython's true division of integers)
        return [(((total >> (i * width)) & mask) - base) / unit for i in range(self.models)]


def group_models(models: t.Mapping[str, TextModel | None], uses: t.Iterable[tuple[str | None, str]]) -> None:
    """Group a policy's models by the languages of the rules that use them (`uses`: (language, model)
    pairs; None: every language), so that the models one comment needs are scored in one pass."""
    languages: dict[str, set[str | None]] = {}
    for language, name in uses:
        if models.get(name) is not None:
            languages.setdefault(name, set()).add(language)
    by_languages: dict[frozenset[str | None], list[TextModel]] = {}
    for name in sorted(languages):
        by_languages.setdefault(frozenset(languages[name]), []).append(t.cast(TextModel, models[name]))
    for members in by_languages.values():
        # only models read from files are known by their digests (a model made in code has none)
        key = tuple((m.name, m.digest) for m in members) if all(m.digest for m in members) else None
        known = _grouped.get(key) if key is not None else None
        if known is not None:
            _keep(_grouped, key, known, GROUPS_KEPT)
            group = known.sharing(members)
        else:
            group = ModelGroup(members)
            if key is not None:
                _keep(_grouped, key, group, GROUPS_KEPT)
        for model in members:
            object.__setattr__(model, "group", group)


def interpolate(xs: t.Sequence[float], ps: t.Sequence[float], z: float) -> float:
    """The calibration table read at score z: linear between knots, flat beyond the ends."""
    if z <= xs[0]:
        return ps[0]
    if z >= xs[-1]:
        return ps[-1]
    i = bisect_right(xs, z) - 1
    return ps[i] + (ps[i + 1] - ps[i]) * (z - xs[i]) / (xs[i + 1] - xs[i])


def _word_sets(scan: Scan, quotes_ok: bool, ngrams: int) -> tuple[set[str], set[tuple[str, ...]]]:
    """The comment's word forms and its runs of 2..ngrams words, outside quotes unless they count;
    once per comment (Scan.memo), so that the policy's models share them."""

    def build() -> tuple[set[str], set[tuple[str, ...]]]:
        keep = _kept(scan, quotes_ok)
        texts: t.Sequence[str] = scan.words.texts
        if keep is None:
            forms, pairs = scan.word_set, scan.word_pairs
        else:
            texts = [texts[i] for i in keep]
            forms, pairs = _forms(scan, keep, texts), None
        runs: set[tuple[str, ...]] = set()
        if ngrams >= 2:
            runs = set(zip(texts, texts[1:])) if pairs is None else pairs
        if ngrams >= 3:
            runs = runs | set(zip(texts, texts[1:], texts[2:]))
        return forms, runs

    return scan.memo(("model words", quotes_ok, ngrams), build)


def _kept(scan: Scan, quotes_ok: bool) -> list[int] | None:
    """Word positions outside quotes (None: all of them); once per comment (every model rule asks)."""
    quotes = scan.prepared.quotes
    if quotes_ok or not quotes:
        return None
    return scan.memo("model kept", lambda: _outside_quotes(scan, quotes))


def _outside_quotes(scan: Scan, quotes: t.Sequence[tuple[int, int]]) -> list[int]:
    texts = scan.words.texts
    inside: set[int] = set()
    plain = scan.prepared._words  # (words, spaced, stretched) when read one by one: `spaced` is built
    spaced = plain[1] if len(plain) == 3 else scan.prepared.norm.translate(_SEP)
    pieces = spaced.split()
    if pieces == texts or (len(plain) == 3 and len(pieces) == len(texts) and not _cut(spaced, quotes)):
        # the k-th word is read from the k-th run of characters between spaces and starts inside it (words
        # read one by one, `normalize.Prepared.words`, take at most one word from each run: as many words as
        # runs is one from each); with no run cut by a quote's edge, the words starting before a place are
        # those of the runs `split()` finds before it, far faster than the words' places
        for q_start, q_end in quotes:
            inside.update(range(len(spaced[:q_start].split()), len(spaced[:q_end].split())))
    else:
        starts = _word_starts(scan)
        for q_start, q_end in quotes:
            inside.update(range(bisect_left(starts, q_start), bisect_left(starts, q_end)))
    return [i for i in range(len(texts)) if i not in inside]


def _cut(spaced: str, quotes: t.Sequence[tuple[int, int]]) -> bool:
    """Whether a quote starts or ends inside a run of characters of `spaced` (not at a space or an end)."""
    n = len(spaced)
    return any(0 < at < n and not spaced[at - 1].isspace() and not spaced[at].isspace() for q in quotes for at in q)


def _word_starts(scan: Scan) -> list[int]:
    """Where each word starts in the normalized text, as its token says; for a comment whose words were
    read one by one (see `normalize.Prepared.words`), without building the tokens."""
    prepared = scan.prepared
    plain = prepared._words
    if len(plain) != 3 or prepared._cache:
        return [tok.start for tok in scan.tokens]
    _, spaced, stretched = plain
    return plain_starts(spaced, prepared.deadline, stretched)


def _forms(scan: Scan, keep: list[int], texts: list[str]) -> set[str]:
    """The kept words' forms, other readings included."""
    kept = set(keep)
    out = set(texts)
    out.update(a for a, places in scan.words.alts.items() if any(p in kept for p in places))
    return out


def features(scan: Scan, ngrams: int, quotes_ok: bool = False) -> set[str]:
    """The comment's features: each word form (other readings of a word included) and each run of 2..n
    consecutive words, joined by a space. Words in quotes count only where quotes do."""
    texts: t.Sequence[str] = scan.words.texts
    keep = _kept(scan, quotes_ok)
    if keep is None:
        out = set(scan.word_set)
    else:
        texts = [texts[i] for i in keep]
        out = _forms(scan, keep, texts)
    if ngrams >= 2:
        out.update([f"{a} {b}" for a, b in zip(texts, texts[1:])])
    if ngrams >= 3:
        out.update([f"{a} {b} {c}" for a, b, c in zip(texts, texts[1:], texts[2:])])
    return out


# ---- the file -------------------------------------------------------------------------------------


def load_models(root: Path, errors: ErrorCollector) -> dict[str, TextModel | None]:
    """Every `models/*.json` of a policy directory by name; each problem goes to `errors` with file and
    field, and a model that did not load is None."""
    return {path.stem: load_model(path, errors) for path in sorted((root / "models").glob("*.json"))}


#: models parsed before, by file name and digest of their text: a policy loaded again (a reload after an
#: edit elsewhere, a second worker thread) takes an unchanged model file's weights without parsing them
_parsed: OrderedDict[tuple[str, str], TextModel] = OrderedDict()
#: a group's tables by its models' names and digests (what `ModelGroup` builds from them)
_grouped: OrderedDict[tuple[tuple[str, str], ...], ModelGroup] = OrderedDict()
_kept_lock = threading.Lock()
#: how many of each are kept, the most recently used: about two policies' worth (a group's tables can
#: hold 20 MB), as `policy.load_policy` keeps two compiled policies
MODELS_KEPT, GROUPS_KEPT = 16, 8


def _keep(cache: OrderedDict[t.Any, t.Any], key: t.Any, value: t.Any, most: int) -> None:
    with _kept_lock:
        cache[key] = value
        cache.move_to_end(key)
        while len(cache) > most:
            cache.popitem(last=False)


def forget_parsed() -> None:
    """Drop the models and groups kept from earlier loads: the next load parses (for measuring a load)."""
    with _kept_lock:
        _parsed.clear()
        _grouped.clear()


def load_model(path: Path, errors: ErrorCollector) -> TextModel | None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        errors.add(PolicySyntaxError(f"cannot read the model file: {e}", Location(path)))
        return None
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    known = _parsed.get((path.name, digest))
    if known is not None:
        _keep(_parsed, (path.name, digest), known, MODELS_KEPT)  # the most recently used
        # the same weights (never changed after parsing); a model of its own, grouped by this policy
        model = dataclasses.replace(known, path=path)
        object.__setattr__(model, "digest", digest)
        object.__setattr__(model, "runs", known.runs)
        return model
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except ValueError as e:
        if isinstance(e, json.JSONDecodeError):
            errors.add(PolicySyntaxError(f"invalid JSON: {e.msg}", Location(path, e.lineno, e.colno)))
        else:
            errors.add(PolicySyntaxError(f"invalid JSON: {e}", Location(path)))
        return None
    model = parse_model(data, path, text, errors)
    if model is not None:
        object.__setattr__(model, "digest", digest)
        _keep(_parsed, (path.name, digest), model, MODELS_KEPT)
    return model


def _no_constant(name: str) -> t.NoReturn:
    raise ValueError(f"{name} is not a number a model may hold")


class _Fields:
    """Field errors of one model file, placed at the line and column where the field's key is written."""

    def __init__(self, path: Path, text: str, errors: ErrorCollector) -> None:
        self.path, self.text, self.errors = path, text, errors
        self.failed = False

    def fail(self, field_path: str, message: str, key: str | None = None) -> None:
        self.failed = True
        key = key if key is not None else field_path.split(".")[-1].split("[")[0]
        self.errors.add(PolicySchemaError(message, self._where(key), field=field_path))

    def _where(self, key: str) -> Location:
        at = self.text.find(json.dumps(key))
        if at < 0:
            return Location(self.path)
        line = self.text.count("\n", 0, at) + 1
        return Location(self.path, line, at - (self.text.rfind("\n", 0, at) + 1) + 1)


def _number(value: t.Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def parse_model(data: t.Any, path: Path, text: str, errors: ErrorCollector) -> TextModel | None:
    """Check a decoded model file field by field; None (with every problem reported) when it is unusable."""
    f = _Fields(path, text, errors)
    if not isinstance(data, dict):
        errors.add(PolicySchemaError("a model file must hold a JSON object", Location(path, 1, 1)))
        return None
    for key in data:
        if key not in _KEYS:
            f.fail(key, f"unknown field (one of: {', '.join(_KEYS)})", key)
    if data.get("format") != FORMAT:
        f.fail("format", f"must be \"{FORMAT}\"")
    name = data.get("name")
    if not isinstance(name, str) or name != path.stem:
        f.fail("name", f"must be the file's name without '.json' ('{path.stem}')")
    category = data.get("category")
    if not isinstance(category, str) or not category:
        f.fail("category", "must be a category name")
    description = data.get("description", "")
    if not isinstance(description, str):
        f.fail("description", "must be text")
    ngrams, chars = _features(data.get("features"), f)
    bias = data.get("bias")
    if not _number(bias):
        f.fail("bias", "must be a finite number")
    weights = _weights(data.get("weights"), ngrams, f)
    char_weights = _char_weights(data.get("char_weights"), chars, f)
    knots = _calibration(data.get("calibration"), f)
    training = data.get("training", {})
    if not isinstance(training, dict):
        f.fail("training", "must be an object (what the model was trained on, and how)")
    if f.failed or weights is None or knots is None or ngrams is None or char_weights is None:
        return None
    return TextModel(
        name=t.cast(str, name),
        category=t.cast(str, category),
        description=t.cast(str, description),
        ngrams=ngrams,
        bias=float(t.cast(float, bias)),
        weights=weights,
        knots_x=tuple(float(x) for x, _ in knots),
        knots_p=tuple(float(p) for _, p in knots),
        training=training,
        path=path,
        chars=chars,
        char_weights=char_weights,
    )


def _whole_number(value: t.Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _features(value: t.Any, f: _Fields) -> tuple[int | None, tuple[int, int] | None]:
    """`ngrams` (None when wrong) and `chars` (None when absent or wrong; a wrong one is reported)."""
    if not isinstance(value, dict):
        f.fail("features", "must be an object, e.g. {\"ngrams\": 2}")
        return None, None
    for kind in value:
        if kind not in FEATURE_KINDS:
            f.fail(f"features.{kind}", f"unknown feature kind '{kind}' (one of: {', '.join(FEATURE_KINDS)})", kind)
    chars = None
    if "chars" in value:
        c = value["chars"]
        if (
            isinstance(c, list) and len(c) == 2 and all(_whole_number(v) for v in c)
            and 2 <= c[0] <= c[1] <= MAX_CHARS
        ):
            chars = (c[0], c[1])
        else:
            f.fail(
                "features.chars",
                f"must be [shortest, longest]: whole numbers with 2 <= shortest <= longest <= {MAX_CHARS}",
                "chars",
            )
    n = value.get("ngrams")
    if not _whole_number(n) or not 1 <= n <= MAX_NGRAM:
        f.fail("features.ngrams", f"must be a whole number from 1 to {MAX_NGRAM}", "ngrams")
        return None, chars
    return n, chars


def _weight_map(
    value: t.Any,
    field_name: str,
    what: str,
    problem: t.Callable[[str], str | None],
    f: _Fields,
    sound: t.Callable[[list[str]], bool] = lambda keys: False,
) -> dict[str, float] | None:
    """A map of features (`what`) to finite numbers; each key `problem` finds fault with is reported.
    `sound`: a check of all the keys at once, in C, that none has a problem (False: each is asked)."""
    if not isinstance(value, dict):
        f.fail(field_name, f"must be an object mapping {what} to numbers")
        return None
    # a model's tens of thousands of weights: floats (as `dump_model` writes them), finite, keys sound
    if set(map(type, value.values())) <= {float} and all(map(math.isfinite, value.values())) and sound(list(value)):
        return dict(value)
    out: dict[str, float] = {}
    for key, w in value.items():
        wrong = "must be a finite number" if not _number(w) else problem(key)
        if wrong:
            f.fail(f"{field_name}.{key}", wrong, key)
        else:
            out[key] = float(w)
    return out


def _weights(value: t.Any, ngrams: int | None, f: _Fields) -> dict[str, float] | None:
    def problem(feature: str) -> str | None:
        words = feature.split(" ")
        if not feature or "" in words:
            return "a feature is one to three words joined by single spaces"
        if ngrams is not None and len(words) > ngrams:
            return f"has {len(words)} words, more than 'features.ngrams' ({ngrams})"
        return None

    def sound(features: list[str]) -> bool:
        joined = "\n".join(features)  # a word never holds a line break: a key that does is asked alone
        return (
            ngrams is not None
            and all(features)
            and joined.count("\n") == len(features) - 1
            and max(map(_spaces, features), default=0) < ngrams
            and not joined.startswith((" ", "\n"))
            and not joined.endswith((" ", "\n"))
            and not any(map(joined.__contains__, ("  ", "\n ", " \n", "\n\n")))
        )

    return _weight_map(value, "weights", "features (words joined by single spaces)", problem, f, sound)


def _char_weights(value: t.Any, chars: tuple[int, int] | None, f: _Fields) -> dict[str, float] | None:
    """Weights of runs of characters: only with `features.chars`; each run as long as it says, with `<`
    only at its start and `>` only at its end (the word's edges), no space."""
    if value is None:
        return {}
    if chars is None:
        f.fail("char_weights", "needs 'features.chars' (the lengths of the runs of characters weighed)")
        return None
    shortest, longest = chars

    def problem(run: str) -> str | None:
        inner = run[1 if run.startswith("<") else 0 : -1 if run.endswith(">") and len(run) > 1 else None]
        if not shortest <= len(run) <= longest:
            return f"has {len(run)} characters, not {shortest} to {longest} ('features.chars')"
        if not inner or any(c.isspace() or c in "<>" for c in inner):
            return "a run of characters inside one word: no space, '<' only first and '>' only last"
        return None

    def sound(runs: list[str]) -> bool:
        joined = "".join(runs)
        lengths = set(map(len, runs))
        return (
            min(lengths, default=shortest) >= shortest
            and max(lengths, default=longest) <= longest
            and joined.count("<") == sum(map(methodcaller("startswith", "<"), runs))
            and joined.count(">") == sum(map(methodcaller("endswith", ">"), runs))
            and "<>" not in runs  # marks around nothing
            and _SPACE.search(joined) is None
        )

    return _weight_map(value, "char_weights", "runs of characters ('<idi', 'iot>')", problem, f, sound)


def _calibration(value: t.Any, f: _Fields) -> list[tuple[float, float]] | None:
    if not isinstance(value, list) or len(value) < 2:
        f.fail("calibration", "must be a list of at least two [score, probability] pairs")
        return None
    knots: list[tuple[float, float]] = []
    for i, pair in enumerate(value):
        where = f"calibration[{i}]"
        if not (isinstance(pair, list) and len(pair) == 2 and all(_number(v) for v in pair)):
            f.fail(where, "must be a [score, probability] pair of finite numbers", "calibration")
            return None
        x, p = float(pair[0]), float(pair[1])
        if not 0.0 <= p <= 1.0:
            f.fail(where, "a probability must be between 0 and 1", "calibration")
            return None
        if knots and x <= knots[-1][0]:
            f.fail(where, "scores must increase from one pair to the next", "calibration")
            return None
        if knots and p < knots[-1][1]:
            f.fail(where, "probabilities must not decrease as the score grows (calibration not monotonic)",
                   "calibration")
            return None
        knots.append((x, p))
    return knots


def dump_model(data: dict[str, t.Any]) -> str:
    """The canonical text of a model file: sorted keys, one field a line and one weight a line, so that
    the same model is the same bytes and a diff between two trainings reads feature by feature."""
    lines = []
    for key, value in sorted(data.items()):
        if key in ("weights", "char_weights"):
            body = ",\n".join(f"  {json.dumps(k, ensure_ascii=False)}: {json.dumps(value[k])}" for k in sorted(value))
            lines.append(f" {json.dumps(key)}: {{\n{body}\n }}")
        else:
            lines.append(f" {json.dumps(key)}: {json.dumps(value, sort_keys=True, ensure_ascii=False)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


# ---- the `model:` matcher --------------------------------------------------------------------------

#: how many of the words that raised the score most a hit shows (those weighing at least half the first)
SHOWN_WORDS = 3


class ModelMatcher:
    """Fires when the model's probability is at least `above` and below `below`."""

    __slots__ = ("model", "above", "below", "hidden")
    cost = 4

    def __init__(
        self, model: TextModel, above: float | None, below: float | None, hidden: frozenset[str] = frozenset()
    ) -> None:
        self.model = model
        self.above = above
        self.below = below
        self.hidden = hidden  # words that weigh but explain nothing on their own ("you", "the")

    def fires(self, p: float) -> bool:
        """Whether a probability of `p` is within the bounds."""
        return not ((self.above is not None and p < self.above) or (self.below is not None and p >= self.below))

    def may_match(self, scan: Scan) -> bool:
        """False when the comment's probability, already worked out for the comment with and without its
        quotes (the model's group is scored once a comment), is outside the bounds: then a `near` or `all`
        with this part looks for none of its other parts. Never scores the comment itself."""
        name, cache = self.model.name, scan.cache
        for quotes_ok in (False, True):
            p = cache.get(("model", name, quotes_ok))
            if p is None or self.fires(p):
                return True
        return False

    def find(self, scan: Scan, quotes_ok: bool) -> list[Span]:
        if not self.fires(self.model.probability(scan, quotes_ok)):
            return []
        # spans only now that it fires: the strongest words first, the rest in text order; only words
        # weighing at least half the strongest, so that `unless: before: ...` judges the words that count
        top = self.model.contributions(scan, quotes_ok, self.hidden)[:SHOWN_WORDS]
        if not top:
            return [_whole(scan)]
        top = [c for c in top if c[0] >= top[0][0] / 2]
        first, *rest = [scan.token_span(lo, hi) for _, lo, hi in top]
        return [first, *sorted(rest, key=lambda s: (s.start, s.end))]


def _probability(r: Reader, key: str) -> float | None:
    value = r.get(key, (float,))
    if value is not None and not 0.0 <= value <= 1.0:
        r.fail("must be a probability between 0 and 1", t.cast(Node, r.node_of(key)), key)
        return None
    return None if value is None else float(value)


@register("model")
def _build_model(node: Node, field: str, b: Build) -> Matcher | None:
    base = field.rsplit(".", 1)[0]  # the companions' field: `match.model` -> `match.above`
    r = Reader(node, ("model", "above", "below"), base, b.rule_id, b.errors)
    name_node = t.cast(Node, r.node_of("model"))
    name = name_node.value
    before = len(b.errors.errors)
    above, below = _probability(r, "above"), _probability(r, "below")
    if len(b.errors.errors) > before:
        return None
    if not isinstance(name, str):
        b.fail("must be the name of a model in the policy's models/ directory", name_node, field)
        return None
    if name not in b.models:
        b.fail(f"no model named '{name}' in models/{did_you_mean(name, b.models)}", name_node, field)
        return None
    model = b.models[name]
    if model is None:
        b.fail(f"model '{name}' did not load: see the errors in models/{name}.json", name_node, field)
        return None
    if above is None and below is None:
        r.fail("needs 'above' or 'below' (a probability)", node)
        return None
    if above is not None and below is not None and above >= below:
        r.fail("must be greater than 'above'", t.cast(Node, r.node_of("below")), "below")
        return None
    b.rule_models.append(name)
    return ModelMatcher(model, above, below, b.not_shown)
