"""Smoke test on SQLite (the ``make run`` database): sign up, confirm, fail, log in."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from accounts.models import LoginAttempt
from core.db import db
from notifications.models import OutboundEmail

pytestmark = pytest.mark.sqlite


def test_signup_confirm_and_login_on_sqlite(sqlite_client):
    client = sqlite_client
    resp = client.post(
        "/signup",
        data={
            "full_name": "Camille",
            "email": "camille@example.org",
            "password": "tomates et courgettes",
            "locale": "fr",
        },
    )
    assert resp.status_code == 200
    mail = db.session.scalar(select(OutboundEmail))
    path = re.search(r"http://comptoir\.test(/confirm/\S+)", mail.body_text).group(1)
    assert client.get(path).status_code == 302
    bad = client.post("/login", data={"email": "camille@example.org", "password": "wrong"})
    assert bad.status_code == 422
    ok = client.post(
        "/login", data={"email": "camille@example.org", "password": "tomates et courgettes"}
    )
    assert ok.status_code == 302
    assert len(db.session.scalars(select(LoginAttempt)).all()) == 2
    assert client.get("/account").status_code == 200
