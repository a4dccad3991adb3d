"""A statement as a PDF (fpdf2, DejaVu fonts so that every French character prints)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import current_app
from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from fpdf import FPDF

from coop.models import Statement
from core.money import cents_to_decimal
from core.timeutils import local_date
from enterprises.models import Enterprise

logging.getLogger("fontTools").setLevel(logging.WARNING)  # font subsetting chatter

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
DEFAULT_COOP_NAME = "Comptoir — coopérative des circuits courts"


def issuer() -> dict[str, str]:
    """The cooperative issuing statements: COOP_NAME, COOP_ADDRESS, COOP_SIRET, COOP_VAT_NUMBER
    from the app config, else from the environment (README's configuration table)."""

    def setting(name: str) -> str:
        return str(current_app.config.get(name) or os.environ.get(name, "")).strip()

    return {
        "name": setting("COOP_NAME") or DEFAULT_COOP_NAME,
        "address": setting("COOP_ADDRESS"),
        "siret": setting("COOP_SIRET"),
        "vat_number": setting("COOP_VAT_NUMBER"),
    }


def vat_mention() -> str:
    """Without a VAT number the cooperative is under the French VAT franchise (art. 293 B)."""
    number = issuer()["vat_number"]
    if number:
        return _(
            "Amounts include VAT. Cooperative VAT number: %(number)s. "
            "Contributions are gifts and bear no VAT.",
            number=number,
        )
    return _(
        "VAT not applicable, article 293 B of the French tax code. "
        "Contributions are gifts and bear no VAT."
    )


def euros(cents: int) -> str:
    return format_decimal(cents_to_decimal(cents), format="#,##0.00") + " €"


def month_label(statement: Statement) -> str:
    return format_date(statement.month, format="MMMM yyyy")


def statement_lines(statement: Statement) -> list[tuple[str, int]]:
    due = statement.commission_due_cents
    collected = statement.commission_collected_cents
    return [
        (_("Sales of the month"), statement.sales_cents),
        (_("Commission of the month (1 %)"), due + collected),
        (_("of which already collected by Stripe"), collected),
        (_("of which due on this statement"), due),
        (_("Contribution pledged"), statement.contribution_pledged_cents),
        (_("Contribution paid in the month"), statement.contribution_paid_cents),
    ]


def render_statement_pdf(statement: Statement, enterprise: Enterprise) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_title(_("Statement %(number)s", number=statement.number))
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    coop = issuer()

    pdf.set_font("DejaVu", "B", 13)
    pdf.multi_cell(width, 7, coop["name"], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    for extra in (coop["address"], coop["siret"] and f"SIRET {coop['siret']}"):
        if extra:
            pdf.multi_cell(width, 5, extra, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)

    pdf.set_font("DejaVu", "B", 16)
    pdf.cell(
        width, 9, _("Statement %(number)s", number=statement.number), new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font("DejaVu", "", 10)
    facts = [
        _("Date: %(date)s", date=format_date(local_date(statement.issued_at), format="long")),
        _("Period: %(month)s", month=month_label(statement)),
    ]
    for fact in facts:
        pdf.cell(width, 6, fact, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    pdf.set_font("DejaVu", "B", 10)
    pdf.cell(width, 6, _("Recipient"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    recipient = [
        enterprise.name,
        enterprise.address,
        " ".join(p for p in (enterprise.postcode, enterprise.city) if p),
        enterprise.siret and f"SIRET {enterprise.siret}",
        enterprise.vat_number and _("VAT number: %(n)s", n=enterprise.vat_number),
    ]
    for line in recipient:
        if line:
            pdf.multi_cell(width, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)

    pdf.set_font("DejaVu", "B", 10)
    pdf.set_fill_color(235, 235, 235)
    pdf.cell(width * 0.7, 7, _("Line"), border=1, fill=True)
    pdf.cell(
        width * 0.3, 7, _("Amount"), border=1, fill=True, align="R", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font("DejaVu", "", 10)
    for label, cents in statement_lines(statement):
        pdf.cell(width * 0.7, 7, label, border=1)
        pdf.cell(width * 0.3, 7, euros(cents), border=1, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(
        width,
        7,
        _(
            "Left to pay on this statement: %(amount)s",
            amount=euros(statement.commission_due_cents),
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(4)
    pdf.set_font("DejaVu", "", 8)
    pdf.multi_cell(width, 4.5, vat_mention(), new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(
        width,
        4.5,
        _(
            "The 1 % commission is computed on each order's price of products (hub fees and VAT "
            "included, refunds deducted), rounded half up to the cent, and is never added to the "
            "citizen's price."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())
