"""The comment going in and the decision coming out (CONTRACT.md sections 1 and 2)."""

from __future__ import annotations

import enum
import typing as t
from dataclasses import dataclass, field, replace

FORMATS = ("text", "html", "markdown")
MAX_LISTED_SPANS = 20  # a hit lists where else its rule matched, up to this many


class Verdict(str, enum.Enum):
    APPROVE = "approve"
    FLAG = "flag"
    REJECT = "reject"


class Reason(str, enum.Enum):
    """Why a decision was made without rules; any of these fails closed to flag."""

    TIMEOUT = "timeout"
    TOO_LONG = "too_long"
    ENGINE_ERROR = "engine_error"
    POLICY_UNAVAILABLE = "policy_unavailable"


class CommentError(ValueError):
    """A comment that does not have the shape of CONTRACT.md section 2; `field` names the culprit."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class Author:
    id: str | None = None
    name: str | None = None
    role: str | None = None
    account_age_days: float | None = None
    approved_count: int | None = None


@dataclass(frozen=True, slots=True)
class Comment:
    text: str
    id: str | None = None
    format: str = "text"
    author: Author | None = None
    parent_text: str | None = None
    context: t.Mapping[str, t.Any] = field(default_factory=dict)
    #: the caller's ISO 639-1 code ("es", "pt-BR"); overrides detection
    language: str | None = None

    @classmethod
    def from_dict(cls, data: t.Any) -> Comment:
        """Validate a decoded JSON object; unknown top-level fields are ignored.

        :raises CommentError: naming the field that is missing or of the wrong type.
        """
        if not isinstance(data, dict):
            raise CommentError("a comment must be a JSON object", "")
        text = data.get("text")
        if not isinstance(text, str):
            raise CommentError("'text' is required and must be a string", "text")
        cid = data.get("id")
        if isinstance(cid, bool) or (cid is not None and not isinstance(cid, (str, int))):
            raise CommentError("'id' must be a string", "id")
        fmt = data.get("format", "text")
        if fmt is None:
            fmt = "text"
        if fmt not in FORMATS:
            raise CommentError(f"'format' must be one of {', '.join(FORMATS)}", "format")
        context = data.get("context") or {}
        if not isinstance(context, dict):
            raise CommentError("'context' must be an object", "context")
        language = data.get("language")
        if language is not None and not isinstance(language, str):
            raise CommentError("'language' must be a string such as \"es\"", "language")
        return cls(
            text=text,
            id=None if cid is None else str(cid),
            format=fmt,
            author=_author(data.get("author")),
            parent_text=_parent_text(data.get("parent")),
            context=context,
            language=language or None,
        )


def _author(data: t.Any) -> Author | None:
    if data is None:
        return None
    if not isinstance(data, dict):
        raise CommentError("'author' must be an object", "author")
    values: dict[str, t.Any] = {}
    for key in ("id", "name", "role"):
        v = data.get(key)
        if isinstance(v, bool) or (v is not None and not isinstance(v, (str, int))):
            raise CommentError(f"'author.{key}' must be a string", f"author.{key}")
        values[key] = None if v is None else str(v)
    for key in ("account_age_days", "approved_count"):
        v = data.get(key)
        if v is not None and (not isinstance(v, (int, float)) or isinstance(v, bool) or v != v):
            raise CommentError(f"'author.{key}' must be a number", f"author.{key}")
        values[key] = v
    return Author(**values)


def _parent_text(data: t.Any) -> str | None:
    if data is None:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        raise CommentError("'parent' must be an object with a string 'text'", "parent.text")
    return t.cast(str, data["text"])


@dataclass(frozen=True, slots=True)
class Hit:
    """One rule that fired: where in the text as received (code points, [start, end))."""

    rule: str
    category: str
    guideline: str
    score: float
    span: tuple[int, int] | None
    match: str | None
    spans: tuple[tuple[int, int], ...] = ()
    #: on a hit of a `model` matcher: the model's calibrated probability
    probability: float | None = None

    def to_dict(self) -> dict[str, t.Any]:
        out: dict[str, t.Any] = {
            "rule": self.rule,
            "category": self.category,
            "guideline": self.guideline,
            "score": self.score,
            "span": list(self.span) if self.span is not None else None,
            "match": self.match,
        }
        if len(self.spans) > 1:
            out["spans"] = [list(s) for s in self.spans]
        if self.probability is not None:
            out["probability"] = self.probability
        return out


@dataclass(frozen=True, slots=True)
class Decision:
    id: str | None
    decision: Verdict
    score: float
    categories: tuple[str, ...]
    hits: tuple[Hit, ...]
    shadow_hits: tuple[Hit, ...]
    reasons: tuple[Reason, ...]
    message: str
    policy_version: str
    label: str
    #: the language the comment was scored as, when the policy has more than one
    language: str | None = None
    #: the top hit's guideline in the community's words, in that language where the policy has it
    guideline_text: str | None = None

    def to_dict(self) -> dict[str, t.Any]:
        out: dict[str, t.Any] = {
            "id": self.id,
            "decision": self.decision.value,
            "score": self.score,
            "categories": list(self.categories),
            "hits": [h.to_dict() for h in self.hits],
            "shadow_hits": [h.to_dict() for h in self.shadow_hits],
            "reasons": [r.value for r in self.reasons],
            "message": self.message,
            "policy_version": self.policy_version,
        }
        if self.language is not None:
            out["language"] = self.language
        if self.guideline_text is not None:
            out["guideline_text"] = self.guideline_text
        return out

    def with_id(self, new_id: str | None) -> Decision:
        return replace(self, id=new_id)


def failed_closed(comment_id: str | None, reason: Reason, policy_version: str, message: str = "") -> Decision:
    """A decision made without rules: always flag (CONTRACT.md section 1)."""
    return Decision(
        id=comment_id,
        decision=Verdict.FLAG,
        score=0.0,
        categories=(),
        hits=(),
        shadow_hits=(),
        reasons=(reason,),
        message=message or "Your comment is held for a moderator to review.",
        policy_version=policy_version,
        label="error",
    )
