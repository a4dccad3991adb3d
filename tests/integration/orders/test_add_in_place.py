"""Adding to the cart without leaving the page, unusual quantities, the header's cart, a closed
shop (issue #19, item 5), through the Flask client. The browser side is tests/e2e/
test_shop_in_place.py."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from core.db import db
from core.timeutils import utcnow
from orders import usual
from orders.services import get_cart_items
from products.models import Unit
from tests.factories import (
    CycleOfferFactory,
    OrderCycleFactory,
    OrderFactory,
    OrderLineFactory,
    UserFactory,
    VariantFactory,
)
from tests.factories_orders import make_shop
from tests.i18n import in_language

JSON = {"Accept": "application/json"}


def _add(client, cycle_id, offer_id, quantity=1, json=True, **extra):
    return client.post(
        f"/cycles/{cycle_id}/cart/items",
        data={"offer_id": offer_id, "quantity": quantity, **extra},
        headers=JSON if json else {},
    )


def _card(page: str, offer_id: int) -> str:
    return page.split(f'id="add-{offer_id}"', 1)[1].split("</li>", 1)[0]


# --------------------------------------------------------------------------- add in place


def test_the_shop_script_gets_the_card_and_cart_state_as_json(client):
    shop = make_shop(offers=2)
    offer = shop.offers[0]
    in_language(client, "fr")
    response = _add(client, shop.cycle.id, offer.id, 2)
    assert response.status_code == 200
    assert response.json == {
        "offer_id": offer.id,
        "quantity": 2,
        "label": " (2 dans le panier)",
        "cart_count": 2,
        "kind": "success",
        "message": "Ajouté à votre panier.",
        "sold_out": False,
    }
    response = _add(client, shop.cycle.id, shop.offers[1].id, 1)
    assert response.json["cart_count"] == 3
    assert response.json["label"] == " (1 dans le panier)"


def test_the_last_ones_taken_meanwhile_are_said_on_the_card(client, login_as):
    shop = make_shop(offers=1, stock=2)
    offer = shop.offers[0]
    in_language(login_as(UserFactory()), "fr")
    response = _add(client, shop.cycle.id, offer.id, 5)
    assert response.status_code == 200
    assert response.json["kind"] == "warning"
    assert response.json["quantity"] == 2
    assert response.json["message"].startswith("Il ne reste que 2 ×")
    offer.variant.stock = 0
    db.session.commit()
    response = _add(client, shop.cycle.id, offer.id, 1)
    assert response.json["sold_out"] is True
    assert response.json["message"].endswith("est épuisé.")


def test_a_closed_cycle_is_refused_in_words_as_json_and_on_the_card(client):
    shop = make_shop(offers=1)
    offer = shop.offers[0]
    in_language(client, "fr")
    shop.cycle.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = _add(client, shop.cycle.id, offer.id)
    assert response.status_code == 409
    assert response.json["error"]["code"] == "cycle_closed"
    assert "fermé" in response.json["error"]["message"]

    # without JavaScript: back to the card, which says it (the shop's own page)
    response = _add(client, shop.cycle.id, offer.id, json=False)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/cycles/{shop.cycle.id}/shop#add-{offer.id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    card = _card(page, offer.id)
    assert 'class="add-note add-note-error"' in card
    assert "Ce cycle de commande est fermé" in card
    assert "<form" not in card  # no add form on a closed shop
    # the message is shown once: not again on the next visit
    page = client.get(f"/cycles/{shop.cycle.id}/shop").get_data(as_text=True)
    assert 'class="add-note ' not in page


def test_bad_quantities_are_refused_with_a_stable_code(client):
    shop = make_shop(offers=1)
    db.session.commit()
    response = _add(client, shop.cycle.id, shop.offers[0].id, "-3")
    assert response.status_code == 422
    assert response.json["error"]["code"] == "invalid_quantity"
    response = _add(client, shop.cycle.id, "abc")
    assert response.status_code == 422


def test_without_javascript_the_redirect_keeps_the_page_and_the_card(client):
    shop = make_shop(offers=30, producers=3)
    offer = shop.offers[27]
    page = client.get(f"/cycles/{shop.cycle.id}/shop?page=2&sort=name").get_data(as_text=True)
    next_path = re.search(r'name="next" value="([^"]+)"', page).group(1).replace("&amp;", "&")
    response = _add(client, shop.cycle.id, offer.id, json=False, next=next_path)
    assert response.status_code == 303
    assert response.headers["Location"] == (
        f"/cycles/{shop.cycle.id}/shop?page=2&sort=name#add-{offer.id}"
    )
    # another site as "next" is not followed
    response = _add(client, shop.cycle.id, offer.id, json=False, next="https://evil.example/")
    assert "evil" not in response.headers["Location"]


def test_the_cached_shop_page_is_filled_per_visitor(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "SHOP_CACHE_SECONDS", 60)
    shop = make_shop(offers=2)
    first, second = shop.offers
    in_language(client, "fr")
    _add(client, shop.cycle.id, first.id, json=False)
    page = client.get(f"/cycles/{shop.cycle.id}/shop").get_data(as_text=True)
    assert "Ajouté à votre panier." in _card(page, first.id)
    assert 'class="add-note ' not in _card(page, second.id)
    assert "\x00" not in page
    # another visitor gets the same cached page with nothing of the first one's
    with app.test_client() as other:
        in_language(other, "fr")
        page = other.get(f"/cycles/{shop.cycle.id}/shop").get_data(as_text=True)
    assert 'class="add-note ' not in page
    assert "dans le panier" not in page
    assert "\x00" not in page


# --------------------------------------------------------------------------- unusual quantities


def test_usual_limits_follow_the_unit_and_the_variant_history(db_session):
    def variant(unit, value):
        return VariantFactory(unit=unit, unit_value=Decimal(value))

    baguette = variant(Unit.piece, "1")
    butter = variant(Unit.g, "250")
    sack = variant(Unit.kg, "5")
    eggs = variant(Unit.dozen, "1")
    assert usual.fixed_limit(baguette) == 24
    assert usual.fixed_limit(butter) == 40
    assert usual.fixed_limit(sack) == 10
    assert usual.fixed_limit(eggs) == 10
    assert not usual.needs_confirmation(baguette, 0, 24)
    assert usual.needs_confirmation(baguette, 0, 999)
    assert usual.needs_confirmation(baguette, 20, 25)
    # asked once: a quantity already above the limit grows without asking again
    assert not usual.needs_confirmation(baguette, 999, 999)
    assert not usual.needs_confirmation(baguette, 30, 40)
    # a variant people order by the crate: three times its usual order is fine
    offer = CycleOfferFactory(variant=baguette)
    for _ in range(5):
        OrderLineFactory(order=OrderFactory(cycle=offer.cycle), offer=offer, quantity=30)
    assert not usual.needs_confirmation(baguette, 0, 90)
    assert usual.needs_confirmation(baguette, 0, 91)


def test_without_javascript_a_large_quantity_is_confirmed_on_a_page_of_its_own(client, login_as):
    shop = make_shop(offers=1, stock=2000)
    offer = shop.offers[0]
    citizen = UserFactory()
    db.session.commit()  # the refusal rolls the request back
    in_language(login_as(citizen), "fr")
    response = _add(client, shop.cycle.id, offer.id, 999, json=False)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "999 × Produit 00000 (1 kg) : c’est bien plus que d’habitude." in page
    assert 'name="confirm" value="1"' in page
    assert f'href="/cycles/{shop.cycle.id}/shop#add-{offer.id}"' in page  # "No"
    assert get_cart_items(citizen, shop.cycle) == {}

    response = _add(client, shop.cycle.id, offer.id, 999, json=False, confirm="1")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"#add-{offer.id}")
    assert get_cart_items(citizen, shop.cycle) == {offer.id: 999}


def test_the_shop_script_is_asked_to_confirm_an_unusual_quantity(client):
    shop = make_shop(offers=1, stock=2000)
    db.session.commit()  # the refusal rolls the request back
    offer = shop.offers[0]
    response = _add(client, shop.cycle.id, offer.id, 999)
    assert response.status_code == 409
    error = response.json["error"]
    assert error["code"] == "unusual_quantity"
    assert error["fields"]["requested"] == 999
    assert _add(client, shop.cycle.id, offer.id, 1).json["cart_count"] == 1
    assert _add(client, shop.cycle.id, offer.id, 998, confirm="1").json["cart_count"] == 999


def test_the_api_is_not_asked(client, app):
    """The check is the shop's (a person typing): API clients send what they mean."""
    from orders.services import set_cart_quantity

    shop = make_shop(offers=1, stock=2000)
    change = set_cart_quantity(
        cycle=shop.cycle,
        user=UserFactory(),
        offer_id=shop.offers[0].id,
        quantity=999,
        now=utcnow(),
    )
    assert change.quantity == 999


