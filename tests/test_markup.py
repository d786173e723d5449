from __future__ import annotations

import pytest

from engine.markup import strip


def raw_of(raw: str, fmt: str, word: str) -> str:
    m = strip(raw, fmt)
    i = m.visible.index(word)
    a, b = m.raw_span(i, i + len(word))
    return raw[a:b]


def quoted(raw: str, fmt: str) -> list[str]:
    m = strip(raw, fmt)
    return [m.visible[a:b].strip() for a, b in m.quotes]


def test_html_tags_are_stripped_and_spans_skip_them():
    raw = "<p>You are a complete <b>idiot</b>.</p>"
    assert strip(raw, "html").visible.split() == ["You", "are", "a", "complete", "idiot."]
    assert raw_of(raw, "html", "idiot") == "idiot"


def test_html_entities_decode_and_map_to_the_whole_entity():
    raw = "&#105;diot &amp; m&#x6F;ron"
    m = strip(raw, "html")
    assert m.visible == "idiot & moron"
    assert raw_of(raw, "html", "idiot") == "&#105;diot"
    assert raw_of(raw, "html", "moron") == "m&#x6F;ron"


def test_block_tags_separate_words():
    assert strip("<p>you</p><p>idiot</p>", "html").visible.split() == ["you", "idiot"]
    assert strip("you<br>idiot", "html").visible.split() == ["you", "idiot"]


def test_script_style_and_comments_are_not_visible():
    m = strip("hi<script>var idiot = 1;</script><style>.x{}</style><!-- moron -->there", "html")
    assert m.visible == "hithere"


def test_html_links_and_blockquotes():
    raw = '<blockquote>you idiot</blockquote><p>No. See <a href="https://bit.ly/x?a=1&amp;b=2">this</a></p>'
    m = strip(raw, "html")
    assert quoted(raw, "html") == ["you idiot"]
    (link,) = m.links
    assert link.url == "https://bit.ly/x?a=1&b=2"
    assert raw[link.start : link.end].startswith("<a href") and raw[link.start : link.end].endswith("</a>")


def test_markdown_quotes_lines_and_bbcode():
    raw = "> you are an idiot\n>> nested\n\nI disagree [quote=bob]moron[/quote] ok"
    q = quoted(raw, "markdown")
    assert "> you are an idiot" in q and ">> nested" in q and "moron" in q
    assert not any("disagree" in r for r in q)


def test_markdown_links_keep_their_text_visible():
    raw = "read [the idiot guide](http://goo.gl/x) or <https://t.co/y>"
    m = strip(raw, "markdown")
    assert m.visible == "read the idiot guide or https://t.co/y"
    assert [link.url for link in m.links] == ["http://goo.gl/x", "https://t.co/y"]
    assert raw_of(raw, "markdown", "idiot") == "idiot"


def test_text_quotes_straight_curly_and_reply_lines():
    raw = 'He said "you idiot" and \u201cmoron\u201d\n> quoted line\nmine'
    assert quoted(raw, "text") == ["you idiot", "moron", "> quoted line"]
    assert strip(raw, "text").offsets is None


@pytest.mark.parametrize(
    ("raw", "found"),
    [
        # reported in single quotes, straight or curly, apostrophes inside: someone else's words
        ("He called her 'a stupid cow' and that is not okay.", ["a stupid cow"]),
        ("He said 'you're an idiot' and left.", ["you're an idiot"]),
        ("She wrote \u2018shut up, loser\u2019 under my post and the mods did nothing.", ["shut up, loser"]),
        # apostrophes, elisions and one-word scare quotes are no quotation
        ("don't you dare, it's the students' work", []),
        ("the 90's were great, weren't they", []),
        ("'cause the students' work was late, you idiot", []),
        ("in the '90s the kids' toys were better, you idiot", []),
        ("you're a real 'genius', everyone says so", []),
        ("rock 'n' roll never dies, y'all", []),
        ("I was goin' home an' the dogs' bowls were empty", []),
        ("It's James' car and Chris' bike, you idiot", []),
        ("'tis the season, O'Brien, and the Smiths' album is out, you idiot", []),
        ("O'Brien said 'you are a moron' and left.", ["you are a moron"]),
        # a comment wholly in single quotes is the author's own words
        ("'you stupid moron'", []),
        ("'you stupid moron' lol", []),
    ],
)
def test_single_quotes_are_a_quote_only_when_they_surely_are(raw, found):
    assert quoted(raw, "text") == found


