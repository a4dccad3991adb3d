"""``flask operations tick``: cycle-open notices, producer order lists, pickup reminders.

Times are explicit (``now``): orders are placed in the factories' open cycle (opened a day ago,
closing in two days, pickup the day after the close), then the tick runs at chosen instants.
"""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.db import db
from core.timeutils import utcnow
from hubs.models import HubFollower
from notifications.models import EmailStatus, OutboundEmail
from notifications.services import deliver_pending
from operations.jobs import reminder_due_at, run_tick
from orders.models import Order, OrderStatus, PaymentMethod
from tests.factories import OrderCycleFactory, PickupWindowFactory, UserFactory
from tests.factories_operations import place
from tests.factories_producer_orders import cancel, customer, farm_shop, order_for
from tests.support.smtp import SmtpSink


def _emails(kind: str) -> list[OutboundEmail]:
    return list(
        db.session.scalars(
            select(OutboundEmail).where(OutboundEmail.kind == kind).order_by(OutboundEmail.id)
        )
    )


@pytest.fixture
def world(db_session):
    fs = farm_shop()
    fs.other_manager.locale = "en"
    alice = customer("Alice Martin", "alice.secret@example.org")
    bob = customer("Bob Durand", "bob@example.org", locale="en")
    tomato, cheese = fs.shop.offers[0], fs.shop.offers[1]
    fs.alice_order = order_for(fs.shop, alice, [(tomato.id, 2), (cheese.id, 1)])
    fs.bob_order = order_for(fs.shop, bob, [(tomato.id, 3)])
    cancel(order_for(fs.shop, customer("Carol Petit", "carol@example.org"), [(tomato.id, 7)]))
    # confirmation e-mails of the orders are not this test's business
    db.session.query(OutboundEmail).delete()
    db.session.flush()
    return fs


# --------------------------------------------------------------------------- producer lists


def test_lists_wait_for_the_close(world):
    counts = run_tick(world.shop.cycle.closes_at - timedelta(minutes=1))
    assert counts.producer_lists == 0
    assert world.shop.cycle.producer_lists_sent_at is None


def test_tick_after_close_queues_one_list_per_producer_once(world):
    cycle = world.shop.cycle
    at = cycle.closes_at + timedelta(minutes=5)
    assert run_tick(at).producer_lists == 2
    assert cycle.producer_lists_sent_at == at
    lists = {m.to_email: m for m in _emails("producer_list")}
    assert set(lists) == {world.farm_manager.email, world.other_manager.email}

    farm = lists[world.farm_manager.email]  # locale fr
    assert farm.subject.startswith("Liste de commandes")
    assert "Tomates" in farm.body_text
    assert "Tomme" not in farm.body_text
    assert "5 × Tomates" in farm.body_text  # 2 for Alice + 3 for Bob; Carol's was cancelled
    assert "Alice Martin" in farm.body_text
    assert "Bob Durand" in farm.body_text
    assert "Carol" not in farm.body_text
    assert "alice.secret@example.org" not in farm.body_text
    assert "22,50" in farm.body_text  # owed: 5 × 4,50 €
    assert f"/producers/{world.farm.id}/orders/cycles/{cycle.id}" in farm.body_text
    assert "Tomates" in farm.body_html

    other = lists[world.other_manager.email]  # locale en
    assert other.subject.startswith("Order list:")
    assert "What to bring" in other.body_text
    assert "1 × Tomme" in other.body_text
    assert "Tomates" not in other.body_text
    assert "Bob Durand" not in other.body_text
    assert "€4.50" in other.body_text

    assert run_tick(at + timedelta(minutes=5)).producer_lists == 0
    assert len(_emails("producer_list")) == 2


def test_list_waits_for_card_payments_until_their_hold_ends(app, world):
    tomato = world.shop.offers[0]
    place(world.shop, [(tomato.id, 1)], customer=UserFactory(), method=PaymentMethod.card)
    cycle = world.shop.cycle
    assert run_tick(cycle.closes_at + timedelta(minutes=5)).producer_lists == 0
    assert cycle.producer_lists_sent_at is None
    hold = timedelta(minutes=app.config["PAYMENT_HOLD_MINUTES"])
    assert run_tick(cycle.closes_at + hold + timedelta(minutes=1)).producer_lists == 2


def test_an_old_closed_cycle_is_marked_without_mail(world):
    cycle = world.shop.cycle
    counts = run_tick(cycle.closes_at + timedelta(days=3))
    assert counts.producer_lists == 0
    assert cycle.producer_lists_sent_at is not None


# --------------------------------------------------------------------------- cycle open


