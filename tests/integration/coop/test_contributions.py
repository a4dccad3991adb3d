"""Free contributions: choosing (0 included), bad input, the suggestion, card payments through
localstripe with signed webhooks, transfers recorded by admins, the admin overview, permissions."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from coop.contributions import services
from coop.models import ContributionPayment, ContributionPledge, PlatformCost, Rhythm
from core.db import db
from core.timeutils import local_date, utcnow
from enterprises.models import MembershipRole
from payments import stripe_api
from payments.models import StripeEvent
from tests.factories import EnterpriseFactory, MembershipFactory, UserFactory
from tests.factories_payments import event_for, sign

SECRET = "whsec_test_comptoir"


@pytest.fixture
def farm(db_session):
    enterprise = EnterpriseFactory(name="Ferme des Quatre Vents", is_producer=True)
    manager = UserFactory(locale="en")
    MembershipFactory(user=manager, enterprise=enterprise, role=MembershipRole.owner)
    return enterprise, manager


def _pledges(enterprise_id: int) -> list[tuple[int, str]]:
    return [
        (p.amount_cents, p.rhythm.value)
        for p in db.session.scalars(
            select(ContributionPledge)
            .where(ContributionPledge.enterprise_id == enterprise_id)
            .order_by(ContributionPledge.id)
        )
    ]


def _text(response) -> str:
    return response.get_data(as_text=True).replace("\xa0", " ").replace("\u202f", " ")


# --------------------------------------------------------------------------- choosing


def test_zero_is_accepted_and_shown_kindly(client, login_as, farm):
    enterprise, manager = farm
    login_as(manager)
    url = f"/enterprises/{enterprise.id}/contribution"
    response = client.post(url, data={"amount": "0", "rhythm": "monthly"})
    assert response.status_code == 303
    assert _pledges(enterprise.id) == [(0, "monthly")]
    page = _text(client.get(url))
    assert "no contribution for now" in page
    assert "You chose not to contribute for now (0 €)" in page
    assert "Pay " not in page  # nothing to pay, no nagging


def test_amounts_with_a_french_comma_and_history_kept(client, login_as, farm):
    enterprise, manager = farm
    login_as(manager)
    url = f"/enterprises/{enterprise.id}/contribution"
    assert client.post(url, data={"amount": "12,50", "rhythm": "yearly"}).status_code == 303
    assert client.post(url, data={"amount": "15", "rhythm": "monthly"}).status_code == 303
    assert _pledges(enterprise.id) == [(1250, "yearly"), (1500, "monthly")]
    page = _text(client.get(url))
    assert "€15.00 per month, chosen on" in page
    assert "€12.50 per year" in page  # in the history
    assert services.current_pledge(enterprise.id).amount_cents == 1500


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-5", "The amount cannot be negative."),
        ("abc", "Give an amount in euros"),
        ("", "This field is required."),
        ("12,345", "Give an amount in euros"),
        ("100000,01", "This amount is too large"),
        ("1e9", "This amount is too large"),
    ],
)
def test_bad_amounts_are_refused_and_nothing_is_written(client, login_as, farm, amount, message):
    enterprise, manager = farm
    login_as(manager)
    response = client.post(
        f"/enterprises/{enterprise.id}/contribution", data={"amount": amount, "rhythm": "monthly"}
    )
    assert response.status_code == 422
    assert message in _text(response)
    assert _pledges(enterprise.id) == []


def test_unknown_rhythm_is_refused(client, login_as, farm):
    enterprise, manager = farm
    login_as(manager)
    response = client.post(
        f"/enterprises/{enterprise.id}/contribution", data={"amount": "5", "rhythm": "weekly"}
    )
    assert response.status_code == 422
    assert _pledges(enterprise.id) == []


def test_another_enterprise_manager_cannot_choose(client, login_as, farm):
    enterprise, _ = farm
    stranger = UserFactory()
    MembershipFactory(user=stranger, enterprise=EnterpriseFactory())
    login_as(stranger)
    url = f"/enterprises/{enterprise.id}/contribution"
    assert client.get(url).status_code == 403
    assert client.post(url, data={"amount": "5", "rhythm": "monthly"}).status_code == 403
    assert _pledges(enterprise.id) == []


# --------------------------------------------------------------------------- suggestion


def test_suggestion_shares_the_year_costs_between_active_enterprises(client, login_as, farm):
    enterprise, manager = farm
    year = local_date(utcnow()).year
    EnterpriseFactory(is_producer=False, is_hub=True)
    EnterpriseFactory(is_producer=True, is_hub=True)  # both: counted once
    EnterpriseFactory(is_active=False)  # inactive: not counted
    db.session.add_all(
        [
            PlatformCost(label="Hosting", yearly_cents=60_000, year=year),
            PlatformCost(label="Support", yearly_cents=40_000, year=year),
            PlatformCost(label="Old", yearly_cents=999_999, year=year - 1),  # another year
        ]
    )
    db.session.flush()
    # 1 000,00 EUR / 3 enterprises = 333,33 a year; / 12 = 27,777 -> 27,78 a month
    assert services.active_enterprises_count() == 3
    assert services.suggested_contribution(Rhythm.yearly) == 33_333
    assert services.suggested_contribution("monthly") == 2_778
    login_as(manager)
    page = _text(client.get(f"/enterprises/{enterprise.id}/contribution"))
    assert "€27.78 per month, or €333.33 per year." in page
    assert "(€1,000.00) shared equally between the 3 active producers and hubs" in page
    assert "A suggestion only, never required." in page


def test_no_suggestion_without_published_costs(client, login_as, farm):
    enterprise, manager = farm
    assert services.suggested_contribution("monthly") is None
    login_as(manager)
    page = _text(client.get(f"/enterprises/{enterprise.id}/contribution"))
    assert "No suggestion this year" in page


# --------------------------------------------------------------------------- months (statements)


def _pledge(enterprise, cents: int, rhythm: Rhythm, at: datetime) -> None:
    db.session.add(
        ContributionPledge(
            enterprise_id=enterprise.id, amount_cents=cents, rhythm=rhythm, created_at=at
        )
    )
    db.session.flush()


def test_pledged_for_month_monthly_and_yearly(db_session):
    monthly, yearly = EnterpriseFactory(), EnterpriseFactory()
    _pledge(monthly, 1500, Rhythm.monthly, datetime(2026, 3, 10, 9, tzinfo=UTC))
    assert services.pledged_for_month(monthly.id, date(2026, 2, 1)) == 0  # before the choice
    assert services.pledged_for_month(monthly.id, date(2026, 3, 1)) == 1500
    assert services.pledged_for_month(monthly.id, date(2026, 11, 1)) == 1500
    _pledge(monthly, 0, Rhythm.monthly, datetime(2026, 12, 2, 9, tzinfo=UTC))
    assert services.pledged_for_month(monthly.id, date(2026, 11, 1)) == 1500
    assert services.pledged_for_month(monthly.id, date(2026, 12, 1)) == 0

    # chosen on 31 March 23:30 UTC = 1 April in Paris: its month is April (local time)
    _pledge(yearly, 12_000, Rhythm.yearly, datetime(2026, 3, 31, 23, 30, tzinfo=UTC))
    assert services.pledged_for_month(yearly.id, date(2026, 3, 1)) == 0
    assert services.pledged_for_month(yearly.id, date(2026, 4, 1)) == 12_000
    assert services.pledged_for_month(yearly.id, date(2026, 5, 1)) == 0
    assert services.pledged_for_month(yearly.id, date(2027, 4, 1)) == 12_000  # renewal


def test_paid_in_month_counts_paid_contributions_only(db_session):
    enterprise = EnterpriseFactory()
    db.session.add_all(
        [
            ContributionPayment(
                enterprise_id=enterprise.id,
                amount_cents=1000,
                method="transfer",
                status="paid",
                paid_at=datetime(2026, 5, 31, 22, 30, tzinfo=UTC),  # 1 June in Paris
            ),
            ContributionPayment(
                enterprise_id=enterprise.id,
                amount_cents=700,
                method="transfer",
                status="paid",
                paid_at=datetime(2026, 6, 15, tzinfo=UTC),
            ),
            ContributionPayment(
                enterprise_id=enterprise.id,
                amount_cents=5000,
                method="card",
                status="pending",
                stripe_payment_intent_id="pi_pending",
            ),
        ]
    )
    db.session.flush()
    assert services.paid_in_month(enterprise.id, date(2026, 5, 1)) == 0
    assert services.paid_in_month(enterprise.id, date(2026, 6, 1)) == 1700


# --------------------------------------------------------------------------- card payments


def _deliver(client, payload: bytes):
    return client.post(
        "/payments/stripe/webhook",
        data=payload,
        headers={"Stripe-Signature": sign(payload, SECRET), "Content-Type": "application/json"},
    )


def _card(number: str = "4242424242424242") -> str:
    pm = stripe_api.client().v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123"},
        }
    )
    return pm.id


def test_card_contribution_is_paid_by_the_webhook_once(client, login_as, farm, stripe_app):
    enterprise, manager = farm
    login_as(manager)
    base = f"/enterprises/{enterprise.id}/contribution"
    client.post(base, data={"amount": "15", "rhythm": "monthly"})

    page = client.get(f"{base}/pay")
    assert page.status_code == 200, _text(client.get(base))
    payment = db.session.scalar(select(ContributionPayment))
    assert (payment.status, payment.method, payment.amount_cents) == ("pending", "card", 1500)
    assert payment.stripe_payment_intent_id
    assert f'data-client-secret="{payment.stripe_payment_intent_id}' in page.get_data(as_text=True)
    # visiting the page again resumes the same PaymentIntent
    assert client.get(f"{base}/pay").status_code == 200
    assert db.session.scalar(select(func.count(ContributionPayment.id))) == 1

    intent = stripe_api.client().v1.payment_intents.retrieve(payment.stripe_payment_intent_id)
    assert intent.metadata["kind"] == "contribution"
    assert intent.metadata["enterprise_id"] == str(enterprise.id)
    assert intent.amount == 1500
    assert intent.currency == "eur"
    assert not intent.to_dict().get("application_fee_amount")  # the platform account, no Connect

    confirmed = client.post(
        f"{base}/payments/{payment.id}/confirm", json={"payment_method": _card()}
    )
    assert confirmed.status_code == 200, confirmed.get_data(as_text=True)
    assert confirmed.get_json()["status"] == "succeeded"
    db.session.refresh(payment)
    assert payment.status == "pending"  # only the webhook marks it paid
    status = client.get(f"{base}/payments/{payment.id}/status").get_json()
    assert status == {"paid": False, "status": "pending_payment"}

    intent = stripe_api.client().v1.payment_intents.retrieve(payment.stripe_payment_intent_id)
    first = event_for(intent, "payment_intent.succeeded", "evt_contribution_1")
    again = event_for(intent, "payment_intent.succeeded", "evt_contribution_2")
    for payload in (first, first, again):
        assert _deliver(client, payload).status_code == 200
    db.session.refresh(payment)
    assert payment.status == "paid"
    assert payment.paid_at is not None
    paid_at = payment.paid_at
    assert db.session.scalar(select(func.count(ContributionPayment.id))) == 1
    assert db.session.scalar(select(func.count(StripeEvent.id))) == 2
    assert payment.paid_at == paid_at
    assert client.get(f"{base}/payments/{payment.id}/status").get_json()["paid"] is True
    assert services.paid_in_month(enterprise.id, local_date(paid_at).replace(day=1)) == 1500
    page = _text(client.get(f"{base}?payment={payment.id}"))
    assert "Your payment of €15.00 is confirmed." in page


def test_declined_card_then_another_card_pays_once(client, login_as, farm, stripe_app):
    enterprise, manager = farm
    login_as(manager)
    base = f"/enterprises/{enterprise.id}/contribution"
    client.post(base, data={"amount": "8", "rhythm": "yearly"})
    assert client.get(f"{base}/pay").status_code == 200
    payment = db.session.scalar(select(ContributionPayment))
    declined = client.post(
        f"{base}/payments/{payment.id}/confirm",
        json={"payment_method": _card("4000000000000341")},
    )
    assert declined.status_code == 402, declined.get_json()
    intent = stripe_api.client().v1.payment_intents.retrieve(payment.stripe_payment_intent_id)
    failed = event_for(intent, "payment_intent.payment_failed", "evt_f")
    assert _deliver(client, failed).status_code == 200
    db.session.refresh(payment)
    assert payment.status == "failed"
    assert payment.paid_at is None
    assert services.paid_in_month(enterprise.id, local_date(utcnow()).replace(day=1)) == 0
    assert "Failed" in _text(client.get(base))

    # the page again: a new PaymentIntent (the failed one is cancelled), another card
    assert client.get(f"{base}/pay").status_code == 200
    payments = list(
        db.session.scalars(select(ContributionPayment).order_by(ContributionPayment.id))
    )
    assert [p.status for p in payments] == ["failed", "pending"]
    retry = payments[1]
    assert retry.stripe_payment_intent_id != payment.stripe_payment_intent_id
    retried = client.post(f"{base}/payments/{retry.id}/confirm", json={"payment_method": _card()})
    assert retried.get_json()["status"] == "succeeded"
    intent = stripe_api.client().v1.payment_intents.retrieve(retry.stripe_payment_intent_id)
    assert (
        _deliver(client, event_for(intent, "payment_intent.succeeded", "evt_s")).status_code == 200
    )
    db.session.refresh(retry)
    db.session.refresh(payment)
    assert (retry.status, retry.amount_cents) == ("paid", 800)
    assert payment.status == "failed"
    assert services.paid_in_month(enterprise.id, local_date(utcnow()).replace(day=1)) == 800


def test_a_changed_pledge_abandons_the_unpaid_attempt(client, login_as, farm, stripe_app):
    enterprise, manager = farm
    login_as(manager)
    base = f"/enterprises/{enterprise.id}/contribution"
    client.post(base, data={"amount": "10", "rhythm": "monthly"})
    client.get(f"{base}/pay")
    first = db.session.scalar(select(ContributionPayment))
    client.post(base, data={"amount": "20", "rhythm": "monthly"})
    assert client.get(f"{base}/pay").status_code == 200
    payments = list(
        db.session.scalars(select(ContributionPayment).order_by(ContributionPayment.id))
    )
    assert [(p.amount_cents, p.status) for p in payments] == [(1000, "failed"), (2000, "pending")]
    old = stripe_api.client().v1.payment_intents.retrieve(first.stripe_payment_intent_id)
    assert old.status == "canceled"
    assert payments[1].stripe_payment_intent_id != first.stripe_payment_intent_id


def test_a_pledge_of_zero_has_nothing_to_pay(client, login_as, farm, stripe_app):
    enterprise, manager = farm
    login_as(manager)
    base = f"/enterprises/{enterprise.id}/contribution"
    client.post(base, data={"amount": "0", "rhythm": "monthly"})
    response = client.get(f"{base}/pay", follow_redirects=True)
    assert "there is nothing to pay" in _text(response)
    assert db.session.scalar(select(func.count(ContributionPayment.id))) == 0


def test_someone_elses_payment_is_hidden(client, login_as, farm):
    enterprise, manager = farm
    other = EnterpriseFactory()
    foreign = ContributionPayment(
        enterprise_id=other.id, amount_cents=100, method="card", status="pending"
    )
    db.session.add(foreign)
    db.session.flush()
    login_as(manager)
    url = f"/enterprises/{enterprise.id}/contribution/payments/{foreign.id}/status"
    assert client.get(url).status_code == 404


# --------------------------------------------------------------------------- admins


def test_admin_records_a_transfer_and_sees_it(client, login_as, farm):
    enterprise, _ = farm
    admin = UserFactory(is_admin=True, locale="en")
    login_as(admin)
    response = client.post(
        "/admin/contributions/transfer",
        data={
            "enterprise_id": enterprise.id,
            "amount": "120,00",
            "received_on": "2026-03-02",
            "reference": "VIR 2026-03 QUATRE VENTS",
        },
    )
    assert response.status_code == 303
    payment = db.session.scalar(select(ContributionPayment))
    assert (payment.method, payment.status, payment.amount_cents) == ("transfer", "paid", 12000)
    assert payment.recorded_by_id == admin.id
    assert local_date(payment.paid_at) == date(2026, 3, 2)
    assert services.paid_in_month(enterprise.id, date(2026, 3, 1)) == 12000

    csv_text = client.get("/admin/contributions.csv").get_data(as_text=True)
    row = next(line for line in csv_text.splitlines() if "Ferme des Quatre Vents" in line)
    assert "120.00;transfer" in row
    page = _text(client.get("/admin/contributions"))
    assert "Ferme des Quatre Vents" in page
    assert "€120.00 · transfer" in page


@pytest.mark.parametrize("amount", ["0", "-3", "abc"])
def test_transfer_bad_amount_is_refused(client, login_as, farm, amount):
    enterprise, _ = farm
    login_as(UserFactory(is_admin=True))
    response = client.post(
        "/admin/contributions/transfer",
        data={"enterprise_id": enterprise.id, "amount": amount, "received_on": "2026-03-02"},
    )
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(ContributionPayment.id))) == 0


def test_only_admins_record_transfers(client, login_as, farm):
    enterprise, manager = farm
    login_as(manager)
    response = client.post(
        "/admin/contributions/transfer",
        data={"enterprise_id": enterprise.id, "amount": "50", "received_on": "2026-03-02"},
    )
    assert response.status_code == 403
    assert client.get("/admin/contributions").status_code == 403
    assert client.get("/admin/contributions.csv").status_code == 403
    assert db.session.scalar(select(func.count(ContributionPayment.id))) == 0


def test_admin_overview_shows_current_pledge_and_year_total(db_session):
    enterprise = EnterpriseFactory(name="Ferme Z")
    idle = EnterpriseFactory(name="Ferme Y")
    _pledge(enterprise, 500, Rhythm.monthly, datetime(2026, 1, 5, tzinfo=UTC))
    _pledge(enterprise, 2000, Rhythm.yearly, datetime(2026, 2, 5, tzinfo=UTC))
    now = datetime(2026, 6, 1, tzinfo=UTC)
    for cents, at in (
        (300, datetime(2025, 12, 15, tzinfo=UTC)),
        (400, datetime(2026, 2, 6, tzinfo=UTC)),
    ):
        db.session.add(
            ContributionPayment(
                enterprise_id=enterprise.id, amount_cents=cents, method="transfer", paid_at=at
            )
        )
    db.session.flush()
    rows = {r.enterprise.id: r for r in services.contributors(now)}
    row = rows[enterprise.id]
    assert (row.pledge.amount_cents, row.pledge.rhythm) == (2000, Rhythm.yearly)
    assert row.paid_this_year_cents == 400
    assert row.last_payment.amount_cents == 400
    assert rows[idle.id].pledge is None
    assert rows[idle.id].last_payment is None


def test_admin_overview_query_count_does_not_grow_with_enterprises(client, login_as, db_session):
    from tests.querycount import count_queries

    login_as(UserFactory(is_admin=True))

    def add(n: int) -> None:
        for _ in range(n):
            enterprise = EnterpriseFactory()
            _pledge(enterprise, 500, Rhythm.monthly, datetime(2026, 1, 5, tzinfo=UTC))
            db.session.add(
                ContributionPayment(
                    enterprise_id=enterprise.id,
                    amount_cents=500,
                    method="transfer",
                    paid_at=utcnow(),
                )
            )
        db.session.flush()

    add(3)
    with count_queries() as few:
        assert len(services.contributors()) == 3
    add(20)
    with count_queries() as many:
        assert len(services.contributors()) == 23
    assert many.count == few.count == 4, str(many)
    page = client.get("/admin/contributions")
    assert page.status_code == 200
    assert page.get_data(as_text=True).count('data-testid="contributor-row"') == 23


# --------------------------------------------------------------------------- paying by transfer


def _pledge_and_view(client, login_as, farm) -> str:
    enterprise, manager = farm
    manager.locale = "fr"
    login_as(manager)
    url = f"/enterprises/{enterprise.id}/contribution"
    client.post(url, data={"amount": "20", "rhythm": "monthly"})
    return _text(client.get(url))


def _config(app, monkeypatch, **values) -> None:
    for key, value in values.items():
        monkeypatch.setitem(app.config, key, value)


def test_transfer_details_and_reference_come_from_configuration(
    app, monkeypatch, client, login_as, farm
):
    enterprise, _ = farm
    _config(
        app,
        monkeypatch,
        COOP_BANK_HOLDER="SCIC Comptoir",
        COOP_BANK_IBAN="FR76 3000 4000 0500 0012 3456 789",
        COOP_BANK_BIC="BNPAFRPPXXX",
        STRIPE_SECRET_KEY="",
    )
    page = _pledge_and_view(client, login_as, farm)
    assert "SCIC Comptoir" in page
    assert "FR76 3000 4000 0500 0012 3456 789" in page
    assert "BNPAFRPPXXX" in page
    assert f"COMPTOIR-CONTRIB-{enterprise.id}" in page
    assert "Référence à indiquer sur le virement" in page
    # Stripe is not configured: said plainly, and no card button
    assert "Le paiement par carte n'est pas mis en place" in page
    assert "par carte</a>" not in page
    assert "joignable" not in page


def test_without_bank_details_the_page_says_whom_to_ask(app, monkeypatch, client, login_as, farm):
    _config(app, monkeypatch, COOP_BANK_IBAN="")
    page = _pledge_and_view(client, login_as, farm)
    assert "IBAN" not in page
    assert "Demandez ses coordonnées bancaires à la coopérative" in page


def test_paying_by_card_without_stripe_says_it_is_not_set_up(
    app, monkeypatch, client, login_as, farm
):
    enterprise, _ = farm
    _config(app, monkeypatch, STRIPE_SECRET_KEY="")
    _pledge_and_view(client, login_as, farm)
    response = client.get(f"/enterprises/{enterprise.id}/contribution/pay")
    assert response.status_code == 302
    page = _text(client.get(response.headers["Location"]))
    assert "Le paiement par carte n'est pas mis en place sur cette plateforme" in page
    assert "injoignable" not in page  # not "the payment service cannot be reached"
    assert db.session.scalar(select(func.count(ContributionPayment.id))) == 0
