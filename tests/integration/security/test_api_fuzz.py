"""schemathesis over /api/v1/openapi.json: no input gives a server error, errors match the schema.

For every operation of the document, hypothesis generates requests from the schema (path, query
and body; valid and invalid data) and each one is sent without a token, then with a write token of
each role (a citizen, a producer's manager, a hub's manager, a platform admin) and the path ids
replaced by real objects of that producer and hub (a product, a variant, a cycle with a window,
a slot and an offer, a point), so that calls get past the 404s into the services. Every
answer must be below 500, of the declared content type and conform to the declared schema
(error bodies included: ``{"error": {"code", "message", "fields"}}``).

The number of examples per operation is bounded (``API_FUZZ_EXAMPLES``, 6 by default:
about a minute on a 2-core machine); the seed is fixed (derandomized) so a failure reproduces.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from flask import g
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import build_app
from tests.factories import MembershipFactory, UserFactory
from tests.factories_orders import make_shop
from tests.factories_products import api_token

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "6"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


#: the document, read from an app on SQLite at collection (the same code as the test app; the
#: calls go to the PostgreSQL test app: ``app=`` below)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", build_app("sqlite://"))


@pytest.fixture
def api_world(db_session) -> dict[str, Any]:
    """One token per role (all write tokens) and the ids of real objects they manage."""
    shop = make_shop(offers=2, producers=1)
    producer = shop.offers[0].variant.product.producer
    producer_manager, hub_manager = UserFactory(), UserFactory()
    MembershipFactory(user=producer_manager, enterprise=producer)
    MembershipFactory(user=hub_manager, enterprise=shop.cycle.hub)
    db_session.commit()
    tokens = {
        "citizen": api_token(UserFactory()),
        "producer": api_token(producer_manager),
        "hub": api_token(hub_manager),
        "admin": api_token(UserFactory(is_admin=True)),
    }
    ids = {
        "hub_id": shop.cycle.hub_id,
        "enterprise_id": producer.id,
        "producer_id": producer.id,
        "product_id": shop.offers[0].variant.product_id,
        "variant_id": shop.offers[0].variant_id,
        "cycle_id": shop.cycle.id,
        "window_id": shop.window.id,
        "slot_id": shop.slot.id,
        "offer_id": shop.offers[0].id,
        "point_id": shop.window.distribution_point_id,
    }
    return {"tokens": tokens, "ids": ids}


def _call(app, case, headers: dict[str, str]) -> None:
    vars(g).clear()  # as in production, each request starts with an empty g
    case.call_and_validate(headers=headers, checks=CHECKS, app=app)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_api_call_gives_a_server_error(app, case, api_world):
    _call(app, case, {})
    generated = dict(case.path_parameters or {})
    real = {k: api_world["ids"].get(k, v) for k, v in generated.items()}
    for token in api_world["tokens"].values():
        case.path_parameters = real
        _call(app, case, {"Authorization": f"Bearer {token}"})
