from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.normalize import Words, fold_term, glued_words, prepare


def words(text: str, fmt: str = "text") -> list[tuple[str, str]]:
    """(token text, raw text it came from) for each token."""
    p = prepare(text, fmt)
    return [(t.text, text[slice(*p.raw_span(t.start, t.end))]) for t in p.tokens]


def only(text: str, fmt: str = "text"):
    p = prepare(text, fmt)
    assert len(p.tokens) == 1, p.tokens
    tok = p.tokens[0]
    return tok, p.raw_span(tok.start, tok.end)


@pytest.mark.parametrize(
    ("text", "expected", "span"),
    [
        ("i\u200bd\u200bi\u200bo\u200bt", "idiot", (0, 9)),  # zero-width spaces inside, none outside
        ("\u200bidiot\u200b", "idiot", (1, 6)),
        ("\u0456di\u043et", "idiot", (0, 5)),  # Cyrillic i and o
        ("\U0001d422\U0001d41d\U0001d422\U0001d428\U0001d42d", "idiot", (0, 5)),  # math bold, astral
        ("\u026a\u1d05\u026a\u1d0f\u1d1b", "idiot", (0, 5)),  # small capitals
        ("\u24d8\u24d3\u24d8\u24de\u24e3", "idiot", (0, 5)),  # circled letters
        ("1d10t", "idiot", (0, 5)),
        ("m0r0n", "moron", (0, 5)),
        ("@ss", "ass", (0, 3)),
        ("$hit", "shit", (0, 4)),
        ("sh!t", "shit", (0, 4)),
        ("b1tch", "bitch", (0, 5)),
        ("i d i o t", "idiot", (0, 9)),
        ("m.o.r.o.n", "moron", (0, 9)),
        ("I-D-I-O-T", "idiot", (0, 9)),
        ("idiot!!", "idiot", (0, 5)),
        ("**idiot**", "idiot", (2, 7)),
        ("ide\u0301ot", "ideot", (0, 6)),
        ("\u202eidiot", "idiot", (1, 6)),
        ("sche\u00efße", "scheisse", (0, 7)),
    ],
)
def test_evasions_are_undone_and_spans_cover_the_original(text, expected, span):
    tok, raw = only(text)
    assert tok.text == expected
    assert raw == span


def test_fullwidth_words_map_to_their_own_spans():
    assert words("\uff39\uff2f\uff35 \uff29\uff24\uff29\uff2f\uff34") == [
        ("you", "\uff39\uff2f\uff35"),
        ("idiot", "\uff29\uff24\uff29\uff2f\uff34"),
    ]


def test_insult_emoji_read_as_their_word_with_the_emoji_as_span():
    assert words("you're a \U0001f921!") == [("you", "you"), ("re", "re"), ("a", "a"), ("clown", "\U0001f921")]
    assert words("\U0001f595\U0001f595 you") == [("fuck", "\U0001f595"), ("fuck", "\U0001f595"), ("you", "you")]
    # other emoji stay separators
    assert words("great \U0001f600\U0001f436 job") == [("great", "great"), ("job", "job")]


def test_glued_words_join_across_a_dot_hyphen_or_underscore():
    assert glued_words("you id.iot, a well-known do_uche") == {
        "idiot": [(4, 10)],
        "wellknown": [(14, 24)],
        "douche": [(25, 32)],
    }
    assert glued_words("no marks here, 3.14 or -5") == {}


def test_searches_over_the_whole_text_keep_the_time_budget():
    # a text of thousands of links or glued words is thousands of searches: each looks at the clock
    past = time.monotonic() - 1
    with pytest.raises(TimeoutError):
        glued_words("http://a.example/b " * 50, past)
    with pytest.raises(TimeoutError):
        prepare("you id.iot " * 50, deadline=past).words  # noqa: B018
    assert prepare("you id.iot " * 50, deadline=time.monotonic() + 60).words.texts[:3] == ["you", "idiot", "you"]


def test_stretched_letters_keep_a_double_and_offer_the_single():
    tok, span = only("stuuupid")
    assert tok.text == "stuupid"
    assert "stupid" in tok.alts
    assert span == (0, 8)
    assert only("goooood")[0].text == "good"
    # A double letter is not stretching.
    assert only("good")[0] == only("good")[0].__class__(0, 4, "good")


