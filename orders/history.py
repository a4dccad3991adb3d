"""An order's history: every change writes one ``OrderEvent``; both order pages read them.

``record_event`` is the one way to write an event: the change calls it inside its own
transaction (the caller commits), so an event exists exactly when its change does.
``timeline`` tells the events in plain words, for the hub's order page (who, with the staff's
notes) or for the citizen's ("Modifiée par La Grange : miel : retiré, poids 1,2 kg → 1,35 kg").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from accounts.models import User
from core.db import db
from core.i18n import cents, localdate, localtime, number
from orders.models import ActorKind, EventKind, Order, OrderEvent


@dataclass(frozen=True)
class Actor:
    """Who changes an order: a kind, the person when there is one, the name shown."""

    kind: ActorKind
    user: User | None = None
    name: str = ""

    @classmethod
    def citizen(cls, user: User | None, order: Order | None = None) -> Actor:
        name = user.full_name if user is not None else (order.customer_name if order else "")
        return cls(ActorKind.citizen, user, name or "")

    @classmethod
    def hub(cls, user: User | None, order: Order) -> Actor:
        """A hub member acting for the hub: the citizen reads the hub's name."""
        return cls(ActorKind.hub, user, order.hub.name)

    @classmethod
    def system(cls) -> Actor:
        return cls(ActorKind.system)

    @classmethod
    def stripe(cls) -> Actor:
        return cls(ActorKind.stripe, None, "Stripe")


def record_event(
    order: Order,
    kind: EventKind,
    by: Actor,
    *,
    amount_cents: int | None = None,
    total_before_cents: int | None = None,
    total_after_cents: int | None = None,
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> OrderEvent:
    """Write one event of ``order`` in the caller's transaction (added to the session, written
    with the change's next flush; the caller commits). Events are read in id order."""
    event = OrderEvent(
        order_id=order.id,
        kind=kind,
        actor_kind=by.kind,
        actor_id=by.user.id if by.user is not None else None,
        actor_name=(by.name or "")[:150],
        amount_cents=amount_cents,
        total_before_cents=total_before_cents,
        total_after_cents=total_after_cents,
        reason=(reason or "")[:2000],
        detail=detail or {},
    )
    db.session.add(event)
    return event


def events_of(order: Order) -> list[OrderEvent]:
    return list(
        db.session.scalars(
            select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.id)
        )
    )


#: kinds the citizen does not see (the staff's notes are the hub's)
HUB_ONLY = frozenset({EventKind.note})


@dataclass(frozen=True)
class TimelineEntry:
    event: OrderEvent
    text: str
    #: the hub's page only: the person who acted ("Marie Martin"), when there is one
    who: str = ""


def timeline(order: Order, *, for_hub: bool) -> list[TimelineEntry]:
    """The order's events in plain words, oldest first, for the hub or for the citizen."""
    entries = []
    for event in events_of(order):
        if event.kind in HUB_ONLY and not for_hub:
            continue
        who = ""
        if for_hub and event.actor is not None and event.actor_kind is not ActorKind.citizen:
            who = event.actor.full_name or event.actor.email
        entries.append(TimelineEntry(event, describe(event, for_hub=for_hub), who))
    return entries


def _kg(grams: int | None) -> str:
    return number((grams or 0) / 1000, 3) + " kg"


def describe_line(change: dict[str, Any]) -> str:
    """One line change in words: "miel : retiré", "pain : 2 → 3", "pommes : poids 1,2 kg → …"."""
    name = str(change.get("name", ""))
    before = int(change.get("quantity_before") or 0)
    after = int(change.get("quantity_after") or 0)
    if after == 0:
        return _("%(name)s: removed", name=name)
    if before == 0:
        return _("%(name)s: added (%(num)d)", name=name, num=after)
    parts = []
    if before != after:
        parts.append(_("quantity %(before)s → %(after)s", before=before, after=after))
    w_before, w_after = change.get("weight_before_g"), change.get("weight_after_g")
    if w_after is not None and w_before != w_after:
        parts.append(_("weight %(before)s → %(after)s", before=_kg(w_before), after=_kg(w_after)))
    return _("%(name)s: %(changes)s", name=name, changes=", ".join(parts))


