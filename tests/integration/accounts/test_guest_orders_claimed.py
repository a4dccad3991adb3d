"""A guest who later signs up and proves the same address finds their guest orders in "My
orders" (issue 18.6): attached on confirmation (or a password reset, or an address change),
never on sign-up alone; someone else's guest orders stay where they are."""

from __future__ import annotations

from sqlalchemy import select

from accounts import services
from accounts.models import User
from accounts.tokens import RESET_PASSWORD, make_token
from core.db import db
from orders.guest_links import claim_guest_orders
from orders.models import Order
from tests.factories import OrderFactory, UserFactory
from tests.factories_accounts import link_path, outbox


def _guest_order(email: str, number: str) -> Order:
    return OrderFactory(customer=None, customer_email=email, customer_name="Camille", number=number)


def _signup(client, email: str = "camille@example.org"):
    return client.post(
        "/signup",
        data={
            "full_name": "Camille",
            "email": email,
            "password": "tomates et courgettes",
            "locale": "en",
        },
    )


def _history(client, user: User) -> str:
    client.post("/login", data={"email": user.email, "password": "tomates et courgettes"})
    return client.get("/orders").get_data(as_text=True)


def test_guest_orders_join_the_account_when_the_address_is_confirmed(client, db_session):
    mine = _guest_order("camille@example.org", "G-000001")
    other = _guest_order("someone@example.org", "G-000002")
    db.session.flush()
    _signup(client, email="Camille@Example.org")
    user = db.session.scalar(select(User).where(User.email == "camille@example.org"))
    # signing up proves nothing: anybody may type any address
    db.session.refresh(mine)
    assert mine.customer_id is None

    [mail] = outbox(to="camille@example.org", kind="account_confirmation")
    assert client.get(link_path(mail)).status_code == 302
    db.session.refresh(mine)
    db.session.refresh(other)
    assert mine.customer_id == user.id
    assert other.customer_id is None
    page = _history(client, user)
    assert "G-000001" in page
    assert "G-000002" not in page


def test_a_password_reset_proves_the_address_too(db_session):
    user = UserFactory(email="camille@example.org", email_confirmed_at=None)
    order = _guest_order("camille@example.org", "G-000003")
    db.session.flush()
    token = make_token(RESET_PASSWORD, {"uid": user.id, "pc": services._password_stamp(user)})
    services.reset_password(token, "une phrase assez longue")
    db.session.refresh(order)
    assert order.customer_id == user.id


def test_claiming_twice_attaches_nothing_more_and_skips_other_accounts_orders(db_session):
    user = UserFactory(email="camille@example.org")
    someone = UserFactory(email="other@example.org")
    taken = OrderFactory(customer=someone, customer_email="camille@example.org", number="G-4")
    guest = _guest_order("camille@example.org", "G-000005")
    db.session.flush()
    assert claim_guest_orders(user) == 1
    assert claim_guest_orders(user) == 0
    db.session.refresh(taken)
    db.session.refresh(guest)
    assert taken.customer_id == someone.id
    assert guest.customer_id == user.id
