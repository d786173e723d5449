"""A policy regex without IGNORECASE, where that cannot change what it finds in a case-folded text.

Policy regexes run with IGNORECASE over the normalized text, which is case-folded (`str.casefold`) in the
usual comment; the regex module's case-insensitive search costs 20-30% more than the same search with
case. In the regex module, no two different characters that are their own case fold match each other
without case (tests/test_regex_case.py checks the module installed). So in a text made of such
characters (`text.casefold() == text`), a pattern whose every literal character and class member is its
own case fold matches exactly what it matches with IGNORECASE; the twin is used only on such text.
"""

from __future__ import annotations

import re._constants as sre  # the standard library's own parser, for the pattern's characters only
import re._parser as sre_parse

import regex

#: regex-module syntax the standard parser reads differently or not at all: POSIX classes, fuzzy
#: constraints ("{e<=1}"), version 1 set operations, named lists; a pattern with any keeps IGNORECASE
_FOREIGN = regex.compile(r"\[:\^?[a-z]+:\]|(?<!\\)\{[^\d,]|\(\?[a-zA-Z]*V|\\[LpPNX]|\\[mMGK]")

#: opcodes whose arguments hold no characters to compare
_NOTHING = {sre.ANY, sre.AT, sre.CATEGORY, sre.NEGATE, sre.FAILURE, sre.SUCCESS}


def caseless(pattern: regex.Pattern[str]) -> regex.Pattern[str] | None:
    """`pattern` compiled without IGNORECASE when that is the same search on case-folded text, else None."""
    if not pattern.flags & regex.IGNORECASE or pattern.flags & regex.VERSION1 or _FOREIGN.search(pattern.pattern):
        return None
    try:
        parsed = sre_parse.parse(pattern.pattern)
    except Exception:  # regex-module syntax the standard parser refuses (variable lookbehind parses)
        return None
    if not _folded(parsed):
        return None
    return regex.compile(pattern.pattern, pattern.flags & ~regex.IGNORECASE, cache_pattern=False)


def _folded(items: sre_parse.SubPattern | list[tuple[object, object]]) -> bool:
    """Whether every character the pattern compares is its own case fold (no back-reference: it
    compares two stretches of text with or without case)."""
    for op, arg in items:
        if op in (sre.LITERAL, sre.NOT_LITERAL):
            if not _own_fold(chr(arg)):
                return False
        elif op == sre.RANGE:
            lo, hi = arg
            if not _own_fold("".join(map(chr, range(lo, hi + 1)))):
                return False
        elif op == sre.IN:
            if not _folded(arg):
                return False
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            if not _folded(arg[2]):
                return False
        elif op in (sre.SUBPATTERN,):
            if not _folded(arg[3]):
                return False
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            if not _folded(arg[1]):
                return False
        elif op == sre.ATOMIC_GROUP:
            if not _folded(arg):
                return False
        elif op == sre.BRANCH:
            if not all(_folded(branch) for branch in arg[1]):
                return False
        elif op not in _NOTHING:
            return False  # back-references, conditionals, anything unforeseen
    return True


def _own_fold(chars: str) -> bool:
    return chars.casefold() == chars