def test_each_stretched_run_is_read_once_or_twice():
    # a word's own double letter may be any of its stretched runs ("mentally": one t, two l)
    assert "mentally" in only("menttttalllly")[0].alts
    assert "triggered" in only("trigggggerrrredddd")[0].alts
    assert "chill" in only("CCCChilllll")[0].alts
    assert "dumbass" in only("dddumbbbasssssssss")[0].alts
    # only the word's own letters, once or twice: nothing else is read into it
    assert set(only("loooolll")[0].alts) | {only("loooolll")[0].text} == {"lol", "lool", "loll", "looll"}
    # five runs or more: the all-single and all-double readings only
    assert len(only("aaabbbcccdddeee")[0].alts) == 1
    # a masked word too: its masked readings are compared by their shape (tests/test_terms.py)
    assert "me**ally" in only("meeee**alllllly")[0].alts


def test_ambiguous_leet_digit_offers_both_readings():
    tok, _ = only("k1ll")
    assert tok.text == "kill"
    tok, _ = only("|oser")
    assert "loser" in (tok.text, *tok.alts)


def test_masked_words_keep_the_mask_as_wildcard():
    tok, span = only("id*ot")
    assert (tok.text, tok.masked, span) == ("id*ot", True, (0, 5))
    assert only("f**k")[0].masked
    assert not only("*bold*")[0].masked


@pytest.mark.parametrize(
    "text", ["Scunthorpe", "assassinate", "cockpit", "analysis", "Dickens", "Middlesex", "Essex", "shitake"]
)
def test_innocent_words_stay_whole(text):
    tok, span = only(text)
    assert tok.text == text.lower()
    assert span == (0, len(text))


@pytest.mark.parametrize(
    ("text", "expected"), [("2020", "2020"), ("10", "10"), ("a55", "a55"), ("covid19", "covid19"), ("2nd", "2nd")]
)
def test_numbers_and_names_with_numbers_are_not_leet(text, expected):
    assert only(text)[0].text == expected


def test_normal_words_and_short_letter_runs_are_not_joined():
    assert [w for w, _ in words("e.g. a b")] == ["e", "g", "a", "b"]
    assert [w for w, _ in words("I am a fan of it")] == ["i", "am", "a", "fan", "of", "it"]
    # Letters glued to a word by the same dash are part of a compound, not spelled out.
    assert [w for w, _ in words("x-a-b-c")] == ["x", "a", "b", "c"] or words("x-a-b-c")[0][0] == "xabc"
    assert [w for w, _ in words("foo-a-b-c")] == ["foo", "a", "b", "c"]
    # Mixed separators do not form one run.
    assert [w for w, _ in words("m.o.r.o.n e.g")][:1] == ["moron"]


def test_mentions_read_as_leet_but_keep_the_name():
    tok, _ = only("@USER")
    assert "user" in (tok.text, *tok.alts)


def test_words_are_unicode_aware():
    assert [w for w, _ in words("du bist ein Vollidiot, idiota! дурак")] == [
        "du",
        "bist",
        "ein",
        "vollidiot",
        "idiota",
        fold_term("дурак"),
    ]


def test_fold_term_agrees_with_text_and_does_no_leet_or_spacing():
    assert fold_term("Scheiße") == "scheisse"
    assert fold_term(" Waste  of SPACE ") == "waste of space"
    assert fold_term("1d10t") == "1d10t"
    for term in ["idiot", "Scheiße", "дурак", "\u0456di\u043et"]:
        assert prepare(term).tokens[0].text == fold_term(term)


def test_html_spans_skip_tags_and_cover_entities():
    assert words("<p>You are a complete <b>idiot</b>.</p>", "html")[-1] == ("idiot", "idiot")
    assert words("&#105;diot", "html") == [("idiot", "&#105;diot")]


def test_markdown_quote_is_a_quoted_region():
    text = "> you are an idiot\n\nI disagree"
    p = prepare(text, "markdown")
    quoted = {t.text: p.in_quote(t.start) for t in p.tokens}
    assert quoted["idiot"] is True
    assert quoted["disagree"] is False


