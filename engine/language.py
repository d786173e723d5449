"""Which of the policy's languages a comment is written in, so that each language pack scores its own.

A cheap first test counts the common function words of the policy's languages in the comment's first
words and settles most comments; the rest go to `py3langid` (its model ships in the package), restricted
to the policy's languages. Both read a bounded prefix of the body, so a long comment costs no more than a
short one. The caller's own language (the comment's `language`, or `context.language`) wins over both.
"""

from __future__ import annotations

import functools
import math
import re
import threading
import typing as t
from collections import _count_elements  # Counter's C loop, into a plain dict
from dataclasses import dataclass
from operator import itemgetter

#: a comment under this many words is too short to tell: `und`, scored by every pack
MIN_WORDS = 4
#: how much of the body is read: enough words to tell, never the cost of a 200,000-character post
PREFIX_CHARS = 300
#: what the model reads when the function words did not settle it (its time grows with the length)
MODEL_CHARS = 200
UNDETERMINED = "und"
#: the model's probability (among the policy's languages) below which a comment is `und`
SURE = 0.6
#: an `und` comment of four words or more is scored by the packs of the model's likeliest languages that
#: together hold this much of its probability, not by every pack: a German rule has no say on a comment the
#: model finds English, Portuguese or Italian ("no another idiot Ezra"; a short comment stays every pack's)
COVER = 0.9

#: common function words: a word settles nothing unless it belongs to exactly one of the policy's languages
#: ("de" is German for nothing but Spanish, Portuguese and French "of"; "no" is English and Spanish)
FUNCTION_WORDS: dict[str, frozenset[str]] = {
    lang: frozenset(words.split())
    for lang, words in {
        "en": "the and is are were you your you're i'm it's that this what with have has not don't they them "
        "their there would should could just about because of to for be he she we my if all like get can from "
        "by his her how who why when out up one more than people think know it at been does did doesn't "
        "please check love no on being such still though cause next time back follow some every those these "
        "lol lmao im dont cant thats gonna wanna got ain't yeah really much even only never who's there's "
        "a i me so in an as do go us or was will man am",
        "de": "der die das und ist nicht ich du sie wir ihr ein eine einen dem den des zu mit auf für sich "
        "auch es wie von bist sind noch nur aber oder wenn dass schon mal jetzt hier kein keine doch bei aus "
        "nach wer im vom zum zur werden wird hat haben kann muss sein seine ihre diese dieser uns euch mich "
        "dich mir dir ihm ihn immer gibt über nichts warum weil habe hast ganz viel mehr gegen ohne alle sehr "
        "in an so man was will "
        # German as much as another policy language's: a sign of neither ("um", "na": Portuguese too)
        "um na",
        "es": "el los las que y es eres son está están un una unos por para con lo del al pero más muy como "
        "esto eso este esta tu tú usted ustedes sois hay ya yo también porque qué cómo cuando fue todo nada "
        "siempre hace me mi te se le ni ese ella él ellos nos tiene tienes bien así sin sobre vez mucho "
        "puedes quiero ser estás soy de en la a no o mas vos esta creo gracias verdad años tan esa tus hasta "
        "algo puede hoy ahora aún pues hola alguien nadie sí les eso hacer dice he has mal su "
        "ha vas dos vi eh asi mundo pelo persona gran segunda tipo dia mano",
        "pt": "o os as que e é não um uma uns por para com do da dos das no na nos nas você vocês mais mas "
        "muito como isso isto esse essa tem eu também porque quando foi tudo nada sempre faz são está ao pra "
        "ele ela eles seu sua meu minha nao voce vai só mesmo ser aqui já onde quem gente tá né então vc vcs "
        "se me te de em a à bem sem ta tao ate nem pelo pela porra caralho cara aí né pq tb "
        # chat spellings and exclamations no other policy language writes ("puta que pariu, que calor")
        "tô tou pariu pqp krl vsf vtnc tnc slc mlk mto msm tbm hj dms vei oq aq kct nn ngm vdd mds agr qdo "
        "qnd cmg ctz sla sobre enfim nossa agora hoje coisa fazer ficar vou tava acho obrigado obrigada ainda "
        "depois sim assim pessoa pessoas dela dele nessa nesse desse dessa filho filha filhos filhas cadê daqui "
        "ou vez todo algo eh vi tipo puto livre vídeos título noticia",
        "fr": "le les et est pas je tu il elle un une des du de que qui en pour avec ce cette sur vous mais ne "
        "nous ils sont c'est j'ai suis es au aux on fait tout très bien dans ça sa ton ta tes mon ma ou où "
        "t'es t'as oui moi toi bah ouais trop rien comme aussi être avoir veux sais me te se la a son si "
        "quoi ca genre mdr ptdr wsh jsp va vas merde putain vos à lui pq sois",
        "it": "il lo la gli le e è non che di un una per con sono ma sei come più del della dei delle questo "
        "questa anche ho hai ha nel nella io tu lui lei noi voi loro perché quando tutto molto cosa però "
        "hanno essere fatto ci mi ti si tutti ancora sempre ogni alla dalla degli quello quella chi me te se "
        "a in no o da sui sulla sulle tra poi siamo stanno sta c'è nei negli alle agli questi quei quelli dove "
        "oggi fare pure su al tua sua qui ne sa dice modo certo mano grande",
    }.items()
}

