"""Browser-test fixtures, built on tests/support: an SMTP sink, a live server, Chromium.

    def test_journey(live_server, smtp_sink, page):
        page.goto(live_server.url + "/signup")
        mail = smtp_sink.wait_for(lambda m: m["To"] == "camille@example.org")

``live_server`` serves the session's app on a free port with real commits (``committed``: tables
are truncated afterwards), ``BASE_URL`` pointing at it (links in e-mails open in the browser)
and ``MAIL_SERVER`` at ``smtp_sink`` (the app delivers queued e-mails right after each request).
A module may define fixtures with the same names to change them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.browser import launch_browser
from tests.support.live_server import LiveServer
from tests.support.smtp import SmtpSink


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    try:
        yield sink
    finally:
        sink.stop()


@pytest.fixture
def live_server(app, committed, smtp_sink: SmtpSink, monkeypatch) -> Iterator[LiveServer]:
    server = LiveServer(app)
    monkeypatch.setitem(app.config, "BASE_URL", server.url)
    monkeypatch.setitem(app.config, "MAIL_SERVER", smtp_sink.host)
    monkeypatch.setitem(app.config, "MAIL_PORT", smtp_sink.port)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = launch_browser(pw)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser) -> Iterator[Any]:
    """A French-speaking visitor in Paris, on a phone-sized screen."""
    context = browser.new_context(
        locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": 390, "height": 844}
    )
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()
