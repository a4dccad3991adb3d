"""The hub back office's use cases: hand-over, line edits, cancel, refund, pay at pickup, notes.

Each top-level service locks the order row (``orders.services.lock_order``), applies one rule,
commits once; Stripe and e-mails happen after the commit, never under a row lock. Permissions
are the views' business (``operations.permissions.can_run_hub_orders``).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from accounts.models import User
from core.db import db
from core.errors import DomainError
from core.timeutils import utcnow
from cycles.models import OrderCycle, PickupWindow
from enterprises.models import Enterprise
from notifications.services import queue_email
from operations.backoffice.errors import (
    AlreadyPaid,
    EmptyOrder,
    MeansNotAccepted,
    NothingToRefund,
    NotSoldByWeight,
    OrderCancelled,
    OrderLocked,
    OrderNotCollectable,
    PaymentInProgress,
    RefundTooLarge,
)
from orders import services as order_services
from orders.history import Actor, TimelineEntry, record_event, timeline
from orders.models import EventKind, Order, OrderLine, OrderStatus, PaymentMethod, PaymentStatus
from orders.services import LineDiff as LineChangeNote  # one line as a change left it
from orders.services import lock_order
from orders.signals import order_lines_changed
from orders.states import move_order
from payments import services as payment_services
from payments.commission import sync_commission
from payments.errors import RefundNotPossible
from payments.models import Payment, Refund, RefundKind, RefundState
from payments.money import OrderMoney, money_of, money_of_orders

log = logging.getLogger(__name__)


def _locked(order: Order) -> Order:
    locked = lock_order(order.id)
    assert locked is not None
    return locked


# --------------------------------------------------------------------------- hand-over


def set_collected(
    order: Order, collected: bool, actor: User | None, at: datetime | None = None
) -> Order:
    """Mark an order handed over to the citizen (``collected=True``) or undo it; commit once.

    Rule: only a confirmed order (paid online, or to pay at pickup) can be handed over; a
    cancelled order or a card order still awaiting payment cannot (OrderNotCollectable).
    Un-collecting puts a collected order back to confirmed. Both are idempotent: marking a
    collected order collected keeps its first ``collected_at``. Whether the citizen still owes
    something is not checked here: the pickup list shows the balance due beside the tick.
    Locks the order row. ``at`` (aware UTC) defaults to now.
    """
    order = _locked(order)
    if collected:
        if order.status is OrderStatus.collected:
            db.session.commit()
            return order
        if order.status is not OrderStatus.confirmed:
            db.session.rollback()
            raise OrderNotCollectable()
        move_order(order, OrderStatus.collected)
        order.collected_at = at or utcnow()
        record_event(order, EventKind.collected, Actor.hub(actor, order))
    else:
        if order.status is not OrderStatus.collected:
            db.session.commit()
            return order
        move_order(order, OrderStatus.confirmed)
        order.collected_at = None
        record_event(order, EventKind.uncollected, Actor.hub(actor, order))
    log.info(
        "order %s %s by user %s",
        order.id,
        "collected" if collected else "un-collected",
        actor.id if actor is not None else None,
    )
    db.session.commit()
    return order


# --------------------------------------------------------------------------- lists


@dataclass(frozen=True)
class CycleRow:
    cycle: OrderCycle
    orders: int
    cancelled: int
    total_cents: int


def list_hub_cycles(hub_id: int) -> list[CycleRow]:
    """The hub's cycles, newest first, with their order counts and totals (one query)."""
    live = Order.status != OrderStatus.cancelled
    stmt = (
        select(
            OrderCycle,
            func.count(Order.id).filter(live),
            func.count(Order.id).filter(Order.status == OrderStatus.cancelled),
            func.coalesce(func.sum(Order.total_cents).filter(live), 0),
        )
        .outerjoin(Order, Order.cycle_id == OrderCycle.id)
        .where(OrderCycle.hub_id == hub_id)
        .group_by(OrderCycle.id)
        .order_by(OrderCycle.opens_at.desc(), OrderCycle.id.desc())
    )
    return [
        CycleRow(cycle, int(count), int(cancelled), int(total))
        for cycle, count, cancelled, total in db.session.execute(stmt).all()
    ]