# --------------------------------------------------------------------------- the header's cart


def _indicator(page: str) -> tuple[str, str] | None:
    found = re.search(
        r'<a class="cart-indicator" href="([^"]+)".*?data-cart-count>(\d+)<', page, re.S
    )
    return (found.group(1), found.group(2)) if found else None


def test_the_header_shows_the_visitors_open_carts(client, login_as):
    citizen = UserFactory()
    login_as(citizen)
    assert _indicator(client.get("/").get_data(as_text=True)) is None
    one = make_shop(offers=1)
    _add(client, one.cycle.id, one.offers[0].id, 2)
    assert _indicator(client.get("/").get_data(as_text=True)) == (
        f"/cycles/{one.cycle.id}/cart",
        "2",
    )
    two = make_shop(offers=1)
    _add(client, two.cycle.id, two.offers[0].id, 3)
    assert _indicator(client.get("/").get_data(as_text=True)) == ("/carts", "5")
    carts = client.get("/carts").get_data(as_text=True)
    assert f"/cycles/{one.cycle.id}/cart" in carts
    assert f"/cycles/{two.cycle.id}/cart" in carts
    # on a shop, the header's cart is that shop's
    shop_page = client.get(f"/cycles/{two.cycle.id}/shop").get_data(as_text=True)
    assert _indicator(shop_page) == (f"/cycles/{two.cycle.id}/cart", "3")
    # a cart of a cycle that closed is no longer shown
    one.cycle.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert _indicator(client.get("/").get_data(as_text=True)) == (
        f"/cycles/{two.cycle.id}/cart",
        "3",
    )


