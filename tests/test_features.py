from __future__ import annotations

import pytest
import regex
from clock_helpers import ticking

from engine import features as F
from engine._regex_safety import _nested_quantifier
from engine.normalize import prepare


def values(found) -> list[str]:
    return [f.value for f in found]


def spans_text(text: str, found) -> list[str]:
    return [text[f.start : f.end] for f in found]


def test_links_in_plain_text_with_spans():
    text = "Cheap pills at bit.ly/x and www.x.com, or see https://example.com/a?b=1. Also example.org!"
    p = prepare(text)
    found = F.links(p)
    assert values(found) == ["bit.ly/x", "www.x.com", "https://example.com/a?b=1", "example.org"]
    assert spans_text(text, found) == values(found)
    assert values(F.shortened_links(p)) == ["bit.ly/x"]


@pytest.mark.parametrize("text", ["bit.ly's history is long", "e.g. this", "version 3.11 is out", "a.b c.d"])
def test_not_links(text):
    assert F.links(prepare(text)) == ()


def test_html_hrefs_count_once_with_the_anchor_span():
    text = '<a href="https://tinyurl.com/abc">click</a> <a href="http://x.org">http://x.org</a>'
    p = prepare(text, "html")
    found = F.links(p)
    assert values(found) == ["https://tinyurl.com/abc", "http://x.org"]
    assert text[found[0].start : found[0].end] == '<a href="https://tinyurl.com/abc">click</a>'
    assert values(F.shortened_links(p)) == ["https://tinyurl.com/abc"]


def test_markdown_links_autolinks_and_bare_urls():
    text = "see [this](http://goo.gl/xyz), <https://t.co/abc> and ow.ly/q"
    p = prepare(text, "markdown")
    assert values(F.links(p)) == ["http://goo.gl/xyz", "https://t.co/abc", "ow.ly/q"]
    assert len(F.shortened_links(p)) == 3


def test_host_of_a_link():
    assert F.host("https://WWW.Bit.ly/x") == "bit.ly"
    assert F.host("user@rb.gy:80/x") == "rb.gy"


def test_emails_and_mentions():
    text = "mail me at jane.doe+x@example.co.uk, @USER @bob_smith said so"
    p = prepare(text)
    assert values(F.emails(p)) == ["jane.doe+x@example.co.uk"]
    assert values(F.mentions(p)) == ["@USER", "@bob_smith"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("call +1 (555) 123-4567 now", ["+1 (555) 123-4567"]),
        ("call 555-123-4567", ["555-123-4567"]),
        ("ring +44 20 7946 0958", ["+44 20 7946 0958"]),
        ("in 2020 it cost $1,299.99 for 10 of them", []),
        ("years 1999-2020", []),
        ("a price of 1.299.000", []),
        ("2.124.821.694 views and counting", []),
        ("1,234,567,890 people watched it", []),
        ("call 555.123.4567", ["555.123.4567"]),
        ("ring 06.12.34.56.78", ["06.12.34.56.78"]),
    ],
)
def test_phone_numbers(text, expected):
    assert values(F.phone_numbers(prepare(text))) == expected


def test_repeated_chars_gives_the_first_run():
    text = "so goooood!!!!!"
    p = prepare(text)
    assert F.repeated_chars(p, 4) == (4, 9)
    assert F.repeated_chars(p, 6) is None
    assert F.longest_run(p) == 5
    assert F.repeated_chars(prepare("a" + " " * 20 + "b"), 3) is None  # spacing is not shouting


def test_repeated_text_gives_the_second_occurrence():
    text = "BUY NOW at our shop. buy now at our shop! Buy now at our shop"
    p = prepare(text)
    a, b = F.repeated_text(p, at_least=2, min_words=3)
    assert text[a:b] == "buy now at"
    assert F.repeated_text(p, at_least=4, min_words=3) is None
    assert F.repeated_text(prepare("no no no no"), at_least=2, min_words=3) is None


def test_caps_ratio_counts_only_cased_letters():
    caps = F.caps_ratio(prepare("STOP THIS NOW 123!!"))
    assert caps.ratio == 1.0 and caps.letters == 11
    assert F.caps_ratio(prepare("Hello World")).ratio == pytest.approx(2 / 10)
    assert F.caps_ratio(prepare("\u4f60\u597d 123")).letters == 0
    assert F.caps_ratio(prepare("\u00c9COUTE")).ratio == 1.0


