"""Runs the service under gunicorn on 127.0.0.1 for the tests that need real processes: reload under load,
``kill -9`` of a worker, a bounded soak. Every loop here is bounded by a count or a deadline."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import typing as t
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
TOKEN = "load-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Gunicorn:
    """``gunicorn -w N 'webhook:create_app()'`` on a free loopback port, with ``CIVILITY_*`` settings."""

    def __init__(self, env: dict[str, str], workers: int = 2, log: Path | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        full = {**os.environ, "PYTHONPATH": f"{REPO}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
                "CIVILITY_API_TOKEN": TOKEN, **env}  # fmt: skip
        out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - closed in stop()
        self._out = out
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{self.port}",
             "--graceful-timeout", "3", "--timeout", "30", "webhook:create_app()"],
            env=full, stdout=out, stderr=out, cwd=REPO,
        )  # fmt: skip
        self.wait_ready()

    def wait_ready(self, timeout: float = 30.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}; see {self.log}")
            try:
                if httpx.get(self.url + "/readyz", timeout=1).status_code == 200 and len(self.workers()) >= 1:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("gunicorn did not become ready")

    def workers(self) -> list[int]:
        """The worker processes: the master's children."""
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.proc.pid:
                    pids.append(int(entry.name))
        return sorted(pids)

    def wait_workers(self, count: int, exclude: t.Iterable[int] = (), timeout: float = 30.0) -> list[int]:
        """Wait until ``count`` workers run, none of them in ``exclude``, and each answers."""
        end = time.monotonic() + timeout
        gone = set(exclude)
        while time.monotonic() < end:
            pids = self.workers()
            if len(pids) == count and not gone & set(pids):
                return pids
            time.sleep(0.05)
        raise RuntimeError(f"workers did not come back: {self.workers()}")

    def kill_worker(self, pid: int) -> None:
        os.kill(pid, signal.SIGKILL)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self._out is not subprocess.DEVNULL:
            self._out.close()

    def __enter__(self) -> Gunicorn:
        return self

    def __exit__(self, *exc: t.Any) -> None:
        self.stop()


def rss_kb(pid: int) -> int:
    """Resident memory of one process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


@dataclass
class Outcome:
    started: float
    ended: float
    status: int | None  # None: the connection failed
    body: dict[str, t.Any] | None
    error: str | None = None


@dataclass
class Load:
    """``threads`` clients, each sending one request at a time until stopped or ``max_requests`` are sent."""

    url: str
    make_request: t.Callable[[int], tuple[str, dict[str, t.Any]]]  # request number -> (path, json body)
    threads: int = 2
    max_requests: int = 100_000
    timeout: float = 10.0
    outcomes: list[Outcome] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _count: int = 0
    _workers: list[threading.Thread] = field(default_factory=list)

    def _next(self) -> int | None:
        with self._lock:
            if self._stop.is_set() or self._count >= self.max_requests:
                return None
            self._count += 1
            return self._count

    def _run(self) -> None:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        with httpx.Client(timeout=self.timeout, headers=headers) as client:
            while (n := self._next()) is not None:
                path, body = self.make_request(n)
                started = time.monotonic()
                try:
                    r = client.post(self.url + path, json=body)
                    outcome = Outcome(started, time.monotonic(), r.status_code, r.json() if r.content else None)
                except (httpx.HTTPError, ValueError) as e:
                    outcome = Outcome(started, time.monotonic(), None, None, f"{type(e).__name__}: {e}")
                with self._lock:
                    self.outcomes.append(outcome)

    def start(self) -> Load:
        for _ in range(self.threads):
            th = threading.Thread(target=self._run, daemon=True)
            th.start()
            self._workers.append(th)
        return self

    def stop(self) -> list[Outcome]:
        self._stop.set()
        for th in self._workers:
            th.join(self.timeout + 5)
        return list(self.outcomes)

    def sent(self) -> int:
        with self._lock:
            return len(self.outcomes)