#: each language's everyday words (verbs, nouns, adverbs, oaths) that no other policy language writes and
#: that no dictionary of another holds: signs of the language as function words are, for the detector only
#: (the masks and the index read FUNCTION_WORDS), so that a comment without a function word of one
#: language alone ("Oye, porqué no contestas a la gente que te quiere") is settled without the model
COMMON_WORDS: dict[str, frozenset[str]] = {
    lang: frozenset(words.split())
    for lang, words in {
        "de": (
            "willst wollen wollt kannst können könnt habt mache machst macht machen gemacht sagst sagt sagen "
            "gesagt weisst wissen glaube glaubst glaubt denke denkst denkt sehe siehst sieht sehen gehen gehe "
            "gehst geht seid waren wäre gewesen hatte hatten besser schlechter viele wenig wenige niemals dann "
            "danach vorher wann leute sachen etwas niemand jemand andere anderen selbe jeder jede jedes seit "
            "laut zwischen während obwohl sondern gute guter gutes schlecht schlechte kanal danke typ "
            "mädchen junge frau frauen jahr jahre tage leben regierung präsident arbeit haus sohn tochter vater "
            "bruder schwester scheint passiert redet reden schau schauen folgt folgen dein unser euer "
            "welcher weniger heute morgen gestern wahr wirklich recht gleich einmal liebe hasse wollte konnte "
            "sollte würde herr gott scheisse verdammt arschloch dumm blöd vollidiot nein keiner einem einer "
            "eines dieses diesen wieder genau eigentlich natürlich vielleicht trotzdem deshalb darum"
        ),
        "es": (
            "quieres quiere quieren puedo pueden tenemos tienen hago haces hacemos hacen hizo hice hicieron dijo "
            "dije dicen decir saben crees pienso piensas piensa veo ves ven voy estoy estaba estaban fueron eran "
            "sería había hubo hubiera mejor peor muchos pocos pocas tampoco entonces después aquí allí ahí dónde "
            "cuándo porqué ojalá otro otra otros otras mismo misma según mientras aunque sólo buena buenas tío "
            "tía mujer mujeres niño niña niños año día días gobierno trabajo hijo hija pasa pasó hablar "
            "sigue dejar ello ellas nosotros vosotros mío tuyo suyo nuestro vuestro cuál quién mañana ayer "
            "cierto razón veces gustan quería tenía podía debería tendría haría dios mierda joder gilipollas "
            "coño pendejo güey cabrón chido tenés querés podés sabés decís"
            " cuenta buen nuevo nueva cabeza hermosa hermoso mía esas esos estos hecho dicho dinero guapa miedo"
            " suerte muerte jugar poner primero cualquier cualquiera cual realidad tiempo luego hermana pareja"
            " noche alguna cuerpo cerveza manera lleva escribir fuera todavía nuestra perdón ayuda respeto"
            " entiendo necesito siento quien"
        ),
        "pt": (
            "quero queres querem podem tenho têm faço fazemos fazem fiz fizeram dizem dizer sabem vejo vê veem "
            "vão estou estão estava estavam foram eram tinha teve tivesse melhor pior muitos muitas pouco pouca "
            "poucos lá porquê coisas ninguém alguém outro outros até enquanto embora senão bom mau má ruim olá "
            "moço moça meninos dinheiro trabalho pai mãe irmão passou fala falar olha olhar deixa deixar nós "
            "elas nosso teu amanhã ontem verdade razão vezes gosto gosta odeio deveria teria faria senhor "
            "senhora otário otária safado safada lixo pras numa nele nela neles nelas daquele daquela "
            "aquilo"
            " parabéns parabens deus demais fazendo vem tão abençoe falando trabalhar cacete vergonha novo"
            " educação cadeia nenhum minhas meio ficou falou chega fogo respeito jogar seja duas ódio aos sair"
            " tenha perfeito orgulho homens mão pegou justiça assistir ganhar melhores deles abraço sendo dizendo"
            " palavras saudades ouvir passar sério temos deu acabou mandou viver coração chegar poderia engraçado"
            " começa olhos acha prefiro algum serviço alguma palavra direito feito começou mulheres entao tambem"
            " estao irao"
        ),
        "fr": (
            "veut voulons voulez veulent peux peut pouvons pouvez peuvent avons avez ont fais faisons faites dit "
            "disent sait savons savez savent savoir crois croit pensez vois voit voyons voyez voient allons "
            "allez vont sommes êtes était étaient serait été avait avaient mieux beaucoup toujours alors après "
            "maintenant quand pourquoi choses quelque personne quelqu'un tous toutes autre autres même chaque "
            "jusqu'à depuis selon contre tandis bonne bonnes mauvais mauvaise vidéo chaîne bonjour mec meuf gars "
            "fille garçon homme femme femmes enfant enfants année jour jours gouvernement président maison fils "
            "père mère frère soeur sœur parler regarde regarder suivre laisse laisser elles leur leurs votre "
            "donc ainsi moins tant aujourd'hui demain vrai vraiment raison pareil fois aime aimes déteste "
            "voulait pouvait devrait aurait ferait dieu connard conne salope enculé débile abruti crétin chiant "
            "wesh celui ceux n'est n'a qu'il qu'elle qu'on d'une l'on"
            " gueule sous cul retourne fermez arrête raconte voir vachement yeux peur doit trouve franchement"
            " viens prends problème tiens juste avant faudrait fallait voulais surtout bouche laissez plaît dedans"
            " autrement soit dernier déjà ceci aucun aucune chez"
        ),
        "it": (
            "voglio vuoi vuole vogliamo vogliono puoi può possiamo possono abbiamo avete faccio fai facciamo "
            "fanno detto dici diciamo dicono sappiamo sanno sapere credi pensi vedi vediamo vedono andiamo vanno "
            "erano sarebbe stato stata avevo aveva avevano meglio peggio molta molti molte pochi adesso lì "
            "qualcosa niente nulla nessuno qualcuno tutte altro altra altri stesso stessa secondo fra contro "
            "mentre sebbene buono buona buoni buone cattivo cattiva canale ragazzo ragazza ragazzi uomo bambina "
            "bambini anni giorno giorni vita paese soldi lavoro figlio figlia fratello sorella passato parlare "
            "guardare seguire lascia lasciare tuo nostro nostra vostro vostra quale quindi così meno domani ieri "
            "davvero ragione uguale piace piacciono voleva poteva dovrebbe avrebbe farebbe signore signora dio "
            "cazzo stronzo stronza coglione scemo scema vaffanculo minchia boh comunque infatti magari invece "
            "già sì anzi purtroppo insomma ecco queste nelle nello sullo sugli allo dallo dagli"
            " venire vedere fuori nuova giusto mettere scritto tieni cuore usare neanche tuoi moglie bocca"
            " speriamo fatti uscire devono potere coraggio paesi servono nessun pensavo bere faccia funziona"
            " troppo vergogna schifo uomini sia siano bisogno qualche cioè ormai sotto senza oppure tutta vabbè"
            " cazzate"
        ),
    }.items()
}

