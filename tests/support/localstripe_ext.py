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

And the part of Connect onboarding Comptoir uses (docs/payments.md, "Connecting a hub"):

- ``POST /v1/accounts`` (a Standard account: ``details_submitted``, ``charges_enabled``,
  ``payouts_enabled`` all false) and ``GET /v1/accounts/{id}``;
- ``POST /v1/account_links`` (``account_onboarding``): its ``url`` is a page of this server,
  ``GET /_config/connect/onboarding/{link}``, standing for Stripe's onboarding form: opening it
  completes the account (the three flags become true), sends a signed ``account.updated`` event
  (with ``"account": "acct_..."``) to the configured webhooks, and redirects to the link's
  ``return_url``; with ``?expired=1`` it redirects to ``refresh_url`` and changes nothing.

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


class Account(resources.StripeObject):
    object = "account"
    _id_prefix = "acct_"

    def __init__(
        self,
        type="standard",
        country="FR",
        email=None,
        metadata=None,
        business_profile=None,
        **kwargs,
    ):
        if type not in ("standard", "express", "custom"):
            raise UserError(400, "Invalid type: standard, express or custom")
        super().__init__()
        self.type = type
        self.country = country
        self.email = email
        self.metadata = metadata or {}
        self.business_profile = business_profile or {}
        self.details_submitted = False
        self.charges_enabled = False
        self.payouts_enabled = False
        self._account = self.id

    def _complete(self) -> None:
        self.details_submitted = self.charges_enabled = self.payouts_enabled = True
        resources.schedule_webhook(resources.Event("account.updated", self))


class AccountLink(resources.StripeObject):
    object = "account_link"
    _id_prefix = "al_"

    def __init__(self, account=None, type=None, return_url=None, refresh_url=None, **kwargs):
        if type != "account_onboarding":
            raise UserError(400, "Invalid type: account_onboarding")
        if not (return_url and refresh_url):
            raise UserError(400, "return_url and refresh_url are required")
        if not account or resources.store.get("account:" + str(account)) is None:
            raise UserError(404, "No such account")
        super().__init__()
        self.account = account
        self.type = type
        self.return_url = return_url
        self.refresh_url = refresh_url
        self.url = f"{_base_url.get()}/_config/connect/onboarding/{self.id}"
        self.expires_at = self.created + 300


_base_url: contextvars.ContextVar[str] = contextvars.ContextVar("base", default="")


@web.middleware
async def base_url_middleware(request: web.Request, handler):
    token = _base_url.set(f"{request.scheme}://{request.host}")
    try:
        return await handler(request)
    finally:
        _base_url.reset(token)


async def onboarding_page(request: web.Request) -> web.Response:
    link = resources.store.get("account_link:" + request.match_info["link"])
    if link is None:
        raise web.HTTPNotFound(text="unknown account link")
    if request.query.get("expired"):
        raise web.HTTPFound(link.refresh_url)
    account = resources.store["account:" + link.account]
    account._complete()
    raise web.HTTPFound(link.return_url)


def install() -> None:
    resources.PaymentIntent.__init__ = _payment_intent_init
    resources.PaymentIntent._create_charge = _create_charge
    resources.Event.__init__ = _event_init
    resources.store.dump_to_disk = lambda: None  # persistence off
    server.app.middlewares.append(connect_account_middleware)
    server.app.middlewares.append(base_url_middleware)
    router = server.app.router
    router.add_post("/v1/accounts", server.api_create(Account, "/v1/accounts"))
    router.add_get("/v1/accounts/{id}", server.api_retrieve(Account, "/v1/accounts/{id}"))
    router.add_post("/v1/account_links", server.api_create(AccountLink, "/v1/account_links"))
    router.add_get("/_config/connect/onboarding/{link}", onboarding_page)


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
