"""Is this version's checkout slower than another's? Both served at once, measured turn by turn.

    git worktree add --detach ../base <commit> && make -C ../base dev-venv translations
    .venv/bin/python -m bench.compare_checkout ../base .          # about 7 minutes

On a shared machine, separate ``bench checkout`` runs of one version differ by up to a third
from one run to the next, more than the differences worth finding. Here each version runs its
own gunicorn (from its own tree and virtualenv) on its own database of one PostgreSQL, both
built from the checkout bench's data, and the orders go in short bursts, taking turns (A B, B A,
A B ...): a slow minute of the machine slows both alike. Each burst's ratio of orders per second
(B / A) is one sample; the figure is their median.

Whichever server is second in a session comes out faster, for a reason not found: the same
tree against itself gave medians of 1.16 and 1.18. It follows the database built second
(building the two in the other order while starting the servers in this one gave 1.01), and
vacuuming both databases first changed nothing. So the whole comparison runs twice with the
roles swapped, each time on a new PostgreSQL, and ``compare_checkout_ratio`` is the geometric
mean of B's two ratios over A (B second, then B first): the position cancels out. The same tree
against itself gives 0.99.

Not a ``make bench`` module (no ``run``): it needs a second tree. Both trees need
``bench.checkout._prepare`` (present since the first version).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from bench.checkout import CLIENTS, ITEMS_PER_ORDER, cart_put, order_post
from bench.context import BENCH_CONFIG
from bench.loadgen import GUNICORN_ARGS, HOST, _wait_ready, free_port, load
from bench.report import emit
from tests.support.postgres import PgServer, start_postgres

#: run by each tree's own Python in that tree: migrate, build the checkout bench's data, write
#: the plan (customers' tokens and carts) as JSON
_PREPARE = """
import json, sys, tempfile
from flask_migrate import upgrade
from app import create_app
from bench.context import BENCH_CONFIG
from bench.checkout import _prepare
app = create_app({**BENCH_CONFIG, "SQLALCHEMY_DATABASE_URI": sys.argv[1],
                  "UPLOAD_FOLDER": tempfile.mkdtemp(prefix="comptoir-compare-")})
with app.app_context():
    upgrade(revision="heads")
plan = _prepare(app)
json.dump({"cycle_id": plan["cycle_id"], "window_id": plan["window_id"],
           "tokens": {str(u): t for u, t in plan["tokens"].items()},
           "plans": {str(u): [[o, q] for o, q in items.items()]
                     for u, items in plan["plans"].items()}}, open(sys.argv[2], "w"))
