"""Hub use cases: distribution points, producer-hub permissions, followers, "hubs near me",
the map of hubs and producers, requests for a hub where there is none."""

from __future__ import annotations

import csv
import gzip
import io
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from accounts import ratelimit
from core.db import db
from core.timeutils import utcnow
from enterprises import services as enterprise_services
from enterprises.geo import Postcode
from enterprises.geo import PostcodeLocation as PostcodeLocation  # re-exported
from enterprises.geo import find_postcode as find_postcode  # re-exported
from enterprises.models import MANUAL_MEANS, Enterprise
from hubs.errors import (
    HubRequestInvalid,
    LinkExists,
    LinkNotAllowed,
    PointInUse,
    PointInvalid,
    PostcodeUnknown,
    SettingsInvalid,
)
from hubs.models import (
    DistributionPoint,
    HubFollower,
    HubRequest,
    LinkSide,
    LinkStatus,
    ProducerHubLink,
)
from notifications.services import queue_email

POSTCODES_CSV = Path(__file__).resolve().parent / "data" / "postcodes-fr.csv.gz"
EARTH_RADIUS_KM = 6371.0088

# --------------------------------------------------------------------------- distribution points

POINT_FIELDS = (
    "name",
    "address",
    "postcode",
    "city",
    "access_instructions",
    "notes",
    "latitude",
    "longitude",
    "active",
)


