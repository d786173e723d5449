"""Which of the policy's languages a comment is written in, so that each language pack scores its own.

A cheap first test counts the common function words of the policy's languages in the comment's first
words and settles most comments; the rest go to `py3langid` (its model ships in the package), restricted
to the policy's languages. Both read a bounded prefix of the body, so a long comment costs no more than a
short one. The caller's own language (the comment's `language`, or `context.language`) wins over both.
"""

from __future__ import annotations

import re
import threading
import typing as t
from dataclasses import dataclass


#: a comment under this many words is too short to tell: `und`, scored by every pack
MIN_WORDS = 4
#: how much of the body is read: enough words to tell, never the cost of a 200,000-character post
PREFIX_CHARS = 300
#: what the model reads when the function words did not settle it (its time grows with the length)
MODEL_CHARS = 200
UNDETERMINED = "und"
#: the model's probability below which a comment of a few words is `und`
SURE = 0.5

#: common function words: a word settles nothing unless it belongs to exactly one of the policy's languages
#: ("de" is German for nothing but Spanish, Portuguese and French "of"; "no" is English and Spanish)
FUNCTION_WORDS: dict[str, frozenset[str]] = {
    lang: frozenset(words.split())
    for lang, words in {
        "en": "the and is are were you your you're i'm it's that this what with have has not don't they them "
        "their there would should could just about because of to for be he she we my if all like get can from "
        "by his her how who why when out up one more than people think know it at been does did doesn't "
        "please check love no on",
        "de": "der die das und ist nicht ich du sie wir ihr ein eine einen dem den des zu mit auf für sich "
        "auch es wie von bist sind noch nur aber oder wenn dass schon mal jetzt hier kein keine doch bei aus "
        "nach wer im vom zum zur werden wird hat haben kann muss sein seine ihre diese dieser uns euch mich "
        "dich mir dir ihm ihn immer gibt über nichts warum weil habe hast ganz viel mehr gegen ohne alle sehr "
        "in an so man was will",
        "es": "el los las que y es eres son está están un una unos por para con lo del al pero más muy como "
        "esto eso este esta tu tú usted ustedes sois hay ya yo también porque qué cómo cuando fue todo nada "
        "siempre hace me mi te se le ni ese ella él ellos nos tiene tienes bien así sin sobre vez mucho "
        "puedes quiero ser estás soy de en la a no o mas vos esta creo gracias verdad años tan esa tus hasta "
        "algo puede hoy ahora aún pues hola alguien nadie sí les eso hacer dice",
        "pt": "o os as que e é não um uma uns por para com do da dos das no na nos nas você vocês mais mas "
        "muito como isso isto esse essa tem eu também porque quando foi tudo nada sempre faz são está ao pra "
        "ele ela eles seu sua meu minha nao voce vai só mesmo ser aqui já onde quem gente tá né então vc vcs "
        "se me te de em a à bem sem ta tao ate nem pelo pela porra caralho cara aí né pq tb",
        "fr": "le les et est pas je tu il elle un une des du de que qui en pour avec ce cette sur vous mais ne "
        "nous ils sont c'est j'ai suis es au aux on fait tout très bien dans ça sa ton ta tes mon ma ou où "
        "t'es t'as oui moi toi bah ouais trop rien comme aussi être avoir veux sais me te se la a son si "
        "quoi ca genre mdr ptdr wsh jsp va vas merde putain vos",
        "it": "il lo la gli le e è non che di un una per con sono ma sei come più del della dei delle questo "
        "questa anche ho hai ha nel nella io tu lui lei noi voi loro perché quando tutto molto cosa però "
        "hanno essere fatto ci mi ti si tutti ancora sempre ogni alla dalla degli quello quella chi me te se "
        "a in no o da",
    }.items()
}

#: links, addresses, @mentions, #tags and HTML entities tell nothing of the language
_NOT_WORDS = re.compile(r"(?:https?://|www\.)\S*|[^\s@]*@\S*|#\w+|&#?\w+;|<U\+\w+>")
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")


