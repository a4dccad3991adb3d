"""The JSON API checks the token before it reads the body: a caller without a valid token gets
401 ``unauthorized``, never a 422 that would describe what the endpoint accepts."""

from __future__ import annotations

import pytest

WRITES = [
    ("post", "/api/v1/products"),
    ("patch", "/api/v1/products/1"),
    ("post", "/api/v1/products/1/variants"),
    ("patch", "/api/v1/variants/1"),
    ("post", "/api/v1/hubs/1/cycles"),
    ("put", "/api/v1/hubs/1/cycles/1"),
    ("post", "/api/v1/hubs/1/cycles/1/actions"),
    ("post", "/api/v1/hubs/1/points"),
    ("put", "/api/v1/cycles/1/cart/items"),
    ("post", "/api/v1/cycles/1/orders"),
    ("post", "/api/v1/orders/1/payment/confirm"),
]


@pytest.mark.parametrize(("method", "url"), WRITES)
@pytest.mark.parametrize("token", [None, "Bearer not-a-token"])
def test_no_valid_token_is_a_401_whatever_the_body(client, method, url, token):
    headers = {"Authorization": token} if token else {}
    resp = getattr(client, method)(url, json={"unexpected": "field"}, headers=headers)
    assert resp.status_code == 401, resp.get_json()
    assert resp.get_json()["error"]["code"] == "unauthorized"


def test_the_openapi_document_says_which_token_each_operation_takes(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    schemes = doc["components"]["securitySchemes"]
    assert schemes["bearerToken"] == {**schemes["bearerToken"], "type": "http", "scheme": "bearer"}
    assert schemes["tokenHeader"]["in"] == "header"
    assert schemes["tokenHeader"]["name"] == "X-Api-Token"
    token = [{"bearerToken": []}, {"tokenHeader": []}]
    operations = {
        (method, path): op
        for path, ops in doc["paths"].items()
        for method, op in ops.items()
        if isinstance(op, dict) and "responses" in op
    }
    # every operation states its requirement (a public one would have to say `security: []`)
    assert all("security" in op for op in operations.values())
    put_item = operations[("put", "/api/v1/cycles/{cycle_id}/cart/items")]
    assert put_item["security"] == token
    assert {"401", "403"} <= set(put_item["responses"])
    assert "unauthorized" in put_item["responses"]["401"]["description"]
    cart = operations[("get", "/api/v1/cycles/{cycle_id}/cart")]
    assert cart["security"] == token
    assert "403" not in cart["responses"]  # a read-only token may read
    # a product page is public: the token is optional (an empty requirement)
    assert operations[("get", "/api/v1/products/{product_id}")]["security"] == [*token, {}]
