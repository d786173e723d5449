"""Text normalization that undoes evasions and keeps every offset (INTERFACE STUB: to be implemented).

Pipeline: markup stripping (html/markdown) -> length-preserving fold -> removal of invisible characters
-> words, with evasions (leet, spaced letters, stretching, masking) undone per word.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Token:
    """One word of `Prepared.norm`: `norm[start:end]`; `text` is its canonical form."""

    start: int
    end: int
    text: str
    alts: tuple[str, ...] = ()
    masked: bool = False


@dataclass(frozen=True, slots=True)
class Prepared:
    raw: str
    visible: str
    norm: str
    tokens: tuple[Token, ...]

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        raise NotImplementedError

    def raw_span_visible(self, start: int, end: int) -> tuple[int, int]:
        raise NotImplementedError

    def in_quote(self, start: int) -> bool:
        raise NotImplementedError


def fold_term(term: str) -> str:
    raise NotImplementedError


def prepare(text: str, fmt: str = "text") -> Prepared:
    raise NotImplementedError
