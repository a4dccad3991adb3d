"""What we emit: valid JSON-LD with no dropped key, only DFC terms, FDC-acceptable orders,
and a dump -> load round trip that gives the same records."""

from __future__ import annotations

import json
import tracemalloc
from collections import Counter
from itertools import chain
from typing import Any

import pytest
from interop_support import FIXTURES, catalogue_nodes, order_nodes

from interop import jsonld, nodes, vocabulary
from interop.documents import build_document, iter_document_chunks, parse_document
from interop.errors import DfcError
from interop.rules import check_fdc_order
from interop.schemas import SCHEMAS
from interop.terms import INVERSES, WIRE_ONLY


@pytest.fixture(scope="module")
def ontology() -> dict[str, set[str]]:
    """Classes, properties and inverse pairs of DFC 1.16 (extracted once from the OWL)."""
    terms: dict[str, set[str]] = {"class": set(), "property": set(), "inverse": set()}
    for line in (FIXTURES / "ontology_terms_v1.16.0.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            kind, *names = line.split()
            terms[kind].add(" ".join(names))
    return terms


DOCUMENTS = {
    "catalogue": catalogue_nodes,
    "order": order_nodes,
}


def _walk(value: Any):
    """Every JSON object in a document, nested ones included (not bare ``{"@id"}`` links)."""
    if isinstance(value, dict):
        if set(value) != {"@id"}:
            yield value
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


def _compact_keys(doc: dict[str, Any]) -> Counter:
    keys: Counter = Counter()
    for obj in _walk(doc["@graph"]):
        keys.update(jsonld.expand_curie(k) for k in obj if not k.startswith("@"))
    return keys


def _expanded_keys(expanded: list[dict[str, Any]]) -> Counter:
    keys: Counter = Counter()
    for obj in _walk(expanded):
        if "@value" not in obj:
            keys.update(k for k in obj if not k.startswith("@"))
    return keys


@pytest.mark.parametrize("name", DOCUMENTS)
def test_no_key_is_dropped_on_expansion(name: str) -> None:
    doc = build_document(DOCUMENTS[name]())
    assert doc["@context"] == jsonld.CONTEXT_V1_URL
    expanded = jsonld.expand(doc)
    assert _expanded_keys(expanded) == _compact_keys(doc)
    # and every node, blank ones included, keeps a type
    assert all("@type" in obj for obj in _walk(expanded) if "@value" not in obj and len(obj) > 1)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_links_stay_iris_after_expansion(name: str) -> None:
    """References and concepts must expand to IRIs, never to string literals."""
    expanded = jsonld.expand(build_document(DOCUMENTS[name]()))
    for obj in _walk(expanded):
        if "@value" in obj and isinstance(obj["@value"], str):
            value = obj["@value"]
            assert not value.startswith(("https://hub.example/", "dfc-")), value


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_emitted_term_is_in_the_ontology(name: str, ontology) -> None:
    doc = build_document(DOCUMENTS[name]())
    for obj in _walk(doc["@graph"]):
        assert obj["@type"] in ontology["class"], obj["@type"]
        for key, value in obj.items():
            if key.startswith("@"):
                continue
            owl = WIRE_ONLY.get(key, key)
            assert key in ontology["property"] or key in WIRE_ONLY, key
            assert owl is None or owl in ontology["property"], owl
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str) and item.startswith(tuple(vocabulary.SCHEMES)):
                    assert vocabulary.concept(item) is not None, item


def test_wire_name_tables_match_the_ontology(ontology) -> None:
    for wire, owl in WIRE_ONLY.items():
        assert wire not in ontology["property"], f"{wire} is an OWL term now"
        assert owl is None or owl in ontology["property"], owl
    for prop, inverse in INVERSES.items():
        assert (
            f"{prop} {inverse}" in ontology["inverse"]
            or f"{inverse} {prop}" in (ontology["inverse"])
        ), (prop, inverse)


def test_statuses_we_use_exist_in_the_vocabulary() -> None:
    assert set(vocabulary.list_statuses(vocabulary.ORDER_STATUS)) == {
        "dfc-v:Draft",
        "dfc-v:Held",
        "dfc-v:Complete",
        "dfc-v:Cancelled",
    }
    assert set(vocabulary.list_statuses(vocabulary.PAYMENT_STATUS)) == {
        "dfc-v:Unpaid",
        "dfc-v:Paid",
        "dfc-v:Cancelled",
    }
    assert set(vocabulary.list_statuses(vocabulary.FULFILMENT_STATUS)) == {
        "dfc-v:Held",
        "dfc-v:Unfulfilled",
        "dfc-v:Fulfilled",
        "dfc-v:Cancelled",
    }


