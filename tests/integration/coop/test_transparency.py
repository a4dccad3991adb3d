"""The public accounts page: totals per year, the rule, no names; payment fees."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from coop.models import CommissionEntry, CommissionKind, ContributionPayment, PlatformCost
from coop.transparency import payment_fee_cents, year_accounts
from core.db import db
from orders.models import PaymentMethod
from tests.factories import HubFactory, OrderFactory, ProducerFactory, UserFactory
from tests.querycount import count_queries

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _entry(order, kind, amount, via, at):
    db.session.add(
        CommissionEntry(
            hub_id=order.hub_id,
            order_id=order.id,
            kind=kind,
            base_cents=amount * 100,
            amount_cents=amount,
            collected_via=via,
            created_at=at,
        )
    )


def _accounts_world():
    farm = ProducerFactory(name="Ferme Secrète")
    hub = HubFactory(name="Hub Discret")
    ProducerFactory(is_active=False)
    both = ProducerFactory(is_hub=True)
    UserFactory(full_name="Jeanne Personne")
    at = datetime(2026, 3, 1, 12, tzinfo=UTC)
    for amount, status, paid_at in (
        (5000, "paid", at),
        (2500, "paid", datetime(2026, 1, 1, 0, 30, tzinfo=UTC)),  # 1 Jan local time: 2026
        (9999, "pending", None),  # not received
        (7000, "paid", datetime(2025, 12, 31, 22, 30, tzinfo=UTC)),  # 23:30 in Paris: 2025
    ):
        db.session.add(
            ContributionPayment(
                enterprise_id=farm.id,
                amount_cents=amount,
                method="card",
                status=status,
                paid_at=paid_at,
            )
        )
    order = OrderFactory(cycle__hub=hub)
    db.session.flush()
    _entry(order, CommissionKind.charge, 300, "application_fee", at)
    _entry(order, CommissionKind.charge, 200, "statement", at)
    _entry(order, CommissionKind.reversal, -50, "statement", at)
    _entry(order, CommissionKind.charge, 999, "statement", datetime(2025, 5, 1, tzinfo=UTC))
    db.session.add(PlatformCost(label="Hébergement", yearly_cents=120000, year=2026))
    db.session.add(PlatformCost(label="Temps de support", yearly_cents=300000, year=2026))
    db.session.add(PlatformCost(label="Ancien", yearly_cents=1, year=2024))
    db.session.flush()
    return farm, hub, both


def test_year_accounts(db_session, frozen):
    _accounts_world()
    with count_queries() as log:
        accounts = year_accounts(2026)
    assert log.count == 5, str(log)
    assert accounts.contributions_cents == 7500
    assert accounts.contributions_count == 2
    assert accounts.commission.charged_cents == 500
    assert accounts.commission.reversed_cents == 50
    assert accounts.commission.net_cents == 450
    assert accounts.commission.net_by_channel == {"application_fee": 300, "statement": 150}
    assert [c.label for c in accounts.costs] == ["Temps de support", "Hébergement"]
    assert accounts.costs_cents == 420000
    assert accounts.balance_cents == 7500 + 450 - 420000
    # active only: farm and "both" are producers; hub and "both" are hubs
    assert accounts.active_producers == 2
    assert accounts.active_hubs == 2
    assert accounts.years == [2026, 2025, 2024]
    assert accounts.example_commission_cents == 12

    earlier = year_accounts(2025)
    assert earlier.contributions_cents == 7000
    assert earlier.commission.net_cents == 999
    assert year_accounts(1990).year == 2026  # a year without data: this year


def test_transparency_page_shows_totals_the_rule_and_no_names(client, db_session, frozen):
    _accounts_world()
    html = client.get("/cooperative?year=2026", headers={"Accept-Language": "fr"}).get_data(
        as_text=True
    )
    assert 'data-figure="contributions">75,00\xa0€' in html
    assert 'data-figure="commission-net">4,50\xa0€' in html
    assert 'data-figure="via-application-fee">3,00\xa0€' in html
    assert "Temps de support" in html
    assert "12,34\xa0€" in html
    assert "0,12\xa0€" in html
    for name in ("Ferme Secrète", "Hub Discret", "Jeanne Personne"):
        assert name not in html
    assert client.get("/cooperative?year=abc").status_code == 200


def test_payment_fees_card_only():
    assert payment_fee_cents(1234, PaymentMethod.card) == 19 + 25  # 1.5 % of 12.34 = 0.1851
    assert payment_fee_cents(1000, "card") == 40
    assert payment_fee_cents(1234, PaymentMethod.at_pickup) == 0
    assert payment_fee_cents(0, PaymentMethod.card) == 0


def test_payment_fees_follow_the_config(app):
    previous = {key: app.config.get(key) for key in ("STRIPE_FEE_BP", "STRIPE_FEE_FIXED_CENTS")}
    app.config.update(STRIPE_FEE_BP=250, STRIPE_FEE_FIXED_CENTS=0)
    try:
        with app.app_context():
            assert payment_fee_cents(1000, PaymentMethod.card) == 25
    finally:
        app.config.update(previous)