def test_a_guests_session_cart_is_in_the_header_too(client):
    shop = make_shop(offers=1)
    _add(client, shop.cycle.id, shop.offers[0].id, 4)
    assert _indicator(client.get("/").get_data(as_text=True)) == (
        f"/cycles/{shop.cycle.id}/cart",
        "4",
    )


def test_the_header_keeps_its_links_and_the_skip_link(client, login_as):
    login_as(UserFactory())
    page = client.get("/").get_data(as_text=True)
    assert '<a class="skip-link" href="#main">' in page
    for path in ("/hubs", "/orders", "/account"):
        assert f'href="{path}"' in page
    assert 'href="#site-menu"' in page
    assert 'id="site-menu"' in page


# --------------------------------------------------------------------------- a closed shop


def test_a_closed_shop_names_the_next_cycle_and_the_open_ones(client):
    shop = make_shop(offers=1)
    cycle = shop.cycle
    now = utcnow()
    in_language(client, "fr")
    cycle.opens_at, cycle.closes_at = now - timedelta(days=8), now - timedelta(days=1)
    page = client.get(f"/cycles/{cycle.id}/shop").get_data(as_text=True)
    assert "n’a pas encore annoncé son prochain cycle de commande" in page
    nxt = OrderCycleFactory(
        hub=cycle.hub, name="Noël", opens_at=now + timedelta(days=2), closes_at=now + timedelta(5)
    )
    OrderCycleFactory(hub=cycle.hub, name="Brouillon", published=False)
    db.session.commit()
    page = client.get(f"/cycles/{cycle.id}/shop").get_data(as_text=True)
    assert "Prochain cycle de commande : Noël, ouverture des commandes le" in page
    assert "Brouillon" not in page
    # the upcoming cycle's own shop says when it opens
    page = client.get(f"/cycles/{nxt.id}/shop").get_data(as_text=True)
    assert "Ouverture des commandes le" in page


def test_an_open_shop_with_nothing_offered_points_elsewhere(client):
    shop = make_shop(offers=0)
    OrderCycleFactory(hub=shop.cycle.hub, name="Marché du samedi")
    db.session.commit()
    in_language(client, "fr")
    page = client.get(f"/cycles/{shop.cycle.id}/shop").get_data(as_text=True)
    assert "Rien n’est encore proposé dans cette boutique." in page
    assert "Ouvert en ce moment chez" in page
    assert "Marché du samedi" in page
    searched = client.get(f"/cycles/{shop.cycle.id}/shop?q=zzz").get_data(as_text=True)
    assert "Aucun produit ne correspond à votre recherche." in searched


def test_the_cart_page_asks_too_and_keeps_the_other_changes(client, login_as):
    shop = make_shop(offers=2, stock=2000)
    first, second = shop.offers
    citizen = UserFactory()
    db.session.commit()  # the refusal rolls the request back
    in_language(login_as(citizen), "fr")
    _add(client, shop.cycle.id, first.id, 1)
    _add(client, shop.cycle.id, second.id, 1)
    response = client.post(
        f"/cycles/{shop.cycle.id}/cart", data={f"qty-{first.id}": 999, f"qty-{second.id}": 3}
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "999 × Produit 00000 (1 kg) : c’est bien plus que d’habitude." in page
    assert f'name="confirm-{first.id}" value="1"' in page
    assert f'href="/cycles/{shop.cycle.id}/cart"' in page
    assert get_cart_items(citizen, shop.cycle) == {first.id: 1, second.id: 3}
    response = client.post(
        f"/cycles/{shop.cycle.id}/cart", data={f"qty-{first.id}": 999, f"confirm-{first.id}": 1}
    )
    assert response.status_code == 303
    assert get_cart_items(citizen, shop.cycle) == {first.id: 999, second.id: 3}


def test_a_cards_message_is_not_shown_on_a_later_visit(client):
    shop = make_shop(offers=1)
    offer = shop.offers[0]
    _add(client, shop.cycle.id, offer.id, json=False)
    with client.session_transaction() as sess:
        note = dict(sess["shop_note"])
        note["at"] -= 61  # the citizen went elsewhere and comes back a minute later
        sess["shop_note"] = note
    page = client.get(f"/cycles/{shop.cycle.id}/shop").get_data(as_text=True)
    assert 'class="add-note ' not in page
