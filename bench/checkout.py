"""Checkout under contention: 32 concurrent clients through gunicorn, on PostgreSQL, via the API.

A separate database gets the same large dataset (10,000 offered variants, 5,000 orders already
placed), then some offers get a small stock: one order in four wants two units of one of
them, so demand exceeds supply and placing orders really contends for the same rows.

1. Every bench customer fills a cart (``PUT /api/v1/cycles/<id>/cart/items``, 4 items).
2. Capacity: 32 clients place the orders back to back (closed loop: each sends its next order
   as soon as the last is answered), pay at pickup so Stripe is not involved (a card order
   takes the same locks and one more Stripe call after the commit, outside any lock). A refusal
   for stock (409) is an answer, not an error.
3. Latency at the target rate: on the same warm servers, 1,000 more orders due at a steady
   100 per second, sent by 32 clients (open loop; each latency runs from when the order was
   due, so falling behind shows).
4. From the database: units sold per variant and per offer against the initial stock and cap.

Figures: checkout_orders_per_s (capacity, step 2), checkout_p99_ms and checkout_median_ms (step
3: the latency people see when 100 orders a second arrive), checkout_p99_at_saturation_ms (step
2: with 32 clients always waiting, a request queues behind the ~31 others, so this is about
32 / capacity and says nothing more than capacity does), checkout_refused_for_stock,
checkout_oversold_units (must be 0, over both rounds), checkout_stock_mismatches,
checkout_cart_put_median_ms.
"""

from __future__ import annotations

import json
import os
import secrets
from collections import Counter

from bench.loadgen import Request, gunicorn, load
from bench.report import emit, median, percentile

DATABASE = "comptoir_bench_checkout"
CLIENTS = 32
ORDERS = 2000
HOT_OFFERS = 20
HOT_STOCK = 40  # variant stock of a hot item
HOT_CAP = 30  # and the hub's cap for the cycle: the smaller limit wins
ITEMS_PER_ORDER = 4
#: the target: at this steady arrival rate (open loop), p99 under 300 ms
PACED_RATE = 100
PACED_ORDERS = 1000
#: the recommended settings (bench.loadgen.GUNICORN_ARGS); set COMPTOIR_BENCH_GUNICORN to try others
EXTRA_GUNICORN_ARGS = tuple(os.environ.get("COMPTOIR_BENCH_GUNICORN", "").split())


