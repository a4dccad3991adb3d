"""Hub pages: "hubs near me", a hub's public page, following, manager pages (points, links)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from accounts import ratelimit
from core.db import db
from core.forms import choices, filled
from core.headers import allows_map_tiles, allows_stripe_onboarding
from core.security import safe_next_url
from core.timeutils import utcnow
from core.views import domain_errors, load, redirect_on_error
from enterprises.models import Enterprise
from hubs import services
from hubs.forms import (
    MANUAL_MEANS_LABELS,
    HubRequestForm,
    HubSettingsForm,
    LinkRequestForm,
    NearForm,
    PointForm,
    parse_hundredths,
)
from hubs.models import DistributionPoint, LinkSide, LinkStatus, ProducerHubLink
from hubs.permissions import (
    can_act_on_link,
    can_follow,
    can_manage_hub,
    can_manage_producer,
    can_view_hub,
)

bp = Blueprint("hubs", __name__)


def _open_cycles(hub_ids: list[int]) -> dict[int, Any]:
    from cycles.services import open_cycles_by_hub  # cycles build on hubs: looked up at call

    return open_cycles_by_hub(hub_ids)


@bp.app_context_processor
def hub_helpers() -> dict[str, Any]:
    def hub_means_labels(hub: Enterprise) -> list[str]:
        """The manual means the hub accepts at pickup, in the reader's language."""
        return [str(MANUAL_MEANS_LABELS[m]) for m in hub.manual_means if m in MANUAL_MEANS_LABELS]

    return {
        "hub_means_labels": hub_means_labels,
        "producer_hubs": services.producer_hubs,
    }


@bp.get("/hubs")
def near():
    form = NearForm(request.args)
    lat = request.args.get("lat", type=float)
    lon = request.args.get("lon", type=float)
    origin = None
    error = None
    postcode = (request.args.get("postcode") or "").strip()
    if postcode:
        found = services.find_postcode(postcode)
        if found is None:
            error = _("Unknown French postcode: check it, or use your location.")
            form.postcode.errors = [error]
        else:
            lat, lon = float(found.latitude), float(found.longitude)
            origin = _("%(postcode)s %(commune)s", postcode=found.postcode, commune=found.commune)
    elif lat is not None and lon is not None:
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            lat = lon = None
        else:
            origin = _("your location")
    else:
        lat = lon = None
    nearby = services.hubs_near(lat, lon)
    cycles = _open_cycles([n.hub.id for n in nearby])
    far = origin is not None and services.nothing_near(nearby)
    ask = None
    if far:
        ask = HubRequestForm(formdata=None, place=origin if postcode else "", postcode=postcode)
    return (
        render_template(
            "hubs/near.html",
            form=form,
            nearby=nearby,
            cycles=cycles,
            origin=origin,
            far=far,
            ask=ask,
            radius_km=services.NEAR_RADIUS_KM,
            retention_days=services.REQUEST_RETENTION_DAYS,
            now=utcnow(),
        ),
        422 if error else 200,
    )


@bp.get("/map", endpoint="map")
@allows_map_tiles
def map_page():
    """The map of hubs and producers (Leaflet, served from static/vendor/leaflet), over the
    list of the same places: the list is the page without JavaScript, and the map's data."""
    places = services.map_places()
    return render_template(
        "hubs/map.html",
        hubs=[p for p in places if p.kind == "hub"],
        producers=[p for p in places if p.kind == "producer"],
    )


@bp.route("/hubs/ask", methods=["GET", "POST"])
def ask():
    """No hub near you: ask the cooperative for one (recorded for the platform admins)."""
    form = HubRequestForm()
    if form.validate_on_submit():
        with domain_errors(form) as attempt:
            services.request_hub(
                place=filled(form.place.data),
                email=form.email.data or "",
                message=form.message.data or "",
                postcode=form.postcode.data or "",
                ip=ratelimit.client_ip(),
            )
        if attempt.ok:
            flash(_("Thank you: your request is recorded."), "success")
            return redirect(url_for("hubs.near"))
        status = getattr(attempt.error, "status", 422)
    else:
        status = 422 if form.is_submitted() else 200
    return (
        render_template("hubs/ask.html", form=form, retention_days=services.REQUEST_RETENTION_DAYS),
        status,
    )


