"""HMAC-SHA256 request signatures, compared in constant time.

One header may carry several signatures (``sha256=<hex>,sha256=<hex>``, as Coral sends while a rotated
secret is still active) and several secrets may be configured; a request passes when any configured secret
produced any of the signatures.
"""

from __future__ import annotations

import hashlib
import hmac
import typing as t


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def signatures(header: str | None) -> list[str]:
    """The ``sha256`` values of a signature header, lower-cased; other schemes are ignored."""
    out = []
    for item in (header or "").split(","):
        scheme, sep, value = item.strip().partition("=")
        if sep and scheme.strip().lower() == "sha256" and value.strip():
            out.append(value.strip().lower())
    return out


def verify(body: bytes, header: str | None, secrets: t.Iterable[str]) -> bool:
    """True when one of ``secrets`` signed ``body`` as one of the header's values.

    Every pair is compared (no early exit), each with :func:`hmac.compare_digest`.
    """
    given = signatures(header)
    ok = False
    for secret in secrets:
        expected = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
        for value in given:
            ok |= hmac.compare_digest(expected.encode("ascii"), value.encode("ascii", "replace"))
    return ok


def token_matches(given: str | None, expected: str) -> bool:
    return bool(expected) and given is not None and hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))
