"""Platform administration (admins only): figures, whole commission ledger, statements, costs."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from coop.admin import services
from coop.admin.forms import BuildStatementsForm, CostForm, DeleteForm
from coop.billing import ledger, statements
from coop.billing.permissions import can_run_platform
from coop.billing.views import month_arg, page_arg
from coop.models import PlatformCost
from core import csvexport
from core.db import db
from core.forms import filled
from core.security import require
from core.timeutils import utcnow
from core.views import domain_errors
from hubs import services as hub_services

bp = Blueprint("coop_admin", __name__, url_prefix="/admin/coop")


@bp.before_request
@login_required
def _admins_only():
    require(can_run_platform(current_user))


@bp.get("/")
def index():
    now = utcnow()
    return render_template(
        "coop/admin/index.html",
        overview=services.overview(now),
        last_month=statements.last_ended_month(now),
    )


def _hub_arg() -> int | None:
    value = request.args.get("hub", "").strip()
    if not value:
        return None
    if not value.isdigit():
        abort(400)
    return int(value)


@bp.get("/commissions")
def commissions():
    month, hub_id = month_arg(), _hub_arg()
    filters = ledger.LedgerFilters(hub_id=hub_id, month=month)
    args = {k: v for k, v in (("month", month and f"{month:%Y-%m}"), ("hub", hub_id)) if v}
    return render_template(
        "coop/admin/commissions.html",
        page=ledger.ledger_page(filters, page_arg()),
        hubs=ledger.hubs_with_entries(),
        month=month,
        hub_id=hub_id,
        args=args,
    )


@bp.get("/commissions.csv")
def commissions_csv():
    month, hub_id = month_arg(), _hub_arg()
    body = ledger.ledger_csv(ledger.LedgerFilters(hub_id=hub_id, month=month))
    suffix = f"-{month:%Y-%m}" if month else ""
    return csvexport.download(body, f"commission{suffix}.csv")


def _render_statements(form: BuildStatementsForm, status: int = 200):
    month = month_arg()
    rows = services.list_statements(month)
    return render_template(
        "coop/admin/statements.html",
        rows=rows,
        totals=services.statement_totals(rows),
        month=month,
        form=form,
    ), status


@bp.get("/statements", endpoint="statements")
def statements_index():
    form = BuildStatementsForm(month=f"{statements.last_ended_month(utcnow()):%Y-%m}")
    return _render_statements(form)


@bp.post("/statements/build")
def build_statements():
    form = BuildStatementsForm()
    if not form.validate_on_submit():
        return _render_statements(form, 422)
    with domain_errors(form, field="month") as attempt:  # raised before anything is written
        month = statements.parse_month(form.month.data)
        built = statements.build_statements(month, utcnow())
    if not attempt.ok:
        return _render_statements(form, 422)
    if built:
        flash(
            _(
                "%(count)d statement(s) built for %(month)s: %(numbers)s",
                count=len(built),
                month=format(month, "%m/%Y"),
                numbers=", ".join(s.number for s in built),
            ),
            "success",
        )
    else:
        flash(_("Nothing new to build for %(month)s.", month=format(month, "%m/%Y")), "info")
    return redirect(url_for("coop_admin.statements", month=f"{month:%Y-%m}"))


@bp.get("/statements.csv")
def statements_csv():
    month = month_arg()
    suffix = f"-{month:%Y-%m}" if month else ""
    return csvexport.download(services.statements_csv(month), f"releves{suffix}.csv")


@bp.get("/costs")
def costs():
    return render_template(
        "coop/admin/costs.html", costs=services.list_costs(), delete_form=DeleteForm()
    )


def _save_cost(form: CostForm, cost: PlatformCost | None):
    try:
        if cost is None:
            services.create_cost(
                label=form.label.data or "", yearly_cents=form.cents, year=filled(form.year.data)
            )
        else:
            services.update_cost(
                cost,
                label=form.label.data or "",
                yearly_cents=form.cents,
                year=filled(form.year.data),
            )
    except services.CostInvalid as exc:  # raised before anything is changed
        for name, message in exc.fields.items():
            getattr(form, name).errors = [message]
        return None
    flash(_("Cost saved."), "success")
    return redirect(url_for("coop_admin.costs"))


@bp.route("/costs/new", methods=["GET", "POST"])
def cost_new():
    form = CostForm()
    if request.method == "GET":
        form.year.data = utcnow().year
    if form.validate_on_submit():
        done = _save_cost(form, None)
        if done is not None:
            return done
    status = 422 if request.method == "POST" else 200
    return render_template("coop/admin/cost_form.html", form=form, cost=None), status


@bp.route("/costs/<int:cost_id>/edit", methods=["GET", "POST"])
def cost_edit(cost_id: int):
    cost = db.get_or_404(PlatformCost, cost_id)
    form = CostForm()
    if request.method == "GET":
        form.label.data = cost.label
        form.amount.data = f"{cost.yearly_cents // 100},{cost.yearly_cents % 100:02d}"
        form.year.data = cost.year
    if form.validate_on_submit():
        done = _save_cost(form, cost)
        if done is not None:
            return done
    status = 422 if request.method == "POST" else 200
    return render_template("coop/admin/cost_form.html", form=form, cost=cost), status


@bp.post("/costs/<int:cost_id>/delete")
def cost_delete(cost_id: int):
    cost = db.get_or_404(PlatformCost, cost_id)
    if DeleteForm().validate_on_submit():
        services.delete_cost(cost)
        flash(_("Cost deleted."), "success")
    return redirect(url_for("coop_admin.costs"))


@bp.get("/hub-requests")
def hub_requests():
    """The visitors' requests for a hub where there is none (``hubs.services.request_hub``)."""
    return render_template(
        "coop/admin/hub_requests.html",
        requests=hub_services.hub_requests(),
        retention_days=hub_services.REQUEST_RETENTION_DAYS,
    )
