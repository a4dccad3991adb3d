"""Import a DFC catalogue into a producer's products: check (preview, nothing written), then
apply (one transaction): every valid product is imported, every refused one is named with its
reason.

What is read (see :mod:`interop.catalog` for the graph side, and docs/dfc.md):
- one variant per ``SuppliedProduct``; variants of one OFN product group (``isVariantOf`` /
  ``hasVariant``) form one product named after the group, the others one product each;
- the pack size from ``hasQuantity``, converted to our units (g, kg, ml, cl, l, piece, dozen;
  pounds, ounces, packaging units... converted); a zero or missing quantity is "1 item", as OFN
  imports it (openfoodnetwork PR #12913); any other unit refuses that product;
- the price from the Offer: ``Price.value`` is the shelf price, VAT included, as OFN reads and
  writes it; ``VATrate`` (0 to 100 %) is the rate it includes, kept as given; without a rate,
  5.5 % (a note says so). A price in another currency than the euro refuses that product: we
  never relabel or convert a currency;
- stock: ``stockLimitation`` absent or negative means on demand, otherwise that many units;
- product type and labels from the taxonomies (unknown ones dropped with a note); product
  characteristics we cannot hold (nutrients, physical characteristics...) are listed in a note;
- re-import updates by ``@id``: a variant (and its product) whose ``external_id`` is the node's
  @id is updated; else a variant with the same SKU is taken over; else it is created. A variant
  imported earlier from the same platform (same host) and missing from the new document is
  deactivated, as OFN's catalogue import does.
Images (``dfc-b:image``) are downloaded only when the platform allows it and the producer asks
(:mod:`interop.images`, after the commit); HTML descriptions become text.

Document-level problems (invalid JSON, an unknown @context, an order sent as a catalogue, too
many products...) raise :class:`DfcDocumentRefused` (422) before any heavy work where possible;
a refused product is listed per node @id in the preview and the result; only a document with no
valid product at all is rejected (:class:`DfcImportRejected`). Every message is in the request's
language; ``detail`` keeps the DFC property path (CURIEs, language-neutral).
"""

from __future__ import annotations

import html
import json
import os
import re
import secrets
import time
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from core.db import db
from core.errors import DomainError
from enterprises.models import Enterprise
from interop import foodinfo, images, vocabulary
from interop.catalog import ImportedProduct, extract_catalog
from interop.errors import DfcError
from interop.graph import Graph, Node, load_json, parse_document, raw_type_counts
from products import categories
from products.csv_io import imports_folder
from products.models import Product, ProductLabel, Unit, Variant
from products.services import (
    MAX_PRICE_CENTS,
    MAX_STOCK,
    ProductInput,
    VariantInput,
    product_errors,
    variant_errors,
)
from products.units import format_quantity

B = "dfc-b:"
MAX_BYTES = 20 * 1024 * 1024
MAX_PRODUCTS = 20_000
PREVIEW_TTL_S = 24 * 3600
DEFAULT_VAT_BP = 550
THOUSANDTH = Decimal("0.001")
#: a pack size above this (in our unit: 1,000 t, 1,000 m3, a million pieces) is a typing error
MAX_QUANTITY = Decimal(1_000_000)
#: the product characteristics we cannot hold, named in a ``not_held`` note; those we hold
#: (allergens, geographical origin, storage, lifetime, alcohol) are read by interop.foodinfo,
#: which names what it drops itself
CHARACTERISTICS = (
    B + "hasNutrientCharacteristic",
    B + "hasPhysicalCharacteristic",
    B + "hasNatureOrigin",
    B + "hasPartOrigin",
    B + "hasIngredient",
    B + "hasBrand",
    B + "totalTheoreticalStock",
)
EMPTY_VALUES = ("", 0, 0.0, "0", "0.0")


