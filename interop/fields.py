"""Marshmallow 4 fields for DFC compact JSON-LD (WIRE-FORMAT §6, §7).

Loading is lenient, because real senders differ: a reference comes as a string, ``{"@id"}`` or an
embedded node; a number as a JSON number or a numeric string; a date as ISO 8601 or JavaScript's
``Date.toString()``; one value or a list of values. Dumping is strict and uniform: references are
``{"@id": url}``, numbers are JSON numbers, instants are ISO 8601 with an offset, and concepts are
compact CURIEs.
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from marshmallow import ValidationError, fields

from interop import vocabulary
from interop.errors import DfcError
from interop.jsonld import id_typed_terms


def _single(value: Any) -> Any:
    """The first value of a multi-valued property (compact JSON-LD writes one value bare)."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _literal(value: Any) -> Any:
    """The plain value of a JSON-LD value object (``{"@value": "3"}``) or the value itself."""
    if isinstance(value, Mapping) and "@value" in value:
        return value["@value"]
    return value


def ref_id(value: Any) -> str:
    """The @id of a reference given as ``"url"``, ``{"@id": "url"}`` or an embedded node."""
    value = _single(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, Mapping) and isinstance(value.get("@id"), str) and value["@id"]:
        return value["@id"]
    raise ValidationError("Expected a reference: an IRI string or an object with an @id.")


def to_decimal(value: Any) -> Decimal | None:
    """A Decimal from a JSON number or a numeric string; None for "" (connector defaults)."""
    value = _literal(_single(value))
    if isinstance(value, Mapping) and "dfc-b:value" in value:  # a QuantitativeValue given as such
        value = _literal(_single(value["dfc-b:value"]))
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValidationError("Expected a number or a numeric string.")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError(f"{value!r} is not a number.") from None
    if not number.is_finite():
        raise ValidationError(f"{value!r} is not a finite number.")
    return number


def json_number(value: Decimal | int | float) -> int | float:
    """A JSON number: an int when integral ("1" not "1.0"), else a float."""
    number = Decimal(str(value))
    if number == number.to_integral_value():
        return int(number)
    return float(number)


class DfcRef(fields.Field):
    """A link to another node: dumps ``{"@id": url}``; loads a string, ``{"@id"}`` or a node."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        return {"@id": str(value)}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return ref_id(value)


class DfcUrl(fields.Field):
    """A URL given as a plain string (``dfc-b:image`` as OFN and the DFC connectors write it);
    loads a string, ``{"@id"}`` or a list of those (the first)."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else str(value)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return ref_id(value)


class DfcRefList(fields.Field):
    """Several links: dumps a list of ``{"@id"}`` (omitted when empty); loads one or many."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("load_default", list)
        super().__init__(**kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if not value:
            return None
        return [{"@id": str(item)} for item in value]

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[str]:
        items = value if isinstance(value, list) else [value]
        return [ref_id(item) for item in items]


class DfcText(fields.Field):
    """A string literal; loads numbers too (postal codes sent as 20170) and ``{"@value"}``."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return None if value in (None, "") else str(value)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str | None:
        value = _literal(_single(value))
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ValidationError("Expected a string.")
        text = str(value)
        return text if text.strip() else None