def _clean_point(data: dict[str, Any]) -> dict[str, Any]:
    """Check a distribution point's fields; raise PointInvalid with every field error at once."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    name = (data.get("name") or "").strip()
    if not name:
        errors["name"] = [str(_l("A name is required."))]
    elif len(name) > 120:
        errors["name"] = [str(_l("At most 120 characters."))]
    out["name"] = name
    for key, limit in (("address", 200), ("city", 120), ("postcode", 10)):
        value = (data.get(key) or "").strip()
        if len(value) > limit:
            errors[key] = [str(_l("At most %(n)s characters.", n=limit))]
        out[key] = value
    if out["postcode"] and not (out["postcode"].isdigit() and len(out["postcode"]) == 5):
        errors["postcode"] = [str(_l("A French postcode has five digits."))]
    for key in ("access_instructions", "notes"):
        out[key] = (data.get(key) or "").strip()
    out["active"] = bool(data.get("active", True))
    coords: dict[str, Decimal | None] = {}
    for key, bound in (("latitude", 90), ("longitude", 180)):
        raw = data.get(key)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            coords[key] = None
            continue
        try:
            value = Decimal(str(raw).strip().replace(",", "."))
        except InvalidOperation:
            errors[key] = [str(_l("Not a number."))]
            continue
        if not value.is_finite() or abs(value) > bound:
            errors[key] = [str(_l("Must be between -%(b)s and %(b)s.", b=bound))]
            continue
        coords[key] = value.quantize(Decimal("0.000001"))
    if not errors and (coords["latitude"] is None) != (coords["longitude"] is None):
        errors["longitude" if coords["longitude"] is None else "latitude"] = [
            str(_l("Give both latitude and longitude, or neither."))
        ]
    if errors:
        raise PointInvalid(fields=errors)
    out.update(coords)
    if out["postcode"]:
        out["department"] = department_of(out["postcode"])
        if out["latitude"] is None:
            found = find_postcode(out["postcode"])
            if found is not None:
                out["latitude"], out["longitude"] = found.latitude, found.longitude
                out["city"] = out["city"] or found.commune
    else:
        out["department"] = ""
    return out


def department_of(postcode: str) -> str:
    """The department of a French postcode ("35000" → "35", "20000" → "2A", "97400" → "974")."""
    if postcode.startswith("97") or postcode.startswith("98"):
        return postcode[:3]
    if postcode.startswith("20"):
        return "2A" if postcode < "20200" else "2B"
    return postcode[:2]


def create_point(hub: Enterprise, data: dict[str, Any]) -> DistributionPoint:
    """Add a distribution point to a hub. Raises PointInvalid (fields) on bad input."""
    point = DistributionPoint(hub_id=hub.id, **_clean_point(data))
    db.session.add(point)
    db.session.commit()
    return point


def update_point(point: DistributionPoint, data: dict[str, Any]) -> DistributionPoint:
    """Change a distribution point. Raises PointInvalid (fields) on bad input."""
    for key, value in _clean_point(data).items():
        setattr(point, key, value)
    db.session.commit()
    return point


def delete_point(point: DistributionPoint) -> None:
    """Delete a point no pickup window uses; raises PointInUse otherwise (deactivate it then)."""
    from cycles.models import PickupWindow  # cycles build on hubs; this check looks back

    used = db.session.scalar(
        select(func.count(PickupWindow.id)).where(PickupWindow.distribution_point_id == point.id)
    )
    if used:
        raise PointInUse()
    db.session.delete(point)
    db.session.commit()


def list_points(hub: Enterprise, *, active_only: bool = False) -> list[DistributionPoint]:
    query = select(DistributionPoint).where(DistributionPoint.hub_id == hub.id)
    if active_only:
        query = query.where(DistributionPoint.active.is_(True))
    return list(db.session.scalars(query.order_by(DistributionPoint.name, DistributionPoint.id)))


# --------------------------------------------------------------------------- producer-hub links


def allowed_producer_ids(hub: Enterprise) -> set[int]:
    """Producers whose products the hub may offer: accepted links, plus itself if a producer."""
    ids = set(
        db.session.scalars(
            select(ProducerHubLink.producer_id).where(
                ProducerHubLink.hub_id == hub.id, ProducerHubLink.status == LinkStatus.accepted
            )
        )
    )
    if hub.is_producer:
        ids.add(hub.id)
    return ids


def may_sell(hub: Enterprise, producer_id: int) -> bool:
    if hub.is_producer and producer_id == hub.id:
        return True
    return (
        db.session.scalar(
            select(ProducerHubLink.id).where(
                ProducerHubLink.hub_id == hub.id,
                ProducerHubLink.producer_id == producer_id,
                ProducerHubLink.status == LinkStatus.accepted,
            )
        )
        is not None
    )


def request_link(
    *, producer: Enterprise, hub: Enterprise, side: LinkSide, message: str = ""
) -> ProducerHubLink:
    """Ask for a permission, from the producer's or the hub's side.

    A refused or withdrawn permission can be asked again (the same row is reopened). Raises
    LinkNotAllowed for an enterprise that is not a producer/hub or asks itself, LinkExists when a
    request is pending or the permission is already granted. The unique (producer, hub) constraint
    settles two simultaneous requests. The side that is asked is e-mailed (same transaction).
    """
    if not producer.is_producer or not hub.is_hub or producer.id == hub.id:
        raise LinkNotAllowed(_l("A producer can only link with another enterprise that is a hub."))
    link = db.session.scalar(
        select(ProducerHubLink)
        .where(ProducerHubLink.producer_id == producer.id, ProducerHubLink.hub_id == hub.id)
        .with_for_update()
    )
    if link is not None and link.status in (LinkStatus.requested, LinkStatus.accepted):
        raise LinkExists()
    if link is None:
        link = ProducerHubLink(producer_id=producer.id, hub_id=hub.id, requested_by=side)
        db.session.add(link)
    link.status = LinkStatus.requested
    link.requested_by = side
    link.message = (message or "").strip()[:2000]
    link.created_at = utcnow()
    link.decided_at = None
    try:
        db.session.flush()
        _tell_link_requested(link, producer=producer, hub=hub)
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise LinkExists() from exc
    return link


def _link_page(enterprise: Enterprise, *, producer_side: bool) -> str:
    """The absolute address of the enterprise's producer-hub permissions page (for e-mails)."""
    if producer_side:
        endpoint, values = "hubs.producer_links", {"producer_id": enterprise.id}
    else:
        endpoint, values = "hubs.hub_links", {"hub_id": enterprise.id}
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return f"{current_app.config['BASE_URL']}{path}"


