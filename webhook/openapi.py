"""The OpenAPI 3.1 description of every route; ``tests/test_webhook_openapi.py`` checks real responses against it.

Request bodies are the very schemas the handlers validate with (:mod:`webhook.schemas`); responses are
described here and checked against real answers by the tests, and the whole document drives the API fuzzing
in ``tests/test_webhook_fuzz.py``.
"""

from __future__ import annotations

import typing as t

from . import schemas

S = dict[str, t.Any]


def _ref(name: str) -> S:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: S, description: str = "OK") -> S:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _body(schema: S, media: str = "application/json") -> S:
    """A required request body of one media type."""
    return {"required": True, "content": {media: {"schema": schema}}}


def _text(schema: S, description: str) -> S:
    return {"description": description, "content": {"text/plain": {"schema": schema}}}


_HIT: S = {
    "type": "object",
    "required": ["rule", "category", "guideline", "score", "span", "match"],
    "properties": {
        "rule": {"type": "string"},
        "category": {"type": "string"},
        "guideline": {"type": "string"},
        "score": {"type": "number"},
        "span": {
            "oneOf": [{"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2}, {"type": "null"}]
        },
        "match": {"type": ["string", "null"]},
        "spans": {"type": "array", "items": {"type": "array", "items": {"type": "integer"}}},
    },
}
_DECISION: S = {
    "type": "object",
    "description": "CONTRACT.md section 1",
    "required": [
        "id",
        "decision",
        "score",
        "categories",
        "hits",
        "shadow_hits",
        "reasons",
        "message",
        "policy_version",
    ],
    "properties": {
        "id": {"type": "string"},
        "decision": {"enum": ["approve", "flag", "reject"]},
        "score": {"type": "number"},
        "categories": {"type": "array", "items": {"type": "string"}},
        "hits": {"type": "array", "items": _ref("Hit")},
        "shadow_hits": {"type": "array", "items": _ref("Hit")},
        "reasons": {"type": "array", "items": {"enum": ["timeout", "too_long", "engine_error", "policy_unavailable"]}},
        "message": {"type": "string"},
        "policy_version": {"type": "string"},
        "language": {"type": "string", "description": "ISO 639-1 code the comment was scored as; und: too short"},
        "guideline_text": {
            "type": "string",
            "description": (
                "the top hit's guideline in the community's words, in the comment's language where the policy has it"
            ),
        },
    },
}
_ERROR: S = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "field": {"type": "string"}},
        }
    },
}
_GOOGLE_ERROR: S = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "status"],
            "properties": {"code": {"type": "integer"}, "message": {"type": "string"}, "status": {"type": "string"}},
        }
    },
}
_SCORE: S = {
    "type": "object",
    "required": ["value", "type"],
    "properties": {"value": {"type": "number", "minimum": 0, "maximum": 1}, "type": {"const": "PROBABILITY"}},
}
_CORAL_RESPONSE: S = {
    "type": "object",
    "properties": {
        "status": {"enum": ["NONE", "APPROVED", "REJECTED", "PREMOD", "SYSTEM_WITHHELD"]},
        "actions": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["actionType", "reason"],
                "properties": {
                    "actionType": {"const": "FLAG"},
                    "reason": {"enum": ["COMMENT_DETECTED_TOXIC", "COMMENT_DETECTED_SPAM"]},
                },
            },
        },
        "moderationAction": {
            "type": "object",
            "required": ["status"],
            "properties": {
                "status": {"type": "string"},
                "rejectionReason": {
                    "type": "object",
                    "required": ["code"],
                    "properties": {
                        "code": {
                            "enum": [
                                "OFFENSIVE",
                                "ABUSIVE",
                                "SPAM",
                                "BANNED_WORD",
                                "AD",
                                "ILLEGAL_CONTENT",
                                "HARASSMENT_BULLYING",
                                "MISINFORMATION",
                                "HATE_SPEECH",
                                "IRRELEVANT_CONTENT",
                                "OTHER",
                            ]
                        },  # fmt: skip
                        "detailedExplanation": {"type": "string"},
                        "customReason": {"type": "string"},
                    },
                },
            },
        },
    },
    "additionalProperties": False,
}

_ERRORS_V1 = {str(c): _json(_ref("Error"), d) for c, d in
              [(400, "Malformed request; `field` names the culprit"), (401, "Missing or wrong credentials"),
               (413, "Body over CIVILITY_MAX_BODY_BYTES"), (415, "Not JSON")]}  # fmt: skip
_OFF = _json(_ref("Error"), "The adapter is off: its secret is not configured (the message names the setting)")
_ERRORS_GOOGLE = {str(c): _json(_ref("GoogleError"), d) for c, d in
                  [(400, "Invalid argument or key (Google's error shape)"),
                   (404, "The adapter is off: CIVILITY_PERSPECTIVE_KEYS is not configured"),
                   (413, "Body over CIVILITY_MAX_BODY_BYTES"), (415, "Not JSON")]}  # fmt: skip
