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

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import url_for

from tests.factories_accounts import World, make_world

ROLES = ("anonymous", "citizen", "manager_of_a", "manager_of_b", "admin")


def statuses(anonymous: int, citizen: int, a: int, b: int, admin: int) -> dict[str, int]:
    return dict(zip(ROLES, (anonymous, citizen, a, b, admin), strict=True))


#: public pages
PUBLIC = statuses(200, 200, 200, 200, 200)
#: any logged-in person (anonymous visitors are sent to the login page)
LOGGED_IN = statuses(302, 200, 200, 200, 200)
#: managers of enterprise A and platform admins
MANAGERS_OF_A = statuses(302, 403, 200, 403, 200)
#: platform admins only
ADMINS = statuses(302, 403, 403, 403, 200)
#: pages for visitors who are not logged in (logged-in people are redirected)
ANONYMOUS_ONLY = statuses(200, 302, 302, 302, 302)


@dataclass(frozen=True)
class Case:
    endpoint: str
    expected: dict[str, int]
    method: str = "GET"
    params: Callable[[World], dict[str, Any]] = field(default=lambda w: {})
    data: Callable[[World], dict[str, Any]] | None = None

    @property
    def id(self) -> str:
        return f"{self.method} {self.endpoint}"


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
    Case("enterprises.public", PUBLIC, params=lambda w: {"slug": w.a.slug}),
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
        "accounts.create_token",
        "accounts.revoke_token",
        "enterprises.logo",
        "enterprises.accept_invitation",
        "enterprises.remove_member",
        "enterprises.change_role",
        "enterprises.cancel_invitation",
    }
    routes = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.split(".")[0] in ("accounts", "enterprises")
    }
    assert routes - covered - exempt == set()


def test_matrix_rows_are_consistent():
    for case in CASES:
        assert set(case.expected) == set(ROLES), case.id
