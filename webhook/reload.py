"""The policy a worker serves, reloaded atomically when its files change or on SIGHUP.

A broken edit never replaces a working policy: the error is logged and shown on ``/readyz`` while the last
good policy keeps serving. Every good load is also copied to ``<data dir>/last-good-policy``, so a worker
that (re)starts while the files on disk are broken boots on that copy instead of failing, which would make
gunicorn stop the whole server.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import tempfile
import threading
import time
import typing as t
import weakref
from pathlib import Path

from engine import PolicyError, load_policy, policy_digest

log = logging.getLogger("civility.webhook")

LAST_GOOD = "last-good-policy"
_holders: weakref.WeakSet[PolicyHolder] = weakref.WeakSet()


class PolicyHolder:
    """Owns the current policy; ``get()`` is cheap and polls the files at most once per ``interval``."""

    def __init__(self, policy_dir: str | Path | None, data_dir: Path, interval: float = 1.0) -> None:
        self.policy_dir = Path(policy_dir).resolve() if policy_dir else None
        self.data_dir = data_dir
        self.interval = interval
        self.error: str | None = None
        self.source = "bundled" if self.policy_dir is None else "files"
        self.loaded_at = time.time()
        self._lock = threading.Lock()
        self._next_check = time.monotonic() + interval
        self._fingerprint: str | None = None
        self._hup = False
        self.policy = self._boot()
        _holders.add(self)

    # Loading ---------------------------------------------------------------------------------------------

    def _boot(self) -> t.Any:
        if self.policy_dir is None:
            return load_policy(None)
        self._fingerprint = fingerprint(self.policy_dir)
        try:
            policy = load_policy(self.policy_dir)
        except (PolicyError, OSError) as e:
            self.error = str(e)
            backup = self.data_dir / LAST_GOOD
            if not backup.is_dir():
                raise
            log.error("policy in %s is broken; booting on the last good copy in %s:\n%s", self.policy_dir, backup, e)
            policy = load_policy(backup)
            self.source = "last-good"
            return policy
        self._save_last_good()
        return policy

    def _save_last_good(self) -> None:
        """Copy the policy files next to the store, replacing the previous copy in one rename."""
        assert self.policy_dir is not None
        target = self.data_dir / LAST_GOOD
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=".policy-", dir=self.data_dir))
            shutil.copytree(self.policy_dir, tmp / "p", ignore=shutil.ignore_patterns(".git"))
            old = self.data_dir / f".old-{os.getpid()}-{threading.get_ident()}"
            if target.exists():
                os.replace(target, old)
            os.replace(tmp / "p", target)
            shutil.rmtree(old, ignore_errors=True)
            shutil.rmtree(tmp, ignore_errors=True)
        except OSError as e:  # a full disk must not stop the service; the live policy is still good
            log.warning("could not keep a last good copy of the policy: %s", e)

    def reload(self) -> bool:
        """Load the files now; on success swap the policy in, else keep the old one and record the error."""
        if self.policy_dir is None:
            return False
        with self._lock:
            self._fingerprint = fingerprint(self.policy_dir)
            try:
                policy = load_policy(self.policy_dir)
            except (PolicyError, OSError) as e:
                self.error = str(e)
                log.error("policy reload rejected; still serving %s:\n%s", self.policy.version, e)
                return False
            self.policy, self.error, self.source, self.loaded_at = policy, None, "files", time.time()
            log.info("policy reloaded: %s", policy.version)
            self._save_last_good()
            return True

    # Serving ---------------------------------------------------------------------------------------------

    def get(self) -> t.Any:
        if self.policy_dir is not None:
            now = time.monotonic()
            if self._hup:
                self._hup = False
                self.reload()
            elif now >= self._next_check:
                self._next_check = now + self.interval
                try:
                    changed = fingerprint(self.policy_dir) != self._fingerprint
                except OSError:
                    changed = True
                if changed:
                    self.reload()
        return self.policy

    def request_reload(self) -> None:
        self._hup = True


def fingerprint(directory: Path) -> str:
    """The policy's digest (any edit, rename or deletion changes it), or why it cannot be read."""
    if not directory.is_dir():
        return "missing"
    try:
        return policy_digest(directory)
    except OSError as e:
        return f"unreadable: {e}"


def install_sighup() -> bool:
    """Make SIGHUP reload every live holder at its next request; only from the main thread, and only
    when nobody else handles SIGHUP (the gunicorn master does; its workers leave it at the default).
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGHUP"):
        return False
    current = signal.getsignal(signal.SIGHUP)
    if current is _on_sighup:
        return True
    if current not in (signal.SIG_DFL, None):
        return False
    signal.signal(signal.SIGHUP, _on_sighup)
    return True


def _on_sighup(signum: int, frame: t.Any) -> None:
    for holder in list(_holders):
        holder.request_reload()
