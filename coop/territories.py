"""Territorial figures: what the platform does for local food, by department and by commune.

Definitions (also in docs/cooperative-model.md, "Territorial figures"):

- **Area of a sale**: the distribution point where the order is collected (its postcode and city).
  Producers and hubs are counted where they are located (their own postcode and city).
- **Department** from the postcode: the first two digits; Corsica 20000–20199 → "2A", 20200–20699
  → "2B"; overseas 97x/98x → three digits (``enterprises.services.department_of``). An address
  without a valid French postcode falls back to the stored ``department`` (else "?").
- **Commune**: postcode + city as written on the enterprise or point (case and spaces ignored).
- **Orders / sales**: orders confirmed or collected (not cancelled, not awaiting card payment),
  placed in the month (local time); sales = what they sold (``payments.money``: the order
  totals, producer price + hub fee, VAT included, after the hub's line edits, less goodwill
  refunds), the figure the hub's dashboard and reports show.
- **Share of sales kept within the department**: the line totals whose producer's department is
  the distribution point's department, divided by the line totals whose two departments are both
  known (a goodwill refund is the order's, not a line's: the share is on line totals).
- **Average distance**: the great-circle (haversine, R = 6371 km) distance from the producer to
  the distribution point, averaged over order lines (each line is one product travelling from one
  farm to one point, whatever its price). Lines without coordinates on either side are left out.
- **Active producers / hubs**: enterprises marked active and located in the area, at the time
  of the export (not per month).
- **Small cells**: a cell (area × month, or area over the period) with fewer than
  ``SMALL_CELL_THRESHOLD`` orders shows no figure (blank, ``suppressed`` = 1): with one or two
  orders, "sales at this village's point this month" is one household's shopping. Totals are not
  adjusted, so a determined reader may subtract; the data contain no personal data either way.

Cost: three aggregate queries whatever the number of orders (grouped by point and month, by
point, producer and month, and by enterprise location); Python only merges grouped rows.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal

from flask import current_app, has_app_context
from sqlalchemy import func, select

from core.csvexport import Number
from core.db import db, on_postgresql
from core.timeutils import local_date, local_to_utc, utcnow
from cycles.models import PickupWindow
from enterprises.models import Enterprise
from enterprises.services import department_of
from hubs.models import DistributionPoint
from orders.models import Order, OrderLine
from payments.money import COUNTED, money_columns

LEVELS = ("department", "commune")
SMALL_CELL_THRESHOLD = 3
DEFAULT_MONTHS = 12
MAX_MONTHS = 36
EARTH_RADIUS_KM = 6371.0

#: CSV columns, in order (documented on the page and in docs/cooperative-model.md)
CSV_COLUMNS = (
    "level",
    "code",
    "name",
    "department",
    "month",
    "active_producers",
    "active_hubs",
    "orders",
    "sales_eur",
    "local_sales_share_pct",
    "avg_distance_km",
    "suppressed",
)


# --------------------------------------------------------------------------- pure helpers


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two points in km (haversine formula, R = 6371 km)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def area_department(postcode: str | None, stored: str | None = "") -> str:
    """The department of an address: from its postcode, else the stored one, else "?"."""
    return department_of(postcode or "") or (stored or "").strip().upper() or "?"


def _commune_key(postcode: str | None, city: str | None) -> str:
    return f"{(postcode or '').strip()} {' '.join((city or '').split()).upper()}".strip() or "?"


def area_of(level: str, postcode: str | None, city: str | None, stored_dept: str | None) -> str:
    if level == "commune":
        return _commune_key(postcode, city)
    return area_department(postcode, stored_dept)


@dataclass(frozen=True)
class Period:
    """Whole local months, ``since`` and ``until`` being first days of months (both included)."""

    since: date
    until: date

    @property
    def months(self) -> list[str]:
        out, day = [], self.since
        while day <= self.until:
            out.append(f"{day.year:04d}-{day.month:02d}")
            day = _add_months(day, 1)
        return out

    @property
    def bounds(self):
        return (
            local_to_utc(self.since, time(0, 0)),
            local_to_utc(_add_months(self.until, 1), time(0, 0)),
        )


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _parse_month(text: str | None) -> date | None:
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        return date(year, month, 1)
    except ValueError:
        return None


def period_from(since: str | None = None, until: str | None = None) -> Period:
    """The period asked for ("YYYY-MM" strings), else the last 12 months up to this month.

    Bad or reversed input falls back to the default; longer than 36 months is cut to 36.
    """
    today = local_date(utcnow())
    this_month = date(today.year, today.month, 1)
    end = _parse_month(until) or this_month
    end = min(end, this_month)
    start = _parse_month(since) or _add_months(end, -(DEFAULT_MONTHS - 1))
    if start > end:
        start = _add_months(end, -(DEFAULT_MONTHS - 1))
    start = max(start, _add_months(end, -(MAX_MONTHS - 1)))
    return Period(since=start, until=end)


# --------------------------------------------------------------------------- aggregation


@dataclass
class Cell:
    """The figures of an area for a month (or for the whole period)."""

    orders: int = 0
    sales_cents: int = 0
    local_cents: int = 0
    known_cents: int = 0  # line totals whose two departments are known
    distance_km_sum: float = 0.0
    distance_lines: int = 0

    @property
    def suppressed(self) -> bool:
        return 0 < self.orders < SMALL_CELL_THRESHOLD

    @property
    def local_share_pct(self) -> Decimal | None:
        if not self.known_cents:
            return None
        return (Decimal(self.local_cents) * 100 / Decimal(self.known_cents)).quantize(
            Decimal("0.1")
        )

    @property
    def avg_distance_km(self) -> Decimal | None:
        if not self.distance_lines:
            return None
        return Decimal(self.distance_km_sum / self.distance_lines).quantize(Decimal("0.1"))

    def add(self, other: Cell) -> None:
        self.orders += other.orders
        self.sales_cents += other.sales_cents
        self.local_cents += other.local_cents
        self.known_cents += other.known_cents
        self.distance_km_sum += other.distance_km_sum
        self.distance_lines += other.distance_lines


@dataclass
class Area:
    code: str
    name: str
    department: str
    active_producers: int = 0
    active_hubs: int = 0
    months: dict[str, Cell] = field(default_factory=dict)
    total: Cell = field(default_factory=Cell)

    def cell(self, month: str) -> Cell:
        return self.months.setdefault(month, Cell())


@dataclass
class Territories:
    level: str
    period: Period
    areas: list[Area]
    total: Cell

    @property
    def months(self) -> list[str]:
        return self.period.months


def _month_expr(column):
    """The local "YYYY-MM" of an instant, computed by the database."""
    tz = current_app.config.get("APP_TIMEZONE", "Europe/Paris") if has_app_context() else "UTC"
    if on_postgresql():
        return func.to_char(func.timezone(tz, column), "YYYY-MM")
    return func.strftime("%Y-%m", column)  # SQLite (dev): UTC months


def _float(value) -> float | None:
    return None if value is None else float(value)


def territorial_figures(level: str = "department", period: Period | None = None) -> Territories:
    """Orders, sales, local share and distances per area and month; three queries.

    ``level``: "department" or "commune" (anything else is "department").
    """
    level = level if level in LEVELS else "department"
    period = period or period_from()
    start, end = period.bounds
    months = set(period.months)
    areas: dict[str, Area] = {}

    def area(postcode, city, stored_dept) -> Area:
        key = area_of(level, postcode, city, stored_dept)
        found = areas.get(key)
        if found is None:
            dept = area_department(postcode, stored_dept)
            name = dept if level == "department" else " ".join((city or "").split()) or "?"
            code = dept if level == "department" else (postcode or "").strip() or "?"
            found = areas[key] = Area(code=code, name=name, department=dept)
        return found

    point = DistributionPoint
    month = _month_expr(Order.placed_at).label("month")
    in_period = (
        Order.status.in_(COUNTED),
        Order.placed_at >= start,
        Order.placed_at < end,
    )

    # 1. orders and sales per distribution point and month
    money = money_columns(*in_period)
    per_point = db.session.execute(
        money.join(
            select(
                point.postcode,
                point.city,
                point.department,
                month,
                func.count(Order.id),
                func.coalesce(func.sum(money.sold), 0),
            )
        )
        .join(PickupWindow, PickupWindow.id == Order.pickup_window_id)
        .join(point, point.id == PickupWindow.distribution_point_id)
        .where(*in_period)
        .group_by(point.id, point.postcode, point.city, point.department, month)
    ).all()
    for postcode, city, dept, mon, orders, sales in per_point:
        if mon not in months:
            continue
        cell = area(postcode, city, dept).cell(mon)
        cell.orders += int(orders)
        cell.sales_cents += int(sales)

    # 2. line totals and line counts per (point, producer, month): local share and distances
    producer = Enterprise
    pairs = db.session.execute(
        select(
            point.postcode,
            point.city,
            point.department,
            point.latitude,
            point.longitude,
            producer.postcode,
            producer.department,
            producer.latitude,
            producer.longitude,
            month,
            func.count(OrderLine.id),
            func.coalesce(func.sum(OrderLine.line_total_cents), 0),
        )
        .select_from(OrderLine)
        .join(Order, Order.id == OrderLine.order_id)
        .join(PickupWindow, PickupWindow.id == Order.pickup_window_id)
        .join(point, point.id == PickupWindow.distribution_point_id)
        .join(producer, producer.id == OrderLine.producer_id)
        .where(*in_period)
        .group_by(point.id, producer.id, month)
    ).all()
    for (
        p_postcode,
        p_city,
        p_dept,
        p_lat,
        p_lon,
        f_postcode,
        f_dept,
        f_lat,
        f_lon,
        mon,
        lines,
        amount,
    ) in pairs:
        if mon not in months:
            continue
        cell = area(p_postcode, p_city, p_dept).cell(mon)
        point_dept = area_department(p_postcode, p_dept)
        farm_dept = area_department(f_postcode, f_dept)
        if "?" not in (point_dept, farm_dept):
            cell.known_cents += int(amount)
            if point_dept == farm_dept:
                cell.local_cents += int(amount)
        coords = [_float(v) for v in (f_lat, f_lon, p_lat, p_lon)]
        if None not in coords:
            cell.distance_km_sum += haversine_km(*coords) * int(lines)  # type: ignore[arg-type]
            cell.distance_lines += int(lines)

    # 3. active producers and hubs where they are located
    located = db.session.execute(
        select(
            Enterprise.postcode,
            Enterprise.city,
            Enterprise.department,
            func.count(Enterprise.id).filter(Enterprise.is_producer.is_(True)),
            func.count(Enterprise.id).filter(Enterprise.is_hub.is_(True)),
        )
        .where(Enterprise.is_active.is_(True))
        .group_by(Enterprise.postcode, Enterprise.city, Enterprise.department)
    ).all()
    for postcode, city, dept, producers, hubs in located:
        if not (producers or hubs):
            continue
        found = area(postcode, city, dept)
        found.active_producers += int(producers)
        found.active_hubs += int(hubs)

    total = Cell()
    for found in areas.values():
        for cell in found.months.values():
            found.total.add(cell)
        total.add(found.total)
    ordered = sorted(areas.values(), key=lambda a: (-a.total.sales_cents, a.department, a.name))
    return Territories(level=level, period=period, areas=ordered, total=total)


def _euros(cents: int) -> str:
    return Number(f"{Decimal(cents) / 100:.2f}")


def csv_rows(figures: Territories) -> Iterable[list[str]]:
    """One row per area and month with at least one order or one active enterprise in the area
    (months without orders are omitted); figures of small cells left blank."""
    yield list(CSV_COLUMNS)
    for found in sorted(figures.areas, key=lambda a: (a.department, a.code, a.name)):
        months = [m for m in figures.months if m in found.months] or [""]
        for mon in months:
            cell = found.months.get(mon, Cell())
            hidden = cell.suppressed
            share, distance = cell.local_share_pct, cell.avg_distance_km
            yield [
                figures.level,
                found.code,
                found.name,
                found.department,
                mon,
                str(found.active_producers),
                str(found.active_hubs),
                "" if hidden else str(cell.orders),
                "" if hidden else _euros(cell.sales_cents),
                "" if hidden or share is None else str(share),
                "" if hidden or distance is None else str(distance),
                "1" if hidden else "0",
            ]