SORTS = {
    "number": (Order.number,),
    "name": (func.lower(Order.customer_name), Order.id),
    "placed": (Order.placed_at.desc(), Order.id.desc()),
    "total": (Order.total_cents.desc(), Order.id),
    "pickup": (PickupWindow.starts_at, Order.pickup_slot_id, func.lower(Order.customer_name)),
}
PER_PAGE = 50


@dataclass
class OrderFilters:
    """The cycle orders page's query string, already validated (see forms.OrderFilterForm)."""

    q: str = ""
    status: str = ""
    payment_status: str = ""
    payment_method: str = ""
    window_id: int | None = None
    point_id: int | None = None
    collected: str = ""  # "yes", "no" or ""
    sort: str = "name"
    page: int = 1


@dataclass
class OrderPage:
    orders: list[Order]
    count: int
    total_cents: int
    refunded_cents: int
    page: int
    pages: int
    #: {order_id: balance due at pickup}
    balances: dict[int, int] = field(default_factory=dict)

    @property
    def balance_due_cents(self) -> int:
        return sum(self.balances.values())

    # the names the shared pagination macro reads
    has_prev = property(lambda self: self.page > 1)
    has_next = property(lambda self: self.page < self.pages)
    prev_num = property(lambda self: self.page - 1)
    next_num = property(lambda self: self.page + 1)


def _filtered(cycle: OrderCycle, f: OrderFilters) -> Select:
    stmt = (
        select(Order)
        .join(PickupWindow, PickupWindow.id == Order.pickup_window_id)
        .where(Order.cycle_id == cycle.id, Order.hub_id == cycle.hub_id)
    )
    if f.q:
        like = "%" + f.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(
            or_(
                Order.customer_name.ilike(like),
                Order.customer_email.ilike(like),
                Order.number.ilike(like),
            )
        )
    if f.status:
        stmt = stmt.where(Order.status == OrderStatus(f.status))
    if f.payment_status:
        stmt = stmt.where(Order.payment_status == PaymentStatus(f.payment_status))
    if f.payment_method:
        stmt = stmt.where(Order.payment_method == PaymentMethod(f.payment_method))
    if f.window_id:
        stmt = stmt.where(Order.pickup_window_id == f.window_id)
    if f.point_id:
        stmt = stmt.where(PickupWindow.distribution_point_id == f.point_id)
    if f.collected == "yes":
        stmt = stmt.where(Order.collected_at.is_not(None))
    elif f.collected == "no":
        stmt = stmt.where(Order.collected_at.is_(None))
    return stmt


def list_cycle_orders(cycle: OrderCycle, f: OrderFilters) -> OrderPage:
    """One page of a cycle's orders with the filtered set's totals: three queries, whatever the
    number of orders (totals, page, and the page's money from payments.money)."""
    base = _filtered(cycle, f).subquery()
    live = base.c.status != OrderStatus.cancelled.name
    count, total, refunded = db.session.execute(
        select(
            func.count(base.c.id),
            func.coalesce(func.sum(case((live, base.c.total_cents), else_=0)), 0),
            func.coalesce(func.sum(base.c.refunded_cents), 0),
        )
    ).one()
    pages = max(1, math.ceil(count / PER_PAGE))
    page = min(max(1, f.page), pages)
    stmt = (
        _filtered(cycle, f)
        .options(
            joinedload(Order.pickup_window).joinedload(PickupWindow.distribution_point),
            joinedload(Order.pickup_slot),
        )
        .order_by(*SORTS.get(f.sort, SORTS["name"]))
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    )
    orders = list(db.session.scalars(stmt).unique())
    money = money_of_orders(o.id for o in orders)
    balances = {o.id: money[o.id].balance_due_cents for o in orders}
    return OrderPage(
        orders=orders,
        count=int(count),
        total_cents=int(total),
        refunded_cents=int(refunded),
        page=page,
        pages=pages,
        balances=balances,
    )


