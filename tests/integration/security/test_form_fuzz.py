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


#: a plausible value per input type, so that one hostile field at a time reaches the code
#: behind the form's other checks
BASELINE = {
    "number": "1",
    "date": "2030-06-03",
    "datetime-local": "2030-06-03T10:00",
    "time": "10:00",
    "month": "2030-06",
    "email": "fuzz@example.org",
    "password": "a-long-Passw0rd!",
    "checkbox": "y",
}
#: hostile values for one field, by input type
PER_FIELD = {
    "date": ["0001-01-01", "9999-12-31"],
    "datetime-local": ["0001-01-01T00:00", "9999-12-31T23:59"],
    "time": ["24:00"],
    "month": ["0001-01", "9999-13"],
}
PER_FIELD_OTHER = ["9" * 40, "abc", "é" * 3_000]
MAX_FIELDS = 25


class _Fields(HTMLParser):
    """The fields of the page's POST forms that post to ``action``: name -> (type, value)."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action = action
        self.fields: dict[str, tuple[str, str]] = {}
        self.in_form = False
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            target = a.get("action", "").split("?")[0]
            self.in_form = a.get("method", "").lower() == "post" and target in ("", self.action)
            return
        if not self.in_form or not a.get("name"):
            if tag == "option" and self.in_form and self.select:
                kind, value = self.fields[self.select]
                if not value or "selected" in a:
                    self.fields[self.select] = (kind, a.get("value", ""))
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind == "radio" and name in self.fields:
                return
            value = a.get("value", "") or BASELINE.get(kind, "Fuzz")
            self.fields[name] = (kind, value)
        elif tag == "select":
            self.fields[name] = ("select", "")
            self.select = name
        elif tag == "textarea":
            self.fields[name] = ("textarea", "Fuzz")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.in_form = False
        elif tag == "select":
            self.select = None


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
    from core.db import db

    endpoint, arguments = route
    ids = _ids(world)
    db.session.commit()
    if endpoint.startswith(("orders.", "payments.")):
        login_as(world.citizen)
    elif endpoint not in VISITOR_ENDPOINTS:
        login_as(world.admin)
    url = _url(app, endpoint, list(arguments), ids)
    page = client.get(url)
    fields = _Fields(url)
    if page.status_code == 200 and "text/html" in page.content_type:
        fields.feed(page.get_data(as_text=True))
    fields.fields.pop("csrf_token", None)
    every_name = sorted(set(fields.fields) | _all_form_field_names() - {"csrf_token"})
    attempts: list[tuple[str, dict[str, str]]] = [("missing", {})]
    # every known field and odd keys at once, with one hostile value
    for label, value in HOSTILE.items():
        attempts.append((label, {name: value for name in [*every_name, *ODD_KEYS]}))
    # the page's form filled in plausibly, one field hostile at a time
    baseline = {name: value for name, (_kind, value) in fields.fields.items()}
    for name, (kind, _value) in list(fields.fields.items())[:MAX_FIELDS]:
        for value in PER_FIELD.get(kind, PER_FIELD_OTHER):
            attempts.append((f"{name}={value[:12]}", {**baseline, name: value}))
    failures = []
    for label, data in attempts:
        resp = client.post(url, data=data)
        if resp.status_code >= 500:
            failures.append((label, resp.status_code))
        assert not re.search(r"[\r\n]", resp.headers.get("Location", ""))
    assert failures == [], (endpoint, url)
