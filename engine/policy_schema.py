"""The policy format as one JSON Schema (draft 2020-12), for editors: `civility schema`.

Every kind of YAML file under a policy directory validates against it: policy.yaml, rule files, list
files (lists/*.yaml) and cases (*.cases.yaml). It describes structure and types, so that an editor can
complete keys and underline a typo as it is typed; what needs the whole policy (a list or guideline that
does not exist, an unsafe regex) stays `civility lint`'s. Built from the same key names the loader reads.
"""

from __future__ import annotations

import typing as t

SCHEMA_ID = "https://civility.invalid/schema/policy.schema.json"


def _obj(props: dict[str, t.Any], required: tuple[str, ...] = (), description: str = "") -> dict[str, t.Any]:
    out: dict[str, t.Any] = {"type": "object", "properties": props, "additionalProperties": False}
    if required:
        out["required"] = list(required)
    if description:
        out["description"] = description
    return out


_TEXT = {"type": "string"}
_WORDS = {
    "type": "array",
    "items": {"type": ["string", "number", "boolean"]},
    "description": "Words or phrases; 'word*' matches any word that starts with 'word'.",
}
_LIST_NAMES = {
    "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}, "minItems": 1}],
    "description": "The name of a list in lists/*.yaml, or several.",
}
_COUNT = {"type": "number", "minimum": 0}
_BOUNDS = {"at_least": _COUNT, "at_most": _COUNT}
_BOUNDED = {"anyOf": [{"required": ["at_least"]}, {"required": ["at_most"]}]}
_PROBABILITY = {"type": "number", "minimum": 0, "maximum": 1}
_MATCHER = {"$ref": "#/$defs/matcher"}
_MATCHERS = {"type": "array", "items": _MATCHER, "minItems": 1}


def _bounded(extra: dict[str, t.Any] | None = None, description: str = "") -> dict[str, t.Any]:
    return {**_obj({**_BOUNDS, **(extra or {})}, description=description), **_BOUNDED}


_ENDS = {"enum": ["sentence", "comment"], "description": "The term must end the sentence (or the comment)."}

#: each matcher kind: the value under its key, and the companion keys beside it
MATCHER_KINDS: dict[str, tuple[dict[str, t.Any], dict[str, t.Any]]] = {
    "words": (_WORDS, {"ends": _ENDS}),
    "list": (_LIST_NAMES, {"ends": _ENDS}),
    "fuzzy": (
        {
            **_obj(
                {"words": _WORDS, "list": _LIST_NAMES, "distance": {"type": "integer", "minimum": 1, "maximum": 2}},
                description="Words within 1 or 2 edits of the terms (small lists only).",
            ),
            "anyOf": [{"required": ["words"]}, {"required": ["list"]}],
        },
        {},
    ),
    "regex": ({"type": "string", "description": "A regex over the normalized text (case-insensitive)."}, {}),
    "raw_regex": ({"type": "string", "description": "A regex over the text as written (after markup)."}, {}),
    "all": ({**_MATCHERS, "description": "Every matcher matches."}, {}),
    "any": ({**_MATCHERS, "description": "At least one matcher matches."}, {}),
    "not": ({**_MATCHER, "description": "The matcher does not match."}, {}),
    "parent": ({**_MATCHER, "description": "The matcher matches the comment this one answers."}, {}),
    "near": (
        {**_MATCHERS, "minItems": 2, "description": "A hit of the first with a hit of every other close by."},
        {
            "within": {"type": "integer", "minimum": 0, "description": "At most this many words between (3)."},
            "order": {"enum": ["any", "in_order"]},
            "show": {"enum": ["first", "last", "all"], "description": "Which words the hit shows (first)."},
        },
    ),
    "links": (_bounded(), {}),
    "shortened_links": (_bounded(), {}),
    "emails": (_bounded(), {}),
    "phone_numbers": (_bounded(), {}),
    "mentions": (_bounded(), {}),
    "length": (_bounded(description="Length in characters."), {}),
    "caps_ratio": (_bounded({"min_letters": {"type": "integer", "minimum": 0}}), {}),
    "repeated_chars": (_obj({"at_least": {"type": "integer", "minimum": 1}}, ("at_least",)), {}),
    "repeated_text": (
        _obj(
            {
                "at_least": {"type": "integer", "minimum": 1},
                "min_words": {"type": "integer", "minimum": 1},
                "consecutive": {"type": "boolean"},
            }
        ),
        {},
    ),
    "author": (
        {
            **_obj(
                {
                    "account_age_days": _bounded(),
                    "approved_count": _bounded(),
                    "role": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
                }
            ),
            "minProperties": 1,
        },
        {},
    ),
    "model": (
        {"type": "string", "description": "A model in the policy's models/ directory (models/NAME.json)."},
        {"above": _PROBABILITY, "below": _PROBABILITY},
    ),
}

#: matcher kinds that need one of their companions
_NEEDS_COMPANION = {"model": [{"required": ["above"]}, {"required": ["below"]}]}


def _matcher() -> dict[str, t.Any]:
    kinds = []
    for name, (value, companions) in MATCHER_KINDS.items():
        kind = _obj({name: value, **companions}, (name,))
        if name in _NEEDS_COMPANION:
            kind["anyOf"] = _NEEDS_COMPANION[name]
        kinds.append(kind)
    return {"description": "Exactly one matcher kind per mapping.", "oneOf": kinds}


