"""Signed Stripe events for payment tests (the webhook checks the signature on the raw body)."""

from __future__ import annotations

import json
import time

import stripe


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
