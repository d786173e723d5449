"""The German and Spanish packs of the default policy: whom an insult is aimed at, each language's own
evasions with spans in the text as received, hard negatives, identity terms, commenters answered in
their language, and every word of Debian's word list for the language on its own."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

import engine
from engine.cli import main

FIXTURES = Path(__file__).resolve().parent / "fixtures"
IN_CI = bool(os.environ.get("CI"))
#: the word lists take about 20 s (Spanish, 86,000 words) and 80 s (German, 356,000) on one core: CI runs
#: them, and a developer who edits a pack's lists with CIVILITY_WORDLISTS=1
WORDLISTS = IN_CI or bool(os.environ.get("CIVILITY_WORDLISTS"))


@pytest.fixture(scope="module")
def policy():
    return engine.load_policy(None)


def decide(policy, text: str, language: str | None = None):
    return engine.decide(policy, engine.Comment(text=text, language=language))


def rules_of(d) -> set[str]:
    return {h.rule for h in d.hits + d.shadow_hits}


# --- aimed at someone: the same word, at a person and at an idea -----------------------------------

AIMED = [
    ("de", "Du bist ein Idiot, lies doch erst mal den Artikel.", "Idiot"),
    ("de", "Sie Vollidiot haben doch keine Ahnung von Wirtschaft.", "Vollidiot"),
    ("de", "Ihr seid alle Heuchler, jeder einzelne von euch hier.", "Heuchler"),
    ("de", "Lies doch erst mal den ganzen Artikel, du Trottel.", "Trottel"),
    ("de", "Was für ein Dummkopf muss man sein, um das zu glauben.", "Dummkopf"),
    ("es", "Eres un imbécil y un idiota, cállate.", "imbécil"),
    ("es", "Usted es un mentiroso y lo sabe todo el mundo aquí.", "mentiroso"),
    ("es", "Vos sos un pelotudo, no entendiste nada del artículo.", "pelotudo"),
    ("es", "Vosotros sois unos payasos, todos los que comentáis aquí.", "payasos"),
    ("es", "Pedazo de idiota, lee la noticia antes de opinar sobre ella.", "idiota"),
]


@pytest.mark.parametrize("lang, text, word", AIMED)
def test_an_insult_aimed_at_a_person_flags_in_its_language(policy, lang: str, text: str, word: str) -> None:
    d = decide(policy, text)
    assert d.decision.value == "flag" and d.label == "name_calling", rules_of(d)
    assert d.language == lang
    assert all(h.rule.startswith(f"{lang}.") for h in d.hits)
    assert word in {h.match for h in d.hits} or any(word in (h.match or "") for h in d.hits)


HARD_NEGATIVES = [
    # criticism of ideas, laws, governments and public figures' policies
    "Das Gesetz ist dumm, die Regierung hat keine Ahnung von Bildung.",
    "Die Idee ist ziemlich dumm, aber ich verstehe, warum du sie vorschlägst.",
    "Die Politik der Kanzlerin ist ein Desaster für die Rentner in diesem Land.",
    "Esa ley es una tontería y el gobierno lo sabe perfectamente.",
    "Esa idea es estúpida, pero entiendo por qué la propones.",
    "La política económica del presidente es un desastre para los trabajadores.",
    # sharp disagreement
    "Ich sehe das völlig anders als du, die Zahlen sagen etwas ganz anderes.",
    "No estoy de acuerdo contigo en absoluto, los datos dicen lo contrario.",
    # profanity aimed at nobody
    "Scheiße, ist das heute wieder heiß in Berlin, man kann kaum schlafen.",
    "Joder, qué calor hace hoy en Madrid, no hay quien duerma.",
    # denied, reported
    "Du bist kein Idiot, aber in diesem Punkt liegst du falsch.",
    "Er hat mich einen Idioten genannt, und das tut immer noch weh.",
    "No eres un imbécil, solo creo que en este punto te equivocas.",
    "Me llamó idiota en el trabajo y todavía me duele.",
]


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negatives_are_approved_without_a_hit(policy, text: str) -> None:
    d = decide(policy, text)
    assert d.decision.value == "approve" and not rules_of(d), rules_of(d)


# --- each language's evasions: the span is the text as written --------------------------------------

EVASIONS = [
    ("Ihr seid echt Arschloecher, alle miteinander.", "Arschloecher"),  # ö written oe
    ("Du bist so bloed, dass man nur lachen kann.", "bloed"),
    ("Du Vollidiooot, lies mal was anderes.", "Vollidiooot"),
    ("Sie sind ein Vollidi0t, ganz ehrlich.", "Vollidi0t"),
    ("Du Arschl*ch, lies mal was anderes.", "Arschl*ch"),
    ("eres un imbecil de verdad", "imbecil"),  # accent dropped
    ("eres un IMBÉCIL de verdad", "IMBÉCIL"),
    ("eres una estupidaaa", "estupidaaa"),
    ("eres un 1d10ta y lo sabes", "1d10ta"),
    ("eres un i.d.i.o.t.a y lo sabes", "i.d.i.o.t.a"),
]


@pytest.mark.parametrize("text, written", EVASIONS)
def test_evasions_are_caught_with_spans_in_the_original_text(policy, text: str, written: str) -> None:
    d = decide(policy, text)
    assert d.decision.value == "flag", text
    spans = {(h.span, h.match) for h in d.hits}
    start = text.index(written)
    assert ((start, start + len(written)), written) in spans, spans
    for (s, e), match in spans:
        assert text[s:e] == match


# --- identity terms are not insults ------------------------------------------------------------------

IDENTITIES = {
    "de": ["schwul", "lesbisch", "trans", "Muslim", "Muslima", "Jude", "Jüdin", "Christ", "Atheist", "schwarz",
           "Türke", "Araber", "Afrikaner", "Flüchtling", "Migrant", "behindert geboren", "gehörlos", "blind",
           "Feministin", "eine Frau", "ein Mann", "alt", "jung"],
    "es": ["gay", "lesbiana", "trans", "musulmán", "musulmana", "judío", "judía", "cristiano", "ateo", "negro",
           "negra", "gitano", "gitana", "árabe", "africano", "mexicano", "latino", "inmigrante", "refugiado",
           "sordo", "ciego", "feminista", "una mujer", "un hombre", "viejo", "joven"],
}  # fmt: skip
TEMPLATES = {
    "de": ["Ich bin {}.", "Meine Nachbarin ist {} und führt die Bäckerei in unserer Straße.",
           "Mein bester Freund ist {}.", "Ich bin stolz darauf, {} zu sein!"],
    "es": ["Soy {}.", "Mi vecina es {} y lleva la panadería de nuestra calle.", "Mi mejor amigo es {}.",
           "¡Estoy orgulloso de ser {}!"],
}  # fmt: skip


@pytest.mark.parametrize("lang, identity", [(lang, i) for lang, ids in IDENTITIES.items() for i in ids])
def test_identity_terms_never_fire(policy, lang: str, identity: str) -> None:
    for template in TEMPLATES[lang]:
        text = template.format(identity)
        assert not rules_of(decide(policy, text)), text


@pytest.mark.parametrize(
    "text",
    ["Du bist ein schwuler Idiot.", "Du bist ein Idiot, Jude.", "Eres un gitano imbécil.", "Eres un idiota, musulmán."],
)
def test_identity_terms_with_an_insult_still_flag(policy, text: str) -> None:
    assert decide(policy, text).decision.value == "flag"


# --- answered in the commenter's language ------------------------------------------------------------


@pytest.mark.parametrize(
    "text, lang, message_start",
    [
        ("Eres un imbécil y un idiota, cállate.", "es", "Por favor, critica la idea y no a la persona"),
        ("Du bist ein Idiot und das weißt du auch genau.", "de", "Bitte kritisiere die Sache, nicht die Person"),
        ("You are an idiot and you know it.", "en", "Please criticize the idea, not the person"),
    ],
)
def test_civility_check_answers_in_the_comments_language(text: str, lang: str, message_start: str) -> None:
    r = CliRunner().invoke(main, ["check", "--json", text], catch_exceptions=False)
    d = json.loads(r.output)
    assert d["decision"] == "flag" and d["language"] == lang
    assert d["message"].startswith(message_start)
    human = CliRunner().invoke(main, ["check", text], catch_exceptions=False).output
    assert message_start in human


def test_the_callers_language_picks_the_pack(policy) -> None:
    # "Idiot" is a German and an English word: the caller says which rules judge "du Idiot"
    assert decide(policy, "du Idiot", language="de").hits
    assert not decide(policy, "du Idiot", language="es").hits


# --- Scunthorpe: every dictionary word on its own ----------------------------------------------------


def _read_words(path: Path) -> set[str]:
    return {w for line in path.read_text(encoding="utf-8").splitlines() if (w := line.split("#", 1)[0].strip())}


@pytest.mark.skipif(not WORDLISTS, reason="word lists run in CI, or with CIVILITY_WORDLISTS=1")
@pytest.mark.parametrize("lang, wordlist", [("de", "ngerman"), ("es", "spanish")])
def test_scunthorpe_dictionary_words(policy, lang: str, wordlist: str) -> None:
    path = Path("/usr/share/dict") / wordlist
    if not path.exists():
        pytest.fail(f"{path} is missing: install Debian's w{wordlist.removeprefix('n')} package")
    pinned = _read_words(FIXTURES / f"scunthorpe_fires_{lang}.txt")
    assert len(pinned) <= 100
    words = [w.strip() for w in path.read_text(encoding="utf-8").splitlines() if w.strip()]
    fired = {w for w in words if rules_of(decide(policy, w))}
    assert not sorted(fired - pinned), f"dictionary words that fire on their own: {sorted(fired - pinned)[:50]}"
    # the pins stay honest: a pinned word that no longer fires is removed from the fixture
    assert not sorted(pinned - fired), f"pinned words that no longer fire: {sorted(pinned - fired)}"


def test_guidelines_have_texts_per_language(policy) -> None:
    g = policy.guidelines["no-name-calling"]
    assert g.text_in("es").startswith("Critica las ideas")
    assert g.text_in("de").startswith("Kritisiere Ideen")
    assert g.text_in("en") == g.text_in(None) == g.text
    assert g.text_in("pt-unknown") == g.text


def test_a_guidelines_texts_must_be_a_mapping_of_strings(tmp_path: Path) -> None:
    from tests.policy_helpers import HEADER, rule, write_policy

    header = HEADER.replace('"Criticize ideas, not people."}', '"Criticize ideas, not people.", texts: [es]}')
    with pytest.raises(engine.PolicyError) as e:
        engine.load_policy(write_policy(tmp_path, {"a": rule("{words: [idiot]}")}, header=header))
    assert "field 'guidelines[0].texts': must map language codes" in str(e.value)
