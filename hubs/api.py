"""Hub API: distribution points and producer-hub permissions (token auth, same rules as pages)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort

from accounts.api_auth import api_user, token_required
from core.db import db
from core.views import load
from enterprises.models import Enterprise
from hubs import services
from hubs.models import DistributionPoint, LinkSide, ProducerHubLink
from hubs.permissions import can_act_on_link, can_manage_hub, can_manage_producer
from hubs.schemas import LinkActionIn, LinkIn, LinkOut, PointIn, PointOut

blp = Blueprint(
    "hubs_api", __name__, url_prefix="/api/v1", description="Distribution points, producer links"
)


def _hub(hub_id: int) -> Enterprise:
    return load(
        Enterprise,
        hub_id,
        where=lambda hub: hub.is_hub,
        allow=lambda hub: can_manage_hub(api_user(), hub),
    )


def _point(hub: Enterprise, point_id: int) -> DistributionPoint:
    return load(DistributionPoint, point_id, where=lambda point: point.hub_id == hub.id)


@blp.route("/hubs/<int:hub_id>/points")
class Points(MethodView):
    @token_required("read")
    @blp.response(200, PointOut(many=True))
    def get(self, hub_id: int):
        """The hub's distribution points."""
        return services.list_points(_hub(hub_id))

    @token_required("write")
    @blp.arguments(PointIn)
    @blp.response(201, PointOut)
    def post(self, data: dict, hub_id: int):
        """Add a distribution point (422 with fields on bad input)."""
        return services.create_point(_hub(hub_id), data)


@blp.route("/hubs/<int:hub_id>/points/<int:point_id>")
class Point(MethodView):
    @token_required("write")
    @blp.arguments(PointIn)
    @blp.response(200, PointOut)
    def put(self, data: dict, hub_id: int, point_id: int):
        """Replace a distribution point's fields."""
        hub = _hub(hub_id)
        return services.update_point(_point(hub, point_id), data)

    @token_required("write")
    @blp.response(204)
    def delete(self, hub_id: int, point_id: int):
        """Delete a point no pickup window uses (409 otherwise)."""
        hub = _hub(hub_id)
        services.delete_point(_point(hub, point_id))


@blp.route("/enterprises/<int:enterprise_id>/links")
class Links(MethodView):
    @token_required("read")
    @blp.response(200, LinkOut(many=True))
    def get(self, enterprise_id: int):
        """Producer-hub permissions of an enterprise the caller manages (both sides)."""
        enterprise = load(Enterprise, enterprise_id)
        user = api_user()
        links: list = []
        if can_manage_hub(user, enterprise):
            links += services.links_of_hub(enterprise)
        if can_manage_producer(user, enterprise):
            links += services.links_of_producer(enterprise)
        if not (can_manage_hub(user, enterprise) or can_manage_producer(user, enterprise)):
            abort(403)
        return links


@blp.route("/links")
class LinkRequest(MethodView):
    @token_required("write")
    @blp.arguments(LinkIn)
    @blp.response(201, LinkOut)
    def post(self, data: dict):
        """Ask for a permission, as the producer (side=producer) or as the hub (side=hub)."""
        producer = db.session.get(Enterprise, data["producer_id"])
        hub = db.session.get(Enterprise, data["hub_id"])
        if producer is None or hub is None:
            abort(404)
        side = LinkSide(data["side"])
        user = api_user()
        allowed = (
            can_manage_producer(user, producer)
            if side is LinkSide.producer
            else can_manage_hub(user, hub)
        )
        if not allowed:
            abort(403)
        return services.request_link(producer=producer, hub=hub, side=side, message=data["message"])


LINK_SERVICES = {
    "accept": services.accept_link,
    "refuse": services.refuse_link,
    "withdraw": services.withdraw_link,
}


@blp.route("/links/<int:link_id>")
class LinkDecision(MethodView):
    @token_required("write")
    @blp.arguments(LinkActionIn)
    @blp.response(200, LinkOut)
    def post(self, data: dict, link_id: int):
        """accept / refuse (the side that did not ask) or withdraw (the producer)."""
        link = load(
            ProducerHubLink,
            link_id,
            allow=lambda link: can_act_on_link(api_user(), link, data["action"]),
        )
        return LINK_SERVICES[data["action"]](link)


api_blueprints = [blp]
