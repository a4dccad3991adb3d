"""The food information columns of the catalogue CSV (products.csv_io): parsing a row's cells,
the values written on import, and the cells of the export.

A column missing from the file leaves the products' values as they are; an empty cell clears
the value. Allergens are written by name in the export's language and read by code or by name,
French or English ("Lait | Œufs", "milk, eggs"); the date kind as DLC or DDM.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from products import categories, foodinfo

#: column -> Product attribute, in the order the export writes them (after the other columns)
COLUMNS = {
    "ingredients": "ingredients",
    "allergens": "allergens",
    "origin": "origin",
    "origin_region": "origin_code",
    "storage": "storage",
    "date_kind": "date_kind",
    "shelf_life_days": "shelf_life_days",
    "alcohol_percent": "alcohol_percent",
}
#: French headers, folded as csv_io folds them
HEADER_ALIASES = {
    "ingredient": "ingredients",
    "allergenes": "allergens",
    "allergene": "allergens",
    "origine": "origin",
    "provenance": "origin",
    "region_origine": "origin_region",
    "region_dorigine": "origin_region",
    "region_d'origine": "origin_region",
    "region_d’origine": "origin_region",
    "dlc/ddm": "date_kind",
    "ddm/dlc": "date_kind",
    "degre_d'alcool": "alcohol_percent",
    "degre_d’alcool": "alcohol_percent",
    "region": "origin_region",
    "conservation": "storage",
    "type_de_date": "date_kind",
    "dlc_ddm": "date_kind",
    "duree_de_conservation": "shelf_life_days",
    "duree_de_conservation_jours": "shelf_life_days",
    "conservation_jours": "shelf_life_days",
    "alcool": "alcohol_percent",
    "degre_dalcool": "alcohol_percent",
    "alcool_%": "alcohol_percent",
    "alcool_vol": "alcohol_percent",
}
DATE_WORDS = {
    "dlc": foodinfo.USE_BY,
    "use by": foodinfo.USE_BY,
    "a consommer jusqu'au": foodinfo.USE_BY,
    "ddm": foodinfo.BEST_BEFORE,
    "dluo": foodinfo.BEST_BEFORE,
    "best before": foodinfo.BEST_BEFORE,
    "a consommer de preference avant": foodinfo.BEST_BEFORE,
}


def read_cells(
    cell: Callable[[str], str | None], err: Callable[[str, Any], None]
) -> dict[str, Any]:
    """The food columns present in a row, parsed and checked: attribute -> JSON-safe value."""
    found: dict[str, Any] = {}
    info = foodinfo.FoodInfo()
    for column, attribute in COLUMNS.items():
        text = cell(column)
        if text is None:
            continue
        if attribute == "allergens":
            codes = foodinfo.parse_allergens(text.replace("|", ","))
            info.allergens = codes
            found[attribute] = codes
        elif attribute == "origin_code":
            code = categories.resolve_origin(text) if text else ""
            if text and code is None:
                err(column, _l('Unknown region or country "%(value)s".', value=text))
                continue
            info.origin_code = code or ""
            found[attribute] = code or ""
        elif attribute == "date_kind":
            word = categories._fold(text)
            kind = DATE_WORDS.get(word, word)
            info.date_kind = kind
            found[attribute] = kind
        elif attribute == "shelf_life_days":
            if text and not text.isdigit():
                err(column, _l('"%(value)s" is not a number of days.', value=text))
                continue
            info.shelf_life_days = int(text) if text else None
            found[attribute] = info.shelf_life_days
        elif attribute == "alcohol_percent":
            try:
                info.alcohol_percent = foodinfo.parse_alcohol(text)
            except ValueError:
                err(column, _l('"%(value)s" is not a percentage (e.g. 12,5).', value=text))
                continue
            value = info.alcohol_percent
            found[attribute] = None if value is None else str(value)
        else:
            setattr(info, attribute, text)
            found[attribute] = text
    column_of = {attribute: column for column, attribute in COLUMNS.items()}
    for attribute, message in foodinfo.errors(info).items():
        if attribute in found:
            err(column_of[attribute], message)
    return found


def values(food: dict[str, Any], old: dict[str, Any] | None = None) -> dict[str, Any]:
    """The columns to write for a product: what the file gave, else the old values (else the
    defaults of a new product)."""
    written: dict[str, Any] = {}
    for attribute in COLUMNS.values():
        if attribute in food:
            value = food[attribute]
            if attribute == "allergens":
                value = ",".join(c for c in foodinfo.ALLERGEN_CODES if c in value)
            elif attribute == "alcohol_percent" and value is not None:
                value = Decimal(value)
        elif old is not None:
            value = old[attribute]
        else:
            value = None if attribute in ("shelf_life_days", "alcohol_percent") else ""
        written[attribute] = value
    return written


def merged(group: list[dict[str, Any]]) -> dict[str, Any]:
    """A product's food columns from its rows: the first row that gives each one."""
    found: dict[str, Any] = {}
    for row in group:
        for attribute, value in (row.get("food") or {}).items():
            found.setdefault(attribute, value)
    return found


def export_cells(product: Any, lang: str, number: Callable[[Decimal], str]) -> list[str]:
    with force_locale(lang):
        allergens = " | ".join(foodinfo.allergen_label(c) for c in product.allergen_codes)
    alcohol = product.alcohol_percent
    return [
        product.ingredients,
        allergens,
        product.origin,
        categories.origin_name(product.origin_code, lang) if product.origin_code else "",
        product.storage,
        product.date_kind.upper(),
        str(product.shelf_life_days) if product.shelf_life_days else "",
        "" if alcohol is None else number(Decimal(alcohol)),
    ]
