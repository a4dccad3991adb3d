"""Shopfront of a 10,000-variant cycle through gunicorn, compared with a hello-world Flask app.

Figures: SQL statements of the first page (in-process, ``tests.querycount``), median and p95 of
the first page and of searches (one client, keep-alive), then throughput with concurrent clients
for the shopfront and for a hello-world app under the same gunicorn settings, and their ratio.

Two servers: one as deployed (``SHOP_CACHE_SECONDS`` at its default: each worker reuses a
rendered page for a few seconds) and one with the page cache off (every request queries and
renders: the cost of a cache miss, of an uncommon search, of every page at catalogue scale).
The load generator runs on the same machine as the server (2 cores): it takes part of the CPU,
for both apps alike, so the ratio is fairer than either absolute figure. Visitors keep their
session cookie, as browsers do.
"""

from __future__ import annotations

from bench.loadgen import get, gunicorn, load
from bench.report import emit, median, percentile

SEARCHES = ("tomates", "miel", "ferme 42", "pain", "1 kg", "fromage", "zzz-nothing")
LATENCY_REQUESTS = 120
RPS_CLIENTS = 8
RPS_SECONDS = 5.0
ROUNDS = 3


def _query_count(ctx, path: str, *, cached: bool = False) -> int:
    """SQL statements of one request, in-process; without the page cache unless ``cached``."""
    from core.db import db
    from orders.shop import fragments
    from tests.querycount import count_queries

    app = ctx.app
    saved = app.config["SHOP_CACHE_SECONDS"]
    app.config["SHOP_CACHE_SECONDS"] = saved if cached else 0
    try:
        client = app.test_client()
        with app.app_context():
            fragments.clear()
            client.get(path)  # templates compiled (and, if cached, the page stored)
            db.session.remove()
            with count_queries() as log:
                response = client.get(path)
            assert response.status_code == 200, response.status_code
            assert 'class="card shop-item"' in response.get_data(as_text=True)
    finally:
        app.config["SHOP_CACHE_SECONDS"] = saved
        fragments.clear()
    return log.count


def _search(cycle_id: int):
    def make(_client: int, n: int):
        q = SEARCHES[n % len(SEARCHES)].replace(" ", "+")
        return ("GET", f"/cycles/{cycle_id}/shop?q={q}", None, {})

    return make


def _latency(port: int, make, requests: int = LATENCY_REQUESTS) -> list[float]:
    result = load(port, make, clients=1, duration_s=60, max_requests=requests, cookies=True)
    assert result.errors == 0, result.statuses
    return result.latencies_ms


def _throughput(port: int, make):
    load(port, make, clients=2, duration_s=2, max_requests=100, cookies=True)  # warm workers
    result = load(
        port, make, clients=RPS_CLIENTS, duration_s=RPS_SECONDS, max_requests=10**6, cookies=True
    )
    assert result.errors == 0, result.statuses
    return result


def run(ctx) -> None:
    data = ctx.dataset
    shop = f"/cycles/{data.cycle_id}/shop"
    emit("shopfront_queries", _query_count(ctx, shop), "queries")
    emit("shopfront_search_queries", _query_count(ctx, shop + "?q=tomates&page=2"), "queries")
    emit("shopfront_cached_queries", _query_count(ctx, shop, cached=True), "queries")

    env = ctx.env_for_subprocess()
    with gunicorn("app:create_app()", {**env, "SHOP_CACHE_SECONDS": "0"}) as server:
        _latency(server.port, get(shop), 10)  # warm both workers
        cold = _latency(server.port, get(shop))
        emit("shopfront_uncached_median_ms", median(cold), "ms")
        emit("shopfront_uncached_p95_ms", percentile(cold, 95), "ms")
        search = _latency(server.port, _search(data.cycle_id), 70)
        # searches are rarely repeated within seconds: the uncached figure is the one people see
        emit("shopfront_search_median_ms", median(search), "ms")
        emit("shopfront_search_p95_ms", percentile(search, 95), "ms")
        deep = _latency(server.port, get(shop + "?page=200&sort=price"), 40)
        emit("shopfront_page200_uncached_median_ms", median(deep), "ms")
        uncached = _throughput(server.port, get(shop))
        emit("shopfront_uncached_rps", uncached.rps, "req/s")

    with (
        gunicorn("app:create_app()", env) as server,
        gunicorn("bench.hello_app:create_app()", env, ready_path="/") as hello_server,
    ):
        _latency(server.port, get(shop), 10)
        warm = _latency(server.port, get(shop))
        emit("shopfront_median_ms", median(warm), "ms")
        emit("shopfront_p95_ms", percentile(warm, 95), "ms")
        # alternate the two apps so that other load on the machine hits both alike
        shop_runs, hello_runs = [], []
        for _ in range(ROUNDS):
            shop_runs.append(_throughput(server.port, get(shop)))
            hello_runs.append(_throughput(hello_server.port, get("/")))
    shop_rps = median([r.rps for r in shop_runs])
    hello_rps = median([r.rps for r in hello_runs])
    emit("shopfront_rps", shop_rps, "req/s")
    loaded_p95 = median([percentile(r.latencies_ms, 95) for r in shop_runs])
    emit("shopfront_loaded_p95_ms", loaded_p95, "ms")
    emit("hello_world_rps", hello_rps, "req/s")
    emit("shopfront_share_of_hello_world", shop_rps / hello_rps, "ratio")
    emit("shopfront_uncached_share_of_hello_world", uncached.rps / hello_rps, "ratio")
