"""The pickup reminder tells what is left to pay (payments.money), not the order's total."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.db import db
from notifications.models import OutboundEmail
from operations.backoffice import services as backoffice
from operations.jobs import reminder_due_at, run_tick
from tests.factories_producer_orders import customer, farm_shop, order_for


def _reminders() -> dict[str, str]:
    rows = db.session.scalars(
        select(OutboundEmail).where(OutboundEmail.kind == "pickup_reminder")
    ).all()
    return {row.to_email: row.body_text for row in rows}


def test_a_partly_refunded_order_is_not_asked_to_pay_and_an_unpaid_one_pays_its_total(
    db_session,
):
    fs = farm_shop()
    tomato = fs.shop.offers[0]
    paid = order_for(fs.shop, customer("Alice Martin", "alice@example.org"), [(tomato.id, 2)])
    unpaid = order_for(fs.shop, customer("Bob Durand", "bob@example.org"), [(tomato.id, 1)])
    backoffice.mark_paid(paid, method="cash", actor=fs.hub_manager)
    backoffice.refund_order(paid, 100, actor=fs.hub_manager, reason="tomate abîmée")
    db.session.refresh(paid)
    assert paid.payment_status.value == "partially_refunded"
    db.session.query(OutboundEmail).delete()
    db.session.flush()

    due = reminder_due_at(fs.shop.slot.starts_at)
    assert run_tick(due + timedelta(minutes=1)).pickup_reminders == 2
    texts = _reminders()
    assert "À payer au retrait" not in texts["alice@example.org"]
    total = f"{unpaid.total_cents // 100},{unpaid.total_cents % 100:02d}"
    assert f"À payer au retrait : {total}" in texts["bob@example.org"].replace("\u202f", " ")
