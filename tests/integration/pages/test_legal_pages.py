"""The platform's legal notice and privacy policy: configured values, missing ones, languages."""

from __future__ import annotations

import pytest

LEGAL = {
    "LEGAL_OPERATOR": "SCIC Comptoir Commun",
    "LEGAL_FORM": "SCIC SAS à capital variable",
    "LEGAL_ADDRESS": "12 rue des Halles, 69001 Lyon",
    "LEGAL_SIRET": "98765432100017",
    "LEGAL_PUBLICATION_DIRECTOR": "Camille Martin",
    "LEGAL_CONTACT_EMAIL": "contact@comptoir.example",
    "LEGAL_HOST": "Hébergeur Coop",
    "LEGAL_HOST_ADDRESS": "1 avenue du Serveur, 59000 Lille",
}


@pytest.fixture
def configured(app):
    saved = {key: app.config.get(key) for key in LEGAL}
    app.config.update(LEGAL)
    yield
    app.config.update(saved)


def _get(client, path, lang="fr"):
    response = client.get(path, headers={"Accept-Language": lang})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_legal_notice_shows_the_configured_operator(client, configured):
    text = _get(client, "/legal")
    assert "<h1>Mentions légales</h1>" in text
    for value in LEGAL.values():
        assert value in text
    assert 'data-testid="legal-missing"' not in text
    assert "Directeur de la publication" in text
    english = _get(client, "/legal", "en")
    assert "<h1>Legal notice</h1>" in english
    assert "Director of publication" in english


def test_legal_notice_flags_what_is_not_configured_instead_of_inventing_it(client, app):
    saved = app.config.get("LEGAL_SIRET")
    app.config["LEGAL_SIRET"] = ""
    try:
        text = _get(client, "/legal")
    finally:
        app.config["LEGAL_SIRET"] = saved
    assert 'data-testid="legal-missing"' in text
    assert "<code>LEGAL_SIRET</code>" in text
    assert "non configuré" in text


def test_privacy_policy_states_the_periods_the_code_applies(client, configured, app):
    text = _get(client, "/privacy")
    assert "<h1>Politique de confidentialité</h1>" in text
    assert "effacées après 1 jour" in text  # accounts.services.purge_login_attempts
    assert "effacés après 2 jours" in text  # accounts.ratelimit.purge
    assert "après 30 jours" in text  # accounts.sessions.DEFAULT_MAX_AGE_DAYS
    assert "Stripe" in text
    assert "aucun traceur" in text
    assert "aucun bandeau" in text
    assert 'href="/account/data.json"' not in text  # rights go through the account page
    assert 'href="/account"' in text
    assert 'href="/account/delete"' in text
    assert "contact@comptoir.example" in text
    app.config["SESSION_MAX_AGE_DAYS"] = 7
    try:
        assert "au plus tard après 7 jours" in _get(client, "/privacy")
    finally:
        del app.config["SESSION_MAX_AGE_DAYS"]
    english = _get(client, "/privacy", "en")
    assert "<h1>Privacy policy</h1>" in english
    assert "no trackers" in english


def test_the_account_pages_the_policy_names_exist(client, login_as):
    from tests.factories import UserFactory

    login_as(UserFactory())
    account = _get(client, "/account")
    assert 'href="/account/data.json"' in account
    assert 'href="/account/delete"' in account


def test_footer_links_the_legal_pages_everywhere(client):
    for path in ("/", "/legal", "/privacy", "/hubs"):
        text = _get(client, path)
        assert 'href="/legal" data-testid="footer-legal">Mentions légales</a>' in text
        assert (
            'href="/privacy" data-testid="footer-privacy">Politique de confidentialité</a>' in text
        )