def test_text_quotes_in_double_and_curly_quotes():
    p = prepare('He wrote "you idiot" and \u201cmoron\u201d, I said fine')
    quoted = {t.text: p.in_quote(t.start) for t in p.tokens}
    assert quoted["idiot"] and quoted["moron"]
    assert not quoted["fine"] and not quoted["he"]


@pytest.mark.parametrize(
    "text",
    [
        "a" * 1_000_000,
        "\U0001f600" * 30_000,
        "e\u0301" * 20_000,
        "\ud800 lone \udfff surrogates",
        "nul\x00and\x07controls\x1b",
        "\u202eevil\u202c",
        "\u0130" * 1000,
        "\u00df" * 500,
        "\ufb01" * 300,
        "!" * 100_000,
        "a " * 100_000,
        "<" * 50_000,
    ],
)
def test_hostile_input_keeps_spans_in_bounds(text):
    # how long reading such texts takes is printed by bench/hostile.py, never timed here
    for fmt in ("text", "html", "markdown"):
        p = prepare(text, fmt)
        for tok in p.tokens[:2000]:
            a, b = p.raw_span(tok.start, tok.end)
            assert 0 <= a < b <= len(text)


def test_casefold_length_changes_keep_spans():
    text = "\u0130\u0130 stra\u00dfe \ufb01ne"
    assert words(text) == [("ii", "\u0130\u0130"), ("strasse", "stra\u00dfe"), ("fine", "\ufb01ne")]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200), st.sampled_from(["text", "html", "markdown"]))
def test_any_text_maps_back_monotonically_within_bounds(text, fmt):
    p = prepare(text, fmt)
    previous = (0, 0)
    for tok in p.tokens:
        assert 0 <= tok.start < tok.end <= len(p.norm)
        a, b = p.raw_span(tok.start, tok.end)
        assert 0 <= a < b <= len(text)
        # Ordered; two words may share one original char only when it expands ("\u00bc" is "1/4").
        assert a >= previous[0] and b >= previous[1]
        previous = (a, b)
    last = 0
    for i in range(len(p.norm)):
        a, b = p.raw_span(i, i + 1)
        assert last <= a < b <= len(text)
        last = a


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=80))
def test_a_visible_word_maps_to_exactly_its_characters(word):
    p = prepare(word)
    for tok in p.tokens:
        a, b = p.raw_span(tok.start, tok.end)
        # A span never starts or ends on an invisible character.
        assert prepare(word[a]).norm.strip() != ""
        assert prepare(word[b - 1]).norm.strip() != ""


WORD_PIECES = ["you", "idiot", "nooooo", "soooo", "iddiooot", "1d10t", "f*ck", "*wow*", "wow!", "2020", "10pm",
               "www", "a", "i", "ü", "ñooo", "straße", "x", "@user", "$$$", "!!!", "'", "-", ".", "ııı", "ç"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(WORD_PIECES), max_size=30), st.lists(st.sampled_from([" ", "  ", ". ", ", ", "-"]), min_size=1))
def test_words_read_fast_are_the_words_of_the_tokens(pieces, seps):
    """`Prepared.words` skips building offsets for most texts; it must read the words `tokens` reads."""
    text = "".join(piece + seps[i % len(seps)] for i, piece in enumerate(pieces))
    p = prepare(text)
    assert p.words == Words.of(p.tokens)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="ab c.d_e-f~g|h!i@1$*#+\u00e9_~", max_size=40))
def test_glued_pieces_without_single_letter_runs_give_the_general_pass_s_tokens(text):
    """A text with glued pieces ("t.co", "@jmac_au") and no run of single letters reads its plain words and
    joins the glued ones (`Prepared.words`): the tokens the general pass (`_tokens`) gives."""
    from engine.normalize import _tokens

    p = prepare(text)
    p.words  # noqa: B018 (fills the tokens in that case)
    if len(p._words) == 1:  # not read word by word (no glued piece nor run: see the test above)
        assert p.tokens == _tokens(p.norm)


