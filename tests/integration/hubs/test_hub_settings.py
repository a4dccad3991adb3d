"""The hub settings page: payment means, order changes, margins, minimum order, contact."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from core.db import db
from cycles.models import CycleOffer, FeeKind
from cycles.services import OfferSpec, add_offers
from orders.models import Order
from tests.factories import (
    OrderCycleFactory,
    ProducerHubLinkFactory,
    UserFactory,
    VariantFactory,
)
from tests.factories_hubs import hub_with_manager
from tests.factories_orders import make_shop

GOOD = {
    "accepts_card": "y",
    "accepts_at_pickup": "y",
    "manual_means": ["cash", "transfer"],
    "allows_order_changes": "",
    "default_margin": "12,5",
    "min_order": "15",
    "contact_email": "bonjour@la-grange.example",
    "phone": "02 99 00 00 00",
}


def test_a_manager_sets_the_hub_and_the_rules_are_kept(client, login_as):
    hub, manager = hub_with_manager()
    link = ProducerHubLinkFactory(hub=hub)
    db.session.commit()
    login_as(manager)
    page = client.get(f"/hubs/{hub.id}/settings").get_data(as_text=True)
    assert "Comment les acheteurs paient" in page
    assert link.producer.name in page

    answer = client.post(f"/hubs/{hub.id}/settings", data={**GOOD, f"margin_{link.id}": "8"})
    assert answer.status_code == 303
    db.session.refresh(hub)
    db.session.refresh(link)
    assert hub.allows_online_payment
    assert hub.allows_pay_at_pickup
    assert hub.manual_means == ["cash", "transfer"]
    assert not hub.allows_order_changes
    assert (hub.default_margin_bp, hub.min_order_cents) == (1250, 1500)
    assert (hub.contact_email, hub.phone) == ("bonjour@la-grange.example", "02 99 00 00 00")
    assert link.default_margin_bp == 800
    page = client.get(f"/hubs/{hub.id}/settings").get_data(as_text=True)
    assert 'value="12,5"' in page
    assert f'name="margin_{link.id}" value="8"' in page

    # buyers read how to pay and whom to contact on the hub's page
    public = client.get(f"/hubs/{hub.id}").get_data(as_text=True).replace("\xa0", " ")
    public = public.replace("\u202f", " ")
    assert "Au retrait : Espèces, Virement" in public
    assert "Commande minimum : 15,00 €" in public
    assert "bonjour@la-grange.example" in public

    # an empty producer margin goes back to the hub's default
    client.post(f"/hubs/{hub.id}/settings", data={**GOOD, f"margin_{link.id}": ""})
    db.session.refresh(link)
    assert link.default_margin_bp is None


def test_bad_settings_are_refused_with_a_message_and_nothing_saved(client, login_as):
    hub, manager = hub_with_manager()
    link = ProducerHubLinkFactory(hub=hub)
    db.session.commit()
    before = (hub.default_margin_bp, hub.min_order_cents, hub.contact_email)
    login_as(manager)
    cases = [
        ({"accepts_card": "", "accepts_at_pickup": ""}, "Acceptez au moins un moyen de paiement"),
        ({"manual_means": []}, "Choisissez comment les acheteurs peuvent payer au retrait"),
        ({"manual_means": ["bitcoin"]}, "n&#39;est pas un choix valide"),
        ({"default_margin": "150"}, "Une part du comptoir est comprise entre 0 et 100 %"),
        ({"default_margin": "dix"}, "Saisissez un nombre"),
        ({"min_order": "-5"}, "Saisissez un nombre"),
        ({"min_order": "5000"}, "entre 0 et 1 000 €"),
        ({f"margin_{link.id}": "101"}, "Une part du comptoir est comprise entre 0 et 100 %"),
        ({f"margin_{link.id}": "abc"}, "Saisissez un nombre"),
        ({"contact_email": "pas-un-mail"}, "adresse e-mail valide"),
    ]
    for change, message in cases:
        answer = client.post(f"/hubs/{hub.id}/settings", data={**GOOD, **change})
        page = answer.get_data(as_text=True)
        assert answer.status_code == 422, change
        assert message in page or message in page.replace("\u202f", " "), (change, page[-3000:])
        db.session.refresh(hub)
        assert (hub.default_margin_bp, hub.min_order_cents, hub.contact_email) == before, change


def test_only_the_hubs_managers_change_its_settings(client, login_as):
    hub, _manager = hub_with_manager()
    db.session.commit()
    assert client.get(f"/hubs/{hub.id}/settings").status_code == 302  # to login
    login_as(UserFactory())
    assert client.post(f"/hubs/{hub.id}/settings", data=GOOD).status_code == 403
    db.session.refresh(hub)
    assert hub.min_order_cents == 0


def test_an_offer_added_without_a_fee_takes_the_default_margin(db_session):
    hub, _manager = hub_with_manager(default_margin_bp=1500)
    own = ProducerHubLinkFactory(hub=hub, default_margin_bp=500)
    other = ProducerHubLinkFactory(hub=hub)
    cycle = OrderCycleFactory(hub=hub)
    a = VariantFactory(product__producer=own.producer)
    b = VariantFactory(product__producer=other.producer)
    c = VariantFactory(product__producer=other.producer)
    add_offers(
        cycle,
        [OfferSpec(a.id), OfferSpec(b.id), OfferSpec(c.id, None, FeeKind.fixed, 30)],
    )
    fees = {
        o.variant_id: (o.hub_fee_kind, o.hub_fee_value)
        for o in db_session.scalars(select(CycleOffer))
    }
    assert fees == {
        a.id: (FeeKind.percent, 500),  # the producer's margin
        b.id: (FeeKind.percent, 1500),  # the hub's default
        c.id: (FeeKind.fixed, 30),  # given: kept
    }


def test_the_offers_page_with_an_empty_fee_takes_the_default(client, login_as):
    hub, manager = hub_with_manager(default_margin_bp=1000)
    cycle = OrderCycleFactory(hub=hub)
    link = ProducerHubLinkFactory(hub=hub)
    v = VariantFactory(product__producer=link.producer, stock=20)
    db.session.commit()
    login_as(manager)
    answer = client.post(
        f"/hubs/{hub.id}/cycles/{cycle.id}/offers",
        data={"shown": [v.id], f"offer_{v.id}": "1", f"fee_{v.id}": ""},
    )
    assert answer.status_code == 302
    offer = db.session.scalar(select(CycleOffer))
    assert (offer.hub_fee_kind, offer.hub_fee_value) == (FeeKind.percent, 1000)


def _review(client, shop):
    client.post(
        f"/cycles/{shop.cycle.id}/checkout",
        data={"pickup": f"{shop.window.id}:{shop.slot.id}", "payment_method": "at_pickup"},
    )
    review = client.get(f"/cycles/{shop.cycle.id}/checkout/review").get_data(as_text=True)
    key = re.search(r'name="idempotency_key" type="hidden" value="([0-9a-f]+)"', review)
    assert key, review
    return review, key.group(1)


def test_an_order_below_the_minimum_is_refused_with_a_clear_message(client, login_as):
    shop = make_shop(offers=1, stock=10, price_cents=450, fee_bp=0)
    shop.cycle.hub.min_order_cents = 1000
    db.session.commit()
    login_as(UserFactory())
    offer = shop.offers[0]
    client.post(f"/cycles/{shop.cycle.id}/cart/items", data={"offer_id": offer.id, "quantity": 2})
    _review_page, key = _review(client, shop)
    answer = client.post(
        f"/cycles/{shop.cycle.id}/checkout/place",
        data={"idempotency_key": key, "accept_terms": "y"},
        follow_redirects=True,
    )
    page = answer.get_data(as_text=True)
    assert "Ce comptoir prend les commandes d’au moins 10,00 €" in page
    assert db.session.scalar(select(func.count(Order.id))) == 0
    db.session.refresh(offer)
    assert offer.variant.stock == 10  # nothing held

    client.post(f"/cycles/{shop.cycle.id}/cart/items", data={"offer_id": offer.id, "quantity": 3})
    _review_page, key = _review(client, shop)
    placed = client.post(
        f"/cycles/{shop.cycle.id}/checkout/place",
        data={"idempotency_key": key, "accept_terms": "y"},
    )
    assert placed.status_code == 303
    assert db.session.scalar(select(Order.total_cents)) >= 1000


def test_the_breakdown_never_says_the_commission_is_part_of_a_smaller_fee(client, login_as):
    shop = make_shop(offers=1, stock=10, price_cents=300, fee_bp=0)
    db.session.commit()
    login_as(UserFactory())
    client.post(
        f"/cycles/{shop.cycle.id}/cart/items",
        data={"offer_id": shop.offers[0].id, "quantity": 1},
    )
    review, _key = _review(client, shop)
    text = re.sub(r"\s+", " ", review.replace("\u202f", " ").replace("\xa0", " "))
    assert "dont 1 % de commission" not in text
    assert "commission coopérative de 1 %, comprise dans le prix : 0,03 €" in text
