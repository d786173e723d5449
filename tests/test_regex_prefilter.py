"""Literal prefilters: which words a regex needs, and never a filter that could hide a match."""

from __future__ import annotations

import sys

import pytest
import regex

from engine._regex_prefilter import required_literals, squeeze


@pytest.mark.parametrize(
    "pattern, groups",
    [
        (
            r"(?:\b(?:nice try|well done)\W{1,3}(?:genius|einstein)\b)",
            (("nice try", "well done"), ("einstein", "genius")),
        ),
        (
            r"\bcheck (?:out )?my (?:channel|page)\b",
            (("check my channel", "check my page", "check out my channel", "check out my page"),),
        ),
        (r"you(?:'re| are)\s+\w+", (("you are ", "you're "),)),
        (r"(?:x|y)+z", (("z",), ("x", "y"))),
        # an alternative that is itself a pattern stands by its longest run of plain text
        (
            r"\bfree\s+(?:gift\s?cards?|itunes|v-?bucks)",
            (("free gift card", "free giftcard", "free itunes", "free v-bucks", "free vbucks"),),
        ),
        (r"(?<=\w[\s,.!?]{1,4})(?:idiota|otari[oa]|burr[oa]o?)(?:s|es)?", (("burr", "idiota", "otari"),)),
        (r"(?:\w+|x)y", (("y",),)),
        # quantifiers, classes and escapes are no text: "1" of {1,4}, "27a1" of \u27a1, "i" of i?, "b" of b*
        (r"[\s,]{1,4}word\d{10}", (("word",),)),
        (r"\u27a1go|\x41hi|\p{L}ok|\N{BULLET}nb", (("go", "hi", "nb", "ok"),)),
        (r"(?:\u27a1go|\x41hi|\p{L}ok|\N{BULLET}nb)", (("go", "hi", "nb", "ok"),)),
        (r"(?:\u27a1go|\x41hi|\p{Ll}ok|\N{BULLET}nb)x", (("x",), ("go", "hi", "nb", "ok"))),
        (r"(a)\1bc", (("a",), ("bc",))),
        (r"abci?d", (("abcd", "abcid"),)),
        (r"ab+c", (("ab",), ("c",))),
        (r"ab*c", (("a",), ("c",))),
        (r"ab{2}c", (("a",), ("c",))),
        # top-level alternatives: one group, a literal of one group of each (the longest shortest literal)
        (r"(?:idiot|moron)|\bfool\b", (("fool", "idiot", "moron"),)),
        # an alternative of several groups: one joined group with each of them, likeliest absent first
        (
            r"\b(?:dm|pm)\s+me\s+[a-z]{3}|\b(?:text|send)\s+[a-z]{2,12}\s+to\s+\d{4,6}\b",
            (("dm me ", "pm me ", "send ", "text "), (" to ", "dm me ", "pm me ")),
        ),
        (
            r"\b\d{1,2}\s?% off\b|\b(?:promo|coupon) code\b|\bwith code [a-z0-9]{3,}\b",
            (("% off", "coupon code", "promo code", "with code "),),
        ),
        (r"(?:\bwho is paying (?:you|u)|\bhow much for)", (("how much for", "who is paying u", "who is paying you"),)),
        # an alternative inside a group stands by what it requires as a pattern, its own groups too
        (
            r"\b(?:guaranteed (?:profits?|gains?)|\d{3}\s?% (?:profits?|roi)|(?:crypto|forex) signals)\b",
            (("% profit", "% roi", "crypto signals", "forex signals", "guaranteed gain", "guaranteed profit"),),
        ),
        (
            r"^\W*(?:(?:i'?d|i would)\s+(?:be careful|lock (?:my|your) doors?)|you (?:will|shall) regret)",
            (
                (
                    "i would be careful",
                    "i would lock my door",
                    "i would lock your door",
                    "i'd be careful",
                    "i'd lock my door",
                    "i'd lock your door",
                    "id be careful",
                    "id lock my door",
                    "id lock your door",
                    "you shall regret",
                    "you will regret",
                ),
            ),
        ),
        # punctuation and symbols are text, escaped or not; a letter escaped (\s, \b) or upper-case is not
        (r"\bbit\.ly/\w+|\(dot\)\s*com", (("(dot) com", "(dot)com", "bit.ly/"),)),
        (r"@\w+ #tag", (("@",), (" #tag",))),
        (r"\bSie\s+\u00e4rger", (("ie ",), ("rger",))),
        ("caf\u00e9 \u00fcber\\.", (("caf",), ("ber.",))),  # "café über\.": non-ASCII letters have case
        # a class of a few caseless characters that must stand once: one of them
        ("[$\u00a3\u20ac]{2,}|\\bcasino\\b", (("$", "casino", "\u00a3", "\u20ac"),)),  # "[$£€]{2,}|..."
        (r"\d[.,]\d+ off", ((",", "."), (" off",))),
        # whitespace is one space in the squeezed text; an optional character, space or group of plain
        # alternatives gives forms with and without it; assertions stand for nothing
        (r"\bwww\s+[a-z]+", (("www ",),)),
        (r"\w\s+\.\s*(?:com|net)\b", ((" . com", " . net", " .com", " .net"),)),  # implies ("com", "net")
        (r"\bbit(?:\s+\.?\s*|\.\s+)ly(?=\s*/)", (("bit . ly", "bit .ly", "bit ly", "bit. ly"),)),
        (r"\bh\s+t\s*t +p\b", (("h t t p", "h tt p"),)),
        (r"\bno(?!\w)\s+(?<=\s)way", (("no way",),)),
        (r"(?:\bdm|\bpm)\s?(?:me)?\b", (("dm", "pm"),)),
    ],
)
def test_mandatory_plain_groups_are_required(pattern: str, groups: tuple[tuple[str, ...], ...]) -> None:
    assert required_literals(pattern) == groups


