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


def test_unknown_format_is_an_error():
    with pytest.raises(ValueError, match="unknown format 'rtf'"):
        strip("x", "rtf")


@pytest.mark.parametrize("raw", ["<" * 50_000, "<a " * 30_000, "&" * 50_000, "[" * 30_000 + "](", "<!--" * 20_000])
def test_unclosed_markup_is_linear(raw):
    for fmt in ("html", "markdown"):
        m = strip(raw, fmt)
        assert m.raw_span(0, len(m.visible))[1] <= len(raw)
