"""A registry of PaymentIntent handlers by ``metadata["kind"]``.

The webhook dispatches PaymentIntent events whose metadata kind is "order" itself; other domains
(the coop's free contributions) register theirs without payments importing them::

    from payments import events
    events.register("contribution", handle_contribution_intent)

A handler is called as ``handler(event_type, payment_intent)`` where ``event_type`` is the Stripe
event type ("payment_intent.succeeded", "payment_intent.payment_failed", ...) and
``payment_intent`` the event's object (a dict). It runs inside the webhook's transaction, after
the event was recorded once: it may lock rows and flush, must not commit (the webhook commits),
and must be idempotent per PaymentIntent (a new event for the same intent can arrive).
It may return a callable to run after the commit (a side effect), or None.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Handler = Callable[[str, dict[str, Any]], Callable[[], None] | None]

_handlers: dict[str, Handler] = {}


def register(kind: str, handler: Handler) -> None:
    _handlers[kind] = handler


def handler_for(kind: str) -> Handler | None:
    return _handlers.get(kind)


def registered_kinds() -> list[str]:
    return sorted(_handlers)