@pytest.mark.parametrize(
    "pattern",
    [
        r"(?:very )?(?:big)?\s*\w",  # optional groups
        r"(?:ab|cd)*\w",  # may repeat zero times
        r"(?:\w+|x)\s",  # not plain words
        r"(?=(?:abc|def))",  # a lookahead
        r"(?:,|\s)(?:\s|-)",  # alternatives without plain text
        r"(?:idiot|moron)|\w+",  # an alternative without plain text
        r"(?:a|)b?",  # an empty alternative
        r"(?:abc|(?:x|\w+))d?",  # an alternative of an alternative without plain text
        r"[$\u00a3]?\d+|[.,]*x?|[.,]{0,3}y?|[a-c]+|[^$]+|[\s$]+|[Dd]u",  # classes that need not stand, or not caseless
        r"\n|\t|\1",  # escapes of letters and digits
    ],
)
def test_no_filter_where_a_match_could_lack_the_words(pattern: str) -> None:
    assert required_literals(pattern) == ()


@pytest.mark.parametrize(
    "pattern, text",
    [
        (r"(?:\b(?:nice try|well done)\W{1,3}(?:genius|einstein)\b)", "well done, genius"),
        (r"\bcheck (?:out )?my (?:channel|page)\b", "please check my page"),
        (r"(?:x|y)+z", "xyxyz"),
        (r"\bfree\s+(?:gift\s?cards?|itunes|v-?bucks)", "get free vbucks"),
        (r"(?<=\w[\s,.!?]{1,4})(?:idiota|otari[oa]|burr[oa]o?)(?:s|es)?", "sai daqui, burraos"),
        (r"(?:\u27a1go|\x41hi|\p{Ll}ok|\N{BULLET}nb)x", "aokx"),
        (r"ab+c", "abbbc"),
        (r"abci?d", "abcd"),
        (r"(?:idiot|moron)|\bfool\b", "what a fool"),
        (r"\b(?:dm|pm)\s+me\s+[a-z]{3}|\b(?:text|send)\s+[a-z]{2,12}\s+to\s+\d{4,6}\b", "text win to 55555"),
        (r"\b(?:guaranteed (?:profits?|gains?)|\d{3}\s?% (?:profits?|roi)|(?:crypto|forex) signals)\b", "a 300% roi"),
        (r"\bbit\.ly/\w+|\(dot\)\s*com", "see bit.ly/x1"),
        ("[$\u00a3\u20ac]{2,}|\\bcasino\\b", "only \u20ac$ today"),
        (r"\d[.,]\d+ off", "2,50 off"),
        (r"\w\s+\.\s*(?:com|net)\b", "shop \t\n.\u2003 net"),
        (r"\bbit(?:\s+\.?\s*|\.\s+)ly(?=\s*/)", "bit\u00a0\u00a0. \n ly /x"),
    ],
)
def test_every_match_contains_a_literal_of_each_group(pattern: str, text: str) -> None:
    m = regex.search(pattern, text)
    assert m is not None
    for group in required_literals(pattern):
        assert any(literal in squeeze(m.group()) for literal in group)


