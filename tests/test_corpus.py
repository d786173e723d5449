"""Comment files for corpus commands: labeled rows, and the progress bar that only a terminal sees."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from engine.corpus import Counted, Progress, read_comments


def test_a_labeled_row_needs_its_label() -> None:
    src = io.StringIO('{"text": "a", "label": "ok"}\n{"text": "b"}\n{"text": "c", "label": 3}\n')
    rows = list(read_comments(src, Path("x.jsonl"), need=("label",)))
    assert [(n, e) for n, _, e in rows] == [
        (1, None),
        (2, "field 'label': 'label' is required and must be a string"),
        (3, "field 'label': 'label' is required and must be a string"),
    ]
    csv_rows = list(read_comments(io.StringIO("text\nhello\n"), Path("x.csv"), need=("label",)))
    assert csv_rows == [(1, {}, "CSV input needs a 'label' column")]


def test_progress_counts_what_was_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "c.jsonl"
    src.write_text('{"text": "a"}\n' * 40)
    progress = Progress(src, enabled=True)
    with open(src) as f:
        stream = Counted(f)
        for n, _ in enumerate(read_comments(stream, src), 1):  # type: ignore[arg-type]
            progress.update(n, stream.read)
    progress.close()
    err = capsys.readouterr().err
    assert err.endswith("\n") and "[" + "#" * 30 + "] 100% 40 comments" in err.splitlines()[-1]
    # not a terminal (pytest captures stderr): nothing is drawn
    quiet = Progress(src)
    quiet.update(40, 560, final=True)
    quiet.close()
    assert capsys.readouterr().err == ""
