"""The hub back office (HTML): cycles, a cycle's orders, one order and its actions.

Every route: logged in, manager of the hub or platform admin (403 otherwise); a cycle or an
order of another hub is a 404. Actions are POST forms (CSRF); bad input re-renders the order
page with field errors (422), a refused rule flashes its message (PRG).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from core.forms import choices
from core.i18n import cents as _cents
from core.i18n import localdate, localtime
from core.views import load, redirect_on_error
from enterprises.models import Enterprise
from operations.access import hub_cycle_or_404, hub_or_404
from operations.backoffice import services
from operations.backoffice.forms import (
    MANUAL_METHOD_LABELS,
    METHOD_LABELS,
    PAYMENT_STATE_LABELS,
    PAYMENT_STATUS_LABELS,
    CancelForm,
    CollectedForm,
    EditLinesForm,
    NoteForm,
    OrderFilterForm,
    PaidForm,
    RefundForm,
    parse_line_edits,
)
from orders import pricing
from orders.models import Order
from payments.models import RefundState

bp = Blueprint("backoffice", __name__)


def _order(hub_id: int, order_id: int) -> tuple[Enterprise, Order]:
    hub = hub_or_404(hub_id)
    return hub, load(Order, order_id, where=lambda order: order.hub_id == hub.id)


def _to_order(hub: Enterprise, order: Order, anchor: str = ""):
    url = url_for("backoffice.order", hub_id=hub.id, order_id=order.id)
    return redirect(url + (f"#{anchor}" if anchor else ""))


# --------------------------------------------------------------------------- lists


@bp.get("/hubs/<int:hub_id>/orders")
@login_required
def orders(hub_id: int):
    hub = hub_or_404(hub_id)
    return render_template(
        "operations/backoffice/cycles.html", hub=hub, rows=services.list_hub_cycles(hub.id)
    )


@bp.get("/hubs/<int:hub_id>/cycles/<int:cycle_id>/orders")
@login_required
def cycle_orders(hub_id: int, cycle_id: int):
    hub, cycle = hub_cycle_or_404(hub_id, cycle_id)
    windows = services.cycle_windows(cycle)
    form = OrderFilterForm(request.args)
    points: dict[int, str] = {}
    for w in windows:
        points.setdefault(w.distribution_point_id, w.distribution_point.name)
    options = [("", _("All")), *((f"p{pid}", name) for pid, name in points.items())]
    if len(windows) > 1:
        options += [
            (f"w{w.id}", _("%(point)s, %(when)s", point=w.distribution_point.name, when=_when(w)))
            for w in windows
        ]
    form.pickup.choices = choices(options)
    filters = services.OrderFilters()
    if form.validate():
        pickup = form.pickup.data or ""
        filters = services.OrderFilters(
            q=(form.q.data or "").strip(),
            status=form.status.data or "",
            payment_status=form.payment_status.data or "",
            payment_method=form.payment_method.data or "",
            window_id=int(pickup[1:]) if pickup.startswith("w") else None,
            point_id=int(pickup[1:]) if pickup.startswith("p") else None,
            collected=form.collected.data or "",
            sort=form.sort.data or "name",
            page=form.page.data or 1,
        )
    page = services.list_cycle_orders(cycle, filters)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "operations/backoffice/cycle_orders.html",
        hub=hub,
        cycle=cycle,
        form=form,
        page=page,
        args=args,
        payment_labels=PAYMENT_STATUS_LABELS,
        method_labels=METHOD_LABELS,
    )


def _when(window) -> str:
    return f"{localdate(window.starts_at, 'day')} {localtime(window.starts_at)}"


# --------------------------------------------------------------------------- one order


def _render_order(hub: Enterprise, order: Order, status: int = 200, **forms: Any):
    detail = services.get_order_detail(order)
    refund_form = forms.get("refund_form") or RefundForm(formdata=None)
    if "refund_form" not in forms and detail.refundable_cents:
        refund_form.amount.data = f"{detail.refundable_cents / 100:.2f}".replace(".", ",")
    return (
        render_template(
            "operations/backoffice/order.html",
            hub=hub,
            order=order,
            detail=detail,
            lines_form=forms.get("lines_form") or EditLinesForm(formdata=None),
            line_errors=forms.get("line_errors") or {},
            line_values=forms.get("line_values") or MultiDict(),
            cancel_form=forms.get("cancel_form") or CancelForm(formdata=None),
            refund_form=refund_form,
            paid_form=forms.get("paid_form")
            or PaidForm.for_hub(services.manual_means(hub), formdata=None),
            note_form=forms.get("note_form")
            or NoteForm(formdata=None, staff_note=order.staff_note),
            collected_form=CollectedForm(formdata=None),
            breakdown=pricing.breakdown,
            line_fee=pricing.line_hub_fee_cents,
            line_weight=pricing.line_weight_g,
            payment_labels=PAYMENT_STATUS_LABELS,
            method_labels=METHOD_LABELS,
            manual_labels=MANUAL_METHOD_LABELS,
            state_labels=PAYMENT_STATE_LABELS,
        ),
        status,
    )


@bp.get("/hubs/<int:hub_id>/orders/<int:order_id>")
@login_required
def order(hub_id: int, order_id: int):
    hub, order = _order(hub_id, order_id)
    return _render_order(hub, order)


@bp.post("/hubs/<int:hub_id>/orders/<int:order_id>/lines")
@login_required
@redirect_on_error("backoffice.order", anchor="lines")
def edit_lines(hub_id: int, order_id: int):
    hub, order = _order(hub_id, order_id)
    form = EditLinesForm()
    if not form.validate():
        return _render_order(hub, order, 422, lines_form=form)
    edits, errors = parse_line_edits(request.form, order.lines)
    if errors:
        return _render_order(
            hub, order, 422, lines_form=form, line_errors=errors, line_values=request.form
        )
    change = services.edit_order_lines(order, edits, actor=current_user)
    if not change.changes:
        flash(_("Nothing was changed."), "warning")
    else:
        flash(
            _(
                "Order changed: new total %(total)s. The customer is told by e-mail.",
                total=_cents(change.total_after_cents),
            ),
            "success",
        )
        if change.refunded_cents and not (change.refund_failed or change.refund_pending):
            flash(_("Refunded: %(amount)s.", amount=_cents(change.refunded_cents)), "success")
        if change.refund_pending:
            flash(_pending_refund(change.refunded_cents), "warning")
        if change.refund_failed:
            flash(
                _(
                    "The refund of %(amount)s failed: try again with the refund form.",
                    amount=_cents(change.refunded_cents),
                ),
                "error",
            )
        if change.balance_due_cents:
            flash(
                _("Balance due at pickup: %(amount)s.", amount=_cents(change.balance_due_cents)),
                "warning",
            )
    return _to_order(hub, order, "lines")


@bp.post("/hubs/<int:hub_id>/orders/<int:order_id>/cancel")
@login_required
@redirect_on_error("backoffice.order")
def cancel(hub_id: int, order_id: int):
    hub, order = _order(hub_id, order_id)
    form = CancelForm()
    if not form.validate():
        return _render_order(hub, order, 422, cancel_form=form)
    services.cancel_by_hub(
        order,
        restock=bool(form.restock.data),
        actor=current_user,
        reason=(form.reason.data or "").strip(),
    )
    flash(_("Order cancelled. The customer is told by e-mail."), "success")
    return _to_order(hub, order)


@bp.post("/hubs/<int:hub_id>/orders/<int:order_id>/refund")
@login_required
@redirect_on_error("backoffice.order", anchor="payments")
def refund(hub_id: int, order_id: int):
    hub, order = _order(hub_id, order_id)
    form = RefundForm()
    if not form.validate():
        return _render_order(hub, order, 422, refund_form=form)
    amount = form.amount.cents
    left = services.get_order_detail(order).refundable_cents
    if left and amount > left:
        form.amount.errors = [
            _("At most %(amount)s can be refunded.", amount=_cents(left)),
        ]
        return _render_order(hub, order, 422, refund_form=form)
    made = services.refund_order(
        order, amount, actor=current_user, reason=(form.reason.data or "").strip()
    )
    if made.state is RefundState.pending:
        flash(_pending_refund(amount), "warning")
    elif made.state is RefundState.failed:
        flash(_("The refund was refused: %(error)s", error=made.last_error), "error")
    else:
        flash(_("Refunded: %(amount)s.", amount=_cents(amount)), "success")
    return _to_order(hub, order, "payments")


def _pending_refund(cents: int) -> str:
    return _(
        "The refund of %(amount)s is recorded, but the payment service cannot be reached right "
        "now: it is sent again automatically until it goes through.",
        amount=_cents(cents),
    )


@bp.post("/hubs/<int:hub_id>/orders/<int:order_id>/paid")
@login_required
@redirect_on_error("backoffice.order", anchor="payments")
def mark_paid(hub_id: int, order_id: int):
    hub, order = _order(hub_id, order_id)
    form = PaidForm.for_hub(services.manual_means(hub))
    if not form.validate():
        return _render_order(hub, order, 422, paid_form=form)
    services.mark_paid(order, method=form.method.data, actor=current_user)
    flash(_("Payment recorded."), "success")
    return _to_order(hub, order, "payments")


@bp.post("/hubs/<int:hub_id>/orders/<int:order_id>/collected")
@login_required
@redirect_on_error("backoffice.order")
def collected(hub_id: int, order_id: int):
    hub, order = _order(hub_id, order_id)
    form = CollectedForm()
    if not form.validate():
        flash(_("This action is not valid."), "error")
        return _to_order(hub, order)
    done = form.collected.data == "1"
    services.set_collected(order, done, current_user)
    flash(_("Marked as collected.") if done else _("Marked as not collected."), "success")
    return _to_order(hub, order)


@bp.post("/hubs/<int:hub_id>/orders/<int:order_id>/note")
@login_required
def note(hub_id: int, order_id: int):
    hub, order = _order(hub_id, order_id)
    form = NoteForm()
    if not form.validate():
        return _render_order(hub, order, 422, note_form=form)
    services.save_staff_note(order, form.staff_note.data or "", actor=current_user)
    flash(_("Note saved."), "success")
    return _to_order(hub, order, "note")
