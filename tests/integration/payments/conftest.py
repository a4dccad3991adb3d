"""localstripe for payment tests (started by tests/support/stripe_server.py), signed events."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
import stripe

from tests.support.stripe_server import LocalStripe


@pytest.fixture(scope="session")
def localstripe_url() -> Iterator[str]:
    server = LocalStripe()
    yield server.url
    server.stop()


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
