"""The account page: profile, password, API tokens (and GET /api/v1/me), export, deletion, CLI."""

from __future__ import annotations

import json

from sqlalchemy import select

from accounts import services
from accounts.models import ApiToken, User
from core.db import db
from enterprises.models import Membership, MembershipRole
from hubs.models import HubFollower
from tests.factories import (
    PASSWORD,
    EnterpriseFactory,
    HubFactory,
    MembershipFactory,
    OrderFactory,
    OrderLineFactory,
    UserFactory,
)


def _me(client, raw: str):
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})


def test_profile_update_changes_language(client, login_as):
    user = UserFactory(full_name="Camille", locale="fr")
    db.session.commit()
    login_as(user)
    resp = client.post(
        "/account/profile", data={"full_name": "Camille Durand", "phone": "06 01", "locale": "en"}
    )
    assert resp.status_code == 302
    db.session.refresh(user)
    assert (user.full_name, user.phone, user.locale) == ("Camille Durand", "06 01", "en")
    empty = client.post("/account/profile", data={"full_name": "", "locale": "en"})
    assert empty.status_code == 422


def test_profile_without_the_optional_phone_field_clears_it(client, login_as):
    """A form posted without its optional phone field (an API client, an old page) is saved
    with no phone; it used to end in a 500 (None.strip())."""
    user = UserFactory(full_name="Camille", phone="0601", locale="fr")
    db.session.commit()
    login_as(user)
    resp = client.post("/account/profile", data={"full_name": "Camille D", "locale": "fr"})
    assert resp.status_code == 302
    db.session.refresh(user)
    assert (user.full_name, user.phone) == ("Camille D", "")


def test_change_password_checks_the_current_one(client, login_as):
    user = UserFactory()
    db.session.commit()
    login_as(user)
    wrong = client.post(
        "/account/password",
        data={"current_password": "not it", "new_password": "a brand new passphrase"},
    )
    assert wrong.status_code == 422
    assert "This is not your current password." in wrong.get_data(as_text=True)
    weak = client.post(
        "/account/password", data={"current_password": PASSWORD, "new_password": "short"}
    )
    assert weak.status_code == 422
    ok = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": "a brand new passphrase"},
    )
    assert ok.status_code == 302
    db.session.refresh(user)
    assert services.verify_password(user.password_hash, "a brand new passphrase")


def test_api_token_shown_once_listed_by_prefix_and_revocable(client, login_as):
    user = UserFactory()
    hub = HubFactory(name="La Grange")
    MembershipFactory(user=user, enterprise=hub, role=MembershipRole.owner)
    db.session.commit()
    login_as(user)
    created = client.post(
        "/account/tokens", data={"name": "sync stock", "scope": "write", "password": PASSWORD}
    )
    assert created.status_code == 201
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    html = created.get_data(as_text=True)
    raw = html.split('id="new-token-value" type="text" readonly value="')[1].split('"')[0]
    assert raw.startswith("cpt_")
    assert raw.startswith(token.prefix)
    assert token.token_hash != raw  # only the hash is stored
    page = client.get("/account").get_data(as_text=True)
    assert raw not in page
    assert token.prefix in page
    assert "sync stock" in page

    me = _me(client, raw)
    assert me.status_code == 200
    body = me.get_json()
    assert body["email"] == user.email
    assert body["token_scope"] == "write"
    assert body["enterprises"] == [
        {
            "id": hub.id,
            "name": "La Grange",
            "slug": hub.slug,
            "is_producer": False,
            "is_hub": True,
            "role": "owner",
        }
    ]
    db.session.refresh(token)
    assert token.last_used_at is not None

    revoked = client.post(f"/account/tokens/{token.id}/revoke")
    assert revoked.status_code == 302
    assert _me(client, raw).status_code == 401


def test_api_me_without_or_with_bad_token_is_401_json(client):
    resp = client.get("/api/v1/me")
    assert resp.status_code == 401
    assert resp.get_json()["error"]["code"] == "unauthorized"
    assert _me(client, "cpt_wrong").status_code == 401


def test_api_session_cookie_is_not_enough(client, login_as):
    login_as(UserFactory())
    db.session.commit()
    assert client.get("/api/v1/me").status_code == 401


def test_someone_elses_token_cannot_be_revoked(client, login_as):
    owner, other = UserFactory(), UserFactory()
    db.session.commit()
    token, raw = services.create_api_token(owner, name="mine", scope="read", password=PASSWORD)
    login_as(other)
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 404
    assert _me(client, raw).status_code == 200


def test_token_needs_a_valid_scope(client, login_as):
    login_as(UserFactory())
    db.session.commit()
    resp = client.post(
        "/account/tokens", data={"name": "x", "scope": "admin", "password": PASSWORD}
    )
    assert resp.status_code == 422
    assert db.session.scalar(select(ApiToken.id)) is None