def _tell_link_requested(link: ProducerHubLink, *, producer: Enterprise, hub: Enterprise) -> None:
    """E-mail the side that was asked (the producer when a hub asks, the hub otherwise)."""
    asked_producer = link.requested_by is LinkSide.hub
    asked, asking = (producer, hub) if asked_producer else (hub, producer)
    for email, locale in enterprise_services.contacts(asked):
        queue_email(
            to=email,
            template="emails/hubs/link_requested",
            locale=locale,
            kind="link_requested",
            asked_producer=asked_producer,
            asked=asked,
            asking=asking,
            message=link.message,
            link=_link_page(asked, producer_side=asked_producer),
        )


def _tell_link_decided(link: ProducerHubLink) -> None:
    """E-mail the side that asked: its request was accepted or refused."""
    asker_producer = link.requested_by is LinkSide.producer
    asker, decider = (link.producer, link.hub) if asker_producer else (link.hub, link.producer)
    for email, locale in enterprise_services.contacts(asker):
        queue_email(
            to=email,
            template="emails/hubs/link_decided",
            locale=locale,
            kind="link_decided",
            accepted=link.status is LinkStatus.accepted,
            asker_producer=asker_producer,
            asker=asker,
            decider=decider,
            link=_link_page(asker, producer_side=asker_producer),
        )


def _decide(link: ProducerHubLink, status: LinkStatus, now: datetime | None) -> ProducerHubLink:
    link.status = status
    link.decided_at = now or utcnow()
    return link


def accept_link(link: ProducerHubLink, now: datetime | None = None) -> ProducerHubLink:
    """The other side accepts a pending request (the asking side is e-mailed). Raises
    LinkNotAllowed if it is not pending."""
    if link.status is not LinkStatus.requested:
        raise LinkNotAllowed()
    _decide(link, LinkStatus.accepted, now)
    _tell_link_decided(link)
    db.session.commit()
    return link


def refuse_link(link: ProducerHubLink, now: datetime | None = None) -> ProducerHubLink:
    """The other side refuses a pending request (the asking side is e-mailed). Raises
    LinkNotAllowed if it is not pending."""
    if link.status is not LinkStatus.requested:
        raise LinkNotAllowed()
    _decide(link, LinkStatus.refused, now)
    _tell_link_decided(link)
    db.session.commit()
    return link


def withdraw_link(link: ProducerHubLink, now: datetime | None = None) -> ProducerHubLink:
    """The producer withdraws its permission (or a side cancels its own request).

    The producer's offers in the hub's cycles that have not closed yet are deactivated, so
    citizens can no longer order them; orders already placed are kept.
    """
    if link.status not in (LinkStatus.accepted, LinkStatus.requested):
        raise LinkNotAllowed()
    now = now or utcnow()
    was_accepted = link.status is LinkStatus.accepted
    _decide(link, LinkStatus.withdrawn, now)
    if was_accepted:
        from cycles.models import CycleOffer, OrderCycle

        running = select(OrderCycle.id).where(
            OrderCycle.hub_id == link.hub_id,
            OrderCycle.closes_at > now,
            OrderCycle.done_at.is_(None),
        )
        db.session.execute(
            update(CycleOffer)
            .where(CycleOffer.producer_id == link.producer_id, CycleOffer.cycle_id.in_(running))
            .values(active=False)
            .execution_options(synchronize_session=False)
        )
    db.session.commit()
    return link


def links_of_hub(hub: Enterprise) -> list[ProducerHubLink]:
    return list(
        db.session.scalars(
            select(ProducerHubLink)
            .where(ProducerHubLink.hub_id == hub.id)
            .options(joinedload(ProducerHubLink.producer))  # the list shows the other side
            .order_by(ProducerHubLink.status, ProducerHubLink.created_at.desc())
        )
    )


def hub_producers(hub: Enterprise) -> list[Enterprise]:
    """The producers a hub's page presents: accepted links to active producers, by name
    (the hub itself is not listed: its page is its own)."""
    return list(
        db.session.scalars(
            select(Enterprise)
            .join(ProducerHubLink, ProducerHubLink.producer_id == Enterprise.id)
            .where(
                ProducerHubLink.hub_id == hub.id,
                ProducerHubLink.status == LinkStatus.accepted,
                Enterprise.is_active.is_(True),
                Enterprise.id != hub.id,
            )
            .order_by(Enterprise.name, Enterprise.id)
        )
    )


