"""Comment files for the commands that read a corpus: JSONL or CSV, streamed, with a progress bar.

Constant memory: rows are read and handed on one at a time; nothing keeps the whole file.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import time
import typing as t
from pathlib import Path

from .model import Comment, CommentError

Row = tuple[int, dict[str, t.Any], "str | None"]


def read_comments(stream: t.TextIO, source: Path, need: tuple[str, ...] = ()) -> t.Iterator[Row]:
    """(line number, row, error) per input line of JSONL or CSV; a bad line carries its error.

    :param need: string fields a row must have besides `text` (`label` for a labeled file).
    """
    first = stream.readline()
    is_csv = str(source).lower().endswith(".csv") or (first.strip() != "" and not first.lstrip().startswith("{"))
    rows = _read_csv(first, stream, need) if is_csv else _read_jsonl(first, stream)
    for line_no, row, error in rows:
        if error is None:
            missing = [f for f in need if not isinstance(row.get(f), str) or not row[f]]
            if missing:
                error = f"field '{missing[0]}': '{missing[0]}' is required and must be a string"
        yield line_no, (row if error is None else {}), error


def _read_jsonl(first: str, stream: t.TextIO) -> t.Iterator[Row]:
    line_no = 0
    for line in _chain(first, stream):
        line_no += 1
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            Comment.from_dict(row)
        except ValueError as e:
            if isinstance(e, CommentError):
                message = f"field '{e.field}': {e}" if e.field else str(e)
            else:
                message = f"invalid JSON: {e}"
            yield line_no, {}, message
            continue
        yield line_no, row, None


def _read_csv(first: str, stream: t.TextIO, need: tuple[str, ...]) -> t.Iterator[Row]:
    reader = csv.DictReader(_chain(first, stream))
    if not reader.fieldnames or "text" not in reader.fieldnames:
        yield 1, {}, "CSV input needs a 'text' column"
        return
    for field in need:
        if field not in reader.fieldnames:
            yield 1, {}, f"CSV input needs a '{field}' column"
            return
    for row in reader:
        line_no = reader.line_num
        if row.get("text") is None:
            yield line_no, {}, "missing 'text'"
            continue
        clean = {k: v for k, v in row.items() if k is not None and v not in (None, "")}
        clean["text"] = row["text"]
        yield line_no, clean, None


def _chain(first: str, rest: t.Iterable[str]) -> t.Iterator[str]:
    if first:
        yield first
    yield from rest


def open_input(source: Path) -> t.TextIO:
    """A comment file, or stdin for `-`; a byte-order mark is not part of the first line.

    :raises OSError: when the file cannot be read.
    """
    if str(source) == "-":
        return io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig", errors="replace", newline="")
    return open(source, encoding="utf-8-sig", errors="replace", newline="")  # noqa: SIM115


class Counted:
    """A text stream that counts the characters read from it, for a progress bar's share done."""

    def __init__(self, stream: t.TextIO) -> None:
        self.stream = stream
        self.read = 0

    def readline(self) -> str:
        line = self.stream.readline()
        self.read += len(line)
        return line

    def __iter__(self) -> t.Iterator[str]:
        for line in self.stream:
            self.read += len(line)
            yield line


class Progress:
    """A one-line progress bar on stderr, drawn only when stderr is a terminal (never into a log or pipe)."""

    def __init__(self, source: Path, label: str = "comments", enabled: bool | None = None) -> None:
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.label = label
        try:
            self.total = os.path.getsize(source) if str(source) != "-" else 0
        except OSError:
            self.total = 0
        self.started = self.last = time.monotonic()
        self.n = self.chars = 0

    def update(self, n: int, chars_read: int, final: bool = False) -> None:
        self.n, self.chars = n, chars_read
        now = time.monotonic()
        if not self.enabled or (now - self.last < 0.2 and not final):
            return
        self.last = now
        rate = n / max(now - self.started, 1e-9)
        if self.total:
            # characters against bytes: close enough for a bar, capped so that it never passes 100%
            share = min(chars_read / self.total, 1.0)
            bar = "#" * int(share * 30)
            sys.stderr.write(f"\r[{bar:<30}] {share:4.0%} {n:,} {self.label}, {rate:,.0f}/s")
        else:
            sys.stderr.write(f"\r{n:,} {self.label}, {rate:,.0f}/s")
        sys.stderr.flush()

    def close(self) -> None:
        """The last state (100% of a file), then a new line."""
        if self.enabled:
            self.update(self.n, self.total or self.chars, final=True)
            sys.stderr.write("\n")
            sys.stderr.flush()
