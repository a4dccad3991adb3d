"""A citizen changes the pickup slot of their order (orders.lifecycle.change_pickup), until the
cycle closes and when the hub allows order changes; the slot's capacity is taken as at checkout
and the old slot's place given back; one event, told on both order pages. Asserted in French."""

from __future__ import annotations

import html
from datetime import timedelta

from sqlalchemy import func, select

from core.db import db
from core.timeutils import utcnow
from orders.models import EventKind, Order, OrderEvent
from tests.factories import PickupSlotFactory, UserFactory
from tests.factories_operations import place, shop_with_manager


def _text(response) -> str:
    text = html.unescape(response.get_data(as_text=True))
    return text.replace("\xa0", " ").replace("\u202f", " ")


def _setup(*, capacity: int = 3):
    shop, manager = shop_with_manager(offers=1, slot_capacity=capacity)
    later = PickupSlotFactory(
        window=shop.window,
        starts_at=shop.slot.ends_at,
        ends_at=shop.slot.ends_at + timedelta(minutes=30),
        capacity=capacity,
    )
    citizen = UserFactory(locale="fr")
    order = place(shop, [(shop.offers[0].id, 1)], customer=citizen)
    return shop, manager, later, citizen, order


def _events(order: Order) -> list[OrderEvent]:
    return list(
        db.session.scalars(
            select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.id)
        )
    )


def test_the_citizen_moves_to_another_slot_and_both_pages_tell_it(client, login_as, db_session):
    shop, manager, later, citizen, order = _setup()
    assert (shop.slot.booked, later.booked) == (1, 0)
    login_as(citizen)
    page = _text(client.get(f"/orders/{order.id}"))
    assert "Changer le créneau de retrait" in page
    form = _text(client.get(f"/orders/{order.id}/pickup"))
    assert f'value="{shop.window.id}:{later.id}"' in form
    assert "Votre choix actuel" in form

    response = client.post(
        f"/orders/{order.id}/pickup", data={"pickup": f"{shop.window.id}:{later.id}"}
    )
    assert response.status_code == 303
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert order.pickup_slot_id == later.id
    assert (shop.slot.booked, later.booked) == (0, 1)  # the old place given back
    event = _events(order)[-1]
    assert event.kind is EventKind.pickup_changed
    assert event.actor_id == citizen.id
    assert event.detail["before"]["slot_id"] == shop.slot.id
    assert event.detail["after"]["slot_id"] == later.id

    page = _text(client.get(f"/orders/{order.id}"))
    assert "Votre créneau de retrait a été modifié." in page
    assert "Retrait modifié par vous" in page
    login_as(manager)
    hub_page = _text(client.get(f"/hubs/{shop.hub.id}/orders/{order.id}"))
    assert "Retrait modifié par" in hub_page

    # choosing the same slot again changes nothing
    login_as(citizen)
    client.post(f"/orders/{order.id}/pickup", data={"pickup": f"{shop.window.id}:{later.id}"})
    db.session.expire_all()
    assert later.booked == 1
    assert len([e for e in _events(order) if e.kind is EventKind.pickup_changed]) == 1


def test_a_full_slot_is_refused_and_nothing_moves(client, login_as, db_session):
    shop, _manager, later, citizen, order = _setup(capacity=1)
    later.booked = later.capacity  # another citizen took the other slot's only place
    db.session.flush()
    login_as(citizen)
    response = client.post(
        f"/orders/{order.id}/pickup",
        data={"pickup": f"{shop.window.id}:{later.id}"},
        follow_redirects=True,
    )
    assert "Ce créneau de retrait vient d" in _text(response)
    db.session.expire_all()
    assert db.session.get(Order, order.id).pickup_slot_id == shop.slot.id
    assert later.booked == later.capacity
    assert not [e for e in _events(order) if e.kind is EventKind.pickup_changed]


def test_the_hub_may_forbid_changes(client, login_as, db_session):
    shop, _manager, later, citizen, order = _setup()
    shop.hub.allows_order_changes = False
    db.session.flush()
    login_as(citizen)
    assert "Changer le créneau de retrait" not in _text(client.get(f"/orders/{order.id}"))
    response = client.post(
        f"/orders/{order.id}/pickup",
        data={"pickup": f"{shop.window.id}:{later.id}"},
        follow_redirects=True,
    )
    assert "Cette commande ne peut plus être modifiée." in _text(response)
    db.session.expire_all()
    assert db.session.get(Order, order.id).pickup_slot_id == shop.slot.id
    assert (shop.slot.booked, later.booked) == (1, 0)