def producer_hubs(producer: Enterprise) -> list[Enterprise]:
    """The active hubs a producer sells through (accepted links), by name: its public page's
    "where to find us"."""
    return list(
        db.session.scalars(
            select(Enterprise)
            .join(ProducerHubLink, ProducerHubLink.hub_id == Enterprise.id)
            .where(
                ProducerHubLink.producer_id == producer.id,
                ProducerHubLink.status == LinkStatus.accepted,
                Enterprise.is_active.is_(True),
                Enterprise.is_hub.is_(True),
            )
            .order_by(Enterprise.name, Enterprise.id)
        )
    )


def links_of_producer(producer: Enterprise) -> list[ProducerHubLink]:
    return list(
        db.session.scalars(
            select(ProducerHubLink)
            .where(ProducerHubLink.producer_id == producer.id)
            .options(joinedload(ProducerHubLink.hub))  # the list shows the other side
            .order_by(ProducerHubLink.status, ProducerHubLink.created_at.desc())
        )
    )


def linkable_enterprises(enterprise: Enterprise, *, want: str) -> list[Enterprise]:
    """Active producers (want="producer") or hubs (want="hub") with no pending/accepted link."""
    is_target = Enterprise.is_producer if want == "producer" else Enterprise.is_hub
    mine = ProducerHubLink.hub_id if want == "producer" else ProducerHubLink.producer_id
    theirs = ProducerHubLink.producer_id if want == "producer" else ProducerHubLink.hub_id
    busy = select(theirs).where(
        mine == enterprise.id,
        ProducerHubLink.status.in_([LinkStatus.requested, LinkStatus.accepted]),
    )
    return list(
        db.session.scalars(
            select(Enterprise)
            .where(
                is_target.is_(True),
                Enterprise.is_active.is_(True),
                Enterprise.id != enterprise.id,
                Enterprise.id.not_in(busy),
            )
            .order_by(Enterprise.name)
        )
    )


# --------------------------------------------------------------------------- followers


def is_following(user_id: int, hub: Enterprise) -> bool:
    return db.session.get(HubFollower, (user_id, hub.id)) is not None


def follow_hub(user_id: int, hub: Enterprise) -> None:
    """Follow a hub (e-mail when it opens a cycle). Following twice changes nothing."""
    if db.session.get(HubFollower, (user_id, hub.id)) is None:
        db.session.add(HubFollower(user_id=user_id, hub_id=hub.id))
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
        return
    db.session.commit()


def unfollow_hub(user_id: int, hub: Enterprise) -> None:
    db.session.execute(
        delete(HubFollower).where(HubFollower.user_id == user_id, HubFollower.hub_id == hub.id)
    )
    db.session.commit()


def followed_hubs(user_id: int) -> list[Enterprise]:
    """The hubs a user follows ("mes comptoirs"), by name; a deactivated one is listed too
    (the page says so and offers to stop following it)."""
    return list(
        db.session.scalars(
            select(Enterprise)
            .join(HubFollower, HubFollower.hub_id == Enterprise.id)
            .where(HubFollower.user_id == user_id, Enterprise.is_hub.is_(True))
            .order_by(Enterprise.is_active.desc(), Enterprise.name, Enterprise.id)
        )
    )


def follower_user_ids(hub: Enterprise) -> list[int]:
    return list(db.session.scalars(select(HubFollower.user_id).where(HubFollower.hub_id == hub.id)))


# --------------------------------------------------------------------------- postcodes and distance


def locate_postcode(postcode: str) -> PostcodeLocation:
    """Like find_postcode, raising PostcodeUnknown when the postcode is not in the table."""
    found = find_postcode(postcode)
    if found is None:
        raise PostcodeUnknown()
    return found


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


@dataclass
class NearbyHub:
    hub: Enterprise
    distance_km: float | None
    points: list[DistributionPoint]


