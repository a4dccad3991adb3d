"""Gunicorn on 127.0.0.1 and a small keep-alive load generator (threads + http.client).

Not a benchmark module itself (``bench.__main__`` skips it): the shopfront and checkout benches
use it. Every run is bounded by a request count and a duration; only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
#: the settings ``make run`` and docs/deploy.md use: 2 workers x 4 threads (2-core machine)
GUNICORN_ARGS = ("--workers", "2", "--threads", "4", "--keep-alive", "5")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    port: int
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"


def _wait_ready(port: int, process: subprocess.Popen, path: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status < 500:
                conn.close()
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn on port {port} not ready after {timeout} s")


@contextmanager
def gunicorn(
    app: str,
    env: dict[str, str],
    *,
    port: int | None = None,
    ready_path: str = "/healthz",
    extra_args: tuple[str, ...] = (),
    timeout: float = 30,
) -> Iterator[Server]:
    """``gunicorn --workers 2 --threads 4 <app>`` on 127.0.0.1 (a free port), stopped after."""
    port = port or free_port()
    process = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            *GUNICORN_ARGS,
            *extra_args,
            "--bind",
            f"{HOST}:{port}",
            "--log-level",
            "warning",
            app,
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        _wait_ready(port, process, ready_path, timeout)
        yield Server(port=port, process=process)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@dataclass
class LoadResult:
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    elapsed_s: float = 0.0

    @property
    def count(self) -> int:
        return len(self.latencies_ms)

    @property
    def rps(self) -> float:
        return self.count / self.elapsed_s if self.elapsed_s else 0.0


#: a request: (method, path, body or None, headers)
Request = tuple[str, str, bytes | None, dict[str, str]]


def load(
    port: int,
    make_request: Callable[[int, int], Request | None],
    *,
    clients: int,
    duration_s: float,
    max_requests: int,
    expect: Callable[[int], bool] = lambda status: status == 200,
    cookies: bool = False,
    per_connection: int | None = None,
    rate_per_s: float | None = None,
) -> LoadResult:
    """``clients`` threads, each with one keep-alive connection, until the time or count ends.

    ``make_request(client_index, request_index)`` gives each request (None: that client has
    nothing more to send); a status for which
    ``expect`` is false counts as an error (and is still timed). With ``cookies`` each client
    sends back the cookies it was given, as a browser does (a visitor keeps their session).
    ``per_connection``: open a new connection after that many requests (a new visitor; without
    it a few long-lived connections would all stay with the gunicorn worker that accepted them,
    which is not how many people's browsers reach the servers).
    ``rate_per_s``: open loop, request k is due k / rate seconds after the start (arrivals at a
    steady rate, as people submitting orders); its latency runs from when it was due, so a
    server that falls behind shows it even though at most ``clients`` requests are in flight.
    """
    result = LoadResult()
    lock = threading.Lock()
    counter = iter(range(max_requests))
    deadline = time.perf_counter() + duration_s
    started = time.perf_counter()

    def worker(index: int) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        own: list[float] = []
        statuses: dict[int, int] = {}
        errors = 0
        n = 0
        jar: dict[str, str] = {}
        while time.perf_counter() < deadline:
            request = make_request(index, n)
            if request is None:  # this client is done
                break
            with lock:
                ticket = next(counter, None)
            if ticket is None:
                break
            scheduled = None
            if rate_per_s:
                scheduled = started + ticket / rate_per_s
                delay = scheduled - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
            method, path, body, headers = request
            if per_connection and n and n % per_connection == 0:
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=60)
                jar.clear()
            n += 1
            if jar:
                headers = {**headers, "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())}
            # open loop: timed from when the request was due, not from when a client was free
            # to send it (a late start is waiting too: no "coordinated omission")
            begun = scheduled if scheduled is not None else time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
                if cookies:
                    for header in response.msg.get_all("Set-Cookie") or ():
                        name, _, rest = header.partition("=")
                        jar[name.strip()] = rest.split(";", 1)[0]
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = http.client.HTTPConnection(HOST, port, timeout=60)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=60)
                errors += 1
                continue
            own.append((time.perf_counter() - begun) * 1000)
            statuses[status] = statuses.get(status, 0) + 1
            if not expect(status):
                errors += 1
        conn.close()
        with lock:
            result.latencies_ms.extend(own)
            result.errors += errors
            for status, count in statuses.items():
                result.statuses[status] = result.statuses.get(status, 0) + count

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.elapsed_s = time.perf_counter() - started
    return result


def get(path: str, headers: dict[str, str] | None = None) -> Callable[[int, int], Request]:
    return lambda _client, _n: ("GET", path, None, dict(headers or {}))
