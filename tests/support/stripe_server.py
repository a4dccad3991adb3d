"""localstripe (a local Stripe API and Stripe.js stand-in) for payment tests.

    server = LocalStripe()          # `localstripe --port P --from-scratch` in a temp directory
    app.config["STRIPE_API_BASE"] = server.url
    server.configure_webhook(live_url + "/payments/stripe/webhook", "whsec_...")
    server.stop()

``start_localstripe()`` is the same as ``LocalStripe()`` (used by the payment tests' fixture).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pythonpath() -> str:
    """The repository first, then what the caller had (``make test-dates`` adds its site dir)."""
    return os.pathsep.join([str(REPO_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])


def _command(port: int) -> list[str]:
    """localstripe with our Connect extension, on 127.0.0.1, storing nothing (localstripe_ext)."""
    return [sys.executable, "-m", "tests.support.localstripe_ext", "--port", str(port)]


class LocalStripe:
    def __init__(self, port: int | None = None, timeout: float = 15.0) -> None:
        self.port = port or _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._cwd = tempfile.mkdtemp(prefix="comptoir-localstripe-")
        self._log = open(Path(self._cwd) / "localstripe.log", "wb")  # noqa: SIM115
        self._proc = subprocess.Popen(  # noqa: S603 - our own interpreter's script
            _command(self.port),
            cwd=self._cwd,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": _pythonpath()},
        )
        self._wait(timeout)

    def _wait(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"localstripe exited ({self._proc.returncode}): {self.log()}")
            try:
                urllib.request.urlopen(self.url + "/js.stripe.com/v3/", timeout=1)  # noqa: S310
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"localstripe did not answer on {self.url} within {timeout}s")

    def configure_webhook(
        self,
        url: str,
        secret: str,
        events: list[str] | None = None,
        name: str = "comptoir",
    ) -> None:
        """Make localstripe POST its events, really signed with ``secret``, to ``url``."""
        fields: list[tuple[str, str]] = [("url", url), ("secret", secret)]
        for event in events or []:
            fields.append(("events[]", event))
        data = urllib.parse.urlencode(fields).encode()
        request = urllib.request.Request(  # noqa: S310 - local test server
            f"{self.url}/_config/webhooks/{name}",
            data=data,
            headers={"Authorization": "Bearer sk_test_comptoir"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            if response.status != 200:
                raise RuntimeError(f"webhook not configured: HTTP {response.status}")

    def flush(self) -> None:
        """Forget every object (customers, intents...)."""
        request = urllib.request.Request(f"{self.url}/_config/data", method="DELETE")  # noqa: S310
        urllib.request.urlopen(request, timeout=5).close()  # noqa: S310

    def log(self) -> str:
        self._log.flush()
        return (Path(self._cwd) / "localstripe.log").read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout=5)
        self._log.close()
        shutil.rmtree(self._cwd, ignore_errors=True)

    def __enter__(self) -> LocalStripe:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_localstripe() -> LocalStripe:
    return LocalStripe()
