"""The order rules' refusals: stable codes, messages a citizen can act on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from core.errors import DomainError

# the cycle's refusals are the cycles domain's (one rule, one message), re-exported here
from cycles.errors import CycleClosed, CycleNotOpenYet  # noqa: F401


@dataclass(frozen=True)
class Shortage:
    """One item that cannot be supplied in the quantity asked."""

    offer_id: int
    name: str
    requested: int
    available: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "offer_id": self.offer_id,
            "name": self.name,
            "requested": self.requested,
            "available": self.available,
        }


class InsufficientStock(DomainError):
    code = "insufficient_stock"
    status = 409

    def __init__(self, shortages: list[Shortage]) -> None:
        self.shortages = shortages
        parts = []
        for s in shortages:
            if s.available <= 0:
                parts.append(str(_l("%(name)s is sold out", name=s.name)))
            else:
                parts.append(
                    ngettext(
                        "%(name)s: only %(num)d left",
                        "%(name)s: only %(num)d left",
                        s.available,
                        name=s.name,
                    )
                )
        message = str(_l("Sorry, some items are no longer available as asked: ")) + "; ".join(parts)
        super().__init__(message, fields={"items": [s.to_dict() for s in shortages]})


class SlotFull(DomainError):
    code = "slot_full"
    message = _l("This pickup slot has just been filled. Please choose another one.")


class CycleFull(DomainError):
    code = "cycle_full"
    message = _l("This order cycle has reached its maximum number of orders.")


class InvalidCheckout(DomainError):
    code = "invalid_checkout"
    status = 422
    message = _l("Some checkout details are missing or invalid.")


class TermsNotAccepted(DomainError):
    code = "terms_not_accepted"
    status = 422
    message = _l("Please accept the terms of sale to place your order.")


class PaymentMethodNotAllowed(DomainError):
    code = "payment_method_not_allowed"
    status = 422
    message = _l("This hub does not accept this payment method.")


class EmptyCart(DomainError):
    code = "empty_cart"
    status = 422
    message = _l("Your cart is empty.")


class IdempotencyConflict(DomainError):
    code = "idempotency_conflict"
    message = _l("This checkout token was already used for another order.")


class OfferUnavailable(DomainError):
    code = "offer_unavailable"
    status = 404
    message = _l("This product is not offered in this order cycle.")


class PickupNotOffered(DomainError):
    code = "pickup_not_offered"
    status = 422
    message = _l("Choose one of the pickup times of this cycle.")


class OrderNotEditable(DomainError):
    code = "order_not_editable"
    message = _l("This order can no longer be changed.")


class OrderNotCancellable(DomainError):
    code = "order_not_cancellable"
    message = _l("This order can no longer be cancelled.")


class BelowMinimumOrder(DomainError):
    """The order's total is below the hub's minimum (set on its settings page)."""

    code = "below_minimum_order"
    status = 422

    def __init__(self, minimum_cents: int) -> None:
        from core.money import cents_to_decimal

        amount = f"{cents_to_decimal(minimum_cents)}".replace(".", ",")
        super().__init__(
            str(
                _l(
                    "This hub takes orders of at least %(amount)s €: add a few items.",
                    amount=amount,
                )
            ),
            fields={"minimum_cents": minimum_cents},
        )


class UnusualQuantity(DomainError):
    """A quantity far above what people order of an item (``orders.usual``): the citizen
    confirms it (``confirm``) or corrects it; nothing was changed."""

    code = "unusual_quantity"
    status = 409

    def __init__(self, *, offer_id: int, name: str, quantity: int) -> None:
        self.offer_id = offer_id
        self.quantity = quantity
        message = str(
            _l(
                "%(num)d × %(name)s: that is far more than usual. Is this the quantity you want?",
                num=quantity,
                name=name,
            )
        )
        super().__init__(
            message, fields={"quantity": message, "offer_id": offer_id, "requested": quantity}
        )