def test_concepts_are_written_like_ofn() -> None:
    """Units, types, statuses and facets are @id-typed: a compact CURIE string, as OFN does."""
    graph = {n["@id"]: n for n in build_document(catalogue_nodes())["@graph"]}
    product = graph["https://hub.example/api/dfc/supplied_products/10"]
    assert product["dfc-b:hasType"] == "dfc-pt:hierloom-tomato"
    assert product["dfc-b:hasQuantity"] == {
        "@type": "dfc-b:QuantitativeValue",
        "dfc-b:hasUnit": "dfc-m:Gram",
        "dfc-b:value": 500,
    }
    assert product["dfc-b:hasCertification"] == ["dfc-f:Organic-AB"]
    assert product["dfc-b:hasClaim"] == ["dfc-f:Vegan"]
    offer = graph["https://hub.example/api/dfc/offers/10"]
    assert offer["dfc-b:offeredItem"] == {"@id": "https://hub.example/api/dfc/supplied_products/10"}
    assert offer["dfc-b:hasPrice"] == {
        "@type": "dfc-b:Price",
        "dfc-b:value": 3.32,
        "dfc-b:hasUnit": "dfc-m:Euro",
        "dfc-b:VATrate": 5.5,
    }
    # on demand: no stockLimitation at all
    assert "dfc-b:stockLimitation" not in graph["https://hub.example/api/dfc/catalog_items/11"]


def test_order_document_meets_the_fdc_producer_rules() -> None:
    doc = build_document(order_nodes(lines=3))
    graph = parse_document(json.dumps(doc))
    assert check_fdc_order(graph) == []
    (order,) = graph.by_type("dfc-b:Order")
    assert len(order.refs("dfc-b:hasPart")) == len(graph.by_type("dfc-b:OrderLine")) == 3
    assert len(graph.by_type("dfc-b:SaleSession")) == 1
    for line in graph.by_type("dfc-b:OrderLine"):
        (offer,) = graph.linked(line, "dfc-b:concerns")
        assert offer.refs("dfc-b:offeredItem")
    assert order.first("dfc-b:hasOrderStatus") is not None


def test_fdc_rules_catch_a_missing_line_and_offered_item() -> None:
    records = [r for r in order_nodes(lines=2) if not isinstance(r, nodes.SaleSessionNode)]
    doc = build_document(records)
    doc["@graph"] = [
        n for n in doc["@graph"] if n["@id"] != "https://hub.example/api/dfc/orders/1/lines/2"
    ]
    for node in doc["@graph"]:
        node.pop("dfc-b:offeredItem", None)
    problems = check_fdc_order(parse_document(doc))
    assert [p.code for p in problems] == ["invalid_value", "invalid_value", "missing_field"]


@pytest.mark.parametrize("name", DOCUMENTS)
def test_dump_then_load_gives_the_same_records(name: str) -> None:
    records = DOCUMENTS[name]()
    graph = parse_document(json.dumps(build_document(records)))
    for record in records:
        node = graph.get(record.id)
        (dfc_type,) = node.types
        loaded = SCHEMAS[dfc_type]().load(graph.node_dict(node))
        assert type(record)(**loaded) == record


def test_streamed_document_equals_the_built_one() -> None:
    records = order_nodes(lines=2) + catalogue_nodes()
    text = "".join(iter_document_chunks(iter(records)))
    assert json.loads(text) == build_document(records)


def test_streaming_5000_orders_keeps_flat_memory() -> None:
    def orders(count: int):
        for number in range(1, count + 1):
            yield from order_nodes(order_no=number, lines=2)[:3]

    def peak(count: int) -> int:
        tracemalloc.start()
        size = sum(len(chunk) for chunk in iter_document_chunks(orders(count)))
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert size > count * 100
        return top

    small, large = peak(100), peak(5000)
    assert large < small * 2  # 50 times the orders, not 50 times the memory


def test_unknown_unit_cannot_be_dumped() -> None:
    record = nodes.SuppliedProductNode(
        id="https://hub.example/p/1", name="X", quantity=nodes.QuantityNode(value=1, unit="lb")
    )
    with pytest.raises(DfcError) as caught:
        build_document([record])
    assert caught.value.code == "unknown_unit"


def test_chunks_are_json_with_the_pinned_context() -> None:
    first = next(iter_document_chunks([]))
    assert jsonld.CONTEXT_V1_URL in first
    assert json.loads("".join(iter_document_chunks([]))) == {
        "@context": jsonld.CONTEXT_V1_URL,
        "@graph": [],
    }
    assert list(chain(iter_document_chunks([])))[-1] == "]}"
