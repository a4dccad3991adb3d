"""The back office's refusals: stable codes, messages a hub manager can act on."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.errors import DomainError


class OrderNotCollectable(DomainError):
    code = "order_not_collectable"
    message = _l(
        "Only a confirmed order can be handed over (not a cancelled or unpaid card order)."
    )


class OrderLocked(DomainError):
    """A collected or cancelled order's lines can no longer be changed."""

    code = "order_locked"
    message = _l("A collected or cancelled order can no longer be changed.")


class NothingToRefund(DomainError):
    code = "nothing_to_refund"
    message = _l("Nothing was paid on this order, so nothing can be refunded.")


class RefundTooLarge(DomainError):
    code = "refund_too_large"
    status = 422
    message = _l("The refund is larger than what is left of the payment.")


class AlreadyPaid(DomainError):
    code = "already_paid"
    message = _l("This order is already paid.")


class OrderCancelled(DomainError):
    code = "order_cancelled"
    message = _l("This order is cancelled.")


class PaymentInProgress(DomainError):
    code = "payment_in_progress"
    message = _l("A card payment of this order is in progress: wait for it, or cancel the order.")


class EmptyOrder(DomainError):
    code = "empty_order"
    status = 422
    message = _l("An order needs at least one line: cancel the order instead.")


class NotSoldByWeight(DomainError):
    code = "not_sold_by_weight"
    status = 422
    message = _l("Only a product sold by weight has a final weight.")


class MeansNotAccepted(DomainError):
    code = "means_not_accepted"
    message = _l("The hub does not accept this means of payment at pickup (see its settings).")