#: every reason a product or a document is refused, or a note, by stable code; shown in the
#: request's language (the English text is the message id)
REASONS = {
    "invalid_json": _l("The file is not a readable JSON document."),
    "unknown_context": _l(
        "The document's @context is not a DFC context we know (DFC 1.16 or 2.0; contexts are "
        "never fetched): %(detail)s"
    ),
    "invalid_jsonld": _l("The document is not valid JSON-LD."),
    "too_large": _l("The document is too large: split it (at most %(n)s products, 20 MB)."),
    "order_document": _l(
        "This document is an order, not a catalogue: send it to the orders endpoint."
    ),
    "no_product": _l("The document has no SuppliedProduct."),
    "missing_type": _l("A node has no @type: it is ignored."),
    "missing_name": _l("The product has no name."),
    "missing_price": _l("The product has no price (no Offer with a Price)."),
    "unknown_currency": _l(
        "The price is in %(currency)s: we sell in euros and never convert a price, so this "
        "product is not imported."
    ),
    "invalid_vat_rate": _l("The VAT rate %(rate)s %% is not between 0 and 100 %%."),
    "unknown_unit": _l("The quantity's unit is not one we can sell in (%(detail)s)."),
    "invalid_value": _l("A value has the wrong shape (%(detail)s)."),
    "missing_field": _l("A required value is missing (%(detail)s)."),
    "too_big": _l("%(what)s is too large (%(value)s)."),
    "duplicate_sku": _l("The SKU %(sku)s is also used by %(other)s."),
    "sku_taken": _l("The SKU %(sku)s belongs to another variant."),
    "rule": _l("%(detail)s"),
    "quantity_defaulted": _l("No quantity (or 0): imported as 1 item, as OFN does."),
    "vat_defaulted": _l("No VAT rate: the price is taken as VAT included, at 5.5 %%."),
    "quantity_rounded": _l("Quantity %(value)s rounded to %(rounded)s."),
    "unknown_concept": _l("%(detail)s is not a category or label we use: ignored."),
    "not_held": _l("Not kept (we cannot hold it yet): %(detail)s."),
    "no_enterprise": _l("The document has no Enterprise (or Organization)."),
    "several_enterprises": _l(
        "The document has %(count)s enterprises: name the one to import (%(detail)s)."
    ),
    "person_not_created": _l("The main contact (%(detail)s) does not become an account."),
    "address_abroad": _l("The address is outside France (%(detail)s)."),
}


def reason(code: str, **params: object) -> str:
    """The translated sentence of a reason code (falls back on the code itself)."""
    text = REASONS.get(code)
    if text is None:
        return code
    try:
        return str(text) % params if params else str(text).replace("%%", "%")
    except (KeyError, TypeError, ValueError):
        return str(text)


class DfcDocumentRefused(DomainError):
    """The document as a whole cannot be read. ``fields["errors"]`` has the one problem, in
    the same shape as :class:`DfcImportRejected`'s (node_id, code, message, detail)."""

    code = "dfc_document_refused"
    status = 422
    message = _l("This DFC document cannot be read.")

    def __init__(self, error: DfcError, **params: object) -> None:
        problem = _localised(error, "", **params)
        super().__init__(
            _l("This DFC document cannot be read: %(problem)s", problem=problem.message),
            fields={"errors": [asdict(problem)]},
        )
        self.error = error
        self.problem = problem


class DfcImportRejected(DomainError):
    """No product of the document can be imported: nothing was written. ``errors`` names
    every refused product with its reason."""

    code = "dfc_import_rejected"
    status = 422
    message = _l("No product of the DFC document can be imported: nothing was imported.")

    def __init__(self, errors: list[NodeProblem]) -> None:
        super().__init__(fields={"errors": [asdict(e) for e in errors]})
        self.errors = errors


class DfcImportExpired(DomainError):
    code = "dfc_import_expired"
    status = 404
    message = _l("This import preview has expired or was already applied: upload the file again.")


class DfcImportConflict(DomainError):
    code = "dfc_import_conflict"
    status = 409
    message = _l(
        "The catalogue changed meanwhile in a way the import cannot apply (a SKU taken by "
        "another product): check the file and import it again."
    )


@dataclass
class NodeProblem:
    node_id: str | None
    code: str
    message: str  #: in the request's language
    detail: str = ""  #: the DFC property path or value at fault (CURIEs: language-neutral)
    name: str = ""  #: the product's name, when the node is a product that has one


