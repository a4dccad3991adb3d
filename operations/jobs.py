"""The scheduled notices of order cycles (``flask operations tick``, every 5 minutes).

Four e-mails, each sent once, in each recipient's language (``User.locale``):

- **Cycle open**: when a published cycle is open (``opens_at`` passed, not closed), every follower
  of the hub (``HubFollower``) gets the pickup windows and the shop link; then
  ``OrderCycle.open_notice_sent_at`` is set. A cycle that is already closed when the job first
  sees it gets no notice (nothing left to order).
- **Producer order list**: once a cycle has closed, each producer with counted lines in it (see
  ``operations.producers.services``) gets what to prepare, per variant and per customer, with a
  link to its printable order list; sent to the producer's managers (or to the producer's
  contact address when nobody manages it); then ``producer_lists_sent_at`` is set. Orders that
  still await a card payment are waited for, for at most ``PAYMENT_HOLD_MINUTES`` after the
  close (their hold expires by then). Cycles closed more than ``LIST_LOOKBACK`` ago are only
  marked, not mailed (no stale lists after an outage or a first deployment).
- **Pickup reminder**: each confirmed order (not awaiting payment, not cancelled, not
  collected) is reminded from 18:00 (Europe/Paris, ``APP_TIMEZONE``) the day before its pickup
  day, until its pickup starts (the slot if it has one, else the window). An order placed after
  that 18:00 is not reminded: its confirmation just told everything.

- **Closing reminder**: from 24 hours before a cycle closes, each follower of the hub who has
  no order in it (cancelled ones do not count) is reminded once; a cycle open for less than a
  day gets none.

Safe when two ticks run at once: cycles are taken with ``FOR NO KEY UPDATE SKIP LOCKED`` (a
second tick skips a cycle the first one holds; orders being placed keep their KEY SHARE locks),
and every message has a ``dedupe_key`` whose unique constraint keeps it single even if two
transactions race. E-mails are queued in the job's transaction and delivered after the commit
by the outbox (``notifications``), which retries failures: a failing mail server never blocks
the job nor any order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import and_, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.sql.elements import ColumnElement

from accounts.models import User
from core.db import db
from core.timeutils import local_date, local_to_utc
from cycles.models import OrderCycle, PickupWindow
from enterprises.models import Enterprise, Membership
from hubs.models import HubFollower
from notifications.models import OutboundEmail
from notifications.services import queue_email
from operations.producers import services as producer_services
from orders.models import Order, OrderStatus
from orders.services import order_link, order_locale
from payments.money import money_of_orders

#: closed cycles older than this get no list any more (they are only marked as sent)
LIST_LOOKBACK = timedelta(days=2)
#: local wall-clock time of the day before the pickup from which reminders go out
REMINDER_LOCAL_TIME = time(18, 0)
#: followers who have not ordered are reminded from this long before a cycle closes
CLOSING_REMINDER_BEFORE = timedelta(hours=24)
#: pickups starting further than this are not looked at yet (the day before starts at 00:00)
REMINDER_HORIZON = timedelta(hours=60)


@dataclass(frozen=True)
class TickCounts:
    open_notices: int = 0
    producer_lists: int = 0
    pickup_reminders: int = 0
    closing_reminders: int = 0


def _link(endpoint: str, **values: object) -> str:
    """An absolute link for an e-mail (no request here: the path comes from the URL map)."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return f"{current_app.config['BASE_URL']}{path}"


def _default_locale() -> str:
    return current_app.config.get("BABEL_DEFAULT_LOCALE", "fr")


def _locale(user: User | None) -> str:
    languages = current_app.config.get("LANGUAGES", ("fr", "en"))
    if user is not None and user.locale in languages:
        return user.locale
    return _default_locale()


def _due_cycles(*conditions: ColumnElement[bool]) -> list[OrderCycle]:
    """Cycles matching ``conditions``, locked (skipping those another tick holds), in id order."""
    return list(
        db.session.scalars(
            select(OrderCycle)
            .where(OrderCycle.published.is_(True), *conditions)
            .order_by(OrderCycle.id)
            .with_for_update(skip_locked=True, key_share=True, of=OrderCycle)
        )
    )


def _with_windows(cycles: list[OrderCycle]) -> None:
    """Load the cycles' hubs, windows and points in two statements (used by the templates)."""
    if cycles:
        db.session.scalars(
            select(OrderCycle)
            .where(OrderCycle.id.in_([c.id for c in cycles]))
            .options(
                joinedload(OrderCycle.hub),
                selectinload(OrderCycle.windows).joinedload(PickupWindow.distribution_point),
            )
        ).unique().all()


# --------------------------------------------------------------------------- cycle open