@pytest.mark.parametrize(
    "pattern, groups",
    [
        # written case-sensitively: either case of an ASCII letter stands for its lower case
        (r"\b(?:[Cc]omment|DM|[Tt]ext)\s+(?:me\s+)?[A-Z]{2,10}\b", (("comment ", "dm ", "text "),)),
        (r"(?<![\w@])[Dd][Uu]\s+[A-ZÄÖÜ][a-zäöüß]+\s+[Dd][Uu]\b", (("du ",), (" du",))),
        (r"\]\(\s*https?://", ((']( http://', ']( https://', '](http://', '](https://'),)),
        # only printable ASCII is text: a non-ASCII letter or symbol may fold to something else
        ("[$\u00a3\u20ac]{2,}x", (("x",),)),
        ("\u00e9t\u00e9 x", (("t",), (" x",))),
        (r"\bStra\u00dfe\b", (("stra",), ("e",))),  # "\u00df" is no text here: it folds to "ss"
    ],
)
def test_a_case_sensitive_pattern_needs_its_letters_lower_cased(pattern: str, groups: tuple[tuple[str, ...], ...]) -> None:
    assert required_literals(pattern, cased=True) == groups


def test_a_raw_regex_is_filtered_by_its_literals_in_the_folded_text_unless_a_flag_could_widen_it() -> None:
    """A `raw_regex` searches the visible text; the automaton looks in the normalized one, which folds each
    printable ASCII character to its lower case and each whitespace character to whitespace."""
    from engine import Comment
    from engine._regex_prefilter import Literals
    from engine.matchers import RegexMatcher
    from engine.normalize import _fold
    from engine.scan import VISIBLE, Scan

    space = regex.compile(r"\s")
    for c in range(sys.maxunicode + 1):
        if space.match(chr(c)):
            folded = _fold(chr(c))[0]
            assert folded and not folded.split(), hex(c)
    assert all(_fold(chr(c))[0] == chr(c).lower() for c in range(32, 127))
    literals = Literals()
    cased = RegexMatcher(regex.compile(r"\b[Tt]ext\s+ME\b"), VISIBLE, literals)
    assert cased.key == frozenset({"text me"})
    for text, found in (("TEXT ME", False), ("Text\u00a0 ME now", True), ("text me", False), ("a note", False)):
        scan = Scan(Comment(text=text), None)
        assert bool(cased.find(scan, True)) is found
        assert cased.may_match(scan) or not found
    assert not cased.may_match(Scan(Comment(text="a note"), None))
    for flagged in (r"(?i)\btext me\b", r"\b(?i:text) me\b", r"(?V1)\btext me\b"):
        assert RegexMatcher(regex.compile(flagged), VISIBLE, literals).required == ()
    assert RegexMatcher(regex.compile(r"\btext me\b", regex.IGNORECASE), VISIBLE, literals).required == ()


def test_the_squeezed_text_is_one_space_for_every_whitespace_a_pattern_matches() -> None:
    """`squeeze` (str.split) must take every character `\\s` matches for whitespace, or a literal of
    `\\s+` ("www ") could be missing from a text the pattern matches."""
    space = regex.compile(r"\s")
    assert all(chr(c).isspace() for c in range(sys.maxunicode + 1) if space.match(chr(c)))
    assert squeeze(" a \n\t b\u3000") == " a b "
    assert squeeze("ab") == "ab" and squeeze("\n\n") == " " and squeeze("") == ""