def cycle_windows(cycle: OrderCycle) -> list[PickupWindow]:
    """The cycle's pickup windows with their points (filter choices), one query."""
    return list(
        db.session.scalars(
            select(PickupWindow)
            .where(PickupWindow.cycle_id == cycle.id)
            .options(joinedload(PickupWindow.distribution_point))
            .order_by(PickupWindow.starts_at, PickupWindow.id)
        )
    )


@dataclass
class OrderDetail:
    order: Order
    payments: list[Payment]
    refunds: list[Refund]
    money: OrderMoney
    refundable_cents: int
    #: the order's history in words, for the hub (orders.history)
    history: list[TimelineEntry] = field(default_factory=list)

    @property
    def pending_refunds(self) -> list[Refund]:
        """Refunds Stripe has not taken yet (retried by ``flask payments retry-refunds``)."""
        return [r for r in self.refunds if r.state is RefundState.pending]


def get_order_detail(order: Order) -> OrderDetail:
    """An order with its lines, payments, refunds and balance, for the back-office page."""
    db.session.scalars(
        select(Order)
        .where(Order.id == order.id)
        .options(
            selectinload(Order.lines).joinedload(OrderLine.producer),
            joinedload(Order.pickup_window).joinedload(PickupWindow.distribution_point),
            joinedload(Order.pickup_slot),
            joinedload(Order.customer),
        )
    ).unique().all()
    payments = list(
        db.session.scalars(select(Payment).where(Payment.order_id == order.id).order_by(Payment.id))
    )
    refunds = list(
        db.session.scalars(select(Refund).where(Refund.order_id == order.id).order_by(Refund.id))
    )
    refundable = 0
    succeeded = [p for p in payments if p.state.value == "succeeded"]
    if succeeded:
        last = succeeded[-1]
        refundable = last.amount_cents - last.refunded_cents
    return OrderDetail(
        order=order,
        payments=payments,
        refunds=refunds,
        money=money_of(order),
        refundable_cents=refundable,
        history=timeline(order, for_hub=True),
    )


def balance_due_cents(order: Order) -> int:
    """What the citizen still pays at pickup (payments.money: the whole total for an unpaid
    pay-at-pickup order, the difference after a line edit made a paid order dearer, 0 for a
    cancelled order)."""
    return money_of(order).balance_due_cents


def balances_due(orders: list[Order]) -> dict[int, int]:
    """``balance_due_cents`` for many orders in one query (the pickup list)."""
    money = money_of_orders(o.id for o in orders)
    return {o.id: money[o.id].balance_due_cents for o in orders}


# --------------------------------------------------------------------------- line edits

#: a typo guard: the heaviest line a hub packs (100 kg)
MAX_LINE_WEIGHT_G = 100_000


@dataclass(frozen=True)
class LineEdit:
    """The form's values for one line. ``final_weight_g`` None: charged on the estimate."""

    line_id: int
    quantity: int
    final_weight_g: int | None = None


@dataclass
class OrderChange:
    order: Order
    changes: list[LineChangeNote]
    total_before_cents: int
    total_after_cents: int
    #: given back (card: to the card; manual payment: by the hub) after the edit
    refunded_cents: int = 0
    #: still to pay at pickup after the edit
    balance_due_cents: int = 0
    refund_failed: bool = False
    #: Stripe could not be reached: the refund is recorded and retried by a job
    refund_pending: bool = False


def _editable(order: Order) -> None:
    if order.status in (OrderStatus.cancelled, OrderStatus.collected):
        raise OrderLocked()
    if order.payment_method is PaymentMethod.card and order.payment_status in (
        PaymentStatus.unpaid,
        PaymentStatus.pending,
    ):
        # the PaymentIntent carries the old amount: the webhook would refuse the payment
        raise PaymentInProgress()


