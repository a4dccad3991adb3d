"""Food information in DFC (products.foodinfo), both ways.

What DFC 1.16 carries and how we write it (as the connectors do, WIRE-FORMAT §2.4):
- allergens: one ``dfc-b:AllergenCharacteristic`` blank node per declared allergen,
  ``{"dfc-b:hasAllergenDimension": "dfc-m:Peanuts", "dfc-b:value": 1}`` (value 1: present);
  on import a characteristic with value 0 means "absent" and is skipped;
- origin: the territorial facet under ``dfc-b:hasGeographicalOrigin`` (``dfc-f:Brittany``);
- storage: ``dfc-b:usageOrStorageCondition`` (OWL ``specificCondition``), text;
- shelf life: ``dfc-b:lifetime``, a number of days;
- alcohol: ``dfc-b:alcoholPercentage`` (OWL ``hasPercentageOfAlcoholByVolume``), 0-100.
Connector defaults (``""``, ``0.0``) are read as absent. The ingredient text, the producer's own
origin words and the DLC/DDM kind have no DFC property: they stay ours (docs/dfc.md).

On import, the properties above replace the product's (the catalogue is the source of truth for
what it sends); a value we cannot hold is dropped with a warning. One entry point each way:
:func:`node_fields` (export) and :func:`read` / :func:`apply` (import).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from interop import vocabulary
from interop.fields import to_decimal
from interop.graph import Graph
from products import categories, foodinfo

B = "dfc-b:"
ALLERGENS = B + "hasAllergenCharacteristic"
STORAGE = B + "usageOrStorageCondition"
LIFETIME = B + "lifetime"
ALCOHOL = B + "alcoholPercentage"


def node_fields(product: Any) -> dict[str, Any]:
    """The SuppliedProduct fields of a product's food information (interop.nodes)."""
    alcohol = product.alcohol_percent
    return {
        "allergens": [foodinfo.BY_CODE[c].dfc for c in product.allergen_codes],
        "storage": product.storage or None,
        "lifetime": product.shelf_life_days or None,
        "alcohol_percent": None if alcohol is None else Decimal(alcohol),
    }


def allergen_nodes(codes: list[str]) -> list[dict[str, Any]]:
    """``dfc-m`` allergen concepts as AllergenCharacteristic blank nodes."""
    return [
        {
            "@type": B + "AllergenCharacteristic",
            B + "hasAllergenDimension": vocabulary.compact(code),
            B + "value": 1,
        }
        for code in codes
    ]


def _number(value: Any) -> Decimal | None:
    try:
        return to_decimal(value)
    except Exception:  # noqa: BLE001 - marshmallow's ValidationError or anything odd: not a number
        return None


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _text(value: Any) -> str:
    for item in _list(value):
        if isinstance(item, dict):
            item = item.get("@value")
        if isinstance(item, str) and item.strip():
            return item.strip()
    return ""


def read(graph: Graph, item: Any, warn: Callable[[str, str], None]) -> dict[str, Any]:
    """The food information of an imported product (``item``: interop.catalog.ImportedProduct),
    JSON-safe. Takes the territorial origin out of ``item.labels`` (it is not a label)."""
    node = graph.get(item.external_id)
    data = graph.node_dict(node) if node is not None else {}
    food: dict[str, Any] = {}

    codes: list[str] = []
    for characteristic in _list(data.get(ALLERGENS)):
        if not isinstance(characteristic, dict):
            continue
        dimension = _list(characteristic.get(B + "hasAllergenDimension"))
        raw = dimension[0] if dimension else None
        curie = vocabulary.compact(raw.get("@id") if isinstance(raw, dict) else raw)
        value = _number(characteristic.get(B + "value"))
        if value is not None and value == 0:
            continue  # declared absent
        found = foodinfo.BY_DFC.get(curie or "")
        if found is None:
            warn("unknown_concept", f"{ALLERGENS}: {raw!r} is not one of the 14 allergens")
        elif found.code not in codes:
            codes.append(found.code)
    food["allergens"] = [c for c in foodinfo.ALLERGEN_CODES if c in codes]

    origins = [c for c in item.labels if categories.is_origin(c)]
    item.labels = [c for c in item.labels if c not in origins]
    food["origin_code"] = origins[0] if origins else ""
    if len(origins) > 1:
        warn("unknown_concept", f"{B}hasGeographicalOrigin: only {origins[0]} kept")

    storage = _text(data.get(STORAGE))
    if len(storage) > foodinfo.MAX_STORAGE:
        warn("invalid_value", f"{STORAGE}: cut to {foodinfo.MAX_STORAGE} characters")
    food["storage"] = storage[: foodinfo.MAX_STORAGE]

    days = _number(data.get(LIFETIME))
    food["shelf_life_days"] = None
    if days is not None and days != 0:
        whole = int(days.to_integral_value(ROUND_HALF_UP))
        if 1 <= whole <= foodinfo.MAX_SHELF_LIFE_DAYS:
            food["shelf_life_days"] = whole
        else:
            warn("invalid_value", f"{LIFETIME}: {days} days is not a shelf life we hold")

    alcohol = _number(data.get(ALCOHOL))
    food["alcohol_percent"] = None
    if alcohol is not None and alcohol != 0:
        if Decimal(0) <= alcohol <= foodinfo.MAX_ALCOHOL:
            food["alcohol_percent"] = str(alcohol.quantize(Decimal("0.1"), ROUND_HALF_UP))
        else:
            warn("invalid_value", f"{ALCOHOL}: {alcohol} is not a percentage")
    return food


def apply(product: Any, food: dict[str, Any]) -> None:
    """Write what :func:`read` found (the properties DFC carries; ours stay as they are)."""
    if not food:
        return
    product.allergen_codes = list(food.get("allergens") or [])
    product.origin_code = food.get("origin_code") or ""
    product.storage = food.get("storage") or ""
    product.shelf_life_days = food.get("shelf_life_days")
    alcohol = food.get("alcohol_percent")
    product.alcohol_percent = None if alcohol is None else Decimal(alcohol)
