"""Enterprises through the pages: create, edit, logo, public page, dashboard, team, admin."""

from __future__ import annotations

import io
from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from core.db import db
from core.timeutils import utcnow
from enterprises.models import Enterprise, Invitation, Membership, MembershipRole
from tests.factories import EnterpriseFactory, HubFactory, MembershipFactory, UserFactory
from tests.factories_accounts import link_path, outbox

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
FORM = {
    "name": "Ferme de l'Étang",
    "is_producer": "y",
    "description": "Légumes bio",
    "postcode": "20090",
    "city": "Ajaccio",
    "contact_email": "Contact@Etang.example",
    "siret": "732 829 320 00074",
}


def _owner_of(enterprise, **user_kwargs):
    user = UserFactory(**user_kwargs)
    MembershipFactory(user=user, enterprise=enterprise, role=MembershipRole.owner)
    return user


def test_create_enterprise_makes_creator_owner_with_unique_slug_and_department(client, login_as):
    user = UserFactory()
    EnterpriseFactory(name="Ferme de l'Étang", slug="ferme-de-l-etang")
    db.session.commit()
    login_as(user)
    resp = client.post("/enterprises/new", data=FORM)
    assert resp.status_code == 302
    created = db.session.scalar(select(Enterprise).where(Enterprise.slug == "ferme-de-l-etang-2"))
    assert created is not None
    assert created.department == "2A"
    assert created.contact_email == "contact@etang.example"
    assert created.siret == "73282932000074"
    role = db.session.scalar(
        select(Membership.role).where(
            Membership.user_id == user.id, Membership.enterprise_id == created.id
        )
    )
    assert role == MembershipRole.owner
    public = client.get("/e/ferme-de-l-etang-2")
    assert public.status_code == 200
    assert "Légumes bio" in public.get_data(as_text=True)


def test_create_enterprise_reports_every_bad_field(client, login_as):
    login_as(UserFactory())
    db.session.commit()
    bad = {
        "name": "Ferme",
        "postcode": "123",
        "siret": "73282932000075",
        "vat_number": "FR00303265045",
        "latitude": "95",
        "longitude": "2",
        "website": "not a site",
    }
    resp = client.post("/enterprises/new", data=bad)
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    for message in (
        "Choose producer, hub, or both.",
        "A French postcode has five digits.",
        "A SIRET number has 14 digits and a valid check digit.",
        "Enter a valid EU VAT number",
        "A latitude is a number between -90 and 90.",
        "Enter a web address",
    ):
        assert message in html
    assert db.session.scalar(select(func.count(Enterprise.id))) == 0


def test_unconfirmed_user_cannot_create_an_enterprise(client, login_as):
    login_as(UserFactory(email_confirmed_at=None))
    db.session.commit()
    resp = client.post("/enterprises/new", data=FORM)
    assert resp.status_code == 403
    assert db.session.scalar(select(func.count(Enterprise.id))) == 0


def test_edit_by_manager_of_other_enterprise_is_forbidden(client, login_as):
    a, b = EnterpriseFactory(), EnterpriseFactory()
    manager_b = _owner_of(b)
    db.session.commit()
    assert client.get(f"/enterprises/{a.id}/edit").status_code == 302  # anonymous → login
    login_as(manager_b)
    assert client.get(f"/enterprises/{a.id}/edit").status_code == 403
    resp = client.post(f"/enterprises/{a.id}/edit", data={**FORM, "name": "Pirate"})
    assert resp.status_code == 403
    db.session.refresh(a)
    assert a.name != "Pirate"


