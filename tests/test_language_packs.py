"""The language packs of the default policy (German, Spanish, Portuguese, French, Italian): whom an insult is aimed at,
each language's own evasions with spans in the text as received, hard negatives, identity terms,
commenters answered in their language, the team's cases, and every word of Debian's word list for the
language on its own."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

import engine
from engine.cli import case_problem, main
from tests.dictionary_words import check_word_list, read_words
from tests.policy_helpers import case_id, default_policy_cases

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
    # compounds (ä written ae), the reader called a noun, a public figure called names
    ("de", "Diese Volksverraeter in Berlin gehören alle abgewählt.", "Volksverraeter"),
    ("de", "Lies erst mal den Artikel, du Nullnummer!", "Nullnummer"),
    ("de", "Die Kanzlerin ist eine Verräterin und eine Lügnerin.", "Verräterin"),
    ("de", "Dieses Lumpenp@ck in den Talkshows lügt doch nur.", "Lumpenp@ck"),
    ("es", "Eres un imbécil y un idiota, cállate.", "imbécil"),
    ("es", "Usted es un mentiroso y lo sabe todo el mundo aquí.", "mentiroso"),
    ("es", "Vos sos un pelotudo, no entendiste nada del artículo.", "pelotudo"),
    ("es", "Vosotros sois unos payasos, todos los que comentáis aquí.", "payasos"),
    ("es", "Pedazo de idiota, lee la noticia antes de opinar sobre ella.", "idiota"),
    ("pt", "Você é um idiota, nem leu o artigo antes de comentar.", "idiota"),
    ("pt", "Cê é muito burro, hein, não entendeu nada do texto.", "burro"),
    ("pt", "Vocês são uns babacas, todos vocês que comentam aqui.", "babacas"),
    ("pt", "Fica quieto, seu imbecil, ninguém pediu a sua opinião.", "imbecil"),
    ("pt", "Sua vaca, devolve o livro que você pegou emprestado.", "vaca"),
    ("pt", "Vai tomar no cu, você e essa sua opinião de merda.", "tomar no cu"),
    ("fr", "T'es vraiment un connard, tu l'as même pas lu.", "connard"),
    ("fr", "Vous êtes des crétins, tous autant que vous êtes.", "crétins"),
    ("fr", "Espèce d'abruti, tu comprends rien à rien.", "abruti"),
    ("fr", "Ferme ta gueule, personne t'a demandé ton avis.", "Ferme ta gueule"),
    ("it", "Sei un cretino, non hai nemmeno letto l'articolo.", "cretino"),
    ("it", "Siete degli idioti, tutti quanti voi che commentate.", "idioti"),
    ("it", "Brutto stronzo, ridammi subito la bici che mi hai preso.", "stronzo"),
    ("it", "Vaffanculo, nessuno ti ha chiesto niente su questo.", "Vaffanculo"),
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
    "Que pergunta idiota, a resposta está no segundo parágrafo do texto.",
    "Essa lei é burra e o governo precisa revogar o quanto antes.",
    "O plano econômico do presidente é um desastre para quem ganha salário mínimo.",
    "Quelle question débile, la réponse est dans le deuxième paragraphe.",
    "La réforme du gouvernement est stupide et le ministre devrait la retirer.",
    "Che domanda stupida, la risposta è nel secondo paragrafo.",
    "La riforma del governo è ridicola e il ministro dovrebbe ritirarla.",
    # sharp disagreement
    "Ich sehe das völlig anders als du, die Zahlen sagen etwas ganz anderes.",
    "No estoy de acuerdo contigo en absoluto, los datos dicen lo contrario.",
    "Discordo totalmente de você, a pesquisa ouviu só quarenta pessoas.",
    "Je ne suis pas du tout d'accord avec vous, l'étude n'a interrogé que quarante personnes.",
    # profanity aimed at nobody
    "Scheiße, ist das heute wieder heiß in Berlin, man kann kaum schlafen.",
    "Joder, qué calor hace hoy en Madrid, no hay quien duerma.",
    "merda, perdi o ônibus de novo e vou chegar atrasado",
    "Puta que pariu, que calor faz hoje na cidade!",
    "Caralho, que golaço do time no segundo tempo.",
    "Putain il pleut encore, je vais être trempé en arrivant.",
    "Merde, j'ai encore raté le bus ce matin.",
    "Cazzo che freddo stamattina, non si esce di casa.",
    "Porca miseria, ti sei fatto male con quella bici?",
    "La vacca mangia l'erba nel prato dietro la casa.",
    # everyday words of one language that another's lists hold ("Abo" is an English slur, "wog" too)
    "Abo",
    "Neues Abo",
    "Danke für das Abo, bis zum nächsten Video!",
    "Das Kraut wächst im Garten hinter dem Haus.",
    "Das Paket wog fünf Kilo.",
    # denied, reported
    "Du bist kein Idiot, aber in diesem Punkt liegst du falsch.",
    "Er hat mich einen Idioten genannt, und das tut immer noch weh.",
    "No eres un imbécil, solo creo que en este punto te equivocas.",
    "Me llamó idiota en el trabajo y todavía me duele.",
    "Você não é idiota, só está mal informado sobre esse assunto.",
    "Eu fui um idiota de vender as ações em março.",
    "O burro puxava a carroça pela estrada de terra até a vila.",
    "Vou te pegar no aeroporto às seis, combinado?",
    "T'es pas con, t'es juste mal informé sur ce sujet.",
    "Il m'a traité de connard devant tout le monde hier.",
]


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negatives_are_approved_without_a_hit(policy, text: str) -> None:
    d = decide(policy, text)
    assert d.decision.value == "approve" and not rules_of(d), rules_of(d)


def test_an_everyday_german_word_still_flags_where_english_words_aim_it(policy) -> None:
    d = decide(policy, "you are a kraut and a wog")
    assert d.decision.value == "flag" and "hate.slur" in rules_of(d)


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
    ("voce e um imbecil mesmo", "imbecil"),  # accents dropped
    ("Você é um IMBECÍL, viu?", "IMBECÍL"),
    ("vc é um otáááário, cara", "otáááário"),
    ("vc e um o t a r i o mesmo", "o t a r i o"),
    ("cala a boca seu id*ota", "id*ota"),
    ("cala a boca seu 1d10ta", "1d10ta"),
    ("vtnc vc e essa conversa", "vtnc"),  # chat abbreviation of "vai tomar no cu"
    ("seu fdp, apaga isso agora", "fdp"),
    ("espece de connard va", "connard"),  # accents dropped
    ("t'es qu'un abrutiii", "abrutiii"),
    ("espèce de c0nnard, rends le vélo", "c0nnard"),
    ("espèce de conn*rd, rends le vélo", "conn*rd"),
    ("tg sérieux, personne t'écoute", "tg"),  # "ta gueule"
    ("ntm toi et tes potes", "ntm"),  # "nique ta mère"
    ("lei e un incapace", "incapace"),  # accents dropped
    ("6 un cretino, davvero", "cretino"),  # "sei" written 6
    ("brutto str0nzo, vattene", "str0nzo"),
    ("brutto str*nzo, vattene", "str*nzo"),
    ("sei un imbecilleee", "imbecilleee"),
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
    "pt": ["gay", "lésbica", "bissexual", "trans", "travesti", "negro", "negra", "preto", "preta", "pardo",
           "branco", "indígena", "judeu", "judia", "muçulmano", "muçulmana", "católico", "evangélico", "ateu",
           "umbandista", "nordestino", "nordestina", "baiano", "paraíba", "imigrante", "refugiado",
           "venezuelano", "haitiano", "boliviano", "deficiente", "cego", "surdo", "autista", "idoso", "velho",
           "jovem", "uma mulher", "um homem", "feminista", "cigano", "asiático", "japonês", "árabe", "africano"],
    "fr": ["gay", "lesbienne", "bisexuel", "trans", "noir", "noire", "blanc", "arabe", "juif", "juive",
           "musulman", "musulmane", "chrétien", "catholique", "athée", "maghrébin", "africain", "asiatique",
           "chinois", "rom", "gitan", "immigré", "réfugié", "handicapé", "sourd", "aveugle", "autiste", "vieux",
           "jeune", "une femme", "un homme", "féministe"],
    "it": ["gay", "lesbica", "bisessuale", "trans", "nero", "nera", "bianco", "ebreo", "ebrea", "musulmano",
           "musulmana", "cristiano", "cattolico", "ateo", "rom", "sinti", "africano", "arabo", "cinese",
           "marocchino", "rumeno", "albanese", "immigrato", "migrante", "profugo", "rifugiato", "disabile",
           "sordo", "cieco", "autistico", "meridionale", "siciliano", "napoletano", "anziano", "giovane",
           "una donna", "un uomo", "femminista"],
}  # fmt: skip
TEMPLATES = {
    "de": ["Ich bin {}.", "Meine Nachbarin ist {} und führt die Bäckerei in unserer Straße.",
           "Mein bester Freund ist {}.", "Ich bin stolz darauf, {} zu sein!"],
    "es": ["Soy {}.", "Mi vecina es {} y lleva la panadería de nuestra calle.", "Mi mejor amigo es {}.",
           "¡Estoy orgulloso de ser {}!"],
    "pt": ["Eu sou {}.", "Minha vizinha é {} e tem uma padaria na nossa rua.", "Meu melhor amigo é {}.",
           "Tenho orgulho de ser {}!", "Ser {} faz parte de quem eu sou."],
    "fr": ["Je suis {}.", "Ma voisine est {} et tient la boulangerie de notre rue.", "Mon meilleur ami est {}.",
           "Je suis fier d'être {} !"],
    "it": ["Io sono {}.", "La mia vicina è {} e gestisce il forno della nostra via.", "Il mio migliore amico è {}.",
           "Sono orgoglioso di essere {}!"],
}  # fmt: skip


@pytest.mark.parametrize("lang, identity", [(lang, i) for lang, ids in IDENTITIES.items() for i in ids])
def test_identity_terms_never_fire(policy, lang: str, identity: str) -> None:
    for template in TEMPLATES[lang]:
        text = template.format(identity)
        assert not rules_of(decide(policy, text)), text


@pytest.mark.parametrize(
    "text",
    [
        "Du bist ein schwuler Idiot.",
        "Du bist ein Idiot, Jude.",
        "Eres un gitano imbécil.",
        "Eres un idiota, musulmán.",
        "Você é um nordestino idiota.",
        "Cala a boca, seu judeu imbecil.",
        "T'es un connard de juif.",
        "Ferme ta gueule, espèce d'arabe débile.",
        "Sei un ebreo cretino.",
        "Stai zitto, brutto musulmano idiota.",
    ],
)
def test_identity_terms_with_an_insult_still_flag(policy, text: str) -> None:
    assert decide(policy, text).decision.value == "flag"


# --- answered in the commenter's language ------------------------------------------------------------


@pytest.mark.parametrize(
    "text, lang, message_start, guideline_start",
    [
        ("Eres un imbécil y un idiota, cállate.", "es", "Por favor, critica la idea y no a la persona",
         "Critica las ideas, no a las personas"),
        ("Du bist ein Idiot und das weißt du auch genau.", "de", "Bitte kritisiere die Sache, nicht die Person",
         "Kritisiere Ideen, nicht Menschen"),
        ("Vocês são uns babacas, não entendem nada de economia.", "pt", "Por favor, critique a ideia",
         "Critique as ideias, não as pessoas"),
        ("Vous êtes des crétins, vous ne comprenez rien à l'économie.", "fr", "Merci de critiquer l'idée",
         "Critiquez les idées"),
        ("Siete degli idioti, non capite niente di economia.", "it", "Per favore, critica l'idea",
         "Critica le idee, non le persone"),
        ("You are an idiot and you know it.", "en", "Please criticize the idea, not the person",
         "Criticize ideas, not people"),
        # too short to tell (und): the guideline of the pack whose rule speaks, as its message is
        ("Sei un cretino", "und", "Per favore, critica l'idea", "Critica le idee, non le persone"),
    ],
)
def test_civility_check_answers_in_the_comments_language(
    text: str, lang: str, message_start: str, guideline_start: str
) -> None:
    r = CliRunner().invoke(main, ["check", "--json", text], catch_exceptions=False)
    d = json.loads(r.output)
    assert d["decision"] == "flag" and d["language"] == lang
    assert d["message"].startswith(message_start)
    assert d["guideline_text"].startswith(guideline_start)
    human = CliRunner().invoke(main, ["check", text], catch_exceptions=False).output
    assert message_start in human
    assert f"guideline: {guideline_start}" in human


def test_a_rule_of_any_language_shows_the_guideline_in_the_comments_language(tmp_path: Path) -> None:
    from tests.policy_helpers import HEADER, rule, write_policy

    header = HEADER.replace(
        '"Criticize ideas, not people."}', '"Criticize ideas, not people.", texts: {es: "Critica las ideas."}}'
    )
    # a rule with no language scores every comment; its guideline is shown in the comment's language
    pol = engine.load_policy(write_policy(tmp_path, {"a": rule("{words: [idiot]}")}, header=header))
    spanish = engine.decide(pol, engine.Comment(text="Eres un idiot, de verdad.", language="es"))
    assert (spanish.decision.value, spanish.guideline_text) == ("flag", "Critica las ideas.")
    english = engine.decide(pol, engine.Comment(text="You are an idiot."))
    assert english.guideline_text == "Criticize ideas, not people."
    # approved: nothing to tell the commenter, and no field in the decision
    approved = engine.decide(pol, engine.Comment(text="Gracias por el artículo.", language="es"))
    assert approved.guideline_text is None and "guideline_text" not in approved.to_dict()


def test_the_callers_language_picks_the_pack(policy) -> None:
    # "Idiot" is a German and an English word: the caller says which rules judge "du Idiot"
    assert decide(policy, "du Idiot", language="de").hits
    assert not decide(policy, "du Idiot", language="es").hits
    # a Portuguese insult in a comment the caller says is English is left to the English rules
    assert not {h.rule for h in decide(policy, "Você é um idiota.", language="en").hits} & {"pt.you_are_insult"}
    assert "pt.you_are_insult" in rules_of(decide(policy, "Você é um idiota.", language="pt"))


# --- the team's cases for each pack -------------------------------------------------------------------

@pytest.mark.parametrize("case", default_policy_cases(packs=True), ids=case_id)
def test_each_packs_cases(policy, case) -> None:
    assert case_problem(case.expect, engine.decide(policy, case.comment)) is None


# --- Scunthorpe: every dictionary word on its own ----------------------------------------------------


@pytest.mark.skipif(not WORDLISTS, reason="word lists run in CI, or with CIVILITY_WORDLISTS=1")
@pytest.mark.parametrize(
    "lang, wordlist, package, fires",
    [
        ("de", "ngerman", "wngerman", "de"),
        ("es", "spanish", "wspanish", "es"),
        ("pt", "brazilian", "wbrazilian", "pt"),
        # European Portuguese: its own pinned words (a word Brazil's list lacks would be stale there)
        ("pt", "portuguese", "wportuguese", "pt_PT"),
        ("fr", "french", "wfrench", "fr"),
        ("it", "italian", "witalian", "it"),
    ],
)
def test_scunthorpe_dictionary_words(policy, lang: str, wordlist: str, package: str, fires: str) -> None:
    check_word_list(
        policy,
        Path("/usr/share/dict") / wordlist,
        package,
        FIXTURES / f"scunthorpe_fires_{fires}.txt",
        FIXTURES / f"scunthorpe_by_design_{fires}.txt",
        language=lang,
    )


@pytest.mark.parametrize("lang", ["es", "pt", "fr", "it"])
def test_a_packs_by_design_words_only_fire_its_bare_reply_rules(policy, lang: str) -> None:
    # "Falso." or "Calmati." alone is a bare contradiction or a remark on tone, and nothing else
    allowed = {f"{lang}.bare_contradiction", f"{lang}.tone_policing"}
    words = read_words(FIXTURES / f"scunthorpe_by_design_{lang}.txt")
    assert words
    for word in words:
        fired = {h.rule for h in decide(policy, word.rstrip("*"), language=lang).hits}
        assert fired and fired <= allowed, (word, fired)


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
