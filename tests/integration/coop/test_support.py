"""Support requests: managers ask, admins answer, the author gets the answer by e-mail in their
own language; empty fields refused; permissions."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from coop.models import SupportRequest
from core.db import db
from enterprises.models import MembershipRole
from notifications.models import OutboundEmail
from tests.factories import EnterpriseFactory, MembershipFactory, UserFactory


@pytest.fixture
def farm(db_session):
    enterprise = EnterpriseFactory(name="GAEC du Moulin")
    manager = UserFactory(locale="en", full_name="Léa Bouvier", email="lea@moulin.example")
    MembershipFactory(user=manager, enterprise=enterprise, role=MembershipRole.owner)
    return enterprise, manager


def _count() -> int:
    return db.session.scalar(select(func.count(SupportRequest.id)))


def test_manager_sends_a_request_and_sees_it(client, login_as, farm):
    enterprise, manager = farm
    login_as(manager)
    url = f"/enterprises/{enterprise.id}/support"
    response = client.post(url, data={"subject": " Export CSV ", "body": "Le fichier est vide."})
    assert response.status_code == 303
    request = db.session.scalar(select(SupportRequest))
    assert (request.subject, request.body, request.status) == (
        "Export CSV",
        "Le fichier est vide.",
        "open",
    )
    assert request.author_id == manager.id
    page = client.get(url).get_data(as_text=True)
    assert "Export CSV" in page
    assert "waiting for an answer" in page


@pytest.mark.parametrize(
    "data", [{"subject": "", "body": "x"}, {"subject": "x", "body": "   "}, {}]
)
def test_empty_subject_or_message_is_refused(client, login_as, farm, data):
    enterprise, manager = farm
    login_as(manager)
    response = client.post(f"/enterprises/{enterprise.id}/support", data=data)
    assert response.status_code == 422
    assert "This field is required." in response.get_data(as_text=True)
    assert _count() == 0


def test_other_managers_and_citizens_cannot_see_or_send(client, login_as, farm):
    enterprise, _ = farm
    db.session.add(
        SupportRequest(enterprise_id=enterprise.id, subject="Secret", body="Private matter")
    )
    db.session.flush()
    url = f"/enterprises/{enterprise.id}/support"
    for user in (UserFactory(), MembershipFactory(enterprise=EnterpriseFactory()).user):
        login_as(user)
        assert client.get(url).status_code == 403
        assert client.post(url, data={"subject": "a", "body": "b"}).status_code == 403
    assert _count() == 1


def test_admin_answers_and_the_author_gets_an_email_in_their_language(client, login_as, farm):
    enterprise, manager = farm
    french = UserFactory(locale="fr", email="paul@moulin.example", full_name="Paul")
    MembershipFactory(user=french, enterprise=enterprise)
    requests = []
    for author, subject in ((manager, "Stripe"), (french, "Facture")):
        request = SupportRequest(
            enterprise_id=enterprise.id, author_id=author.id, subject=subject, body="?"
        )
        db.session.add(request)
        requests.append(request)
    db.session.flush()
    admin = UserFactory(is_admin=True, locale="en")
    login_as(admin)
    listing = client.get("/admin/support").get_data(as_text=True)
    assert "Stripe" in listing
    assert "Facture" in listing
    for request, text in zip(requests, ("Connect your account.", "Voir la page."), strict=True):
        response = client.post(f"/admin/support/{request.id}", data={"answer": text})
        assert response.status_code == 303
        db.session.refresh(request)
        assert request.status == "answered"
        assert request.answer == text
        assert request.answered_by_id == admin.id
    mails = {m.to_email: m for m in db.session.scalars(select(OutboundEmail))}
    assert set(mails) == {"lea@moulin.example", "paul@moulin.example"}
    assert mails["lea@moulin.example"].subject == "Answer to your request: Stripe"
    assert "Connect your account." in mails["lea@moulin.example"].body_text
    assert mails["paul@moulin.example"].subject == "Réponse à votre demande : Facture"
    assert "Voir la page." in mails["paul@moulin.example"].body_text
    # the author sees the answer on the enterprise's page
    login_as(manager)
    page = client.get(f"/enterprises/{enterprise.id}/support").get_data(as_text=True)
    assert "Connect your account." in page


def test_empty_answer_is_refused_and_nothing_sent(client, login_as, farm):
    enterprise, manager = farm
    request = SupportRequest(
        enterprise_id=enterprise.id, author_id=manager.id, subject="S", body="B"
    )
    db.session.add(request)
    db.session.flush()
    login_as(UserFactory(is_admin=True))
    response = client.post(f"/admin/support/{request.id}", data={"answer": "  "})
    assert response.status_code == 422
    db.session.refresh(request)
    assert request.status == "open"
    assert db.session.scalar(select(func.count(OutboundEmail.id))) == 0


def test_only_admins_answer(client, login_as, farm):
    enterprise, manager = farm
    request = SupportRequest(
        enterprise_id=enterprise.id, author_id=manager.id, subject="S", body="B"
    )
    db.session.add(request)
    db.session.flush()
    login_as(manager)
    assert client.get("/admin/support").status_code == 403
    assert client.post(f"/admin/support/{request.id}", data={"answer": "me"}).status_code == 403
    db.session.refresh(request)
    assert request.status == "open"
