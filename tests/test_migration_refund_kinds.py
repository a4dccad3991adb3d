"""The refund kinds migration reads the kind of past refunds from their reason and their order."""

from __future__ import annotations

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from core.db import db
from tests.conftest import build_app

BEFORE = "legal01"  # the revision before money01


def _filler(conn, table: str, row: dict[str, object], n: int) -> dict[str, object]:
    """``row`` completed with a value for every other NOT NULL column without a default."""
    full = dict(row)
    for _cid, name, kind, notnull, default, pk in conn.execute(text(f"PRAGMA table_info({table})")):
        if name in full or pk or not notnull or default is not None:
            continue
        kind = (kind or "").upper()
        if "INT" in kind or "BOOL" in kind:
            full[name] = 0
        elif "DATE" in kind or "TIME" in kind:
            full[name] = "2026-11-01 10:00:00.000000"
        else:
            full[name] = f"{name[:8]}-{table[:4]}-{n}"
    return full


def _insert(conn, table: str, row: dict[str, object], n: int) -> None:
    full = _filler(conn, table, row, n)
    names = ", ".join(full)
    params = ", ".join(f":{k}" for k in full)
    conn.execute(text(f"INSERT INTO {table} ({names}) VALUES ({params})"), full)


@pytest.mark.sqlite
def test_kinds_from_the_reason_and_the_order(tmp_path):
    app = build_app(f"sqlite:///{tmp_path / 'k.sqlite3'}")
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            conn.execute(text("PRAGMA foreign_keys=OFF"))
            _insert(conn, "orders", {"id": 1, "status": "confirmed"}, 1)
            _insert(
                conn,
                "orders",
                {"id": 2, "status": "cancelled", "cancelled_at": "2026-11-02 10:00:00.000000"},
                2,
            )
            _insert(conn, "payments", {"id": 1, "order_id": 1, "amount_cents": 5000}, 1)
            _insert(conn, "payments", {"id": 2, "order_id": 2, "amount_cents": 5000}, 2)
            refunds = [
                (1, 1, "order changed by the hub", "2026-11-01 11:00:00.000000"),
                (2, 1, "Oeufs cassés", "2026-11-01 12:00:00.000000"),
                (3, 2, "abîmé", "2026-11-01 12:00:00.000000"),  # before the cancellation
                (4, 2, "order cancelled", "2026-11-02 10:00:01.000000"),
                (5, 2, "paid after cancellation", "2026-11-01 09:00:00.000000"),
            ]
            for rid, order_id, reason, at in refunds:
                _insert(
                    conn,
                    "refunds",
                    {
                        "id": rid,
                        "payment_id": order_id,
                        "order_id": order_id,
                        "amount_cents": 100,
                        "reason": reason,
                        "created_at": at,
                    },
                    rid,
                )
        upgrade(revision="heads")
        with db.engine.connect() as conn:
            found = dict(conn.execute(text("SELECT id, kind FROM refunds ORDER BY id")).all())
            states = set(conn.execute(text("SELECT state FROM refunds")).scalars())
        db.engine.dispose()
    assert found == {
        1: "line_edit",
        2: "goodwill",
        3: "goodwill",
        4: "cancellation",
        5: "cancellation",
    }
    assert states == {"succeeded"}
