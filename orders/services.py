"""Order use cases, one module per seam (this module re-exports them for its callers):

- ``orders.stock``: what is left, the row locks (their order is written there), taking and
  giving back stock, slot and cycle places;
- ``orders.cart``: the cart;
- ``orders.checkout``: placing an order, its confirmation e-mail and links;
- ``orders.lifecycle``: after checkout: the one cancel path, expired holds, the one change-lines
  path (states through ``orders.states``, events through ``orders.history``, signals after the
  commit through ``orders.signals``).
"""

from __future__ import annotations

from orders import pricing
from orders.cart import (
    CartChange,
    CartLineView,
    CartView,
    _lock_cart,
    _save_cart,
    build_cart,
    clear_cart,
    get_cart_items,
    load_offers,
    merge_guest_cart,
    set_cart_quantity,
)
from orders.checkout import (
    _check_method,
    _existing_for_key,
    _find_by_key,
    _merge_items,
    _queue_confirmation,
    _same_buyer,
    allowed_payment_methods,
    new_line,
    order_link,
    order_locale,
    place_order,
    queue_order_confirmation,
)
from orders.lifecycle import (
    _CITIZEN_REASONS,
    LineDiff,
    _default_actor,
    _free_place,
    _now,
    _queue_cancellation,
    _release,
    can_citizen_change,
    cancel_order,
    change_lines,
    change_pickup,
    line_name,
    lock_order,
    orders_of,
    release_expired_holds,
    update_order_lines,
)
from orders.stock import (
    MAX_QUANTITY,
    _book_slot,
    _lock_cycle,
    _lock_slot,
    _lock_stock,
    _return_stock,
    _sellable,
    _take_cycle_place,
    _take_stock,
    available_quantity,
    item_name,
)

__all__ = [
    "pricing",
    "MAX_QUANTITY",
    "_book_slot",
    "_lock_cycle",
    "_lock_slot",
    "_lock_stock",
    "_return_stock",
    "_sellable",
    "_take_cycle_place",
    "_take_stock",
    "available_quantity",
    "item_name",
    "CartChange",
    "CartLineView",
    "CartView",
    "_lock_cart",
    "_save_cart",
    "build_cart",
    "clear_cart",
    "get_cart_items",
    "load_offers",
    "merge_guest_cart",
    "set_cart_quantity",
    "_check_method",
    "_existing_for_key",
    "_find_by_key",
    "_merge_items",
    "new_line",
    "_queue_confirmation",
    "_same_buyer",
    "allowed_payment_methods",
    "order_link",
    "order_locale",
    "place_order",
    "queue_order_confirmation",
    "LineDiff",
    "_CITIZEN_REASONS",
    "_default_actor",
    "_free_place",
    "_now",
    "_queue_cancellation",
    "_release",
    "can_citizen_change",
    "cancel_order",
    "change_lines",
    "change_pickup",
    "line_name",
    "lock_order",
    "orders_of",
    "release_expired_holds",
    "update_order_lines",
]