def _pickup(where: dict[str, Any]) -> str:
    """A pickup option as an event stored it: "Halle, 12 déc. 2026 17:00–17:30"."""
    try:
        starts = datetime.fromisoformat(str(where["starts_at"]))
        ends = datetime.fromisoformat(str(where["ends_at"]))
    except (KeyError, ValueError):
        return str(where.get("place", ""))
    return f"{where.get('place', '')}, {localdate(starts)} {localtime(starts)}–{localtime(ends)}"


def _by(event: OrderEvent, *, for_hub: bool) -> str:
    """The actor as the reader names it ("you" for the citizen's own changes)."""
    if event.actor_kind is ActorKind.citizen:
        if for_hub:
            return event.actor_name or _("the customer")
        return _("you")
    if event.actor_kind in (ActorKind.hub, ActorKind.producer):
        return event.actor_name or _("the hub")
    if event.actor_kind is ActorKind.stripe:
        return "Stripe"
    return _("the platform")


def describe(event: OrderEvent, *, for_hub: bool) -> str:
    """The event in one sentence of the current locale."""
    kind, by = event.kind, _by(event, for_hub=for_hub)
    amount = cents(event.amount_cents) if event.amount_cents is not None else ""
    detail = event.detail or {}
    if kind is EventKind.placed:
        text = _("Placed by %(who)s", who=by)
    elif kind is EventKind.paid:
        text = _("Paid by card: %(amount)s", amount=amount)
    elif kind is EventKind.payment_failed:
        text = _("The card payment failed")
    elif kind is EventKind.marked_paid:
        text = _("Paid at pickup: %(amount)s (recorded by %(who)s)", amount=amount, who=by)
    elif kind is EventKind.balance_paid:
        text = _("Balance paid at pickup: %(amount)s (recorded by %(who)s)", amount=amount, who=by)
    elif kind is EventKind.cancelled:
        text = _("Cancelled by %(who)s", who=by)
    elif kind is EventKind.hold_released:
        text = _("Cancelled: the payment was not completed in time")
    elif kind is EventKind.refunded:
        text = _("Refund: %(amount)s", amount=amount)
    elif kind is EventKind.lines_changed:
        lines = [describe_line(c) for c in detail.get("lines", [])]
        text = _("Changed by %(who)s", who=by)
        if lines:
            text = _("%(what)s: %(changes)s", what=text, changes=", ".join(lines))
    elif kind is EventKind.pickup_changed:
        text = _(
            "Pickup changed by %(who)s: %(before)s → %(after)s",
            who=by,
            before=_pickup(detail.get("before") or {}),
            after=_pickup(detail.get("after") or {}),
        )
    elif kind is EventKind.collected:
        text = _("Collected")
    elif kind is EventKind.uncollected:
        text = _("Hand-over undone by %(who)s", who=by)
    elif kind is EventKind.note:
        text = _("Staff note changed")
    else:  # pragma: no cover - every kind is described above
        text = str(kind)
    if (
        event.total_before_cents is not None
        and event.total_after_cents is not None
        and event.total_before_cents != event.total_after_cents
    ):
        text += " " + _(
            "(total %(before)s → %(after)s)",
            before=cents(event.total_before_cents),
            after=cents(event.total_after_cents),
        )
    reason = _reason(event.reason)
    if reason and (for_hub or kind is not EventKind.note):
        text += " — " + reason
    return text


#: the reasons the code itself gives (stored in English), told in the reader's words; "" says
#: nothing more than the event's kind already does. Any other reason is a person's own words.
_CODE_REASONS = {
    "order changed by the hub": _l("the difference after a change of the order"),
    "paid after cancellation": _l("paid after the order was cancelled"),
    "order cancelled": _l("the order was cancelled"),
    "refund": "",
    "cancelled by the customer": "",
    "hold expired": "",
    "all items removed by the customer": _l("every item was removed"),
}


def _reason(reason: str) -> str:
    if reason in _CODE_REASONS:
        return str(_CODE_REASONS[reason])
    return reason
