"""The access matrix's vocabulary: roles, expected statuses, rows and shared set-ups.

Roles: ``anonymous``, ``citizen`` (a confirmed account managing nothing), ``manager_of_a`` (owner of
enterprise A, a producer and hub), ``manager_of_b`` (owner of B), ``admin`` (platform admin).
Routes on enterprise A must give 403 to ``manager_of_b``.

To add a route: append a ``Case`` to ``CASES`` of your area's module in
``tests/access_cases/``. ``params`` builds the URL values from the
``World`` (``w.a``, ``w.b``, the users); ``setup`` may create more objects and return extra
values; ``data`` is the form posted (CSRF is off in tests). Use the shorthands below for the
usual expectations, or write the five statuses out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core.db import db
from tests.factories_accounts import World

ROLES = ("anonymous", "citizen", "manager_of_a", "manager_of_b", "admin")


def statuses(anonymous: int, citizen: int, a: int, b: int, admin: int) -> dict[str, int]:
    return dict(zip(ROLES, (anonymous, citizen, a, b, admin), strict=True))


#: public pages
PUBLIC = statuses(200, 200, 200, 200, 200)
#: any logged-in person (anonymous visitors are sent to the login page)
LOGGED_IN = statuses(302, 200, 200, 200, 200)
#: managers of enterprise A and platform admins
MANAGERS_OF_A = statuses(302, 403, 200, 403, 200)
#: platform admins only
ADMINS = statuses(302, 403, 403, 403, 200)
#: pages for visitors who are not logged in (logged-in people are redirected)
ANONYMOUS_ONLY = statuses(200, 302, 302, 302, 302)


@dataclass(frozen=True)
class Case:
    endpoint: str
    expected: dict[str, int]
    method: str = "GET"
    params: Callable[[World], dict[str, Any]] = field(default=lambda w: {})
    data: Callable[[World], dict[str, Any]] | None = None

    @property
    def id(self) -> str:
        return f"{self.method} {self.endpoint}"


def citizens_order(w: World) -> dict[str, int]:
    """An open cycle of hub A with one offer, and the citizen's order in it (made once)."""
    from sqlalchemy import select

    from core.timeutils import utcnow
    from orders import services as order_services
    from orders.models import Order, PaymentMethod
    from tests.factories_orders import make_shop

    order = db.session.scalar(select(Order).where(Order.idempotency_key == "matrix-order"))
    if order is None:
        shop = make_shop(offers=1, producers=1)
        shop.cycle.hub = w.a
        shop.window.distribution_point.hub = w.a
        db.session.flush()
        order = order_services.place_order(
            cycle=shop.cycle,
            customer=w.citizen,
            items=[(shop.offers[0].id, 1)],
            pickup_window_id=shop.window.id,
            pickup_slot_id=shop.slot.id,
            payment_method=PaymentMethod.at_pickup,
            idempotency_key="matrix-order",
            terms_accepted=True,
            now=utcnow(),
        )
    offer_id = order.lines[0].offer_id
    return {"cycle_id": order.cycle_id, "order_id": order.id, "offer_id": offer_id}


def cycle_of_citizens_order(w: World) -> dict[str, int]:
    return {"cycle_id": citizens_order(w)["cycle_id"]}


def citizens_order_id(w: World) -> dict[str, int]:
    return {"order_id": citizens_order(w)["order_id"]}
