"""A hub's sales terms (CGV): template, versions, who edits, and the version kept on each order."""

from __future__ import annotations

import re
import threading

from sqlalchemy import func, select

from core.db import db
from enterprises.models import Enterprise
from hubs.terms.models import SalesTerms
from hubs.terms.services import current_terms, ensure_current_terms
from notifications.models import OutboundEmail
from orders.models import Order
from tests.factories import HubFactory, MembershipFactory, UserFactory
from tests.factories_hubs import hub_with_manager
from tests.factories_orders import make_shop

HUB_DETAILS = {
    "name": "La Cagette du Port",
    "address": "3 quai des Chartrons",
    "postcode": "33000",
    "city": "Bordeaux",
    "contact_email": "bonjour@cagette.example",
    "siret": "12345678900011",
}


def _manager(hub):
    user = UserFactory()
    MembershipFactory(user=user, enterprise=hub)
    return user


def _versions(db_session, hub) -> int:
    return db_session.scalar(select(func.count(SalesTerms.id)).where(SalesTerms.hub_id == hub.id))


def test_template_is_filled_with_the_hubs_details_and_flags_what_is_missing(client, db_session):
    hub = HubFactory(**HUB_DETAILS)
    page = client.get(f"/hubs/{hub.id}/terms", headers={"Accept-Language": "fr"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "CONDITIONS GÉNÉRALES DE VENTE — La Cagette du Port" in text
    assert "3 quai des Chartrons, 33000 Bordeaux, SIRET 12345678900011" in text
    assert "bonjour@cagette.example" in text
    assert "L221-28" in text
    assert "médiateur de la consommation" in text
    # what the hub has not given is marked, never invented
    assert "[À COMPLÉTER : nom, adresse et site internet du médiateur" in text
    assert "Version 1 du" in text
    # a second visit does not make a second version
    client.get(f"/hubs/{hub.id}/terms")
    assert _versions(db_session, hub) == 1


def test_template_without_details_says_what_to_complete(client, db_session):
    hub = HubFactory(name="Sans adresse", address="", postcode="", city="", siret="")
    text = client.get(f"/hubs/{hub.id}/terms").get_data(as_text=True)
    assert "SIRET [À COMPLÉTER : numéro SIRET]" in text
    assert "[À COMPLÉTER : adresse]" in text


def test_a_change_of_the_hubs_details_makes_a_new_template_version(client, db_session):
    hub = HubFactory(**HUB_DETAILS)
    first = ensure_current_terms(hub)
    hub.city = "Bègles"
    db_session.commit()
    second = ensure_current_terms(hub)
    assert (first.version, second.version) == (1, 2)
    assert "Bègles" in second.body
    assert "Bègles" not in first.body


def test_english_page_says_the_terms_are_in_french(client, db_session):
    hub = HubFactory(**HUB_DETAILS)
    text = client.get(f"/hubs/{hub.id}/terms", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert "Sales terms of La Cagette du Port" in text
    assert "The sales terms are written in French" in text
    assert "Version 1 of" in text


def test_manager_saves_a_new_version_and_sees_the_history(client, login_as, db_session):
    hub = HubFactory(**HUB_DETAILS)
    login_as(_manager(hub))
    page = client.get(f"/hubs/{hub.id}/manage/terms", headers={"Accept-Language": "fr"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "CONDITIONS GÉNÉRALES DE VENTE" in text  # the form starts from the current text
    assert 'data-testid="terms-missing"' in text  # the mediator is still to complete
    response = client.post(
        f"/hubs/{hub.id}/manage/terms",
        data={"body": "Nos CGV.\r\nMédiateur : CM2C, 14 rue Saint-Jean, Paris.", "action": "save"},
    )
    assert response.status_code == 303
    current = ensure_current_terms(hub)
    assert current.version == 2
    assert current.body == "Nos CGV.\nMédiateur : CM2C, 14 rue Saint-Jean, Paris.\n"
    assert not current.from_template
    history = client.get(f"/hubs/{hub.id}/manage/terms").get_data(as_text=True)
    assert f"/hubs/{hub.id}/terms/v1" in history
    assert f"/hubs/{hub.id}/terms/v2" in history
    assert 'data-testid="terms-missing"' not in history
    # the hub's own text stays when its details change
    hub.city = "Bègles"
    db_session.commit()
    assert ensure_current_terms(hub).version == 2
    # the first version is still readable
    old = client.get(f"/hubs/{hub.id}/terms/v1").get_data(as_text=True)
    assert "CONDITIONS GÉNÉRALES DE VENTE" in old


def test_back_to_the_template_is_a_new_version(client, login_as, db_session):
    hub = HubFactory(**HUB_DETAILS)
    login_as(_manager(hub))
    client.post(f"/hubs/{hub.id}/manage/terms", data={"body": "Texte libre.", "action": "save"})
    response = client.post(
        f"/hubs/{hub.id}/manage/terms", data={"body": "ignored", "action": "template"}
    )
    assert response.status_code == 303
    current = ensure_current_terms(hub)
    # the hub's own text was version 1 (never any template before it), the template is version 2
    assert (current.version, current.from_template) == (2, True)
    assert "CONDITIONS GÉNÉRALES DE VENTE — La Cagette du Port" in current.body


def test_bad_input_is_refused_with_a_message_and_saves_nothing(client, login_as, db_session):
    hub = HubFactory(**HUB_DETAILS)
    login_as(_manager(hub))
    client.get(f"/hubs/{hub.id}/manage/terms")
    assert _versions(db_session, hub) == 1
    current = ensure_current_terms(hub)
    for body, message in (
        ("   ", "Ce champ est requis."),
        ("x" * 60_001, "Au plus"),
        (current.body, "identique à la version en vigueur"),
    ):
        response = client.post(
            f"/hubs/{hub.id}/manage/terms",
            data={"body": body, "action": "save"},
            headers={"Accept-Language": "fr"},
        )
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert _versions(db_session, hub) == 1


def test_only_the_hubs_managers_edit(client, login_as, db_session):
    hub = HubFactory(**HUB_DETAILS)
    other = HubFactory()
    assert client.get(f"/hubs/{hub.id}/manage/terms").status_code == 302  # to the login page
    login_as(_manager(other))
    assert client.get(f"/hubs/{hub.id}/manage/terms").status_code == 403
    response = client.post(
        f"/hubs/{hub.id}/manage/terms", data={"body": "Pirate.", "action": "save"}
    )
    assert response.status_code == 403
    assert _versions(db_session, hub) == 0


def test_unknown_version_and_inactive_hub_are_not_found(client, db_session):
    hub = HubFactory(**HUB_DETAILS)
    ensure_current_terms(hub)
    assert client.get(f"/hubs/{hub.id}/terms/v9").status_code == 404
    closed = HubFactory(is_active=False)
    assert client.get(f"/hubs/{closed.id}/terms").status_code == 404


# --------------------------------------------------------------------------- at checkout


def _review(client, shop):
    client.post(
        f"/cycles/{shop.cycle.id}/cart/items", data={"offer_id": shop.offers[0].id, "quantity": 1}
    )
    response = client.post(
        f"/cycles/{shop.cycle.id}/checkout",
        data={
            "pickup": f"{shop.window.id}:{shop.slot.id}",
            "payment_method": "at_pickup",
            "guest_name": "Alix",
            "guest_email": "alix@example.org",
        },
    )
    assert response.status_code == 302
    review = client.get(
        f"/cycles/{shop.cycle.id}/checkout/review", headers={"Accept-Language": "fr"}
    ).get_data(as_text=True)
    key = re.search(r'name="idempotency_key" type="hidden" value="([0-9a-f]+)"', review)
    terms_id = re.search(r'name="sales_terms_id" type="hidden" value="(\d+)"', review)
    assert key, review
    assert terms_id, review
    return review, key.group(1), int(terms_id.group(1))


def test_review_links_the_terms_and_the_order_keeps_the_accepted_version(
    client, login_as, db_session
):
    shop = make_shop(offers=1, hub_kwargs=HUB_DETAILS)
    hub = shop.cycle.hub
    review, key, terms_id = _review(client, shop)
    assert f'href="/hubs/{hub.id}/terms/v1"' in review
    assert "Lire les conditions de vente de La Cagette du Port (version 1)" in review
    # the hub saves a new version while the buyer reads the review page
    manager = _manager(hub)
    response = client.post(
        f"/cycles/{shop.cycle.id}/checkout/place",
        data={"idempotency_key": key, "accept_terms": "y", "sales_terms_id": terms_id},
    )
    assert response.status_code == 303
    order = db_session.scalar(select(Order))
    accepted = db_session.get(SalesTerms, terms_id)
    assert order.sales_terms_id == accepted.id
    assert accepted.version == 1
    # after the hub edits its terms the order still has the version its buyer accepted
    login_as(manager)
    client.post(f"/hubs/{hub.id}/manage/terms", data={"body": "Version 2.", "action": "save"})
    assert ensure_current_terms(hub).version == 2
    db_session.refresh(order)
    assert order.sales_terms.version == 1
    assert order.sales_terms.body.startswith("CONDITIONS GÉNÉRALES DE VENTE")
    # the confirmation e-mail links to that version
    mail = db_session.scalar(
        select(OutboundEmail).where(OutboundEmail.kind == "order_confirmation")
    )
    assert f"/hubs/{hub.id}/terms/v1" in mail.body_text
    link = re.search(r"(/hubs/\d+/terms/v1)", mail.body_text).group(1)
    assert client.get(link).status_code == 200


def test_the_shop_and_the_footer_link_the_hubs_terms(client, db_session):
    shop = make_shop(offers=1, hub_kwargs=HUB_DETAILS)
    page = client.get(f"/cycles/{shop.cycle.id}/shop").get_data(as_text=True)
    assert f'href="/hubs/{shop.cycle.hub.id}/terms" data-testid="shop-terms-link"' in page
    assert f'href="/hubs/{shop.cycle.hub.id}/terms" data-testid="footer-terms"' in page


def test_a_version_of_another_hub_is_refused_at_checkout(client, db_session):
    shop = make_shop(offers=1, hub_kwargs=HUB_DETAILS)
    other = ensure_current_terms(HubFactory())
    _review_page, key, _terms_id = _review(client, shop)
    for forged in (str(other.id), "abc"):
        response = client.post(
            f"/cycles/{shop.cycle.id}/checkout/place",
            data={"idempotency_key": key, "accept_terms": "y", "sales_terms_id": forged},
        )
        assert response.status_code == 303
        assert response.headers["Location"].endswith(f"/cycles/{shop.cycle.id}/checkout/review")
    assert db_session.scalar(select(func.count(Order.id))) == 0


def test_an_order_placed_without_a_version_gets_the_current_one(client, db_session):
    shop = make_shop(offers=1, hub_kwargs=HUB_DETAILS)
    _review_page, key, terms_id = _review(client, shop)
    response = client.post(
        f"/cycles/{shop.cycle.id}/checkout/place",
        data={"idempotency_key": key, "accept_terms": "y"},
    )
    assert response.status_code == 303
    assert db_session.scalar(select(Order)).sales_terms_id == terms_id


def test_simultaneous_first_checkouts_share_the_first_version(app, committed):
    """The first version is written lazily by whoever needs it first (a checkout through the
    API, a page): eight at once on PostgreSQL all get version 1, none fails."""
    hub, _ = hub_with_manager()
    db.session.commit()
    hub_id = hub.id
    start = threading.Barrier(8, timeout=30)
    got: list[int] = []
    failed: list[BaseException] = []

    def first_checkout() -> None:
        with app.app_context():
            try:
                mine = db.session.get(Enterprise, hub_id)
                start.wait()
                got.append(current_terms(mine).version)
                db.session.commit()
            except BaseException as exc:  # noqa: BLE001 - reported by the assertion
                failed.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=first_checkout) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failed == []
    assert got == [1] * 8
    count = select(func.count(SalesTerms.id)).where(SalesTerms.hub_id == hub_id)
    assert db.session.scalar(count) == 1


def test_the_filled_template_is_kept_by_exactly_the_details_it_reads(app, db_session):
    """``template_text`` is kept per app by the hub's details in ``_TEMPLATE_FIELDS``: a detail
    the template reads outside that list would leave an old text in force."""
    from flask import render_template

    from hubs.terms.services import _TEMPLATE_FIELDS

    class Reads:
        def __init__(self, hub: Enterprise) -> None:
            self.hub = hub
            self.names: set[str] = set()

        def __getattr__(self, name: str) -> object:
            if not name.startswith("__"):
                self.names.add(name)
            return getattr(self.hub, name)

    reads = Reads(HubFactory(**HUB_DETAILS))
    render_template("hubs/terms/cgv_template.fr.txt", hub=reads, platform_url="https://x.test")
    assert reads.names
    assert reads.names <= set(_TEMPLATE_FIELDS)


def test_an_order_accepts_the_version_in_force_with_the_clock_stopped(db_session):
    """Each order accepts the hub's version in force, even when the details change or a new
    text is saved at the very instant of the previous order (the version kept by the app is
    keyed by the hub's details and its ``updated_at``, which every new version moves)."""
    import time_machine
    from sqlalchemy import event

    from core.timeutils import utcnow
    from hubs.terms.services import save_terms
    from orders import services
    from orders.models import PaymentMethod

    shop = make_shop(offers=1, stock=10, hub_kwargs=HUB_DETAILS)
    hub = shop.cycle.hub
    terms_reads: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if "FROM sales_terms" in statement:
            terms_reads.append(statement)

    def place(key: str) -> Order:
        return services.place_order(
            cycle=shop.cycle,
            customer=UserFactory(),
            items=[(shop.offers[0].id, 1)],
            pickup_window_id=shop.window.id,
            pickup_slot_id=shop.slot.id,
            payment_method=PaymentMethod.at_pickup,
            idempotency_key=key,
            terms_accepted=True,
            now=utcnow(),
        )

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        with time_machine.travel(utcnow(), tick=False):
            first = place("terms-k1")
            hub.city = "Bègles"
            db_session.commit()
            second = place("terms-k2")
            terms_reads.clear()
            third = place("terms-k3")
            assert terms_reads == []  # the version in force is kept: not read again
            save_terms(hub, body="Nos propres CGV.", actor_id=None)
            fourth = place("terms-k4")
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert [o.sales_terms.version for o in (first, second, third, fourth)] == [1, 2, 2, 3]
    assert "Bègles" in second.sales_terms.body
    assert fourth.sales_terms.body == "Nos propres CGV.\n"
