"""Order cycle API: cycles, pickup windows, slots and offers of the caller's hubs."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from accounts.api_auth import api_user, token_required
from core.views import load
from cycles import services
from cycles.models import CycleOffer, OrderCycle, PickupSlot, PickupWindow
from cycles.schemas import (
    ActionIn,
    CapacityIn,
    CycleIn,
    CycleOut,
    GenerateIn,
    OfferOut,
    OffersIn,
    OfferUpdateIn,
    SlotIn,
    SlotOut,
    WindowIn,
    WindowOut,
)
from enterprises.models import Enterprise
from enterprises.permissions import can_manage_hub

blp = Blueprint(
    "cycles_api", __name__, url_prefix="/api/v1", description="Order cycles, pickup, offers"
)
BASE = "/hubs/<int:hub_id>/cycles/<int:cycle_id>"


def _hub(hub_id: int) -> Enterprise:
    return load(
        Enterprise,
        hub_id,
        where=lambda hub: hub.is_hub,
        allow=lambda hub: can_manage_hub(api_user(), hub),
    )


def _cycle(hub_id: int, cycle_id: int) -> OrderCycle:
    hub = _hub(hub_id)
    return load(OrderCycle, cycle_id, where=lambda cycle: cycle.hub_id == hub.id)


def _out(cycle: OrderCycle) -> OrderCycle:
    return cycle  # CycleOut adds the state at dump time


@blp.route("/hubs/<int:hub_id>/cycles")
class Cycles(MethodView):
    @token_required("read")
    @blp.response(200, CycleOut(many=True))
    def get(self, hub_id: int):
        """The hub's cycles, newest first, with their state."""
        return [_out(c) for c in services.list_cycles(_hub(hub_id), with_windows=True)]

    @token_required("write")
    @blp.arguments(CycleIn)
    @blp.response(201, CycleOut)
    def post(self, data: dict, hub_id: int):
        """Create a draft cycle (times without offset are Europe/Paris local time)."""
        return _out(services.create_cycle(_hub(hub_id), services.CycleFields(**data)))


@blp.route(BASE)
class Cycle(MethodView):
    @token_required("read")
    @blp.response(200, CycleOut)
    def get(self, hub_id: int, cycle_id: int):
        return _out(_cycle(hub_id, cycle_id))

    @token_required("write")
    @blp.arguments(CycleIn)
    @blp.response(200, CycleOut)
    def put(self, data: dict, hub_id: int, cycle_id: int):
        """Change a cycle (422: close before open, windows before the close, cap too low)."""
        return _out(services.update_cycle(_cycle(hub_id, cycle_id), services.CycleFields(**data)))

    @token_required("write")
    @blp.response(204)
    def delete(self, hub_id: int, cycle_id: int):
        """Delete a draft without orders."""
        services.delete_cycle(_cycle(hub_id, cycle_id))


ACTIONS = {
    "publish": services.publish_cycle,
    "unpublish": services.unpublish_cycle,
    "close": services.close_now,
    "done": services.mark_done,
    "duplicate": services.duplicate_cycle,
}


@blp.route(BASE + "/actions")
class CycleAction(MethodView):
    @token_required("write")
    @blp.arguments(ActionIn)
    @blp.response(200, CycleOut)
    def post(self, data: dict, hub_id: int, cycle_id: int):
        """publish, unpublish, close (now), done, duplicate (returns the copy)."""
        return _out(ACTIONS[data["action"]](_cycle(hub_id, cycle_id)))


@blp.route(BASE + "/windows")
class Windows(MethodView):
    @token_required("write")
    @blp.arguments(WindowIn)
    @blp.response(201, WindowOut)
    def post(self, data: dict, hub_id: int, cycle_id: int):
        """Add a pickup window (it must start after the cycle closes)."""
        return services.add_window(_cycle(hub_id, cycle_id), **data)


def _window(cycle: OrderCycle, window_id: int) -> PickupWindow:
    return load(PickupWindow, window_id, where=lambda window: window.cycle_id == cycle.id)


@blp.route(BASE + "/windows/<int:window_id>")
class Window(MethodView):
    @token_required("write")
    @blp.response(204)
    def delete(self, hub_id: int, cycle_id: int, window_id: int):
        """Remove a window no order uses."""
        services.remove_window(_window(_cycle(hub_id, cycle_id), window_id))


@blp.route(BASE + "/windows/<int:window_id>/slots")
class Slots(MethodView):
    @token_required("write")
    @blp.arguments(SlotIn)
    @blp.response(201, SlotOut)
    def post(self, data: dict, hub_id: int, cycle_id: int, window_id: int):
        """Add a slot inside the window, not overlapping the others."""
        return services.add_slot(_window(_cycle(hub_id, cycle_id), window_id), **data)


@blp.route(BASE + "/windows/<int:window_id>/slots/generate")
class GenerateSlots(MethodView):
    @token_required("write")
    @blp.arguments(GenerateIn)
    @blp.response(201, SlotOut(many=True))
    def post(self, data: dict, hub_id: int, cycle_id: int, window_id: int):
        """Cut the window into slots every N minutes with a capacity each."""
        return services.generate_slots(_window(_cycle(hub_id, cycle_id), window_id), **data)


def _slot(cycle: OrderCycle, slot_id: int) -> PickupSlot:
    return load(PickupSlot, slot_id, where=lambda slot: slot.window.cycle_id == cycle.id)


@blp.route(BASE + "/slots/<int:slot_id>")
class Slot(MethodView):
    @token_required("write")
    @blp.arguments(CapacityIn)
    @blp.response(200, SlotOut)
    def patch(self, data: dict, hub_id: int, cycle_id: int, slot_id: int):
        """Change a slot's capacity (not below its bookings)."""
        return services.update_slot(_slot(_cycle(hub_id, cycle_id), slot_id), **data)

    @token_required("write")
    @blp.response(204)
    def delete(self, hub_id: int, cycle_id: int, slot_id: int):
        services.remove_slot(_slot(_cycle(hub_id, cycle_id), slot_id))


@blp.route(BASE + "/offers")
class Offers(MethodView):
    @token_required("read")
    @blp.response(200, OfferOut(many=True))
    def get(self, hub_id: int, cycle_id: int):
        return services.list_offers(_cycle(hub_id, cycle_id))

    @token_required("write")
    @blp.arguments(OffersIn)
    @blp.response(201, OfferOut(many=True))
    def post(self, data: dict, hub_id: int, cycle_id: int):
        """Offer many variants at once (403 producer_permission_missing without permission)."""
        specs = [services.OfferSpec(**o) for o in data["offers"]]
        return services.add_offers(_cycle(hub_id, cycle_id), specs)


def _offer(cycle: OrderCycle, offer_id: int) -> CycleOffer:
    return load(CycleOffer, offer_id, where=lambda offer: offer.cycle_id == cycle.id)


@blp.route(BASE + "/offers/<int:offer_id>")
class Offer(MethodView):
    @token_required("write")
    @blp.arguments(OfferUpdateIn)
    @blp.response(200, OfferOut)
    def put(self, data: dict, hub_id: int, cycle_id: int, offer_id: int):
        return services.update_offer(_offer(_cycle(hub_id, cycle_id), offer_id), **data)

    @token_required("write")
    @blp.response(204)
    def delete(self, hub_id: int, cycle_id: int, offer_id: int):
        services.remove_offer(_offer(_cycle(hub_id, cycle_id), offer_id))


api_blueprints = [blp]
