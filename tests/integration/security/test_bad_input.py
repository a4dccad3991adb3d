"""Bad input gets a clear 4xx, never a 500 (core.hardening, core.errors, core.schemas).

Each case is one a user, a script or a scanner really sends: ids and pages beyond the database's
integers, NUL bytes, CR/LF in a return address, year-1 dates, deeply nested JSON, a method the
URL does not take.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from core.hardening import MAX_DB_INT
from cycles.models import PickupSlot
from tests.factories import MembershipFactory, UserFactory
from tests.factories_orders import make_shop
from tests.factories_products import api_token

BIG = [MAX_DB_INT + 1, 2**63, 10**30]


def _error(resp) -> dict:
    body = resp.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


# -- ids and pages --------------------------------------------------------------------------


@pytest.mark.parametrize("big", BIG)
def test_an_id_beyond_the_integer_column_is_not_found(client, login_as, big):
    login_as(UserFactory(is_admin=True))
    assert client.get(f"/orders/{big}").status_code == 404
    assert client.get(f"/hubs/{big}/orders").status_code == 404
    resp = client.get(f"/api/v1/orders/{big}")
    assert resp.status_code == 404
    assert _error(resp)["code"] == "not_found"


@pytest.mark.sqlite
def test_an_id_beyond_the_integer_column_is_not_found_on_sqlite(sqlite_client):
    """SQLite refuses Python ints over 2⁶³ outright (OverflowError): the route never matches."""
    assert sqlite_client.get(f"/hubs/{2**64}").status_code == 404
    assert sqlite_client.get(f"/e/x?page={2**64}").status_code in (200, 404)


def test_the_api_document_bounds_path_ids(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    param = spec["paths"]["/api/v1/orders/{order_id}"]["parameters"][0]
    assert param["schema"] == {"type": "integer", "minimum": 0, "maximum": MAX_DB_INT}


def test_a_page_beyond_2_63_is_the_first_page(client, login_as):
    login_as(UserFactory(is_admin=True))
    resp = client.get(f"/admin/enterprises?page={2**63}")
    assert resp.status_code == 200


# -- NUL, CR/LF -----------------------------------------------------------------------------


def test_nul_in_a_search_or_a_form_is_refused(client):
    resp = client.get("/hubs?postcode=35%00200")
    assert resp.status_code == 400
    assert "NUL" in resp.get_data(as_text=True)
    resp = client.post("/login", data={"email": "a\x00@example.org", "password": "x"})
    assert resp.status_code == 400


def test_nul_in_json_is_refused_with_the_error_body(client):
    resp = client.put(
        "/api/v1/cycles/1/cart/items",
        data=json.dumps({"offer_id": 1, "quantity": 1, "note": "a\u0000b"}),
        content_type="application/json",
    )
    assert resp.status_code == 400
    assert _error(resp)["code"] == "invalid_characters"


def test_crlf_in_next_does_not_reach_the_location_header(client):
    resp = client.post("/language", data={"lang": "en", "next": "/hubs\r\nSet-Cookie: a=b"})
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/"


# -- JSON -----------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_json_nested_deeply_is_refused(client, depth):
    body = "[" * depth + "]" * depth
    resp = client.put("/api/v1/cycles/1/cart/items", data=body, content_type="application/json")
    assert resp.status_code == 400
    assert _error(resp)["code"] == "json_too_deep"


def test_a_json_integer_beyond_the_column_is_a_field_error(db_session, client):
    """A slot of 2³¹ places: 422 naming the field, nothing written (was an overflow: 500)."""
    shop = make_shop(offers=1, producers=1)
    manager = UserFactory()
    MembershipFactory(user=manager, enterprise=shop.cycle.hub)
    token = api_token(manager)
    before = db_session.scalar(select(func.count(PickupSlot.id)))
    url = f"/api/v1/hubs/{shop.cycle.hub_id}/cycles/{shop.cycle.id}/windows/{shop.window.id}/slots"
    resp = client.post(
        url,
        json={
            "starts_at": shop.window.starts_at.isoformat(),
            "ends_at": shop.window.ends_at.isoformat(),
            "capacity": MAX_DB_INT + 1,
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert resp.status_code == 422
    assert "capacity" in _error(resp)["fields"]
    assert db_session.scalar(select(func.count(PickupSlot.id))) == before


def test_the_api_documents_the_error_body_it_sends(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    error = spec["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    detail = spec["components"]["schemas"]["ErrorDetail"]
    assert set(detail["properties"]) == {"code", "message", "fields"}


# -- methods --------------------------------------------------------------------------------


def test_405_says_which_methods_are_allowed(client):
    resp = client.delete("/api/v1/me")
    assert resp.status_code == 405
    assert "GET" in resp.headers["Allow"]
    assert _error(resp)["code"] == "method_not_allowed"
    resp = client.put("/login")
    assert resp.status_code == 405
    assert "POST" in resp.headers["Allow"]


# -- dates ----------------------------------------------------------------------------------


def test_a_year_1_date_is_a_form_error(client, login_as, db_session):
    shop = make_shop(offers=1, producers=1)
    admin = UserFactory(is_admin=True)
    db_session.commit()
    login_as(admin)
    resp = client.post(
        f"/hubs/{shop.cycle.hub_id}/cycles/new",
        data={"name": "Cycle", "opens_at": "0001-01-01T00:00", "closes_at": "0001-01-02T00:00"},
    )
    assert resp.status_code in (400, 422)


# -- DFC import -----------------------------------------------------------------------------


def test_a_dfc_document_too_big_for_its_size_is_refused_before_the_json_ld_work(app_ctx):
    """Many tiny objects (1.6 MB) are counted and refused at once, not expanded by pyld."""
    import time

    from interop import imports
    from interop.graph import MAX_JSON_OBJECTS
    from interop.jsonld import CONTEXT_V1_URL

    doc = {"@context": CONTEXT_V1_URL, "@graph": [{} for _ in range(MAX_JSON_OBJECTS + 1)]}
    started = time.process_time()
    with pytest.raises(imports.DfcDocumentRefused) as refused:
        imports.read_catalogue(json.dumps(doc).encode())
    assert time.process_time() - started < 5
    assert "JSON objects" in str(refused.value.error.message)


def test_a_dfc_document_nested_deeply_is_refused(app_ctx):
    from interop import imports

    deep = '{"@context": {}, "@graph": [' + "[" * 5_000 + "]" * 5_000 + "]}"
    with pytest.raises(imports.DfcDocumentRefused) as refused:
        imports.read_catalogue(deep.encode())
    assert refused.value.error.code == "invalid_json"


def test_a_year_1_date_in_the_api_is_a_field_error(db_session, client):
    shop = make_shop(offers=1, producers=1)
    manager = UserFactory()
    MembershipFactory(user=manager, enterprise=shop.cycle.hub)
    token = api_token(manager)
    resp = client.post(
        f"/api/v1/hubs/{shop.cycle.hub_id}/cycles",
        json={"name": "C", "opens_at": "0001-01-01T00:00:00", "closes_at": "0001-01-02T00:00"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert resp.status_code == 422
    assert "opens_at" in _error(resp)["fields"]


def test_query_and_form_integers_are_bounded(app):
    """``get(key, type=int)`` on args, form and values: out of the column's range = invalid."""
    from flask import request

    query = f"?page={2**63}&n=12&neg=-{2**31 + 1}"
    with app.test_request_context("/" + query, method="POST", data={"qty": str(2**31)}):
        assert request.args.get("page", 1, type=int) == 1
        assert request.args.get("n", type=int) == 12
        assert request.args.get("neg", 0, type=int) == 0
        assert request.form.get("qty", 0, type=int) == 0
        assert request.values.get("page", 1, type=int) == 1
        assert request.values.get("qty", 0, type=int) == 0
        assert request.values.getlist("n", type=int) == [12]