@bp.get("/hubs/<int:hub_id>")
def public(hub_id: int):
    """The hub's one public page (``/e/<slug>`` of a hub redirects here): what it is, how to
    order (the open cycle, else the next), where and when to collect, its producers, contact,
    follow. A deactivated hub is hidden (404) except from its managers."""
    hub = load(Enterprise, hub_id, allow=lambda hub: can_view_hub(current_user, hub), hide=True)
    from cycles.services import public_cycles

    cycles = public_cycles(hub)
    windows_by_point: dict[int, list[Any]] = {}
    for cycle in cycles:
        for window in cycle.windows:
            windows_by_point.setdefault(window.distribution_point_id, []).append(window)
    following = current_user.is_authenticated and services.is_following(current_user.id, hub)
    return render_template(
        "hubs/public.html",
        hub=hub,
        points=services.list_points(hub, active_only=True),
        windows_by_point=windows_by_point,
        producers=services.hub_producers(hub),
        cycles=cycles,
        following=following,
        can_manage=can_manage_hub(current_user, hub),
        now=utcnow(),
    )


@bp.get("/my/hubs")
@login_required
def followed():
    """ "Mes comptoirs": the hubs the user follows, with their open cycle."""
    hubs = services.followed_hubs(current_user.id)
    return render_template(
        "hubs/followed.html",
        hubs=hubs,
        cycles=_open_cycles([h.id for h in hubs if h.is_active]),
        now=utcnow(),
    )


@bp.post("/hubs/<int:hub_id>/follow")
@login_required
def follow(hub_id: int):
    hub = load(Enterprise, hub_id, allow=lambda hub: can_follow(current_user, hub))
    services.follow_hub(current_user.id, hub)
    flash(
        _("You follow %(name)s.", name=hub.name),
        "success",
    )
    return redirect(_back_to_hub(hub))


@bp.post("/hubs/<int:hub_id>/unfollow")
@login_required
def unfollow(hub_id: int):
    hub = load(Enterprise, hub_id)
    services.unfollow_hub(current_user.id, hub)
    flash(_("You no longer follow %(name)s.", name=hub.name), "success")
    return redirect(_back_to_hub(hub))


def _back_to_hub(hub: Enterprise) -> str:
    """Where a follow button sends back: the page it was on (``next``), else the hub's."""
    return safe_next_url(request.form.get("next"), url_for("hubs.public", hub_id=hub.id))


# --------------------------------------------------------------------------- manager pages


def _managed_hub(hub_id: int) -> Enterprise:
    return load(Enterprise, hub_id, allow=lambda hub: can_manage_hub(current_user, hub))


@bp.get("/hubs/<int:hub_id>/manage")
@login_required
def manage(hub_id: int):
    hub = _managed_hub(hub_id)
    links = services.links_of_hub(hub)
    return render_template(
        "hubs/manage.html",
        hub=hub,
        points=services.list_points(hub),
        pending=[lk for lk in links if lk.status is LinkStatus.requested],
        accepted=[lk for lk in links if lk.status is LinkStatus.accepted],
    )


