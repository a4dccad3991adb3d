"""French postcode centroids (the ``postcodes`` table) and the lookup of a postcode's centre.

Below hubs so that enterprises can place an address from its postcode; hubs ("hubs near me")
loads the table (``hubs.services.load_postcodes``) and re-exports these names.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Numeric, String, select
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Model, db


class Postcode(Model):
    """French postcode centroids from open data (La Poste / IGN), for "hubs near me"."""

    __tablename__ = "postcodes"

    id: Mapped[int] = mapped_column(primary_key=True)
    postcode: Mapped[str] = mapped_column(String(5), index=True)
    commune: Mapped[str] = mapped_column(String(120))
    insee_code: Mapped[str] = mapped_column(String(5), default="")
    department: Mapped[str] = mapped_column(String(3), default="")
    latitude: Mapped[Decimal] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal] = mapped_column(Numeric(9, 6))


@dataclass(frozen=True)
class PostcodeLocation:
    postcode: str
    commune: str
    latitude: Decimal
    longitude: Decimal


def find_postcode(postcode: str) -> PostcodeLocation | None:
    """The centre of a French postcode (mean of its communes' centres), from the shipped table."""
    code = (postcode or "").strip()
    if not (code.isdigit() and len(code) == 5):
        return None
    rows = db.session.execute(
        select(Postcode.commune, Postcode.latitude, Postcode.longitude)
        .where(Postcode.postcode == code)
        .order_by(Postcode.id)
    ).all()
    if not rows:
        return None
    lat = sum((Decimal(r.latitude) for r in rows), Decimal(0)) / len(rows)
    lon = sum((Decimal(r.longitude) for r in rows), Decimal(0)) / len(rows)
    q = Decimal("0.000001")
    return PostcodeLocation(code, rows[0].commune, lat.quantize(q), lon.quantize(q))
