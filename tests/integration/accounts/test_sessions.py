"""Sessions end server-side (issue 17.6): logging out kills copies of the cookie, a password
change or reset ends the other sessions and revokes API tokens, a token needs the password."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from accounts import services
from accounts.models import ApiToken, LoginAttempt, UserSession
from core.db import db
from core.timeutils import utcnow
from tests.factories import PASSWORD, UserFactory
from tests.factories_accounts import link_path, outbox

NEW_PASSWORD = "une phrase assez longue"  # noqa: S105 - test value


def _log_in(browser: FlaskClient, email: str, password: str = PASSWORD) -> None:
    response = browser.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)


def _copy_of(app: Flask, browser: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of ``browser``'s session cookie (stolen, or a backup)."""
    thief = app.test_client()
    thief.set_cookie("session", browser.get_cookie("session").value)
    return thief


def _logged_in(browser: FlaskClient) -> bool:
    response = browser.get("/account")
    return response.status_code == 200


def _api_status(raw_token: str) -> int:
    from flask import current_app

    response = current_app.test_client().get(
        "/api/v1/me", headers={"Authorization": f"Bearer {raw_token}"}
    )
    return response.status_code


def test_a_copied_cookie_stops_working_after_logout(app, client):
    user = UserFactory(email="camille@example.org")
    db.session.commit()
    _log_in(client, user.email)
    thief = _copy_of(app, client)
    assert _logged_in(thief)  # the copy works while the session lives
    assert client.post("/logout").status_code == 302
    assert not _logged_in(client)
    assert not _logged_in(thief)  # ended server-side, not only forgotten by the browser
    assert db.session.scalar(select(func.count(UserSession.id))) == 0


def test_logging_out_one_browser_leaves_the_others_logged_in(app, client):
    user = UserFactory(email="camille@example.org")
    db.session.commit()
    phone = app.test_client()
    _log_in(client, user.email)
    _log_in(phone, user.email)
    client.post("/logout")
    assert _logged_in(phone)


def test_changing_the_password_ends_other_sessions_and_revokes_api_tokens(app, client):
    user = UserFactory(email="camille@example.org")
    db.session.commit()
    _token, raw = services.create_api_token(user, name="script", scope="read", password=PASSWORD)
    laptop = app.test_client()
    _log_in(client, user.email)
    _log_in(laptop, user.email)
    copy = _copy_of(app, client)
    assert _api_status(raw) == 200

    response = client.post(
        "/account/password", data={"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert _logged_in(client)  # the browser that changed it stays in, on a fresh session
    assert not _logged_in(copy)  # ... whose old cookie is dead
    assert not _logged_in(laptop)
    assert _api_status(raw) == 401
    assert db.session.scalar(select(ApiToken.revoked_at).where(ApiToken.user_id == user.id))


def test_a_password_reset_ends_every_session_revokes_tokens_and_lifts_the_lockout(
    app, client, monkeypatch
):
    monkeypatch.setitem(app.config, "LOGIN_MAX_ATTEMPTS", 3)
    user = UserFactory(email="camille@example.org")
    db.session.commit()
    _token, raw = services.create_api_token(user, name="script", scope="read", password=PASSWORD)
    attacker = app.test_client()
    _log_in(attacker, user.email)
    owner = app.test_client()
    for _ in range(3):  # someone else's guesses locked the address
        owner.post("/login", data={"email": user.email, "password": "guess"})
    assert owner.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 429

    owner.post("/password/forgot", data={"email": user.email})
    [mail] = outbox(to=user.email, kind="password_reset")
    assert owner.post(link_path(mail), data={"password": NEW_PASSWORD}).status_code == 302

    assert not _logged_in(attacker)
    assert _api_status(raw) == 401
    failures = select(func.count(LoginAttempt.id)).where(LoginAttempt.succeeded.is_(False))
    assert db.session.scalar(failures) == 0
    _log_in(owner, user.email, NEW_PASSWORD)  # at once, not in 15 minutes
    assert _logged_in(owner)


def test_a_login_lasts_thirty_days_at_most(app, client):
    user = UserFactory(email="camille@example.org")
    db.session.commit()
    _log_in(client, user.email)
    with time_machine.travel(utcnow() + timedelta(days=29)):
        assert _logged_in(client)
    with time_machine.travel(utcnow() + timedelta(days=31)):
        assert not _logged_in(client)
        services.purge_login_attempts()
    assert db.session.scalar(select(func.count(UserSession.id))) == 0


def test_a_cookie_without_a_recorded_login_opens_nothing(client):
    """A cookie signed before this change (user id with the password stamp, no login key), or a
    forged one without a key, is refused: every session starts with a real login."""
    user = UserFactory(email="camille@example.org")
    db.session.commit()
    with client.session_transaction() as sess:
        sess["_user_id"] = f"{user.id}.0"
        sess["_fresh"] = True
    assert not _logged_in(client)
    with client.session_transaction() as sess:
        sess["_user_id"] = str(user.id)
        sess["_sid"] = "made-up"
    assert not _logged_in(client)


def test_creating_an_api_token_asks_for_the_current_password(client, login_as):
    user = UserFactory(email="camille@example.org")
    db.session.commit()
    login_as(user)
    for password in ("", "not my password"):
        response = client.post(
            "/account/tokens", data={"name": "script", "scope": "read", "password": password}
        )
        assert response.status_code == 422
        assert db.session.scalar(select(func.count(ApiToken.id))) == 0
    wrong = client.post(
        "/account/tokens", data={"name": "script", "scope": "read", "password": "nope"}
    ).get_data(as_text=True)
    assert "This is not your current password." in wrong
    created = client.post(
        "/account/tokens", data={"name": "script", "scope": "read", "password": PASSWORD}
    )
    assert created.status_code == 201
    assert db.session.scalar(select(func.count(ApiToken.id))) == 1