def test_glued_pieces_of_real_comments_read_as_the_general_pass_reads_them():
    from engine.normalize import _tokens

    for text in ["see https://t.co/scmkp1ny now", "@jmac_au @_apuleius u.idiot", "a b c! x.y", "wear.|.ng", "k__itchen__ a.b"]:
        p = prepare(text)
        assert p.words == Words.of(p.tokens) and p.tokens == _tokens(p.norm), text


def test_stretched_words_read_fast_on_real_comments():
    for text in ["Nooooo you are sooo wrong, see www.example.com", "Ñooo, ça va, l'idiooot 2020!", "zzz... 1d10t"]:
        p = prepare(text)
        assert p.words == Words.of(p.tokens)


# -- lookalikes of other scripts (Unicode's confusables) -----------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\u0456di\u043et", "idiot"),  # Cyrillic і and о among Latin letters
        ("\u0455tu\u0440\u0456d", "stupid"),  # Cyrillic ѕ, р, і
        ("m\u03bfr\u03bfn", "moron"),  # Greek omicron
        ("\u13a5di\u043et", "idiot"),  # Cherokee and Cyrillic: no table of 60 letters had these
        ("\u026a\u1d05\u026a\u1d0f\u1d1b", "idiot"),  # Latin small capitals
    ],
)
def test_lookalikes_in_words_that_mix_scripts_are_read_as_latin(text, expected):
    tok, span = only(text)
    assert tok.text == expected and span == (0, len(text))


@pytest.mark.parametrize(
    "text",
    [
        "Ты просто не понял, о чём статья, прочитай ещё раз.",
        "Αυτό το σχέδιο δεν θα περάσει ποτέ από τη βουλή.",
        "Սա շատ լավ գաղափար է։",
    ],
)
def test_a_russian_greek_or_armenian_sentence_is_not_read_as_english(text):
    p = prepare(text)
    assert p.norm == text.casefold().translate({0x301: None}) or not p.norm.isascii()
    for tok in p.tokens:
        assert not tok.text.isascii(), tok  # every word stays in its own script


def test_spelled_out_lookalikes_are_read_with_their_latin_neighbours():
    assert [t.text for t in prepare("you \u0456.d.\u0456.\u043e.t").tokens] == ["you", "idiot"]
    assert [t.text for t in prepare("you \u0456 d \u0456 \u043e t").tokens] == ["you", "idiot"]


def test_the_shipped_table_is_what_unicodes_data_gives():
    pytest.importorskip("confusable_homoglyphs")
    from engine import _confusables, _gen_confusables

    table = _gen_confusables.table()
    assert "".join(table) == _confusables.SOURCE and "".join(table.values()) == _confusables.TARGET
    assert len(table) > 250


# -- evasions inside words and phrases -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("st.u.p.1d", ["stupid"]),  # a dot and leet mixed
        ("go fu.ck yourself", ["go", "fuck", "yourself"]),  # one word, for phrases too
        ("te voy a m.at.ar", ["te", "voy", "a", "matar"]),
        ("a k__itchen__ table", ["a", "kitchen", "table"]),  # emphasis inside a word
        ("c0mple+3 tool", ["complete", "tool"]),  # '+' for t
        ("tr16g3r3d", ["triggered"]),  # '6' for g
        ("e.g. the U.S. e-mail", ["e", "g", "the", "u", "s", "e", "mail"]),  # abbreviations stay
        ("idiot.you ok", ["idiot", "you", "ok"]),  # a missing space after a full stop
        ("#maga rally", ["maga", "rally"]),  # a hashtag is its word
    ],
)
def test_glued_and_symbol_evasions(text, expected):
    assert [t.text for t in prepare(text).tokens] == expected


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        ("spo113d", "spoiled"),  # '1' for i and for l in one word
        ("idio**t**", "idiot"),  # markdown emphasis, not a mask
        ("*del*usional", "delusional"),
        ("u.idiot", "idiot"),  # a long piece keeps its own reading
        ("a m o r o n", "moron"),  # "a" spelled out with the word after it
        ("r e a d a", "read"),
    ],
)
def test_other_readings(text, reading):
    (tok,) = prepare(text).tokens
    assert reading in (tok.text, *tok.alts)


