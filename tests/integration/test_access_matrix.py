"""Who gets what: one row per route, one expected status per role.

Roles: ``anonymous``, ``citizen`` (a confirmed account managing nothing), ``manager_of_a`` (owner of
enterprise A, a producer and hub), ``manager_of_b`` (owner of B), ``admin`` (platform admin).
Routes on enterprise A must give 403 to ``manager_of_b``.

To add a route: append a ``Case`` to ``CASES``. ``params`` builds the URL values from the
``World`` (``w.a``, ``w.b``, the users); ``setup`` may create more objects and return extra
values; ``data`` is the form posted (CSRF is off in tests). Use the shorthands below for the
usual expectations, or write the five statuses out.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import pytest
from flask import url_for

import tests.access_cases
from tests.access import (
    ADMINS,
    ANONYMOUS_ONLY,
    LOGGED_IN,
    MANAGERS_OF_A,
    PUBLIC,
    ROLES,
    Case,
    citizens_order,
    citizens_order_id,
    cycle_of_citizens_order,
    statuses,
)
from tests.factories_accounts import World, make_world


def _enterprise_form(w: World) -> dict[str, Any]:
    return {"name": w.a.name, "is_producer": "y", "is_hub": "y", "hub_kind": "farm"}


CASES: list[Case] = [
    # --- accounts
    Case("accounts.signup", ANONYMOUS_ONLY),
    Case("accounts.login", ANONYMOUS_ONLY),
    Case("accounts.forgot_password", PUBLIC),
    Case("accounts.resend_confirmation", PUBLIC),
    Case("accounts.account", LOGGED_IN),
    Case("accounts.export_data", LOGGED_IN),
    Case("accounts.delete_account", LOGGED_IN),
    Case("accounts.logout", statuses(302, 302, 302, 302, 302), method="POST", data=lambda w: {}),
    # --- enterprises
    Case("enterprises.dashboard", LOGGED_IN),
    Case("enterprises.new", LOGGED_IN),
    # A is also a hub: its one public page is the hub's (tests/access_cases/public.py)
    Case(
        "enterprises.public",
        statuses(301, 301, 301, 301, 301),
        params=lambda w: {"slug": w.a.slug},
    ),
    Case("enterprises.edit", MANAGERS_OF_A, params=lambda w: {"enterprise_id": w.a.id}),
    Case(
        "enterprises.edit",
        statuses(302, 403, 302, 403, 302),
        method="POST",
        params=lambda w: {"enterprise_id": w.a.id},
        data=_enterprise_form,
    ),
    Case("enterprises.team", MANAGERS_OF_A, params=lambda w: {"enterprise_id": w.a.id}),
    Case(
        "enterprises.invite",
        statuses(302, 403, 302, 403, 302),
        method="POST",
        params=lambda w: {"enterprise_id": w.a.id},
        data=lambda w: {"email": "new-manager@example.org"},
    ),
    Case("enterprises.admin_list", ADMINS),
]


# --- orders and payments: the citizen's pay-at-pickup order at hub A (someone else's order is
# hidden: 404). Guest checkout: the shop, cart and checkout answer everyone. Checkout and review
# pages (they send an empty cart back to the shop) are in tests/integration/orders/test_access.py,
# with the API routes and a second citizen.
def _citizens_order(w: World) -> dict[str, int]:
    return citizens_order(w)


def _cycle(w: World) -> dict[str, int]:
    return cycle_of_citizens_order(w)


def _order(w: World) -> dict[str, int]:
    return citizens_order_id(w)


#: the buyer (``citizen``), the hub's managers and admins; everyone else: 404
ORDER_VIEWERS = statuses(404, 200, 200, 404, 200)


def _buyer_only(status: int) -> dict[str, int]:
    return statuses(404, status, 404, 404, 404)


CASES += [
    Case("orders.shop", PUBLIC, params=_cycle),
    Case("orders.cart", PUBLIC, params=_cycle),
    Case("orders.carts", PUBLIC),
    Case(
        "orders.cart_add",
        statuses(303, 303, 303, 303, 303),
        method="POST",
        params=_cycle,
        data=lambda w: {"offer_id": _citizens_order(w)["offer_id"], "quantity": "1"},
    ),
    Case(
        "orders.cart_update",
        statuses(303, 303, 303, 303, 303),
        method="POST",
        params=_cycle,
        data=lambda w: {f"qty-{_citizens_order(w)['offer_id']}": "2"},
    ),
    Case("orders.place", statuses(302, 302, 302, 302, 302), method="POST", params=_cycle),
    Case("orders.history", LOGGED_IN),
    Case("orders.guest_links", PUBLIC),
    Case("orders.detail", ORDER_VIEWERS, params=_order),
    Case("orders.confirmation", ORDER_VIEWERS, params=_order),
    Case("orders.cancel", _buyer_only(303), method="POST", params=_order, data=lambda w: {}),
    Case("orders.edit", _buyer_only(200), params=_order),
    Case(
        "orders.edit",
        _buyer_only(303),
        method="POST",
        params=_order,
        data=lambda w: {f"qty-{_citizens_order(w)['offer_id']}": "2"},
    ),
    Case("orders.change_pickup", _buyer_only(200), params=_order),
    Case(
        "orders.change_pickup",
        _buyer_only(303),
        method="POST",
        params=_order,
        data=lambda w: {"pickup": "0:0"},  # not offered: refused with a message, back to the form
    ),
    Case("payments.pay", _buyer_only(302), params=_order),  # pay at pickup: to the confirmation
    Case("payments.retry", _buyer_only(303), method="POST", params=_order, data=lambda w: {}),
    Case("payments.confirm", _buyer_only(422), method="POST", params=_order, data=lambda w: {}),
    Case("payments.status", _buyer_only(200), params=_order),
    Case("payments.pending", _buyer_only(302), params=_order),
    # only Stripe's signature opens the webhook
    Case("payments.webhook", statuses(400, 400, 400, 400, 400), method="POST"),
    # a hub's Stripe onboarding: its managers (and admins) only; no account yet: to the settings
    Case(
        "payments.connect_return",
        statuses(302, 403, 303, 403, 303),
        params=lambda w: {"hub_id": w.a.id},
    ),
]


#: the area modules of tests/access_cases/
AREAS = [
    importlib.import_module(f"tests.access_cases.{info.name}")
    for info in pkgutil.iter_modules(tests.access_cases.__path__)
]
for _area in AREAS:
    CASES += _area.CASES


def _request(client, case: Case, world: World):
    with client.application.test_request_context():
        url = url_for(case.endpoint, **case.params(world))
    if case.method == "GET":
        return client.get(url)
    return client.open(url, method=case.method, data=case.data(world) if case.data else {})


@pytest.fixture
def world(db_session) -> World:
    built = make_world()
    db_session.commit()  # views roll back to the last savepoint on errors: keep the world
    return built


@pytest.mark.parametrize(
    ("case", "role"),
    [pytest.param(case, role, id=f"{case.id}-{role}") for case in CASES for role in ROLES],
)
def test_access(client, login_as, world, case: Case, role: str):
    user = world.user(role)
    if user is not None:
        login_as(user)
    resp = _request(client, case, world)
    assert resp.status_code == case.expected[role], (role, case.id, resp.headers.get("Location"))
    if role == "anonymous" and resp.status_code == 302 and case.method == "GET":
        assert "/login" in resp.headers["Location"]  # anonymous visitors are sent to log in


def test_every_accounts_and_enterprises_route_is_in_the_matrix(app):
    """A new route of these packages without a row fails here (others: add your prefix)."""
    covered = {case.endpoint for case in CASES}
    # token links and actions on sub-objects are covered by the pages' tests
    exempt = {
        "accounts.confirm_email",
        "accounts.reset_password",
        "accounts.after_login",
        "accounts.update_profile",
        "accounts.change_password",
        # the change of address and its link: tests/integration/accounts/test_change_email.py
        "accounts.change_email",
        "accounts.confirm_email_change",
        "accounts.create_token",
        "accounts.revoke_token",
        "enterprises.logo",
        "enterprises.accept_invitation",
        "enterprises.remove_member",
        "enterprises.change_role",
        "enterprises.cancel_invitation",
        # they call Stripe: tests/integration/payments/test_connect.py (against localstripe)
        "payments.connect_start",
        "payments.connect_refresh",
        # guest checkout steps: see tests/integration/orders/test_access.py
        "orders.checkout",
        "orders.review",
    }
    prefixes = {"accounts", "enterprises", "orders", "payments"}
    for area in AREAS:
        exempt |= set(getattr(area, "EXEMPT", ()))
        prefixes |= set(area.PREFIXES)
    routes = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.split(".")[0] in prefixes
    }
    assert routes - covered - exempt == set()


def test_matrix_rows_are_consistent():
    for case in CASES:
        assert set(case.expected) == set(ROLES), case.id
