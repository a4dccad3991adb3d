"""The six reports of the bench dataset's 5,000-order cycle, in HTML, CSV and PDF.

Prints ``bench: reports_5k_orders_s`` (all six reports in every format, 18 downloads, through
HTTP as the hub manager downloads them: permission check, queries, formatting, response; the
issue asks for under 2 s; the median of ROUNDS rounds, and the best round), one
``reports_<report>_s`` per report (its three formats), one per download, and the size of the
packing list's PDF.

The app is served in this process as a gunicorn worker serves it: loaded, warmed up, its heap
settled (core.runtime.settle_heap, called by gunicorn.conf.py in production).
"""

from __future__ import annotations

import time

from bench.context import logged_in_client
from bench.report import emit, median

#: the whole set is downloaded this many times; the median round is reported (a shared
#: 2-core machine varies by a quarter from one round to the next)
ROUNDS = 3


def run(ctx) -> None:
    from sqlalchemy import select

    from accounts.models import User
    from core.db import db
    from core.runtime import settle_heap
    from operations.reports.services import FORMATS, REPORTS

    dataset = ctx.dataset
    app = ctx.app
    with app.app_context():
        manager_id = db.session.scalar(select(User.id).where(User.email == dataset.manager_email))
        db.session.remove()
    client = logged_in_client(app, manager_id)
    base = f"/hubs/{dataset.hub_id}/cycles/{dataset.cycle_id}/reports"

    def fetch(name: str, fmt: str) -> int:
        response = client.get(f"{base}/{name}.{fmt}")
        assert response.status_code == 200, (name, fmt, response.status_code)
        return len(response.data)

    fetch("fees", "pdf")  # warm-up: imports, templates, fonts, query plans
    # as a gunicorn worker does once the app is loaded (gunicorn.conf.py)
    settle_heap()
    sizes: dict[tuple[str, str], int] = {}
    totals: list[float] = []
    per_report: dict[str, list[float]] = {name: [] for name in REPORTS}
    per_format: dict[tuple[str, str], list[float]] = {}
    for _round in range(ROUNDS):
        started = time.perf_counter()
        for name in REPORTS:
            report_started = time.perf_counter()
            for fmt in FORMATS:
                format_started = time.perf_counter()
                sizes[(name, fmt)] = fetch(name, fmt)
                per_format.setdefault((name, fmt), []).append(time.perf_counter() - format_started)
            per_report[name].append(time.perf_counter() - report_started)
        totals.append(time.perf_counter() - started)
    emit("reports_5k_orders_s", median(totals), "s")
    emit("reports_5k_orders_best_s", min(totals), "s")
    for name, seconds in per_report.items():
        emit(f"reports_{name}_s", median(seconds), "s")
    for (name, fmt), seconds in per_format.items():
        emit(f"reports_{name}_{fmt}_s", median(seconds), "s")
    emit("reports_packing_pdf_mb", sizes[("packing", "pdf")] / 1e6, "MB")
