"""Language detection: the function-word test, the model behind it, the caller's language, and which packs
score a comment."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import Comment, decide, load_policy
from engine.language import _MAY_LAUGH, _NOT_WORDS, _WORD, PREFIX_CHARS, UNDETERMINED, Detector, _laugh, _read, word_count
from tests.policy_helpers import write_policy

SIX = Detector(["en", "de", "es", "pt", "fr", "it"])


@pytest.mark.parametrize(
    "text, lang",
    [
        ("I don't think that is what the article says about the budget.", "en"),
        ("Das ist doch nicht dein Ernst, die Regierung hat keine Ahnung.", "de"),
        ("No sé por qué dices eso, el video estuvo muy bien.", "es"),
        ("Você não sabe o que está falando, isso é muito errado.", "pt"),
        ("Je ne suis pas d'accord avec vous sur ce point.", "fr"),
        ("Non sono d'accordo, questo governo non ha fatto niente.", "it"),
        # no function word of any one language: the model decides
        ("Unglaubliche Frechheit, Steuergelder verschwendet, Skandal!", "de"),
        # written laughter names the language where it is the usual spelling
        ("kkkkkk mano olha isso", "pt"),
        ("lmaooo that abo again", "en"),
    ],
)
def test_each_language_is_told_apart(text: str, lang: str) -> None:
    scored = SIX.detect(text)
    assert scored.language == lang
    assert scored.packs == {lang}


def test_words_as_read_add_their_language() -> None:
    # leet makes "n0b0dy c4res ab0ut y0u" look Spanish ("y"); read, it is English
    written = "n0b0dy c4res ab0ut y0u"
    assert SIX.detect(written).packs == {"es"}
    scored = SIX.detect(written, "nobody cares about you")
    assert scored.language == "en"
    assert scored.packs == {"en", "es"}
    leet = "$\u200c0\ufeffme\ufeff0\u200cne needs a nap, jeez."
    # the written text's accents still count: a Portuguese comment stays Portuguese
    assert SIX.detect("Você é um 1d10ta e não sabe nada.", "voce e um idiota e nao sabe nada.").language == "pt"
    policy = load_policy(None)
    assert decide(policy, Comment(text=leet)).decision.value == "flag"


def test_too_short_to_tell_is_scored_by_every_pack() -> None:
    for text in ("Idiot!", "idiota", "", "https://t.co/abc @user #tag"):
        scored = SIX.detect(text)
        assert scored.language == UNDETERMINED
        assert scored.packs == {"en", "de", "es", "pt", "fr", "it"}


def test_a_short_comment_is_scored_by_the_languages_of_its_words() -> None:
    assert SIX.detect("Sie Vollidiot").packs == {"de"}
    assert SIX.detect("eres idiota").packs == {"es"}
    assert SIX.detect("shut up, clown").packs == {"en"}
    assert SIX.detect("Sie Vollidiot").language == UNDETERMINED
    # "du" is German and French: both score it
    assert SIX.detect("du Idiot").packs == set(SIX.languages)


def test_another_packs_list_word_alone_does_not_take_a_short_comment_from_its_language() -> None:
    # "nazi" is in the German lists and a Portuguese word too; "animal" in the English lists: a short
    # Portuguese comment whose only marked word is such a word stays every pack's, the Portuguese included
    policy = load_policy()
    for text in ("Fora, nazi!", "Que animal", "Bolsonaro nazi"):
        assert "pt" in policy.detector.detect(text).packs, text
    # scored as German only, "cala a boca" went unread
    assert [h.rule for h in decide(policy, Comment(text="Cala a boca, nazi")).hits] == ["pt.abuse_at_person"]
    # a function word still settles it: "Sie Vollidiot" is German, "seu nazi" Portuguese (and German)
    assert policy.detector.detect("Sie Vollidiot").packs == {"de"}
    assert policy.detector.detect("seu nazi").packs == {"pt", "de"}


def test_a_packs_everyday_words_are_a_sign_of_its_language_only() -> None:
    # "abo" is an English list's slur and the German for a subscription
    lists = {"en": ["abo", "idiot"], "de": ["Idiot"]}
    plain = Detector(["en", "de"], lists)
    # an English list's word alone narrows nothing: both packs score it
    assert plain.detect("Neues Abo").packs == {"en", "de"}
    assert plain.detect("Danke für das Abo").packs == {"de", "en"}
    german = Detector(["en", "de"], lists, {"de": ["Abo"]})
    assert german.detect("Neues Abo").packs == {"de"}
    assert german.detect("Danke für das Abo").packs == {"de"}
    # an English comment says so with its own words: both packs score it, as before
    assert german.detect("you abo").packs == {"en", "de"}
    assert german.detect("I think that you are an abo").packs >= {"en"}
    # another language's function word stays that language's: "all" is not made German
    assert Detector(["en", "de"], lists, {"de": ["all"]}).detect("all of them").packs == {"en"}
    # a word two packs call everyday is a sign of neither
    both = Detector(["en", "de"], lists, {"de": ["abo"], "en": ["abo"]})
    assert both.detect("Abo").packs == {"en", "de"}


def test_one_list_word_shared_with_english_does_not_settle_the_language() -> None:
    # "message" is a French list's word and an English one: alone it is no sign of French, the model decides
    lists = {"fr": ["message", "connard", "minable"], "en": ["idiot"]}
    detector = Detector(["en", "fr"], lists)
    assert detector.detect("Verified Netflix accounts 1 year $5, message me").packs == {"en"}
    # with a French function word, or two of the list's words, French it is
    assert detector.detect("Ton message est nul, franchement").language == "fr"
    assert detector.detect("Connard, message minable, franchement").language == "fr"
    # the bundled policy's lists: the spam offer is scored as English, a French comment stays French
    policy = load_policy()
    assert policy.detector.detect("Verified Netflix accounts 1 year $5, message me").packs == {"en"}
    assert policy.detector.detect("Merci pour ton message, je suis d'accord avec toi").language == "fr"


def test_chat_spellings_and_laughter_tell_a_short_comment_apart() -> None:
    # "puta" is a Spanish and a Portuguese word: "pariu", "tô" and "kkkk" are Portuguese only
    assert SIX.detect("puta que pariu").packs == {"pt"}
    assert SIX.detect("Puta que pariu, que calor!").packs == {"pt"}
    assert SIX.detect("puta q pariu kkkkkkkkkk").packs == {"pt"}
    assert SIX.detect("jajaja tonto").packs == {"es"}


def test_an_unsure_model_leaves_out_the_languages_it_rules_out() -> None:
    # four words the model finds mostly English: und, but German rules have no say on it
    scored = SIX.detect('"no another idiot Ezra"')
    assert scored.language == UNDETERMINED
    assert "en" in scored.packs and "de" not in scored.packs
    # under four words the model is not asked: every pack
    assert SIX.detect("Idiot!").packs == set(SIX.languages)


def test_links_mentions_and_entities_are_not_words() -> None:
    assert word_count("@user @user https://t.co/x3 &amp; #Brexit nein") == 1
    assert word_count("Das ist aber nicht so") == 5


_PIECES = ["l'homme", "c'est", "don't", "''", "'", "@user", "a@b", "x@y.z", "http://t.co/x", "xhttps://a", "www.a.b",
           "#tag", "a#b", "&amp;", "&#39;", "&x", "<U+1F600>", "Straße", "ÉCOLE", "idiot…", "2day", "snake_case", "²",
           "\u200cne", "\ufeffme", "\u00a0", "\u2009", "\ud800", "кот", "日本", "née", "über-alles", "l3s", "jajaja"]


@given(st.lists(st.sampled_from(_PIECES), max_size=12), st.lists(st.sampled_from([" ", "", "\n", ", ", "!", "'"]), min_size=12, max_size=12))
@settings(max_examples=300)
def test_the_words_read_fast_are_the_regexs_words(pieces: list[str], seps: list[str]) -> None:
    # `_read` splits on whitespace where it can and leaves the rest to the regex: the same words in order
    text = "".join(piece + sep for piece, sep in zip(pieces, seps))
    prefix = text[:PREFIX_CHARS]
    if any(mark in prefix for mark in ("http", "www", "@", "#", "&", "<U+")):
        prefix = _NOT_WORDS.sub(" ", prefix)
    assert _read(text)[1] == _WORD.findall(prefix.casefold())


_LAUGHS = ["kkkk", "KKKKKK", "jajaja", "JAJAJ", "lmaooo", "loool", "lolol", "lolll", "jaaja", "kaka", "lola", "l'kkkk",
           "²kkkk", "é", "x", "ja", "lo", "1", "_", "…", "\u0301"]


@given(st.lists(st.sampled_from(_LAUGHS), max_size=8), st.lists(st.sampled_from([" ", "", ".", "'", "!", "-"]), min_size=8, max_size=8))
@settings(max_examples=300)
def test_the_laughter_gate_misses_no_laughter(pieces: list[str], seps: list[str]) -> None:
    # `_detect` reads words as laughter only where `_MAY_LAUGH` finds something: it must find every one
    text = "".join(piece + sep for piece, sep in zip(pieces, seps))
    folded, words = _read(text)
    if any(_laugh(word) for word in words):
        assert _MAY_LAUGH(folded)


def test_a_mixed_comment_is_scored_by_each_language_present() -> None:
    text = (
        "Ich habe das nicht gesagt, aber die Leute sind auf der Straße. "
        "And I think that you are not listening to what they have to say about it."
    )
    scored = SIX.detect(text)
    assert scored.packs == {"de", "en"}
    assert scored.language in ("de", "en")


def test_only_a_bounded_prefix_is_read() -> None:
    german = "Das ist nicht wahr, und die Leute wissen es auch. "
    text = german * (PREFIX_CHARS // len(german) + 1) + "the and you that this is what they have " * 5000
    assert SIX.detect(text).packs == {"de"}


def test_restricted_to_the_policy_languages() -> None:
    # Portuguese is not among them: the closest of the policy's languages is chosen, never `pt`
    scored = Detector(["en", "es"]).detect("Você não sabe o que está falando, isso é muito errado.")
    assert scored.language == "es"


def test_one_language_needs_no_detection() -> None:
    assert Detector(["en"]).detect("Das ist doch nicht dein Ernst").packs == {"en"}


@pytest.mark.parametrize(
    "code, lang", [("es", "es"), ("pt-BR", "pt"), ("pt_BR", "pt"), (" DE ", "de"), ("und", UNDETERMINED)]
)
def test_the_callers_language(code: str, lang: str) -> None:
    assert SIX.caller(code).language == lang


@pytest.mark.parametrize("code", [None, "", "  ", 3, ["es"]])
def test_no_callers_language(code: object) -> None:
    assert SIX.caller(code) is None


SPANISH_RULE = """\
    language: es
    rules:
      - id: insulto
        category: name_calling
        guideline: civil
        score: 5
        message: Critica las ideas, no a las personas.
        match:
          near: [{list: insultos}, {list: segunda_persona}]
          within: 2
    """
ENGLISH_RULE = """\
    language: en
    rules:
      - id: insult
        category: name_calling
        guideline: civil
        score: 5
        message: Criticize ideas, not people.
        match:
          near: [{list: insults}, {list: targets}]
          within: 2
    """


@pytest.fixture
def bilingual(tmp_path: Path):
    root = write_policy(tmp_path, {"es": SPANISH_RULE, "name_calling": ENGLISH_RULE})
    (root / "lists" / "es.yaml").write_text(
        "language: es\nlists:\n  insultos: [idiota, imbécil]\n  segunda_persona: [eres, tú, usted]\n"
    )
    return load_policy(root)


def test_a_rule_files_language_applies_to_its_rules(bilingual) -> None:
    assert {r.id: r.language for r in bilingual.rules} == {"es.insulto": "es", "name_calling.insult": "en"}
    assert bilingual.languages == ("en", "es")


def test_each_pack_scores_its_own_language(bilingual) -> None:
    es = decide(bilingual, Comment(text="Pues la verdad es que eres un idiota y lo sabes."))
    assert (es.language, [h.rule for h in es.hits]) == ("es", ["es.insulto"])
    assert es.message == "Critica las ideas, no a las personas."
    assert es.to_dict()["language"] == "es"
    en = decide(bilingual, Comment(text="Honestly I think that you are an idiot, and you know it."))
    assert (en.language, [h.rule for h in en.hits]) == ("en", ["name_calling.insult"])
    # a Spanish comment is not scored by the English rules, even where their words match
    assert decide(bilingual, Comment(text="Pues la verdad es que el idiot de tu amigo no sabe nada.")).hits == ()


def test_too_short_to_tell_is_scored_by_every_pack_in_decide(bilingual) -> None:
    d = decide(bilingual, Comment(text="idiota, tú"))
    assert (d.language, [h.rule for h in d.hits]) == ("und", ["es.insulto"])


def test_the_callers_language_overrides_detection(bilingual) -> None:
    text = "Pues la verdad es que eres un idiota y lo sabes."
    assert decide(bilingual, Comment(text=text, language="en")).hits == ()
    assert decide(bilingual, Comment(text=text, context={"language": "en"})).hits == ()
    d = decide(bilingual, Comment.from_dict({"text": "eres idiota", "language": "es-MX"}))
    assert (d.language, [h.rule for h in d.hits]) == ("es", ["es.insulto"])


def test_a_one_language_policy_says_no_language(tmp_path: Path) -> None:
    policy = load_policy(write_policy(tmp_path, {"name_calling": ENGLISH_RULE}))
    d = decide(policy, Comment(text="you idiot"))
    assert d.language is None and "language" not in d.to_dict()


def test_the_comments_language_must_be_a_string() -> None:
    from engine import CommentError

    with pytest.raises(CommentError) as e:
        Comment.from_dict({"text": "hola", "language": 3})
    assert e.value.field == "language"
    assert Comment.from_dict({"text": "hola", "language": "es"}).language == "es"


def test_warm_loads_the_model_once_for_every_detector_of_the_same_languages():
    first, second = Detector(["de", "en"]), Detector(["en", "de"])
    first.warm()
    second.warm()
    assert first._model is not None and first._model is second._model
    one = Detector(["en"])
    one.warm()
    assert one._model is None  # one language: nothing to tell apart, nothing loaded


_RANKED = [
    "Das ist doch nicht dein Ernst, die Regierung hat keine Ahnung.",
    "NO SÉ POR QUÉ DICES ESO",  # all capitals: py3langid reads them lower-cased
    "Você  não   sabe o que  está falando ",  # runs of spaces, a space at the end
    "the the the the the the",  # a piece walked again from the same state
    "Je ne suis pas d'accord avec vous sur ce point.",
    "Non sono d'accordo, questo governo non ha fatto niente.",
    "Crème brûlée, naïve café — déjà vu",
    "",
    "😂😂😂",
    "x" * 250,
]


@pytest.mark.parametrize("text", _RANKED)
def test_the_ranker_ranks_as_py3langid(text: str) -> None:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    from engine.language import _identifier, _Ranker

    ranker = _identifier(("de", "en", "es", "fr", "it", "pt"))
    assert isinstance(ranker, _Ranker)
    model = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    model.set_languages(["de", "en", "es", "fr", "it", "pt"])
    for _ in range(2):  # the second time from the pieces' walks kept
        ours, theirs = ranker.rank(text), model.rank(text)
        assert [code for code, _ in ours] == [code for code, _ in theirs]
        assert [p for _, p in ours] == pytest.approx([p for _, p in theirs], abs=1e-6)


def test_the_rankers_kept_walks_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    import engine.language as language

    ranker = language._identifier(("de", "en", "es", "fr", "it", "pt"))
    monkeypatch.setattr(language, "WALKS_KEPT", 10)
    expected = ranker.rank("eins zwei drei vier fünf sechs sieben acht neun zehn elf zwölf dreizehn")
    ranker.rank("uno dos tres cuatro cinco seis siete ocho nueve diez once doce trece catorce")
    assert len(ranker._walks) <= 10 + 14
    assert ranker.rank("eins zwei drei vier fünf sechs sieben acht neun zehn elf zwölf dreizehn") == expected


def test_a_word_two_languages_share_counts_for_the_one_that_leads_without_it() -> None:
    # "i" is English "I" and Italian "the": in an Italian comment it is no sign of English
    scored = SIX.detect("Ma in piazza i migranti al freddo non interessano a nessuno")
    assert (scored.language, scored.packs) == ("it", {"it"})
    # where English leads, or nothing else does, it stays English
    assert SIX.detect("i think i should go now, it is late").packs == {"en"}
    assert SIX.detect("Honestly i said that the plan was fine").packs == {"en"}


def test_a_languages_everyday_words_settle_a_comment_without_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    # no function word of Spanish alone ("no", "la", "que", "te" are Portuguese, French or Italian too):
    # "porqué" is written by Spanish only
    detector = Detector(["en", "de", "es", "pt", "fr", "it"])

    def refuse(text: str) -> None:
        raise AssertionError(f"the model was asked: {text!r}")

    monkeypatch.setattr(detector, "_classify", refuse)
    assert detector.detect("porqué no contestas a lo que te pregunta").language == "es"
    assert detector.detect("Heute regnet es schon wieder, typisch").language == "de"


def test_everyday_words_are_one_languages_only() -> None:
    from engine.language import COMMON_WORDS, FUNCTION_WORDS

    for lang, words in COMMON_WORDS.items():
        for other in FUNCTION_WORDS:
            if other != lang:
                assert not words & FUNCTION_WORDS[other], (lang, other, words & FUNCTION_WORDS[other])
                assert not words & COMMON_WORDS.get(other, frozenset()), (lang, other)
        assert all(word == word.casefold() and _WORD.fullmatch(word) for word in words), lang