def edit_order_lines(order: Order, edits: list[LineEdit], *, actor: User | None) -> OrderChange:
    """The hub changes quantities, removes lines (quantity 0) or sets final weights; commit once.

    Rules: a cancelled or collected order is locked (OrderLocked); a card order whose payment is
    still in progress cannot change (PaymentInProgress); the order keeps at least one line
    (EmptyOrder: cancel instead); a final weight only on sold-by-weight lines (NotSoldByWeight).
    Stock moves by the difference (more items: checked like a checkout, InsufficientStock;
    removed items: returned). Totals are recomputed from the lines' price snapshots, the
    commission synced, the citizen's "order changed" e-mail queued in their language.
    Money (docs/payments.md): a paid order that became cheaper is refunded the difference after
    the commit (card: Stripe refund; paid at pickup: recorded, the hub gives it back); one that
    became dearer has a balance due at pickup. Locks: the order, then (the one change-lines path,
    ``orders.services.change_lines``) variants and offers. One event is written.
    """
    order = _locked(order)
    try:
        _editable(order)
        by_id = {line.id: line for line in order.lines}
        wanted = {e.line_id: e for e in edits if e.line_id in by_id}
        if all(
            wanted.get(lid, LineEdit(lid, line.quantity)).quantity <= 0
            for lid, line in by_id.items()
        ):
            raise EmptyOrder()
        if any(
            e.final_weight_g is not None and not by_id[e.line_id].sold_by_weight
            for e in wanted.values()
        ):
            raise NotSoldByWeight()
        total_before = order.total_cents
        notes = order_services.change_lines(
            order,
            {lid: e.quantity for lid, e in wanted.items()},
            weights={
                lid: e.final_weight_g for lid, e in wanted.items() if e.final_weight_g is not None
            },
            only_offered=False,
        )
    except DomainError:
        db.session.rollback()
        raise
    change = OrderChange(order, notes, total_before, order.total_cents)
    if not notes:
        db.session.commit()
        return change
    money = money_of(order)  # change_lines flushed the new lines and total
    to_refund = min(money.overpaid_cents, payment_services.refundable_cents(order))
    change.refunded_cents = to_refund
    change.balance_due_cents = money.balance_due_cents
    if order.payment_status in (PaymentStatus.paid, PaymentStatus.partially_refunded):
        sync_commission(order)
    _queue_changed(order, change)
    by = Actor.hub(actor, order)
    record_event(
        order,
        EventKind.lines_changed,
        by,
        total_before_cents=total_before,
        total_after_cents=order.total_cents,
        detail={"lines": [n.as_detail() for n in notes]},
    )
    db.session.commit()
    order_lines_changed.send(order, by=by, total_before_cents=total_before)
    log.info("order %s lines changed by user %s", order.id, actor.id if actor else None)
    if to_refund > 0:
        try:
            refund = payment_services.refund_payment(
                order,
                to_refund,
                reason=payment_services.ADJUSTMENT_REASON,
                kind=RefundKind.line_edit,
                by=by,
            )
        except DomainError:
            log.exception("order %s: refund after a line edit failed", order.id)
            change.refund_failed = True
        else:
            # pending: Stripe not reached, retried by `flask payments retry-refunds`
            change.refund_pending = refund.state is RefundState.pending
            change.refund_failed = refund.state is RefundState.failed
    return change


def _queue_changed(order: Order, change: OrderChange) -> None:
    if not order.customer_email:
        return
    queue_email(
        to=order.customer_email,
        template="operations/backoffice/emails/order_changed",
        locale=order_services.order_locale(order),
        kind="order_changed",
        order=order,
        change=change,
        link=order_services.order_link(order),
    )


# --------------------------------------------------------------------------- cancel, refund, pay