def test_counts_of_mixed_texts_are_those_of_every_character():
    # ASCII counted in C, the rest one by one: the same as `str.isupper`/`islower`/`isdigit` on each character
    for text in ("\u00c9t\u00e9 \U0001f600 OK", "\u0130stanbul \u1e9e \u212a", "\u0661\u0662\u0663 456 \u00b2\u00b3", "", "\ud800x"):
        caps = F.caps_ratio(prepare(text))
        p = prepare(text)
        upper, lower = sum(map(str.isupper, p.visible)), sum(map(str.islower, p.visible))
        assert caps.letters == upper + lower and caps.ratio == (upper / (upper + lower) if upper + lower else 0.0)
        assert F._digits(p.visible) == sum(map(str.isdigit, p.visible))
    assert values(F.phone_numbers(prepare("\u260e +44 20 7946 0958 \u2014 ring"))) == ["+44 20 7946 0958"]


def test_an_address_needs_a_host_after_its_at():
    assert F.emails(prepare("@USER @ 5pm me@home and @x-y")) == ()
    assert values(F.emails(prepare("write to J.Doe@\u212aelvin.example.org"))) == ["J.Doe@\u212aelvin.example.org"]


def test_length_is_in_code_points_of_the_raw_text():
    assert F.length(prepare("<b>\U0001f600</b>", "html")) == 8


HOSTILE = "a" * 200_000 + "1" * 100_000 + "@" * 50_000 + "x." * 50_000


def test_hostile_input_is_read_by_safe_patterns_and_keeps_the_budget():
    # How long these take is printed by bench/hostile.py ("one-character runs"), never timed here.
    # No pattern of the features can backtrack catastrophically (the check every policy regex passes) ...
    patterns = [v for v in vars(F).values() if isinstance(v, regex.Pattern)] + [F._run_pattern(5)]
    assert len(patterns) >= 12 and [p.pattern for p in patterns if _nested_quantifier(p.pattern)] == []
    p = prepare(HOSTILE)
    assert (F.links(p), F.emails(p), F.phone_numbers(p), F.mentions(p)) == ((), (), (), ())
    assert (F.repeated_chars(p, 5), F.repeated_text(p), F.longest_run(p)) == ((0, 200_000), (350_008, 350_013), 200_000)
    assert F.caps_ratio(p) == F.Caps(0.0, 250_000)
    # ... and each feature that searches the whole text asks the budget first: past it, none reads on
    with ticking() as clock:
        p = prepare(HOSTILE, deadline=1e9)
        p.words  # noqa: B018
        clock.looks = 2 * 10**9
        searches = (F.links, F.emails, F.phone_numbers, F.mentions, F.longest_run, lambda p: F.repeated_chars(p, 5))
        for feature in searches:
            with pytest.raises(TimeoutError):
                feature(p)


def test_a_link_ends_before_invisible_characters():
    text = "M/V: http://youtu.be/9bZkp7q19f0\ufeff"
    (found,) = F.links(prepare(text))
    assert (found.value, text[found.start : found.end]) == ("http://youtu.be/9bZkp7q19f0",) * 2


def test_a_count_above_zero_passes_its_cheap_test() -> None:
    """The rule index files "at least one link" under `MAY_COUNT["links"]`: whenever a count finds something,
    its test must say so (labeled comments as text, markdown and html, and texts built to be near misses)."""
    from policy_helpers import labeled_texts

    texts = [*labeled_texts(every=10)]
    texts += ["x.co", "a@b.cd", "@USER hi", "+1 (555) 123-4567", "http://", "<a href='http://x.example'>x</a>"]
    found = dict.fromkeys(F.MAY_COUNT, 0)
    for text in texts:
        for markup in ("text", "markdown", "html"):
            p = prepare(text, markup)
            for name, may in F.MAY_COUNT.items():
                if getattr(F, name)(p):
                    found[name] += 1
                    assert may(p), (name, text[:80])
    assert all(found.values()), found