def test_edit_keeps_slug_and_admin_can_hide(client, login_as):
    ent = EnterpriseFactory(name="Old", slug="old")
    owner = _owner_of(ent)
    admin = UserFactory(is_admin=True)
    db.session.commit()
    login_as(owner)
    resp = client.post(
        f"/enterprises/{ent.id}/edit",
        data={**FORM, "name": "New name", "is_hub": "y", "hub_kind": "cafe", "postcode": "97400"},
    )
    assert resp.status_code == 302
    db.session.refresh(ent)
    assert (ent.name, ent.slug, ent.department, ent.is_hub) == ("New name", "old", "974", True)
    assert ent.is_active  # a manager's form cannot hide it (no such field for them)
    login_as(admin)
    client.post(f"/enterprises/{ent.id}/edit", data={**FORM, "name": "New name"})
    db.session.refresh(ent)
    assert ent.is_active is False
    client.post("/logout")
    assert client.get("/e/old").status_code == 404


def test_logo_upload_checks_type_and_size_and_is_served(client, login_as, app):
    ent = EnterpriseFactory()
    owner = _owner_of(ent)
    db.session.commit()
    login_as(owner)
    fake = client.post(
        f"/enterprises/{ent.id}/edit",
        data={**FORM, "logo": (io.BytesIO(b"<svg onload=alert(1)>"), "logo.png")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "The logo must be a PNG, JPEG or WebP image" in fake.get_data(as_text=True)
    db.session.refresh(ent)
    assert ent.logo_path == ""
    big = PNG + b"\x00" * (2 * 1024 * 1024)
    client.post(
        f"/enterprises/{ent.id}/edit",
        data={**FORM, "logo": (io.BytesIO(big), "big.png")},
        content_type="multipart/form-data",
    )
    db.session.refresh(ent)
    assert ent.logo_path == ""
    ok = client.post(
        f"/enterprises/{ent.id}/edit",
        data={**FORM, "logo": (io.BytesIO(PNG), "whatever.gif")},
        content_type="multipart/form-data",
    )
    assert ok.status_code == 302
    db.session.refresh(ent)
    assert ent.logo_path.endswith(".png")
    served = client.get("/media/enterprises/" + ent.logo_path.removeprefix("enterprises/"))
    assert served.status_code == 200
    assert served.data == PNG
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get("/media/enterprises/../../etc/passwd").status_code == 404


def test_dashboard_lists_managed_enterprises_with_their_management_links(client, login_as):
    hub = HubFactory(name="La Grange")
    producer = EnterpriseFactory(name="Ferme du Pré")
    other = EnterpriseFactory(name="Pas à moi")
    user = _owner_of(hub)
    MembershipFactory(user=user, enterprise=producer, role=MembershipRole.manager)
    db.session.commit()
    login_as(user)
    html = client.get("/dashboard").get_data(as_text=True)
    assert "La Grange" in html
    assert "Ferme du Pré" in html
    assert other.name not in html
    assert f"/enterprises/{hub.id}/edit" in html
    assert f"/hubs/{hub.id}/manage" in html  # the hubs package's page
    assert f"/hubs/{hub.id}/settings" in html  # payments and choices, one click away
    assert f"/hubs/{producer.id}/settings" not in html
    assert f"/hubs/{hub.id}/cycles" in html
    assert f"/producers/{producer.id}/products" in html
    assert f"/hubs/{producer.id}/manage" not in html


def test_invitation_flow_single_use_any_email(client, login_as):
    ent = EnterpriseFactory(name="Ferme du Pré")
    owner = _owner_of(ent)
    invitee = UserFactory(email="other-address@example.org")
    db.session.commit()
    login_as(owner)
    resp = client.post(f"/enterprises/{ent.id}/team/invite", data={"email": "Paul@Example.org"})
    assert resp.status_code == 302
    [mail] = outbox(to="paul@example.org", kind="enterprise_invitation")
    assert "Ferme du Pré" in mail.subject
    path = link_path(mail)
    token = path.rsplit("/", 1)[1]
    stored = db.session.scalar(select(Invitation))
    assert stored.token_hash != token  # only the hash is kept
    client.post("/logout")

    assert client.get(path).status_code == 302  # log in first
    login_as(invitee)
    page = client.get(path)
    assert page.status_code == 200
    assert "Ferme du Pré" in page.get_data(as_text=True)
    accepted = client.post(path)
    assert accepted.status_code == 302
    role = db.session.scalar(
        select(Membership.role).where(
            Membership.user_id == invitee.id, Membership.enterprise_id == ent.id
        )
    )
    assert role == MembershipRole.manager
    again = client.post(path)
    assert again.status_code == 409


def test_invitation_expires_after_seven_days(client, login_as):
    ent = EnterpriseFactory()
    owner = _owner_of(ent)
    invitee = UserFactory()
    db.session.commit()
    login_as(owner)
    client.post(f"/enterprises/{ent.id}/team/invite", data={"email": "paul@example.org"})
    path = link_path(outbox(kind="enterprise_invitation")[0])
    login_as(invitee)
    assert client.get("/invitations/not-a-token").status_code == 404
    with time_machine.travel(utcnow() + timedelta(days=7, minutes=1)):
        resp = client.post(path)
    assert resp.status_code == 410
    assert db.session.scalar(select(Membership.id).where(Membership.user_id == invitee.id)) is None


def test_inviting_an_existing_manager_is_refused(client, login_as):
    ent = EnterpriseFactory()
    owner = _owner_of(ent, email="owner@example.org")
    db.session.commit()
    login_as(owner)
    resp = client.post(f"/enterprises/{ent.id}/team/invite", data={"email": "owner@example.org"})
    assert resp.status_code == 422
    assert "already manages" in resp.get_data(as_text=True)


def test_team_last_owner_cannot_be_removed_and_managers_cannot_remove_owners(client, login_as):
    ent = EnterpriseFactory()
    owner = _owner_of(ent)
    manager = UserFactory()
    MembershipFactory(user=manager, enterprise=ent, role=MembershipRole.manager)
    db.session.commit()
    owner_ms = db.session.scalar(select(Membership).where(Membership.user_id == owner.id))
    manager_ms = db.session.scalar(select(Membership).where(Membership.user_id == manager.id))

    login_as(manager)
    assert client.post(f"/enterprises/{ent.id}/team/{owner_ms.id}/remove").status_code == 403
    assert (
        client.post(f"/enterprises/{ent.id}/team/invite", data={"email": "a@b.fr"}).status_code
        == 403
    )

    login_as(owner)
    last = client.post(f"/enterprises/{ent.id}/team/{owner_ms.id}/remove", follow_redirects=True)
    assert "at least one owner" in last.get_data(as_text=True)
    demote = client.post(
        f"/enterprises/{ent.id}/team/{owner_ms.id}/role",
        data={"role": "manager"},
        follow_redirects=True,
    )
    assert "at least one owner" in demote.get_data(as_text=True)
    client.post(f"/enterprises/{ent.id}/team/{manager_ms.id}/role", data={"role": "owner"})
    db.session.refresh(manager_ms)
    assert manager_ms.role == MembershipRole.owner
    leave = client.post(f"/enterprises/{ent.id}/team/{owner_ms.id}/remove")
    assert leave.status_code == 302
    assert db.session.scalar(select(Membership.id).where(Membership.user_id == owner.id)) is None


def test_admin_lists_and_edits_every_enterprise(client, login_as):
    EnterpriseFactory(name="Ferme Alpha", city="Rennes")
    beta = EnterpriseFactory(name="Ferme Beta", city="Brest")
    admin, citizen = UserFactory(is_admin=True), UserFactory()
    db.session.commit()
    login_as(citizen)
    assert client.get("/admin/enterprises").status_code == 403
    login_as(admin)
    html = client.get("/admin/enterprises?q=brest").get_data(as_text=True)
    assert "Ferme Beta" in html
    assert "Ferme Alpha" not in html
    assert client.get(f"/enterprises/{beta.id}/edit").status_code == 200
    assert client.get(f"/enterprises/{beta.id}/team").status_code == 200