@dataclass
class ImportRow:
    """One variant to write, already checked against the catalogue's rules."""

    external_id: str
    product_key: str  #: the group's @id, or the product's own @id when not grouped
    product_name: str
    variant_name: str
    description: str
    product_type: str
    labels: list[str]
    vat_rate_bp: int
    sku: str
    unit: str
    unit_value: str  #: Decimal as text (JSON-safe)
    price_cents: int
    on_demand: bool
    stock: int
    #: allergens, origin, storage, shelf life, alcohol (interop.foodinfo.read)
    food: dict[str, Any] = field(default_factory=dict)
    image: str = ""  #: the dfc-b:image URL (downloaded only if allowed: interop.images)


@dataclass
class ImportSummary:
    products: int = 0
    new_products: int = 0
    updated_products: int = 0
    new_variants: int = 0
    updated_variants: int = 0
    refused: int = 0  #: products of the document not imported (named in ``errors``)
    deactivated_variants: int = 0  #: imported earlier from the same platform, now missing


@dataclass
class DfcPreview:
    token: str
    producer_id: int
    user_id: int | None
    filename: str
    created_at: float
    profile: str = "v1"
    rows: list[ImportRow] = field(default_factory=list)
    #: refused products (and document-level problems), each with its reason
    errors: list[NodeProblem] = field(default_factory=list)
    warnings: list[NodeProblem] = field(default_factory=list)
    summary: ImportSummary = field(default_factory=ImportSummary)
    applied: ImportSummary | None = None
    #: ids of every SuppliedProduct in the document (valid or not): what is "still there"
    seen_ids: list[str] = field(default_factory=list)
    #: the producer asked to download the images, and the platform allows it
    download_images: bool = False
    #: the images that could not be taken (``interop.images.ImageProblem`` as dicts)
    image_problems: list[dict[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """At least one product can be imported."""
        return bool(self.rows)


# -- reading -----------------------------------------------------------------------------------


_TAG = re.compile(r"<[^>]+>")
_BLOCK = re.compile(r"</?(p|br|div|tr|li|h[1-6]|table|tbody)\b[^>]*>", re.IGNORECASE)


def html_to_text(text: str | None) -> str:
    """Descriptions often come as HTML (Shopify): keep the text, one line per block."""
    if not text:
        return ""
    if "<" not in text:
        return text.strip()
    text = _BLOCK.sub("\n", text)
    text = html.unescape(_TAG.sub("", text))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def _detail(error: DfcError) -> str:
    """The property path of a DfcError's message ("dfc-b:hasQuantity > dfc-b:hasUnit"), the
    language-neutral part of what the DFC layer says."""
    head, sep, _rest = error.message.partition(": ")
    return head if sep and (head.startswith(("dfc-", "@")) or " > " in head) else ""


_QUOTED = re.compile(r"'([^']{1,300})'")


def _localised(error: DfcError, name: str = "", **params: object) -> NodeProblem:
    detail = str(params.pop("detail", "") or _detail(error))
    if not detail and error.code == "unknown_context":
        quoted = _QUOTED.search(error.message)
        detail = quoted.group(1) if quoted else ""
    return NodeProblem(
        error.node_id, error.code, reason(error.code, detail=detail, **params), detail, name
    )


def _blocking(error: DfcError, name: str) -> NodeProblem:
    """A product's blocking error from the graph side, with the most precise reason code."""
    if error.code == "missing_field" and B + "hasPrice" in error.message:
        return _problem(error.node_id, "missing_price", name, detail=B + "hasPrice")
    if error.code == "missing_field" and error.message.startswith(B + "name:"):
        return _problem(error.node_id, "missing_name", name, detail=B + "name")
    return _localised(error, name)


def _problem(node_id: str | None, code: str, name: str = "", **params: object) -> NodeProblem:
    detail = str(params.get("detail", ""))
    return NodeProblem(node_id, code, reason(code, **params), detail, name)


def _generated_sku(external_id: str) -> str:
    last = external_id.rstrip("/").rsplit("/", 1)[-1].split("#")[-1]
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "-", last).strip("-") or secrets.token_hex(4)
    return ("DFC-" + cleaned)[:64]


def _group_of(graph: Graph, product_id: str) -> tuple[str, str] | None:
    """(@id, name) of the product group the SuppliedProduct is a variant of, if any."""
    node = graph.get(product_id)
    if node is None:
        return None
    for group_id in node.refs(B + "isVariantOf"):
        group = graph.get(group_id)
        name = group.first(B + "name") if group is not None else None
        if isinstance(name, str) and name.strip():
            return group_id, name.strip()
    return None


def _variant_name(product_name: str, sp_name: str, grouped: bool) -> str:
    if not grouped:
        return ""
    for separator in (" - ", " – ", ", "):
        prefix = product_name + separator
        if sp_name.startswith(prefix) and len(sp_name) > len(prefix):
            return sp_name[len(prefix) :].strip()
    return "" if sp_name == product_name else sp_name


class _Refused(Exception):
    def __init__(self, problem: NodeProblem) -> None:
        self.problem = problem


def _price(item: ImportedProduct, warnings: list[NodeProblem]) -> tuple[int, int]:
    """(shelf price in cents, VAT included; VAT basis points) from the Offer's Price, as
    :mod:`interop.catalog` read it.

    ``Price.value`` is the shelf price (VAT included), as OFN writes and reads it; ``VATrate``
    is the rate it includes (docs/dfc.md, "Prices"). Raises _Refused.
    """
    node_id = item.offer_id or item.external_id
    amount = item.price_amount
    if amount is None:
        raise _Refused(_problem(node_id, "missing_price"))
    if item.currency not in (None, "dfc-m:Euro"):
        currency = item.currency.split(":", 1)[-1]
        raise _Refused(_problem(node_id, "unknown_currency", currency=currency, detail=currency))
    if amount < 0:
        raise _Refused(_problem(node_id, "invalid_value", detail=B + "hasPrice > " + B + "value"))
    if amount * 100 > MAX_PRICE_CENTS:
        raise _Refused(_problem(node_id, "too_big", what=_l("The price"), value=amount))
    cents = int((amount * 100).to_integral_value(ROUND_HALF_UP))
    if item.vat_rate is None:
        warnings.append(_problem(node_id, "vat_defaulted"))
        return cents, DEFAULT_VAT_BP
    if not Decimal(0) <= item.vat_rate <= Decimal(100):
        raise _Refused(_problem(node_id, "invalid_vat_rate", rate=item.vat_rate))
    return cents, int((item.vat_rate * 100).to_integral_value(ROUND_HALF_UP))


def _quantity(item: ImportedProduct, warnings: list[NodeProblem]) -> tuple[str, Decimal]:
    """(unit, value): 0 or nothing is "1 item" (OFN PR #12913); too big refuses."""
    if item.unit is None or item.unit_value is None or item.unit_value == 0:
        warnings.append(_problem(item.external_id, "quantity_defaulted", name=item.name or ""))
        return "piece", Decimal(1)
    value = item.unit_value
    if not value.is_finite() or value > MAX_QUANTITY or value < 0:
        raise _Refused(
            _problem(
                item.external_id,
                "too_big" if value > 0 else "invalid_value",
                what=_l("The quantity"),
                value=value,
                detail=B + "hasQuantity > " + B + "value",
            )
        )
    rounded = value.quantize(THOUSANDTH, ROUND_HALF_UP)
    if rounded == 0:
        warnings.append(_problem(item.external_id, "quantity_defaulted"))
        return "piece", Decimal(1)
    if rounded != value:
        warnings.append(
            _problem(item.external_id, "quantity_rounded", value=value, rounded=rounded)
        )
    return item.unit, rounded


def characteristics_not_held(graph: Graph, node: Node) -> list[str]:
    """The product characteristics of ``node`` that we cannot hold, by DFC property.

    Those interop.foodinfo reads are not in ``CHARACTERISTICS``; empty values (connectors
    write ``""``, ``0`` and ``[]`` by default) are not characteristics.
    """
    found = []
    for prop in CHARACTERISTICS:
        values = [v for v in node.values(prop) if v not in EMPTY_VALUES]
        if values:
            found.append(prop)
    return found


def _row(graph: Graph, item: ImportedProduct, warnings: list[NodeProblem]) -> ImportRow:
    """The row for one product; raises _Refused for the first blocking problem."""
    if not item.name:
        raise _Refused(_problem(item.external_id, "missing_name", detail=B + "name"))
    unit, unit_value = _quantity(item, warnings)
    price_cents, vat_bp = _price(item, warnings)
    if item.stock is not None and item.stock > MAX_STOCK:
        raise _Refused(
            _problem(item.catalog_item_id, "too_big", what=_l("The stock"), value=item.stock)
        )
    group = _group_of(graph, item.external_id)
    product_name = group[1] if group else item.name
    food = foodinfo.read(
        graph, item, lambda code, text: warnings.append(NodeProblem(item.external_id, code, text))
    )
    labels = []
    for code in item.labels:
        if categories.is_label(code):
            labels.append(code)
        else:
            warnings.append(_problem(item.external_id, "unknown_concept", detail=code))
    product_type = item.product_type or ""
    if product_type and not categories.is_category(product_type):
        warnings.append(_problem(item.external_id, "unknown_concept", detail=product_type))
        product_type = ""
    node = graph.get(item.external_id)
    not_held = characteristics_not_held(graph, node) if node is not None else []
    if not_held:
        detail = ", ".join(not_held)
        warnings.append(_problem(item.external_id, "not_held", detail=detail, name=item.name))
    return ImportRow(
        external_id=item.external_id,
        product_key=group[0] if group else item.external_id,
        product_name=product_name[:150],
        variant_name=_variant_name(product_name, item.name, group is not None)[:120],
        description=html_to_text(item.description),
        product_type=product_type,
        labels=labels,
        vat_rate_bp=vat_bp,
        sku=(item.sku or _generated_sku(item.external_id)).strip(),
        unit=unit,
        unit_value=str(unit_value.normalize()),
        price_cents=price_cents,
        on_demand=item.stock is None,
        stock=int(item.stock or 0),
        food=food,
        image=(item.image or "")[:1000],
    )


def _check_rules(row: ImportRow) -> list[NodeProblem]:
    """Our catalogue's rules (product and variant), but any VAT rate from 0 to 100 %: the
    French rates are what our forms offer, not a rule for imports."""
    problems = []
    product = ProductInput(
        name=row.product_name,
        product_type=row.product_type,
        description=row.description,
        vat_rate_bp=row.vat_rate_bp,
        labels=row.labels,
    )
    variant = VariantInput(
        sku=row.sku,
        unit=row.unit,
        unit_value=Decimal(row.unit_value),
        price_cents=row.price_cents,
        name=row.variant_name,
        on_demand=row.on_demand,
        stock=row.stock,
    )
    found = {**product_errors(product), **variant_errors(variant)}
    found.pop("vat_rate_bp", None)
    for name, message in found.items():
        problems.append(_problem(row.external_id, "rule", detail=message, name=row.product_name))
        problems[-1].detail = name
    return problems


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    if len(data) > MAX_BYTES:
        raise DfcDocumentRefused(DfcError("too_large", "over 20 MB"), n=MAX_PRODUCTS)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DfcDocumentRefused(DfcError("invalid_json", "not UTF-8")) from None


def _load(data: bytes | str) -> dict[str, object]:
    """Decode and bound the document, then look at it before any JSON-LD work: an order is
    refused as such, more than MAX_PRODUCTS products as too large (in milliseconds, where
    expanding 20,000 products takes a minute)."""
    try:
        doc = load_json(_decode(data))
    except DfcError as exc:
        if exc.code == "invalid_value":  # too many JSON objects
            raise DfcDocumentRefused(DfcError("too_large", exc.message), n=MAX_PRODUCTS) from exc
        raise DfcDocumentRefused(exc) from exc
    except RecursionError:
        raise DfcDocumentRefused(DfcError("invalid_json", "nested too deeply")) from None
    counts = raw_type_counts(doc)
    if counts["Order"] or counts["OrderLine"]:
        raise DfcDocumentRefused(DfcError("order_document", "dfc-b:Order"))
    if counts["SuppliedProduct"] > MAX_PRODUCTS:
        raise DfcDocumentRefused(
            DfcError("too_large", f"{counts['SuppliedProduct']} products"), n=MAX_PRODUCTS
        )
    return doc


def read_catalogue(
    data: bytes | str, *, base: str | None = None
) -> tuple[Graph, list[ImportRow], list[NodeProblem], list[NodeProblem]]:
    """Parse a document into rows (the valid products), errors (each refused product, with its
    reason) and warnings (notes); nothing is written.

    Raises DfcDocumentRefused when the document as a whole cannot be read, is an order, or is
    too large.
    """
    doc = _load(data)
    try:
        graph = parse_document(doc, base=base)
    except DfcError as exc:
        raise DfcDocumentRefused(exc) from exc
    except RecursionError:
        raise DfcDocumentRefused(DfcError("invalid_json", "nested too deeply")) from None
    errors: list[NodeProblem] = []
    warnings = [_localised(e) for e in graph.errors]  # a node without @type is ignored
    items = extract_catalog(graph, currency=None)
    rows: list[ImportRow] = []
    seen_skus: dict[str, str] = {}
    for item in items:
        name = item.name or ""
        first_note = len(warnings)
        _read_item(graph, item, name, rows, errors, warnings, seen_skus)
        for note in warnings[first_note:]:
            note.name = note.name or name
    if not items:
        errors.append(_problem(None, "no_product"))
    return graph, rows, errors, warnings


def _read_item(
    graph: Graph,
    item: ImportedProduct,
    name: str,
    rows: list[ImportRow],
    errors: list[NodeProblem],
    warnings: list[NodeProblem],
    seen_skus: dict[str, str],
) -> None:
    """One product: its row, or its refusal; its notes."""
    warnings.extend(_localised(w, name) for w in item.warnings)
    blocking = [e for e in item.errors if e.code != "unknown_currency"]
    if blocking:
        errors.append(_blocking(blocking[0], name))
        return
    try:
        row = _row(graph, item, warnings)
    except _Refused as refused:
        refused.problem.name = refused.problem.name or name
        errors.append(refused.problem)
        return
    problems = _check_rules(row)
    if problems:
        errors.append(problems[0])
        return
    key = row.sku.casefold()
    if key in seen_skus:
        errors.append(
            _problem(row.external_id, "duplicate_sku", name, sku=row.sku, other=seen_skus[key])
        )
        return
    seen_skus[key] = row.external_id
    rows.append(row)


# -- plan and storage ------------------------------------------------------------------------


@dataclass
class _Plan:
    summary: ImportSummary
    variant_of_row: dict[str, int | None]  #: external_id -> existing variant id
    product_of_key: dict[str, int | None]  #: product_key -> existing product id
    conflicts: list[NodeProblem]
    deactivate: list[int]  #: variants imported earlier from the same platform, now missing


def _origin(iri: str) -> str:
    """scheme://host of an @id (blank and relative ids: "")."""
    parts = urlsplit(iri)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _plan(producer_id: int, rows: list[ImportRow], seen_ids: list[str]) -> _Plan:
    """Match rows to the catalogue: a variant by external_id, else by SKU; its product by the
    group's external_id, else the matched variant's product; and the variants to switch off.
    Two statements."""
    variants = db.session.execute(
        select(
            Variant.id, Variant.sku, Variant.external_id, Variant.product_id, Variant.active
        ).where(Variant.producer_id == producer_id)
    ).all()
    by_external = {v.external_id: v for v in variants if v.external_id}
    by_sku = {v.sku.casefold(): v for v in variants}
    products = db.session.execute(
        select(Product.id, Product.external_id).where(
            Product.producer_id == producer_id, Product.external_id.is_not(None)
        )
    ).all()
    product_by_external = {p.external_id: p.id for p in products}
    summary = ImportSummary()
    variant_of_row: dict[str, int | None] = {}
    product_of_key: dict[str, int | None] = {}
    conflicts: list[NodeProblem] = []
    claimed: dict[int, str] = {}
    for row in rows:
        match = by_external.get(row.external_id) or by_sku.get(row.sku.casefold())
        if match is not None and match.id in claimed:
            match = None
        same_sku = by_sku.get(row.sku.casefold())
        if same_sku is not None and (match is None or same_sku.id != match.id):
            conflicts.append(_problem(row.external_id, "sku_taken", row.product_name, sku=row.sku))
            continue
        if match is not None:
            claimed[match.id] = row.external_id
            summary.updated_variants += 1
        else:
            summary.new_variants += 1
        variant_of_row[row.external_id] = match.id if match is not None else None
        if row.product_key not in product_of_key:
            product_of_key[row.product_key] = product_by_external.get(row.product_key) or (
                match.product_id if match is not None else None
            )
    summary.products = len(product_of_key)
    summary.new_products = sum(1 for pid in product_of_key.values() if pid is None)
    summary.updated_products = summary.products - summary.new_products
    origins = {_origin(i) for i in seen_ids} - {""}
    still_there = set(seen_ids)
    deactivate = sorted(
        v.id
        for v in variants
        if v.active
        and v.external_id
        and v.id not in claimed
        and v.external_id not in still_there
        and _origin(v.external_id) in origins
    )
    summary.deactivated_variants = len(deactivate)
    return _Plan(summary, variant_of_row, product_of_key, conflicts, deactivate)


def _path(token: str) -> Path:
    if not token.isalnum() or len(token) > 64:
        raise DfcImportExpired()
    return imports_folder() / f"dfc-{token}.json"


def _save(preview: DfcPreview) -> None:
    path = _path(preview.token)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(preview), ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def load_preview(token: str, producer: Enterprise, user_id: int | None) -> DfcPreview:
    """The stored preview of this producer by this user. Raises DfcImportExpired."""
    try:
        raw = json.loads(_path(token).read_text(encoding="utf-8"))
        preview = DfcPreview(
            **{
                **raw,
                "rows": [ImportRow(**r) for r in raw["rows"]],
                "errors": [NodeProblem(**e) for e in raw["errors"]],
                "warnings": [NodeProblem(**w) for w in raw["warnings"]],
                "summary": ImportSummary(**raw["summary"]),
                "applied": ImportSummary(**raw["applied"]) if raw.get("applied") else None,
            }
        )
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise DfcImportExpired() from exc
    if preview.producer_id != producer.id or preview.user_id != user_id:
        raise DfcImportExpired()
    if time.time() - preview.created_at > PREVIEW_TTL_S:
        raise DfcImportExpired()
    return preview


# -- the use cases -----------------------------------------------------------------------------


def check_import(
    producer: Enterprise,
    user_id: int | None,
    data: bytes | str,
    *,
    filename: str = "",
    base: str | None = None,
    store: bool = True,
    download_images: bool = False,
) -> DfcPreview:
    """Read a DFC catalogue for ``producer`` and store the preview; write nothing else.

    Raises DfcDocumentRefused (422) when the document cannot be read at all. Refused products
    are in ``preview.errors`` (each with the node's @id and its reason), notes in
    ``preview.warnings``; ``preview.rows`` holds the products that will be imported.
    """
    graph, rows, errors, warnings = read_catalogue(data, base=base)
    seen = [n.id for n in graph.by_type(B + "SuppliedProduct") if not n.values(B + "hasVariant")]
    preview = DfcPreview(
        token=secrets.token_hex(16),
        producer_id=producer.id,
        user_id=user_id,
        filename=filename[:200],
        created_at=time.time(),
        profile=graph.profile,
        errors=errors,
        warnings=warnings,
        seen_ids=seen,
        download_images=download_images and images.allowed(),
    )
    plan = _plan(producer.id, rows, seen)
    refused_ids = {c.node_id for c in plan.conflicts}
    preview.errors.extend(plan.conflicts)
    preview.rows = [r for r in rows if r.external_id not in refused_ids]
    preview.summary = plan.summary
    preview.summary.refused = sum(1 for e in preview.errors if e.node_id is not None)
    if store:
        _save(preview)
    return preview


def _write(producer: Enterprise, rows: list[ImportRow], seen_ids: list[str]) -> ImportSummary:
    """Write the rows and switch off the variants gone from the platform's catalogue (caller
    commits). Locks the producer, then the matched variants."""
    db.session.execute(select(Enterprise.id).where(Enterprise.id == producer.id).with_for_update())
    plan = _plan(producer.id, rows, seen_ids)
    if plan.conflicts:
        raise DfcImportConflict()
    variant_ids = sorted(
        {i for i in plan.variant_of_row.values() if i is not None} | set(plan.deactivate)
    )
    variants = (
        {
            v.id: v
            for v in db.session.scalars(
                select(Variant)
                .where(Variant.id.in_(variant_ids))
                .order_by(Variant.id)
                .with_for_update()
            )
        }
        if variant_ids
        else {}
    )
    for gone in plan.deactivate:
        variants[gone].active = False
    product_ids = [i for i in plan.product_of_key.values() if i is not None]
    products: dict[str, Product] = {}
    existing = (
        {
            p.id: p
            for p in db.session.scalars(
                select(Product)
                .where(Product.id.in_(product_ids))
                .options(selectinload(Product.labels))
            )
        }
        if product_ids
        else {}
    )
    for key, pid in plan.product_of_key.items():
        if pid is not None:
            products[key] = existing[pid]
    with db.session.no_autoflush:  # one flush at the end, not one per row
        for row in rows:
            _write_row(producer, row, plan, products, variants)
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise DfcImportConflict() from exc
    return plan.summary


def _write_row(
    producer: Enterprise,
    row: ImportRow,
    plan: _Plan,
    products: dict[str, Product],
    variants: dict[int, Variant],
) -> None:
    """One row onto its product and variant (new ones added to the session)."""
    product = products.get(row.product_key)
    if product is None:
        product = Product(producer_id=producer.id, producer=producer, image_path="")
        db.session.add(product)
        products[row.product_key] = product
    product.name = row.product_name
    product.description = row.description
    product.product_type = row.product_type
    product.vat_rate_bp = row.vat_rate_bp
    if product.id is None:
        product.active = True  # an update keeps what the producer chose
    product.external_id = row.product_key
    wanted = set(row.labels)
    for label in list(product.labels):
        if label.code not in wanted:
            product.labels.remove(label)
    have = {label.code for label in product.labels}
    for code in row.labels:
        if code not in have:
            product.labels.append(ProductLabel(code=code))
            have.add(code)
    foodinfo.apply(product, row.food)
    variant_id = plan.variant_of_row.get(row.external_id)
    variant = variants.get(variant_id) if variant_id is not None else None
    if variant is None:
        variant = Variant(producer_id=producer.id)
        product.variants.append(variant)
    elif variant.product_id != getattr(product, "id", None):
        variant.product = product
    unit_value = Decimal(row.unit_value)
    variant.name = row.variant_name or format_quantity(Unit(row.unit), unit_value)
    variant.sku = row.sku
    variant.unit = Unit(row.unit)
    variant.unit_value = unit_value
    variant.price_cents = row.price_cents
    variant.on_demand = row.on_demand
    variant.stock = 0 if row.on_demand else row.stock
    if variant.id is None:
        variant.active = True
    variant.external_id = row.external_id


def apply_import(producer: Enterprise, user_id: int | None, token: str) -> ImportSummary:
    """Write the valid products of a checked preview in one transaction (the refused ones are
    named in the preview).

    Raises DfcImportExpired (unknown, expired or applied), DfcImportRejected (no product can
    be imported), DfcImportConflict (the catalogue changed meanwhile so that a SKU now clashes).
    """
    preview = load_preview(token, producer, user_id)
    if preview.applied is not None:
        raise DfcImportExpired()
    if not preview.rows:
        raise DfcImportRejected(preview.errors)
    summary = _write(producer, preview.rows, preview.seen_ids)
    summary.refused = preview.summary.refused
    db.session.commit()
    if preview.download_images:  # after the commit: network, one product at a time
        preview.image_problems = [asdict(p) for p in images.attach_imported(producer, preview.rows)]
    preview.applied = summary
    preview.rows = []
    _save(preview)
    return summary


def import_catalogue(
    producer: Enterprise, data: bytes | str, *, base: str | None = None
) -> tuple[ImportSummary, list[NodeProblem], list[NodeProblem]]:
    """Check and apply in one go (API, CLI): every valid product is written.

    Returns the summary, the refused products (with reasons) and the notes. Raises
    DfcDocumentRefused, or DfcImportRejected when no product can be imported: then nothing is
    written.
    """
    preview = check_import(producer, None, data, base=base, store=False)
    if not preview.rows:
        raise DfcImportRejected(preview.errors)
    summary = _write(producer, preview.rows, preview.seen_ids)
    summary.refused = preview.summary.refused
    db.session.commit()
    return summary, preview.errors, preview.warnings


def quantity_label(row: ImportRow) -> str:
    """The pack size of a row as our pages show it ("400 g", "1 pièce")."""
    return format_quantity(Unit(row.unit), Decimal(row.unit_value))


def unit_label(unit: str) -> str:
    """The DFC measure of one of our units, for the preview ("dfc-m:Kilogram")."""
    return vocabulary.UNIT_TO_DFC.get(unit, unit)
