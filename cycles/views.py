"""Manager pages of order cycles: list, create/edit, pickup windows and slots, offers, actions."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from core.db import db
from core.forms import choices, filled
from core.money import parse_euros
from core.timeutils import local_to_utc, to_local, utcnow
from core.views import domain_errors, load, redirect_on_error
from cycles import services
from cycles.forms import CycleForm, GenerateSlotsForm, SlotCapacityForm, SlotForm, WindowForm
from cycles.models import CycleOffer, FeeKind, OrderCycle, PickupSlot, PickupWindow
from cycles.permissions import cycle_actions
from cycles.pricing import customer_price_cents
from enterprises.models import Enterprise
from enterprises.permissions import can_manage_hub
from hubs import services as hub_services

bp = Blueprint("cycles", __name__)

OFFERS_PER_PAGE = 50


def _hub(hub_id: int) -> Enterprise:
    return load(Enterprise, hub_id, allow=lambda hub: can_manage_hub(current_user, hub))


def _cycle(hub_id: int, cycle_id: int) -> tuple[Enterprise, OrderCycle]:
    hub = _hub(hub_id)
    return hub, load(OrderCycle, cycle_id, where=lambda cycle: cycle.hub_id == hub.id)


def _window(cycle: OrderCycle, window_id: int) -> PickupWindow:
    return load(PickupWindow, window_id, where=lambda window: window.cycle_id == cycle.id)


def _local_utc(value: datetime) -> datetime:
    return local_to_utc(value.date(), value.time())


def _naive_local(value: datetime) -> datetime:
    return to_local(value).replace(tzinfo=None)


def _detail(hub: Enterprise, cycle: OrderCycle) -> str:
    return url_for("cycles.detail", hub_id=hub.id, cycle_id=cycle.id)


def _at_window() -> str:
    """The cycle page at the window the URL names (directly, or through its slot)."""
    args = request.view_args or {}
    window_id = args.get("window_id")
    if window_id is None:
        window_id = db.get_or_404(PickupSlot, args["slot_id"]).window_id
    url = url_for("cycles.detail", hub_id=args["hub_id"], cycle_id=args["cycle_id"])
    return f"{url}#window-{window_id}"


@bp.get("/hubs/<int:hub_id>/cycles", endpoint="list")
@login_required
def cycle_list(hub_id: int):
    hub = _hub(hub_id)
    now = utcnow()
    cycles = services.list_cycles(hub)
    return render_template("cycles/list.html", hub=hub, cycles=cycles, now=now)


def _cycle_fields(form: CycleForm) -> services.CycleFields:
    return services.CycleFields(
        name=form.name.data or "",
        opens_at=_local_utc(filled(form.opens_at.data)),
        closes_at=_local_utc(filled(form.closes_at.data)),
        repeat_weekly=bool(form.repeat_weekly.data),
        order_cap=form.order_cap.data,
        message=form.message.data or "",
    )


@bp.route("/hubs/<int:hub_id>/cycles/new", methods=["GET", "POST"])
@login_required
def new(hub_id: int):
    hub = _hub(hub_id)
    form = CycleForm()
    if form.validate_on_submit():
        with domain_errors(form) as attempt:
            cycle = services.create_cycle(hub, _cycle_fields(form))
        if attempt.ok:
            flash(_("Cycle created. Add its pickup windows, then its products."), "success")
            return redirect(_detail(hub, cycle))
    status = 422 if request.method == "POST" else 200
    return render_template("cycles/form.html", hub=hub, form=form, cycle=None), status


@bp.route("/hubs/<int:hub_id>/cycles/<int:cycle_id>/edit", methods=["GET", "POST"])
@login_required
def edit(hub_id: int, cycle_id: int):
    hub, cycle = _cycle(hub_id, cycle_id)
    form = CycleForm(
        data=None
        if request.method == "POST"
        else {
            "name": cycle.name,
            "opens_at": _naive_local(cycle.opens_at),
            "closes_at": _naive_local(cycle.closes_at),
            "repeat_weekly": cycle.repeat_weekly,
            "order_cap": cycle.order_cap,
            "message": cycle.message,
        }
    )
    if form.validate_on_submit():
        with domain_errors(form) as attempt:
            services.update_cycle(cycle, _cycle_fields(form))
        if attempt.ok:
            flash(_("Cycle saved."), "success")
            return redirect(_detail(hub, cycle))
    status = 422 if request.method == "POST" else 200
    return render_template("cycles/form.html", hub=hub, form=form, cycle=cycle), status


def _window_form(hub: Enterprise, formdata: Any = None) -> WindowForm:
    form = WindowForm(formdata=formdata) if formdata is not None else WindowForm()
    form.distribution_point_id.choices = choices(
        (p.id, p.name) for p in hub_services.list_points(hub, active_only=True)
    )
    return form


@bp.get("/hubs/<int:hub_id>/cycles/<int:cycle_id>")
@login_required
def detail(hub_id: int, cycle_id: int, window_form: WindowForm | None = None, status: int = 200):
    hub, cycle = _cycle(hub_id, cycle_id)
    cycle = services.load_windows(cycle)
    now = utcnow()
    offers_count = db.session.scalar(
        db.select(db.func.count(CycleOffer.id)).where(
            CycleOffer.cycle_id == cycle.id, CycleOffer.active.is_(True)
        )
    )
    return (
        render_template(
            "cycles/detail.html",
            hub=hub,
            cycle=cycle,
            state=cycle.state_at(now),
            actions=cycle_actions(cycle, now),
            window_form=window_form or _window_form(hub),
            slot_form=SlotForm(formdata=None),
            generate_form=GenerateSlotsForm(formdata=None),
            capacity_form=SlotCapacityForm(formdata=None),
            offers_count=offers_count,
        ),
        status,
    )


ACTIONS = {
    "publish": (services.publish_cycle, _l("Cycle published.")),
    "unpublish": (services.unpublish_cycle, _l("Cycle back to draft.")),
    "close": (services.close_now, _l("Cycle closed: no more orders are accepted.")),
    "done": (services.mark_done, _l("Cycle marked done.")),
}


@bp.post("/hubs/<int:hub_id>/cycles/<int:cycle_id>/<any(publish,unpublish,close,done):action>")
@login_required
@redirect_on_error("cycles.detail")
def action(hub_id: int, cycle_id: int, action: str):
    hub, cycle = _cycle(hub_id, cycle_id)
    service, message = ACTIONS[action]
    service(cycle)
    flash(str(message), "success")
    return redirect(_detail(hub, cycle))


@bp.post("/hubs/<int:hub_id>/cycles/<int:cycle_id>/duplicate")
@login_required
def duplicate(hub_id: int, cycle_id: int):
    hub, cycle = _cycle(hub_id, cycle_id)
    copy = services.duplicate_cycle(cycle)
    flash(
        _("Cycle duplicated as a draft for the following week: check it, then publish it."),
        "success",
    )
    return redirect(url_for("cycles.edit", hub_id=hub.id, cycle_id=copy.id))


@bp.post("/hubs/<int:hub_id>/cycles/<int:cycle_id>/delete")
@login_required
@redirect_on_error("cycles.detail")
def delete(hub_id: int, cycle_id: int):
    hub, cycle = _cycle(hub_id, cycle_id)
    services.delete_cycle(cycle)
    flash(_("Draft deleted."), "success")
    return redirect(url_for("cycles.list", hub_id=hub.id))


@bp.post("/hubs/<int:hub_id>/cycles/<int:cycle_id>/windows")
@login_required
def add_window(hub_id: int, cycle_id: int):
    hub, cycle = _cycle(hub_id, cycle_id)
    form = _window_form(hub, request.form)
    if form.validate():
        with domain_errors(form, {"starts_at": "start", "ends_at": "end"}) as attempt:
            services.add_window(
                cycle,
                distribution_point_id=form.distribution_point_id.data,
                starts_at=local_to_utc(filled(form.day.data), filled(form.start.data)),
                ends_at=local_to_utc(filled(form.day.data), filled(form.end.data)),
            )
        if attempt.ok:
            flash(_("Pickup window added."), "success")
            return redirect(_detail(hub, cycle))
    db.session.refresh(cycle)
    return detail(hub_id, cycle_id, window_form=form, status=422)


@bp.post("/hubs/<int:hub_id>/cycles/<int:cycle_id>/windows/<int:window_id>/delete")
@login_required
@redirect_on_error("cycles.detail")
def remove_window(hub_id: int, cycle_id: int, window_id: int):
    hub, cycle = _cycle(hub_id, cycle_id)
    services.remove_window(_window(cycle, window_id))
    flash(_("Pickup window removed."), "success")
    return redirect(_detail(hub, cycle))


@bp.post("/hubs/<int:hub_id>/cycles/<int:cycle_id>/windows/<int:window_id>/slots")
@login_required
@redirect_on_error(_at_window, fields=True)
def add_slot(hub_id: int, cycle_id: int, window_id: int):
    hub, cycle = _cycle(hub_id, cycle_id)
    window = _window(cycle, window_id)
    form = SlotForm()
    if not form.validate():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(_detail(hub, cycle) + f"#window-{window.id}")
    day = to_local(window.starts_at).date()
    services.add_slot(
        window,
        starts_at=local_to_utc(day, filled(form.start.data)),
        ends_at=local_to_utc(day, filled(form.end.data)),
        capacity=filled(form.capacity.data),
    )
    flash(_("Slot added."), "success")
    return redirect(_detail(hub, cycle) + f"#window-{window.id}")


@bp.post("/hubs/<int:hub_id>/cycles/<int:cycle_id>/windows/<int:window_id>/generate")
@login_required
@redirect_on_error(_at_window, fields=True)
def generate_slots(hub_id: int, cycle_id: int, window_id: int):
    hub, cycle = _cycle(hub_id, cycle_id)
    window = _window(cycle, window_id)
    form = GenerateSlotsForm()
    if not form.validate():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(_detail(hub, cycle) + f"#window-{window.id}")
    created = services.generate_slots(
        window, every_minutes=filled(form.every_minutes.data), capacity=filled(form.capacity.data)
    )
    flash(_("%(n)s slots created.", n=len(created)), "success")
    return redirect(_detail(hub, cycle) + f"#window-{window.id}")


def _slot(cycle: OrderCycle, slot_id: int) -> PickupSlot:
    return load(PickupSlot, slot_id, where=lambda slot: slot.window.cycle_id == cycle.id)


@bp.post("/hubs/<int:hub_id>/cycles/<int:cycle_id>/slots/<int:slot_id>")
@login_required
@redirect_on_error(_at_window, fields=True)
def update_slot(hub_id: int, cycle_id: int, slot_id: int):
    hub, cycle = _cycle(hub_id, cycle_id)
    slot = _slot(cycle, slot_id)
    form = SlotCapacityForm()
    if not form.validate():
        flash(_("The capacity must be at least 1 order."), "error")
    else:
        services.update_slot(slot, capacity=filled(form.capacity.data))
        flash(_("Slot saved."), "success")
    return redirect(_detail(hub, cycle) + f"#window-{slot.window_id}")


@bp.post("/hubs/<int:hub_id>/cycles/<int:cycle_id>/slots/<int:slot_id>/delete")
@login_required
@redirect_on_error(_at_window)
def remove_slot(hub_id: int, cycle_id: int, slot_id: int):
    hub, cycle = _cycle(hub_id, cycle_id)
    slot = _slot(cycle, slot_id)
    window_id = slot.window_id
    services.remove_slot(slot)
    flash(_("Slot removed."), "success")
    return redirect(_detail(hub, cycle) + f"#window-{window_id}")


# --------------------------------------------------------------------------- offers


def parse_fee(kind: str, text: str) -> tuple[FeeKind, int | None]:
    """ "10" or "10,5" percent → basis points; "0,50" euros → cents; "" → None (the hub's
    default margin, in percent). ValueError if unreadable."""
    fee_kind = FeeKind(kind) if kind in FeeKind.__members__ else FeeKind.percent
    text = (text or "").strip()
    if not text:
        return FeeKind.percent, None
    if fee_kind is FeeKind.fixed:
        return fee_kind, parse_euros(text)
    try:
        value = Decimal(text.replace(",", ".").replace("%", "").strip())
    except InvalidOperation as exc:
        raise ValueError(text) from exc
    if not value.is_finite() or value != value.quantize(Decimal("0.01")):
        raise ValueError(text)
    return fee_kind, int(value * 100)


def fee_input(offer: CycleOffer | None) -> str:
    if offer is None:
        return ""
    if offer.hub_fee_kind is FeeKind.fixed:
        return f"{Decimal(offer.hub_fee_value) / 100:.2f}".replace(".", ",")
    return f"{Decimal(offer.hub_fee_value) / 100:g}".replace(".", ",")


@bp.route("/hubs/<int:hub_id>/cycles/<int:cycle_id>/offers", methods=["GET", "POST"])
@login_required
def offers(hub_id: int, cycle_id: int):
    hub, cycle = _cycle(hub_id, cycle_id)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    search = request.args.get("q", "")
    row_errors: dict[str, list[str]] = {}
    if request.method == "POST":
        shown = [int(v) for v in request.form.getlist("shown") if v.isdigit()]
        specs = []
        for vid in shown:
            if not request.form.get(f"offer_{vid}"):
                continue
            cap_text = request.form.get(f"cap_{vid}", "").strip()
            try:
                cap = int(cap_text) if cap_text else None
                kind, value = parse_fee(
                    request.form.get(f"fee_kind_{vid}", "percent"),
                    request.form.get(f"fee_{vid}", ""),
                )
            except ValueError:
                row_errors[str(vid)] = [
                    _("Enter whole numbers for the cap and a number for the fee.")
                ]
                continue
            specs.append(services.OfferSpec(vid, cap, kind, value))
        if not row_errors:
            with domain_errors() as attempt:
                services.save_offer_page(cycle, shown_variant_ids=shown, specs=specs)
            if attempt.error is not None:
                row_errors = {k: [str(m) for m in v] for k, v in attempt.error.fields.items()}
            else:
                flash(_("Products of this page saved."), "success")
                return redirect(
                    url_for(
                        "cycles.offers",
                        hub_id=hub.id,
                        cycle_id=cycle.id,
                        page=page,
                        q=search or None,
                    )
                )
        else:
            flash(_("Nothing was saved: correct the highlighted rows."), "error")
    candidates, total = services.offer_candidates(
        cycle, page=page, per_page=OFFERS_PER_PAGE, search=search
    )
    pages = max((total + OFFERS_PER_PAGE - 1) // OFFERS_PER_PAGE, 1)
    return (
        render_template(
            "cycles/offers.html",
            hub=hub,
            cycle=cycle,
            candidates=candidates,
            total=total,
            page=page,
            pages=pages,
            search=search,
            row_errors=row_errors,
            form_values=request.form if request.method == "POST" else None,
            fee_input=fee_input,
            customer_price_cents=customer_price_cents,
            producers_allowed=len(hub_services.allowed_producer_ids(hub)),
        ),
        422 if row_errors else 200,
    )


@bp.app_context_processor
def showcase_helpers() -> dict[str, Any]:
    """``producer_offers_now(enterprise)`` for a producer's public page
    (templates/cycles/_producer_offers.html, included by enterprises and hubs)."""
    from cycles.showcase import producer_offers_now

    return {"producer_offers_now": producer_offers_now}
