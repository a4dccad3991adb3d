"""The Stripe client, configured per application (API base: Stripe, or localstripe in tests)."""

from __future__ import annotations

import stripe
from flask import current_app

LOCAL_JS_PATH = "/js.stripe.com/v3/"
STRIPE_JS_URL = "https://js.stripe.com/v3/"


def client() -> stripe.StripeClient:
    config = current_app.config
    base = (config.get("STRIPE_API_BASE") or "").rstrip("/")
    kwargs: dict = {"max_network_retries": 1}
    if base:
        kwargs["base_addresses"] = {"api": base}
    return stripe.StripeClient(config.get("STRIPE_SECRET_KEY") or "", **kwargs)


def is_configured() -> bool:
    return bool(current_app.config.get("STRIPE_SECRET_KEY"))


def stripe_js_url() -> str:
    """Stripe.js must come from js.stripe.com in production (PCI); localstripe serves a stand-in."""
    base = (current_app.config.get("STRIPE_API_BASE") or "").rstrip("/")
    if base:
        return base + LOCAL_JS_PATH
    return STRIPE_JS_URL
