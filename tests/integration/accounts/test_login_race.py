"""Forty simultaneous password guesses on one address (real commits on PostgreSQL, one thread
each): at most LOGIN_MAX_ATTEMPTS passwords are checked (issue 17.8)."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from accounts import services
from accounts.errors import InvalidCredentials, TooManyAttempts
from accounts.models import LoginAttempt
from core.db import db
from tests.factories import UserFactory

GUESSES = 40


def test_forty_simultaneous_guesses_check_at_most_the_allowed_number(app, committed, monkeypatch):
    allowed = app.config["LOGIN_MAX_ATTEMPTS"]
    user = UserFactory(email="camille@example.org")
    db.session.commit()
    email = user.email
    db.session.remove()

    checked: list[str] = []
    lock = threading.Lock()
    original = services.verify_password

    def counting_verify(password_hash: str, password: str) -> bool:
        with lock:
            checked.append(password)
        return original(password_hash, password)

    monkeypatch.setattr(services, "verify_password", counting_verify)
    start = threading.Barrier(GUESSES, timeout=30)
    outcomes: list[str] = []

    def guess(n: int) -> None:
        with app.app_context():
            start.wait()
            try:
                services.authenticate(email=email, password=f"guess {n}", ip=f"10.0.0.{n}")
                outcomes.append("in")
            except InvalidCredentials:
                outcomes.append("wrong")
            except TooManyAttempts:
                outcomes.append("limited")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(GUESSES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(outcomes) == GUESSES
    assert len(checked) <= allowed, f"{len(checked)} passwords checked, {allowed} allowed"
    assert outcomes.count("wrong") == len(checked)
    assert outcomes.count("limited") == GUESSES - len(checked)
    # the refused guesses left no trace: the lockout ends when the allowed failures expire
    recorded = db.session.scalar(select(func.count(LoginAttempt.id)))
    assert recorded == len(checked)
