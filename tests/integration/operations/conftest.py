"""localstripe for the back-office card tests (the same server as tests/integration/payments)."""

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
    previous = app.config.get("STRIPE_API_BASE")
    app.config["STRIPE_API_BASE"] = localstripe_url
    yield app
    app.config["STRIPE_API_BASE"] = previous