def test_download_my_data_has_profile_memberships_orders_and_token_metadata(client, login_as):
    user = UserFactory(full_name="Camille", phone="0601")
    producer = EnterpriseFactory(name="Ferme du Pré")
    MembershipFactory(user=user, enterprise=producer)
    order = OrderFactory(customer=user)
    OrderLineFactory(order=order, quantity=2)
    db.session.commit()
    services.create_api_token(user, name="script", scope="read", password=PASSWORD)
    login_as(user)
    resp = client.get("/account/data.json")
    assert resp.status_code == 200
    assert "attachment" in resp.headers["Content-Disposition"]
    data = json.loads(resp.get_data(as_text=True))
    assert data["profile"]["email"] == user.email
    assert data["profile"]["phone"] == "0601"
    assert data["memberships"][0]["enterprise"] == "Ferme du Pré"
    [exported] = data["orders"]
    assert exported["number"] == order.number
    assert exported["lines"][0]["quantity"] == 2
    assert exported["total_cents"] == order.total_cents
    [token] = data["api_tokens"]
    assert token["name"] == "script"
    assert "token_hash" not in token
    assert "contribution_choices" in data


def test_delete_account_anonymises_and_keeps_orders(client, login_as):
    user = UserFactory(email="camille@example.org", full_name="Camille", phone="0601")
    alone = EnterpriseFactory(name="Seule")
    shared = EnterpriseFactory(name="Partagée")
    MembershipFactory(user=user, enterprise=alone)
    MembershipFactory(user=user, enterprise=shared)
    MembershipFactory(user=UserFactory(), enterprise=shared)
    hub = HubFactory()
    db.session.add(HubFollower(user_id=user.id, hub_id=hub.id))
    order = OrderFactory(customer=user, customer_phone="0601", customer_note="code 1234")
    OrderLineFactory(order=order)
    db.session.commit()
    _token, raw = services.create_api_token(user, name="script", scope="read", password=PASSWORD)
    login_as(user)

    wrong = client.post("/account/delete", data={"password": "nope", "confirm": "y"})
    assert wrong.status_code == 422
    unticked = client.post("/account/delete", data={"password": PASSWORD})
    assert unticked.status_code == 422

    resp = client.post("/account/delete", data={"password": PASSWORD, "confirm": "y"})
    assert resp.status_code == 302
    db.session.expire_all()
    gone = db.session.get(User, user.id)
    assert gone.email == f"deleted-{user.id}@invalid"
    assert (gone.full_name, gone.phone, gone.password_hash) == ("", "", "")
    assert gone.deleted_at is not None
    assert db.session.scalar(select(Membership.id).where(Membership.user_id == user.id)) is None
    follows = select(HubFollower.hub_id).where(HubFollower.user_id == user.id)
    assert db.session.scalar(follows) is None
    kept = db.session.get(type(order), order.id)
    assert kept.customer_name == "Compte supprimé"
    assert (kept.customer_email, kept.customer_phone, kept.customer_note) == ("", "", "")
    assert len(kept.lines) == 1
    assert db.session.get(type(alone), alone.id).is_active is False
    assert db.session.get(type(shared), shared.id).is_active is True
    assert _me(client, raw).status_code == 401
    # logged out, cannot log in again, and the address is free for a new account
    assert client.get("/account").status_code == 302
    login = client.post("/login", data={"email": "camille@example.org", "password": PASSWORD})
    assert login.status_code == 422
    again = client.post(
        "/signup",
        data={
            "full_name": "Camille",
            "email": "camille@example.org",
            "password": "tomates et courgettes",
            "locale": "fr",
        },
    )
    assert again.status_code == 200


def test_cli_create_admin_creates_then_promotes(app, db_session):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["users", "create-admin", "Root@Example.org", "--password", "a long admin passphrase"]
    )
    assert result.exit_code == 0, result.output
    assert "created" in result.output
    admin = db.session.scalar(select(User).where(User.email == "root@example.org"))
    assert admin.is_admin
    assert admin.email_confirmed_at is not None

    citizen = UserFactory(email="camille@example.org", email_confirmed_at=None)
    db.session.commit()
    promoted = runner.invoke(args=["users", "create-admin", "camille@example.org"])
    assert promoted.exit_code == 0, promoted.output
    assert "promoted" in promoted.output
    db.session.refresh(citizen)
    assert citizen.is_admin
    assert citizen.email_confirmed_at is not None

    weak = runner.invoke(args=["users", "create-admin", "x@example.org", "--password", "short"])
    assert weak.exit_code != 0
    prompted = runner.invoke(
        args=["users", "create-admin", "y@example.org"],
        input="a prompted passphrase\na prompted passphrase\n",
    )
    assert prompted.exit_code == 0, prompted.output