def test_cycle_open_notice_to_followers_once(world):
    hub = world.shop.hub
    fan_fr = UserFactory(full_name="Nina Lefèvre")
    fan_en = UserFactory(full_name="John Smith", locale="en")
    for fan in (fan_fr, fan_en):
        db.session.add(HubFollower(user_id=fan.id, hub_id=hub.id))
    draft = OrderCycleFactory(hub=hub, published=False)
    upcoming = OrderCycleFactory(
        hub=hub, opens_at=utcnow() + timedelta(days=3), closes_at=utcnow() + timedelta(days=5)
    )
    db.session.flush()
    now = utcnow()
    counts = run_tick(now)
    assert counts.open_notices == 2
    notices = {m.to_email: m for m in _emails("cycle_open")}
    assert set(notices) == {fan_fr.email, fan_en.email}
    assert world.shop.cycle.name in notices[fan_fr.email].subject
    assert "commandes sont ouvertes" in notices[fan_fr.email].subject
    assert "orders are open" in notices[fan_en.email].subject
    assert f"/cycles/{world.shop.cycle.id}/shop" in notices[fan_en.email].body_text
    assert world.shop.window.distribution_point.name in notices[fan_en.email].body_text
    assert world.shop.cycle.open_notice_sent_at == now
    assert draft.open_notice_sent_at is None
    assert upcoming.open_notice_sent_at is None

    assert run_tick(now + timedelta(minutes=5)).open_notices == 0
    # the upcoming cycle's notice goes out once it opens
    assert run_tick(upcoming.opens_at + timedelta(minutes=1)).open_notices == 2
    assert len(_emails("cycle_open")) == 4


# --------------------------------------------------------------------------- pickup reminders


def test_pickup_reminder_once_from_18h_the_day_before(world):
    bob_order = world.bob_order
    bob_order.status = OrderStatus.collected
    pending = place(
        world.shop,
        [(world.shop.offers[0].id, 1)],
        customer=UserFactory(),
        method=PaymentMethod.card,
    )
    db.session.flush()
    starts = world.shop.slot.starts_at
    due = reminder_due_at(starts)
    assert due.astimezone().tzinfo is not None
    assert run_tick(due - timedelta(minutes=1)).pickup_reminders == 0
    assert run_tick(due + timedelta(minutes=1)).pickup_reminders == 1
    (reminder,) = _emails("pickup_reminder")
    assert reminder.to_email == "alice.secret@example.org"
    assert world.alice_order.number in reminder.subject
    assert world.shop.window.distribution_point.name in reminder.body_text
    assert "À payer au retrait" in reminder.body_text
    assert run_tick(due + timedelta(minutes=6)).pickup_reminders == 0
    assert len(_emails("pickup_reminder")) == 1
    assert pending.status is OrderStatus.pending_payment  # never reminded while unpaid


def test_no_reminder_after_the_pickup_started(world):
    assert run_tick(world.shop.slot.starts_at + timedelta(minutes=1)).pickup_reminders == 0


def test_reminder_is_at_18h_paris_time_the_day_before(app):
    from datetime import UTC, datetime

    with app.app_context():
        # winter (UTC+1): pickup Wednesday 25 November 2026 09:00 Paris → Tuesday 18:00 Paris
        due = reminder_due_at(datetime(2026, 11, 25, 8, 0, tzinfo=UTC))
        assert due == datetime(2026, 11, 24, 17, 0, tzinfo=UTC)
        # summer (UTC+2)
        due = reminder_due_at(datetime(2026, 7, 1, 15, 0, tzinfo=UTC))
        assert due == datetime(2026, 6, 30, 16, 0, tzinfo=UTC)


def test_reminder_skips_orders_placed_after_18h_the_day_before(world):
    late_window = PickupWindowFactory(
        cycle=world.shop.cycle,
        starts_at=utcnow() + timedelta(hours=3),
        ends_at=utcnow() + timedelta(hours=5),
    )
    world.alice_order.pickup_window_id = late_window.id
    world.alice_order.pickup_slot_id = None
    db.session.flush()
    db.session.expire_all()
    due = reminder_due_at(late_window.starts_at)
    now = utcnow()
    assert due <= now < late_window.starts_at  # in the reminder period...
    assert world.alice_order.placed_at >= due  # ...but placed during it
    assert run_tick(now).pickup_reminders == 0


# --------------------------------------------------------------------------- delivery


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_failed_smtp_keeps_the_list_pending_for_retry_and_the_orders_intact(app, world):
    at = world.shop.cycle.closes_at + timedelta(minutes=5)
    run_tick(at)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_closed_port())
    try:
        assert deliver_pending() == 0
        lists = _emails("producer_list")
        assert len(lists) == 2
        for message in lists:
            assert message.status is EmailStatus.pending
            assert message.attempts == 1
            assert message.next_attempt_at > utcnow()
            assert message.last_error
        order = db.session.get(Order, world.alice_order.id)
        assert order.status is OrderStatus.confirmed
        assert len(order.lines) == 2

        sink = SmtpSink()
        try:
            app.config.update(MAIL_SERVER=sink.host, MAIL_PORT=sink.port)
            for message in lists:
                message.next_attempt_at = utcnow() - timedelta(seconds=1)
            db.session.flush()
            assert deliver_pending() == 2
            sink.wait_for(lambda m: m["To"] == world.farm_manager.email)
            assert {str(m["To"]) for m in sink.messages} == {
                world.farm_manager.email,
                world.other_manager.email,
            }
        finally:
            sink.stop()
    finally:
        app.config.update(MAIL_SERVER="", MAIL_PORT=25)
    assert run_tick(at + timedelta(minutes=10)).producer_lists == 0


def test_cli_prints_the_counts(app, world):
    at = (world.shop.cycle.closes_at + timedelta(minutes=5)).isoformat()
    result = app.test_cli_runner().invoke(args=["operations", "tick", "--now", at])
    assert result.exit_code == 0, result.output
    assert "producer lists: 2" in result.output
    assert "pickup reminders: 0" in result.output
    assert "closing reminders: 0" in result.output
    result = app.test_cli_runner().invoke(args=["operations", "tick", "--now", at])
    assert "producer lists: 0" in result.output
