"""The DFC API: layout, tokens and permissions, and what the documents hold."""

from __future__ import annotations

import pytest
from dfc_support import body, check_document, closed_cycle, token

from interop.graph import parse_document
from interop.rules import check_fdc_order

API = "/api/dfc/enterprises"
BASE = "http://comptoir.test"


def _types(doc):
    return [node["@type"] for node in doc["@graph"]]


def _by_type(doc, dfc_type):
    return [node for node in doc["@graph"] if node["@type"] == dfc_type]


def test_every_endpoint_needs_a_token(client, world):
    for path in (
        f"{API}/{world.producer.id}",
        f"{API}/{world.producer.id}/catalog_items",
        f"{API}/{world.hub.id}/orders?cycle={world.cycle.id}",
        f"/api/dfc/persons/{world.customer.id}",
    ):
        response = client.get(path)
        assert response.status_code == 401, path
        assert response.get_json()["error"]["code"] == "unauthorized"
    bad = client.get(f"{API}/{world.producer.id}", headers={"X-Api-Token": "cpt_nope"})
    assert bad.status_code == 401


def test_enterprise_public_card_and_private_view(client, world):
    public = client.get(f"{API}/{world.producer.id}", headers=token(world.stranger))
    assert public.status_code == 200
    assert public.mimetype == "application/ld+json"
    doc = body(public)
    check_document(doc)
    (enterprise,) = _by_type(doc, "dfc-b:Enterprise")
    assert enterprise["@id"] == f"{BASE}{API}/{world.producer.id}"
    assert enterprise["dfc-b:name"] == "Ferme des Tilleuls"
    assert "dfc-b:VATnumber" not in enterprise
    assert "dfc-b:hasMainContact" not in enterprise
    assert _by_type(doc, "dfc-b:Person") == []
    (address,) = _by_type(doc, "dfc-b:Address")
    assert address["dfc-b:hasCountry"] == {
        "@id": "http://publications.europa.eu/resource/authority/country/FRA"
    }

    # the X-Api-Token header works too
    raw = token(world.producer_manager)["Authorization"].split()[1]
    private = body(client.get(f"{API}/{world.producer.id}", headers={"X-Api-Token": raw}))
    check_document(private)
    (enterprise,) = _by_type(private, "dfc-b:Enterprise")
    assert enterprise["dfc-b:VATnumber"] == "FR123"
    assert enterprise["dfc-b:hasPhoneNumber"]["dfc-b:phoneNumber"] == "0601020304"
    (person,) = _by_type(private, "dfc-b:Person")
    assert enterprise["dfc-b:hasMainContact"] == {"@id": person["@id"]}
    assert person["dfc-b:firstName"] == "Anne"
    assert person["dfc-b:familyName"] == "Martin"
    assert len(enterprise["dfc-b:supplies"]) == 3


def test_inactive_enterprise_is_hidden_from_others(client, world):
    world.producer.is_active = False
    response = client.get(f"{API}/{world.producer.id}", headers=token(world.stranger))
    assert response.status_code == 404


def test_catalogue_is_read_by_its_managers_and_linked_hubs_only(client, world):
    path = f"{API}/{world.producer.id}/catalog_items"
    assert client.get(path, headers=token(world.stranger)).status_code == 403
    hub_view = client.get(path, headers=token(world.hub_manager))
    assert hub_view.status_code == 200
    doc = body(client.get(path, headers=token(world.producer_manager)))
    check_document(doc)
    items = _by_type(doc, "dfc-b:CatalogItem")
    assert sorted(i["dfc-b:sku"] for i in items) == ["JUS-1L", "TOM-1K", "TOM-500"]
    by_sku = {i["dfc-b:sku"]: i for i in items}
    assert by_sku["TOM-500"]["dfc-b:stockLimitation"] == 12
    assert by_sku["TOM-1K"]["dfc-b:stockLimitation"] == 0
    assert "dfc-b:stockLimitation" not in by_sku["JUS-1L"]  # on demand: absent, as OFN
    products = {p["@id"]: p for p in _by_type(doc, "dfc-b:SuppliedProduct")}
    tomato = products[by_sku["TOM-500"]["dfc-b:references"]["@id"]]
    assert tomato["dfc-b:name"] == "Tomates anciennes - 500 g"
    assert tomato["dfc-b:hasQuantity"] == {
        "@type": "dfc-b:QuantitativeValue",
        "dfc-b:hasUnit": "dfc-m:Gram",
        "dfc-b:value": 500,
    }
    assert tomato["dfc-b:hasType"] == "dfc-pt:tomato"
    assert tomato["dfc-b:hasCertification"] == ["dfc-f:Organic-AB"]
    group = products[tomato["dfc-b:isVariantOf"]["@id"]]
    assert group["dfc-b:name"] == "Tomates anciennes"
    assert len(group["dfc-b:hasVariant"]) == 2
    offers = {o["@id"]: o for o in _by_type(doc, "dfc-b:Offer")}
    offer = offers[by_sku["TOM-500"]["dfc-b:offeredThrough"][0]["@id"]]
    # the shelf price 3.50 EUR, with the 5.5 % VAT it includes (what OFN reads as the price)
    assert offer["dfc-b:hasPrice"] == {
        "@type": "dfc-b:Price",
        "dfc-b:value": 3.5,
        "dfc-b:hasUnit": "dfc-m:Euro",
        "dfc-b:VATrate": 5.5,
    }
    assert offer["dfc-b:offeredItem"] == {"@id": tomato["@id"]}


