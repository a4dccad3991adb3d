"""The corpus: real DFC documents written by Open Food Network, the FDC producer app, LiteFarm,
the DFC standard and the DFC Ruby connector (tests/interop/corpus/MANIFEST.json says where each
comes from, at which commit), each imported as a catalogue through the API, with its expected
outcome: products imported, products refused by reason, notes, or the document refused whole;
and the outcome of each as an enterprise import (a new producer's profile and address).
"""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from dfc_support import body, token
from sqlalchemy import select

from core.db import db
from enterprises.models import Enterprise
from interop import imports
from interop.enterprise_import import import_enterprise
from products.models import Unit, Variant
from tests.factories import MembershipFactory, ProducerFactory, UserFactory

CORPUS = Path(__file__).resolve().parents[2] / "interop" / "corpus"
MANIFEST = json.loads((CORPUS / "MANIFEST.json").read_text(encoding="utf-8"))["documents"]


def _variants(producer) -> list[Variant]:
    return list(db.session.scalars(select(Variant).where(Variant.producer_id == producer.id)))


def _import(client, name: str):
    producer = ProducerFactory(name="Ferme du corpus")
    user = UserFactory()
    MembershipFactory(user=user, enterprise=producer)
    db.session.commit()
    response = client.post(
        f"/api/dfc/enterprises/{producer.id}/catalog_items",
        data=(CORPUS / name).read_bytes(),
        headers={
            **token(user, "write"),
            "Content-Type": "application/ld+json",
            "Accept-Language": "en",
        },
    )
    return producer, response


def test_every_document_of_the_corpus_is_in_the_manifest_with_its_source():
    listed = {entry["file"] for entry in MANIFEST}
    on_disk = {str(p.relative_to(CORPUS)) for p in CORPUS.glob("*/*.json")}
    assert listed == on_disk
    for entry in MANIFEST:
        assert entry["repository"], entry
        assert entry["path"], entry
        assert entry["commit"], entry
        assert "comptoir" not in entry["repository"].casefold()  # written by others


@pytest.mark.parametrize("entry", MANIFEST, ids=lambda e: e["file"])
def test_corpus_document_imports_as_expected(client, db_session, entry):
    producer, response = _import(client, entry["file"])
    expected = entry["expected"]
    text = response.get_data(as_text=True)
    if "document_refused" in expected:
        assert response.status_code == 422, text
        error = response.get_json()["error"]
        assert error["code"] == "dfc_document_refused"
        assert error["fields"]["errors"][0]["code"] == expected["document_refused"]
        assert _variants(producer) == []
        return
    if expected["imported"] == 0:
        assert response.status_code == 422, text
        error = response.get_json()["error"]
        assert error["code"] == "dfc_import_rejected"
        assert Counter(e["code"] for e in error["fields"]["errors"]) == expected["refused"]
        assert _variants(producer) == []
        return
    assert response.status_code == 200, text
    result = body(response)
    assert result["summary"]["new_variants"] == expected["imported"]
    assert Counter(r["code"] for r in result["refused"]) == expected["refused"]
    assert {w["code"] for w in result["warnings"]} == set(expected["notes"])
    assert len(_variants(producer)) == expected["imported"]
    for refused in result["refused"]:  # named, with a reason in the request's language
        assert refused["node_id"]
        assert refused["message"]


def test_fdc_product_of_0_kg_at_1_percent_vat_is_one_item_at_its_shelf_price(client, db_session):
    producer, response = _import(client, "fdc/product.GET.json")
    assert response.status_code == 200, response.get_data(as_text=True)
    (variant,) = _variants(producer)
    assert (variant.unit, variant.unit_value) == (Unit.piece, Decimal(1))  # 0 kg: 1 item
    assert variant.price_cents == 1206  # "12.06", VAT included
    assert variant.product.vat_rate_bp == 100  # VATrate "1": kept as given
    assert variant.stock == 11


def test_connector_product_keeps_its_vat_rate_and_names_what_we_cannot_hold(client, db_session):
    producer, response = _import(client, "connector-ruby/export_spec_graph.json")
    assert response.status_code == 200, response.get_data(as_text=True)
    (variant,) = _variants(producer)
    assert variant.product.vat_rate_bp == 522  # 5.22 %
    assert variant.price_cents == 1278
    assert (variant.unit, variant.unit_value) == (Unit.kg, Decimal("1.2"))
    (note,) = [w for w in body(response)["warnings"] if w["code"] == "not_held"]
    for prop in ("hasNutrientCharacteristic", "hasPhysicalCharacteristic"):
        assert prop in note["detail"]
    # what we hold is kept (interop.foodinfo), not listed as lost
    assert "alcoholPercentage" not in note["detail"]
    assert variant.product.alcohol_percent == Decimal("2.6")
    assert variant.product.storage == "usageOrStorageConditions"


def test_fdc_catalogue_in_pounds_is_never_relabelled_as_euros(client, db_session):
    producer, response = _import(client, "fdc/fdc-catalog.json")
    assert response.status_code == 422
    refused = response.get_json()["error"]["fields"]["errors"]
    assert len(refused) == 8
    assert {r["code"] for r in refused} == {"unknown_currency"}
    assert "PoundSterling" in refused[0]["message"]
    assert refused[0]["name"] == "Apple Balsamic Vinegar - Retail bottle, 40ml"
    assert _variants(producer) == []


@pytest.mark.parametrize("entry", MANIFEST, ids=lambda e: e["file"])
def test_corpus_document_as_an_enterprise_import(app, db_session, entry):
    owner = UserFactory()
    db.session.commit()
    expected = entry["expected_enterprise"]
    data = (CORPUS / entry["file"]).read_bytes()
    with app.test_request_context(headers={"Accept-Language": "en"}):
        if "document_refused" in expected:
            with pytest.raises(imports.DfcDocumentRefused) as refused:
                import_enterprise(data, owner=owner)
            assert refused.value.problem.code == expected["document_refused"]
            return
        if "rejected" in expected:
            with pytest.raises(imports.DfcImportRejected) as rejected:
                import_enterprise(data, owner=owner)
            assert rejected.value.errors[0].code == expected["rejected"]
            return
        result = import_enterprise(data, owner=owner)
    assert result.name == expected["name"]
    assert sorted(p.detail for p in result.refused) == expected["refused_fields"]
    assert {n.code for n in result.notes} == set(expected["notes"])
    assert db.session.get(Enterprise, result.enterprise_id).is_producer
