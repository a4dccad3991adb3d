"""Pickup day on a phone, in real Chromium with CSRF on: a tick survives a reload, and a tick made
offline waits on the phone, is sent when the network is back, and is then in the database."""

from __future__ import annotations

import pytest

from core.db import db
from core.timeutils import utcnow
from cycles.models import OrderCycle
from orders import services as order_services
from orders.models import Order, OrderStatus, PaymentMethod
from orders.services import cancel_order
from tests.factories import UserFactory
from tests.factories_orders import make_market
from tests.login import session_values

pytestmark = pytest.mark.e2e


def _session_cookie(app, user_id: int) -> str:
    client = app.test_client()
    values = session_values(user_id)
    with client.session_transaction() as sess:
        sess.update(values)
    return client.get_cookie("session").value


def _collected(order_id: int) -> bool:
    db.session.expire_all()
    order = db.session.get(Order, order_id)
    return order.status is OrderStatus.collected and order.collected_at is not None


def test_ticks_survive_a_reload_and_a_lost_connection(app, live_server, page, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    market = make_market()
    cycle = db.session.get(OrderCycle, market.cycle_id)
    order_ids = {}
    for name in ("Yves Le Gall", "Anne Kervella"):
        order = order_services.place_order(
            cycle=cycle,
            customer=UserFactory(full_name=name),
            items=[(market.egg_offer_id, 1)],
            pickup_window_id=market.window_id,
            pickup_slot_id=market.slot_ids[0],
            payment_method=PaymentMethod.at_pickup,
            idempotency_key=f"e2e-pickup-{name}",
            terms_accepted=True,
            now=utcnow(),
        )
        order_ids[name] = order.id
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.context.add_cookies(
        [
            {
                "name": "session",
                "value": _session_cookie(app, market.manager_id),
                "url": live_server.url,
            }
        ]
    )

    page.goto(f"{live_server.url}/hubs/{market.hub_id}/cycles/{market.cycle_id}/pickup")
    page.get_by_role("link", name="Ouvrir la liste").click()
    entries = page.locator(".pickup-entry h2")
    assert entries.all_inner_texts() == ["Anne Kervella", "Yves Le Gall"]

    # 1. online: tick, reload, still ticked (and in the database)
    anne = page.locator(f"#order-{order_ids['Anne Kervella']}")
    anne.get_by_role("button", name="Marquer retirée").click()
    assert anne.get_by_role("button", name="Retirée ✓").is_visible()
    page.wait_for_function("() => document.getElementById('pickup-queue').hidden")
    page.reload()
    anne = page.locator(f"#order-{order_ids['Anne Kervella']}")
    assert anne.get_by_role("button", name="Retirée ✓").get_attribute("aria-pressed") == "true"
    assert _collected(order_ids["Anne Kervella"])

    # 2. offline: the tick shows at once and waits; back online, it is sent
    page.context.set_offline(True)
    yves = page.locator(f"#order-{order_ids['Yves Le Gall']}")
    yves.get_by_role("button", name="Marquer retirée").click()
    assert yves.get_by_role("button", name="Retirée ✓").is_visible()
    queue = page.locator("#pickup-queue")
    assert queue.inner_text() == "1 modification en attente d'envoi"
    assert not _collected(order_ids["Yves Le Gall"])
    page.context.set_offline(False)
    page.wait_for_function("() => document.getElementById('pickup-queue').hidden")
    assert _collected(order_ids["Yves Le Gall"])
    page.reload()
    yves = page.locator(f"#order-{order_ids['Yves Le Gall']}")
    assert yves.get_by_role("button", name="Retirée ✓").get_attribute("aria-pressed") == "true"
    assert errors == []


def test_filter_ignores_accents_and_a_refused_tick_is_shown(app, live_server, page, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    market = make_market()
    cycle = db.session.get(OrderCycle, market.cycle_id)
    orders = {}
    for name in ("Élodie Bernard", "Paul Roux"):
        orders[name] = order_services.place_order(
            cycle=cycle,
            customer=UserFactory(full_name=name),
            items=[(market.egg_offer_id, 1)],
            pickup_window_id=market.window_id,
            pickup_slot_id=market.slot_ids[0],
            payment_method=PaymentMethod.at_pickup,
            idempotency_key=f"e2e-pickup-2-{name}",
            terms_accepted=True,
            now=utcnow(),
        )
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.context.add_cookies(
        [
            {
                "name": "session",
                "value": _session_cookie(app, market.manager_id),
                "url": live_server.url,
            }
        ]
    )
    page.goto(
        f"{live_server.url}/hubs/{market.hub_id}/cycles/{market.cycle_id}/pickup/{market.window_id}"
    )
    page.get_by_label("Trouver un client").fill("elodie")
    assert page.locator(".pickup-entry:visible h2").all_inner_texts() == ["Élodie Bernard"]
    page.get_by_label("Trouver un client").fill("")

    # the order is cancelled from the back office while the list is open
    paul = orders["Paul Roux"]
    cancel_order(db.session.get(Order, paul.id), actor=None, reason="e2e")
    entry = page.locator(f"#order-{paul.id}")
    entry.get_by_role("button", name="Marquer retirée").click()
    problem = page.locator("#pickup-problem")
    problem.wait_for(state="visible")
    assert "Paul Roux" in problem.inner_text()
    # the button goes back to what the server holds, and nothing waits in the queue
    assert entry.get_by_role("button", name="Marquer retirée").get_attribute("aria-pressed") == (
        "false"
    )
    page.wait_for_function("() => document.getElementById('pickup-queue').hidden")
    db.session.expire_all()
    assert db.session.get(Order, paul.id).status is OrderStatus.cancelled
    assert errors == []
