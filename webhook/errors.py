"""One app-wide error handler: every failure answers in the shape its caller's protocol expects.

``/v1/*`` and the rest: ``{"error": {"code", "message", "field"?}}``; ``/v1alpha1/*``: Google's shape;
``/1.1/*``: Akismet's ``invalid`` with ``X-akismet-debug-help``; ``/coral`` after a valid signature:
200 ``SYSTEM_WITHHELD``, because Coral publishes the comment on any non-2xx answer (CONTRACT.md section 5).
"""

from __future__ import annotations

import logging
import typing as t

from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger("civility.webhook")

_SLUGS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    500: "internal",
}
_GOOGLE_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    405: "INVALID_ARGUMENT",
    413: "INVALID_ARGUMENT",
    415: "INVALID_ARGUMENT",
    500: "INTERNAL",
}
# Akismet clients treat any non-2xx as a transport failure; protocol errors are 200 ``invalid``.
_AKISMET_AS_200 = {400, 401, 403, 415}


class ApiError(Exception):
    """A client error with the HTTP status, a short machine code and, when one field is at fault, its path."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field


def init_app(app: Flask) -> None:
    app.register_error_handler(Exception, handle)


def handle(exc: Exception) -> Response:
    if isinstance(exc, ApiError):
        err = exc
    elif isinstance(exc, HTTPException):
        status = exc.code or 500
        err = ApiError(status, _SLUGS.get(status, "error"), exc.description or exc.name)
    else:
        log.exception("unhandled error on %s %s", request.method, request.path)
        err = ApiError(500, "internal", "internal error; the failure is logged")
    if err.status == 413:
        _drain()
    return render(err)


def render(err: ApiError) -> Response:
    path = request.path
    if path.startswith("/coral") and g.get("coral_verified"):
        from .adapters.coral import withheld

        log.warning("coral request failed after a valid signature: %s", err.message)
        return withheld()
    if path.startswith("/1.1/"):
        resp = Response("invalid", status=200 if err.status in _AKISMET_AS_200 else err.status, mimetype="text/plain")
        resp.headers["X-akismet-debug-help"] = _header_safe(err.message)
        return resp
    if path.startswith("/v1alpha1/"):
        body: dict[str, t.Any] = {
            "error": {"code": err.status, "message": err.message, "status": _GOOGLE_STATUS.get(err.status, "UNKNOWN")}
        }
    else:
        body = {"error": {"code": err.code, "message": err.message}}
        if err.field is not None:
            body["error"]["field"] = err.field
    resp = jsonify(body)
    resp.status_code = err.status
    if err.status == 401 and not path.startswith("/v1alpha1/"):
        resp.headers["WWW-Authenticate"] = 'Bearer realm="civility"'
    return resp


def _header_safe(text: str) -> str:
    return " ".join(text.encode("ascii", "replace").decode("ascii").split())[:300]


def _drain(limit: int = 16 * 1024 * 1024) -> None:
    """Read and drop an oversized body (up to a cap) before answering 413.

    A server that closes the connection with unread data makes the kernel send a reset, and the client then
    loses the 413 it was about to read.
    """
    stream = request.environ.get("wsgi.input")
    try:
        length = int(request.environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return
    if stream is None or length <= 0 or length > limit:
        return
    try:
        while length > 0:
            chunk = stream.read(min(65536, length))
            if not chunk:
                break
            length -= len(chunk)
    except Exception:  # the client went away; nothing left to protect
        pass
