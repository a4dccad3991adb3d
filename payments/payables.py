"""One card-payment integration for anything payable (an order, a contribution, tomorrow a
credit top-up or a subscription).

Payments owns the Stripe side once: creating a PaymentIntent from a :class:`Charge` (amount,
currency, description, metadata, the connected account if any, the application fee, the
idempotency key), reading, confirming and cancelling it, and dispatching the webhook's
PaymentIntent events. What is paid is not payments' business: each kind of payable registers a
:class:`Payable` under its metadata ``kind`` (``register(ORDER)`` in ``payments.services``,
``register(CONTRIBUTION)`` in ``coop.contributions``: coop is above payments, so payments never
imports it). The webhook then calls, for an intent whose ``metadata["kind"]`` names the payable:

- ``lock(intent)``: find (and lock) what this intent pays, or None (logged, nothing done);
- ``expected(record)``: the amount and currency it must be paid; a succeeded intent with another
  amount or currency is refused here, once for every payable (``mismatch`` records why);
- ``succeeded`` (idempotent per intent: a second event changes nothing), ``failed``,
  ``canceled``, ``progressed`` (processing, requires_action).

The handlers run inside the webhook's transaction, after the event was recorded once
(``payments.services.handle_stripe_event``): they may lock rows and flush, never commit, and may
return a callable to run after the commit (a side effect such as a signal), or None.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import stripe

from payments import stripe_api
from payments.errors import CardDeclined, ServiceUnreachable

log = logging.getLogger(__name__)

#: a side effect to run after the webhook's commit
AfterCommit = Callable[[], None]

#: PaymentIntent states in which the card form can (still) be used
RESUMABLE = ("requires_payment_method", "requires_confirmation", "requires_action")
#: PaymentIntent states in which the money is on its way: the webhook will tell
UNDER_WAY = ("processing", "succeeded", "requires_capture")


def stripe_message(exc: stripe.StripeError) -> str:
    """What Stripe says about a refusal, for the user and the ``last_error`` columns."""
    return (getattr(exc, "user_message", None) or str(exc) or exc.__class__.__name__)[:500]


# --------------------------------------------------------------------------- the Stripe side


@dataclass(frozen=True)
class Charge:
    """What one PaymentIntent asks for, built by the payable (always card, automatic 3-D Secure)."""

    #: the payable's kind, sent as ``metadata["kind"]`` (the webhook dispatches on it)
    kind: str
    amount_cents: int
    currency: str
    description: str
    idempotency_key: str
    metadata: Mapping[str, str] = field(default_factory=dict)
    #: the connected account the intent is made on ("" = the platform's own account)
    stripe_account: str = ""
    #: the platform's fee on a connected account (Stripe Connect), in cents
    application_fee_cents: int = 0

    def params(self) -> dict[str, Any]:
        params: dict[str, Any] = {
            "amount": self.amount_cents,
            "currency": self.currency.lower(),
            "payment_method_types": ["card"],
            "payment_method_options": {"card": {"request_three_d_secure": "automatic"}},
            # Stripe's ``description`` field is not known to localstripe (the tests' Stripe): the
            # description travels in the metadata, shown on the Stripe dashboard all the same
            "metadata": {"kind": self.kind, "description": self.description[:500], **self.metadata},
        }
        if self.stripe_account:
            params["application_fee_amount"] = self.application_fee_cents
        return params


@dataclass(frozen=True)
class Intent:
    """A PaymentIntent as Stripe answered it."""

    id: str
    status: str
    client_secret: str

    @classmethod
    def of(cls, intent: stripe.PaymentIntent) -> Intent:
        return cls(intent.id, intent.status, intent.client_secret or "")


def request_options(
    stripe_account: str = "", idempotency_key: str | None = None
) -> stripe.RequestOptions:
    """Stripe request options: the connected account, an idempotency key."""
    options: stripe.RequestOptions = {}
    if stripe_account:
        options["stripe_account"] = stripe_account
    if idempotency_key:
        options["idempotency_key"] = idempotency_key
    return options


def create_intent(charge: Charge) -> Intent:
    """Create the PaymentIntent of a charge (call it with no transaction or lock open).

    Raises ServiceUnreachable (``.detail``: Stripe's message) when Stripe refuses or cannot be
    reached; the same idempotency key then finds the same intent on a retry."""
    try:
        intent = stripe_api.client().v1.payment_intents.create(
            params=charge.params(),  # type: ignore[arg-type]
            options=request_options(charge.stripe_account, charge.idempotency_key),
        )
    except stripe.StripeError as exc:
        log.warning("PaymentIntent %s not created: %s", charge.idempotency_key, exc)
        raise ServiceUnreachable(detail=stripe_message(exc)) from exc
    return Intent.of(intent)


def retrieve_intent(intent_id: str, *, stripe_account: str = "") -> stripe.PaymentIntent:
    """The PaymentIntent as Stripe sees it. Raises ServiceUnreachable."""
    try:
        return stripe_api.client().v1.payment_intents.retrieve(
            intent_id, options=request_options(stripe_account)
        )
    except stripe.StripeError as exc:
        raise ServiceUnreachable(detail=stripe_message(exc)) from exc


def confirm_intent(
    intent_id: str, payment_method_id: str, *, key: str, stripe_account: str = ""
) -> Intent:
    """Attach the card Stripe.js made (a PaymentMethod) and confirm the intent.

    "requires_action" means the browser must run 3-D Secure; "succeeded"/"processing" mean the
    webhook will tell. Raises CardDeclined (Stripe's message; ``card_error`` when the card
    itself was refused), ServiceUnreachable."""
    api = stripe_api.client().v1.payment_intents
    try:
        api.update(
            intent_id,
            params={"payment_method": payment_method_id},
            options=request_options(stripe_account),
        )
        intent = api.confirm(
            intent_id,
            options=request_options(stripe_account, f"{key}-confirm-{payment_method_id}"),
        )
    except stripe.CardError as exc:
        raise CardDeclined(stripe_message(exc), card_error=True) from exc
    except stripe.InvalidRequestError as exc:
        raise CardDeclined(stripe_message(exc)) from exc
    except stripe.StripeError as exc:
        raise ServiceUnreachable(detail=stripe_message(exc)) from exc
    return Intent.of(intent)


def cancel_intent(intent_id: str, *, key: str | None = None, stripe_account: str = "") -> None:
    """Cancel a PaymentIntent so that it can no longer be paid. Raises ServiceUnreachable
    (already succeeded, or Stripe unreachable: ``.detail`` says which)."""
    try:
        stripe_api.client().v1.payment_intents.cancel(
            intent_id, options=request_options(stripe_account, key)
        )
    except stripe.StripeError as exc:
        raise ServiceUnreachable(detail=stripe_message(exc)) from exc


# --------------------------------------------------------------------------- payables

R = TypeVar("R")


class Payable(Protocol[R]):
    """A kind of thing paid by card, registered once under its metadata kind.

    ``R`` is what one of its intents pays (an order's Payment, a ContributionPayment...)."""

    kind: str

    def lock(self, intent: Mapping[str, Any]) -> R | None:
        """Find and lock what this intent pays (None: logged and ignored)."""
        ...

    def expected(self, record: R) -> tuple[int, str]:
        """The amount in cents and the currency the intent must have been paid."""
        ...

    def mismatch(self, record: R, message: str) -> None:
        """A succeeded intent with another amount or currency: nothing is marked paid."""
        ...

    def succeeded(self, record: R, intent: Mapping[str, Any]) -> AfterCommit | None:
        """Paid (idempotent: another event for the same intent changes nothing)."""
        ...

    def failed(self, record: R, message: str) -> None: ...

    def canceled(self, record: R) -> None: ...

    def progressed(self, record: R, status: str) -> None:
        """The intent is processing or waits for the card holder (3-D Secure)."""
        ...


_payables: dict[str, Payable[Any]] = {}


def register(payable: Payable[Any]) -> None:
    """Register a kind of payable (idempotent: registering it again replaces it)."""
    _payables[payable.kind] = payable


def payable_for(kind: str) -> Payable[Any] | None:
    return _payables.get(kind)


def registered_kinds() -> list[str]:
    return sorted(_payables)


def paid_amount(intent: Mapping[str, Any]) -> tuple[int, str]:
    return int(intent.get("amount_received") or intent.get("amount") or 0), str(
        intent.get("currency", "")
    ).upper()


def apply(
    payable: Payable[R], record: R, event_type: str, intent: Mapping[str, Any]
) -> AfterCommit | None:
    """Apply one PaymentIntent event to what it pays (already locked); flush only."""
    if event_type == "payment_intent.succeeded":
        amount, currency = paid_amount(intent)
        expected_amount, expected_currency = payable.expected(record)
        if amount != expected_amount or currency != expected_currency.upper():
            message = (
                f"amount mismatch: Stripe {amount} {currency}, expected "
                f"{expected_amount} {expected_currency.upper()}"
            )
            log.error("%s intent %s: %s", payable.kind, intent.get("id"), message)
            payable.mismatch(record, message[:500])
            return None
        return payable.succeeded(record, intent)
    if event_type == "payment_intent.payment_failed":
        error = intent.get("last_payment_error") or {}
        payable.failed(record, str(error.get("message") or "payment failed")[:500])
        return None
    if event_type == "payment_intent.canceled":
        payable.canceled(record)
        return None
    if event_type in ("payment_intent.processing", "payment_intent.requires_action"):
        payable.progressed(record, str(intent.get("status") or "processing"))
    return None


def on_payment_intent(event_type: str, intent: Mapping[str, Any]) -> AfterCommit | None:
    """The webhook's one path for PaymentIntent events: to the payable its metadata names
    (no kind: an order, as before kinds existed)."""
    kind = str((intent.get("metadata") or {}).get("kind") or "order")
    payable = payable_for(kind)
    if payable is None:
        log.warning("no payable of kind %r for PaymentIntent %s", kind, intent.get("id"))
        return None
    record = payable.lock(intent)
    if record is None:
        log.warning("%s PaymentIntent %s matches no payment", kind, intent.get("id"))
        return None
    return apply(payable, record, event_type, intent)