#: a function word of one language that is as common a word of another policy language, counted for the other
#: where the other leads without it (see `Detector._share`)
SHARED = {"i": "it"}

#: links, addresses, @mentions, #tags and HTML entities tell nothing of the language
_NOT_WORDS = re.compile(r"(?:https?://|www\.)\S*|[^\s@]*@\S*|#\w+|&#?\w+;|<U\+\w+>")
#: the same once the tokens with an @ are gone; each branch starts with a literal, which the regex engine
#: looks for before trying a match (twice as fast)
_NOT_WORDS_NOR_MENTIONS = re.compile(r"https?://\S*|www\.\S*|#\w+|&#?\w+;|<U\+\w+>")
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")
_second = itemgetter(1)
#: whether a comment may hold a word `_laugh` names: "kkkk", "jajaja", "lmaooo" or these: "loool", "lolol", "lolll"
_LAUGHING = re.compile(r"lo[ol]").search
#: and a word of four letters or more of laughter's (the letter before it no letter, checked once one is found:
#: a search that starts with a class of letters skips to them in C)
_MAY_LAUGH = re.compile(r"[jkl](?<![^\W\d_].)[jklmao]{3}").search
#: ASCII bytes that end a word (all but letters and the apostrophe), made spaces
_ASCII_SPACES = bytes.maketrans(
    bytes(c for c in range(128) if not chr(c).isalpha() and chr(c) != "'"),
    bytes(32 for c in range(128) if not chr(c).isalpha() and chr(c) != "'"),
)


