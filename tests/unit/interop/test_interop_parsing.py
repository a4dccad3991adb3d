"""Reading DFC documents offline: every shipped example, every context alias, every bad input."""

from __future__ import annotations

import json
import socket

import pytest
from interop_support import EXAMPLES, example

from interop import jsonld
from interop.documents import parse_document
from interop.errors import DfcError


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a connection fails the test: contexts come from disk only."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name[:3].strip("_"))
def test_every_example_parses_offline(path) -> None:
    graph = parse_document(path.read_text(encoding="utf-8"))
    assert len(graph) > 0
    assert graph.errors == []
    assert all(node.types for node in graph)


@pytest.mark.parametrize(
    ("prefix", "profile"),
    [("01", "v1"), ("06", "v1"), ("07", "v1"), ("12", "v1"), ("08", "v2"), ("13", "v2")],
)
def test_profile_comes_from_the_context(prefix: str, profile: str) -> None:
    assert jsonld.detect_profile(example(prefix)) == profile


@pytest.mark.parametrize("url", list(jsonld.CONTEXT_ALIASES))
@pytest.mark.parametrize("scheme", ["http://", "https://"])
@pytest.mark.parametrize("slash", ["", "/"])
def test_every_known_context_url_loads_from_disk(url: str, scheme: str, slash: str) -> None:
    loaded = jsonld.document_loader(scheme + url + slash)
    assert "dfc-b" in loaded["document"]["@context"]


def test_bare_site_url_means_1_16_not_2_0() -> None:
    assert jsonld.context_profile("https://www.datafoodconsortium.org") == "v1"


def test_v2_document_reads_as_v1_curies() -> None:
    graph = parse_document(example("08"))
    item = graph.get("http://test.host/api/dfc/enterprises/10000/catalog_items/10001")
    assert item is not None
    assert item.types == ["dfc-b:CatalogItem"]
    assert item.first("dfc-b:sku") == "AR"
    organization = parse_document(example("13")).by_type("dfc-b:Enterprise")
    assert len(organization) == 3


def test_links_are_indexed_in_both_directions() -> None:
    graph = parse_document(example("05"))
    base = "https://env-0105831.jcloud-ver-jpe.ik-server.com/api/dfc/Enterprises/test-hodmedod/"
    item = graph.get(base + "SuppliedProducts/44519466467635/CatalogItem")
    # FDC sends only SuppliedProduct.referencedBy; the inverse is added on import
    assert item.refs("dfc-b:references") == [base + "SuppliedProducts/44519466467635"]


def test_offered_item_string_is_read_as_a_link() -> None:
    graph = parse_document(example("01"))
    offers = graph.by_type("dfc-b:Offer")
    assert all(offer.refs("dfc-b:offeredItem") for offer in offers)


def test_owl_names_are_read_beside_wire_names() -> None:
    doc = {
        "@context": jsonld.CONTEXT_V1_URL,
        "@id": "https://x.example/addresses/1",
        "@type": "dfc-b:Address",
        "dfc-b:street": "1 rue Haute",
        "dfc-b:postcode": "75001",
        "dfc-b:city": "Paris",
    }
    node = parse_document(doc).get("https://x.example/addresses/1")
    assert node.first("dfc-b:hasStreet") == "1 rue Haute"
    assert node.first("dfc-b:hasPostalCode") == "75001"
    assert node.first("dfc-b:hasCity") == "Paris"


def test_relative_ids_resolve_against_the_base() -> None:
    graph = parse_document(example("09"), base="http://test.host/api/dfc/organizations/10000")
    assert graph.get("http://test.host/api/dfc/organizations/10000#certification-30000")


def test_legacy_example_resolves_its_inline_base() -> None:
    graph = parse_document(example("12"))
    assert graph.get("http://maPlateformeNationale/order/orderId1").types == ["dfc-b:Order"]


def test_invalid_json_is_refused() -> None:
    with pytest.raises(DfcError) as caught:
        parse_document('{"@context": ')
    assert caught.value.code == "invalid_json"
    assert caught.value.node_id is None


def test_a_json_array_is_refused() -> None:
    with pytest.raises(DfcError) as caught:
        parse_document("[]")
    assert caught.value.code == "invalid_json"


@pytest.mark.parametrize(
    "context",
    [
        "https://evil.example/context.json",
        [jsonld.CONTEXT_V1_URL, "https://evil.example/more.json"],
        None,
    ],
)
def test_unknown_context_is_refused_without_fetching(context: object) -> None:
    doc = {"@id": "https://x.example/p/1", "@type": "dfc-b:SuppliedProduct"}
    if context is not None:
        doc["@context"] = context
    with pytest.raises(DfcError) as caught:
        parse_document(json.dumps(doc))
    assert caught.value.code == "unknown_context"


def test_mixing_v1_and_v2_is_refused() -> None:
    doc = {"@context": [jsonld.CONTEXT_V1_URL, jsonld.CONTEXT_V2_URL], "@id": "https://x.example/"}
    with pytest.raises(DfcError) as caught:
        parse_document(doc)
    assert caught.value.code == "unknown_context"


def test_node_without_type_is_reported_with_its_id() -> None:
    doc = {
        "@context": jsonld.CONTEXT_V1_URL,
        "@graph": [
            {"@id": "https://x.example/p/1", "dfc-b:name": "Sans type"},
            {"@id": "https://x.example/p/2", "@type": "dfc-b:SuppliedProduct", "dfc-b:name": "OK"},
        ],
    }
    graph = parse_document(doc)
    assert [(e.code, e.node_id) for e in graph.errors] == [
        ("missing_type", "https://x.example/p/1")
    ]
    assert graph.get("https://x.example/p/2").types == ["dfc-b:SuppliedProduct"]