@bp.route("/hubs/<int:hub_id>/settings", methods=["GET", "POST"])
@login_required
@allows_stripe_onboarding
def settings(hub_id: int):
    hub = _managed_hub(hub_id)
    current = services.settings_of(hub)
    links = [lk for lk in services.links_of_hub(hub) if lk.status is LinkStatus.accepted]
    form = HubSettingsForm()
    margin_inputs: dict[int, str] = {}
    margin_errors: dict[int, list[str]] = {}
    if request.method == "GET":
        form.accepts_card.data = current.accepts_card
        form.accepts_at_pickup.data = current.accepts_at_pickup
        form.manual_means.data = current.manual_means
        form.allows_order_changes.data = current.allows_order_changes
        form.default_margin.data = _hundredths_text(current.default_margin_bp)
        form.min_order.data = _hundredths_text(current.min_order_cents)
        form.contact_email.data = current.contact_email
        form.phone.data = current.phone
        margin_inputs = {
            lk.id: _hundredths_text(lk.default_margin_bp)
            if lk.default_margin_bp is not None
            else ""
            for lk in links
        }
    else:
        margins: dict[int, int | None] = {}
        for lk in links:
            text = request.form.get(f"margin_{lk.id}", "")
            margin_inputs[lk.id] = text
            try:
                margins[lk.id] = parse_hundredths(text)
            except (ValueError, ArithmeticError):
                margin_errors[lk.id] = [_("Enter a number, e.g. 12,5.")]
        if form.validate_on_submit() and not margin_errors:
            with domain_errors(form) as attempt:
                services.update_settings(
                    hub,
                    services.HubSettings(
                        accepts_card=form.accepts_card.data,
                        accepts_at_pickup=form.accepts_at_pickup.data,
                        manual_means=list(form.manual_means.data or []),
                        allows_order_changes=form.allows_order_changes.data,
                        default_margin_bp=form.default_margin.hundredths or 0,
                        min_order_cents=form.min_order.hundredths or 0,
                        contact_email=form.contact_email.data or "",
                        phone=form.phone.data or "",
                        producer_margins=margins,
                    ),
                )
            if attempt.error is not None:
                for name, messages in attempt.error.fields.items():
                    if name.startswith("margin_") and name[7:].isdigit():
                        margin_errors[int(name[7:])] = [str(m) for m in messages]
            else:
                flash(_("Settings saved."), "success")
                return redirect(url_for("hubs.settings", hub_id=hub.id), 303)
    status = 422 if request.method == "POST" else 200
    return (
        render_template(
            "hubs/settings.html",
            hub=hub,
            form=form,
            links=links,
            margin_inputs=margin_inputs,
            margin_errors=margin_errors,
        ),
        status,
    )


def _hundredths_text(value: int) -> str:
    """750 -> "7,5"; 1000 -> "10"; 0 -> "0"."""
    whole, rest = divmod(value, 100)
    if not rest:
        return str(whole)
    return f"{whole},{rest:02d}".rstrip("0")


def _point_data(form: PointForm) -> dict[str, Any]:
    return {name: getattr(form, name).data for name in services.POINT_FIELDS}


@bp.route("/hubs/<int:hub_id>/points/new", methods=["GET", "POST"])
@login_required
def point_new(hub_id: int):
    hub = _managed_hub(hub_id)
    form = PointForm()
    if form.validate_on_submit():
        with domain_errors(form) as attempt:
            services.create_point(hub, _point_data(form))
        if attempt.ok:
            flash(_("Distribution point added."), "success")
            return redirect(url_for("hubs.manage", hub_id=hub.id))
    status = 422 if request.method == "POST" else 200
    return render_template("hubs/point_form.html", hub=hub, form=form, point=None), status


def _point(hub: Enterprise, point_id: int) -> DistributionPoint:
    return load(DistributionPoint, point_id, where=lambda point: point.hub_id == hub.id)


@bp.route("/hubs/<int:hub_id>/points/<int:point_id>/edit", methods=["GET", "POST"])
@login_required
def point_edit(hub_id: int, point_id: int):
    hub = _managed_hub(hub_id)
    point = _point(hub, point_id)
    form = PointForm(obj=None if request.method == "POST" else point)
    if request.method == "GET":
        form.latitude.data = "" if point.latitude is None else str(point.latitude)
        form.longitude.data = "" if point.longitude is None else str(point.longitude)
    if form.validate_on_submit():
        with domain_errors(form) as attempt:
            services.update_point(point, _point_data(form))
        if attempt.ok:
            flash(_("Distribution point saved."), "success")
            return redirect(url_for("hubs.manage", hub_id=hub.id))
    status = 422 if request.method == "POST" else 200
    return render_template("hubs/point_form.html", hub=hub, form=form, point=point), status


