"""The Content-Security-Policy holds in a real browser: no page of the demo breaks it.

Each demo person logs in in Chromium and visits the pages they reach (links followed breadth
first from the home page and the dashboard, one page per URL shape, as the demo crawl in
tests/integration/test_demo_crawl.py does with the test client); a card payment runs with
localstripe's Stripe.js stand-in, whose origin comes from ``STRIPE_API_BASE``. Every page must
carry the policy, and Chromium must report no violation (``securitypolicyviolation`` events
and its "Content Security Policy" console errors).
"""

from __future__ import annotations

import importlib
import re
from collections import deque
from collections.abc import Iterator
from urllib.parse import urldefrag, urlsplit

import pytest

from core.db import db
from demo import accounts as demo_accounts
from demo.cli import PARTS
from tests.factories import PASSWORD, UserFactory
from tests.factories_orders import make_market
from tests.support.stripe_server import LocalStripe

pytestmark = pytest.mark.e2e

MAX_PAGES = 70
#: downloads (Chromium would save them, not show them) and the JSON API
SKIP = re.compile(
    r"^/(static|logout|media|api)/|\.(pdf|csv|json|jsonld|png|jpe?g)$|/export|/download"
)

WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' at ' +
                    e.sourceFile + ':' + e.lineNumber);
});
"""


class Watcher:
    """Collects CSP violations reported by the page and by Chromium's console."""

    def __init__(self, page) -> None:
        self.page = page
        self.console: list[str] = []
        page.add_init_script(WATCH)
        page.on("console", self._on_console)

    def _on_console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.console.append(f"{self.page.url}: {message.text}")

    def violations(self) -> list[str]:
        found = self.page.evaluate("window.__csp || []")
        return [f"{self.page.url}: {v}" for v in found]


@pytest.fixture
def watched(page) -> Watcher:
    return Watcher(page)


def _seed_demo() -> None:
    for name in PARTS:
        importlib.import_module(name).seed()
        db.session.commit()


def _login(page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("form[action$='/login'] button[type=submit]").click()
    page.wait_for_load_state()
    assert "/login" not in page.url, f"{email} could not log in"


def _shape(path: str) -> str:
    return re.sub(r"\d+", "N", urlsplit(path).path)


def _visit_all(page, watcher: Watcher, base: str, starts: list[str]) -> tuple[int, list[str]]:
    """Breadth first over same-site links; returns (pages visited, problems)."""
    problems: list[str] = []
    seen_shapes: set[str] = set()
    queue: deque[str] = deque(starts)
    visited = 0
    while queue and visited < MAX_PAGES:
        path = queue.popleft()
        shape = _shape(path)
        if shape in seen_shapes:
            continue
        seen_shapes.add(shape)
        response = page.goto(base + path)
        page.wait_for_load_state("load")
        visited += 1
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        if "default-src 'self'" not in response.headers.get("content-security-policy", ""):
            problems.append(f"{path}: no Content-Security-Policy")
        problems += watcher.violations()
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
        for href in hrefs:
            href, _fragment = urldefrag(href)
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            if SKIP.search(parts.path):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return visited, problems + watcher.console


PEOPLE = [
    None,
    demo_accounts.CITIZEN,
    demo_accounts.PRODUCER_MANAGER,
    demo_accounts.HUB_MANAGER,
    demo_accounts.ADMIN,
]


def test_no_demo_page_breaks_the_content_security_policy(live_server, browser):
    """The demo is loaded once; each person browses in a fresh browser context."""
    _seed_demo()
    problems: dict[str | None, list[str]] = {}
    for email in PEOPLE:
        context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
        context.set_default_timeout(10_000)
        try:
            page = context.new_page()
            watcher = Watcher(page)
            starts = ["/"]
            if email is not None:
                _login(page, live_server.url, email, demo_accounts.DEMO_PASSWORD)
                starts.append("/dashboard")
            visited, found = _visit_all(page, watcher, live_server.url, starts)
        finally:
            context.close()
        assert visited > 10, email
        if found:
            problems[email] = found
    assert problems == {}


def test_the_watcher_sees_a_violation(live_server, page, watched):
    """The detector itself works: a style attribute added by script is refused and reported."""
    page.goto(live_server.url + "/")
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color:red\">x</p>')")
    page.wait_for_timeout(200)
    assert any("style-src" in v for v in watched.violations())


@pytest.fixture
def localstripe() -> Iterator[LocalStripe]:
    server = LocalStripe()
    yield server
    server.stop()


def test_card_payment_with_stripe_js_breaks_no_policy(
    app, live_server, localstripe, page, watched, monkeypatch
):
    """Stripe.js (here localstripe's stand-in, from the configured origin) loads, talks to its
    API and the payment goes through, with the policy on; only that page allows Stripe."""
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", localstripe.url)
    monkeypatch.setitem(app.config, "STRIPE_PUBLISHABLE_KEY", "pk_test_comptoir")
    localstripe.configure_webhook(
        f"{live_server.url}/payments/stripe/webhook",
        app.config["STRIPE_WEBHOOK_SECRET"],
        events=["payment_intent.succeeded"],
    )
    market = make_market()
    citizen = UserFactory(email="camille@example.org", locale="fr")
    db.session.commit()
    _login(page, live_server.url, citizen.email, PASSWORD)

    page.goto(f"{live_server.url}/cycles/{market.cycle_id}/shop")
    card = page.locator(f"li.shop-item[data-offer-id='{market.tomato_offer_id}']")
    card.get_by_role("button", name=re.compile("^Ajouter")).click()
    card.locator(".add-note", has_text="Ajouté à votre panier.").wait_for()
    page.goto(f"{live_server.url}/cycles/{market.cycle_id}/checkout")
    page.get_by_label(re.compile("17:30.18:00")).check()
    page.get_by_label("Payer maintenant par carte").check()
    page.get_by_role("button", name="Vérifier ma commande").click()
    page.wait_for_load_state()
    page.locator("#accept_terms").check()
    with page.expect_response(re.compile(r"/payments/orders/\d+/pay$")) as paying:
        page.get_by_test_id("place-order").click()
    policy = paying.value.headers["content-security-policy"]
    assert f"script-src 'self' {localstripe.url}" in policy
    assert f"connect-src 'self' {localstripe.url}" in policy
    assert "js.stripe.com" not in policy  # the configured origin, not a hard-coded one

    form = page.locator("#card-element")
    form.locator("input[placeholder=number]").fill("4242424242424242")
    form.locator("input[placeholder=exp_month]").fill("12")
    form.locator("input[placeholder=exp_year]").fill("34")
    form.locator("input[placeholder=cvc]").fill("123")
    form.locator("input[placeholder=postal_code]").fill("35200")
    page.get_by_test_id("pay-button").click()
    page.wait_for_url(re.compile(r"/orders/\d+/confirmation$"), timeout=30_000)
    assert watched.violations() == []
    assert watched.console == []
