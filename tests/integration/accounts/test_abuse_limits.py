"""Abuse limits (issue 17.8): sign-up, confirmation re-sends, password resets, invitations and
support requests are limited per account, per address and per e-mail, with a clear 429."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from accounts import ratelimit
from accounts.models import RateLimitHit
from coop.models import SupportRequest
from core.db import db
from core.timeutils import utcnow
from enterprises.models import Invitation, MembershipRole
from tests.factories import EnterpriseFactory, MembershipFactory, UserFactory
from tests.factories_accounts import outbox

H = ratelimit.HOUR


@pytest.fixture
def tight_limits(app, monkeypatch):
    """Small limits, so that a test needs few requests."""
    monkeypatch.setitem(
        app.config,
        "RATE_LIMITS",
        {
            "signup": [("ip", 4, H), ("email", 2, H)],
            "confirmation_resend": [("ip", 4, H), ("email", 2, H)],
            "password_reset": [("ip", 4, H), ("email", 2, H)],
            "invitation": [("user", 2, H), ("ip", 10, H), ("email", 5, H)],
            "support_request": [("user", 2, H), ("ip", 10, H)],
        },
    )


def _forgot(client, email, ip="192.0.2.1"):
    return client.post("/password/forgot", data={"email": email}, environ_base={"REMOTE_ADDR": ip})


def test_password_resets_are_limited_per_email_then_allowed_again(client, tight_limits):
    UserFactory(email="camille@example.org")
    db.session.commit()
    for n in range(2):
        assert _forgot(client, "camille@example.org", ip=f"192.0.2.{n}").status_code == 200
    limited = _forgot(client, "Camille@example.org", ip="198.51.100.7")  # another address
    assert limited.status_code == 429
    assert "Too many requests in a short time. Try again in 60 minutes." in limited.get_data(
        as_text=True
    )
    assert 3500 < int(limited.headers["Retry-After"]) <= 3601
    with time_machine.travel(utcnow() + timedelta(hours=1, seconds=1)):
        assert _forgot(client, "camille@example.org").status_code == 200


def test_password_resets_are_limited_per_address_across_emails(client, tight_limits):
    for n in range(4):
        assert _forgot(client, f"guess{n}@example.org").status_code == 200
    assert _forgot(client, "guess9@example.org").status_code == 429
    assert _forgot(client, "guess9@example.org", ip="203.0.113.9").status_code == 200


def test_refused_requests_are_not_counted(client, tight_limits):
    for _ in range(6):
        _forgot(client, "camille@example.org")
    count = select(func.count(RateLimitHit.id)).where(
        RateLimitHit.key == "email:camille@example.org"
    )
    assert db.session.scalar(count) == 2


def test_the_limit_message_is_french_by_default(client, tight_limits):
    with client.session_transaction() as sess:
        sess.pop("lang", None)
    for _ in range(2):
        _forgot(client, "camille@example.org")
    limited = _forgot(client, "camille@example.org")
    assert limited.status_code == 429
    assert "Trop de demandes en peu de temps. Réessayez dans 60 minutes." in limited.get_data(
        as_text=True
    )


def test_signups_are_limited_per_address(client, tight_limits):
    for n in range(4):
        response = client.post(
            "/signup",
            data={
                "full_name": "Camille",
                "email": f"camille{n}@example.org",
                "password": "tomates et courgettes",
                "locale": "en",
            },
        )
        assert response.status_code == 200
    refused = client.post(
        "/signup",
        data={
            "full_name": "Camille",
            "email": "camille9@example.org",
            "password": "tomates et courgettes",
            "locale": "en",
        },
    )
    assert refused.status_code == 429
    assert outbox(to="camille9@example.org") == []


def test_confirmation_resends_are_limited_per_email(client, tight_limits):
    for n in range(2):
        response = client.post(
            "/confirm/resend",
            data={"email": "camille@example.org"},
            environ_base={"REMOTE_ADDR": f"192.0.2.{n}"},
        )
        assert response.status_code == 200
    refused = client.post("/confirm/resend", data={"email": "camille@example.org"})
    assert refused.status_code == 429


def test_invitations_are_limited_per_inviting_account(client, login_as, tight_limits):
    hub = EnterpriseFactory(is_hub=True)
    owner = UserFactory()
    MembershipFactory(user=owner, enterprise=hub, role=MembershipRole.owner)
    db.session.commit()
    login_as(owner)
    url = f"/enterprises/{hub.id}/team/invite"
    for n in range(2):
        assert client.post(url, data={"email": f"ami{n}@example.org"}).status_code == 302
    refused = client.post(url, data={"email": "ami9@example.org"})
    assert refused.status_code == 429
    assert "Too many requests in a short time." in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) > 0
    assert db.session.scalar(select(func.count(Invitation.id))) == 2
    assert outbox(to="ami9@example.org") == []


def test_support_requests_are_limited_per_author_and_keep_the_message(
    client, login_as, tight_limits
):
    hub = EnterpriseFactory(is_hub=True)
    manager = UserFactory()
    MembershipFactory(user=manager, enterprise=hub, role=MembershipRole.owner)
    db.session.commit()
    login_as(manager)
    url = f"/enterprises/{hub.id}/support"
    for n in range(2):
        sent = client.post(url, data={"subject": f"Question {n}", "body": "Bonjour"})
        assert sent.status_code == 303
    refused = client.post(url, data={"subject": "Encore", "body": "Un long message à garder"})
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "Too many requests in a short time." in page
    assert "Un long message à garder" in page
    assert db.session.scalar(select(func.count(SupportRequest.id))) == 2


def test_the_api_answer_is_a_json_error_with_a_stable_code(app):
    from accounts.views import rate_limited

    with app.test_request_context("/api/v1/anything"):
        body, status, headers = rate_limited(ratelimit.RateLimited(retry_after_seconds=90))
    assert status == 429
    assert headers["Retry-After"] == "90"
    assert body.get_json()["error"]["code"] == "rate_limited"
    assert body.get_json()["error"]["message"]


def test_a_limit_holds_across_simultaneous_requests(app, committed, monkeypatch):
    """Twenty processes at once (threads with their own connections, real commits): exactly as
    many get through as the limit allows."""
    monkeypatch.setitem(app.config, "RATE_LIMITS", {"password_reset": [("email", 3, H)]})
    start = threading.Barrier(20, timeout=30)
    passed: list[int] = []

    def request(n: int) -> None:
        with app.app_context():
            start.wait()
            try:
                ratelimit.consume("password_reset", email="camille@example.org")
                passed.append(n)
            except ratelimit.RateLimited:
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=request, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(passed) == 3
    assert db.session.scalar(select(func.count(RateLimitHit.id))) == len(passed)