@pytest.mark.parametrize("raw", ["x 'a b'c" * 40_000, " 'ab" * 60_000, "'a b" * 50_000])
def test_unclosed_single_quotes_are_linear(raw):
    # each mark's run stops at the next mark that is no apostrophe inside a word
    assert strip(raw, "text").quotes == ()


def test_unknown_format_is_an_error():
    with pytest.raises(ValueError, match="unknown format 'rtf'"):
        strip("x", "rtf")


@pytest.mark.parametrize("raw", ["<" * 50_000, "<a " * 30_000, "&" * 50_000, "[" * 30_000 + "](", "<!--" * 20_000])
def test_unclosed_markup_is_linear(raw):
    for fmt in ("html", "markdown"):
        m = strip(raw, fmt)
        assert m.raw_span(0, len(m.visible))[1] <= len(raw)


@pytest.mark.parametrize(
    ("raw", "fmt", "found"),
    [
        # the author answers or reports the quote: it is someone else's words
        ('He said "you are an idiot" and that is unacceptable', "text", ["you are an idiot"]),
        ("The reply \u00abyou stupid moron\u00bb got him banned.", "text", ["you stupid moron"]),
        ("Er schrieb \u201eDu Idiot\u201c und wurde gesperrt.", "text", ["Du Idiot"]),
        ("> you are an idiot\n\nI disagree", "markdown", ["> you are an idiot"]),
        ("<blockquote>you moron</blockquote><p>Reported, keep it civil.</p>", "html", ["you moron"]),
        # wholly or mostly a quote, or a quote and agreement: the author's own words
        ('"you are an idiot"', "text", []),
        ("\u201cyou stupid moron\u201d", "text", []),
        ("\u00abyou stupid moron\u00bb", "text", []),
        ("\u00bbyou stupid moron\u00ab", "text", []),
        ('"you are an idiot" lol', "text", []),
        ('"you are an idiot" - so true, well said!', "text", []),
        ("> you are a moron\n\nThis.", "markdown", []),
        ("> you are a moron", "markdown", []),
        ("[quote]you are a moron[/quote]", "markdown", []),
        ("<blockquote>you moron</blockquote>", "html", []),
        ("<blockquote><p>you moron</p></blockquote><p>Exactly!</p>", "html", []),
    ],
)
def test_a_quote_is_excused_only_by_the_authors_own_words_around_it(raw, fmt, found):
    assert quoted(raw, fmt) == found


def test_agreement_is_looked_for_in_short_answers_only():
    # a long answer is an answer, whatever its words; the look-up stays cheap on a hostile body
    assert quoted('"you idiot" ' + "ha" * 50_000 + " x", "text") == ["you idiot"]
    assert quoted('"you idiot" ' + "ha " * 50, "text") == ["you idiot"]
    assert quoted('"you idiot" ' + "ha " * 10, "text") == []


@pytest.mark.parametrize(
    ("raw", "fmt", "found"),
    [
        # a comment quoted whole is the author's; the quote inside it is judged by the words around it
        ('\u00abHe said "you are an idiot" and that is unacceptable\u00bb', "text", ["you are an idiot"]),
        ('> He said "you are an idiot" and that is unacceptable', "text", ["you are an idiot"]),
        ("\u201c> you are an idiot\n\nNo, I am not, and the figures show it.\u201d", "markdown", ["> you are an idiot"]),
        (
            "\u00ab<blockquote>you moron</blockquote><p>Reported: please keep it civil.</p>\u00bb",
            "html",
            ["you moron"],
        ),
        # ... and a whole-comment quote over paragraphs is still the author's own words
        ('"you are an idiot\n\nand everyone knows it"', "text", []),
        ('\u00ab"you are an idiot" lol\u00bb', "text", []),
    ],
)
def test_quotes_inside_a_comment_quoted_whole(raw, fmt, found):
    assert quoted(raw, fmt) == found


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_thousands_of_quotes_stop_at_the_deadline(fmt):
    """Each quote is read for its own words: past the deadline the reading stops (and the engine flags)."""
    import time

    with pytest.raises(TimeoutError):
        strip('"you idiot" and > "this" ' * 2000, fmt, deadline=time.monotonic() - 1)


def test_quotes_inside_a_quoted_paragraph_are_found_among_many():
    # a '>' reply quoting a paragraph with quotes of its own, answered inside: each inner quote is found
    inner = " ".join(f'he said "idiot {i}" and that is wrong.' for i in range(50))
    m = strip(f"> {inner}\n", "markdown")
    assert len(m.quotes) == 50
    assert all(m.visible[s:e].startswith("idiot") for s, e in m.quotes)
