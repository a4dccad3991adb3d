"""The hub's sales dashboard, against figures computed by hand.

make_shop sells at 4,50 € + a 10 % hub fee (0,45 €) = 4,95 € an item.
"""

from __future__ import annotations

from datetime import timedelta

from operations.backoffice import services as backoffice
from orders.services import cancel_order
from tests.factories import OrderCycleFactory, UserFactory
from tests.factories_operations import place, shop_with_manager
from tests.querycount import count_queries


def test_sales_per_cycle_top_products_and_chart(db_session, login_as):
    shop, manager = shop_with_manager(offers=2, slot_capacity=None)
    eggs, honey = shop.offers
    older = OrderCycleFactory(
        hub=shop.hub,
        name="Semaine passée",
        opens_at=shop.cycle.opens_at - timedelta(days=14),
        closes_at=shop.cycle.opens_at - timedelta(days=8),
    )
    # A: 2 eggs paid cash (9,90), then the hub removes one (4,95 refunded as an adjustment:
    # out of the total already) and gives 1,00 back as a goodwill refund -> 3,95
    a = place(shop, [(eggs.id, 2)])
    backoffice.mark_paid(a, method="cash", actor=manager)
    backoffice.edit_order_lines(a, [backoffice.LineEdit(a.lines[0].id, 1)], actor=manager)
    backoffice.refund_order(a, 100, actor=manager, reason="geste")
    # B: 3 honey, to pay at pickup -> 14,85
    place(shop, [(honey.id, 3)])
    # C: cancelled, never counted
    c = place(shop, [(eggs.id, 5)])
    cancel_order(c, actor=None, reason="test")

    page = login_as(manager).get(f"/hubs/{shop.hub.id}/dashboard")
    html = page.get_data(as_text=True).replace("\u202f", " ").replace("\xa0", " ")
    assert page.status_code == 200
    # per cycle: 2 orders, 3,95 + 14,85 = 18,80 €; average 9,40 €; hub fees 4 × 0,45 = 1,80 €
    current = html[html.index(f">{shop.cycle.name}<") :]
    row = current[: current.index("</tr>")]
    for figure in (">2<", "18,80 €", "9,40 €", "1,80 €"):
        assert figure in row, figure
    assert html.index(f">{shop.cycle.name}<") < html.index(">Semaine passée<")  # newest first
    # top products: honey (14,85 €) before eggs (4,95 €: one egg left in A)
    top = html[html.index("Produits les plus vendus") :]
    assert top.index(honey.variant.product.name) < top.index(eggs.variant.product.name)
    assert "14,85 €" in top
    # the chart: one bar per cycle, oldest on the left, with an accessible title
    assert html.count('class="bar"') == 2
    assert '<title id="chart-title">Ventes par cycle de commande</title>' in html
    assert older.name in html


def test_queries_do_not_grow_with_orders_or_cycles(db_session, login_as):
    shop, manager = shop_with_manager(offers=1, slot_capacity=None)
    client = login_as(manager)
    url = f"/hubs/{shop.hub.id}/dashboard"

    def count() -> int:
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    place(shop, [(shop.offers[0].id, 1)])
    count()
    few = count()
    for i in range(4):
        OrderCycleFactory(
            hub=shop.hub,
            opens_at=shop.cycle.opens_at - timedelta(days=7 * (i + 2)),
            closes_at=shop.cycle.opens_at - timedelta(days=7 * (i + 1)),
        )
    for _ in range(20):
        place(shop, [(shop.offers[0].id, 1)])
    assert count() == few


def test_only_the_hubs_managers_and_admins(db_session, login_as, client):
    shop, _manager = shop_with_manager(offers=1)
    _other, other_manager = shop_with_manager(offers=1)
    url = f"/hubs/{shop.hub.id}/dashboard"
    assert client.get(url).status_code == 302
    login_as(UserFactory())
    assert client.get(url).status_code == 403
    login_as(other_manager)
    assert client.get(url).status_code == 403
    login_as(UserFactory(is_admin=True))
    assert client.get(url).status_code == 200
