"""Settings: defaults, then the ``CIVILITY_*`` environment, then the caller's overrides (CONTRACT.md section 5).

Flask's ``from_prefixed_env`` JSON-decodes values, which would turn a key such as ``123456`` into a number;
every setting here has a declared type instead, and secrets and keys always stay raw strings.
"""

from __future__ import annotations

import os
import typing as t
from pathlib import Path

#: Default action maps; each can be overridden per key with ``CIVILITY_<NAME>="key=value,key=value"``.
CORAL_STATUSES = {"approve": "APPROVED", "flag": "SYSTEM_WITHHELD", "reject": "REJECTED"}
CORAL_REASONS = {
    "threat": "HARASSMENT_BULLYING",
    "name_calling": "ABUSIVE",
    "insult": "ABUSIVE",
    "ad_hominem": "HARASSMENT_BULLYING",
    "harassment": "HARASSMENT_BULLYING",
    "hate": "HATE_SPEECH",
    "hate_speech": "HATE_SPEECH",
    "sexual_harassment": "HARASSMENT_BULLYING",
    "identity_attack": "HATE_SPEECH",
    "tone": "OFFENSIVE",
    "profanity": "OFFENSIVE",
    "spam": "SPAM",
    "advertising": "AD",
    "off_topic": "IRRELEVANT_CONTENT",
    "misinformation": "MISINFORMATION",
    "illegal": "ILLEGAL_CONTENT",
    "*": "OTHER",
}
CORAL_FLAG_REASONS = {
    "spam": "COMMENT_DETECTED_SPAM",
    "advertising": "COMMENT_DETECTED_SPAM",
    "*": "COMMENT_DETECTED_TOXIC",
}
DISCOURSE_FLAGS = {"spam": "8", "advertising": "8", "off_topic": "3", "*": "7"}
AKISMET_ACTIONS = {"approve": "ham", "flag": "spam", "reject": "discard"}
PERSPECTIVE_ATTRIBUTES = {
    "TOXICITY": "*",
    "SEVERE_TOXICITY": "*",
    "INSULT": "name_calling|insult|ad_hominem",
    "SEXUALLY_EXPLICIT": "sexual_harassment",
    "THREAT": "threat",
    "PROFANITY": "profanity|tone",
    "IDENTITY_ATTACK": "identity_attack|hate|hate_speech",
}

_STR = (
    "API_TOKEN", "DISCOURSE_SECRET", "PUBLIC_HOST", "DISCOURSE_URL", "DISCOURSE_API_KEY",
    "DISCOURSE_USERNAME", "POLICY_DIR", "DATA_DIR", "SPAM_CATEGORY", "SQLITE_SYNC",
)  # fmt: skip
_LIST = ("HMAC_SECRETS", "CORAL_SECRETS", "AKISMET_KEYS", "PERSPECTIVE_KEYS")
_INT = ("BUDGET_MS", "MAX_CHARS", "MAX_BODY_BYTES", "MAX_BATCH", "RETAIN_DAYS", "DISCOURSE_MAX_ATTEMPTS")
_FLOAT = ("RELOAD_INTERVAL_S", "DISCOURSE_RETRY_BASE_S", "DISCOURSE_TIMEOUT_S")
_BOOL = ("LOG_TEXT", "HANDLE_SIGHUP", "ALLOW_UNSIGNED")
_MAP = ("CORAL_STATUSES", "CORAL_REASONS", "CORAL_FLAG_REASONS", "DISCOURSE_FLAGS", "AKISMET_ACTIONS",
        "PERSPECTIVE_ATTRIBUTES")  # fmt: skip


