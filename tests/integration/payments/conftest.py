"""localstripe for payment tests (started by tests/support/stripe_server.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

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
