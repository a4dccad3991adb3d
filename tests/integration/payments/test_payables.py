"""One card integration for anything payable (payments.payables): a new kind of payable plugs in
by registering itself; the webhook dispatches on the intent's metadata kind, refuses a wrong
amount once for every payable, and stays idempotent per event."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import func, select

from coop.models import ContributionPayment
from core.db import db
from payments import payables
from payments.models import StripeEvent
from tests.factories import EnterpriseFactory
from tests.factories_payments import event_for, sign

SECRET = "whsec_test_comptoir"


@dataclass
class TopUp:
    """A credit top-up, as tomorrow's payable might be (kept in memory for the test)."""

    amount_cents: int
    status: str = "pending"
    calls: list[str] = field(default_factory=list)


class TopUpPayable:
    kind = "top_up"

    def __init__(self) -> None:
        self.records: dict[str, TopUp] = {}
        self.after: list[str] = []

    def lock(self, intent: Mapping[str, Any]) -> TopUp | None:
        return self.records.get(str(intent.get("id")))

    def expected(self, record: TopUp) -> tuple[int, str]:
        return record.amount_cents, "EUR"

    def mismatch(self, record: TopUp, message: str) -> None:
        record.calls.append(f"mismatch: {message}")

    def succeeded(self, record: TopUp, intent: Mapping[str, Any]) -> payables.AfterCommit | None:
        record.calls.append("succeeded")
        if record.status == "paid":
            return None
        record.status = "paid"
        return lambda: self.after.append(str(intent["id"]))

    def failed(self, record: TopUp, message: str) -> None:
        record.calls.append(f"failed: {message}")

    def canceled(self, record: TopUp) -> None:
        record.calls.append("canceled")

    def progressed(self, record: TopUp, status: str) -> None:
        record.calls.append(status)


@pytest.fixture
def top_ups() -> Iterator[TopUpPayable]:
    payable = TopUpPayable()
    payables.register(payable)
    yield payable
    payables._payables.pop(payable.kind)


def _intent(intent_id: str, amount: int, kind: str = "top_up", currency: str = "eur") -> dict:
    return {
        "id": intent_id,
        "object": "payment_intent",
        "amount": amount,
        "amount_received": amount,
        "currency": currency,
        "status": "succeeded",
        "metadata": {"kind": kind},
        "last_payment_error": {"message": "Your card has insufficient funds."},
    }


def _deliver(client, intent: dict, event_type: str, event_id: str):
    payload = event_for(intent, event_type, event_id)
    response = client.post(
        "/payments/stripe/webhook",
        data=payload,
        headers={"Stripe-Signature": sign(payload, SECRET), "Content-Type": "application/json"},
    )
    assert response.status_code == 200
    return response.get_json()["outcome"]


def test_the_registered_kinds_are_orders_and_contributions(app):
    assert {"order", "contribution"} <= set(payables.registered_kinds())


def test_a_new_payable_is_paid_once_through_the_one_webhook_path(client, db_session, top_ups):
    top_up = top_ups.records["pi_top_1"] = TopUp(2500)
    intent = _intent("pi_top_1", 2500)
    processing = {**intent, "status": "processing"}
    assert _deliver(client, processing, "payment_intent.processing", "evt_t0") == "processed"
    assert _deliver(client, intent, "payment_intent.succeeded", "evt_t1") == "processed"
    assert _deliver(client, intent, "payment_intent.succeeded", "evt_t1") == "duplicate"
    assert _deliver(client, intent, "payment_intent.succeeded", "evt_t2") == "processed"
    assert top_up.status == "paid"
    # one call per distinct event (the replayed one is not applied); the side effect ran once
    assert top_up.calls == ["processing", "succeeded", "succeeded"]
    assert top_ups.after == ["pi_top_1"]
    assert db.session.scalar(select(func.count(StripeEvent.id))) == 3


def test_a_wrong_amount_or_currency_is_refused_for_every_payable(client, db_session, top_ups):
    top_up = top_ups.records["pi_top_2"] = TopUp(2500)
    _deliver(client, _intent("pi_top_2", 2400), "payment_intent.succeeded", "evt_m1")
    _deliver(
        client, _intent("pi_top_2", 2500, currency="usd"), "payment_intent.succeeded", "evt_m2"
    )
    assert top_up.status == "pending"
    assert top_up.calls == [
        "mismatch: amount mismatch: Stripe 2400 EUR, expected 2500 EUR",
        "mismatch: amount mismatch: Stripe 2500 USD, expected 2500 EUR",
    ]
    assert top_ups.after == []

    # a contribution goes through the same check
    enterprise = EnterpriseFactory()
    payment = ContributionPayment(
        enterprise_id=enterprise.id,
        amount_cents=1500,
        method="card",
        status="pending",
        stripe_payment_intent_id="pi_contribution_short",
    )
    db.session.add(payment)
    db.session.flush()
    intent = _intent("pi_contribution_short", 150, kind="contribution")
    _deliver(client, intent, "payment_intent.succeeded", "evt_m3")
    db.session.refresh(payment)
    assert (payment.status, payment.paid_at) == ("pending", None)


def test_failures_and_cancellations_reach_the_payable(client, db_session, top_ups):
    top_up = top_ups.records["pi_top_3"] = TopUp(900)
    _deliver(client, _intent("pi_top_3", 900), "payment_intent.payment_failed", "evt_f1")
    _deliver(client, _intent("pi_top_3", 900), "payment_intent.canceled", "evt_f2")
    assert top_up.calls == ["failed: Your card has insufficient funds.", "canceled"]


def test_an_unknown_kind_or_an_unknown_intent_is_recorded_and_changes_nothing(
    client, db_session, top_ups
):
    assert _deliver(
        client, _intent("pi_x", 100, kind="gift_card"), "payment_intent.succeeded", "e1"
    )
    assert _deliver(client, _intent("pi_unknown", 100), "payment_intent.succeeded", "e2")
    assert top_ups.after == []
    assert db.session.scalar(select(func.count(StripeEvent.id))) == 2


def test_a_charge_carries_its_kind_description_and_connected_account():
    charge = payables.Charge(
        kind="top_up",
        amount_cents=2500,
        currency="EUR",
        description="Credit top-up",
        idempotency_key="top-up-1",
        metadata={"account_id": "7"},
        stripe_account="acct_hub",
        application_fee_cents=25,
    )
    params = charge.params()
    assert params["amount"] == 2500
    assert params["currency"] == "eur"
    assert params["metadata"] == {
        "kind": "top_up",
        "description": "Credit top-up",
        "account_id": "7",
    }
    assert params["application_fee_amount"] == 25
    assert params["payment_method_options"] == {"card": {"request_three_d_secure": "automatic"}}
    assert (
        "application_fee_amount"
        not in payables.Charge(
            kind="contribution",
            amount_cents=100,
            currency="EUR",
            description="",
            idempotency_key="k",
        ).params()
    )
    assert payables.request_options("acct_hub", "top-up-1") == {
        "stripe_account": "acct_hub",
        "idempotency_key": "top-up-1",
    }