class DfcNumber(fields.Field):
    """A number: loads a JSON number or a numeric string into a Decimal, dumps a JSON number.

    ``integer=True`` rounds the loaded value (ROUND_HALF_UP) to an int (quantities, stock).
    """

    def __init__(self, *, integer: bool = False, **kwargs: Any) -> None:
        self.integer = integer
        super().__init__(**kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else json_number(value)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        number = to_decimal(value)
        if number is None or not self.integer:
            return number
        return int(number.to_integral_value(ROUND_HALF_UP))


class DfcMoney(fields.Field):
    """An amount in integer cents: dumps ``cents / 100`` as a JSON number; loads a number or a
    numeric string into cents, rounded once with ROUND_HALF_UP ("2.095" -> 210)."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else json_number(Decimal(int(value)) / 100)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int | None:
        number = to_decimal(value)
        if number is None:
            return None
        return int((number * 100).to_integral_value(ROUND_HALF_UP))


def _concept_in(code: str, scheme: str, within: str | None) -> bool:
    if not vocabulary.in_scheme(code, scheme):
        return False
    return within is None or within in vocabulary.ancestors(code)


class DfcConcept(fields.Field):
    """A concept of a DFC taxonomy (``scheme`` "dfc-m", "dfc-pt", "dfc-f" or "dfc-v").

    ``within`` restricts it to one subtree ("dfc-m:CurrencyUnit", "dfc-v:OrderStatus"). Loads a
    CURIE or a full IRI under the 1.16 or 2.0 namespace, bare or as ``{"@id"}``, and returns the
    CURIE; anything else fails validation. Dumps the CURIE as a plain string when the property is
    ``@id``-typed in the 1.16 context (what OFN and connector-ruby emit, e.g.
    ``"dfc-b:hasUnit": "dfc-m:Kilogram"``), else as ``{"@id": curie}`` so that it stays an IRI.
    ``as_object`` forces one style.
    """

    def __init__(
        self,
        scheme: str,
        *,
        within: str | None = None,
        as_object: bool | None = None,
        **kwargs: Any,
    ) -> None:
        if scheme not in vocabulary.SCHEMES:
            raise ValueError(f"unknown DFC scheme {scheme!r}")
        self.scheme = scheme
        self.within = within
        self.as_object = as_object
        super().__init__(**kwargs)

    def _compact(self, value: Any) -> str | None:
        code = vocabulary.compact(value if isinstance(value, str) else None)
        return code if code and _concept_in(code, self.scheme, self.within) else None

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        code = self._compact(value)
        if code is None:
            raise DfcError("unknown_concept", f"{value!r} is not a {self.scheme} concept")
        as_object = self.as_object
        if as_object is None:
            as_object = (self.data_key or attr or "") not in id_typed_terms("v1")
        return {"@id": code} if as_object else code

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        raw = ref_id(value)
        code = self._compact(raw)
        if code is None:
            expected = f"{self.scheme} concept" + (f" under {self.within}" if self.within else "")
            raise ValidationError(f"{raw!r} is not a {expected}.")
        return code


class DfcConceptList(fields.Field):
    """Several concepts of one scheme (facets): a list of CURIEs, loaded from one or many."""

    def __init__(self, scheme: str, *, within: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("load_default", list)
        self.inner = DfcConcept(scheme, within=within)
        super().__init__(**kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if not value:
            return None
        return [self.inner._serialize(item, attr, obj) for item in value]

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[str]:
        items = value if isinstance(value, list) else [value]
        return [self.inner._deserialize(item, attr, data) for item in items]


_JS_DATE = re.compile(
    r"^(?:[A-Za-z]{3},? )?(?P<rest>[A-Za-z]{3} \d{1,2} \d{4} \d{2}:\d{2}:\d{2})"
    r"(?: (?:UTC|GMT)(?P<offset>[+-]\d{4})?)?(?: \(.*\))?$"
)


def parse_datetime(text: str) -> datetime:
    """An aware datetime from ISO 8601, JavaScript ``Date.toString()`` ("Thu Oct 17 2024
    03:58:10 UTC", "... GMT+0200 (CEST)") or RFC 2822. A naive value is taken as UTC; a bare
    date as midnight UTC. Raises ValueError otherwise."""
    text = text.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        parsed = None
    if parsed is None:
        match = _JS_DATE.match(text)
        if match:
            parsed = datetime.strptime(match["rest"], "%b %d %Y %H:%M:%S")  # noqa: DTZ007
            if match["offset"]:
                parsed = datetime.strptime(
                    f"{match['rest']} {match['offset']}", "%b %d %Y %H:%M:%S %z"
                )
    if parsed is None:
        try:
            parsed = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            raise ValueError(f"{text!r} is not a date and time") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


class DfcDateTime(fields.Field):
    """An instant (xsd:dateTime). Loads leniently (see :func:`parse_datetime`) into an aware UTC
    datetime; dumps ISO 8601 in UTC with its offset ("2024-10-17T03:58:10+00:00"). Dumping a
    naive datetime is a bug and raises ValueError (every instant inside the app is aware UTC)."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise ValueError(f"naive datetime for {attr}: every instant must be aware")
            return value.astimezone(UTC).isoformat(timespec="seconds")
        if isinstance(value, date):
            return datetime.combine(value, time(0), tzinfo=UTC).isoformat(timespec="seconds")
        raise ValueError(f"{attr}: not a datetime")

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        value = _literal(_single(value))
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str):
            raise ValidationError("Expected a date and time string.")
        try:
            return parse_datetime(value).astimezone(UTC)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


#: the EU country authority that DFC 1.16 ``hasCountry`` values belong to
EU_COUNTRY = "http://publications.europa.eu/resource/authority/country/"


class DfcCountry(fields.Field):
    """A country: ISO 3166 alpha-3 ("FRA") here, the EU authority IRI on the wire (DFC 1.16).

    Loads that IRI (bare or ``{"@id"}``) into "FRA"; anything else (the pre-1.16 free text
    "Australia", which JSON-LD turns into a relative IRI) loads as None.
    """

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if not value:
            return None
        return {"@id": EU_COUNTRY + str(value).upper()}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        iri = ref_id(value)
        code = iri[len(EU_COUNTRY) :] if iri.startswith(EU_COUNTRY) else ""
        return code if re.fullmatch(r"[A-Z]{3}", code) else None


class DfcUnit(fields.Field):
    """One of our unit codes (``kg``), written as its DFC measure (``"dfc-m:Kilogram"``).

    Loads any ``dfc-m:`` quantity unit as its CURIE: converting a foreign unit (Milligram,
    Bottle...) to ours needs the value too, so the QuantitativeValue schema does it.
    """

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else vocabulary.unit_iri(str(value))

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        raw = ref_id(value)  # a bare "kg" is not DFC: JSON-LD reads it as a relative IRI
        code = vocabulary.compact(raw)
        if code is None or not vocabulary.is_unit(code):
            raise ValidationError(f"{raw!r} is not a DFC quantity unit.")
        return code
