"""DFC pages: a producer imports a DFC catalogue (upload, preview with per-node errors, apply:
all or nothing); managers download DFC documents (catalogue, a cycle's orders, one order)
beside the CSV exports. Session-authenticated and CSRF-protected, unlike the token API of
:mod:`interop.views`, which is registered under this blueprint (endpoints ``interop.dfc.*``).
"""

from __future__ import annotations

import itertools

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from core.views import load, redirect_on_error
from cycles.models import OrderCycle
from enterprises.models import Enterprise
from interop import exports, imports, received_pages
from interop import permissions as perm
from interop import views as api
from interop.forms import ConfirmForm, DfcImportForm
from orders.models import Order

bp = Blueprint("interop", __name__)
bp.register_blueprint(api.bp)
bp.register_blueprint(received_pages.bp)  # orders from other platforms, webhooks

#: link labels shown on other domains' pages (catalogue, hub back office): translated here
LINK_LABELS = (
    _l("Import (DFC)"),
    _l("Export (DFC)"),
    _l("Export orders (DFC)"),
    _l("Export this order (DFC)"),
)


def _producer(producer_id: int) -> Enterprise:
    return load(
        Enterprise,
        producer_id,
        where=lambda producer: producer.is_producer,
        allow=lambda producer: perm.can_import_catalogue(current_user, producer),
    )


def _hub(hub_id: int) -> Enterprise:
    return load(
        Enterprise,
        hub_id,
        allow=lambda hub: hub.is_hub and perm.can_read_hub_orders(current_user, hub),
    )


# -- catalogue import --------------------------------------------------------------------------


@bp.route("/producers/<int:producer_id>/dfc-import", methods=["GET", "POST"])
@login_required
def dfc_import(producer_id: int):
    producer = _producer(producer_id)
    form = DfcImportForm()
    if form.validate_on_submit():
        data = form.file.data.read(imports.MAX_BYTES + 1)
        try:
            preview = imports.check_import(
                producer,
                current_user.id,
                data,
                filename=form.file.data.filename or "",
                download_images=bool(form.download_images.data),
            )
        except imports.DfcDocumentRefused as exc:
            form.file.errors = [str(exc.message)]
            node = exc.error.node_id
            return render_template(
                "interop/import.html", producer=producer, form=form, refused_node=node
            ), 422
        return redirect(
            url_for("interop.dfc_import_preview", producer_id=producer.id, token=preview.token)
        )
    status = 422 if form.errors else 200
    return render_template("interop/import.html", producer=producer, form=form), status


@bp.get("/producers/<int:producer_id>/dfc-import/<token>")
@login_required
def dfc_import_preview(producer_id: int, token: str):
    producer = _producer(producer_id)
    preview = imports.load_preview(token, producer, current_user.id)
    return render_template(
        "interop/import_preview.html",
        producer=producer,
        preview=preview,
        form=ConfirmForm(),
        unit_label=imports.unit_label,
        quantity_label=imports.quantity_label,
    )


@bp.post("/producers/<int:producer_id>/dfc-import/<token>/apply")
@login_required
@redirect_on_error("interop.dfc_import_preview")
def dfc_import_apply(producer_id: int, token: str):
    producer = _producer(producer_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    target = url_for("interop.dfc_import_preview", producer_id=producer.id, token=token)
    imports.apply_import(producer, current_user.id, token)
    flash(_("The DFC catalogue was imported."), "success")
    return redirect(target)


# -- downloads ---------------------------------------------------------------------------------


@bp.get("/producers/<int:producer_id>/catalogue.jsonld")
@login_required
def catalogue_download(producer_id: int):
    producer = _producer(producer_id)
    urls = api.dfc_urls()
    records = itertools.chain(
        exports.enterprise_records(producer, urls, private=False),
        exports.iter_catalog_records(producer, urls),
    )
    return api.graph_response(records, filename=f"catalogue-{producer.slug}.dfc.jsonld")


@bp.get("/hubs/<int:hub_id>/cycles/<int:cycle_id>/orders.jsonld")
@login_required
def cycle_orders_download(hub_id: int, cycle_id: int):
    """Export orders (DFC) of a cycle: the document the API serves, as a file."""
    hub = _hub(hub_id)
    cycle = load(OrderCycle, cycle_id, where=lambda cycle: cycle.hub_id == hub.id)
    records = exports.iter_cycle_order_records(exports.OrderScope(cycle=cycle), api.dfc_urls())
    return api.graph_response(records, filename=f"commandes-cycle-{cycle.id}.dfc.jsonld")


@bp.get("/hubs/<int:hub_id>/orders/<int:order_id>.jsonld")
@login_required
def order_download(hub_id: int, order_id: int):
    hub = _hub(hub_id)
    order = load(Order, order_id, where=lambda order: order.hub_id == hub.id)
    records = exports.iter_cycle_order_records(
        exports.OrderScope(cycle=order.cycle), api.dfc_urls(), order_id=order.id
    )
    return api.graph_response(records, filename=f"commande-{order.number}.dfc.jsonld")
