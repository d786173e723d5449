"""The policy a worker serves, reloaded atomically when its files change or on SIGHUP.

A broken edit never replaces a working policy: the error is logged and shown on ``/readyz`` while the last
good policy keeps serving. Every good load is also copied to ``<data dir>/last-good-policy``, so a worker
that (re)starts while the files on disk are broken boots on that copy instead of failing, which would make
gunicorn stop the whole server.
"""

from __future__ import annotations

import dataclasses
import gc
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

from engine import PolicyError, load_policy, policy_digest, policy_files

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
        self._stats: Stats | None = None  # the files' stat() when the digest last matched
        self._hup = False
        self._snapshot: Path | None = None
        self.policy = self._boot()
        _holders.add(self)

    # Loading ---------------------------------------------------------------------------------------------

    def _boot(self) -> t.Any:
        if self.policy_dir is None:
            return load_policy(None)
        self._fingerprint = fingerprint(self.policy_dir)
        try:
            return self._load_files()
        except (PolicyError, OSError) as e:
            self.error = self._named(e)
            backup = self.data_dir / LAST_GOOD
            if not backup.is_dir():
                return load_policy(self.policy_dir)  # raises, naming the user's own files
            log.error("policy in %s is broken; booting on the last good copy in %s:\n%s", self.policy_dir, backup,
                      self.error)  # fmt: skip
            self.source = "last-good"
            return load_policy(backup)

    def _load_files(self) -> t.Any:
        """Copy the policy files, load the copy, and keep it as the last good copy when it loads.

        Loading the files and copying them afterwards could keep an edit that landed in between, a broken
        one too, as the copy a restarted worker boots on; loading the copy makes them the same bytes.

        :raises PolicyError: naming a copy's files (see :meth:`_named`); OSError.
        """
        assert self.policy_dir is not None
        self.data_dir.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".policy-", dir=self.data_dir))
        self._snapshot = tmp / "p"
        try:
            shutil.copytree(self.policy_dir, self._snapshot, ignore=shutil.ignore_patterns(".git", ".*"))
            policy = load_policy(self._snapshot)
            self._keep(self._snapshot, policy.version)
            return dataclasses.replace(policy, source_dir=self.policy_dir)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def _named(self, e: Exception) -> str:
        """The error with the copy's paths given as the policy directory's, where the user edits."""
        return str(e).replace(str(self._snapshot), str(self.policy_dir))

    def _keep(self, snapshot: Path, version: str) -> None:
        """Make ``snapshot`` the last good copy: a directory per version, and ``last-good-policy`` a symlink
        switched in one rename, so a worker booting meanwhile always finds a complete copy."""
        target = self.data_dir / LAST_GOOD
        kept = self.data_dir / f"good-{version}"
        try:
            if kept.exists():  # kept before, by this or another worker: the same bytes
                os.utime(kept)  # fresh, so that no worker prunes it while it is being linked
            else:
                os.replace(snapshot, kept)
            link = self.data_dir / f".link-{os.getpid()}-{threading.get_ident()}"
            link.unlink(missing_ok=True)
            link.symlink_to(kept.name)
            if target.is_dir() and not target.is_symlink():  # a data directory from before the symlink
                os.replace(target, self.data_dir / f".old-{os.getpid()}")
                shutil.rmtree(self.data_dir / f".old-{os.getpid()}", ignore_errors=True)
            os.replace(link, target)
        except OSError as e:  # a full disk must not stop the service; the live policy is still good
            log.warning("could not keep a last good copy of the policy: %s", e)
            return
        self._prune(kept)

    def _prune(self, current: Path) -> None:
        """Drop kept copies no longer linked, once they are old enough that no worker is switching to them."""
        now = time.time()
        try:
            linked = os.readlink(self.data_dir / LAST_GOOD)
        except OSError:
            linked = None
        for old in self.data_dir.glob("good-*"):
            try:
                if old != current and old.name != linked and now - old.stat().st_mtime > 60:
                    shutil.rmtree(old)
            except OSError:
                pass

    def reload(self) -> bool:
        """Load the files now; on success swap the policy in, else keep the old one and record the error."""
        if self.policy_dir is None:
            return False
        with self._lock:
            self._fingerprint = fingerprint(self.policy_dir)
            try:
                policy = self._load_files()
            except (PolicyError, OSError) as e:
                self.error = self._named(e)
                log.error("policy reload rejected; still serving %s:\n%s", self.policy.version, self.error)
                return False
            self.policy, self.error, self.source, self.loaded_at = policy, None, "files", time.time()
            log.info("policy reloaded: %s", policy.version)
            # the old policy back in the collector's reach (create_app froze it), the new one out of it
            gc.unfreeze()
            gc.collect()
            gc.freeze()
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
                if self._changed():
                    self.reload()
        return self.policy

    def _changed(self) -> bool:
        """Whether the files differ from what is served. Hashing them (4.5 MB with the models: 4-13 ms) is
        left out while every file's stat() is what it was when the digest last matched, and no file was
        written in the last :data:`RACY_S` seconds (timestamps are coarse: a same-size rewrite within one
        tick of the last look keeps them, so recent files are always hashed)."""
        assert self.policy_dir is not None
        try:
            stats: Stats | None = file_stats(self.policy_dir)
        except OSError:  # a missing or unreadable directory: its digest says so, as before
            stats = None
        if stats is not None and stats == self._stats and time.time_ns() - stats.newest_ns > RACY_S * 1e9:
            return False
        try:
            changed = fingerprint(self.policy_dir) != self._fingerprint
        except OSError:
            changed = True
        self._stats = None if changed else stats
        return changed

    def request_reload(self) -> None:
        self._hup = True


#: files written this recently are hashed at every poll, whatever their stat() says
RACY_S = 2.0


class Stats(t.NamedTuple):
    files: tuple[tuple[str, int, int, int, int], ...]  # path, inode, size, mtime_ns, ctime_ns
    newest_ns: int


def file_stats(directory: Path) -> Stats:
    """stat() of every file :func:`engine.policy_digest` reads (:func:`engine.policy_files`): an edit,
    rename or deletion changes the ctime, inode, size or the set of paths.

    :raises OSError: when a file vanishes between the listing and its stat().
    """
    files: list[tuple[str, int, int, int, int]] = []
    newest = 0
    for path in policy_files(directory):
        st = path.stat()
        files.append((path.relative_to(directory).as_posix(), st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns))
        newest = max(newest, st.st_mtime_ns, st.st_ctime_ns)
    return Stats(tuple(files), newest)


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
