"""The reports on SQLite (`make run`): the same figures as on PostgreSQL (integer division,
CASE and COALESCE behave the same)."""

from __future__ import annotations

import csv
import io

from core.db import db
from tests.factories_reports import make_report_cycle
from tests.login import session_values


def test_reports_on_sqlite(sqlite_client):
    world = make_report_cycle()
    db.session.commit()
    values = session_values(world.manager)
    with sqlite_client.session_transaction() as sess:
        sess.update(values)
    base = f"/hubs/{world.hub.id}/cycles/{world.cycle_id}/reports"
    text = sqlite_client.get(f"{base}/suppliers.csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[2] == ["Ferme Beta", "Fromage – à la coupe", "2", "0,600", "13,20", "1,20", "12,00"]
    assert rows[-1][4:] == ["33,40", "3,40", "30,00"]
    for report in ("packing", "products", "payments", "fees", "pickup"):
        for fmt in ("html", "csv", "pdf"):
            assert sqlite_client.get(f"{base}/{report}.{fmt}").status_code == 200, (report, fmt)
