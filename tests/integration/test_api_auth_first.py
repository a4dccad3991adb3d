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