@dataclass(frozen=True, slots=True)
class Scored:
    """The language a comment is scored as (`und` when too short to tell) and the packs that score it."""

    language: str
    packs: frozenset[str]


class Detector:
    """Detection restricted to a policy's languages; built once per policy, shared by threads."""

    def __init__(self, languages: t.Iterable[str]) -> None:
        self.languages = tuple(sorted(set(languages)))
        self._everyone = Scored(UNDETERMINED, frozenset(self.languages))
        owners: dict[str, set[str]] = {}
        for lang in self.languages:
            for word in FUNCTION_WORDS.get(lang, ()):
                owners.setdefault(word, set()).add(lang)
        #: the function words that name one policy language only
        self._marks = {w: next(iter(langs)) for w, langs in owners.items() if len(langs) == 1}
        self._model: t.Any = None
        self._lock = threading.Lock()

    def caller(self, code: t.Any) -> Scored | None:
        """The caller's language ("es", "pt-BR", "pt_BR") as scored packs; None when it names none."""
        if not isinstance(code, str) or not code.strip():
            return None
        lang = re.split(r"[-_]", code.strip().casefold(), maxsplit=1)[0]
        if lang in (UNDETERMINED, "mul", "zxx"):  # ISO 639-2 for "can't tell", "several", "no language"
            return self._everyone
        return Scored(lang, frozenset((lang,)))

    def detect(self, text: str) -> Scored:
        """The comment's language; `und` (every pack) when it is too short to tell."""
        if len(self.languages) < 2:
            return Scored(self.languages[0], frozenset(self.languages)) if self.languages else self._everyone
        prefix, words = _words(text)
        if len(words) < MIN_WORDS:
            return self._everyone
        counts: dict[str, int] = {}
        for word in words:
            lang = self._marks.get(word) or _laugh(word)
            if lang is not None:
                counts[lang] = counts.get(lang, 0) + 1
        ranked = sorted(counts.items(), key=lambda kv: -kv[1])
        if ranked:
            best, n = ranked[0]
            # a second language with a real share of the words: the comment is mixed, both packs score it
            present = [lang for lang, c in ranked if c >= 3 and c * 3 >= n]
            if len(present) > 1:
                return Scored(best, frozenset(present))
            second = ranked[1][1] if len(ranked) > 1 else 0
            if (n >= 1 and second == 0) or n >= 3 * second:
                return Scored(best, frozenset((best,)))
        lang = self._classify(prefix[:MODEL_CHARS], len(words))
        return Scored(lang, self._everyone.packs if lang == UNDETERMINED else frozenset((lang,)))

    def _classify(self, text: str, n_words: int = MIN_WORDS * 2) -> str:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = _identifier(self.languages)
        model = self._model
        if model is False:
            return UNDETERMINED
        lang, confidence = model.classify(text)
        # on a few words without one function word the model guesses: too short to tell
        if n_words < MIN_WORDS * 2 and confidence < SURE:
            return UNDETERMINED
        return str(lang)


def _laugh(word: str) -> str | None:
    """Written laughter names a language where it is the usual spelling: "kkkk" (pt), "jajaja" (es)."""
    if len(word) >= 4:
        if word.count("k") == len(word):
            return "pt"
        if word.startswith("jaja") and not word.strip("ja"):
            return "es"
    return None


def _words(text: str) -> tuple[str, list[str]]:
    """The prefix read, without links and mentions, and its words in lower case."""
    prefix = text[:PREFIX_CHARS]
    if any(mark in prefix for mark in ("http", "www", "@", "#", "&", "<U+")):  # the substitution costs
        prefix = _NOT_WORDS.sub(" ", prefix)
    return prefix, _WORD.findall(prefix.casefold())


def word_count(text: str) -> int:
    """Words of the prefix read, as the detector counts them (under MIN_WORDS: too short to tell)."""
    return len(_words(text)[1])


def _identifier(languages: tuple[str, ...]) -> t.Any:
    """py3langid's model limited to the languages it knows among the policy's (False: none of them)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    model = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    known = [lang for lang in languages if lang in model.nb_classes]
    if len(known) < 2:
        return False
    model.set_languages(known)
    return model
