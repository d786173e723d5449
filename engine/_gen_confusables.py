"""Writes engine/_confusables.py from Unicode's confusables (UTS #39) as `confusable-homoglyphs` ships them.

    pip install 'confusable-homoglyphs==3.3.1' && python -m engine._gen_confusables

Kept: every single character that, after the engine's own fold (NFKC, casefold, accents dropped), is a
letter outside ASCII and that UTS #39 lists as confusable with an ASCII letter. Where a folded character
is listed under two letters ('і' under 'i' and, as capital 'І', under 'l'), the listing of the
character as written, in lower case, wins.
"""

from __future__ import annotations

import sys
import unicodedata
from importlib.metadata import version
from pathlib import Path

OUT = Path(__file__).with_name("_confusables.py")


def _fold(c: str) -> str:
    s = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", c).casefold())
    return unicodedata.normalize("NFC", "".join(x for x in s if not unicodedata.combining(x)))


def table() -> dict[str, str]:
    from confusable_homoglyphs import utils

    data = utils.load("confusables.json")
    found: dict[str, tuple[str, int]] = {}
    for letter in "abcdefghijklmnopqrstuvwxyz":
        for rank, key in ((0, letter), (2, letter.upper())):
            for entry in data.get(key, ()):
                c = entry["c"]
                if len(c) != 1:
                    continue
                f = _fold(c)
                if len(f) != 1 or f.isascii() or not f.isalpha():
                    continue
                r = rank + (c != f)
                if f not in found or r < found[f][1]:
                    found[f] = (letter, r)
    return {c: letter for c, (letter, _) in sorted(found.items())}


def main() -> None:
    pairs = table()
    src = "".join(pairs)
    dst = "".join(pairs.values())
    chunks = lambda s: "".join(f"    {s[i : i + 60]!r}\n" for i in range(0, len(s), 60))  # noqa: E731
    OUT.write_text(
        '"""Lookalikes of ASCII letters, from Unicode\'s confusables (UTS #39). Generated: do not edit.\n\n'
        f"Source: confusables.json of confusable-homoglyphs {version('confusable-homoglyphs')} (MIT), from\n"
        "https://www.unicode.org/Public/security/latest/confusables.txt; written by\n"
        '`python -m engine._gen_confusables`, which says what is kept.\n"""\n\n'
        f"# {len(pairs)} characters (after the engine's fold) and the ASCII letter each one looks like.\n"
        f"SOURCE = (\n{chunks(src)})\n"
        f"TARGET = (\n{chunks(dst)})\n",
        encoding="utf-8",
    )
    print(f"{OUT}: {len(pairs)} characters", file=sys.stderr)


if __name__ == "__main__":
    main()