_DISCOURSE_FORM: S = {
    "type": "object",
    "required": ["payload"],
    "properties": {"payload": {"type": "string", "description": "the event as JSON"}},
}
_AKISMET_INVALID = "`invalid`, with the reason in the X-akismet-debug-help header"


def _akismet(summary: str, form: S, ok: S, ok_desc: str) -> S:
    return {
        "post": {
            "summary": summary,
            "tags": ["akismet"],
            "requestBody": _body(form, "application/x-www-form-urlencoded"),
            "responses": {"200": _text({"anyOf": [ok, {"const": "invalid"}]}, f"{ok_desc}; or {_AKISMET_INVALID}")},
        }
    }


def spec() -> S:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Civility webhook service", "version": "1", "description": "See docs/service.md."},
        "paths": {
            "/v1/moderate": {
                "post": {
                    "summary": "Moderate one comment",
                    "tags": ["api"],
                    "requestBody": _body(_ref("Comment")),
                    "responses": {"200": _json(_ref("Decision"), "The decision"), **_ERRORS_V1},
                }
            },
            "/v1/moderate/batch": {
                "post": {
                    "summary": "Moderate up to CIVILITY_MAX_BATCH comments",
                    "tags": ["api"],
                    "requestBody": _body(schemas.BATCH),
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "required": ["decisions"],
                                "properties": {"decisions": {"type": "array", "items": _ref("Decision")}},
                            },
                            "The decisions, in input order",
                        ),
                        **_ERRORS_V1,
                    },
                }  # fmt: skip
            },
            "/v1/decisions/{id}": {
                "get": {
                    "summary": "The latest stored decision for an id, explained",
                    "tags": ["api"],
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": {
                        "200": _json(_ref("StoredDecision")),
                        "404": _json(_ref("Error"), "Unknown id"),
                        "401": _ERRORS_V1["401"],
                    },  # fmt: skip
                }
            },
            "/v1/feedback": {
                "post": {
                    "summary": "A moderator's verdict on a decision",
                    "tags": ["api"],
                    "requestBody": _body(schemas.FEEDBACK),
                    "responses": {
                        "201": _json(
                            {
                                "type": "object",
                                "required": ["id", "verdict", "label", "agrees"],
                                "properties": {
                                    "id": {"type": "string"},
                                    "verdict": {"type": "string"},
                                    "label": {"type": "string"},
                                    "agrees": {"type": "boolean"},
                                },
                            },
                            "Recorded",
                        ),
                        "404": _json(_ref("Error"), "Unknown decision id"),
                        **_ERRORS_V1,
                    },
                }  # fmt: skip
            },
            "/coral": {
                "post": {
                    "summary": "Coral external moderation phase",
                    "tags": ["coral"],
                    "parameters": [{"name": "X-Coral-Signature", "in": "header", "schema": {"type": "string"}}],
                    "requestBody": _body(schemas.CORAL_PHASE),
                    "responses": {
                        "200": _json(
                            _ref("CoralResponse"),
                            "Coral's phase result; any failure after a valid signature is SYSTEM_WITHHELD",
                        ),
                        "401": _json(_ref("Error"), "Missing or invalid signature"),
                        "404": _OFF,
                        "413": _ERRORS_V1["413"],
                    },
                }  # fmt: skip
            },
            "/discourse": {
                "post": {
                    "summary": "Discourse webhook (ping, post_created, post_edited)",
                    "tags": ["discourse"],
                    "parameters": [
                        {"name": "X-Discourse-Event-Signature", "in": "header", "schema": {"type": "string"}},
                        {"name": "X-Discourse-Event", "in": "header", "schema": {"type": "string"}},
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": schemas.DISCOURSE_EVENT},
                            "application/x-www-form-urlencoded": {"schema": _DISCOURSE_FORM},
                        },
                    },
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "oneOf": [
                                    {"required": ["ping"], "properties": {"ping": {"const": "OK"}}},
                                    {"required": ["ignored"], "properties": {"ignored": {"type": "string"}}},
                                    {
                                        "required": ["id", "decision", "flag_queued"],
                                        "properties": {
                                            "id": {"type": "string"},
                                            "decision": {"enum": ["approve", "flag", "reject"]},
                                            "flag_queued": {"type": "boolean"},
                                        },
                                    },
                                ],
                            },
                            "Accepted",
                        ),
                        **_ERRORS_V1,
                        "404": _OFF,
                    },
                }  # fmt: skip
            },
            "/1.1/comment-check": _akismet(
                "Akismet-compatible comment check",
                schemas.AKISMET_CHECK,
                {"enum": ["true", "false"]},
                "`true` (spam; X-akismet-pro-tip: discard for a certain reject) or `false`",
            ),
            "/1.1/verify-key": _akismet(
                "Akismet-compatible key check", schemas.AKISMET_VERIFY, {"const": "valid"}, "`valid`"
            ),
            "/1.1/submit-spam": _akismet(
                "Moderator says spam (feedback)",
                schemas.AKISMET_SUBMIT,
                {"const": "Thanks for making the web a better place."},
                "Recorded",
            ),
            "/1.1/submit-ham": _akismet(
                "Moderator says ham (feedback)",
                schemas.AKISMET_SUBMIT,
                {"const": "Thanks for making the web a better place."},
                "Recorded",
            ),
            "/v1alpha1/comments:analyze": {
                "post": {
                    "summary": "Perspective-compatible analysis",
                    "description": "Each attribute's value lies in the band the decision fixes (approve below 0.80,"
                    " flag 0.81 to 0.94, reject 0.95 to 0.999) and, inside it, follows the policy's models'"
                    " probability and the score of the attribute's hits (docs/service.md).",
                    "tags": ["perspective"],
                    "parameters": [{"name": "key", "in": "query", "schema": {"type": "string"}}],
                    "requestBody": _body(schemas.PERSPECTIVE_ANALYZE),
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "required": ["attributeScores", "languages"],
                                "properties": {
                                    "attributeScores": {
                                        "type": "object",
                                        "additionalProperties": {
                                            "type": "object",
                                            "required": ["summaryScore"],
                                            "properties": {
                                                "summaryScore": _ref("Score"),
                                                "spanScores": {
                                                    "type": "array",
                                                    "items": {
                                                        "type": "object",
                                                        "required": ["begin", "end", "score"],
                                                        "properties": {
                                                            "begin": {"type": "integer"},
                                                            "end": {"type": "integer"},
                                                            "score": _ref("Score"),
                                                        },
                                                    },
                                                },
                                            },
                                        },
                                    },
                                    "languages": {"type": "array", "items": {"type": "string"}},
                                    "clientToken": {"type": "string"},
                                },
                            },
                            "Scores",
                        ),
                        **_ERRORS_GOOGLE,
                    },
                }  # fmt: skip
            },
            "/v1alpha1/comments:suggestscore": {
                "post": {
                    "summary": "Perspective-compatible feedback (Coral: 0 approved, 1 rejected)",
                    "description": "Recorded as a moderator's verdict, which `civility feedback export` writes"
                    " for `civility eval` and `civility learn --feedback`.",
                    "tags": ["perspective"],
                    "parameters": [{"name": "key", "in": "query", "schema": {"type": "string"}}],
                    "requestBody": _body(schemas.PERSPECTIVE_SUGGEST),
                    "responses": {
                        "200": _json({"type": "object", "properties": {"clientToken": {"type": "string"}}}, "Recorded"),
                        **_ERRORS_GOOGLE,
                    },
                }  # fmt: skip
            },
            "/healthz": {
                "get": {
                    "summary": "Alive",
                    "tags": ["ops"],
                    "responses": {
                        "200": _json(
                            {"type": "object", "required": ["status"], "properties": {"status": {"const": "ok"}}}
                        )
                    },
                }
            },
            "/readyz": {
                "get": {
                    "summary": "Policy loaded; its version and the last reload error",
                    "tags": ["ops"],
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "required": ["status", "policy_version", "policy_source", "reload_error"],
                                "properties": {
                                    "status": {"const": "ready"},
                                    "policy_version": {"type": "string"},
                                    "policy_source": {"enum": ["bundled", "files", "last-good"]},
                                    "policy_dir": {"type": ["string", "null"]},
                                    "loaded_at": {"type": "string"},
                                    "reload_error": {"type": ["string", "null"]},
                                    "unsigned_routes": {"type": "array", "items": {"type": "string"}},
                                },
                            }
                        )
                    },
                }
            },
            "/openapi.json": {
                "get": {
                    "summary": "This document",
                    "tags": ["ops"],
                    "responses": {"200": _json({"type": "object", "required": ["openapi", "paths"]})},
                }
            },
        },  # fmt: skip
        "components": {
            "schemas": {
                "Hit": _HIT,
                "Decision": _DECISION,
                "StoredDecision": {
                    "allOf": [_ref("Decision")],
                    "required": ["explanation", "source", "decided_at", "text"],
                    "properties": {
                        "explanation": {"type": "array", "items": {"type": "string"}},
                        "source": {"type": "string"},
                        "decided_at": {"type": "string"},
                        "text": {"type": ["string", "null"]},
                    },
                },  # fmt: skip
                "Comment": schemas.COMMENT,
                "Error": _ERROR,
                "GoogleError": _GOOGLE_ERROR,
                "Score": _SCORE,
                "CoralResponse": _CORAL_RESPONSE,
            }
        },
    }