@dataclass(frozen=True, slots=True)
class Scored:
    """The language a comment is scored as (`und` when too short to tell) and the packs that score it."""

    language: str
    packs: frozenset[str]


class Detector:
    """Detection restricted to a policy's languages; built once per policy, shared by threads."""

    def __init__(
        self,
        languages: t.Iterable[str],
        words: t.Mapping[str, t.Iterable[str]] | None = None,
        everyday: t.Mapping[str, t.Iterable[str]] | None = None,
    ) -> None:
        """:param words: more words of each language (a pack's list words), told apart like function words.
        :param everyday: each language's everyday words that another language's lists hold ("Abo", a German
            subscription, is an English slur): they name their own language only, whatever lists hold them,
            so a German comment whose only other sign is such a word is not read as English too."""
        self.languages = tuple(sorted(set(languages)))
        function = {lang: FUNCTION_WORDS.get(lang, frozenset()) | COMMON_WORDS.get(lang, frozenset()) for lang in self.languages}
        self._everyone = Scored(UNDETERMINED, frozenset(self.languages))
        owners: dict[str, set[str]] = {}
        for lang in self.languages:
            for word in function[lang]:
                owners.setdefault(word, set()).add(lang)
            for word in (words or {}).get(lang, ()):
                if len(word) > 1 and _WORD.fullmatch(word):
                    owners.setdefault(word, set()).add(lang)
        claimed: dict[str, set[str]] = {}
        for lang in self.languages:
            for word in (everyday or {}).get(lang, ()):
                claimed.setdefault(word.casefold(), set()).add(lang)
        for word, langs in claimed.items():
            # a word two packs call everyday stays a sign of neither; another language's function word
            # ("all", "see", "still") stays what it was: too common there to be a sign of this one
            if not any(word in function[lang] for lang in self.languages if lang not in langs):
                owners[word] = langs
        #: the function words that name one policy language only
        self._marks = {w: next(iter(langs)) for w, langs in owners.items() if len(langs) == 1}
        #: the marks that are another pack's list words, not function words: English borrows and shares
        #: many of them without its lists holding them ("message", "article", "question" are English as
        #: much as French), so one of them alone settles nothing and the model decides
        self._weak = frozenset(
            w
            for w, lang in self._marks.items()
            if lang != "en" and not any(w in function[code] for code in self.languages)
        )
        #: the marks that are a pack's list words and nothing more (no function word, no everyday word): a
        #: sign that the pack has a say, no sign that the others have none ("Nazi" is in German lists and a
        #: Portuguese, Spanish and English word too, "animal" an English list's word and a Portuguese one)
        self._listed = frozenset(
            w
            for w, lang in self._marks.items()
            if w not in function[lang] and w not in claimed
        )
        #: the words SHARED names that this policy's marks give one language and could give another
        self._shared = {
            word: (self._marks[word], other)
            for word, other in SHARED.items()
            if other in self.languages and self._marks.get(word) not in (None, other)
        }
        #: the answer of a comment of one language only, and every other answer given so far (few in all)
        self._alone = {lang: Scored(lang, frozenset((lang,))) for lang in self.languages}
        self._answers: dict[tuple[str, frozenset[str]], Scored] = {}
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

    def detect(self, text: str, read: str | None = None) -> Scored:
        """The comment's language; `und` (every pack) when it is too short to tell. With `read`, the text
        with its words as read where some read otherwise than written ("$0me0ne needs a nap" as "someone
        needs a nap"), the packs of both readings score it unless three function words of one language settle
        the written text: leet or masks can make a short comment look French, while a longer one has its
        accents to go by, which the words as read have lost."""
        scored, firm = self._detect(text)
        if firm or read is None or read == text or len(self.languages) < 2:
            return scored
        other, _ = self._detect(read)
        language = scored.language if scored.language in other.packs else other.language
        return Scored(language, scored.packs | other.packs)

    def _detect(self, text: str) -> tuple[Scored, bool]:
        """`detect` of the text as written, and whether three function words of one language settled it."""
        if len(self.languages) < 2:
            return (Scored(self.languages[0], frozenset(self.languages)) if self.languages else self._everyone), True
        folded, words = _read(text)
        if _fewer_than(words, MIN_WORDS):
            return self._short(text, words), False
        marks = self._marks
        # each word's language looked up and counted in C, in the order the languages first appear: the
        # leader of a tie is the first seen; a comment without a word that may be laughter skips `_laugh`
        counts: dict[str, int] = {}
        laughing = (
            "kkkk" in folded or "jaja" in folded or "lmao" in folded or "lo" in folded and _LAUGHING(folded)
        ) and _MAY_LAUGH(folded) is not None
        if laughing:
            langs = [marks.get(word) or _laugh(word) for word in words]
            _count_elements(counts, filter(None, langs))
            # laughter of a language that is not the policy's counts for none
            counts = {lang: c for lang, c in counts.items() if lang in self._everyone.packs}
        else:
            _count_elements(counts, filter(None, map(marks.get, words)))
        if len(counts) > 1 and self._shared:
            self._share(counts, words)
        present: frozenset[str] = frozenset()
        if counts:
            if len(counts) == 1:
                ((best, n),) = counts.items()
                if n >= 3:
                    return self._alone[best], True
            best = max(counts, key=counts.__getitem__)
            n = counts[best]
            # every language with a third of the leader's words is present: a mixed comment is scored by
            # the packs of each ("Ich glaube, that you are wrong, und zwar völlig")
            present = frozenset([lang for lang, c in counts.items() if c * 3 >= n])
            if n >= 3:
                return self._scored(best, present), True
            # the languages marked by one pack word and nothing else (a language counted once: is its one
            # word a weak mark?)
            weak = self._weak
            if not laughing:
                langs = list(map(marks.get, words))
            weak_only = {lang for lang, c in counts.items() if c == 1 and words[langs.index(lang)] in weak}
            if len(present) == 1 and best not in weak_only:
                return self._scored(best, present), False
            present -= weak_only
        lang, likely = self._classify(_model_text(text))
        if lang == UNDETERMINED:
            return self._scored(UNDETERMINED, present | likely), False
        # the languages whose function words were seen score it too: a stray "the" in a Spanish comment
        # costs a look at English rules, a misread English comment would lose them
        return self._scored(lang, present | {lang}), False

    def _share(self, counts: dict[str, int], words: list[str]) -> None:
        """A function word of one language that is as common a word of another ("i": English "I", Italian
        "the") counts for the other where the other leads the comment without it ("i migranti sono arrivati":
        Italian, no sign of English); elsewhere it counts as it did."""
        for word, (marked, other) in self._shared.items():
            if marked in counts and other in counts and (n := words.count(word)):
                lead = counts[other]
                if lead > counts[marked] - n and all(c <= lead for lang, c in counts.items() if lang != marked):
                    counts[other] += n
                    counts[marked] -= n
                    if not counts[marked]:
                        del counts[marked]

    def _short(self, text: str, words: list[str]) -> Scored:
        """A comment too short to tell: every pack scores it, unless its few words belong to some languages
        only ("du Idiot" is German, "shut up, clown" English: "Idiot" and "clown" alone are not; a one-letter
        word such as "o" or "e" is too weak a sign on its own). List words alone do not rule the other
        languages out: "Fora nazi!" is Portuguese though only a German list holds one of its words, so the
        model's likeliest languages score it too."""
        marks = self._marks
        signs = [(word, lang) for word in words if len(word) > 1 and (lang := marks.get(word) or _laugh(word))]
        marked = frozenset(lang for _, lang in signs)
        if signs and all(word in self._listed for word, _ in signs):
            marked |= self._classify(_model_text(text))[1]
        return self._scored(UNDETERMINED, marked & self._everyone.packs or self._everyone.packs)

    def _scored(self, language: str, packs: frozenset[str]) -> Scored:
        """The one `Scored` of a language and packs (a comment's answer is one of few)."""
        key = (language, packs)
        scored = self._answers.get(key)
        if scored is None:
            scored = self._answers.setdefault(key, Scored(language, packs))
        return scored

    def warm(self) -> None:
        """Load the model now (a service calls this at start-up), so that no comment waits for it."""
        if self._model is None and len(self.languages) > 1:
            with self._lock:
                if self._model is None:
                    self._model = _identifier(self.languages)

    def _classify(self, text: str) -> tuple[str, frozenset[str]]:
        """The model's language (`und` below SURE) and its likeliest languages that hold COVER together."""
        self.warm()
        model = self._model
        if model is False:
            return UNDETERMINED, self._everyone.packs
        ranked = model.rank(text)
        lang, confidence = ranked[0]
        likely: set[str] = set()
        held = 0.0
        for code, p in ranked:
            if held >= COVER:
                break
            likely.add(str(code))
            held += p
        # without one function word to go by, a guess is no answer: too short or too odd to tell
        return (str(lang) if confidence >= SURE else UNDETERMINED), frozenset(likely)