def hubs_near(latitude: float | None, longitude: float | None) -> list[NearbyHub]:
    """Active hubs sorted by distance from a point (nearest distribution point or the hub's own
    address); hubs without coordinates come last. Two queries, whatever the number of hubs."""
    hubs = list(
        db.session.scalars(
            select(Enterprise)
            .where(Enterprise.is_hub.is_(True), Enterprise.is_active.is_(True))
            .order_by(Enterprise.name)
        )
    )
    points_by_hub: dict[int, list[DistributionPoint]] = {h.id: [] for h in hubs}
    if hubs:
        for point in db.session.scalars(
            select(DistributionPoint)
            .where(
                DistributionPoint.hub_id.in_(list(points_by_hub)),
                DistributionPoint.active.is_(True),
            )
            .order_by(DistributionPoint.name)
        ):
            points_by_hub[point.hub_id].append(point)
    result: list[NearbyHub] = []
    for hub in hubs:
        places = [(p.latitude, p.longitude) for p in points_by_hub[hub.id]]
        places.append((hub.latitude, hub.longitude))
        distance: float | None = None
        if latitude is not None and longitude is not None:
            known = [
                haversine_km(latitude, longitude, float(lat), float(lon))
                for lat, lon in places
                if lat is not None and lon is not None
            ]
            distance = min(known) if known else None
        result.append(NearbyHub(hub, distance, points_by_hub[hub.id]))
    result.sort(key=lambda n: (n.distance_km is None, n.distance_km or 0.0, n.hub.name))
    return result


def read_postcode_rows(
    path: Path = POSTCODES_CSV, departments: Iterable[str] | None = None
) -> list[dict[str, Any]]:
    wanted = {d.strip().upper() for d in departments} if departments else None
    with gzip.open(path, "rb") as raw:
        reader = csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8"))
        return [
            {
                "postcode": row["postcode"],
                "commune": row["commune"][:120],
                "insee_code": row["insee_code"],
                "department": row["department"],
                "latitude": Decimal(row["latitude"]),
                "longitude": Decimal(row["longitude"]),
            }
            for row in reader
            if wanted is None or row["department"] in wanted
        ]


def load_postcodes(path: Path = POSTCODES_CSV, departments: Iterable[str] | None = None) -> int:
    """Replace the ``postcodes`` table with the shipped open-data table (all of France, or the
    given departments). Idempotent: running it twice gives the same table. Returns the row count.
    """
    rows = read_postcode_rows(path, departments)
    db.session.execute(delete(Postcode))
    for start in range(0, len(rows), 5000):
        db.session.execute(insert(Postcode), rows[start : start + 5000])
    db.session.commit()
    return len(rows)


# --------------------------------------------------------------------------- hub settings

MAX_MARGIN_BP = 10_000
MAX_MIN_ORDER_CENTS = 100_000


@dataclass
class HubSettings:
    """What a hub's manager sets on its settings page (docs/payments.md, "Hub settings")."""

    accepts_card: bool
    accepts_at_pickup: bool
    manual_means: list[str]
    allows_order_changes: bool
    default_margin_bp: int
    min_order_cents: int
    contact_email: str
    phone: str
    #: link id -> the hub's fee on that producer's new offers (None: the hub's default)
    producer_margins: dict[int, int | None]


def settings_of(hub: Enterprise) -> HubSettings:
    return HubSettings(
        accepts_card=hub.allows_online_payment,
        accepts_at_pickup=hub.allows_pay_at_pickup,
        manual_means=hub.manual_means,
        allows_order_changes=hub.allows_order_changes,
        default_margin_bp=hub.default_margin_bp,
        min_order_cents=hub.min_order_cents,
        contact_email=hub.contact_email,
        phone=hub.phone,
        producer_margins={
            lk.id: lk.default_margin_bp
            for lk in links_of_hub(hub)
            if lk.status is LinkStatus.accepted
        },
    )