@pytest.mark.parametrize(("text", "masked"), [("mo#on", "mo*on"), ("i d * o t", "id*ot"), ("f.*.c.k", "f*ck")])
def test_hash_and_spelled_out_masks(text, masked):
    (tok,) = prepare(text).tokens
    assert tok.masked and tok.text == masked
    assert text[slice(*prepare(text).raw_span(tok.start, tok.end))] == text


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab\u0456\u043e\u03bf.*#+1|_~ \u13a5", max_size=30))
def test_normalization_is_idempotent_and_keeps_spans(text):
    p = prepare(text)
    assert prepare(p.norm).norm == p.norm
    for tok in p.tokens:
        start, end = p.raw_span(tok.start, tok.end)
        assert 0 <= start <= end <= len(text)


@pytest.mark.parametrize(
    ("text", "reading", "raw"),
    [
        ("I know wher3 you live", "where", "wher3"),  # letters then a leet digit: also read as leet
        ("you're full of sh17", "shit", "sh17"),
        ("Wron9.", "wrong", "Wron9"),
        ("you dumb@s5$$", "dumbass", "dumb@s5$$"),  # leet makes a stretched run
    ],
)
def test_leet_at_a_word_end_and_leet_stretching(text, reading, raw):
    p = prepare(text)
    (tok,) = [t for t in p.tokens if reading in (t.text, *t.alts)]
    assert text[slice(*p.raw_span(tok.start, tok.end))] == raw
    # names with a number keep their own reading first
    assert only("covid19")[0].text == "covid19" and only("win10")[0].text == "win10"


@pytest.mark.parametrize(
    ("text", "masked"),
    [("sttttupppppp*d", "stup*d"), ("dddddd#mmy", "d*mmy"), ("ok bbboooooo*mer", "bo*mer")],
)
def test_a_masked_stretched_word_is_compared_by_its_single_letters(text, masked):
    p = prepare(text)
    tok = p.tokens[-1]
    assert tok.masked and tok.text == masked
    assert text[slice(*p.raw_span(tok.start, tok.end))] == text.split()[-1]


# -- lookalikes that stand for two letters, emphasis inside words, and the text patterns read ------------


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        ("tro\u0196\u16c1", "troll"),  # Latin capital iota and runic isa: upright strokes, 'i' or 'l'
        ("ass\u04bbo\U0001d798e", "asshole"),  # a mathematical capital iota
        ("ta\u0406king", "talking"),  # the Cyrillic capital I
        ("motherfu\u03f2ker", "motherfucker"),  # the lunate sigma is a 'c', not an 'o'
        ("\u0455tu\u0440\u037ad", "stupid"),  # the iota subscript alone is an 'i' and splits no word
        ("dumm.3.s", "dummes"),  # dots between letters and a leet digit
        ("wear.\u03b9.ng", "wearing"),  # a lone stroke between dots is a piece of the word
    ],
)
def test_lookalikes_of_two_letters_and_leet_between_dots(text, reading):
    (tok,) = prepare(text).tokens
    assert reading in (tok.text, *tok.alts)


def test_a_russian_word_with_a_capital_i_stays_russian():
    assert all(not t.text.isascii() for t in prepare("\u0406ван \u0406ванович").tokens)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("dum_mes_ maul", ["dummes", "maul"]),  # emphasis closing inside a word
        ("__Politi__ker", ["politiker"]),  # and opening
        ("wee~~kend~~", ["weekend"]),
        ("co_mme_nt", ["comment"]),  # around a short middle piece
        ("my user_name here", ["my", "user", "name", "here"]),  # a lone underscore: two words
        ("#make_america_great", ["make", "america", "great"]),  # snake case stays words
    ],
)
def test_emphasis_inside_a_word_joins_it(text, expected):
    assert [t.text for t in prepare(text).tokens] == expected


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("sit down, d u m m y.", "sit down, dummy."),
        ("sit down, st.u.p.1d", "sit down, stupid"),
        ("sure, _tiger_. show me", "sure, tiger. show me"),  # emphasis marks left out, one space apart
        ("you'd **better** hope", "you'd better hope"),
        ("pray you ~~never~~ meet me", "pray you never meet me"),
        ("sure, tigeeerrrr.", "sure, tiger."),  # stretched letters read single
        ("you a s s h o l e", "you asshole"),
    ],
)
def test_the_read_text_writes_each_word_as_read(text, read):
    p = prepare(text)
    assert p.read is not None and p.read.text == read


