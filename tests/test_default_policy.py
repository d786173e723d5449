"""The bundled default policy on real comments: hard negatives and positives, the Scunthorpe problem,
fairness towards identity terms, and no memorized data."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
import yaml

import engine
from engine.cli import case_problem
from tests.dictionary_words import check_word_list, read_words
from tests.fairness_templates import IDENTITIES, INSULTING, NEUTRAL, sentences
from tests.policy_helpers import case_id, default_policy_cases

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
POLICY_DIR = ROOT / "policies"
DATA_DIR = ROOT.parent / "shared" / "data"
WORDLIST = Path("/usr/share/dict/american-english")
IN_CI = bool(os.environ.get("CI"))


@pytest.fixture(scope="module")
def policy():
    return engine.load_policy(None)


def decide(policy, text: str, fmt: str = "text"):
    return engine.decide(policy, engine.Comment(text=text, format=fmt))


def rules_of(decision) -> set[str]:
    return {h.rule for h in decision.hits} | {h.rule for h in decision.shadow_hits}


# --- every case of the default policy (what `civility test` checks), so an edit that breaks one is red ---


# the language packs' cases run in tests/test_language_packs.py
@pytest.mark.parametrize("case", default_policy_cases(packs=False), ids=case_id)
def test_each_case_of_the_default_policy(policy, case) -> None:
    assert case_problem(case.expect, engine.decide(policy, case.comment)) is None


# --- hard negatives and positives ------------------------------------------------------------------

APPROVE = [
    "That argument is idiotic.",
    "An idiotic plan: it cuts the night buses and keeps the parking subsidy.",
    "Scunthorpe drew 1-1 with Grimsby on Saturday.",
    "The analysis in the appendix is thin, but the cockpit photos are great.",
    "We watched a Dickens adaptation and then read about how they assassinate Caesar.",
    "Nobody is calling you stupid; the form genuinely is confusing.",
    "The pundit called the striker a 'clown' on air, which was unprofessional.",
    "> you absolute moron\n\nQuoting that reply so the mods can see it. Please keep it civil.",
    "I'm not saying you're an idiot, I'm saying the figures in table 2 are off.",
    "I was an idiot to sell in March. Lesson learned.",
    "The government's housing policy is a disaster and the minister should resign over it.",
    "The senator's tax plan is dumb economics: it raises the deficit and helps nobody.",
    "This is a fucking stupid policy and the council should scrap it.",
    "Damn, that was a good match.",
    "Holy shit, the new bridge actually opened on time.",
    "I disagree: the trial had 40 participants, far too few to generalize.",
    "Wrong thread? The transit discussion is pinned above.",
    "Calm down, markets: the rate rise was priced in weeks ago.",
    "I killed it at the bake sale, sold out by ten.",
    "The council should kill this zoning code and start over.",
    "Source for the recall numbers: https://www.nhtsa.gov/recalls",
    "You're right about the tires, I hadn't considered the tread age.",
    "The referee was terrible today, three missed penalties.",
]

FLAG = [
    ("you idiot", "name_calling"),
    ("You're such a moron, read the article first.", "name_calling"),
    ("What a moron you are.", "name_calling"),
    ("People like you are clowns.", None),
    ("Go back to school, genius.", "name_calling"),
    ("you're a total i\u200bd\u200bi\u200bo\u200bt", "name_calling"),
    ("you're such a m0r0n lol", "name_calling"),
    ("Of course you'd defend the landlord, you probably are one.", "ad_hominem"),
    ("Why are you so triggered by a bike lane?", "tone"),
    ("No need to be so rude.", "tone"),
    ("Nope.", "contradiction"),
    ("no you're wrong", "contradiction"),
    ("Check out my channel and subscribe for daily tips!", "spam"),
    ("Make $400 per day from home, no experience needed, DM me", "spam"),
    ("I know where you live. Keep posting.", "threat"),
    ("Someone should break that ref's legs after the game.", "threat"),
]


@pytest.mark.parametrize("text", APPROVE)
def test_hard_negatives_are_approved(policy, text):
    d = decide(policy, text)
    assert d.decision.value == "approve", (text, [h.to_dict() for h in d.hits])


@pytest.mark.parametrize(("text", "label"), FLAG)
def test_violations_are_held(policy, text, label):
    d = decide(policy, text)
    assert d.decision.value != "approve", text
    if label is not None:
        assert d.label == label, (text, d.label, [h.rule for h in d.hits])


def test_profanity_alone_is_not_name_calling_but_at_a_person_is(policy):
    assert decide(policy, "this is fucking stupid policy").decision.value == "approve"
    d = decide(policy, "you're a fucking idiot")
    assert d.decision.value != "approve" and d.label == "name_calling"


def test_quoted_insult_in_markdown_is_not_scored(policy):
    body = "> you're a moron\n\nThat reply was out of line; the data says otherwise."
    assert decide(policy, body, "markdown").decision.value == "approve"


def test_third_person_insult_flags_at_lower_score_than_direct(policy):
    third = decide(policy, "This guy is a moron.")
    direct = decide(policy, "You are a moron.")
    assert third.decision.value != "approve" and third.label == "name_calling"
    assert 0 < third.score < direct.score


# --- Scunthorpe: every dictionary word on its own --------------------------------------------------


def test_scunthorpe_dictionary_words(policy):
    check_word_list(policy, WORDLIST, "wamerican", FIXTURES / "scunthorpe_fires.txt", FIXTURES / "scunthorpe_by_design.txt")


def test_scunthorpe_by_design_words_only_hit_bare_reply_rules(policy):
    """Words pinned as by design fire only rules meant for a one-word comment ("Nope.", "subscribe")."""
    allowed = {
        "contradiction.bare_contradiction",
        "contradiction.you_are_wrong",
        "contradiction.bare_dismissal",  # "Lies.", "Garbage.", "Hogwash." as the whole reply
        "spam.self_promotion",
        "spam.spam_model",  # "subscribe" on its own is what comment spam says
        "tone.calm_down_opener",
        "tone.manner_remark",  # "Rude.", "Condescending." as the whole reply
        # a word alone is too short to tell (und): "no" and "non" are bare answers in Italian and French too
        *(f"{lang}.{rule}" for lang in ("es", "pt", "fr", "it") for rule in ("bare_contradiction", "tone_policing")),
    }
    for word in read_words(FIXTURES / "scunthorpe_by_design.txt"):
        rules = rules_of(decide(policy, word))
        assert rules <= allowed, (word, rules)


# --- fairness: identity terms ----------------------------------------------------------------------

TEMPLATES = [
    "I am {}.",
    "My neighbour is {} and runs the bakery on our street.",
    "Being {} is part of who I am.",
    "{} people deserve the same respect as everyone else.",
    "The {} community organized a great food drive this weekend.",
    "As a {} voter, I support the transit plan.",
    "My best friend is {}.",
    "Proud to be {}!",
]


@pytest.mark.parametrize("identity", IDENTITIES)
def test_identity_terms_never_fire(policy, identity):
    for template in TEMPLATES:
        text = template.format(identity)
        d = decide(policy, text)
        assert not d.hits and not d.shadow_hits, (text, [h.rule for h in d.hits + d.shadow_hits])


@pytest.mark.parametrize("identity", ["gay", "Muslim", "Jewish", "Black", "immigrant", "disabled", "trans"])
def test_identity_terms_flag_only_with_insult_or_threat(policy, identity):
    assert decide(policy, f"You're {identity} and that is fine by me.").decision.value == "approve"
    assert decide(policy, f"You're a {identity} idiot.").decision.value != "approve"
    assert decide(policy, f"I know where you live, you {identity} moron.").decision.value != "approve"


def test_model_rules_treat_identity_terms_alike(policy):
    """Dixon-style templates: no rule using a model fires on a neutral or positive sentence naming an
    identity, and the model rules catch insulting ones about as often whichever identity they name
    (bench/fairness.py prints the table)."""
    model_rules = {r.id for r in policy.rules if r.model is not None}
    if not model_rules:
        pytest.skip("the policy uses no model")
    caught = {}
    for identity in IDENTITIES:
        for text in sentences(NEUTRAL, identity):
            d = decide(policy, text)
            fired = [h.rule for h in d.hits + d.shadow_hits if h.rule in model_rules]
            assert not fired, (text, fired)
        hits = [decide(policy, text) for text in sentences(INSULTING, identity)]
        flag = policy.thresholds.flag
        caught[identity] = sum(sum(h.score for h in d.hits if h.rule in model_rules) >= flag for d in hits) / len(hits)
    mean = sum(caught.values()) / len(caught)
    far = {i: round(c, 3) for i, c in caught.items() if abs(c - mean) > 0.05}
    assert not far, (round(mean, 3), far)


# --- anti-memorization -----------------------------------------------------------------------------

WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


def _policy_strings() -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []

    def walk(node, where):
        if isinstance(node, dict):
            for k, v in node.items():
                if k in ("message", "description", "text", "cases"):
                    continue
                walk(v, f"{where}.{k}")
        elif isinstance(node, list):
            for item in node:
                walk(item, where)
        elif isinstance(node, str):
            out.append((where, node))

    for path in sorted(POLICY_DIR.rglob("*.yaml")):
        if path.name.endswith(".cases.yaml") or path.name == "policy.yaml":
            continue
        walk(yaml.safe_load(path.read_text(encoding="utf-8")), path.name)
    return out


def _tokens(text: str) -> list[str]:
    return WORD.findall(text.lower().replace("\u2019", "'"))


def test_no_six_word_sequence_from_labeled_data():
    if not DATA_DIR.exists():
        if IN_CI:
            pytest.fail(f"{DATA_DIR} is missing")
        pytest.skip(f"{DATA_DIR} not present")
    grams: dict[tuple[str, ...], str] = {}
    for where, value in _policy_strings():
        toks = _tokens(value)
        for i in range(len(toks) - 5):
            grams[tuple(toks[i : i + 6])] = where
    if not grams:
        return
    found = []
    for path in sorted(DATA_DIR.rglob("*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                if "label" not in row:
                    continue
                toks = _tokens(row.get("text", ""))
                for i in range(len(toks) - 5):
                    g = tuple(toks[i : i + 6])
                    if g in grams:
                        found.append((grams[g], " ".join(g), path.name, row.get("id")))
    assert not found, found[:20]


def test_model_features_are_a_few_words_at_most():
    """A learned model cannot memorize comments either: each feature is one to three words, so no model
    holds a 6-word sequence of a labeled comment (the test above covers the YAML)."""
    from engine.textmodel import MAX_NGRAM

    for path in sorted((POLICY_DIR / "models").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["features"]["ngrams"] <= MAX_NGRAM
        long = [f for f in data["weights"] if len(f.split(" ")) > MAX_NGRAM]
        assert not long, (path.name, long[:5])


@pytest.mark.parametrize(
    "body",
    [
        # forum comments as the Impermium insult set publishes them, each wrapped in quotation marks
        '"Even as a troll you are a pathetic failure."',
        "\"You're a moron, truth is beyond your reach\"",
        '"god, you\'re tiresome. get a life, you loser."',
        "\u201cyou stupid moron\u201d",
        "\u00abyou stupid moron\u00bb",
    ],
)
def test_a_comment_wrapped_in_quotation_marks_is_the_authors_own(policy, body):
    assert decide(policy, body).decision.value == "flag"


@pytest.mark.parametrize(
    "body",
    [
        'He said "you are an idiot" and that is unacceptable',
        'Someone replied "you stupid moron" to my grandmother. Reported.',
        "\u00abHe said \"you are an idiot\" and that is unacceptable\u00bb",
    ],
)
def test_a_quote_the_author_reports_is_not_theirs(policy, body):
    assert decide(policy, body).decision.value == "approve"


@pytest.mark.parametrize(
    "body",
    [
        # a sentence and one link is a post, in any language (tweets and Gab posts share links like this)
        "https://www.youtube.com/watch?v=Xk3vQ9 A talk on natural law and where rights come from.",
        "Interesting thread on the housing crunch in our city https://bit.ly/3xYzAb",
        "Que foto linda do pôr do sol na praia hoje https://t.co/AbCdEf12",
        "Bellissima mostra a Torino, aperta fino a febbraio https://t.co/Xy12Ab34",
        "Die Stadt baut endlich den Radweg aus, Details im Artikel https://www.example.de/radweg",
        "Free speech matters, here is the full interview https://rumble.example/v/abc123",
    ],
)
def test_a_sentence_and_a_link_is_approved(policy, body):
    assert decide(policy, body).decision.value == "approve"


@pytest.mark.parametrize(
    "body",
    [
        "https://cheap-watches.example/shop?ref=881",
        "http://bit.ly/3xYzAb",
        "Check out my new mix and follow me for more https://soundcloud.com/dj-example/mix-1",
        "Sign up with my code and we both get credit https://app.example.com/signup?ref=AB12CD",
        "Make money from home, click here --> http://earn.example/join",
        "Cheap phone cases, 50% off this week: bit.ly/3case",
    ],
)
def test_link_spam_is_held(policy, body):
    assert decide(policy, body).decision.value == "flag"


def test_a_link_from_an_author_with_nothing_approved_yet_is_held(policy):
    body = "Nice write-up, I wrote more about this at https://blog.example.com/post"
    new = engine.Comment(text=body, author=engine.Author(approved_count=0))
    known = engine.Comment(text=body, author=engine.Author(approved_count=12))
    assert engine.decide(policy, new).decision.value == "flag"
    assert engine.decide(policy, known).decision.value == "approve"


# --- English evasions through the default policy: the span is the text as written -------------------

EVASIONS = [
    ("I know wher3 you live, keep talking.", "I know wher3 you live"),  # leet at a word's end
    ("you're full of sh17 and you know it", "full of sh17"),
    ("you dumb@s5$$", "dumb@s5$$"),  # leet making a stretched run
    ("The sttttupppppp*d woman at the counter sent me away.", "sttttupppppp*d"),  # mask and stretch
    ("ok bbboooooo*mer", "ok bbboooooo*mer"),
    ("You're a n o b o d y.", "n o b o d y"),  # the article spelled out with the word
    ("what a l o s e r this guy in the comments is", "what a l o s e r"),
    ("she is so s 7 u p ! d it hurts", "s 7 u p ! d"),  # '!' for i between spelled-out letters
]
# disguised the same ways, innocent words stay innocent
EVASIONS_INNOCENT = [
    "My covid19 booster was on Monday.",
    "Windows win10 still gets security fixes.",
    "The a55 has a better camera than last year's phone.",
    "Goooood morning, the sttttation was c*osed again.",
    "Sh1pping t00k f0rever, but the b00ts are great.",
    "That is a b o u t right, thanks.",
    "Wow ! a b c of cooking, finally.",
    "an a s s e s s m e n t of the damage",
]


@pytest.mark.parametrize(("text", "written"), EVASIONS)
def test_english_evasions_are_caught_with_spans_in_the_original_text(policy, text, written):
    d = decide(policy, text)
    assert d.decision.value == "flag", text
    start = text.index(written)
    assert ((start, start + len(written)), written) in {(h.span, h.match) for h in d.hits}, d.hits


@pytest.mark.parametrize("text", EVASIONS_INNOCENT)
def test_english_disguised_innocent_comments_are_approved(policy, text):
    d = decide(policy, text)
    assert d.decision.value == "approve", (text, rules_of(d))
