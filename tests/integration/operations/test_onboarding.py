"""The guided start on the managers' dashboard (issue 18.4): each step computed from the data and
linking to the page that does it, the checklist gone once done; the producer's "to do now"."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from core.db import db
from core.timeutils import utcnow
from operations import onboarding
from tests.factories import (
    CycleOfferFactory,
    DistributionPointFactory,
    MembershipFactory,
    OrderCycleFactory,
    PickupWindowFactory,
    ProducerFactory,
    ProducerHubLinkFactory,
    ProductFactory,
    UserFactory,
    VariantFactory,
)
from tests.factories_hubs import hub_with_manager
from tests.factories_producer_orders import customer, farm_shop, order_for


def _steps(checklist) -> dict[str, bool]:
    return {step.key: step.done for step in checklist.steps}


def _page(client) -> str:
    return client.get("/dashboard").get_data(as_text=True)


def _step_html(page: str, key: str) -> str:
    match = re.search(rf'<li [^>]*data-step="{key}"[^>]*>(.*?)</li>', page, re.S)
    assert match, key
    return match.group(0)


def test_a_new_hub_sees_every_step_to_do_with_its_link(client, login_as, db_session):
    hub, manager = hub_with_manager(name="La Cagette")
    login_as(manager)
    page = _page(client)
    assert "Lancer votre comptoir" in page
    assert "0 étape(s) faite(s) sur 6" in page
    expected = {
        "payments": f"/hubs/{hub.id}/settings",
        "point": f"/hubs/{hub.id}/points/new",
        "producers": f"/hubs/{hub.id}/producers",
        "cycle": f"/hubs/{hub.id}/cycles/new",
        "products": f"/hubs/{hub.id}/cycles/new",
        "publish": f"/hubs/{hub.id}/cycles/new",
    }
    for key, href in expected.items():
        item = _step_html(page, key)
        assert 'data-done="no"' in item
        assert f'href="{href}"' in item, (key, item)
    assert "Ajoutez un point de retrait" in page


def test_hub_steps_light_up_from_the_data_and_the_checklist_goes_when_done(
    client, login_as, db_session
):
    hub, manager = hub_with_manager()
    assert _steps(onboarding.hub_checklist(hub)) == dict.fromkeys(
        ("payments", "point", "producers", "cycle", "products", "publish"), False
    )
    # pay at pickup only is a choice of payment means; so is a connected Stripe account
    hub.allows_online_payment = False
    DistributionPointFactory(hub=hub)
    producer = ProducerFactory()
    ProducerHubLinkFactory(producer=producer, hub=hub)
    cycle = OrderCycleFactory(hub=hub, published=False)
    db.session.flush()
    steps = _steps(onboarding.hub_checklist(hub))
    assert steps == {
        "payments": True,
        "point": True,
        "producers": True,
        "cycle": True,
        "products": False,
        "publish": False,
    }
    login_as(manager)
    page = _page(client)
    assert f'href="/hubs/{hub.id}/cycles/{cycle.id}/offers"' in _step_html(page, "products")
    assert 'data-done="yes"' in _step_html(page, "point")

    variant = VariantFactory(product=ProductFactory(producer=producer))
    CycleOfferFactory(cycle=cycle, variant=variant)
    cycle.published = True
    db.session.flush()
    assert onboarding.hub_checklist(hub).done
    assert 'data-testid="checklist-hub"' not in _page(client)


def test_a_connected_stripe_account_is_the_payments_step(db_session):
    hub, _ = hub_with_manager()
    assert not onboarding.payments_ready(hub)
    hub.stripe_account_id = "acct_123"
    assert not onboarding.payments_ready(hub)  # Stripe still needs the hub's details
    hub.stripe_charges_enabled = True
    assert onboarding.payments_ready(hub)


def test_a_refused_or_pending_permission_is_not_a_producer(db_session):
    from hubs.models import LinkStatus

    hub, _ = hub_with_manager()
    ProducerHubLinkFactory(hub=hub, status=LinkStatus.requested)
    ProducerHubLinkFactory(hub=hub, status=LinkStatus.refused)
    db.session.flush()
    assert _steps(onboarding.hub_checklist(hub))["producers"] is False


def test_a_new_producer_has_its_own_checklist(client, login_as, db_session):
    farm = ProducerFactory(description="")
    farmer = UserFactory()
    MembershipFactory(user=farmer, enterprise=farm)
    login_as(farmer)
    page = _page(client)
    assert 'data-testid="checklist-producer"' in page
    assert f'href="/enterprises/{farm.id}/edit"' in _step_html(page, "profile")
    assert f'href="/producers/{farm.id}/products/new"' in _step_html(page, "products")
    assert f'href="/producers/{farm.id}/hubs"' in _step_html(page, "hubs")

    farm.description = "Maraîchage bio"
    VariantFactory(product=ProductFactory(producer=farm))
    ProducerHubLinkFactory(producer=farm)
    db.session.flush()
    assert _steps(onboarding.producer_checklist(farm)) == {
        "profile": True,
        "products": True,
        "hubs": True,
    }
    assert 'data-testid="checklist-producer"' not in _page(client)


def test_someone_elses_checklist_is_not_shown(client, login_as, db_session):
    hub, _ = hub_with_manager(name="La Cagette")
    stranger = UserFactory()
    login_as(stranger)
    assert "Lancer votre comptoir" not in _page(client)


# --------------------------------------------------------------------------- producer: now


@pytest.fixture
def shop(db_session):
    return farm_shop()


def test_the_producer_sees_cycles_closing_soon_what_to_bring_and_low_stock(client, login_as, shop):
    now = utcnow()
    cycle = shop.shop.cycle  # closes in two days: "closing soon"
    tomato = shop.shop.offers[0]
    order_for(shop.shop, customer("Alice Martin", "alice@example.org"), [(tomato.id, 2)])
    # a closed cycle of the same hub with an order of the farm's tomatoes: to bring
    closed = OrderCycleFactory(
        hub=shop.shop.hub,
        name="Semaine passée",
        opens_at=now - timedelta(days=5),
        closes_at=now + timedelta(days=1),
    )
    window = PickupWindowFactory(cycle=closed)
    offer = CycleOfferFactory(cycle=closed, variant=tomato.variant)
    db.session.flush()
    from tests.factories_operations import place
    from tests.factories_orders import Shop

    place(
        Shop(cycle=closed, window=window, slot=None, offers=[offer]),
        [(offer.id, 4)],
        customer=customer("Bob Durand", "bob@example.org"),
    )
    closed.closes_at = now - timedelta(hours=1)
    tomato.variant.stock = 3
    db.session.flush()

    state = onboarding.producer_now(shop.farm, now)
    assert [row.cycle.id for row in state.closing_soon] == [cycle.id]
    assert [s.cycle.id for s in state.to_bring] == [closed.id]
    assert [q for _p, _v, q in state.to_bring[0].items] == [4]
    assert [v.id for v in state.low_stock] == [tomato.variant.id]

    login_as(shop.farm_manager)
    page = _page(client).replace("\u202f", " ").replace("\xa0", " ")
    assert "À faire maintenant" in page
    bring = page[page.index('data-testid="to-bring"') :][:800]
    assert "Semaine passée" in bring
    assert f"/producers/{shop.farm.id}/orders/cycles/{closed.id}" in bring
    assert "4 × Tomates" in bring
    soon = page[page.index('data-testid="closing-soon"') :][:600]
    assert cycle.name in soon
    low = page[page.index('data-testid="low-stock"') :][:400]
    assert "Tomates" in low
    assert "reste " in low


def test_nothing_urgent_is_said_plainly(client, login_as, db_session):
    farm = ProducerFactory(description="Maraîchage")
    farmer = UserFactory()
    MembershipFactory(user=farmer, enterprise=farm)
    VariantFactory(product=ProductFactory(producer=farm), stock=50)
    login_as(farmer)
    assert "Rien d'urgent" in _page(client)
