"""Every @id pattern we emit is a route of the API (dereferenceable), fragments aside."""

from __future__ import annotations

from interop.urls import DfcUrls


def test_every_id_pattern_is_routed(app):
    urls = DfcUrls.of("http://comptoir.test/")
    built = [
        urls.enterprise(1),
        urls.person(2),
        urls.supplied_products(1),
        urls.supplied_product(1, 3),
        urls.product_group(1, 4),
        urls.catalog_items(1),
        urls.catalog_item(1, 3),
        urls.offer(1, 3),
        urls.sale_session(5, 6),
        urls.pickup_option(5, 6, 7),
        urls.place(5, 8),
        urls.orders(5),
        urls.order(5, 9),
        urls.order_line(5, 9, 10),
        urls.producer_orders(1, 6),
        urls.producer_order(1, 6, 9),
        urls.producer_order_line(1, 6, 9, 10),
        urls.enterprise_address(1),
        urls.main_contact(1),
        urls.place_address(5, 8),
        urls.customer(5, 9),
        urls.producer_customer(1, 6, 9),
    ]
    adapter = app.url_map.bind("comptoir.test")
    for iri in built:
        assert iri.startswith("http://comptoir.test/api/dfc/")
        endpoint, _ = adapter.match(iri.removeprefix("http://comptoir.test").split("#")[0])
        assert endpoint.startswith("interop.dfc."), (iri, endpoint)