def update_settings(hub: Enterprise, settings: HubSettings) -> Enterprise:
    """Save a hub's payment means, order changes, margins, minimum and contact; commit once.

    At least one way to pay; paying at pickup needs at least one manual means; margins between
    0 and 100 %; the minimum between 0 and 1,000 €. Raises SettingsInvalid (one entry per field,
    nothing saved).
    """
    errors: dict[str, list[str]] = {}
    means = [m for m in MANUAL_MEANS if m in set(settings.manual_means)]
    if set(settings.manual_means) - set(MANUAL_MEANS):
        errors["manual_means"] = [str(_l("Unknown means of payment."))]
    if not (settings.accepts_card or settings.accepts_at_pickup):
        errors["accepts_at_pickup"] = [
            str(_l("Accept at least one way to pay: by card or at pickup."))
        ]
    elif settings.accepts_at_pickup and not means:
        errors.setdefault("manual_means", []).append(
            str(_l("Choose how buyers may pay at pickup."))
        )
    if not 0 <= settings.default_margin_bp <= MAX_MARGIN_BP:
        errors["default_margin"] = [str(_l("A hub fee is between 0 and 100 %."))]
    if not 0 <= settings.min_order_cents <= MAX_MIN_ORDER_CENTS:
        errors["min_order"] = [str(_l("The minimum order is between 0 and 1,000 €."))]
    links = {
        lk.id: lk
        for lk in links_of_hub(hub)
        if lk.status is LinkStatus.accepted and lk.id in settings.producer_margins
    }
    for link_id, margin in settings.producer_margins.items():
        if link_id not in links:
            errors[f"margin_{link_id}"] = [str(_l("Unknown producer."))]
        elif margin is not None and not 0 <= margin <= MAX_MARGIN_BP:
            errors[f"margin_{link_id}"] = [str(_l("A hub fee is between 0 and 100 %."))]
    if errors:
        raise SettingsInvalid(fields=errors)
    hub.allows_online_payment = settings.accepts_card
    hub.allows_pay_at_pickup = settings.accepts_at_pickup
    hub.manual_payment_means = ",".join(means)
    hub.allows_order_changes = settings.allows_order_changes
    hub.default_margin_bp = settings.default_margin_bp
    hub.min_order_cents = settings.min_order_cents
    hub.contact_email = settings.contact_email.strip()[:254]
    hub.phone = settings.phone.strip()[:40]
    for link_id, margin in settings.producer_margins.items():
        links[link_id].default_margin_bp = margin
    db.session.commit()
    return hub


def default_margin_bp(hub: Enterprise, producer_id: int) -> int:
    """The hub fee (basis points) a new offer of this producer gets when none is given."""
    margin = db.session.scalar(
        select(ProducerHubLink.default_margin_bp).where(
            ProducerHubLink.hub_id == hub.id,
            ProducerHubLink.producer_id == producer_id,
            ProducerHubLink.status == LinkStatus.accepted,
        )
    )
    return hub.default_margin_bp if margin is None else int(margin)


# --------------------------------------------------------------------------- nothing near

#: beyond this distance (km from the searched place), "hubs near me" says there is none near
NEAR_RADIUS_KM = 50.0


def nothing_near(nearby: list[NearbyHub], radius_km: float = NEAR_RADIUS_KM) -> bool:
    """True when a place was searched and no hub is within ``radius_km`` of it."""
    return not any(n.distance_km is not None and n.distance_km <= radius_km for n in nearby)


# --------------------------------------------------------------------------- the map


@dataclass(frozen=True)
class MapPlace:
    """An enterprise on the map: a hub (at its address, else its first point) or a producer."""

    enterprise: Enterprise
    kind: str  # "hub" or "producer"
    latitude: float | None
    longitude: float | None

    @property
    def located(self) -> bool:
        return self.latitude is not None and self.longitude is not None