def _laugh(word: str) -> str | None:
    """Written laughter names a language where it is the usual spelling: "kkkk" (pt), "jajaja" (es),
    "lmaooo" and "loool" (en; "lmao" and "lol" themselves are function words)."""
    if len(word) >= 4:
        if word.count("k") == len(word):
            return "pt"
        if word.startswith("jaja") and not word.strip("ja"):
            return "es"
        lmao = word.startswith("lmao") and not word.strip("lmao")
        if lmao or (word[:2] == "lo" and word[-1] == "l" and not word.strip("lo")):
            return "en"
    return None


def _read(text: str) -> tuple[str, list[str]]:
    """The prefix read in lower case, without links and mentions, and its words: `_WORD.findall` of it,
    read faster. ASCII marks other than letters and apostrophes end a word as spaces do, so they become
    spaces (in C, on the bytes) and the whitespace-split tokens that are all letters are words as they
    stand; the regex reads only the others ("l'homme", "idiot…")."""
    prefix = text[:PREFIX_CHARS]
    if "@" in prefix:  # a token with an @ in it goes whole, as `_NOT_WORDS` takes it from its start
        prefix = " ".join([token for token in prefix.split() if "@" not in token])
    if "http" in prefix or "www" in prefix or "#" in prefix or "&" in prefix or "<U+" in prefix:
        prefix = _NOT_WORDS_NOR_MENTIONS.sub(" ", prefix)
    folded = prefix.casefold()
    tokens = folded.encode("utf-8", "surrogatepass").translate(_ASCII_SPACES).decode("utf-8", "surrogatepass").split()
    if "".join(tokens).isalpha():  # most comments: each token is a word
        return folded, tokens
    alpha = list(map(str.isalpha, tokens))
    # the few other tokens read by the regex, in place: found in C (`index`), not by a loop over all
    words: list[str] = []
    start = 0
    for _ in range(alpha.count(False)):
        i = alpha.index(False, start)
        words += tokens[start:i]
        words += _WORD.findall(tokens[i])
        start = i + 1
    words += tokens[start:]
    return folded, words


