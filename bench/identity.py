"""Decisions and spans of the default policy over every labeled comment, to compare two trees byte for byte.

    nice -n 10 python bench/identity.py OUT [--every N]      # in each tree, with its PYTHONPATH
    cmp BEFORE AFTER                                           # a speed change must leave them identical

Writes what `civility dry-run --json` writes (each decision's JSON, one a line; PYTHONHASHSEED=0; no time
budget, so that a busy machine cannot time a long text out in one run and not the other) over: every comment of every JSONL file
in ../shared/data (one in N with --every), a tenth read as markdown and a tenth as html, one in seven with
the comment before it as its parent, and 30 long texts (labeled comments joined, up to ~120 KB, as text and
as markdown). Prints how many lines and their SHA-256.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this tree's engine, not bench/engine.py
DATA = ROOT.parent / "shared" / "data"


def inputs(every: int) -> list[dict[str, object]]:
    texts: list[tuple[str, str]] = []
    for path in sorted(DATA.glob("**/*.jsonl")):
        with path.open(encoding="utf-8") as f:
            rows = [json.loads(line) for line in f if line.strip()]
        texts.extend((f"{path.stem}:{i}", row["text"]) for i, row in enumerate(rows) if i % every == 0)
    out: list[dict[str, object]] = []
    for n, (id_, text) in enumerate(texts):
        item: dict[str, object] = {"id": id_, "text": text}
        if n % 10 == 3:
            item["format"] = "markdown"
        elif n % 10 == 7:
            item["format"] = "html"
        if n % 7 == 5 and n > 0:
            item["parent"] = {"text": texts[n - 1][1]}
        out.append(item)
    rng = random.Random(17)
    for k in range(30):
        size = rng.choice((20, 50, 100, 200, 400, 800))
        joined = "\n\n".join(rng.choice(texts)[1] for _ in range(size))[:120_000]
        out.append({"id": f"long:{k}", "text": joined, "format": "markdown" if k % 2 else "text"})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--every", type=int, default=1, help="one labeled comment in N (default: all)")
    args = parser.parse_args()
    if os.environ.get("PYTHONHASHSEED") != "0":
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, "PYTHONHASHSEED": "0"})
    from engine import Comment, decide, load_policy

    policy = load_policy()
    with args.out.open("w", encoding="utf-8") as f:
        for item in inputs(args.every):
            f.write(json.dumps(decide(policy, Comment.from_dict(item)).to_dict()) + "\n")
    data = args.out.read_bytes()
    lines = data.count(b"\n")
    print(f"{lines} lines, sha256 {hashlib.sha256(data).hexdigest()}")


if __name__ == "__main__":
    main()