def map_places() -> list[MapPlace]:
    """Every active hub and producer, hubs first, by name; an enterprise that is both is shown
    once, as a hub. Those with no known place are listed too (the page's list shows them, the
    map cannot). Two queries, whatever the number of enterprises."""
    enterprises = list(
        db.session.scalars(
            select(Enterprise)
            .where(Enterprise.is_active.is_(True))
            .order_by(Enterprise.is_hub.desc(), Enterprise.name, Enterprise.id)
        )
    )
    hub_ids = [
        e.id for e in enterprises if e.is_hub and (e.latitude is None or e.longitude is None)
    ]
    first_point: dict[int, DistributionPoint] = {}
    if hub_ids:
        for point in db.session.scalars(
            select(DistributionPoint)
            .where(
                DistributionPoint.hub_id.in_(hub_ids),
                DistributionPoint.active.is_(True),
                DistributionPoint.latitude.is_not(None),
                DistributionPoint.longitude.is_not(None),
            )
            .order_by(DistributionPoint.name, DistributionPoint.id)
        ):
            first_point.setdefault(point.hub_id, point)
    places = []
    for ent in enterprises:
        lat, lon = ent.latitude, ent.longitude
        if (lat is None or lon is None) and ent.id in first_point:
            lat, lon = first_point[ent.id].latitude, first_point[ent.id].longitude
        located = lat is not None and lon is not None
        places.append(
            MapPlace(
                ent,
                "hub" if ent.is_hub else "producer",
                float(lat) if located and lat is not None else None,
                float(lon) if located and lon is not None else None,
            )
        )
    return places


# --------------------------------------------------------------------------- asking for a hub

#: how long a request for a hub is kept (the privacy policy and the form say so)
REQUEST_RETENTION_DAYS = 365
PLACE_MAX = 120
REQUEST_MESSAGE_MAX = 2000


def request_hub(
    *,
    place: str,
    email: str = "",
    message: str = "",
    postcode: str = "",
    ip: str | None = None,
) -> HubRequest:
    """Record a visitor's wish for a hub near ``place`` (seen by the platform admins); commit
    once, after the rate limit's own commit. The e-mail is optional (to be told when a hub
    opens nearby). Raises HubRequestInvalid (fields ``place``, ``email``, ``message``),
    RateLimited (per address and per e-mail)."""
    place, email, message = (place or "").strip(), (email or "").strip(), (message or "").strip()
    postcode = (postcode or "").strip()
    errors: dict[str, list[str]] = {}
    if not place:
        errors["place"] = [str(_l("Say where: a town or a postcode."))]
    elif len(place) > PLACE_MAX:
        errors["place"] = [str(_l("At most %(max)s characters.", max=PLACE_MAX))]
    if email and (len(email) > 254 or not _looks_like_email(email)):
        errors["email"] = [str(_l("This e-mail address is not valid."))]
    if len(message) > REQUEST_MESSAGE_MAX:
        errors["message"] = [str(_l("At most %(max)s characters.", max=REQUEST_MESSAGE_MAX))]
    if errors:
        raise HubRequestInvalid(fields=errors)
    ratelimit.consume("hub_request", ip=ip, email=email or None)
    found = find_postcode(postcode) if postcode.isdigit() and len(postcode) == 5 else None
    request = HubRequest(
        place=place,
        postcode=found.postcode if found else "",
        email=email.lower(),
        message=message,
        latitude=found.latitude if found else None,
        longitude=found.longitude if found else None,
        created_at=utcnow(),
    )
    db.session.add(request)
    db.session.commit()
    return request


def _looks_like_email(value: str) -> bool:
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def hub_requests(limit: int = 500) -> list[HubRequest]:
    """The requests for a hub, newest first (the admins' page)."""
    return list(
        db.session.scalars(
            select(HubRequest)
            .order_by(HubRequest.created_at.desc(), HubRequest.id.desc())
            .limit(limit)
        )
    )


def purge_hub_requests(
    older_than: timedelta = timedelta(days=REQUEST_RETENTION_DAYS), now: datetime | None = None
) -> int:
    """Delete the requests older than the retention period (``flask hubs purge-requests``,
    daily); returns how many."""
    result = db.session.execute(
        delete(HubRequest).where(HubRequest.created_at < (now or utcnow()) - older_than)
    )
    db.session.commit()
    return int(getattr(result, "rowcount", 0) or 0)
