"""Civility's webhook service: ``gunicorn 'webhook:create_app()'`` (docs/service.md)."""

from __future__ import annotations

import gc
import logging
import typing as t
from pathlib import Path

from flask import Flask

from . import config as _config
from . import errors
from .adapters import BLUEPRINTS
from .api import bp as api_bp
from .health import bp as health_bp
from .moderation import Moderation
from .outbox import Outbox
from .reload import PolicyHolder, install_sighup
from .store import SQLiteStore

__all__ = ["create_app"]

log = logging.getLogger("civility.webhook")


def create_app(test_config: t.Mapping[str, t.Any] | None = None) -> Flask:
    """Build the app: defaults, then ``CIVILITY_*`` variables, then ``test_config``.

    The policy is loaded once here; a broken policy boots on the last good copy in the data directory.

    :raises engine.PolicyError: when the policy is broken and no good copy was ever kept.
    :raises ValueError: for a setting of the wrong type, or a data directory inside the policy directory.
    """
    app = Flask(__name__)
    app.config.from_mapping(_config.defaults())
    app.config.update(_config.from_env())
    if test_config is not None:
        app.config.update(test_config)
    cfg = app.config
    for key in ("HMAC_SECRETS", "CORAL_SECRETS", "AKISMET_KEYS", "PERSPECTIVE_KEYS"):
        cfg[key] = _config.split_list(cfg[key] or [])
    cfg["MAX_CONTENT_LENGTH"] = int(cfg["MAX_BODY_BYTES"])
    # Form bodies are bounded by MAX_CONTENT_LENGTH already; Werkzeug's separate 500 kB form-memory limit
    # would reject a legitimate long Akismet comment.
    cfg["MAX_FORM_MEMORY_SIZE"] = int(cfg["MAX_BODY_BYTES"])

    data_dir = Path(cfg["DATA_DIR"] or _config.default_data_dir()).resolve()
    policy_dir = Path(cfg["POLICY_DIR"]).resolve() if cfg["POLICY_DIR"] else None
    if policy_dir is not None and data_dir.is_relative_to(policy_dir):
        raise ValueError(f"CIVILITY_DATA_DIR ({data_dir}) must not be inside the policy directory ({policy_dir})")
    data_dir.mkdir(parents=True, exist_ok=True)

    holder = PolicyHolder(policy_dir, data_dir, float(cfg["RELOAD_INTERVAL_S"]))
    store = SQLiteStore(data_dir, int(cfg["RETAIN_DAYS"]), str(cfg["SQLITE_SYNC"]))
    store.purge()
    outbox = Outbox(store, cfg) if cfg["DISCOURSE_URL"] and cfg["DISCOURSE_API_KEY"] else None
    app.extensions["moderation"] = Moderation(holder=holder, store=store, config=cfg, outbox=outbox)
    # The policy's objects live as long as the worker: out of the garbage collector's reach, a full
    # collection walks only what requests built (42 ms -> none in 1,450 requests; see bench/README.md).
    gc.freeze()
    if outbox is not None:
        outbox.start()
    if cfg["HANDLE_SIGHUP"] and policy_dir is not None:
        install_sighup()

    errors.init_app(app)
    app.register_blueprint(api_bp)
    app.register_blueprint(health_bp)
    for bp in BLUEPRINTS:
        app.register_blueprint(bp)
    _configure_logging(app)
    _log_access(cfg)
    return app


def _log_access(cfg: t.Mapping[str, t.Any]) -> None:
    """Say at start-up which routes answer anyone, and which refuse everyone for want of a secret."""
    opened = _config.unsigned_routes(cfg)
    if opened:
        log.warning(
            "CIVILITY_ALLOW_UNSIGNED is on: %s answer unauthenticated calls; for trials only", ", ".join(opened)
        )
    refused = [r for r, keys in _config.GATES.items() if not any(cfg.get(k) for k in keys) and r not in opened]
    if refused:
        log.info("not configured, so refusing every call: %s", ", ".join(refused))


def _configure_logging(app: Flask) -> None:
    """Decision records are JSON lines on stderr unless the host application configured logging itself."""
    for name in ("civility.decisions", "civility.webhook"):
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.INFO)
        if not logger.handlers and not logging.getLogger().handlers:
            handler = logging.StreamHandler()
            handler.setFormatter(
                logging.Formatter(
                    "%(message)s" if name == "civility.decisions" else "%(levelname)s %(name)s: %(message)s"
                )
            )
            logger.addHandler(handler)
            logger.propagate = False