def send_open_notices(now: datetime) -> int:
    """Tell the hub's followers that a cycle opened (once per follower and cycle); commits.

    Locks the due cycles (SKIP LOCKED); sets ``open_notice_sent_at``. Returns e-mails queued.
    """
    closes = producer_services.effective_close()
    cycles = _due_cycles(
        OrderCycle.open_notice_sent_at.is_(None),
        OrderCycle.done_at.is_(None),
        OrderCycle.opens_at <= now,
        closes > now,
    )
    _with_windows(cycles)
    queued = 0
    for cycle in cycles:
        followers = db.session.scalars(
            select(User)
            .join(HubFollower, HubFollower.user_id == User.id)
            .where(HubFollower.hub_id == cycle.hub_id, User.deleted_at.is_(None))
            .order_by(User.id)
        )
        for user in followers:
            if not user.email:
                continue
            sent = queue_email(
                to=user.email,
                template="emails/operations/cycle_open",
                locale=_locale(user),
                kind="cycle_open",
                dedupe_key=f"cycle_open:cycle={cycle.id}:user={user.id}",
                cycle=cycle,
                hub=cycle.hub,
                user=user,
                shop_link=_link("orders.shop", cycle_id=cycle.id),
                hub_link=_link("hubs.public", hub_id=cycle.hub_id),
            )
            queued += sent is not None
        cycle.open_notice_sent_at = now
    db.session.commit()
    return queued


# --------------------------------------------------------------------------- producer lists


def _recipients(producer: Enterprise) -> list[tuple[str, str, User | None]]:
    """(e-mail, locale, user) of the producer's managers, or its contact address if none."""
    managers = list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.enterprise_id == producer.id, User.deleted_at.is_(None))
            .order_by(User.id)
        )
    )
    found: list[tuple[str, str, User | None]] = [
        (u.email, _locale(u), u) for u in managers if u.email
    ]
    if not found and producer.contact_email:
        found = [(producer.contact_email, _default_locale(), None)]
    return found


def _awaiting_payment(cycle: OrderCycle) -> bool:
    return (
        db.session.scalar(
            select(Order.id)
            .where(Order.cycle_id == cycle.id, Order.status == OrderStatus.pending_payment)
            .limit(1)
        )
        is not None
    )


def send_producer_lists(now: datetime) -> int:
    """E-mail each producer its order list of every cycle that closed (once); commits.

    Locks the due cycles (SKIP LOCKED); sets ``producer_lists_sent_at``. Returns e-mails queued.
    """
    closes = producer_services.effective_close()
    cycles = _due_cycles(OrderCycle.producer_lists_sent_at.is_(None), closes <= now)
    hold = timedelta(minutes=int(current_app.config.get("PAYMENT_HOLD_MINUTES", 30)))
    queued = 0
    for cycle in cycles:
        closed_at = cycle.effective_closes_at
        if closed_at < now - LIST_LOOKBACK:
            cycle.producer_lists_sent_at = now  # too old to be useful: mark only
            continue
        if now < closed_at + hold and _awaiting_payment(cycle):
            continue  # a card payment may still confirm an order: next tick
        summaries = producer_services.summaries_for_cycle(cycle)
        producers = {
            p.id: p
            for p in db.session.scalars(select(Enterprise).where(Enterprise.id.in_(summaries)))
        }
        for producer_id, summary in summaries.items():
            producer = producers[producer_id]
            link = _link("producer_orders.cycle", producer_id=producer_id, cycle_id=cycle.id)
            for email, locale, user in _recipients(producer):
                who = f"user={user.id}" if user is not None else "contact"
                sent = queue_email(
                    to=email,
                    template="emails/operations/producer_list",
                    locale=locale,
                    kind="producer_list",
                    dedupe_key=f"producer_list:cycle={cycle.id}:producer={producer_id}:{who}",
                    producer=producer,
                    summary=summary,
                    cycle=cycle,
                    hub=cycle.hub,
                    user=user,
                    link=link,
                )
                queued += sent is not None
        cycle.producer_lists_sent_at = now
    db.session.commit()
    return queued


# --------------------------------------------------------------------------- pickup reminders


def pickup_starts_at(order: Order) -> datetime:
    return order.pickup_slot.starts_at if order.pickup_slot else order.pickup_window.starts_at


def reminder_due_at(pickup_at: datetime) -> datetime:
    """18:00 local time the day before the local pickup day."""
    return local_to_utc(local_date(pickup_at) - timedelta(days=1), REMINDER_LOCAL_TIME)


def _reminder_key(order_id: int) -> str:
    return f"pickup_reminder:{order_id}"


