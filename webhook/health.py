"""``/healthz`` (the process answers), ``/readyz`` (a policy is loaded) and ``/openapi.json``."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

from .config import unsigned_routes
from .moderation import state
from .openapi import spec

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz() -> ResponseReturnValue:
    """Ready while a policy is loaded, even one kept after a rejected edit; the rejection is reported."""
    holder = state().holder
    policy = holder.get()
    return jsonify(
        {
            "status": "ready",
            "policy_version": policy.version,
            "policy_source": holder.source,
            "policy_dir": str(holder.policy_dir) if holder.policy_dir else None,
            "loaded_at": dt.datetime.fromtimestamp(holder.loaded_at, dt.UTC).isoformat(),
            "reload_error": holder.error,
            # routes that CIVILITY_ALLOW_UNSIGNED opened to unauthenticated calls (trials only)
            "unsigned_routes": unsigned_routes(current_app.config),
        }
    )


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    return jsonify(spec())
