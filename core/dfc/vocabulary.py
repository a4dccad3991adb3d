"""The DFC taxonomies (product types, measures, facets, vocabulary), loaded once from core/dfc/data.

Public codes are compact CURIEs ("dfc-pt:tomato", "dfc-m:Kilogram", "dfc-f:Organic-AB",
"dfc-v:Complete"). :func:`compact` accepts a CURIE or a full IRI under the 1.16 or the 2.0.0
namespaces and returns the CURIE, so every caller compares codes, never IRIs.

The taxonomy JSON files are expanded JSON-LD (one ``@graph`` of SKOS concepts keyed by full IRI
under ``https://github.com/datafoodconsortium/taxonomies/releases/latest/download/<name>.rdf#``);
each scheme is parsed lazily on first use and cached for the life of the process. The hierarchy
is built from ``skos:broader`` *and* ``skos:narrower``, because the files state some links on one
side only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

from core.dfc.errors import DfcError

DATA = Path(__file__).resolve().parent / "data"
SKOS = "http://www.w3.org/2004/02/skos/core#"
GITHUB = "https://github.com/datafoodconsortium/taxonomies/releases/latest/download/"
V2 = "http://w3id.org/dfc/taxonomies/v2.0.0/"

SCHEMES = {
    "dfc-pt": ("productTypes", "taxonomy_productTypes_v1.3.0.json"),
    "dfc-m": ("measures", "taxonomy_measures_v1.3.0.json"),
    "dfc-f": ("facets", "taxonomy_facets_v1.3.0.json"),
    "dfc-v": ("vocabulary", "taxonomy_vocabulary_v1.3.0.json"),
}
NAMESPACES = {
    prefix: (
        f"{GITHUB}{name}.rdf#",
        f"{V2}{name}.rdf#",
        f"https://w3id.org/dfc/taxonomies/v2.0.0/{name}.rdf#",
    )
    for prefix, (name, _) in SCHEMES.items()
}

#: our units (products.models.Unit values) and their DFC measure, both ways exactly
UNIT_TO_DFC = {
    "g": "dfc-m:Gram",
    "kg": "dfc-m:Kilogram",
    "ml": "dfc-m:Millilitre",
    "cl": "dfc-m:Centilitre",
    "l": "dfc-m:Litre",
    "piece": "dfc-m:Piece",
    "dozen": "dfc-m:Dozen",
}
UNIT_CODES = tuple(UNIT_TO_DFC)
#: DFC measures we read, to (our unit, factor applied to the value)
DFC_TO_UNIT: dict[str, tuple[str, Decimal]] = {
    "dfc-m:Gram": ("g", Decimal(1)),
    "dfc-m:Kilogram": ("kg", Decimal(1)),
    "dfc-m:Milligram": ("g", Decimal("0.001")),
    "dfc-m:Tonne": ("kg", Decimal(1000)),
    "dfc-m:PoundMass": ("kg", Decimal("0.45359237")),
    "dfc-m:Ounce": ("g", Decimal("28.349523125")),
    "dfc-m:Millilitre": ("ml", Decimal(1)),
    "dfc-m:Centilitre": ("cl", Decimal(1)),
    "dfc-m:Decilitre": ("cl", Decimal(10)),
    "dfc-m:Litre": ("l", Decimal(1)),
    "dfc-m:Gallon": ("l", Decimal("4.54609")),
    "dfc-m:Piece": ("piece", Decimal(1)),
    "dfc-m:Dozen": ("dozen", Decimal(1)),
    "dfc-m:HalfDozen": ("piece", Decimal(6)),
    "dfc-m:Pair": ("piece", Decimal(2)),
    "dfc-m:4Pack": ("piece", Decimal(4)),
    "dfc-m:6Pack": ("piece", Decimal(6)),
}
#: packaging units count as items ("a jar", "a bunch"), as OFN's importer does
PACKAGING = {
    "Bag",
    "Basket",
    "BeerCrate",
    "Bottle",
    "Box",
    "Bucket",
    "Bunch",
    "Bundle",
    "Can",
    "Carton",
    "Cask",
    "Crate",
    "Cup",
    "Drum",
    "Jar",
    "Keg",
    "Kit",
    "Net",
    "Package",
    "Packet",
    "Pallet",
    "Pot",
    "Pouch",
    "Punnet",
    "Roll",
    "Tablet",
    "Tin",
    "Tray",
    "Tub",
    "Tube",
}
for _name in PACKAGING:
    DFC_TO_UNIT[f"dfc-m:{_name}"] = ("piece", Decimal(1))
#: ISO 4217 code -> DFC currency (the measures taxonomy has only these five)
CURRENCIES = {
    "EUR": "dfc-m:Euro",
    "GBP": "dfc-m:PoundSterling",
    "USD": "dfc-m:USDollar",
    "CAD": "dfc-m:CanadianDollar",
    "AUD": "dfc-m:AustralianDollar",
}

#: facet subtrees a producer picks labels from (certifications and claims, not regions)
LABEL_ROOTS = ("dfc-f:Certification", "dfc-f:Claim")
#: facet root -> the SuppliedProduct property that carries its concepts
FACET_PROPERTIES = {
    "dfc-f:Certification": "dfc-b:hasCertification",
    "dfc-f:Claim": "dfc-b:hasClaim",
    "dfc-f:TerritorialOrigin": "dfc-b:hasGeographicalOrigin",
    "dfc-f:NatureOrigin": "dfc-b:hasNatureOrigin",
    "dfc-f:PartOrigin": "dfc-b:hasPartOrigin",
}

# -- dfc-v statuses (all checked against taxonomy_vocabulary by the tests) ----------------------
ORDER_STATUS = "OrderStatus"
FULFILMENT_STATUS = "FulfilmentStatus"
PAYMENT_STATUS = "PaymentStatus"
DRAFT = "dfc-v:Draft"
HELD = "dfc-v:Held"
COMPLETE = "dfc-v:Complete"
CANCELLED = "dfc-v:Cancelled"
UNFULFILLED = "dfc-v:Unfulfilled"
FULFILLED = "dfc-v:Fulfilled"
UNPAID = "dfc-v:Unpaid"
PAID = "dfc-v:Paid"


@dataclass
class Concept:
    code: str
    labels: dict[str, str] = field(default_factory=dict)
    broader: list[str] = field(default_factory=list)
    narrower: list[str] = field(default_factory=list)
    notation: str = ""

    def label(self, lang: str) -> str:
        """The prefLabel in ``lang``, else English, else the local name."""
        return self.labels.get(lang) or self.labels.get("en") or self.code.split(":", 1)[1]

    @property
    def iri(self) -> str:
        """The full 1.16 IRI (what ``dfc-pt:`` expands to under the 1.16 context)."""
        prefix, local = self.code.split(":", 1)
        return NAMESPACES[prefix][0] + local


def compact(value: str | None) -> str | None:
    """A CURIE for a taxonomy concept given as CURIE or full IRI (1.16 or 2.0.0); else None."""
    if not value or not isinstance(value, str):
        return None
    value = value.strip()
    for prefix, namespaces in NAMESPACES.items():
        if value.startswith(prefix + ":"):
            return value
        for namespace in namespaces:
            if value.startswith(namespace):
                return f"{prefix}:{value[len(namespace) :]}"
    return None


@cache
def _scheme(prefix: str) -> dict[str, Concept]:
    """Every SKOS concept of one taxonomy, by CURIE, in file order; links made symmetric."""
    _, filename = SCHEMES[prefix]
    graph = json.loads((DATA / filename).read_text(encoding="utf-8"))[0]["@graph"]
    concepts: dict[str, Concept] = {}
    for node in graph:
        code = compact(node["@id"])
        if code is None or code.endswith(":"):
            continue
        types = node.get("@type", []) + [
            t["@id"] for t in node.get("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", [])
        ]
        if f"{SKOS}Concept" not in types:
            continue
        concept = Concept(code=code)
        for item in node.get(f"{SKOS}prefLabel", []):
            concept.labels.setdefault(item.get("@language", "en"), item["@value"])
        concept.broader = [
            c for c in (compact(b["@id"]) for b in node.get(f"{SKOS}broader", [])) if c
        ]
        concept.narrower = [
            c for c in (compact(b["@id"]) for b in node.get(f"{SKOS}narrower", [])) if c
        ]
        notations = node.get(f"{SKOS}notation", [])
        concept.notation = notations[0]["@value"] if notations else ""
        concepts[code] = concept
    for concept in concepts.values():  # state every link on both sides
        for parent in concept.broader:
            if parent in concepts and concept.code not in concepts[parent].narrower:
                concepts[parent].narrower.append(concept.code)
        for child in concept.narrower:
            if child in concepts and concept.code not in concepts[child].broader:
                concepts[child].broader.append(concept.code)
    return concepts


def concept(code: str | None) -> Concept | None:
    """The concept for a CURIE or IRI of any of the four taxonomies, or None."""
    curie = compact(code)
    if curie is None:
        return None
    return _scheme(curie.split(":", 1)[0]).get(curie)


def in_scheme(code: str | None, prefix: str) -> bool:
    """Whether ``code`` (CURIE or IRI) is a concept of the taxonomy ``prefix`` ("dfc-m"...)."""
    curie = compact(code)
    return bool(curie and curie.startswith(prefix + ":") and curie in _scheme(prefix))


def _walk(code: str | None, direction: str) -> list[str]:
    """The concepts reached from ``code`` by its ``direction`` links ("broader" or "narrower"),
    nearest first (breadth first, no duplicates)."""
    found = concept(code)
    if found is None:
        return []
    scheme = _scheme(found.code.split(":", 1)[0])
    seen: list[str] = []
    queue = list(getattr(found, direction))
    while queue:
        next_code = queue.pop(0)
        if next_code in scheme and next_code not in seen:
            seen.append(next_code)
            queue.extend(getattr(scheme[next_code], direction))
    return seen


def ancestors(code: str | None) -> list[str]:
    """Every broader concept of ``code``, nearest first (breadth first, no duplicates)."""
    return _walk(code, "broader")


def descendants(code: str | None) -> list[str]:
    """Every narrower concept of ``code`` (breadth first, no duplicates)."""
    return _walk(code, "narrower")


# -- product types -------------------------------------------------------------------------------


def list_product_types(lang: str = "fr") -> list[tuple[str, str]]:
    """Every product type (255 in v1.3.0) as (CURIE, label in ``lang``), in taxonomy order."""
    return [(c.code, c.label(lang)) for c in _scheme("dfc-pt").values()]


def is_product_type(code: str | None) -> bool:
    return in_scheme(code, "dfc-pt")


def product_type_label(code: str | None, lang: str = "fr") -> str | None:
    found = concept(code) if is_product_type(code) else None
    return found.label(lang) if found else None


def product_type_parent(code: str | None) -> str | None:
    """The broader product type ("dfc-pt:tomato" -> "dfc-pt:vegetable"...), None for a root."""
    found = concept(code) if is_product_type(code) else None
    return found.broader[0] if found and found.broader else None


def product_type_roots() -> list[str]:
    """The top product types (bakery, dairy-product, drink, ... vegetable)."""
    return [c.code for c in _scheme("dfc-pt").values() if not c.broader]


# -- facets (labels and certifications) -------------------------------------------------------


def list_facets(lang: str = "fr") -> list[tuple[str, str]]:
    """Labels a product can carry: the certification and claim subtrees (leaves and groups)."""
    found: list[tuple[str, str]] = []
    scheme = _scheme("dfc-f")
    for root in LABEL_ROOTS:
        found.extend((code, scheme[code].label(lang)) for code in descendants(root))
    return found


def is_facet(code: str | None) -> bool:
    return in_scheme(code, "dfc-f")


def facet_label(code: str | None, lang: str = "fr") -> str | None:
    found = concept(code) if is_facet(code) else None
    return found.label(lang) if found else None


def facet_property(code: str | None) -> str | None:
    """The SuppliedProduct property for a facet: ``dfc-b:hasCertification`` for "dfc-f:Organic-AB",
    ``dfc-b:hasClaim`` for a claim, the origin properties for origins; None otherwise."""
    if not is_facet(code):
        return None
    curie = compact(code)
    for root in [curie, *ancestors(curie)]:
        if root in FACET_PROPERTIES:
            return FACET_PROPERTIES[root]
    return None


# -- measures, currencies, statuses ----------------------------------------------------------


def unit_to_dfc(unit: str) -> str:
    return UNIT_TO_DFC[unit]


def dfc_to_unit(code: str | None) -> tuple[str, Decimal] | None:
    """Our unit and the factor to apply to a DFC quantity value, or None for an unknown unit."""
    curie = compact(code)
    return DFC_TO_UNIT.get(curie) if curie else None


def unit_iri(unit: str) -> str:
    """The DFC measure CURIE of one of our unit codes; ``DfcError("unknown_unit")`` otherwise."""
    try:
        return UNIT_TO_DFC[unit]
    except KeyError:
        raise DfcError("unknown_unit", f"{unit!r} is not one of our units {UNIT_CODES}") from None


def unit_code(value: str | None, node_id: str | None = None) -> str:
    """Our unit code for exactly one of our DFC units (CURIE or 1.16/2.0 IRI), else ``DfcError``.

    Use :func:`from_dfc_quantity` to read a foreign quantity (it converts kg <-> lb and so on).
    """
    curie = compact(value)
    for code, dfc in UNIT_TO_DFC.items():
        if dfc == curie:
            return code
    raise DfcError("unknown_unit", f"{value!r} is not a DFC unit we use", node_id)


def from_dfc_quantity(
    unit: str | None, value: Decimal, node_id: str | None = None
) -> tuple[str, Decimal]:
    """(our unit, value in it) for a DFC quantity: 500 dfc-m:Milligram -> ("g", 0.5).

    Packaging units (Bottle, Jar...) count as pieces. Raises ``DfcError("unknown_unit")`` for
    anything else: a length, a percent, a currency, free text such as "kg".
    """
    found = dfc_to_unit(unit)
    if found is None or not is_measure(unit):
        raise DfcError("unknown_unit", f"{unit!r} is not a weight, volume or count unit", node_id)
    code, factor = found
    return code, (value * factor).normalize() if factor != 1 else value


def is_measure(code: str | None) -> bool:
    return in_scheme(code, "dfc-m")


def is_unit(code: str | None) -> bool:
    """Whether ``code`` is a quantity unit of the measures taxonomy."""
    return is_measure(code) and "dfc-m:QuantityUnit" in ancestors(code)


def list_currencies() -> list[str]:
    """The DFC currency units (Euro, PoundSterling, USDollar, CanadianDollar, AustralianDollar)."""
    return descendants("dfc-m:CurrencyUnit")


def is_currency(code: str | None) -> bool:
    return is_measure(code) and "dfc-m:CurrencyUnit" in ancestors(code)


def list_statuses(kind: str) -> list[str]:
    """The dfc-v statuses of ``kind`` (ORDER_STATUS, FULFILMENT_STATUS or PAYMENT_STATUS)."""
    return [code for code in descendants(f"dfc-v:{kind}") if not code.endswith("State")]


def is_status(code: str | None, kind: str) -> bool:
    """Whether ``code`` is a dfc-v status of ``kind`` (OrderStatus, PaymentStatus...)."""
    found = concept(code)
    return bool(found and f"dfc-v:{kind}" in found.broader)