"""

WARM_UP_SHARE = 0.05  # of the customers, whose orders warm both servers up and are not counted


def _prepare(pg: PgServer, tree: Path, database: str) -> dict:
    pg.create_database(database)
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run(  # noqa: S603 - the tree's own interpreter, fixed code
            [str(tree / ".venv" / "bin" / "python"), "-c", _PREPARE, pg.url(database), out.name],
            cwd=tree,
            check=True,
            capture_output=True,
        )
        return json.loads(Path(out.name).read_text())


@contextmanager
def _serve(pg: PgServer, tree: Path, database: str) -> Iterator[int]:
    env = dict(
        os.environ,
        DATABASE_URL=pg.url(database),
        SECRET_KEY=BENCH_CONFIG["SECRET_KEY"],
        COMPTOIR_ENV="bench",
        BASE_URL=BENCH_CONFIG["BASE_URL"],
        MAIL_SERVER="",
    )
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - the tree's own gunicorn, fixed arguments
        [
            str(tree / ".venv" / "bin" / "gunicorn"),
            *GUNICORN_ARGS,
            "--bind",
            f"{HOST}:{port}",
            "--log-level",
            "warning",
            "app:create_app()",
        ],
        cwd=tree,
        env=env,
        start_new_session=True,
    )
    try:
        _wait_ready(port, process, "/healthz", 60)
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def _fill_carts(port: int, plan: dict) -> float:
    customers = list(plan["tokens"])
    queues = [
        [(uid, o, q) for uid in customers[c::CLIENTS] for o, q in plan["plans"][uid]]
        for c in range(CLIENTS)
    ]

    def request(client: int, n: int):
        if n >= len(queues[client]):
            return None
        uid, offer_id, quantity = queues[client][n]
        return cart_put(plan["cycle_id"], plan["tokens"][uid], offer_id, quantity)

    total = sum(map(len, queues))
    result = load(
        port,
        request,
        clients=CLIENTS,
        duration_s=600,
        max_requests=total,
        per_connection=ITEMS_PER_ORDER,
    )
    assert result.errors == 0, result.statuses
    return result.rps


def _place(port: int, plan: dict, customers: list[str]) -> float:
    """Orders of ``customers``, 32 clients back to back: orders placed per second."""

    def request(client: int, n: int):
        index = client + n * CLIENTS
        if index >= len(customers):
            return None
        uid = customers[index]
        token = plan["tokens"][uid]
        return order_post(plan["cycle_id"], plan["window_id"], token, f"compare-{uid}-checkout")

    result = load(
        port,
        request,
        clients=CLIENTS,
        duration_s=600,
        max_requests=len(customers),
        expect=lambda status: status in (201, 409),  # a refusal for stock is an answer
        per_connection=1,
    )
    assert result.errors == 0, result.statuses
    assert result.count == len(customers), result.statuses
    return result.statuses.get(201, 0) / result.elapsed_s


def compare(first: Path, second: Path, bursts: int) -> float:
    """One session: the median over the bursts of second's orders/s over first's."""
    trees = (first, second)  # indexed by position: A/A (one tree twice) is a valid trial
    pg = start_postgres()
    try:
        plans = [_prepare(pg, tree, f"compare_{n}") for n, tree in enumerate(trees)]
        with ExitStack() as stack:
            ports = [
                stack.enter_context(_serve(pg, tree, f"compare_{n}"))
                for n, tree in enumerate(trees)
            ]
            for n, tree in enumerate(trees):
                print(f"# {tree}: cart changes {_fill_carts(ports[n], plans[n]):.1f}/s")
            customers = list(plans[0]["tokens"])
            assert customers == list(plans[1]["tokens"]), "both trees build the same data"
            warm = int(len(customers) * WARM_UP_SHARE)
            for n in (0, 1):
                _place(ports[n], plans[n], customers[:warm])
            size = (len(customers) - warm) // bursts
            ratios = []
            for b in range(bursts):
                group = customers[warm + b * size : warm + (b + 1) * size]
                rates = [0.0, 0.0]
                for n in (0, 1) if b % 2 == 0 else (1, 0):
                    rates[n] = _place(ports[n], plans[n], group)
                ratios.append(rates[1] / rates[0])
                print(
                    f"# burst {b + 1}/{bursts}: {rates[0]:.1f} and {rates[1]:.1f} "
                    f"orders/s, ratio {ratios[-1]:.3f}",
                    flush=True,
                )
        return statistics.median(ratios)
    finally:
        pg.stop()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.compare_checkout")
    parser.add_argument("a", type=Path, help="a tree with its .venv (the reference)")
    parser.add_argument("b", type=Path, help="another tree with its .venv (the candidate)")
    parser.add_argument("--bursts", type=int, default=10, help="bursts per session")
    args = parser.parse_args(argv)
    a, b = args.a.resolve(), args.b.resolve()
    b_after_a = compare(a, b, args.bursts)
    print(f"# {b} second: median ratio {b_after_a:.3f}", flush=True)
    a_after_b = compare(b, a, args.bursts)
    print(f"# {a} second: median ratio {a_after_b:.3f}", flush=True)
    # B/A measured once with B second and once with B first: the geometric mean cancels the
    # advantage of the position
    emit("compare_checkout_ratio", math.sqrt(b_after_a / a_after_b), "x (B / A, orders per s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