def defaults() -> dict[str, t.Any]:
    return {
        "POLICY_DIR": None,  # None: the bundled default policy
        "DATA_DIR": None,  # None: default_data_dir()
        "API_TOKEN": "",
        "HMAC_SECRETS": [],
        "CORAL_SECRETS": [],
        "DISCOURSE_SECRET": "",
        "AKISMET_KEYS": [],
        "PERSPECTIVE_KEYS": [],
        "ALLOW_UNSIGNED": False,  # trials only: routes without a secret, key or token answer anyone
        "PUBLIC_HOST": "",
        "DISCOURSE_URL": "",
        "DISCOURSE_API_KEY": "",
        "DISCOURSE_USERNAME": "system",
        "DISCOURSE_MAX_ATTEMPTS": 8,
        "DISCOURSE_RETRY_BASE_S": 2.0,
        "DISCOURSE_TIMEOUT_S": 10.0,
        "BUDGET_MS": 100,
        "MAX_CHARS": 200_000,
        "MAX_BODY_BYTES": 1024 * 1024,
        "MAX_BATCH": 100,
        "LOG_TEXT": False,
        "RETAIN_DAYS": 30,
        "SQLITE_SYNC": "normal",
        "RELOAD_INTERVAL_S": 1.0,
        "HANDLE_SIGHUP": True,
        "SPAM_CATEGORY": "spam",
        "CORAL_STATUSES": dict(CORAL_STATUSES),
        "CORAL_REASONS": dict(CORAL_REASONS),
        "CORAL_FLAG_REASONS": dict(CORAL_FLAG_REASONS),
        "DISCOURSE_FLAGS": dict(DISCOURSE_FLAGS),
        "AKISMET_ACTIONS": dict(AKISMET_ACTIONS),
        "PERSPECTIVE_ATTRIBUTES": dict(PERSPECTIVE_ATTRIBUTES),
    }


def from_env(environ: t.Mapping[str, str] | None = None, prefix: str = "CIVILITY_") -> dict[str, t.Any]:
    """Read every known ``CIVILITY_*`` variable with its declared type.

    :raises ValueError: naming the variable whose value has the wrong type.
    """
    env = os.environ if environ is None else environ
    out: dict[str, t.Any] = {}
    for name, raw in env.items():
        if not name.startswith(prefix):
            continue
        key = name[len(prefix) :]
        try:
            if key in _STR:
                out[key] = raw
            elif key in _LIST:
                out[key] = split_list(raw)
            elif key in _INT:
                out[key] = int(raw)
            elif key in _FLOAT:
                out[key] = float(raw)
            elif key in _BOOL:
                out[key] = raw.strip().lower() in ("1", "true", "yes", "on")
            elif key in _MAP:
                out[key] = {**defaults()[key], **parse_map(raw)}
        except ValueError as e:
            raise ValueError(f"{name}: {e}") from None
    return out


def split_list(raw: str | t.Iterable[str]) -> list[str]:
    """A comma-separated list; surrounding blanks and empty items are dropped."""
    items = raw.split(",") if isinstance(raw, str) else raw
    return [s.strip() for s in items if s and s.strip()]


def parse_map(raw: str) -> dict[str, str]:
    """``"spam=SPAM, tone=OFFENSIVE, *=OTHER"`` -> a dict; ``*`` is the fallback key."""
    out: dict[str, str] = {}
    for item in split_list(raw):
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ValueError(f"expected key=value, got {item!r}")
        out[key.strip()] = value.strip()
    return out


def lookup(mapping: t.Mapping[str, str], *keys: str | None) -> str | None:
    """The value of the first key present, else the ``*`` fallback."""
    for key in keys:
        if key is not None and key in mapping:
            return mapping[key]
    return mapping.get("*")


def default_data_dir() -> Path:
    """A per-user data directory (XDG), never inside the policy directory."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "civility"


#: The setting that switches each route family on; without it the family refuses calls (unless ALLOW_UNSIGNED).
GATES = {
    "/v1": ("API_TOKEN", "HMAC_SECRETS"),
    "/coral": ("CORAL_SECRETS",),
    "/discourse": ("DISCOURSE_SECRET",),
    "/v1alpha1": ("PERSPECTIVE_KEYS",),
}


def unsigned_routes(cfg: t.Mapping[str, t.Any]) -> list[str]:
    """The route families that answer unauthenticated calls because ALLOW_UNSIGNED opened them."""
    if not cfg.get("ALLOW_UNSIGNED"):
        return []
    return [route for route, keys in GATES.items() if not any(cfg.get(k) for k in keys)]


def setting_names(route: str) -> str:
    """``CIVILITY_API_TOKEN or CIVILITY_HMAC_SECRETS``, for the error that names what to set."""
    return " or ".join(f"CIVILITY_{k}" for k in GATES[route])