@pytest.mark.parametrize(
    "text",
    [
        "An ordinary comment, nothing to undo.",
        "@user1 see http://t.co/ab1c2 and youtu.be/x9",  # mentions and links stay as written
        "Noooo, not again",  # a short stretched word stays
        "call |lbr| u+0001f602",
    ],
)
def test_the_read_text_is_none_when_every_word_reads_as_written(text):
    assert prepare(text).read is None


def test_the_read_text_maps_back_to_the_written_word():
    text = "ok, d u m m y!"
    p = prepare(text)
    start = p.read.text.index("dummy")
    assert text[slice(*p.raw_span(*p.read.norm_span(start, start + 5)))] == "d u m m y"


def test_two_words_spelled_out_as_one_run_offer_both_pieces():
    (tok,) = prepare("s t u p i d m o r o n").tokens
    assert {"stupid", "moron"} <= set(tok.alts) and tok.text == "stupidmoron"
    (tok,) = prepare("y.o.u.r.s.e.l.f").tokens  # under 9 letters: not cut ("kill y.o.u.r.s.e.l.f ...")
    assert "your" not in tok.alts


def test_a_long_spelled_out_run_is_cut_only_into_pieces_a_word_can_be():
    # 100,000 spelled-out letters once gave 100,000 pieces of its own length (17 s, gigabytes)
    (tok,) = prepare(" ".join("idiot" * 4_000)).tokens
    assert len(tok.text) == 20_000 and all(len(a) <= 32 for a in tok.alts)
    (tok,) = prepare(" ".join("you" + "stupidmoron" * 3)).tokens  # 36 letters: cuts of 4-32 letters each
    assert "you" + "stupidmoron" * 2 + "stupid" in tok.alts and "moron" in tok.alts


def _short_glue_searched(norm: str) -> bool:
    """What `_short_glue` tells, by searching the whole text with each pattern."""
    from engine import normalize as n

    return (
        any(c in norm for c in n._GLUE_CHARS)
        and n._GLUE_HINT.search(norm) is not None
        and (n._SHORT_GLUE.search(norm) is not None or n._EMPHASIS_GLUE.search(norm) is not None)
    )


@pytest.mark.parametrize(
    "norm",
    [
        *("e.g. this", "u.s. and 3.5", "id.iot", "dum_mes_", "__politi__ker", "~~id~~iot", "end. next", "a__b"),
        *("@user_name hi", "see youtube.com", "ab~~c", "", "...", "a.", ".a"),
        "a" * 70 + ". x" * 70,  # more marks than are tried one by one
        "x" + "._" * 40 + "y",
    ],
)
def test_short_glue_is_found_where_a_whole_text_search_finds_it(norm: str) -> None:
    from engine.normalize import _short_glue

    assert _short_glue(norm) is _short_glue_searched(norm)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="ab1@#._~-é ", max_size=80))
def test_short_glue_tried_at_marks_agrees_with_a_whole_text_search(norm: str) -> None:
    from engine.normalize import _short_glue

    assert _short_glue(norm) is _short_glue_searched(norm)


def test_stretched_words_of_a_non_ascii_text_are_told_by_its_triples_as_by_the_regex():
    from engine.normalize import _STRETCH, _has_triple, _triples_in

    text = "schööön gesagt, dummmkopf! жжжуть и ничего, 日日日 gooool"
    triples = _triples_in(text)
    assert triples is not None and set(triples) == {"ööö", "mmm", "жжж", "日日日", "ooo"}
    for word in text.split():
        assert _has_triple(word, triples) == (_STRETCH.search(word) is not None), word
    # letters tripled in too many ways to test each word against: the regex decides, word by word
    many = " ".join(chr(0x0400 + i) * 3 for i in range(80))
    assert _triples_in(many) is None
