"""Every HTML form of the app, posted with hostile values, answers 4xx or a redirect: never 500.

The POST routes are read from the app's URL map (a new form is fuzzed without being listed). The
URL points at real objects of hub A (the access matrix's world, with the citizen's order), and
the request comes from someone allowed there (the buyer for orders and payments, a visitor for
sign-up and log-in, the platform admin elsewhere), so that the values reach the form's
validation and the services, not just a 403. Each form receives the fields of its page (GET on
the same URL), the fields of every Flask-WTF form of the app and odd keys, all set to one
hostile value at a time: integers beyond 2³¹ and 2⁶³, NUL, CRLF, long strings, year-1 and
year-9999 dates, non-numbers, nothing at all.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import url_for
from flask_wtf import FlaskForm
from sqlalchemy import select

from cycles.models import CycleOffer, PickupWindow
from orders.models import Order
from tests.access import citizens_order
from tests.factories_accounts import World, make_world

HOSTILE = {
    "huge": "9" * 40,
    "int32": str(2**31),
    "int64": str(2**63),
    "negative": "-2147483649",
    "nul": "a\x00b",
    "crlf": "/x\r\nSet-Cookie: a=b",
    "long": "é" * 5_000,
    "year1": "0001-01-01",
    "year1_time": "0001-01-01T00:00",
    "year9999": "9999-12-31T23:59",
    "not_a_number": "abc",
    "float": "1e309",
    "empty": "",
}

ODD_KEYS = [
    "qty-" + "9" * 25,
    "qty-abc",
    "qty-",
    "cap_" + "9" * 12,
    "fee_abc",
    "fee_kind_" + "9" * 12,
    "weight-" + "9" * 12,
    "variants-99999999999-name",
    "next",
]

#: sign-up, log-in and password pages are for visitors; orders and payments for the buyer
VISITOR_ENDPOINTS = {
    "accounts.signup",
    "accounts.login",
    "accounts.forgot_password",
    "accounts.resend_confirmation",
    "accounts.reset_password",
    "enterprises.accept_invitation",
}


class _FieldNames(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self.in_post_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.in_post_form = (a.get("method") or "").lower() == "post"
        elif tag in ("input", "select", "textarea", "button") and self.in_post_form:
            if a.get("name"):
                self.names.add(a["name"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.in_post_form = False


def _all_form_field_names() -> set[str]:
    names: set[str] = set()
    stack = list(FlaskForm.__subclasses__())
    while stack:
        form = stack.pop()
        stack.extend(form.__subclasses__())
        names.update(name for name, _field in getattr(form, "_unbound_fields", None) or [])
    return names


def _post_routes(app) -> list[tuple[str, list[str]]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if "POST" not in (rule.methods or ()) or rule.rule.startswith("/api/"):
            continue
        routes.append((rule.endpoint, sorted(rule.arguments)))
    return sorted(set((e, tuple(a)) for e, a in routes))  # type: ignore[arg-type]


def _ids(w: World) -> dict[str, Any]:
    from core.db import db

    made = citizens_order(w)
    order = db.session.get(Order, made["order_id"])
    offer = db.session.get(CycleOffer, made["offer_id"])
    window = db.session.scalar(select(PickupWindow).where(PickupWindow.cycle_id == order.cycle_id))
    return {
        "hub_id": w.a.id,
        "enterprise_id": w.a.id,
        "producer_id": offer.variant.product.producer_id,
        "cycle_id": order.cycle_id,
        "order_id": order.id,
        "offer_id": offer.id,
        "variant_id": offer.variant_id,
        "product_id": offer.variant.product_id,
        "window_id": window.id,
        "slot_id": order.pickup_slot_id or 1,
        "point_id": window.distribution_point_id,
    }


def _url(app, endpoint: str, arguments: list[str], ids: dict[str, Any]) -> str:
    values: dict[str, Any] = {}
    for name in arguments:
        if name == "action":
            values[name] = {"cycles.action": "close", "hubs.link_action": "accept"}[endpoint]
        elif name == "token":
            values[name] = "abc"
        else:
            values[name] = ids.get(name, 1)
    with app.test_request_context():
        return url_for(endpoint, **values)


def pytest_generate_tests(metafunc):
    if "route" in metafunc.fixturenames:
        from tests.conftest import build_app

        routes = _post_routes(build_app("sqlite://"))  # its URL map only
        metafunc.parametrize("route", routes, ids=[endpoint for endpoint, _args in routes])


@pytest.fixture
def world(db_session) -> World:
    built = make_world()
    db_session.commit()
    return built


def test_no_hostile_form_value_gives_a_server_error(app, client, login_as, world, route):
    endpoint, arguments = route
    ids = _ids(world)
    from core.db import db

    db.session.commit()
    if endpoint.startswith(("orders.", "payments.")):
        login_as(world.citizen)
    elif endpoint not in VISITOR_ENDPOINTS:
        login_as(world.admin)
    url = _url(app, endpoint, list(arguments), ids)
    parser = _FieldNames()
    page = client.get(url)
    if page.status_code == 200 and "text/html" in page.content_type:
        parser.feed(page.get_data(as_text=True))
    names = sorted(parser.names | _all_form_field_names() - {"csrf_token"})
    failures = []
    for label, value in {"missing": None, **HOSTILE}.items():
        data = {} if value is None else {name: value for name in [*names, *ODD_KEYS]}
        resp = client.post(url, data=data)
        if resp.status_code >= 500:
            failures.append((label, resp.status_code))
        location = resp.headers.get("Location", "")
        assert not re.search(r"[\r\n]", location)
    assert failures == [], (endpoint, url)
