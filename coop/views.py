"""Public pages of the cooperative: its accounts and its territorial figures (open data)."""

from __future__ import annotations

import io

from flask import Blueprint, Response, render_template, request

from coop import territories, transparency
from coop.commission import commission_bp, commission_for
from core import csvexport

bp = Blueprint("coop", __name__)


# Helpers for the price breakdowns shown to buyers in other domains' templates (shop, cart,
# review, receipt): the rules stay here, templates only call them (guarded by ``is defined``).
@bp.app_template_global("commission_cents")
def _commission_cents(base_cents: int) -> int:
    return commission_for(int(base_cents or 0))


@bp.app_template_global("commission_percent")
def _commission_percent() -> float:
    return commission_bp() / 100


@bp.app_template_global("payment_fee_cents")
def _payment_fee_cents(total_cents: int, method: str) -> int:
    return transparency.payment_fee_cents(int(total_cents or 0), method)


@bp.app_template_global("card_payment_offered")
def _card_payment_offered(cycle: object | None = None) -> bool:
    """Whether a buyer may pay by card (in ``cycle``, or anywhere on the platform): card-fee
    text is shown only then."""
    from cycles.models import OrderCycle
    from orders.models import PaymentMethod
    from orders.services import allowed_payment_methods
    from payments import stripe_api

    if isinstance(cycle, OrderCycle):
        return PaymentMethod.card in allowed_payment_methods(cycle)
    return stripe_api.is_configured()


@bp.get("/cooperative", endpoint="transparency")
def transparency_page():
    year = request.args.get("year", type=int)
    accounts = transparency.year_accounts(year)
    fee_bp, fee_fixed = transparency.payment_fee_rule()
    return render_template(
        "coop/transparency.html", accounts=accounts, fee_bp=fee_bp, fee_fixed=fee_fixed
    )


def _figures() -> territories.Territories:
    period = territories.period_from(request.args.get("since"), request.args.get("until"))
    return territories.territorial_figures(request.args.get("level", "department"), period)


@bp.get("/cooperative/territories", endpoint="territories")
def territories_page():
    figures = _figures()
    return render_template(
        "coop/territories.html",
        figures=figures,
        threshold=territories.SMALL_CELL_THRESHOLD,
        columns=territories.CSV_COLUMNS,
    )


@bp.get("/cooperative/territories.csv")
def territories_csv():
    figures = _figures()
    out = io.StringIO()
    writer = csvexport.writer(out, lineterminator="\r\n")
    writer.writerows(territories.csv_rows(figures))
    name = (
        f"comptoir-territoires-{figures.level}-{figures.period.months[0]}"
        f"-{figures.period.months[-1]}.csv"
    )
    return Response(
        out.getvalue().encode("utf-8"),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Content-Type": "text/csv; charset=utf-8",
            # Licence Ouverte / Open Licence 2.0 (Etalab): reuse freely, cite the source
            "Link": '<https://www.etalab.gouv.fr/licence-ouverte-open-licence/>; rel="license"',
        },
    )
