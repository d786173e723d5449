"""Reading request bodies strictly: content type, UTF-8, JSON, with the failing field named."""

from __future__ import annotations

import json
import typing as t

from flask import request

from .errors import ApiError
from .schemas import validate


def raw_body() -> bytes:
    """The exact bytes received (signatures are computed over these, never over a re-serialization)."""
    return request.get_data(cache=True)


def is_json_request() -> bool:
    mt = request.mimetype or ""
    return mt == "application/json" or mt.endswith("+json")


def require_json() -> None:
    if not is_json_request():
        raise ApiError(415, "unsupported_media_type", "the body must be JSON (Content-Type: application/json)")


def parse_json(data: bytes) -> t.Any:
    """Decode UTF-8 JSON, rejecting what would break later: invalid UTF-8, lone surrogates, NaN.

    :raises ApiError: 400 with ``field`` ``body``.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ApiError(400, "invalid_utf8", f"the body is not valid UTF-8 (byte {e.start})", "body") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as e:
        raise ApiError(
            400, "invalid_json", f"malformed JSON: {e.msg} at line {e.lineno} column {e.colno}", "body"
        ) from None
    except (ValueError, RecursionError) as e:
        raise ApiError(400, "invalid_json", f"malformed JSON: {e}", "body") from None
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise ApiError(400, "invalid_utf8", "the body contains an unpaired UTF-16 surrogate escape", "body") from None
    except RecursionError:
        raise ApiError(400, "invalid_json", "the body is nested too deeply", "body") from None
    return value


def json_body(schema: dict[str, t.Any] | None = None) -> t.Any:
    """The JSON body, checked against ``schema`` (one of :mod:`webhook.schemas`) when given."""
    require_json()
    value = parse_json(raw_body())
    if schema is not None:
        validate(schema, value)
    return value


def _no_constant(name: str) -> t.NoReturn:
    raise ValueError(f"{name} is not valid JSON")


def field_of(obj: t.Any, path: str, kind: type | tuple[type, ...], *, required: bool = True) -> t.Any:
    """Walk ``a.b.c`` in a decoded JSON object and check the leaf's type.

    :raises ApiError: 400 naming ``path`` when a step is missing or the leaf has the wrong type.
    """
    cur = obj
    for part in path.split("."):
        if not isinstance(cur, dict) or part not in cur or cur[part] is None:
            if required:
                raise ApiError(400, "invalid_field", f"'{path}' is required", path)
            return None
        cur = cur[part]
    if not isinstance(cur, kind) or (isinstance(cur, bool) and bool not in _as_tuple(kind)):
        names = "/".join(k.__name__ for k in _as_tuple(kind))
        raise ApiError(400, "invalid_field", f"'{path}' must be of type {names}", path)
    return cur


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)
