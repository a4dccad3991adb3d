"""Variant units: parsing what producers type; displaying "500 g", "75 cl", "6 pièces"."""

from __future__ import annotations

import unicodedata
from decimal import Decimal, InvalidOperation

from flask_babel import format_decimal, ngettext

from products.models import UNIT_INFO, Unit, UnitKind


def _fold(text: str) -> str:
    """Lower case without accents or surrounding spaces ("Pièce " -> "piece")."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


#: what producers write in spreadsheets, folded (lower case, no accent) -> unit
UNIT_ALIASES: dict[str, Unit] = {
    "g": Unit.g,
    "gr": Unit.g,
    "gramme": Unit.g,
    "grammes": Unit.g,
    "gram": Unit.g,
    "grams": Unit.g,
    "kg": Unit.kg,
    "kilo": Unit.kg,
    "kilos": Unit.kg,
    "kilogramme": Unit.kg,
    "kilogrammes": Unit.kg,
    "kilogram": Unit.kg,
    "ml": Unit.ml,
    "millilitre": Unit.ml,
    "cl": Unit.cl,
    "centilitre": Unit.cl,
    "centilitres": Unit.cl,
    "l": Unit.l,
    "litre": Unit.l,
    "litres": Unit.l,
    "liter": Unit.l,
    "liters": Unit.l,
    "piece": Unit.piece,
    "pieces": Unit.piece,
    "pc": Unit.piece,
    "pcs": Unit.piece,
    "u": Unit.piece,
    "unite": Unit.piece,
    "unites": Unit.piece,
    "unit": Unit.piece,
    "units": Unit.piece,
    "item": Unit.piece,
    "items": Unit.piece,
    "dozen": Unit.dozen,
    "douzaine": Unit.dozen,
    "douzaines": Unit.dozen,
    "dz": Unit.dozen,
}


def parse_unit(text: str) -> Unit | None:
    """The unit named by ``text`` (symbol, French or English word), or None."""
    return UNIT_ALIASES.get(_fold(text))


def parse_decimal(text: str, places: int = 3) -> Decimal:
    """Parse "1,5", "1.5", "1 000,25" into a Decimal; ValueError if not a number or too precise."""
    cleaned = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    cleaned = cleaned.replace(",", ".")
    if not cleaned:
        raise ValueError("empty")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError("not a number") from exc
    if not value.is_finite():
        raise ValueError("not a number")
    if value != value.quantize(Decimal(1).scaleb(-places)):
        raise ValueError("too many decimals")
    return value


def unit_kind(unit: Unit) -> UnitKind:
    return UNIT_INFO[unit][0]


def unit_label(unit: Unit) -> str:
    """The symbol shown after a number for measured units ("g", "cl", "L")."""
    return "L" if unit is Unit.l else unit.value


def format_quantity(unit: Unit | str, value: Decimal | int | str) -> str:
    """ "500 g", "0,75 L", "6 pièces", "1 douzaine" in the current locale."""
    unit = Unit(unit)
    number = Decimal(value).normalize()
    shown = format_decimal(number, format="#,##0.###")
    count = 2 if number > 1 else 1
    if unit is Unit.piece:
        return ngettext("%(qty)s piece", "%(qty)s pieces", count, qty=shown)
    if unit is Unit.dozen:
        return ngettext("%(qty)s dozen", "%(qty)s dozens", count, qty=shown)
    return f"{shown}\u00a0{unit_label(unit)}"