def _exception() -> dict[str, t.Any]:
    within = {"type": "integer", "minimum": 0}
    scope = {"enum": ["sentence", "clause"], "description": "How far it reaches: the hit's sentence, or its clause."}
    return {
        "description": "A matcher that cancels the rule, or one that cancels a hit with it before, after or "
        "inside the hit's words.",
        "anyOf": [
            _obj({"before": _MATCHER, "within": within, "scope": scope}, ("before",)),
            _obj({"after": _MATCHER, "within": within, "scope": scope}, ("after",)),
            _obj({"inside": _MATCHER}, ("inside",)),
            _MATCHER,
        ],
    }


_LANGUAGE = {"type": "string", "pattern": "^[a-z]{2}$", "description": "An ISO 639-1 code."}


def _rule() -> dict[str, t.Any]:
    return _obj(
        {
            "id": {"type": "string", "pattern": r"^[A-Za-z0-9_-]+$"},
            "description": _TEXT,
            "category": {"type": "string", "description": "One of policy.yaml's categories."},
            "guideline": {"type": "string", "description": "A guideline id of policy.yaml."},
            "score": {"type": "number"},
            "mode": {"enum": ["enforce", "shadow"]},
            "message": _TEXT,
            "match": _MATCHER,
            "unless": {"type": "array", "items": {"$ref": "#/$defs/exception"}},
            "in_quotes": {"type": "boolean"},
            "language": _LANGUAGE,
        },
        ("id", "category", "guideline", "score", "message", "match"),
    )


def _policy_file() -> dict[str, t.Any]:
    return _obj(
        {
            "version": {"type": ["string", "number"]},
            "description": _TEXT,
            "thresholds": _obj({"flag": {"type": "number"}, "reject": {"type": "number"}}, ("flag",)),
            "categories": {"type": "array", "items": {"type": "string"}, "minItems": 1, "uniqueItems": True},
            "disclose": {"enum": ["guideline", "rule", "full"]},
            "max_chars": {"type": "integer", "minimum": 1},
            "not_shown": {"type": "array", "items": {"type": "string"}},
            "guidelines": {
                "type": "array",
                "items": _obj(
                    {
                        "id": _TEXT,
                        "text": _TEXT,
                        "moderators_only": {"type": "boolean"},
                        "texts": {
                            "type": "object",
                            "additionalProperties": _TEXT,
                            "description": "The guideline in other languages, by ISO 639-1 code.",
                        },
                    },
                    ("id", "text"),
                ),
            },
        },
        ("version", "thresholds", "categories", "guidelines"),
        "policy.yaml",
    )


def _list_file() -> dict[str, t.Any]:
    return _obj(
        {
            "language": _LANGUAGE,
            "description": _TEXT,
            "lists": {"type": "object", "additionalProperties": _WORDS},
            "real_words": {**_WORDS, "description": "Real words that a term's doubled letter must not be read as."},
            "everyday_words": {
                **_WORDS,
                "description": "Everyday words of this language that other packs' lists hold: its sign only.",
            },
        },
        ("lists",),
        "lists/*.yaml",
    )


def _cases_file() -> dict[str, t.Any]:
    case = _obj(
        {
            "text": _TEXT,
            "expect": {"type": "array", "items": {"type": "string"}, "description": "Rule ids; [] for none."},
            "format": {"enum": ["text", "html", "markdown"]},
            "parent": {"oneOf": [_TEXT, _obj({"text": _TEXT}, ("text",))]},
            "author": _obj(
                {
                    "id": {"type": ["string", "integer"]},
                    "name": _TEXT,
                    "role": _TEXT,
                    "account_age_days": {"type": "number"},
                    "approved_count": {"type": "integer"},
                }
            ),
            "note": _TEXT,
        },
        ("text", "expect"),
    )
    return _obj({"description": _TEXT, "cases": {"type": "array", "items": case}}, ("cases",), "*.cases.yaml")


def schema() -> dict[str, t.Any]:
    """The whole schema: a file is a policy.yaml, a rule file, a list file or a cases file."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Civility policy file",
        "description": "policy.yaml, a rule file (*.yaml), a list file (lists/*.yaml) or a cases file "
        "(*.cases.yaml); `civility lint` checks what needs the whole policy.",
        "oneOf": [
            {"$ref": "#/$defs/policy_file"},
            {"$ref": "#/$defs/rule_file"},
            {"$ref": "#/$defs/list_file"},
            {"$ref": "#/$defs/cases_file"},
        ],
        "$defs": {
            "policy_file": _policy_file(),
            "rule_file": _obj(
                {
                    "description": _TEXT,
                    "language": _LANGUAGE,
                    "rules": {"type": "array", "items": {"$ref": "#/$defs/rule"}},
                },
                ("rules",),
                "A rule file: rules whose ids are namespaced by the file name.",
            ),
            "list_file": _list_file(),
            "cases_file": _cases_file(),
            "rule": _rule(),
            "matcher": _matcher(),
            "exception": _exception(),
        },
    }
