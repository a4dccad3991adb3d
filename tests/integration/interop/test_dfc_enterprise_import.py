"""Importing an enterprise document (OFN, LiteFarm v2, the connectors) into a producer's
profile and address: every field we can take, each refused one named with its reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from core.db import db
from enterprises.models import Enterprise, Membership
from interop import imports
from interop.enterprise_import import import_enterprise
from tests.factories import ProducerFactory, UserFactory

CORPUS = Path(__file__).resolve().parents[2] / "interop" / "corpus"
FARM_THREE = CORPUS / "litefarm" / "litefarm_v2_2026_07_22_beta_dfc_farm_three.json"
OFN_06 = next((CORPUS / "ofn").glob("06_*.json"))
LITEFARM_13 = next((CORPUS / "litefarm").glob("13_*.json"))


def test_a_litefarm_farm_becomes_a_producer_with_what_we_can_take(app, db_session):
    owner = UserFactory()
    db.session.commit()
    with app.test_request_context(headers={"Accept-Language": "en"}):
        result = import_enterprise(FARM_THREE.read_bytes(), owner=owner)
    farm = db.session.get(Enterprise, result.enterprise_id)
    assert result.created is True
    assert farm.name == "Beta DFC Farm Three"
    assert farm.is_producer is True
    assert farm.description == "New farm to test account creation flow"
    assert farm.contact_email == "shop@example.com"
    assert (farm.address, farm.city) == ("1455 Quebec Street", "Vancouver")
    assert farm.postcode == ""  # "V6A 3Z7" is no French postcode: refused, named
    (refused,) = result.refused
    assert refused.detail == "dfc-b:hasAddress > dfc-b:hasPostalCode"
    assert refused.message == "A French postcode has five digits."
    assert {n.code for n in result.notes} == {"person_not_created", "address_abroad", "not_held"}
    membership = db.session.scalar(select(Membership).where(Membership.enterprise_id == farm.id))
    assert membership.user_id == owner.id


def test_an_ofn_enterprise_updates_a_producer_profile(app, db_session):
    producer = ProducerFactory(name="Ancien nom", city="Rennes", postcode="35000")
    db.session.commit()
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        result = import_enterprise(OFN_06.read_bytes(), target=producer)
    db.session.refresh(producer)
    assert result.created is False
    assert producer.name == "Fred's Farm"
    assert producer.description == "This is an awesome enterprise"
    assert producer.contact_email == "hello@example.org"
    assert producer.website == "https://openfoodnetwork.org"
    assert producer.address == "42 Doveton Street"
    assert producer.city == "Herndon"
    assert producer.postcode == "20170"  # five digits: a French postcode to our rules
    refused = {p.detail: p.message for p in result.refused}
    # OFN's example VAT number is no valid EU one: refused in French, the rest taken
    assert refused == {
        "dfc-b:VATnumber": "Saisissez un numéro de TVA intracommunautaire valide, "
        "comme FR40303265045."
    }
    assert producer.vat_number == ""  # "123 456" was not taken


def test_a_document_with_several_enterprises_needs_the_one_to_import(app, db_session):
    owner = UserFactory()
    db.session.commit()
    with app.test_request_context(headers={"Accept-Language": "en"}):
        with pytest.raises(imports.DfcImportRejected) as rejected:
            import_enterprise(LITEFARM_13.read_bytes(), owner=owner)
        assert rejected.value.errors[0].code == "several_enterprises"
        graph_ids = rejected.value.errors[0].detail.split(", ")
        result = import_enterprise(LITEFARM_13.read_bytes(), owner=owner, node_id=graph_ids[0])
    assert db.session.get(Enterprise, result.enterprise_id).name


def test_an_order_or_a_nameless_enterprise_writes_nothing(app, db_session):
    owner = UserFactory()
    db.session.commit()
    before = db.session.scalar(select(db.func.count(Enterprise.id)))
    order = next((CORPUS / "ofn").glob("01_*.json")).read_bytes()
    nameless = (
        b'{"@context": "https://www.datafoodconsortium.org", '
        b'"@id": "https://x.example/e", "@type": "dfc-b:Enterprise"}'
    )
    with app.test_request_context(headers={"Accept-Language": "en"}):
        with pytest.raises(imports.DfcDocumentRefused) as refused:
            import_enterprise(order, owner=owner)
        assert refused.value.problem.code == "order_document"
        with pytest.raises(imports.DfcImportRejected) as rejected:
            import_enterprise(nameless, owner=owner)
        assert rejected.value.errors[0].code == "missing_name"
    assert db.session.scalar(select(db.func.count(Enterprise.id))) == before
