"""Every DFC route is in the application's OpenAPI document, with OFN's paths among them."""

from __future__ import annotations

import re


def test_every_dfc_route_is_in_the_openapi_document(app, client):
    doc = client.get("/api/v1/openapi.json").get_json()
    documented = {
        (method.upper(), path)
        for path, operations in doc["paths"].items()
        for method in operations
        if method != "parameters"
    }
    routes = {
        (method, re.sub(r"<(?:int:)?([a-z_]+)>", r"{\1}", rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("interop.dfc.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes, "the DFC blueprint is registered"
    assert routes <= documented, sorted(routes - documented)
    # OFN's DFC paths (engines/dfc_provider/config/routes.rb) are among them
    for method, path in [
        ("GET", "/api/dfc/enterprises/{enterprise_id}"),
        ("GET", "/api/dfc/enterprises/{producer_id}/catalog_items"),
        ("GET", "/api/dfc/enterprises/{producer_id}/catalog_items/{variant_id}"),
        ("GET", "/api/dfc/enterprises/{producer_id}/supplied_products/{variant_id}"),
        ("GET", "/api/dfc/enterprises/{producer_id}/offers/{variant_id}"),
        ("POST", "/api/dfc/enterprises/{enterprise_id}/orders"),
        ("GET", "/api/dfc/persons/{user_id}"),
    ]:
        assert (method, path) in documented, path
    post = doc["paths"]["/api/dfc/enterprises/{enterprise_id}/orders"]["post"]
    assert post["tags"] == ["DFC"]
    assert {"201", "200", "401", "403", "default"} <= set(post["responses"])
    assert post["security"] == [{"bearerToken": []}, {"tokenHeader": []}]


def test_the_offers_of_a_catalogue_in_one_document(client, world):
    from dfc_support import body, check_document, token

    response = client.get(
        f"/api/dfc/enterprises/{world.producer.id}/offers", headers=token(world.hub_manager)
    )
    assert response.status_code == 200
    doc = body(response)
    check_document(doc)
    offers = [n for n in doc["@graph"] if n["@type"] == "dfc-b:Offer"]
    assert {n["@type"] for n in doc["@graph"]} == {"dfc-b:Offer"}
    assert sorted(o["@id"].rsplit("/", 1)[1] for o in offers) == sorted(
        str(v.id) for v in world.variants
    )
