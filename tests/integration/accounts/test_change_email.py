"""Changing an account's e-mail address: proven by a link sent to the new address, told to the
old one, refused with a clear message when the password, the address or the link is wrong."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import time_machine
from flask_babel import force_locale

from accounts.errors import EmailTaken, LinkInvalid
from core.db import db
from core.timeutils import utcnow
from tests.factories import PASSWORD, UserFactory
from tests.factories_accounts import link_path, outbox


def _flashes(response) -> list[str]:
    page = response.get_data(as_text=True)
    return [html.unescape(m) for m in re.findall(r'<p class="flash flash-error">(.*?)</p>', page)]


def _in_page_language(response, message) -> str:
    lang = re.search(r'<html lang="(\w+)"', response.get_data(as_text=True)).group(1)
    with force_locale(lang):
        return str(message)


def _ask(client, new_email: str, password: str = PASSWORD):
    return client.post(
        "/account/email", data={"email-new_email": new_email, "email-password": password}
    )


def test_the_address_changes_only_once_the_link_sent_to_it_is_opened(client, login_as):
    user = UserFactory(email="camille@example.org", locale="fr")
    db.session.commit()
    login_as(user)
    page = client.get("/account").get_data(as_text=True)
    assert 'id="email-new_email"' in page  # its own ids beside the password form's

    resp = _ask(client, " Camille.Durand@Example.org ")
    assert resp.status_code == 302
    notice = client.get("/account").get_data(as_text=True)
    assert "camille.durand@example.org" in notice
    db.session.refresh(user)
    assert user.email == "camille@example.org"  # not yet

    [link_mail] = outbox(to="camille.durand@example.org", kind="email_change")
    assert link_mail.subject == "Confirmez votre nouvelle adresse e-mail sur Comptoir"
    [warning] = outbox(to="camille@example.org", kind="email_change_notice")
    assert "camille.durand@example.org" in warning.body_text
    assert "/password/forgot" in warning.body_text

    client.post("/logout")  # the link works on another device, logged out
    opened = client.get(link_path(link_mail))
    assert opened.status_code == 302
    assert parse_qs(urlsplit(opened.headers["Location"]).query) == {
        "email": ["camille.durand@example.org"]
    }
    db.session.refresh(user)
    assert user.email == "camille.durand@example.org"
    assert user.email_confirmed_at is not None

    old = client.post("/login", data={"email": "camille@example.org", "password": PASSWORD})
    assert old.status_code == 422
    new = client.post("/login", data={"email": "camille.durand@example.org", "password": PASSWORD})
    assert new.status_code == 302

    again = client.get(link_path(link_mail), follow_redirects=True)  # used: refused
    assert _flashes(again) == [_in_page_language(again, LinkInvalid.message)]
    db.session.refresh(user)
    assert user.email == "camille.durand@example.org"


def test_wrong_password_same_or_taken_address_are_field_errors(client, login_as):
    user = UserFactory(email="camille@example.org", locale="en")
    UserFactory(email="yann@example.org")
    db.session.commit()
    login_as(user)

    wrong = _ask(client, "new@example.org", password="not my password")
    assert wrong.status_code == 422
    assert "This is not your current password." in wrong.get_data(as_text=True)
    same = _ask(client, "CAMILLE@example.org")
    assert same.status_code == 422
    assert "This is already your e-mail address." in same.get_data(as_text=True)
    taken = _ask(client, "yann@example.org")
    assert taken.status_code == 422
    assert "An account already uses this e-mail address" in taken.get_data(as_text=True)
    invalid = _ask(client, "not an address")
    assert invalid.status_code == 422
    assert "Enter a valid e-mail address." in invalid.get_data(as_text=True)
    assert outbox(kind="email_change") == []
    db.session.refresh(user)
    assert user.email == "camille@example.org"


def test_a_link_is_refused_once_expired_or_when_the_address_was_taken_meanwhile(client, login_as):
    user = UserFactory(email="camille@example.org", locale="en")
    db.session.commit()
    login_as(user)
    _ask(client, "new@example.org")
    [mail] = outbox(kind="email_change")
    with time_machine.travel(utcnow() + timedelta(hours=25)):
        late = client.get(link_path(mail), follow_redirects=True)
    assert "This link has expired" in late.get_data(as_text=True)

    login_as(user)  # a day later the session had lapsed
    assert _ask(client, "other@example.org").status_code == 302
    [mail] = outbox(to="other@example.org", kind="email_change")
    UserFactory(email="other@example.org")  # signed up with it in the meantime
    db.session.commit()
    taken = client.get(link_path(mail), follow_redirects=True)
    assert _flashes(taken) == [_in_page_language(taken, EmailTaken.message)]
    db.session.refresh(user)
    assert user.email == "camille@example.org"


def test_the_change_needs_a_login(client):
    resp = _ask(client, "new@example.org")
    assert resp.status_code == 302
    assert "/login" in resp.headers["Location"]
