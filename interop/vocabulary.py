"""The DFC taxonomies (product types, measures, facets, vocabulary), loaded once from interop/data.

Public codes are compact CURIEs ("dfc-pt:tomato", "dfc-m:Kilogram", "dfc-f:Organic-AB",
"dfc-v:Complete"). :func:`compact` accepts a CURIE or a full IRI under the 1.16 or the 2.0.0
namespaces and returns the CURIE, so every caller compares codes, never IRIs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

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

#: our units (products.models.Unit values) and their DFC measure
UNIT_TO_DFC = {
    "g": "dfc-m:Gram",
    "kg": "dfc-m:Kilogram",
    "ml": "dfc-m:Millilitre",
    "cl": "dfc-m:Centilitre",
    "l": "dfc-m:Litre",
    "piece": "dfc-m:Piece",
    "dozen": "dfc-m:Dozen",
}
#: DFC measures we read, to (our unit, factor applied to the value)
DFC_TO_UNIT = {
    "dfc-m:Gram": ("g", 1),
    "dfc-m:Kilogram": ("kg", 1),
    "dfc-m:Milligram": ("g", "0.001"),
    "dfc-m:Tonne": ("kg", 1000),
    "dfc-m:Millilitre": ("ml", 1),
    "dfc-m:Centilitre": ("cl", 1),
    "dfc-m:Decilitre": ("cl", 10),
    "dfc-m:Litre": ("l", 1),
    "dfc-m:Piece": ("piece", 1),
    "dfc-m:Dozen": ("dozen", 1),
    "dfc-m:HalfDozen": ("piece", 6),
    "dfc-m:Pair": ("piece", 2),
    "dfc-m:4Pack": ("piece", 4),
    "dfc-m:6Pack": ("piece", 6),
}
#: packaging units count as items ("a jar", "a bunch")
PACKAGING = {
    "Bag",
    "Basket",
    "Bottle",
    "Box",
    "Bunch",
    "Bundle",
    "Can",
    "Carton",
    "Crate",
    "Cup",
    "Jar",
    "Kit",
    "Net",
    "Package",
    "Packet",
    "Pot",
    "Pouch",
    "Punnet",
    "Tin",
    "Tray",
    "Tub",
    "Tube",
    "Roll",
    "Tablet",
    "Bucket",
}
for _name in PACKAGING:
    DFC_TO_UNIT[f"dfc-m:{_name}"] = ("piece", 1)
CURRENCIES = {"EUR": "dfc-m:Euro"}

#: facet subtrees a producer picks labels from (certifications and claims, not regions)
LABEL_ROOTS = ("dfc-f:Certification", "dfc-f:Claim")


@dataclass
class Concept:
    code: str
    labels: dict[str, str] = field(default_factory=dict)
    broader: list[str] = field(default_factory=list)
    narrower: list[str] = field(default_factory=list)
    notation: str = ""

    def label(self, lang: str) -> str:
        return self.labels.get(lang) or self.labels.get("en") or self.code.split(":", 1)[1]


def compact(value: str | None) -> str | None:
    """A CURIE for a taxonomy concept given as CURIE or full IRI (1.16 or 2.0.0); else None."""
    if not value:
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
    return concepts


def concept(code: str | None) -> Concept | None:
    curie = compact(code)
    if curie is None:
        return None
    return _scheme(curie.split(":", 1)[0]).get(curie)


# -- product types -------------------------------------------------------------------------------


def list_product_types(lang: str = "fr") -> list[tuple[str, str]]:
    return [(c.code, c.label(lang)) for c in _scheme("dfc-pt").values()]


def is_product_type(code: str | None) -> bool:
    curie = compact(code)
    return bool(curie and curie.startswith("dfc-pt:") and curie in _scheme("dfc-pt"))


def product_type_label(code: str | None, lang: str = "fr") -> str | None:
    found = concept(code) if is_product_type(code) else None
    return found.label(lang) if found else None


# -- facets (labels and certifications) -------------------------------------------------------


def _descendants(prefix: str, root: str) -> list[Concept]:
    scheme = _scheme(prefix)
    seen: list[Concept] = []
    stack = list(scheme[root].narrower) if root in scheme else []
    while stack:
        code = stack.pop(0)
        if code in scheme and scheme[code] not in seen:
            seen.append(scheme[code])
            stack.extend(scheme[code].narrower)
    return seen


def list_facets(lang: str = "fr") -> list[tuple[str, str]]:
    """Labels a product can carry: the certification and claim subtrees (leaves and groups)."""
    found: list[tuple[str, str]] = []
    for root in LABEL_ROOTS:
        found.extend((c.code, c.label(lang)) for c in _descendants("dfc-f", root))
    return found


def is_facet(code: str | None) -> bool:
    curie = compact(code)
    return bool(curie and curie.startswith("dfc-f:") and curie in _scheme("dfc-f"))


def facet_label(code: str | None, lang: str = "fr") -> str | None:
    found = concept(code) if is_facet(code) else None
    return found.label(lang) if found else None


# -- measures, currencies, statuses ----------------------------------------------------------


def unit_to_dfc(unit: str) -> str:
    return UNIT_TO_DFC[unit]


def dfc_to_unit(code: str | None) -> tuple[str, str | int] | None:
    """Our unit and the factor to apply to a DFC quantity value, or None for an unknown unit."""
    curie = compact(code)
    return DFC_TO_UNIT.get(curie) if curie else None


def is_measure(code: str | None) -> bool:
    curie = compact(code)
    return bool(curie and curie in _scheme("dfc-m"))


def is_status(code: str | None, kind: str) -> bool:
    """Whether ``code`` is a dfc-v status of ``kind`` (OrderStatus, PaymentStatus...)."""
    found = concept(code)
    return bool(found and f"dfc-v:{kind}" in found.broader)