def test_every_catalogue_id_is_dereferenceable(client, world):
    headers = token(world.producer_manager)
    doc = body(client.get(f"{API}/{world.producer.id}/catalog_items", headers=headers))
    ids = [n["@id"] for n in doc["@graph"]]
    assert ids
    for node_id in ids:
        response = client.get(node_id.removeprefix(BASE), headers=headers)
        assert response.status_code == 200, node_id
        found = body(response)
        assert node_id in {n["@id"] for n in found.get("@graph", [found])}, node_id
        check_document(
            found if "@graph" in found else {"@context": found["@context"], "@graph": [found]}
        )


def test_other_producers_variant_is_not_found(client, world):
    headers = token(world.producer_manager)
    honey = world.orders[2].lines[0].variant_id
    response = client.get(f"{API}/{world.producer.id}/supplied_products/{honey}", headers=headers)
    assert response.status_code == 404


def test_hub_orders_of_a_cycle(client, world):
    headers = token(world.hub_manager)
    response = client.get(f"{API}/{world.hub.id}/orders?cycle={world.cycle.id}", headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    doc = body(response)
    check_document(doc)
    orders = _by_type(doc, "dfc-b:Order")
    assert [o["dfc-b:orderNumber"] for o in orders] == ["C-0001", "C-0002", "C-0003"]
    assert len(_by_type(doc, "dfc-b:SaleSession")) == 1
    first = orders[0]
    assert first["dfc-b:hasOrderStatus"] == "dfc-v:Held"  # the cycle is open
    assert first["dfc-b:hasPaymentStatus"] == "dfc-v:Unpaid"
    assert first["dfc-b:hasFulfilmentStatus"] == "dfc-v:Unfulfilled"
    assert first["dfc-b:soldBy"] == {"@id": f"{BASE}{API}/{world.hub.id}"}
    assert first["dfc-b:orderedBy"] == {"@id": f"{BASE}/api/dfc/persons/{world.customer.id}"}
    second_buyer = next(
        p for p in _by_type(doc, "dfc-b:Person") if p["@id"] == orders[1]["dfc-b:orderedBy"]["@id"]
    )
    assert second_buyer["dfc-b:hasPhoneNumber"] == {
        "@type": "dfc-b:PhoneNumber",
        "dfc-b:phoneNumber": "0622",
    }
    assert orders[1]["dfc-b:hasFulfilmentStatus"] == "dfc-v:Fulfilled"
    assert orders[1]["dfc-b:hasPaymentStatus"] == "dfc-v:Paid"
    persons = {p["@id"]: p for p in _by_type(doc, "dfc-b:Person")}
    buyer = persons[first["dfc-b:orderedBy"]["@id"]]
    assert buyer["dfc-b:firstName"] == "Léa"
    assert buyer["dfc-b:email"] == "lea@example.org"
    (option,) = _by_type(doc, "dfc-b:PickupOption")
    assert first["dfc-b:selects"] == {"@id": option["@id"]}
    (place,) = _by_type(doc, "dfc-b:PhysicalPlace")
    assert option["dfc-b:pickedUpAt"] == {"@id": place["@id"]}
    lines = _by_type(doc, "dfc-b:OrderLine")
    assert len(lines) == 4
    offers = {o["@id"]: o for o in _by_type(doc, "dfc-b:Offer")}
    for line in lines:
        assert offers[line["dfc-b:concerns"]["@id"]]["dfc-b:offeredItem"]["@id"]
    # the line price is what the citizen pays (hub fee included), VAT rate given
    line = next(ln for ln in lines if ln["@id"].endswith(f"/{world.orders[0].lines[0].id}"))
    assert line["dfc-b:quantity"] == 2
    assert line["dfc-b:hasPrice"]["dfc-b:VATrate"] == 5.5


def test_closed_cycle_orders_are_complete(client, world):
    closed_cycle(world)
    doc = body(
        client.get(
            f"{API}/{world.hub.id}/orders?cycle={world.cycle.id}", headers=token(world.hub_manager)
        )
    )
    statuses = [o["dfc-b:hasOrderStatus"] for o in _by_type(doc, "dfc-b:Order")]
    assert statuses == ["dfc-v:Complete"] * 3


def test_one_order_meets_the_fdc_producer_app_rules(client, world):
    headers = token(world.hub_manager)
    order = world.orders[0]
    response = client.get(f"{API}/{world.hub.id}/orders/{order.id}", headers=headers)
    assert response.status_code == 200
    doc = body(response)
    check_document(doc)
    assert check_fdc_order(parse_document(doc)) == []
    # each id in it can be fetched (fragments through their document)
    for node in doc["@graph"]:
        path = node["@id"].removeprefix(BASE).split("#")[0]
        assert client.get(path, headers=headers).status_code == 200, node["@id"]


def test_orders_are_for_the_hub_managers(client, world):
    path = f"{API}/{world.hub.id}/orders?cycle={world.cycle.id}"
    for user in (world.stranger, world.producer_manager, world.customer):
        assert client.get(path, headers=token(user)).status_code == 403
    assert client.get(path, headers=token(world.admin)).status_code == 200
    assert (
        client.get(f"{API}/{world.hub.id}/orders", headers=token(world.hub_manager)).status_code
        == 400
    )
    other_cycle = f"{API}/{world.hub.id}/orders/{world.orders[0].id + 999}"
    assert client.get(other_cycle, headers=token(world.hub_manager)).status_code == 404


def test_producer_sees_its_own_lines_without_contact_details(client, world):
    path = f"{API}/{world.producer.id}/sale_sessions/{world.cycle.id}/orders"
    response = client.get(path, headers=token(world.producer_manager))
    assert response.status_code == 200
    doc = body(response)
    check_document(doc)
    orders = _by_type(doc, "dfc-b:Order")
    assert [o["dfc-b:orderNumber"] for o in orders] == ["C-0001", "C-0002"]  # C-0003: honey only
    lines = _by_type(doc, "dfc-b:OrderLine")
    assert len(lines) == 2
    variant_ids = {v.id for v in world.variants}
    for offer in _by_type(doc, "dfc-b:Offer"):
        assert int(offer["dfc-b:offeredItem"]["@id"].rsplit("/", 1)[1]) in variant_ids
    text = response.get_data(as_text=True)
    assert "lea@example.org" not in text
    assert "0622" not in text
    assert "email" not in text
    buyer = next(p for p in _by_type(doc, "dfc-b:Person") if p.get("dfc-b:firstName") == "Léa")
    assert buyer["@id"].endswith("#customer")
    # the producer's price, not the hub's
    line = next(ln for ln in lines if ln["dfc-b:quantity"] == 2)
    assert line["dfc-b:hasPrice"]["dfc-b:value"] == pytest.approx(3.5)
    (session,) = _by_type(doc, "dfc-b:SaleSession")
    assert session["@id"] == f"{BASE}{API}/{world.producer.id}/sale_sessions/{world.cycle.id}"
    one = client.get(f"{path}/{world.orders[0].id}", headers=token(world.producer_manager))
    assert one.status_code == 200
    assert check_fdc_order(parse_document(body(one))) == []
    hidden = client.get(f"{path}/{world.orders[2].id}", headers=token(world.producer_manager))
    assert hidden.status_code == 404


def test_producer_orders_permissions(client, world):
    path = f"{API}/{world.producer.id}/sale_sessions/{world.cycle.id}/orders"
    assert client.get(path, headers=token(world.hub_manager)).status_code == 403
    assert client.get(path, headers=token(world.stranger)).status_code == 403
    assert client.get(path, headers=token(world.admin)).status_code == 200


def test_person_is_visible_to_itself_and_its_hubs(client, world):
    path = f"/api/dfc/persons/{world.customer.id}"
    assert client.get(path, headers=token(world.producer_manager)).status_code == 404
    assert client.get(path, headers=token(world.stranger)).status_code == 404
    # the managers of a hub the person ordered from see it (they see it on the orders)
    assert client.get(path, headers=token(world.hub_manager)).status_code == 200
    doc = body(client.get(path, headers=token(world.customer)))
    assert doc["@type"] == "dfc-b:Person"
    assert doc["dfc-b:email"] == "lea@example.org"
    check_document(
        {"@context": doc["@context"], "@graph": [{k: v for k, v in doc.items() if k != "@context"}]}
    )


def test_a_client_finds_its_enterprises_then_their_cycles(client, world):
    headers = token(world.hub_manager)
    me = body(client.get("/api/dfc/persons/me", headers=headers))
    assert me["@id"] == f"{BASE}/api/dfc/persons/{world.hub_manager.id}"
    assert me["dfc-b:affiliates"] == [{"@id": f"{BASE}{API}/{world.hub.id}"}]
    sessions = body(client.get(f"{API}/{world.hub.id}/sale_sessions", headers=headers))
    check_document(sessions)
    (session,) = sessions["@graph"]
    assert session["@id"] == f"{BASE}{API}/{world.hub.id}/sale_sessions/{world.cycle.id}"
    assert session["dfc-b:beginDate"].endswith("+00:00")
    # a producer lists the cycles where it sells, under its own id
    mine = body(
        client.get(
            f"{API}/{world.producer.id}/sale_sessions", headers=token(world.producer_manager)
        )
    )
    assert [s["@id"] for s in mine["@graph"]] == [
        f"{BASE}{API}/{world.producer.id}/sale_sessions/{world.cycle.id}"
    ]


def test_guest_order_deleted_variant_and_cancelled_order(client, world):
    from core.db import db
    from orders.models import OrderStatus

    order = world.orders[1]
    order.customer_id = None  # a guest, or an account deleted since
    order.status = OrderStatus.cancelled
    line = order.lines[0]
    line.variant_id = None  # the variant was deleted since
    db.session.commit()
    headers = token(world.hub_manager)
    doc = body(client.get(f"{API}/{world.hub.id}/orders/{order.id}", headers=headers))
    check_document(doc)
    assert check_fdc_order(parse_document(doc)) == []
    (found,) = _by_type(doc, "dfc-b:Order")
    assert found["dfc-b:hasOrderStatus"] == "dfc-v:Cancelled"
    assert found["dfc-b:hasFulfilmentStatus"] == "dfc-v:Cancelled"
    assert found["dfc-b:orderedBy"]["@id"].endswith(f"/orders/{order.id}#customer")
    (offer,) = _by_type(doc, "dfc-b:Offer")
    assert offer["@id"].endswith(f"/order_lines/{line.id}#offer")
    (product,) = _by_type(doc, "dfc-b:SuppliedProduct")
    assert product["dfc-b:name"] == f"{line.product_name} - {line.variant_name}"


def test_a_sold_by_weight_line_travels_as_an_item_at_its_estimated_weight(client, db_session):
    """12.00 €/kg items of about 450 g (hub fee 10 %): the line's price is one item's, 5.94 €
    (13.20 €/kg × 0.45 kg), and its product weighs 0.45 kg, as the catalogue writes them; not
    "1 kg at the kilogram price"."""
    from decimal import Decimal

    from tests.factories_operations import place, shop_with_manager, weighed_offer

    shop, manager = shop_with_manager(offers=1)
    offer = weighed_offer(shop, per_kg_cents=1200, item_g=450)
    place(shop, [(offer.id, 2)])
    response = client.get(
        f"{API}/{shop.hub.id}/orders?cycle={shop.cycle.id}", headers=token(manager)
    )
    assert response.status_code == 200
    doc = body(response)
    check_document(doc)
    offers = {o["@id"]: o for o in _by_type(doc, "dfc-b:Offer")}
    products = {p["@id"]: p for p in _by_type(doc, "dfc-b:SuppliedProduct")}
    (line,) = [
        ln
        for ln in _by_type(doc, "dfc-b:OrderLine")
        if products[offers[ln["dfc-b:concerns"]["@id"]]["dfc-b:offeredItem"]["@id"]][
            "dfc-b:name"
        ].startswith("Tomates anciennes")
    ]
    assert line["dfc-b:quantity"] == 2
    price = Decimal(str(line["dfc-b:hasPrice"]["dfc-b:value"]))
    product = products[offers[line["dfc-b:concerns"]["@id"]]["dfc-b:offeredItem"]["@id"]]
    weight = product["dfc-b:hasQuantity"]
    assert Decimal(str(weight["dfc-b:value"])) == Decimal("0.45")
    assert weight["dfc-b:hasUnit"] == "dfc-m:Kilogram"
    assert price == Decimal("5.94")  # value / weight = 13.20 € per kg
