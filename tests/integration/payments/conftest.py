"""localstripe for payment tests (the shared launcher in tests/support is used when present)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

import pytest
import stripe


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def localstripe_url() -> Iterator[str]:
    try:
        from tests.support import stripe_server  # type: ignore[attr-defined]

        start = getattr(stripe_server, "start_localstripe", None)
    except ImportError:
        start = None
    if start is not None:
        server = start()
        yield server.url
        server.stop()
        return
    port = _free_port()
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "localstripe", "--port", str(port), "--from-scratch"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/js.stripe.com/v3/", timeout=1)  # noqa: S310
            break
        except OSError:
            time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def stripe_app(app, localstripe_url):
    """The app pointed at localstripe for one test."""
    previous = app.config.get("STRIPE_API_BASE")
    app.config["STRIPE_API_BASE"] = localstripe_url
    yield app
    app.config["STRIPE_API_BASE"] = previous


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """A real Stripe-Signature header (HMAC-SHA256 of "<t>.<payload>")."""
    import hashlib
    import hmac

    t = int(timestamp or time.time())
    mac = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def event_for(intent: stripe.PaymentIntent | dict, event_type: str, event_id: str) -> bytes:
    obj = intent.to_dict() if hasattr(intent, "to_dict") else intent
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": event_type,
            "created": int(time.time()),
            "data": {"object": obj},
        }
    ).encode()
