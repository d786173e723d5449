"""The comment as sent by callers: validation names the field at fault."""

from __future__ import annotations

import pytest

from engine import Comment, CommentError


def test_full_comment() -> None:
    c = Comment.from_dict(
        {
            "id": 7,
            "text": "hi",
            "format": "html",
            "author": {"account_age_days": 3, "role": "member"},
            "parent": {"text": "earlier"},
            "context": {"language": "en"},
            "extra": True,
        }
    )
    assert (c.id, c.format, c.author.account_age_days, c.parent_text) == ("7", "html", 3, "earlier")


@pytest.mark.parametrize(
    "data, field",
    [
        ([], ""),
        ({}, "text"),
        ({"text": 5}, "text"),
        ({"text": "x", "id": True}, "id"),
        ({"text": "x", "format": "pdf"}, "format"),
        ({"text": "x", "author": "bob"}, "author"),
        ({"text": "x", "author": {"approved_count": "many"}}, "author.approved_count"),
        ({"text": "x", "parent": {"text": None}}, "parent.text"),
    ],
)
def test_bad_fields_are_named(data: object, field: str) -> None:
    with pytest.raises(CommentError) as info:
        Comment.from_dict(data)
    assert info.value.field == field
