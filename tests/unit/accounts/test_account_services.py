"""Account rules: passwords, tokens, login limits, reset single use, deletion."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from flask_babel import force_locale
from sqlalchemy import func, select

from accounts import services, tokens
from accounts.errors import (
    EmailNotConfirmed,
    InvalidCredentials,
    LinkExpired,
    LinkInvalid,
    TooManyAttempts,
    WeakPassword,
)
from accounts.models import LoginAttempt, UsedToken
from core.db import db
from core.timeutils import utcnow
from tests.factories import PASSWORD, UserFactory
from tests.factories_accounts import outbox


@pytest.fixture(autouse=True)
def request_ctx(app, db_session):
    with app.test_request_context(), force_locale("en"):
        yield


@pytest.mark.parametrize(
    "password",
    ["", "short", "123456789", "aaaaaaaaaaaaa", "ababababababab", "camille@example.org", "camille"],
)
def test_weak_passwords_are_refused(password):
    with pytest.raises(WeakPassword):
        services.check_password_strength(password, email="camille@example.org")


def test_a_sentence_is_a_good_password():
    services.check_password_strength("tomates et courgettes", email="camille@example.org")


def test_token_for_one_purpose_is_refused_for_another():
    token = tokens.make_token(tokens.CONFIRM_EMAIL, {"uid": 1})
    assert tokens.read_token(tokens.CONFIRM_EMAIL, token) == {"uid": 1}
    with pytest.raises(tokens.TokenInvalid):
        tokens.read_token(tokens.RESET_PASSWORD, token)


def test_register_normalises_email_and_tells_the_owner_of_a_taken_address():
    user = services.register_user(
        email=" Camille@Example.ORG", password="tomates et courgettes", full_name="Camille"
    )
    assert user.email == "camille@example.org"
    user.email_confirmed_at = utcnow()
    assert len(outbox(to="camille@example.org")) == 1
    again = services.register_user(
        email="camille@example.org", password="tomates et courgettes", full_name="Other"
    )
    assert again is None  # no error: the answer must not tell that the address is registered
    assert [m.kind for m in outbox(to="camille@example.org")] == [
        "account_confirmation",
        "signup_existing",
    ]


def test_confirm_email_refuses_token_of_a_changed_address():
    user = UserFactory(email_confirmed_at=None)
    token = tokens.make_token(tokens.CONFIRM_EMAIL, {"uid": user.id, "email": "old@example.org"})
    with pytest.raises(LinkInvalid):
        services.confirm_email(token)
    good = tokens.make_token(tokens.CONFIRM_EMAIL, {"uid": user.id, "email": user.email})
    assert services.confirm_email(good).email_confirmed_at is not None
    assert services.confirm_email(good).email_confirmed_at is not None  # twice is harmless


def test_authenticate_records_attempts_and_blocks_after_limit(app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_MAX_ATTEMPTS", 2)
    user = UserFactory(email="camille@example.org")
    for _ in range(2):
        with pytest.raises(InvalidCredentials):
            services.authenticate(email=user.email, password="bad", ip="1.2.3.4")
    with pytest.raises(TooManyAttempts) as exc:
        services.authenticate(email=user.email, password=PASSWORD, ip="5.6.7.8")
    assert 0 < exc.value.retry_after_seconds <= 15 * 60
    # blocked attempts are not even checked, nor recorded
    assert db.session.scalar(select(func.count(LoginAttempt.id))) == 2


def test_success_resets_the_per_email_count(app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_MAX_ATTEMPTS", 2)
    user = UserFactory(email="camille@example.org")
    with pytest.raises(InvalidCredentials):
        services.authenticate(email=user.email, password="bad", ip="1.2.3.4")
    with time_machine.travel(utcnow() + timedelta(seconds=1)):
        services.authenticate(email=user.email, password=PASSWORD, ip="1.2.3.4")
    with time_machine.travel(utcnow() + timedelta(seconds=2)):
        with pytest.raises(InvalidCredentials):
            services.authenticate(email=user.email, password="bad", ip="1.2.3.4")
        # one failure since the success: still allowed
        assert services.authenticate(email=user.email, password=PASSWORD, ip="1.2.3.4") == user


def test_unconfirmed_account_cannot_log_in():
    user = UserFactory(email_confirmed_at=None)
    with pytest.raises(EmailNotConfirmed):
        services.authenticate(email=user.email, password=PASSWORD, ip="1.2.3.4")


def test_deleted_account_cannot_log_in():
    user = UserFactory()
    services.delete_account(user, password=PASSWORD)
    with pytest.raises(InvalidCredentials):
        services.authenticate(email=user.email, password="", ip="1.2.3.4")


def test_reset_token_single_use_and_invalidated_by_a_password_change():
    user = UserFactory()
    services.request_password_reset(user.email)
    services.request_password_reset(user.email)  # same ten minutes: one e-mail
    [mail] = outbox(kind="password_reset")
    token = mail.body_text.split("/password/reset/")[1].split()[0]
    services.reset_password(token, "a completely new passphrase")
    assert db.session.scalar(select(func.count(UsedToken.id))) == 1
    with pytest.raises(LinkInvalid):
        services.reset_password(token, "yet another passphrase")
    # a link sent before a password change stops working
    other = tokens.make_token(tokens.RESET_PASSWORD, {"uid": user.id, "pc": "2020-01-01"})
    with pytest.raises(LinkInvalid):
        services.check_reset_token(other)


def test_reset_token_expires_after_one_hour():
    user = UserFactory()
    token = tokens.make_token(
        tokens.RESET_PASSWORD, {"uid": user.id, "pc": services._password_stamp(user)}
    )
    assert services.check_reset_token(token) == user
    with time_machine.travel(utcnow() + timedelta(minutes=61)), pytest.raises(LinkExpired):
        services.check_reset_token(token)


def test_purge_login_attempts_keeps_recent_ones():
    db.session.add(LoginAttempt(email="a", ip="1", created_at=utcnow() - timedelta(days=2)))
    db.session.add(LoginAttempt(email="a", ip="1", created_at=utcnow()))
    assert services.purge_login_attempts() == 1
    assert db.session.scalar(select(func.count(LoginAttempt.id))) == 1