def _prepare(app) -> dict:
    """Tokens for ORDERS customers, small stock on HOT_OFFERS offers; the plan of each cart."""
    from sqlalchemy import func, select, update

    from accounts.api_auth import hash_token
    from accounts.models import ApiToken
    from bench.dataset import build_large_dataset
    from core.db import db
    from cycles.models import CycleOffer
    from orders.models import Order
    from products.models import Variant

    with app.app_context():
        data = build_large_dataset()
        customer_ids = list(range(2, ORDERS + 2))
        tokens = {}
        rows = []
        for uid in customer_ids:
            raw = f"cpt_bench{uid}_{secrets.token_urlsafe(16)}"
            tokens[uid] = raw
            rows.append(
                dict(user_id=uid, name="bench", token_hash=hash_token(raw), prefix=raw[:12])
            )
        db.session.execute(ApiToken.__table__.insert(), [dict(r, scope="write") for r in rows])
        offers = sorted(data.offer_ids)
        hot = offers[7 : 7 + HOT_OFFERS * 37 : 37]  # spread over producers
        db.session.execute(
            update(Variant).where(Variant.id.in_(hot)).values(stock=HOT_STOCK, on_demand=False)
        )
        db.session.execute(
            update(CycleOffer)
            .where(CycleOffer.id.in_(hot))
            .values(stock_cap=HOT_CAP, remaining=HOT_CAP)
        )
        db.session.commit()
        others = [o for o in offers if o not in set(hot)]
        plans = {}
        for n, uid in enumerate(customer_ids):
            items = {others[(n * 97 + k * 1013) % len(others)]: 1 + k % 2 for k in range(3)}
            if n % 4 == 0:
                items[hot[(n // 4) % HOT_OFFERS]] = 2
            else:
                items[others[(n * 31 + 5) % len(others)]] = 1
            plans[uid] = items
        touched = sorted({oid for items in plans.values() for oid in items})
        initial = {
            oid: (stock, on_demand, remaining)
            for oid, stock, on_demand, remaining in db.session.execute(
                select(CycleOffer.id, Variant.stock, Variant.on_demand, CycleOffer.remaining)
                .join(Variant, Variant.id == CycleOffer.variant_id)
                .where(CycleOffer.id.in_(touched))
            )
        }
        last_order_id = db.session.scalar(select(func.max(Order.id))) or 0
        db.session.remove()
    return dict(
        cycle_id=data.cycle_id,
        window_id=data.window_ids[1],  # the window without slots (slots: see scale-out test)
        tokens=tokens,
        plans=plans,
        hot=hot,
        initial=initial,
        last_order_id=last_order_id,
    )


def _oversold(app, plan: dict) -> tuple[int, int, int]:
    """(oversold units, units sold in the run, stock accounting mismatches) from the database."""
    from sqlalchemy import func, select

    from core.db import db
    from cycles.models import CycleOffer
    from orders.models import Order, OrderLine, OrderStatus
    from products.models import Variant

    with app.app_context():
        sold = dict(
            db.session.execute(
                select(OrderLine.offer_id, func.sum(OrderLine.quantity))
                .join(Order, Order.id == OrderLine.order_id)
                .where(Order.id > plan["last_order_id"], Order.status != OrderStatus.cancelled)
                .group_by(OrderLine.offer_id)
            ).all()
        )
        now = {
            oid: (stock, remaining)
            for oid, stock, remaining in db.session.execute(
                select(CycleOffer.id, Variant.stock, CycleOffer.remaining)
                .join(Variant, Variant.id == CycleOffer.variant_id)
                .where(CycleOffer.id.in_(list(plan["initial"])))
            )
        }
        db.session.remove()
    oversold = mismatches = 0
    for oid, (stock0, on_demand, remaining0) in plan["initial"].items():
        units = int(sold.get(oid, 0))
        stock, remaining = now[oid]
        limits = [] if on_demand else [stock0]
        if remaining0 is not None:
            limits.append(remaining0)
        if limits:
            oversold += max(0, units - min(limits))
        if not on_demand and stock != stock0 - units:
            mismatches += 1
        if remaining0 is not None and remaining != remaining0 - units:
            mismatches += 1
    return oversold, sum(int(v) for v in sold.values()), mismatches


def cart_put(cycle_id: int, token: str, offer_id: int, quantity: int) -> Request:
    """A customer's cart change, as the API takes it."""
    body = json.dumps({"offer_id": offer_id, "quantity": quantity}).encode()
    return ("PUT", f"/api/v1/cycles/{cycle_id}/cart/items", body, _auth(token))


def order_post(cycle_id: int, window_id: int, token: str, idempotency_key: str) -> Request:
    """A customer's checkout of their cart, paid at pickup (no Stripe call)."""
    body = json.dumps(
        {
            "pickup_window_id": window_id,
            "payment_method": "at_pickup",
            "terms_accepted": True,
            "idempotency_key": idempotency_key,
        }
    ).encode()
    return ("POST", f"/api/v1/cycles/{cycle_id}/orders", body, _auth(token))


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def run(ctx) -> None:
    app = ctx.new_app(DATABASE)
    plan = _prepare(app)
    cycle_id = plan["cycle_id"]
    customers = list(plan["tokens"])
    queues = [
        [
            (uid, offer_id, quantity)
            for uid in customers[client::CLIENTS]
            for offer_id, quantity in plan["plans"][uid].items()
        ]
        for client in range(CLIENTS)
    ]
    puts = sum(len(queue) for queue in queues)

    def cart_request(client: int, n: int):
        # each client is a few customers in turn, each adding their items one after the other
        if n >= len(queues[client]):
            return None
        uid, offer_id, quantity = queues[client][n]
        return cart_put(cycle_id, plan["tokens"][uid], offer_id, quantity)

    def place_request(client: int, n: int):
        mine = customers[client::CLIENTS]
        if n >= len(mine):
            return None
        uid = mine[n]
        return order_post(cycle_id, plan["window_id"], plan["tokens"][uid], f"bench-{uid}-checkout")

    env = ctx.env_for_subprocess(DATABASE)
    with gunicorn("app:create_app()", env, extra_args=EXTRA_GUNICORN_ARGS) as server:
        carts = load(
            server.port,
            cart_request,
            clients=CLIENTS,
            duration_s=300,
            max_requests=puts,
            per_connection=ITEMS_PER_ORDER,  # one customer's requests on one connection
        )
        assert carts.errors == 0, carts.statuses
        assert carts.count == puts, (carts.count, puts)
        placed = load(
            server.port,
            place_request,
            clients=CLIENTS,
            duration_s=300,
            max_requests=len(customers),
            expect=lambda status: status in (201, 409),
            per_connection=1,  # each order is another customer
        )
        # the same (warm) servers, below capacity: the latency of a steady stream of orders
        paced = _paced_run(ctx, plan, DATABASE, server.port)
    assert placed.errors == 0, placed.statuses
    assert placed.count == len(customers), (placed.count, placed.statuses)
    oversold, units, mismatches = _oversold(app, plan)
    created = placed.statuses.get(201, 0)
    emit("checkout_cart_put_median_ms", median(carts.latencies_ms), "ms")
    emit("checkout_cart_put_per_s", carts.rps, "req/s")
    emit("checkout_orders_per_s", created / placed.elapsed_s, "orders/s")
    emit("checkout_p99_at_saturation_ms", percentile(placed.latencies_ms, 99), "ms")
    emit("checkout_median_at_saturation_ms", median(placed.latencies_ms), "ms")
    emit("checkout_orders_placed", created + paced.statuses.get(201, 0), "orders")
    emit("checkout_refused_for_stock", placed.statuses.get(409, 0), "orders")
    emit("checkout_paced_rate", paced.count / paced.elapsed_s, "orders/s")
    emit("checkout_p99_ms", percentile(paced.latencies_ms, 99), "ms")
    emit("checkout_median_ms", median(paced.latencies_ms), "ms")
    emit("checkout_units_sold", units, "units")
    emit("checkout_stock_mismatches", mismatches, "rows")
    emit("checkout_oversold_units", oversold, "units")
    print(
        f"# checkout statuses: capacity round {dict(Counter(placed.statuses))}, "
        f"{PACED_RATE}/s round {dict(Counter(paced.statuses))}",
        flush=True,
    )


def _paced_run(ctx, plan: dict, database: str, port: int):
    """PACED_ORDERS more orders due at PACED_RATE per second (32 clients, so at most 32 in
    flight): carts refilled for customers who ordered already, new idempotency keys."""
    from core.db import db
    from orders.models import Cart, CartItem

    app = ctx.new_app(database)
    customers = list(plan["tokens"])[:PACED_ORDERS]
    hot = set(plan["hot"])
    with app.app_context():
        for uid in customers:
            cart = Cart(user_id=uid, cycle_id=plan["cycle_id"])
            for offer_id, quantity in plan["plans"][uid].items():
                if offer_id not in hot:  # the hot items are sold out by now
                    cart.items.append(CartItem(offer_id=offer_id, quantity=quantity))
            db.session.add(cart)
        db.session.commit()
        db.session.remove()

    def place_request(client: int, n: int):
        mine = customers[client::CLIENTS]
        if n >= len(mine):
            return None
        uid = mine[n]
        return order_post(
            plan["cycle_id"], plan["window_id"], plan["tokens"][uid], f"bench-{uid}-paced"
        )

    result = load(
        port,
        place_request,
        clients=CLIENTS,
        duration_s=120,
        max_requests=len(customers),
        expect=lambda status: status in (201, 409),
        per_connection=1,
        rate_per_s=PACED_RATE,
    )
    assert result.errors == 0, result.statuses
    return result