@bp.post("/hubs/<int:hub_id>/points/<int:point_id>/delete")
@login_required
@redirect_on_error("hubs.manage")
def point_delete(hub_id: int, point_id: int):
    hub = _managed_hub(hub_id)
    services.delete_point(_point(hub, point_id))
    flash(_("Distribution point deleted."), "success")
    return redirect(url_for("hubs.manage", hub_id=hub.id))


# --------------------------------------------------------------------------- producer-hub links


@bp.route("/hubs/<int:hub_id>/producers", methods=["GET", "POST"])
@login_required
@redirect_on_error("hubs.hub_links")
def hub_links(hub_id: int):
    hub = _managed_hub(hub_id)
    form = LinkRequestForm()
    form.other_id.choices = choices(
        (e.id, f"{e.name} ({e.city})" if e.city else e.name)
        for e in services.linkable_enterprises(hub, want="producer")
    )
    if form.validate_on_submit():
        producer = db.get_or_404(Enterprise, form.other_id.data)
        services.request_link(
            producer=producer, hub=hub, side=LinkSide.hub, message=form.message.data or ""
        )
        flash(_("Request sent to %(name)s.", name=producer.name), "success")
        return redirect(url_for("hubs.hub_links", hub_id=hub.id))
    return render_template(
        "hubs/links.html",
        enterprise=hub,
        side="hub",
        links=services.links_of_hub(hub),
        form=form,
    ), (422 if request.method == "POST" else 200)


@bp.route("/producers/<int:producer_id>/hubs", methods=["GET", "POST"])
@login_required
@redirect_on_error("hubs.producer_links")
def producer_links(producer_id: int):
    producer = load(
        Enterprise, producer_id, allow=lambda producer: can_manage_producer(current_user, producer)
    )
    form = LinkRequestForm()
    form.other_id.choices = choices(
        (e.id, f"{e.name} ({e.city})" if e.city else e.name)
        for e in services.linkable_enterprises(producer, want="hub")
    )
    if form.validate_on_submit():
        hub = db.get_or_404(Enterprise, form.other_id.data)
        services.request_link(
            producer=producer, hub=hub, side=LinkSide.producer, message=form.message.data or ""
        )
        flash(_("Request sent to %(name)s.", name=hub.name), "success")
        return redirect(url_for("hubs.producer_links", producer_id=producer.id))
    return render_template(
        "hubs/links.html",
        enterprise=producer,
        side="producer",
        links=services.links_of_producer(producer),
        form=form,
    ), (422 if request.method == "POST" else 200)


LINK_ACTIONS = {
    "accept": (services.accept_link, _l("Permission granted.")),
    "refuse": (services.refuse_link, _l("Request refused.")),
    "withdraw": (services.withdraw_link, _l("Permission withdrawn.")),
}


@bp.post("/links/<int:link_id>/<any(accept,refuse,withdraw):action>")
@login_required
def link_action(link_id: int, action: str):
    link = load(
        ProducerHubLink, link_id, allow=lambda link: can_act_on_link(current_user, link, action)
    )
    service, message = LINK_ACTIONS[action]
    with domain_errors() as attempt:
        service(link)
    if attempt.ok:
        flash(str(message), "success")
    default = (
        url_for("hubs.producer_links", producer_id=link.producer_id)
        if can_manage_producer(current_user, link.producer)
        else url_for("hubs.hub_links", hub_id=link.hub_id)
    )
    return redirect(safe_next_url(request.form.get("next"), default))
