"""The Discourse flag-back outbox: stored before the webhook is answered, sent after it by a sender thread.

Each (post id, version) is queued once, and sent at least once: before each send the post is read back,
and a flag Discourse already shows (sent by a worker killed before it saw the answer) is not sent again.
A failed call is retried with exponential backoff
(``DISCOURSE_RETRY_BASE_S`` doubled per attempt, at most 5 minutes apart) until Discourse answers 2xx or
``DISCOURSE_MAX_ATTEMPTS`` is reached. Items are leased while being sent, so several gunicorn workers share
one outbox without sending twice, and a restarted worker picks up what was left pending.
"""

from __future__ import annotations

import logging
import threading
import time
import typing as t

import httpx

from .store import OutboxItem, Store

log = logging.getLogger("civility.webhook")

_MAX_DELAY_S = 300.0


class Outbox:
    def __init__(self, store: Store, cfg: t.Mapping[str, t.Any], transport: httpx.BaseTransport | None = None) -> None:
        self.store = store
        self.base_url = str(cfg["DISCOURSE_URL"]).rstrip("/")
        self.url = self.base_url + "/post_actions.json"
        self.headers = {"Api-Key": cfg["DISCOURSE_API_KEY"], "Api-Username": cfg["DISCOURSE_USERNAME"] or "system"}
        self.base = float(cfg["DISCOURSE_RETRY_BASE_S"])
        self.max_attempts = int(cfg["DISCOURSE_MAX_ATTEMPTS"])
        self.timeout = float(cfg["DISCOURSE_TIMEOUT_S"])
        self.transport = transport
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def enqueue(self, post_id: str, version: str, form: dict[str, t.Any]) -> bool:
        """Store the call (committed before this returns) and wake the sender; False if already queued."""
        added = self.store.outbox_add(post_id, version, form)
        self._ensure_thread()
        self._wake.set()
        return added

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="civility-discourse-outbox", daemon=True)
                self._thread.start()

    def start(self) -> None:
        """Send what an earlier worker left pending."""
        if self.store.next_due() is not None:
            self._ensure_thread()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        with httpx.Client(timeout=self.timeout, transport=self.transport, follow_redirects=False) as client:
            while not self._stop.is_set():
                try:
                    self.send_due(client)
                    due = self.store.next_due()
                except Exception:  # the sender must outlive a locked or missing database
                    log.exception("discourse outbox failed")
                    due = time.time() + 5
                wait = 60.0 if due is None else min(60.0, max(0.0, due - time.time()))
                self._wake.wait(wait)
                self._wake.clear()

    def send_due(self, client: httpx.Client) -> int:
        sent = 0
        # One item at a time, leased for one check and one send: a worker killed mid-send leaves it to
        # another worker (or its own replacement) a few seconds later, not after a whole batch's lease.
        while not self._stop.is_set() and (items := self.store.outbox_claim(lease_s=2 * self.timeout + 5, limit=1)):
            item = items[0]
            error = None if self._flagged(client, item) else self._send(client, item)
            if error is None:
                self.store.outbox_done(item)
                sent += 1
                log.info("discourse flag sent for post %s version %s", item.post_id, item.version)
            else:
                delay = min(_MAX_DELAY_S, self.base * 2**item.attempts)
                self.store.outbox_retry(item, error, delay, self.max_attempts)
                log.warning(
                    "discourse flag for post %s failed (attempt %d): %s", item.post_id, item.attempts + 1, error
                )
        return sent

    def _flagged(self, client: httpx.Client, item: OutboxItem) -> bool:
        """Whether Discourse shows our flag on the post already: a send whose answer was lost (a worker killed
        mid-call) is then not repeated. Any doubt (the post unreadable, an old Discourse) means not flagged."""
        try:
            resp = client.get(f"{self.base_url}/posts/{item.post_id}.json", headers=self.headers)
            kind = int(item.payload.get("post_action_type_id", 0))
            actions = resp.json().get("actions_summary", []) if resp.status_code == 200 else []
            return any(isinstance(a, dict) and a.get("id") == kind and a.get("acted") is True for a in actions)
        except (httpx.HTTPError, ValueError, AttributeError, TypeError):
            return False

    def _send(self, client: httpx.Client, item: OutboxItem) -> str | None:
        try:
            resp = client.post(self.url, data=item.payload, headers=self.headers)
        except httpx.HTTPError as e:
            return f"{type(e).__name__}: {e}"
        if 200 <= resp.status_code < 300:
            return None
        return f"HTTP {resp.status_code}: {resp.text[:200]}"