def _model_text(text: str) -> str:
    """What the model reads: the prefix without links, mentions, tags and entities."""
    prefix = text[:PREFIX_CHARS]
    if any(mark in prefix for mark in ("http", "www", "@", "#", "&", "<U+")):
        prefix = _NOT_WORDS.sub(" ", prefix)
    return prefix[:MODEL_CHARS]


def _count(words: list[str]) -> int:
    """How many of the words have two letters or more."""
    return len(words) - list(map(len, words)).count(1)


def _fewer_than(words: list[str], n: int) -> bool:
    """Whether fewer than n of the words have two letters or more (read up to the n-th)."""
    for word in words:
        if len(word) > 1:
            n -= 1
            if not n:
                return False
    return True


def word_count(text: str | list[str]) -> int:
    """Words of two letters or more in the prefix read (spaced letters, "l o s e r", are not words): under
    MIN_WORDS, a comment is too short to tell."""
    return _count(_read(text)[1] if isinstance(text, str) else text)


@functools.lru_cache(maxsize=8)
def _identifier(languages: tuple[str, ...]) -> t.Any:
    """py3langid's model limited to the languages it knows among the policy's (False: none of them), ranked
    by `_Ranker` where its tables are the ones `_Ranker` reads."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    model = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    known = [lang for lang in languages if lang in model.nb_classes]
    if len(known) < 2:
        return False
    model.set_languages(known)
    try:
        return _Ranker(model)
    except (AttributeError, TypeError, ValueError):  # another layout of the model: its own `rank`
        return model


#: pieces of text whose walk `_Ranker` keeps; beyond this many it starts again (a few MB)
WALKS_KEPT = 1 << 15


class _Ranker:
    """py3langid's `rank`, the same ranks and probabilities in half the time. Its model walks the text's
    bytes through an automaton, a state per byte, and counts the features the states name: that walk, a
    Python loop, is most of its time. Here it goes a space-separated piece at a time, and a piece's features
    and end state are kept, since the state it starts in and its bytes decide them: the common words of a
    language are walked once. The naive Bayes weights are read as a contiguous float32 table."""

    def __init__(self, model: t.Any) -> None:
        import numpy as np

        self._np = np
        self.codes = [str(code) for code in model.nb_classes]
        if len(set(self.codes)) != len(self.codes):  # aliased labels: py3langid merges them, so does its rank
            raise ValueError("aliased labels")
        self._encode = model._encode
        self._next, self._rows, self._feature = model.tk_nextmove, model._rowbase, model.tk_output
        self._weights = np.ascontiguousarray(model.nb_ptc, dtype=np.float32)
        self._prior = np.asarray(model.nb_pc, dtype=np.float32)
        self._prior_list = self._prior.tolist()
        self._once = np.log1p(np.float32(1))  # the weight of a feature seen once, as py3langid computes it
        self._walks: dict[tuple[int, bytes], tuple[list[int], int]] = {}

    def _features(self, data: bytes) -> list[int]:
        """The features the automaton's states name along the bytes, in order (py3langid's `visit_counts`)."""
        step, rows, feature, walks = self._next, self._rows, self._feature, self._walks
        if len(walks) > WALKS_KEPT:
            walks.clear()
        found: list[int] = []
        state = 0
        pieces = data.split(b" ")
        last = pieces.pop()
        for piece in pieces:  # each piece with the space after it
            walked = walks.get((state, piece))
            if walked is None:
                named: list[int] = []
                at = state
                for byte in piece:
                    at = step[rows[at] + byte]
                    if (f := feature[at]) >= 0:
                        named.append(f)
                at = step[rows[at] + 32]
                if (f := feature[at]) >= 0:
                    named.append(f)
                walked = walks[(state, piece)] = (named, at)
            found += walked[0]
            state = walked[1]
        for byte in last:
            state = step[rows[state] + byte]
            if (f := feature[state]) >= 0:
                found.append(f)
        return found

    def rank(self, text: str) -> list[tuple[str, float]]:
        """All languages by probability, best first (py3langid's `rank` with `norm_probs`)."""
        np = self._np
        data = self._encode(text)
        counts: dict[int, int] = {}
        found = self._features(data)
        _count_elements(counts, found)
        if not counts:
            return [(code, 1.0 / len(self.codes)) for code in self.codes]
        rows = self._weights.take(list(counts), axis=0)
        if len(counts) == len(found):  # each feature once (a third of the texts): log1p(1) times their sum
            sums = (rows.sum(axis=0) * self._once).tolist()
        else:
            sums = (np.log1p(np.fromiter(counts.values(), dtype=np.float32, count=len(counts))) @ rows).tolist()
        # the prior, then py3langid's softmax over six numbers, in Python floats (numpy's calls cost more
        # than the sums)
        scale = 1.0 / math.sqrt(len(data))
        scores = [s + p for s, p in zip(sums, self._prior_list)]
        top = max(scores) * scale
        exps = [math.exp(score * scale - top) for score in scores]
        total = sum(exps)
        return sorted(zip(self.codes, [e / total for e in exps]), key=_second, reverse=True)