def _already_queued(keys: Iterable[str]) -> set[str]:
    keys = list(keys)
    if not keys:
        return set()
    return set(
        db.session.scalars(
            select(OutboundEmail.dedupe_key).where(OutboundEmail.dedupe_key.in_(keys))
        )
    )


def send_pickup_reminders(now: datetime) -> int:
    """Remind each confirmed order's customer of the pickup, the evening before (once); commits.

    No lock: the order is only read, and the ``dedupe_key`` constraint keeps each reminder single
    when two ticks race. Returns the number of e-mails queued.
    """
    candidates = list(
        db.session.scalars(
            select(Order)
            .join(PickupWindow, PickupWindow.id == Order.pickup_window_id)
            .where(
                Order.status == OrderStatus.confirmed,
                Order.customer_email != "",
                and_(PickupWindow.ends_at > now, PickupWindow.starts_at <= now + REMINDER_HORIZON),
            )
            .options(
                joinedload(Order.pickup_window).joinedload(PickupWindow.distribution_point),
                joinedload(Order.pickup_slot),
                joinedload(Order.hub),
                joinedload(Order.customer),
                selectinload(Order.lines),
            )
            .order_by(Order.id)
        ).unique()
    )
    done = _already_queued(_reminder_key(o.id) for o in candidates)
    # what each one still pays at pickup (payments.money), in one query
    money = money_of_orders(o.id for o in candidates if _reminder_key(o.id) not in done)
    queued = 0
    for order in candidates:
        if _reminder_key(order.id) in done:
            continue
        starts = pickup_starts_at(order)
        due = reminder_due_at(starts)
        if not (due <= now < starts) or order.placed_at >= due:
            continue
        sent = queue_email(
            to=order.customer_email,
            template="emails/operations/pickup_reminder",
            locale=order_locale(order),
            kind="pickup_reminder",
            dedupe_key=_reminder_key(order.id),
            order=order,
            pickup_at=starts,
            pickup_ends_at=order.pickup_slot.ends_at
            if order.pickup_slot
            else order.pickup_window.ends_at,
            link=order_link(order),
            balance_due_cents=money[order.id].balance_due_cents,
        )
        queued += sent is not None
    db.session.commit()
    return queued


# --------------------------------------------------------------------------- closing reminders


def send_closing_reminders(now: datetime) -> int:
    """Remind the hub's followers who have not ordered that a cycle closes within a day; commits.

    Once per follower and cycle (``dedupe_key``); a cycle open for less than a day before its
    close gets none (its opening notice said it all). Returns e-mails queued.
    """
    closes = producer_services.effective_close()
    closing = db.session.scalars(
        select(OrderCycle)
        .where(
            OrderCycle.published.is_(True),
            OrderCycle.done_at.is_(None),
            OrderCycle.opens_at <= now,
            closes > now,
            closes <= now + CLOSING_REMINDER_BEFORE,
        )
        .order_by(OrderCycle.id)
    )
    cycles = [c for c in closing if c.opens_at <= c.effective_closes_at - CLOSING_REMINDER_BEFORE]
    _with_windows(cycles)
    queued = 0
    for cycle in cycles:
        ordered = select(Order.customer_id).where(
            Order.cycle_id == cycle.id,
            Order.customer_id.is_not(None),
            Order.status != OrderStatus.cancelled,
        )
        followers = list(
            db.session.scalars(
                select(User)
                .join(HubFollower, HubFollower.user_id == User.id)
                .where(
                    HubFollower.hub_id == cycle.hub_id,
                    User.deleted_at.is_(None),
                    User.id.not_in(ordered),
                )
                .order_by(User.id)
            )
        )
        keys = {u.id: f"cycle_closing:cycle={cycle.id}:user={u.id}" for u in followers}
        done = _already_queued(keys.values())
        for user in followers:
            if not user.email or keys[user.id] in done:
                continue
            sent = queue_email(
                to=user.email,
                template="emails/operations/cycle_closing",
                locale=_locale(user),
                kind="cycle_closing",
                dedupe_key=keys[user.id],
                cycle=cycle,
                hub=cycle.hub,
                user=user,
                shop_link=_link("orders.shop", cycle_id=cycle.id),
                hub_link=_link("hubs.public", hub_id=cycle.hub_id),
            )
            queued += sent is not None
    db.session.commit()
    return queued


def run_tick(now: datetime) -> TickCounts:
    """The four notices, each in its own transaction (one failing does not undo the others)."""
    return TickCounts(
        open_notices=send_open_notices(now),
        producer_lists=send_producer_lists(now),
        pickup_reminders=send_pickup_reminders(now),
        closing_reminders=send_closing_reminders(now),
    )