def test_no_change_once_the_cycle_is_closed(client, login_as, db_session):
    shop, _manager, later, citizen, order = _setup()
    shop.cycle.closes_at = utcnow() - timedelta(minutes=1)
    db.session.flush()
    login_as(citizen)
    assert client.get(f"/orders/{order.id}/pickup").status_code == 302
    client.post(f"/orders/{order.id}/pickup", data={"pickup": f"{shop.window.id}:{later.id}"})
    db.session.expire_all()
    assert db.session.get(Order, order.id).pickup_slot_id == shop.slot.id
    assert later.booked == 0


def test_only_the_buyer_may_change_and_only_to_this_cycles_slots(client, login_as, db_session):
    shop, _manager, later, citizen, order = _setup()
    other_shop, _m = shop_with_manager(offers=1)
    login_as(UserFactory())
    response = client.post(
        f"/orders/{order.id}/pickup", data={"pickup": f"{shop.window.id}:{later.id}"}
    )
    assert response.status_code == 404
    login_as(citizen)
    for value in (f"{other_shop.window.id}:{other_shop.slot.id}", f"{shop.window.id}:0", "nope"):
        response = client.post(
            f"/orders/{order.id}/pickup", data={"pickup": value}, follow_redirects=True
        )
        assert "Choisissez l’un des créneaux de retrait de ce cycle." in _text(response), value
    db.session.expire_all()
    assert db.session.get(Order, order.id).pickup_slot_id == shop.slot.id
    assert other_shop.slot.booked == 0


def test_citizens_racing_for_the_last_places_and_swapping_slots(committed):
    """Real concurrency: 8 citizens of slot A and 8 of slot B swap slots at the same moment
    (locks in id order: no deadlock), while 6 more from slot A race for the 2 places left in C."""
    import threading

    from orders import services
    from orders.errors import SlotFull
    from tests.integration.orders.test_order_race import wide_pool

    app = committed
    shop, _manager = shop_with_manager(offers=1, slot_capacity=30)
    slot_a = shop.slot
    slot_b = PickupSlotFactory(window=shop.window, capacity=30)
    slot_c = PickupSlotFactory(window=shop.window, capacity=2)
    orders_a = [place(shop, [(shop.offers[0].id, 1)]) for _ in range(14)]
    shop.slot = slot_b
    orders_b = [place(shop, [(shop.offers[0].id, 1)]) for _ in range(8)]
    db.session.commit()
    window_id = shop.window.id
    moves = [(o.id, f"{window_id}:{slot_b.id}") for o in orders_a[:8]]
    moves += [(o.id, f"{window_id}:{slot_a.id}") for o in orders_b]
    moves += [(o.id, f"{window_id}:{slot_c.id}") for o in orders_a[8:]]
    ids = (slot_a.id, slot_b.id, slot_c.id)
    db.session.remove()

    barrier = threading.Barrier(len(moves))
    outcomes: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(order_id: int, choice: str) -> None:
        with app.app_context():
            try:
                order = db.session.get(Order, order_id)
                barrier.wait(timeout=30)
                try:
                    services.change_pickup(order, choice, actor=order.customer)
                    outcome = "ok"
                except SlotFull:
                    db.session.rollback()
                    outcome = "full"
                with lock:
                    outcomes.append(outcome)
            except BaseException as exc:  # noqa: BLE001 - reported below
                with lock:
                    errors.append(exc)
            finally:
                db.session.remove()

    with wide_pool(len(moves)):
        threads = [threading.Thread(target=worker, args=move) for move in moves]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert not errors, errors
    assert sorted(outcomes).count("full") == 4  # 6 wanted the 2 places of C
    with app.app_context():
        from cycles.models import PickupSlot

        booked = {s.id: s.booked for s in db.session.scalars(select(PickupSlot))}
        counted = {
            sid: db.session.scalar(select(func.count(Order.id)).where(Order.pickup_slot_id == sid))
            for sid in ids
        }
        assert [booked[sid] for sid in ids] == [counted[sid] for sid in ids] == [12, 8, 2]
