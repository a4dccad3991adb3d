"""A producer reads, in real Chromium and in French, the order an OFN hub sent through the DFC
API (the sender named), on a phone and on a desktop, then cancels it: the stock comes back."""

from __future__ import annotations

import os
from decimal import Decimal

import pytest

from core.db import db
from core.timeutils import utcnow
from enterprises.models import MembershipRole
from interop import received
from interop.models import ReceivedStatus
from interop.urls import DfcUrls
from products.models import Unit, Variant
from tests.factories import (
    HubFactory,
    MembershipFactory,
    ProducerFactory,
    ProducerHubLinkFactory,
    ProductFactory,
    UserFactory,
    VariantFactory,
)
from tests.login import session_values

pytestmark = pytest.mark.e2e

SHOTS = os.environ.get("SCREENSHOT_DIR")


def _session_cookie(app, user_id: int) -> str:
    client = app.test_client()
    with client.session_transaction() as sess:
        sess.update(session_values(user_id))
    return client.get_cookie("session").value


def test_producer_reads_and_cancels_an_order_from_another_platform(app, live_server, page):
    producer = ProducerFactory(name="Ferme du Bocage")
    hub = HubFactory(name="Épicerie de Totnes")
    manager, buyer = UserFactory(), UserFactory(full_name="Sam Green")
    MembershipFactory(user=manager, enterprise=producer, role=MembershipRole.owner)
    MembershipFactory(user=buyer, enterprise=hub, role=MembershipRole.owner)
    ProducerHubLinkFactory(producer=producer, hub=hub)
    variant = VariantFactory(
        product=ProductFactory(producer=producer, name="Haricots secs"),
        name="500 g",
        unit=Unit.g,
        unit_value=Decimal(500),
        price_cents=420,
        stock=10,
    )
    db.session.commit()
    urls = DfcUrls.of(app.config["BASE_URL"])
    doc = received.OrderDocument(
        order_id=urls.enterprise(producer.id) + "/orders",
        lines=[received.WantedLine("https://ofn.example/lines/1", variant.id, 4)],
        ordered_by="https://openfoodnetwork.org.uk/api/dfc/enterprises/5246",
    )
    sender = received.Sender(user=buyer, platform="Open Food Network UK")
    order, created = received.receive_order(
        producer=producer, sender=sender, doc=doc, key="e2e-key", now=utcnow()
    )
    assert created

    page.context.add_cookies(
        [{"name": "session", "value": _session_cookie(app, manager.id), "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/producers/{producer.id}/orders")
    page.get_by_role("link", name="Commandes d’autres plateformes (DFC)").click()
    page.get_by_role("heading", name="Commandes d’autres plateformes").wait_for()
    assert page.get_by_text("Open Food Network UK (Sam Green)").is_visible()
    assert page.get_by_role("cell", name="Haricots secs (500 g)").is_visible()
    if SHOTS:
        page.set_viewport_size({"width": 1280, "height": 900})
        page.screenshot(path=f"{SHOTS}/received_orders_desktop.png", full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=f"{SHOTS}/received_orders_phone.png", full_page=True)
    page.get_by_role("button", name="Annuler cette commande").click()
    page.get_by_text("La commande est annulée : ses articles sont remis en stock.").wait_for()
    db.session.expire_all()
    assert db.session.get(Variant, variant.id).stock == 10
    db.session.refresh(order)
    assert order.status is ReceivedStatus.cancelled