def test_groups_nested_thousands_deep_load_without_recursing_that_deep() -> None:
    assert required_literals("a(?:b" * 3000 + ")" * 3000) == (("ba",),)  # ("a",) goes with it


def test_each_policy_finds_its_own_literals_and_a_reloaded_edit_keeps_none_of_the_old(tmp_path) -> None:
    """The automaton of the regexes' literals is the policy's: a webhook that reloads edited policies
    does not keep every old policy's literals (it was one per process, and only grew): only the loader's
    memo of the last few policies compiled holds any."""
    import gc
    import weakref

    from policy_helpers import rule, write_policy

    from engine import Comment, Verdict, decide, load_policy
    from engine.policy import _LOADED_MAX

    old = []
    sizes = set()
    for n in range(6):
        root = write_policy(tmp_path / f"edit{n}", {"a": rule(f"{{regex: '\\bsays{n}x (?:idiot|moron)'}}")})
        policy = load_policy(root)
        assert policy.literals is not None
        sizes.add(len(policy.literals))
        assert decide(policy, Comment(text=f"he says{n}x idiot")).decision is Verdict.FLAG
        if n:
            assert decide(policy, Comment(text=f"he says{n - 1}x idiot")).decision is Verdict.APPROVE
        old.append(weakref.ref(policy.literals))
        del policy
    gc.collect()
    assert len(sizes) == 1 and sizes != {0}
    # nothing holds an old policy's automaton but the loader's bounded memo of the last policies compiled
    assert all(ref() is None for ref in old[: -_LOADED_MAX])


def test_no_policy_regex_is_filtered_out_of_a_comment_it_matches() -> None:
    """Every match of the default policy's regexes over every 25th labeled comment (as written and with
    its words as read; a `raw_regex` in the visible text) passes the regex's prefilter."""
    from policy_helpers import labeled_texts, policy_regexes

    from engine import Comment, load_policy
    from engine.scan import NORM, Scan

    texts = labeled_texts(every=25)
    if not texts:
        pytest.skip("../shared/data is not here")
    matchers = [m for m in policy_regexes(load_policy(None)) if m.required]
    assert len(matchers) > 50 and any(m.space != NORM for m in matchers)
    # a `raw_regex` (a handful) also over the text read as markdown, whose visible text is another
    asked = {"text": matchers, "markdown": [m for m in matchers if m.space != NORM]}
    matched = raw = 0
    for text in texts:
        for markup, these in asked.items():
            scan = Scan(Comment(text=text, format=markup), None)
            read = scan.prepared.read
            for m in these:
                texts_searched = (
                    (scan.prepared.norm, *((read.text,) if read else ())) if m.space == NORM else (scan.prepared.visible,)
                )
                if any(m.pattern.search(s) for s in texts_searched):
                    matched += 1
                    raw += m.space != NORM
                    assert m.may_match(scan), (m.pattern.pattern[:80], text[:80])
    assert matched > 500 and raw > 20


def test_short_literals_of_symbols_are_scanned_and_key_a_regex() -> None:
    """A literal of symbols and punctuation only ("$", "@", "=>") is rare in comments: the automaton looks
    for it, so a regex needing one of "$", "£", "€" is filed under them instead of running on every
    comment; a short one with a letter, digit or space ("so", " u") is tested with `in`."""
    from engine._regex_prefilter import Literals, scanned
    from engine.matchers import RegexMatcher
    from engine.scan import NORM

    assert scanned("$") and scanned("=>") and scanned("abc") and scanned(" so")
    assert not scanned("so") and not scanned(" u") and not scanned("1") and not scanned("$1")
    literals = Literals()
    money = RegexMatcher(regex.compile(r"(?:\$|£|€)\s?\d", regex.IGNORECASE), NORM, literals)
    assert money.key == frozenset({"$", "£", "€"})
    short = RegexMatcher(regex.compile(r"\bso\b", regex.IGNORECASE), NORM, literals)
    assert short.key is None and short.groups == ((frozenset(), ("so",)),)
