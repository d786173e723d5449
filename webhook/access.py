"""Secure by default: a route family whose secret, key or token is not configured refuses every call.

``/v1/*`` answers 401 naming ``CIVILITY_API_TOKEN`` and ``CIVILITY_HMAC_SECRETS``; an adapter without its
secret or key is off and answers 404 in its own error shape, naming the setting. ``CIVILITY_ALLOW_UNSIGNED=1``
opens them for trials (``/readyz`` and the start-up log say so).
"""

from __future__ import annotations

from flask import current_app

from .config import GATES, setting_names
from .errors import ApiError


def configured(route: str) -> bool:
    """True when the route's secret is set, so the caller must check it; False when ALLOW_UNSIGNED opened
    the route.

    :raises ApiError: 401 for ``/v1``, 404 for an adapter, naming the setting to configure.
    """
    cfg = current_app.config
    if any(cfg.get(key) for key in GATES[route]):
        return True
    if cfg.get("ALLOW_UNSIGNED"):
        return False
    names = setting_names(route)
    if route == "/v1":
        raise ApiError(
            401,
            "unauthorized",
            f"no credentials are configured for /v1: set {names} (CIVILITY_ALLOW_UNSIGNED=1 opens it for trials)",
        )
    raise ApiError(
        404, "adapter_off", f"{route} is off: set {names} to turn it on (CIVILITY_ALLOW_UNSIGNED=1 for trials)"
    )
