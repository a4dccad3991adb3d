"""The producer area (HTML and CSV): lines of the producer's products, per cycle."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user, login_required
from marshmallow import ValidationError

from core.timeutils import utcnow
from core.views import load
from cycles.models import OrderCycle
from enterprises.models import Enterprise
from operations.permissions import can_see_producer_lines
from operations.producers import services
from operations.producers.schemas import FiltersIn, clean_args, state_of

bp = Blueprint("producer_orders", __name__)
#: the query-string keys kept in the export and pagination links
FILTER_KEYS = ("hub", "state", "since", "until")


def _producer(producer_id: int) -> Enterprise:
    return load(Enterprise, producer_id, allow=lambda p: can_see_producer_lines(current_user, p))


def _filters() -> tuple[services.Filters, dict]:
    try:
        data = FiltersIn().load(clean_args(request.args))
    except ValidationError:
        abort(400)
    filters = services.Filters(
        hub_id=data["hub"], state=state_of(data["state"]), since=data["since"], until=data["until"]
    )
    return filters, data


@bp.get("/producers/<int:producer_id>/orders")
@login_required
def index(producer_id: int):
    producer = _producer(producer_id)
    filters, data = _filters()
    now = utcnow()
    page = services.list_cycles(producer, filters, data["page"], now)
    args = {k: v for k, v in clean_args(request.args).items() if k in FILTER_KEYS}
    return render_template(
        "operations/producers/index.html",
        producer=producer,
        page=page,
        filters=filters,
        args=args,
        hubs=services.hubs_of_producer(producer),
        states=services.state_choices(),
        now=now,
    )


@bp.get("/producers/<int:producer_id>/orders/export.csv")
@login_required
def export_csv(producer_id: int):
    producer = _producer(producer_id)
    filters, data = _filters()
    cycle = None
    if data["cycle_id"] is not None:
        cycle = load(
            OrderCycle, data["cycle_id"], where=lambda c: services.is_producer_cycle(producer, c)
        )
    body = services.export_csv(producer, filters, utcnow(), cycle=cycle)
    name = f"commandes-{producer.slug}" + (f"-cycle-{cycle.id}" if cycle else "") + ".csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/producers/<int:producer_id>/orders/cycles/<int:cycle_id>")
@login_required
def cycle(producer_id: int, cycle_id: int):
    producer = _producer(producer_id)
    order_cycle = load(
        OrderCycle, cycle_id, where=lambda c: services.is_producer_cycle(producer, c)
    )
    now = utcnow()
    return render_template(
        "operations/producers/cycle.html",
        producer=producer,
        summary=services.cycle_summary(producer, order_cycle),
        now=now,
    )
