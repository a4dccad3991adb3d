"""The shop page cache (``SHOP_CACHE_SECONDS``): shared catalogue, each visitor's own values.

The suite runs with the cache off (pages show each test's data at once); these tests turn it
on to check what it must never do: show one visitor's cart or CSRF token to another, or leak
raw markup through the per-visitor return path.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask

from core.db import db
from orders import shop as shop_module
from tests.factories import UserFactory
from tests.factories_orders import make_shop
from tests.i18n import in_language
from tests.login import session_values
from tests.querycount import count_queries

CSRF_IN_FORM = re.compile(r'name="csrf_token" value="([^"]+)"')
CSRF_IN_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


@pytest.fixture
def cached(app: Flask) -> Iterator[None]:
    saved = app.config["SHOP_CACHE_SECONDS"]
    app.config["SHOP_CACHE_SECONDS"] = 60
    shop_module.fragments.clear()
    shop_module.facets.clear()
    try:
        yield
    finally:
        app.config["SHOP_CACHE_SECONDS"] = saved
        shop_module.fragments.clear()
        shop_module.facets.clear()


def _second_client(app: Flask, client):
    other = app.test_client()
    other.__class__ = type(client)  # the suite's client: a fresh ``g`` per request
    return other


def test_cached_page_shows_each_visitor_their_own_cart_and_token(app, client, cached):
    shop = make_shop(offers=3, producers=1)
    offer = shop.offers[0]
    db.session.commit()
    url = f"/cycles/{shop.cycle.id}/shop"
    in_language(client, "fr")
    client.post(f"/cycles/{shop.cycle.id}/cart/items", data={"offer_id": offer.id, "quantity": "2"})
    mine = client.get(url).get_data(as_text=True)
    other = in_language(_second_client(app, client), "fr")
    theirs = other.get(url).get_data(as_text=True)

    assert "Panier (<span data-cart-count>2</span>)" in mine
    assert "2 dans le panier" in mine
    assert "Panier (<span data-cart-count>0</span>)" in theirs
    assert "dans le panier" not in theirs
    my_tokens = set(CSRF_IN_FORM.findall(mine)) | set(CSRF_IN_META.findall(mine))
    their_tokens = set(CSRF_IN_FORM.findall(theirs)) | set(CSRF_IN_META.findall(theirs))
    assert my_tokens
    assert their_tokens
    assert not my_tokens & their_tokens  # never another visitor's token
    assert "\x00" not in mine + theirs  # every placeholder filled


def test_cached_catalogue_is_reused_then_refreshed_per_page(app, client, cached):
    shop = make_shop(offers=3, producers=1)
    product = shop.offers[0].variant.product
    old_name = product.name
    db.session.commit()
    url = f"/cycles/{shop.cycle.id}/shop"
    assert old_name in client.get(url).get_data(as_text=True)

    product.name = "Nom changé"
    db.session.commit()
    with count_queries() as hit:
        page = client.get(url).get_data(as_text=True)
    assert old_name in page  # reused for SHOP_CACHE_SECONDS
    assert hit.count <= 2, str(hit)  # the cycle (and the visitor's cart when logged in)
    assert "Nom changé" in client.get(url + "?sort=name").get_data(as_text=True)  # other page

    app.config["SHOP_CACHE_SECONDS"] = 0
    assert "Nom changé" in client.get(url).get_data(as_text=True)


def test_cached_page_escapes_the_visitor_return_path(app, client, cached):
    shop = make_shop(offers=1, producers=1)
    user = UserFactory()
    db.session.commit()
    values = session_values(user)
    with client.session_transaction() as session:
        session.update(values)
    url = f"/cycles/{shop.cycle.id}/shop"
    client.get(url)
    page = client.get(url + '?x="><script>alert(1)</script>').get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page or "%3Cscript%3E" in page


def test_fill_fragment_escapes_and_fills_every_placeholder():
    fragment = (
        f"<input value='{shop_module.CSRF_MARK}'><input value='{shop_module.NEXT_MARK}'>"
        f"({shop_module.CART_COUNT_MARK}){shop_module.cart_mark(7)}{shop_module.cart_mark(8)}"
    )
    filled = shop_module.fill_fragment(
        fragment, csrf="tok", next_path='/a?b="c"', cart_count=3, cart_labels={7: " (2 <x>)"}
    )
    assert filled == ("<input value='tok'><input value='/a?b=&#34;c&#34;'>(3) (2 &lt;x&gt;)")


def test_fragment_cache_forgets_old_and_least_used_entries(monkeypatch):
    import time

    cache = shop_module.FragmentCache(max_entries=2)
    now = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    cache.put("a", "A")
    cache.put("b", "B")
    assert cache.get("a", 10) == "A"  # a is now the most recently used
    cache.put("c", "C")
    assert cache.get("b", 10) is None  # least recently used, dropped
    now[0] += 11
    assert cache.get("a", 10) is None  # too old
    assert cache.get("c", 60) == "C"
