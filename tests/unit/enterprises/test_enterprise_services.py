"""Enterprise rules: department, SIRET/VAT checks, slugs, invitations, owners."""

from __future__ import annotations

import io

import pytest
from flask_babel import force_locale

from enterprises import services
from enterprises.errors import (
    EnterpriseInvalid,
    InvalidLogo,
    InvitationUsed,
    LastOwner,
)
from enterprises.models import MembershipRole
from tests.factories import EnterpriseFactory, MembershipFactory, UserFactory
from tests.factories_accounts import outbox


@pytest.fixture(autouse=True)
def request_ctx(app, db_session):
    with app.test_request_context(), force_locale("en"):
        yield


@pytest.mark.parametrize(
    ("postcode", "department"),
    [
        ("35000", "35"),
        ("01000", "01"),
        ("20000", "2A"),
        ("20167", "2A"),
        ("20200", "2B"),
        ("20600", "2B"),
        ("97400", "974"),
        ("97100", "971"),
        ("98800", "988"),
        ("3500", ""),
        ("ABCDE", ""),
        ("", ""),
    ],
)
def test_department_of(postcode, department):
    assert services.department_of(postcode) == department


@pytest.mark.parametrize(
    ("siret", "valid"),
    [
        ("73282932000074", True),
        ("73282932000075", False),
        ("7328293200007", False),
        ("7328293200007A", False),
        ("35600000000048", True),  # La Poste's head office
        ("35600000049837", True),  # a La Poste office: digit sum rule
    ],
)
def test_siret_check(siret, valid):
    assert services.siret_is_valid(siret) is valid


@pytest.mark.parametrize(
    ("vat", "valid"),
    [("FR40303265045", True), ("FR41303265045", False), ("DE123456789", True), ("X1", False)],
)
def test_vat_check(vat, valid):
    assert services.vat_is_valid(vat) is valid


def test_slugify_strips_accents():
    assert services.slugify("Ferme de l'Étang — Bio!") == "ferme-de-l-etang-bio"
    assert services.slugify("¡!") == "entreprise"


def test_create_needs_a_role_and_makes_owner():
    user = UserFactory()
    with pytest.raises(EnterpriseInvalid) as exc:
        services.create_enterprise(
            user, services.EnterpriseInput(name="X", is_producer=False, is_hub=False)
        )
    assert "roles" in exc.value.fields
    hub = services.create_enterprise(
        user, services.EnterpriseInput(name="La Grange", is_producer=False, is_hub=True)
    )
    assert hub.hub_kind is not None
    assert hub.slug == "la-grange"
    again = services.create_enterprise(
        user, services.EnterpriseInput(name="La Grange", is_producer=True, is_hub=False)
    )
    assert again.slug == "la-grange-2"
    assert again.hub_kind is None


def test_logo_refused_by_content_not_name():
    ent = EnterpriseFactory()
    with pytest.raises(InvalidLogo):
        services.set_logo(ent, io.BytesIO(b"GIF89a" + b"\x00" * 20))
    webp = b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 20
    assert services.set_logo(ent, io.BytesIO(webp)).logo_path.endswith(".webp")


def test_invitation_is_single_use_and_stores_only_a_hash():
    ent = EnterpriseFactory()
    owner = UserFactory(locale="en")
    MembershipFactory(user=owner, enterprise=ent)
    invitation = services.invite_manager(ent, email="paul@example.org", invited_by=owner)
    [mail] = outbox(to="paul@example.org")
    raw = mail.body_text.split("/invitations/")[1].split()[0]
    assert invitation.token_hash == services._hash(raw)
    first, second = UserFactory(), UserFactory()
    membership = services.accept_invitation(raw, first)
    assert membership.role == MembershipRole.manager
    with pytest.raises(InvitationUsed):
        services.accept_invitation(raw, second)


def test_last_owner_stays():
    ent = EnterpriseFactory()
    owner = MembershipFactory(enterprise=ent, role=MembershipRole.owner)
    manager = MembershipFactory(enterprise=ent, role=MembershipRole.manager)
    with pytest.raises(LastOwner):
        services.remove_member(owner)
    with pytest.raises(LastOwner):
        services.change_role(owner, MembershipRole.manager)
    services.remove_member(manager)
    remaining = list(services.list_members(ent))
    assert [m.id for m in remaining] == [owner.id]
    assert remaining[0].enterprise_id == ent.id