def cancel_by_hub(order: Order, *, restock: bool, actor: User | None, reason: str = "") -> Order:
    """The hub cancels an order, putting the stock back or not (already packed, spoilt...).

    The one cancel path, ``orders.services.cancel_order``, does the work (slot and place freed,
    the citizen's "order cancelled" e-mail, an event; after the commit, payments refunds the
    card or records what was paid at pickup as given back: the hub gives it back).
    Raises OrderNotCancellable for a collected order.
    """
    return order_services.cancel_order(
        order, by=Actor.hub(actor, order), restock=restock, reason=reason
    )


def refund_order(order: Order, amount_cents: int, *, actor: User | None, reason: str) -> Refund:
    """Refund part or all of what was paid (a goodwill refund: missing or damaged goods).

    Not above what is left of the payment (RefundTooLarge), nothing when nothing was paid
    (NothingToRefund). Checked here for a clear message, then again by
    ``payments.services.refund_payment`` under the order's and payment's row locks (so
    concurrent refunds never exceed the payment: the later ones get RefundTooLarge). The card is
    refunded through Stripe (pending and retried when Stripe cannot be reached); a payment at
    pickup is recorded as given back. Commission synced by the refund.
    """
    left = payment_services.refundable_cents(order)
    if left <= 0 or order.payment_status not in (
        PaymentStatus.paid,
        PaymentStatus.partially_refunded,
    ):
        raise NothingToRefund()
    if amount_cents > left:
        raise RefundTooLarge()
    try:
        refund = payment_services.refund_payment(
            order,
            amount_cents,
            reason=reason or "refund",
            kind=RefundKind.goodwill,
            by=Actor.hub(actor, order),
        )
    except RefundNotPossible as exc:  # another refund took what was left meanwhile
        raise RefundTooLarge() from exc
    log.info("order %s refunded %s by user %s", order.id, amount_cents, actor.id if actor else None)
    return refund


def manual_means(hub: Enterprise) -> list[str]:
    """The means a payment at pickup may be recorded with: those the hub accepts (its settings),
    or all of them when it chose none (a card order paid on site, by a hub that takes no
    payment at pickup)."""
    return hub.manual_means or list(payment_services.MANUAL_METHODS)


def mark_paid(order: Order, *, method: str, actor: User | None) -> Payment:
    """Record a payment at pickup (cash, cheque, card terminal, transfer): the whole order when
    unpaid, or the balance left by a line edit. A card order never paid online can be paid on
    site: its PaymentIntent is cancelled first (PaymentInProgress if Stripe already took it).
    Raises OrderCancelled, AlreadyPaid, PaymentInProgress, MeansNotAccepted (a means the hub does
    not accept: ``manual_means``)."""
    if order.status is OrderStatus.cancelled:
        raise OrderCancelled()
    if method not in manual_means(order.hub):
        raise MeansNotAccepted()
    if order.payment_status in (PaymentStatus.unpaid, PaymentStatus.pending):
        if order.payment_method is PaymentMethod.card:
            # the citizen pays on site instead: the PaymentIntent must not be paid as well
            payment_services.cancel_open_intents(order)
            intent = payment_services.card_payment_of(order)
            if (
                intent is not None
                and intent.stripe_payment_intent_id
                and intent.state.value not in ("cancelled", "failed")
            ):
                raise PaymentInProgress()
        return payment_services.record_manual_payment(order, method=method, actor=actor)
    if order.payment_status is PaymentStatus.refunded or balance_due_cents(order) <= 0:
        raise AlreadyPaid()
    return payment_services.record_balance_payment(order, method=method, actor=actor)


#: the staff note's longest length (a text column; a guard against pasted documents)
MAX_NOTE = 5000


def save_staff_note(order: Order, note: str, *, actor: User | None) -> Order:
    """Replace the order's staff note (never shown to the citizen); commit once."""
    order = _locked(order)
    new = note.strip()[:MAX_NOTE]
    if new != order.staff_note:
        order.staff_note = new
        record_event(order, EventKind.note, Actor.hub(actor, order), reason=new)
    db.session.commit()
    return order
