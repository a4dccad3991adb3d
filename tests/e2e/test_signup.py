"""A person signs up, receives the confirmation e-mail, opens the link and logs in (Chromium)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from accounts.models import User
from core.db import db

pytestmark = pytest.mark.e2e

EMAIL = "camille.durand@example.org"
PASSWORD = "des tomates en novembre"  # noqa: S105 - test value


def test_sign_up_confirm_by_email_and_log_in(live_server, smtp_sink, page):
    page.goto(live_server.url + "/")
    page.get_by_test_id("menu-button").click()  # the header's menu, on a phone
    page.get_by_role("link", name="Créer un compte").click()
    page.get_by_label("Votre nom").fill("Camille Durand")
    page.get_by_label("Adresse e-mail").fill(EMAIL)
    page.get_by_label("Mot de passe").fill("court")
    page.get_by_role("button", name="Créer mon compte").click()
    # too short: the form comes back with the error next to the field, nothing created
    page.get_by_text("Le mot de passe doit compter au moins 10 caractères.").wait_for()
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Créer mon compte").click()
    page.get_by_role("heading", name="Consultez vos e-mails").wait_for()
    assert EMAIL in page.content()

    # logging in before confirming is refused with a way to get the link again
    page.goto(live_server.url + "/login")
    page.get_by_label("Adresse e-mail").fill(EMAIL)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.get_by_text("Confirmez d'abord votre adresse e-mail").wait_for()

    mail = smtp_sink.wait_for(lambda m: m["To"] == EMAIL, timeout=10)
    assert mail["Subject"] == "Confirmez votre adresse e-mail sur Comptoir"
    body = mail.get_content()
    assert body.startswith("Bonjour Camille Durand,")
    link = re.search(re.escape(live_server.url) + r"/confirm/\S+", body).group(0)

    page.goto(link)
    page.get_by_text("Merci : votre adresse e-mail est confirmée.").wait_for()
    assert page.get_by_label("Adresse e-mail").input_value() == EMAIL
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.get_by_text("Bienvenue, Camille Durand.").wait_for()
    page.get_by_test_id("menu-button").click()  # the header's menu, on a phone
    page.get_by_role("link", name="Mon compte", exact=True).click()
    page.get_by_role("heading", name="Mon compte").wait_for()
    assert EMAIL in page.content()

    db.session.remove()
    user = db.session.scalar(select(User).where(User.email == EMAIL))
    assert user.email_confirmed_at is not None
    assert user.last_login_at is not None
    assert user.locale == "fr"
