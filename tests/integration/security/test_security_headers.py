"""Security headers on every answer (core.headers); the browser check is tests/e2e/test_csp.py."""

from __future__ import annotations

import pytest

from tests.conftest import build_app


def _policy(resp) -> dict[str, list[str]]:
    directives = [d.strip().split() for d in resp.headers["Content-Security-Policy"].split(";")]
    return {d[0]: d[1:] for d in directives if d}


@pytest.mark.parametrize("path", ["/", "/login", "/no-such-page", "/api/v1/me", "/healthz"])
def test_every_answer_carries_the_headers(client, path):
    resp = client.get(path)
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    policy = _policy(resp)
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["default-src"] == ["'self'"]
    # no inline script or style anywhere: no 'unsafe-inline', no nonce
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-src"] == ["'none'"]
    assert "Strict-Transport-Security" not in resp.headers  # plain HTTP (tests' BASE_URL)


def test_the_pages_hold_no_inline_script_or_style(client):
    html = client.get("/").get_data(as_text=True)
    assert "<script>" not in html
    assert "style=" not in html
    assert "onchange=" not in html
    assert 'src="/static/js/ui.js"' in html


def test_payment_pages_allow_stripe_and_only_they_do(app, client, monkeypatch):
    from flask import g

    from core.headers import content_security_policy

    with app.test_request_context("/"):
        g.csp_allows_stripe = True
        policy = content_security_policy(with_stripe=True)
    assert "script-src 'self' https://js.stripe.com https://*.js.stripe.com" in policy
    assert "frame-src https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com" in (
        policy
    )
    assert "connect-src 'self' https://api.stripe.com" in policy
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", "http://127.0.0.1:8420/")
    with app.test_request_context("/"):
        policy = content_security_policy(with_stripe=True)
    assert "script-src 'self' http://127.0.0.1:8420;" in policy
    assert "stripe.com" not in policy
    assert "stripe" not in client.get("/").headers["Content-Security-Policy"]


def test_hsts_only_behind_https(pg_server):
    """As deployed: a proxy in front (TRUSTED_PROXIES=1, ProxyFix) says the client used HTTPS."""
    app = build_app(pg_server.url("comptoir_test"), TRUSTED_PROXIES=1)
    client = app.test_client()
    plain = client.get("/healthz")
    assert "Strict-Transport-Security" not in plain.headers
    secure = client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    # a site whose address is https (the proxy not trusted): browsers ignore it over http
    app = build_app(pg_server.url("comptoir_test"), BASE_URL="https://comptoir.example")
    assert "max-age=" in app.test_client().get("/healthz").headers["Strict-Transport-Security"]


def test_a_report_uri_when_configured(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "CSP_REPORT_URI", "https://reports.example/csp")
    assert (
        client.get("/")
        .headers["Content-Security-Policy"]
        .endswith("; report-uri https://reports.example/csp")
    )


def test_only_the_hub_settings_page_may_send_a_form_to_stripe_onboarding(client, login_as):
    """The "connect Stripe" form posts here and is redirected to Stripe's onboarding: a browser
    checks form-action on that redirect, so the settings page (and only it) allows Stripe."""
    from tests.factories_hubs import hub_with_manager

    hub, manager = hub_with_manager()
    login_as(manager)
    settings = _policy(client.get(f"/hubs/{hub.id}/settings"))
    assert settings["form-action"] == ["'self'", "https://connect.stripe.com"]
    assert _policy(client.get("/dashboard"))["form-action"] == ["'self'"]
