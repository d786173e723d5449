"""Request shapes, as JSON Schema: the one source for the handlers' validation and for ``/openapi.json``.

Each handler validates its decoded body with :func:`validate` before reading it, and ``webhook/openapi.py``
publishes these same objects as the request bodies, so the document cannot drift from what is accepted.
Only the keywords :func:`validate` understands are used: ``type``, ``required``, ``properties``,
``additionalProperties``, ``items``, ``enum`` and ``minProperties``. Unknown fields are accepted (clients
send more than we read), unless a schema says otherwise.
"""

from __future__ import annotations

import math
import typing as t

from .errors import ApiError

S = dict[str, t.Any]

_ID: S = {"type": ["string", "integer", "null"]}
_OPT_STR: S = {"type": ["string", "null"]}
_OPT_NUM: S = {"type": ["number", "null"]}

COMMENT: S = {
    "type": "object",
    "description": "CONTRACT.md section 2",
    "required": ["text"],
    "properties": {
        "id": _ID,
        "text": {"type": "string"},
        "format": {"enum": ["text", "html", "markdown", None]},
        "language": {"type": ["string", "null"], "description": "ISO 639-1 code (es, pt-BR); overrides detection"},
        "author": {
            "type": ["object", "null"],
            "properties": {
                "id": _ID,
                "name": _ID,
                "role": _ID,
                "account_age_days": _OPT_NUM,
                "approved_count": _OPT_NUM,
            },
        },  # fmt: skip
        "parent": {"type": ["object", "null"], "required": ["text"], "properties": {"text": {"type": "string"}}},
        "context": {"type": ["object", "null"]},
    },
}
BATCH: S = {
    "type": "object",
    "required": ["comments"],
    "properties": {"comments": {"type": "array", "items": COMMENT, "description": "at most CIVILITY_MAX_BATCH"}},
}
FEEDBACK: S = {
    "type": "object",
    "required": ["id", "verdict"],
    "properties": {
        "id": {"type": ["string", "integer"]},
        "verdict": {"type": "string", "description": "ok or a category"},
    },
}
CORAL_PHASE: S = {
    "type": "object",
    "required": ["comment"],
    "properties": {
        "action": {},
        "comment": {"type": "object", "required": ["body"],
                    "properties": {"body": {"type": "string", "description": "HTML"}, "parentID": {}}},
        "author": {},
        "story": {},
        "site": {},
        "tenantID": {},
        "tenantDomain": {},
    },
}  # fmt: skip
DISCOURSE_POST: S = {
    "type": "object",
    "required": ["id", "raw"],
    "properties": {
        "id": {"type": ["integer", "string"]},
        "raw": {"type": "string", "description": "Markdown"},
        "version": {"type": ["integer", "string", "null"]},
        "username": {},
        "user_id": {},
        "topic_id": {},
        "post_number": {},
        "trust_level": {},
        "locale": {"description": "the post's language, where the forum sends one"},
    },
}
DISCOURSE_EVENT: S = {
    "type": "object",
    "description": "`post` is required for post_created and post_edited; a ping carries `ping`",
    "properties": {"post": DISCOURSE_POST, "ping": {}},
}
_LANGUAGES: S = {"type": ["array", "null"], "items": {"type": "string"}}
_PERSPECTIVE_TEXT: S = {
    "type": "object",
    "required": ["text"],
    "properties": {
        "text": {"type": "string"},
        "type": {"type": ["string", "null"], "description": "PLAIN_TEXT or HTML"},
    },
}
PERSPECTIVE_ANALYZE: S = {
    "type": "object",
    "required": ["comment", "requestedAttributes"],
    "properties": {
        "comment": _PERSPECTIVE_TEXT,
        "requestedAttributes": {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": {
                "type": ["object", "null"],
                "properties": {"scoreThreshold": _OPT_NUM, "scoreType": _OPT_STR},
            },
        },
        "spanAnnotations": {"type": ["boolean", "null"]},
        "languages": _LANGUAGES,
        "doNotStore": {"type": ["boolean", "null"]},
        "clientToken": _OPT_STR,
    },
}
PERSPECTIVE_SUGGEST: S = {
    "type": "object",
    "required": ["comment", "attributeScores"],
    "properties": {
        "comment": _PERSPECTIVE_TEXT,
        "attributeScores": {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": {
                "type": "object",
                "required": ["summaryScore"],
                "properties": {
                    "summaryScore": {
                        "type": "object",
                        "required": ["value"],
                        "properties": {"value": {"type": "number"}},
                    }
                },
            },
        },
        "languages": _LANGUAGES,
        "clientToken": _OPT_STR,
        "context": {},
        "communityId": {},
    },
}


def akismet_form(*required: str) -> S:
    """An Akismet form; every field is a string. ``required`` fields must be present and non-empty."""
    names = ("api_key", "key", "blog", "user_ip", "user_agent", "referrer", "permalink", "comment_type",
             "comment_author", "comment_author_email", "comment_author_url", "comment_content", "user_role",
             "is_test", "blog_lang", "blog_charset")  # fmt: skip
    return {"type": "object", "required": list(required), "properties": {n: {"type": "string"} for n in names}}


AKISMET_CHECK = akismet_form("blog", "user_ip")
AKISMET_SUBMIT = akismet_form("blog")
AKISMET_VERIFY = akismet_form("blog")  # the key comes from "key", "api_key" or the Host

_TYPES: dict[str, t.Callable[[t.Any], bool]] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def validate(schema: S, value: t.Any, path: str = "") -> None:
    """Check ``value`` against ``schema``.

    :raises ApiError: 400 ``invalid_field`` naming the first field at fault (``body`` for the whole body).
    """
    where = path or "body"
    kinds = schema.get("type")
    if kinds is not None:
        kinds = [kinds] if isinstance(kinds, str) else kinds
        if not any(_TYPES[k](value) for k in kinds):
            raise ApiError(400, "invalid_field", f"'{where}' must be {' or '.join(_article(k) for k in kinds)}", where)
    if "enum" in schema and value not in schema["enum"]:
        allowed = ", ".join(str(v) for v in schema["enum"] if v is not None)
        raise ApiError(400, "invalid_field", f"'{where}' must be one of {allowed}", where)
    if isinstance(value, dict):
        for name in schema.get("required", ()):
            if value.get(name) is None:
                field = f"{path}.{name}" if path else name
                raise ApiError(400, "invalid_field", f"'{field}' is required", field)
        if len(value) < schema.get("minProperties", 0):
            raise ApiError(400, "invalid_field", f"'{where}' must name at least one entry", where)
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for name, item in value.items():
            sub = props.get(name, extra if isinstance(extra, dict) else None)
            if sub is not None:
                validate(sub, item, f"{path}.{name}" if path else str(name))
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            validate(schema["items"], item, f"{where}[{i}]")


def _article(kind: str) -> str:
    return {"object": "an object", "array": "an array", "integer": "an integer", "null": "null"}.get(kind, f"a {kind}")
