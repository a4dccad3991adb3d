"""localstripe plus the part of Stripe Connect that Comptoir uses, for the tests.

Run as ``python -m tests.support.localstripe_ext --port P --from-scratch`` (what
``tests.support.stripe_server.LocalStripe`` does). localstripe has no Connect, so it refuses
``application_fee_amount`` and ignores the ``Stripe-Account`` header. This module adds, and only
adds:

- the ``Stripe-Account`` request header: a PaymentIntent created with it belongs to that
  connected account (a *direct charge*, as Comptoir makes on a hub's account); events about it
  carry ``"account": "acct_..."`` as Stripe's Connect webhooks do;
- ``application_fee_amount`` (and ``transfer_data``/``on_behalf_of``, stored as given) on
  PaymentIntents, validated like Stripe (a whole number of cents, not above the amount, only with a
  connected account) and copied to the PaymentIntent's charge.

It also makes the server test-friendly: it listens on 127.0.0.1 only (localstripe binds every
interface) and keeps nothing on disk (localstripe pickles its store after every POST).

Checkout Sessions are not added: Comptoir uses PaymentIntents (see docs/payments.md).
"""

from __future__ import annotations

import argparse
import contextvars
import logging
import socket

from aiohttp import web
from localstripe import resources, server
from localstripe.errors import UserError

_account: contextvars.ContextVar[str | None] = contextvars.ContextVar("account", default=None)


@web.middleware
async def connect_account_middleware(request: web.Request, handler):
    token = _account.set(request.headers.get("Stripe-Account") or None)
    try:
        return await handler(request)
    finally:
        _account.reset(token)


_original_init = resources.PaymentIntent.__init__
_original_create_charge = resources.PaymentIntent._create_charge
_original_event_init = resources.Event.__init__


def _payment_intent_init(
    self, *args, application_fee_amount=None, transfer_data=None, on_behalf_of=None, **kwargs
):
    account = _account.get()
    fee = None
    if application_fee_amount is not None:
        fee = resources.try_convert_to_int(application_fee_amount)
        if type(fee) is not int or fee < 0:
            raise UserError(400, "Invalid application_fee_amount: a whole number of cents")
        if account is None and not transfer_data:
            raise UserError(
                400,
                "application_fee_amount needs a connected account "
                "(Stripe-Account header or transfer_data[destination])",
            )
    _original_init(self, *args, **kwargs)
    if fee is not None and fee > self.amount:
        raise UserError(400, "application_fee_amount cannot exceed the amount")
    self.application_fee_amount = fee
    self.transfer_data = transfer_data
    self.on_behalf_of = on_behalf_of
    self._account = account


def _create_charge(self, on_failure_now):
    _original_create_charge(self, on_failure_now)
    if self.latest_charge is not None:
        self.latest_charge.application_fee_amount = self.application_fee_amount
        self.latest_charge._account = self._account


def _event_init(self, type, data):
    _original_event_init(self, type, data)
    account = getattr(data, "_account", None)
    if account:
        self.account = account


def install() -> None:
    resources.PaymentIntent.__init__ = _payment_intent_init
    resources.PaymentIntent._create_charge = _create_charge
    resources.Event.__init__ = _event_init
    resources.store.dump_to_disk = lambda: None  # persistence off
    server.app.middlewares.append(connect_account_middleware)


def start() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--from-scratch", action="store_true", help="always: nothing is stored")
    args = parser.parse_args()
    install()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    web.run_app(server.app, sock=sock, print=None)


if __name__ == "__main__":
    start()
