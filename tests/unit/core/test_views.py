"""core.views: the loader (404 / 403 / hidden 404) and the domain-error handling (PRG redirect,
form fields, JSON body), checked on real routes' URLs."""

from __future__ import annotations

import pytest
from flask import session
from werkzeug.exceptions import Forbidden, NotFound

from core.errors import DomainError
from core.views import domain_errors, json_on_error, load, redirect_on_error
from cycles.forms import WindowForm
from cycles.models import OrderCycle
from orders.errors import InsufficientStock, SlotFull
from tests.factories import HubFactory, OrderCycleFactory


class Refused(DomainError):
    code = "refused"
    message = "Refused by the rule."


def _flashed() -> list[tuple[str, str]]:
    """The messages flashed so far in this request, taken out."""
    return [(category, str(message)) for category, message in session.pop("_flashes", [])]


def test_load_answers_404_403_and_hidden_404(db_session):
    cycle = OrderCycleFactory()
    other = HubFactory()
    assert load(OrderCycle, cycle.id) is cycle
    with pytest.raises(NotFound):
        load(OrderCycle, cycle.id + 10_000)
    with pytest.raises(NotFound):
        load(OrderCycle, cycle.id, where=lambda c: c.hub_id == other.id)
    with pytest.raises(Forbidden):
        load(OrderCycle, cycle.id, allow=lambda c: False)
    with pytest.raises(NotFound):
        load(OrderCycle, cycle.id, allow=lambda c: False, hide=True)


def test_redirect_on_error_flashes_and_redirects_with_the_views_url_arguments(app, db_session):
    @redirect_on_error("cycles.detail", status=303, anchor="windows")
    def view(hub_id: int, cycle_id: int, action: str):
        raise Refused()

    with app.test_request_context("/hubs/3/cycles/7/publish", method="POST"):
        response, status = view(hub_id=3, cycle_id=7, action="publish")
        assert status == 303
        assert response.location == "/hubs/3/cycles/7#windows"
        assert _flashed() == [("error", "Refused by the rule.")]


def test_redirect_on_error_picks_the_target_of_the_errors_class(app, db_session):
    targets = {InsufficientStock: "orders.cart", SlotFull: "orders.checkout"}

    def raising(exc: DomainError):
        @redirect_on_error("orders.review", by_error=targets)
        def view(cycle_id: int):
            raise exc

        return view

    with app.test_request_context("/cycles/5/checkout/place", method="POST"):
        assert raising(SlotFull())(cycle_id=5)[0].location == "/cycles/5/checkout"
        assert raising(InsufficientStock([]))(cycle_id=5)[0].location == "/cycles/5/cart"
        assert raising(Refused())(cycle_id=5)[0].location == "/cycles/5/checkout/review"


def test_redirect_on_error_with_fields_flashes_each_field_message(app, db_session):
    @redirect_on_error(lambda: "/back", fields=True)
    def view():
        raise Refused(fields={"start": ["Too early."], "end": ["Too late."]})

    with app.test_request_context("/", method="POST"):
        assert view()[0].location == "/back"
        assert _flashed() == [("error", "Too early."), ("error", "Too late.")]


def test_domain_errors_puts_fields_on_the_form_or_flashes(app, db_session):
    with app.test_request_context("/", method="POST"):
        form = WindowForm(meta={"csrf": False})
        with domain_errors(form, {"starts_at": "start"}) as attempt:
            raise Refused(fields={"starts_at": ["Pickup must start after the close."]})
        assert not attempt.ok
        assert form.start.errors == ["Pickup must start after the close."]
        assert _flashed() == []

        with domain_errors(form) as unplaced:
            raise Refused(fields={"nowhere": ["?"]})
        assert isinstance(unplaced.error, Refused)
        assert _flashed() == [("error", "Refused by the rule.")]

        with domain_errors(form, field="end") as on_field:
            raise Refused()
        assert not on_field.ok
        assert form.end.errors == ["Refused by the rule."]

        with domain_errors() as fine:
            pass
        assert fine.ok
        assert _flashed() == []


def test_json_on_error_answers_the_api_error_body(app, db_session):
    @json_on_error
    def view():
        raise Refused(fields={"card": ["Declined."]})

    with app.test_request_context("/payments/orders/1/confirm", method="POST"):
        response, status = view()
        assert status == 409
        assert response.get_json() == {
            "error": {
                "code": "refused",
                "message": "Refused by the rule.",
                "fields": {"card": ["Declined."]},
            }
        }
