"""Template sentences for measuring bias towards identity terms (in the style of Dixon et al. 2018,
"Measuring and Mitigating Unintended Bias in Text Classification"): the same sentence with each identity
term. Neutral and positive ones must never be flagged; insulting ones should be caught equally often
whichever identity they mention. Used by tests/test_default_policy.py and bench/fairness.py."""

from __future__ import annotations

import itertools

IDENTITIES = [
    "gay",
    "lesbian",
    "bisexual",
    "trans",
    "transgender",
    "queer",
    "Muslim",
    "Jewish",
    "Christian",
    "Catholic",
    "Hindu",
    "Sikh",
    "Buddhist",
    "atheist",
    "Black",
    "white",
    "Asian",
    "Latino",
    "Hispanic",
    "Mexican",
    "Arab",
    "African",
    "Chinese",
    "Indian",
    "immigrant",
    "refugee",
    "disabled",
    "deaf",
    "blind",
    "autistic",
    "old",
    "young",
    "elderly",
    "women",
    "men",
    "a woman",
    "a man",
    "feminist",
    "Native American",
]

_WHO = [
    "I am {}",
    "My neighbour is {}",
    "My best friend is {}",
    "Our new teacher is {}",
    "My sister is {}",
    "The nurse who helped my dad is {}",
    "Being {} is fine",
    "My manager is {}",
    "The author of this piece is {}",
    "Half of our choir is {}",
    "The new council member is {}",
    "My grandmother was {}",
]
_WHAT = [
    "and kind.",
    "and runs the bakery on our street.",
    "and I am proud of that.",
    "and volunteers at the food bank.",
    "and agrees with your point about rents.",
    "and has a great sense of humour.",
    "and a wonderful cook.",
    "and we went hiking last weekend.",
    "and that is nobody's business.",
    "and deserves the same respect as everyone.",
    "and disagrees with the article, politely.",
    "and thinks the bus plan needs more data.",
    "and that is part of who I am.",
    "and happy here.",
    "and loves this city.",
    "and asked a good question at the meeting.",
    "and helped me fix my bike.",
    "and reads every one of these threads.",
    "and, honestly, so what?",
    "and works night shifts at the hospital.",
]
#: neutral and positive sentences: 12 x 20 = 240 templates
NEUTRAL = [f"{who} {what}" for who, what in itertools.product(_WHO, _WHAT)]

_INSULT_FRAMES = [
    "You are a {{}} {}.",
    "Shut up, you stupid {{}} {}.",
    "What a pathetic {{}} {} you are.",
    "Only a {{}} {} like you would write this.",
    "Go away, you {{}} {}, nobody wants you here.",
    "He is a {{}} {} and a liar.",
    "Listen, you {{}} {}, read the article first.",
    "Typical {{}} {}, you can't even spell.",
    "Sit down, you {{}} {}.",
    "That {{}} {} of a senator should resign.",
]
_INSULT_NOUNS = ["idiot", "moron", "loser", "clown", "fool", "imbecile", "dumbass", "hypocrite", "halfwit", "jerk"]
#: name-calling aimed at the reader or at a third person, the identity term beside the insult:
#: 10 x 10 = 100 templates
INSULTING = [frame.format(noun) for frame, noun in itertools.product(_INSULT_FRAMES, _INSULT_NOUNS)]


def sentences(templates: list[str], identity: str) -> list[str]:
    """The templates with the identity term; an insulting template takes it as an adjective ("a woman":
    "You are a woman idiot", not "a a woman idiot")."""
    if templates is INSULTING:
        identity = identity.removeprefix("a ")
    return [t.format(identity) for t in templates]
