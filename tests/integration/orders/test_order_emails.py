"""Order e-mails are written in the citizen's language (French first)."""

from __future__ import annotations

from sqlalchemy import select

from core.timeutils import utcnow
from notifications.models import OutboundEmail
from orders import services
from orders.models import PaymentMethod
from tests.factories import UserFactory
from tests.factories_orders import make_shop


def _place(shop, customer, **kwargs):
    params = dict(
        cycle=shop.cycle,
        customer=customer,
        items=[(shop.offers[0].id, 2)],
        pickup_window_id=shop.window.id,
        pickup_slot_id=shop.slot.id,
        payment_method=PaymentMethod.at_pickup,
        idempotency_key=None,
        terms_accepted=True,
        now=utcnow(),
    )
    params.update(kwargs)
    return services.place_order(**params)


def _mail(db_session, kind: str, order) -> OutboundEmail:
    return db_session.scalar(
        select(OutboundEmail).where(
            OutboundEmail.kind == kind, OutboundEmail.dedupe_key == f"{kind}:{order.id}"
        )
    )


def test_confirmation_email_is_french_for_a_french_citizen(db_session):
    shop = make_shop(offers=1, hub_kwargs={"name": "La Grange"})
    order = _place(shop, UserFactory(locale="fr", full_name="Camille Martin"))
    mail = _mail(db_session, "order_confirmation", order)
    assert mail.subject == f"Votre commande {order.number} chez La Grange"
    body = mail.body_text
    assert body.startswith("Bonjour Camille Martin,")
    assert "Voici ce que vous avez commandé :" in body
    assert "à payer au retrait (espèces, chèque ou carte sur place)" in body
    assert f"Numéro de commande : {order.number}" in body
    assert "À bientôt," in body
    assert "Thank you" not in body
    assert "9,90" in body  # 2 × 4,95 € in the French number format


def test_confirmation_email_is_english_for_an_english_citizen(db_session):
    shop = make_shop(offers=1, hub_kwargs={"name": "La Grange"})
    order = _place(shop, UserFactory(locale="en", full_name="Sam Smith"))
    mail = _mail(db_session, "order_confirmation", order)
    assert mail.subject == f"Your order {order.number} at La Grange"
    assert mail.body_text.startswith("Hello Sam Smith,")
    assert "to pay at pickup" in mail.body_text


def test_guest_confirmation_is_french_by_default(db_session):
    shop = make_shop(offers=1)
    order = _place(
        shop, None, guest_email="invite@example.org", guest_name="Invité", guest_phone=""
    )
    mail = _mail(db_session, "order_confirmation", order)
    assert mail.subject.startswith("Votre commande ")
    assert "Bonjour Invité," in mail.body_text
    assert "?t=" in mail.body_text  # the signed link lets the guest open the order


def test_cancellation_email_gives_the_reason_in_french(db_session):
    shop = make_shop(offers=1)
    order = _place(shop, UserFactory(locale="fr"))
    services.cancel_order(order, actor=None, reason="cancelled by the customer")
    mail = _mail(db_session, "order_cancelled", order)
    assert mail.subject == f"Votre commande {order.number} a été annulée"
    assert "Vous avez annulé cette commande." in mail.body_text
    assert "cancelled by the customer" not in mail.body_text


def test_cancelling_an_order_paid_at_pickup_does_not_promise_a_card_refund(db_session):
    from payments.services import record_manual_payment

    shop = make_shop(offers=1, hub_kwargs={"name": "La Grange"})
    order = _place(shop, UserFactory(locale="fr"))
    record_manual_payment(order, method="cash", actor=None)
    services.cancel_order(order, actor=None, reason="")
    body = _mail(db_session, "order_cancelled", order).body_text
    assert "carte" not in body
    assert "Vous avez payé cette commande à La Grange au retrait" in body
