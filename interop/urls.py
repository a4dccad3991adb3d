"""The absolute, dereferenceable ``@id`` of every node we publish, under ``BASE_URL``.

One place for the URL patterns: :mod:`interop.views` routes the same paths (a test checks that
every id built here resolves to a route), and exports build ids with plain string formatting,
because ``url_for`` per node would cost more than the rest of a 5,000-order export. Price,
QuantitativeValue and PhoneNumber are blank nodes; a few nodes are fragments of a document
(``…/enterprises/3#address``, ``#mainContact`` as OFN does): dereferencing the document gives
them.
"""

from __future__ import annotations

from dataclasses import dataclass

API = "/api/dfc"


@dataclass(frozen=True, slots=True)
class DfcUrls:
    base: str  #: BASE_URL without a trailing slash

    @classmethod
    def of(cls, base_url: str) -> DfcUrls:
        return cls(base_url.rstrip("/"))

    def _e(self, enterprise_id: int) -> str:
        return f"{self.base}{API}/enterprises/{enterprise_id}"

    # -- enterprises and people ----------------------------------------------------------
    def enterprise(self, enterprise_id: int) -> str:
        return self._e(enterprise_id)

    def enterprise_address(self, enterprise_id: int) -> str:
        return self._e(enterprise_id) + "#address"

    def main_contact(self, enterprise_id: int) -> str:
        return self._e(enterprise_id) + "#mainContact"

    def person(self, user_id: int) -> str:
        return f"{self.base}{API}/persons/{user_id}"

    # -- catalogue (one SuppliedProduct, CatalogItem and Offer per variant, as OFN) ----------
    def supplied_products(self, producer_id: int) -> str:
        return self._e(producer_id) + "/supplied_products"

    def supplied_product(self, producer_id: int, variant_id: int) -> str:
        return f"{self._e(producer_id)}/supplied_products/{variant_id}"

    def product_group(self, producer_id: int, product_id: int) -> str:
        return f"{self._e(producer_id)}/product_groups/{product_id}"

    def catalog_items(self, producer_id: int) -> str:
        return self._e(producer_id) + "/catalog_items"

    def catalog_item(self, producer_id: int, variant_id: int) -> str:
        return f"{self._e(producer_id)}/catalog_items/{variant_id}"

    def offer(self, producer_id: int, variant_id: int) -> str:
        return f"{self._e(producer_id)}/offers/{variant_id}"

    # -- a hub's cycles, places and orders ----------------------------------------------------
    def sale_session(self, enterprise_id: int, cycle_id: int) -> str:
        return f"{self._e(enterprise_id)}/sale_sessions/{cycle_id}"

    def pickup_option(self, hub_id: int, cycle_id: int, window_id: int) -> str:
        return f"{self.sale_session(hub_id, cycle_id)}/pickup_options/{window_id}"

    def place(self, hub_id: int, point_id: int) -> str:
        return f"{self._e(hub_id)}/places/{point_id}"

    def place_address(self, hub_id: int, point_id: int) -> str:
        return self.place(hub_id, point_id) + "#address"

    def orders(self, hub_id: int) -> str:
        return self._e(hub_id) + "/orders"

    def order(self, hub_id: int, order_id: int) -> str:
        return f"{self._e(hub_id)}/orders/{order_id}"

    def order_line(self, hub_id: int, order_id: int, line_id: int) -> str:
        return f"{self.order(hub_id, order_id)}/order_lines/{line_id}"

    def customer(self, hub_id: int, order_id: int) -> str:
        """The buyer of an order with no account any more (deleted): a fragment of the order."""
        return self.order(hub_id, order_id) + "#customer"

    # -- orders other platforms send to a producer (interop.received) -------------------------
    def received_orders(self, producer_id: int) -> str:
        return self._e(producer_id) + "/received_orders"

    def received_order(self, producer_id: int, order_id: int) -> str:
        return f"{self.received_orders(producer_id)}/{order_id}"

    def received_order_line(self, producer_id: int, order_id: int, line_id: int) -> str:
        return f"{self.received_order(producer_id, order_id)}/order_lines/{line_id}"

    # -- a producer's view of a hub cycle (its own lines only) --------------------------------
    def producer_orders(self, producer_id: int, cycle_id: int) -> str:
        return self.sale_session(producer_id, cycle_id) + "/orders"

    def producer_order(self, producer_id: int, cycle_id: int, order_id: int) -> str:
        return f"{self.producer_orders(producer_id, cycle_id)}/{order_id}"

    def producer_order_line(
        self, producer_id: int, cycle_id: int, order_id: int, line_id: int
    ) -> str:
        return f"{self.producer_order(producer_id, cycle_id, order_id)}/order_lines/{line_id}"

    def producer_customer(self, producer_id: int, cycle_id: int, order_id: int) -> str:
        return self.producer_order(producer_id, cycle_id, order_id) + "#customer"
