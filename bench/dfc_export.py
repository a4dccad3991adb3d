"""DFC export of a 5,000-order cycle (8 lines each, 10,000 offered variants), streamed.

Prints ``bench: dfc_export_5k_orders_s`` (the whole document through the API, as a client reads
it: token check, queries, JSON-LD writing, chunked response; the issue asks for under 5 s),
``bench: dfc_export_peak_mb`` (tracemalloc peak while streaming it: flat memory means it does
not grow with the number of orders), and the same export through ``flask dfc export-orders``.
"""

from __future__ import annotations

import io
import time
import tracemalloc
from contextlib import redirect_stdout

from bench.report import emit


def _consume(response) -> tuple[int, int]:
    size = chunks = 0
    for chunk in response.response:
        size += len(chunk)
        chunks += 1
    response.close()
    return size, chunks


class _Sink(io.TextIOBase):
    """Standard output that counts and drops (a pipe to a file, without the disk)."""

    def __init__(self) -> None:
        self.size = 0

    def write(self, text: str) -> int:
        self.size += len(text)
        return len(text)


def run(ctx) -> None:
    from sqlalchemy import select

    from accounts.api_auth import hash_token, new_token_value
    from accounts.models import ApiToken, User
    from core.db import db

    dataset = ctx.dataset
    app = ctx.app
    with app.app_context():
        manager = db.session.scalar(select(User).where(User.email == dataset.manager_email))
        raw = new_token_value()
        db.session.add(
            ApiToken(user_id=manager.id, name="bench", token_hash=hash_token(raw), prefix=raw[:8])
        )
        db.session.commit()
        db.session.remove()

    client = app.test_client()
    path = f"/api/dfc/enterprises/{dataset.hub_id}/orders?cycle={dataset.cycle_id}"
    headers = {"Authorization": f"Bearer {raw}"}

    # warm-up (imports, taxonomies, query plans), then the measured run
    _consume(client.get(path, headers=headers, buffered=False))
    started = time.perf_counter()
    response = client.get(path, headers=headers, buffered=False)
    assert response.status_code == 200, response.status_code
    size, chunks = _consume(response)
    elapsed = time.perf_counter() - started
    emit("dfc_export_5k_orders_s", elapsed, "s")
    emit("dfc_export_5k_orders_mb", size / 1e6, "MB")
    emit("dfc_export_5k_orders_chunks", chunks, "chunks")

    # flat memory: the peak after the first tenth of the document is the peak of the whole
    tracemalloc.start()
    response = client.get(path, headers=headers, buffered=False)
    early_peak = 0
    for index, _chunk in enumerate(response.response, start=1):
        if index == chunks // 10:
            early_peak = tracemalloc.get_traced_memory()[1]
    response.close()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    emit("dfc_export_peak_mb", peak / 1e6, "MB")
    emit("dfc_export_peak_first_tenth_mb", early_peak / 1e6, "MB")

    runner = app.test_cli_runner()
    sink = _Sink()
    started = time.perf_counter()
    with redirect_stdout(sink):
        result = runner.invoke(args=["dfc", "export-orders", "--cycle", str(dataset.cycle_id)])
    emit("dfc_export_cli_5k_orders_s", time.perf_counter() - started, "s")
    assert result.exit_code == 0, result.output
