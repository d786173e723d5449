"""Request schemas: the handlers validate with them and /openapi.json publishes them, so the two agree."""

from __future__ import annotations

import pytest

from webhook import schemas
from webhook.errors import ApiError
from webhook.openapi import spec


def test_the_document_publishes_the_schemas_the_handlers_validate_with():
    paths = spec()["paths"]

    def body(path: str, media: str = "application/json"):  # type: ignore[no-untyped-def]
        return paths[path]["post"]["requestBody"]["content"][media]["schema"]

    assert spec()["components"]["schemas"]["Comment"] is schemas.COMMENT
    assert body("/v1/moderate/batch") is schemas.BATCH and body("/v1/feedback") is schemas.FEEDBACK
    assert body("/coral") is schemas.CORAL_PHASE and body("/discourse") is schemas.DISCOURSE_EVENT
    assert body("/v1alpha1/comments:analyze") is schemas.PERSPECTIVE_ANALYZE
    assert body("/v1alpha1/comments:suggestscore") is schemas.PERSPECTIVE_SUGGEST
    form = "application/x-www-form-urlencoded"
    assert body("/1.1/comment-check", form) is schemas.AKISMET_CHECK
    assert body("/1.1/submit-spam", form) is body("/1.1/submit-ham", form) is schemas.AKISMET_SUBMIT
    assert body("/1.1/verify-key", form) is schemas.AKISMET_VERIFY


@pytest.mark.parametrize(
    ("schema", "value", "field"),
    [
        (schemas.COMMENT, [1], "body"),
        (schemas.COMMENT, {"id": "x"}, "text"),
        (schemas.COMMENT, {"text": "hi", "id": True}, "id"),
        (schemas.COMMENT, {"text": "hi", "format": "pdf"}, "format"),
        (schemas.COMMENT, {"text": "hi", "author": {"account_age_days": "old"}}, "author.account_age_days"),
        (schemas.COMMENT, {"text": "hi", "parent": {}}, "parent.text"),
        (schemas.BATCH, {"comments": [{"text": "a"}, {"text": 5}]}, "comments[1].text"),
        (schemas.FEEDBACK, {"id": 3}, "verdict"),
        (schemas.PERSPECTIVE_ANALYZE, {"comment": {"text": "x"}, "requestedAttributes": {}}, "requestedAttributes"),
        (schemas.PERSPECTIVE_SUGGEST, {"comment": {"text": "x"}, "attributeScores": {"TOXICITY": {"summaryScore": {"value": "1"}}}},
         "attributeScores.TOXICITY.summaryScore.value"),
        (schemas.DISCOURSE_EVENT, {"post": {"id": 1.5, "raw": "x"}}, "post.id"),
    ],
)  # fmt: skip
def test_a_wrong_body_names_its_field(schema, value, field):
    with pytest.raises(ApiError) as e:
        schemas.validate(schema, value)
    assert e.value.status == 400 and e.value.field == field and field in e.value.message


@pytest.mark.parametrize(
    ("schema", "value"),
    [
        (schemas.COMMENT, {"text": "hi", "id": 7, "format": None, "author": None, "unknown": [1]}),
        (schemas.COMMENT, {"text": "", "language": "de", "author": {"id": 3, "approved_count": 2.0}}),
        (schemas.PERSPECTIVE_ANALYZE, {"comment": {"text": "x", "type": "HTML"}, "requestedAttributes": {"TOXICITY": {}}}),
        (schemas.DISCOURSE_EVENT, {"ping": "OK"}),
    ],
)  # fmt: skip
def test_what_clients_send_passes(schema, value):
    schemas.validate(schema, value)


def test_non_finite_numbers_are_not_numbers():
    with pytest.raises(ApiError):
        schemas.validate(schemas.COMMENT, {"text": "x", "author": {"account_age_days": float("inf")}})
