"""Payment refusals and the "Stripe unreachable" state."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from core.errors import DomainError


class ServiceUnreachable(DomainError):
    """Stripe could not be reached (or refused the request): nothing was paid, retry later.

    ``detail`` is what Stripe said (for the ``last_error`` columns and the logs, not the user)."""

    code = "payment_pending"
    status = 503
    message = _l("The payment service cannot be reached right now. Please try again in a moment.")

    def __init__(self, message: Any = None, *, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail


class PaymentPending(ServiceUnreachable):
    """Stripe could not be reached: the order and its Payment row are kept, the citizen retries."""

    code = "payment_pending"
    status = 503
    message = _l(
        "The payment service cannot be reached right now. Your order is kept and "
        "your stock reserved: please try again in a moment."
    )


class PaymentMismatch(DomainError):
    code = "payment_mismatch"
    message = _l("The payment does not match the order.")


class PaymentNotPossible(DomainError):
    code = "payment_not_possible"
    message = _l("This order cannot be paid online.")


class CardDeclined(DomainError):
    """The card (``card_error``) or the request was refused; the message is Stripe's."""

    code = "card_declined"
    status = 402
    message = _l("Your card was declined.")

    def __init__(self, message: Any = None, *, card_error: bool = False) -> None:
        super().__init__(message)
        self.card_error = card_error


class RefundNotPossible(DomainError):
    code = "refund_not_possible"
    message = _l("Nothing can be refunded on this order.")


class StripeUnavailable(DomainError):
    """Stripe could not be reached while connecting a hub's account."""

    code = "stripe_unavailable"
    status = 503
    message = _l("Stripe cannot be reached right now: please try again in a moment.")


class StripeNotConfigured(DomainError):
    code = "stripe_not_configured"
    status = 409
    message = _l("Card payment is not set up on this platform.")
