"""Import a DFC catalogue into a producer's products: check (preview, nothing written), then
apply (one transaction, all or nothing).

What is read (see :mod:`interop.catalog` for the graph side, and docs/dfc.md):
- one variant per ``SuppliedProduct``; variants of one OFN product group (``isVariantOf`` /
  ``hasVariant``) form one product named after the group, the others one product each;
- the pack size from ``hasQuantity``, converted to our units (g, kg, ml, cl, l, piece, dozen;
  pounds, ounces, packaging units... converted); any other unit is an error on that node;
- the price from the Offer: DFC prices exclude VAT, so with a ``VATrate`` (0, 5.5, 10 or 20 %)
  the VAT-inclusive price is ``value × (1 + rate)`` rounded once to the cent; without one the
  value is taken as the VAT-inclusive price at 5.5 % (a warning says so). A price in another
  currency than the euro is imported as is, with a warning: we never convert currencies;
- stock: ``stockLimitation`` absent or negative means on demand, otherwise that many units;
- product type and labels from the taxonomies (unknown ones dropped with a warning);
- re-import updates by ``@id``: a variant (and its product) whose ``external_id`` is the node's
  @id is updated; else a variant with the same SKU is taken over; else it is created.
Images (``dfc-b:image``) are downloaded only when the platform allows it and the producer asks
(:mod:`interop.images`, after the commit); HTML descriptions become text.

Document-level problems (invalid JSON, an unknown @context...) raise :class:`DfcDocumentRefused`
(422, naming the node); node-level ones are listed per node @id in the preview, and a preview
with errors cannot be applied.
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

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.db import db
from core.errors import DomainError
from enterprises.models import Enterprise
from interop import images, vocabulary
from interop.catalog import ImportedProduct, extract_catalog
from interop.errors import DfcError
from interop.exports import cents_including_vat
from interop.graph import Graph, parse_document
from interop.schemas import PriceSchema
from products import categories
from products.csv_io import imports_folder
from products.models import VAT_RATES_BP, Product, ProductLabel, Unit, Variant
from products.services import ProductInput, VariantInput, product_errors, variant_errors
from products.units import format_quantity

B = "dfc-b:"
MAX_BYTES = 20 * 1024 * 1024
MAX_PRODUCTS = 20_000
PREVIEW_TTL_S = 24 * 3600
DEFAULT_VAT_BP = 550
THOUSANDTH = Decimal("0.001")


class DfcDocumentRefused(DomainError):
    """The document as a whole cannot be read. ``fields["errors"]`` has the one problem, in
    the same shape as :class:`DfcImportRejected`'s (node_id, code, message)."""

    code = "dfc_document_refused"
    status = 422
    message = _l("This DFC document cannot be read.")

    def __init__(self, error: DfcError) -> None:
        super().__init__(
            _l("This DFC document cannot be read: %(problem)s", problem=error.message),
            fields={"errors": [error.to_dict()]},
        )
        self.error = error


class DfcImportRejected(DomainError):
    """Some nodes are wrong: nothing was written. ``errors`` lists them."""

    code = "dfc_import_rejected"
    status = 422
    message = _l("Some products of the DFC document are wrong: nothing was imported.")

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
    message: str


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
    image: str = ""  #: the dfc-b:image URL (downloaded only if allowed: interop.images)


@dataclass
class ImportSummary:
    products: int = 0
    new_products: int = 0
    updated_products: int = 0
    new_variants: int = 0
    updated_variants: int = 0


@dataclass
class DfcPreview:
    token: str
    producer_id: int
    user_id: int | None
    filename: str
    created_at: float
    profile: str = "v1"
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[NodeProblem] = field(default_factory=list)
    warnings: list[NodeProblem] = field(default_factory=list)
    summary: ImportSummary = field(default_factory=ImportSummary)
    applied: ImportSummary | None = None
    #: the producer asked to download the images, and the platform allows it
    download_images: bool = False
    #: the images that could not be taken (``interop.images.ImageProblem`` as dicts)
    image_problems: list[dict[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


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


def _problem(error: DfcError) -> NodeProblem:
    return NodeProblem(error.node_id, error.code, error.message)


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


def _price(graph: Graph, item: ImportedProduct, warnings: list[NodeProblem]) -> tuple[int, int]:
    """(VAT-inclusive cents, VAT basis points) from the Offer's Price; raises DfcError."""
    offer = graph.get(item.offer_id)
    price_data = graph.node_dict(offer)[B + "hasPrice"] if offer is not None else None
    if isinstance(price_data, list):
        price_data = price_data[0]
    if price_data is None:
        raise DfcError("missing_field", "no Offer with a dfc-b:hasPrice", item.external_id)
    price = PriceSchema().load(price_data)
    amount = price.amount if price.amount is not None else Decimal(price.cents) / 100
    if amount < 0:
        raise DfcError("invalid_value", "the price is negative", item.offer_id)
    if price.currency not in (None, "dfc-m:Euro"):
        warnings.append(
            NodeProblem(
                item.offer_id,
                "unknown_currency",
                str(
                    _l(
                        "The price is in %(currency)s: it is imported as euros, unconverted.",
                        currency=price.currency.split(":", 1)[-1],
                    )
                ),
            )
        )
    if price.vat_rate is None:
        warnings.append(
            NodeProblem(
                item.offer_id,
                "missing_field",
                str(_l("No VAT rate: the price is taken as VAT included, at 5.5 %.")),
            )
        )
        return int((amount * 100).to_integral_value(ROUND_HALF_UP)), DEFAULT_VAT_BP
    bp = int((price.vat_rate * 100).to_integral_value(ROUND_HALF_UP))
    if bp not in VAT_RATES_BP:
        raise DfcError(
            "invalid_value",
            str(
                _l(
                    "VAT rate %(rate)s %% is not a French food VAT rate (0, 5.5, 10 or 20 %%).",
                    rate=price.vat_rate,
                )
            ),
            item.offer_id,
        )
    return cents_including_vat(amount, price.vat_rate), bp


def _row(graph: Graph, item: ImportedProduct, warnings: list[NodeProblem]) -> ImportRow:
    """The row for one product; raises DfcError for the first blocking problem."""
    if not item.name:
        raise DfcError("missing_field", "dfc-b:name: the product has no name", item.external_id)
    if item.unit is None or item.unit_value is None:
        raise DfcError(
            "missing_field", "dfc-b:hasQuantity: the product has no quantity", item.external_id
        )
    unit_value = item.unit_value
    rounded = unit_value.quantize(THOUSANDTH, ROUND_HALF_UP)
    if rounded != unit_value:
        warnings.append(
            NodeProblem(
                item.external_id,
                "invalid_value",
                str(
                    _l(
                        "Quantity %(value)s rounded to %(rounded)s.",
                        value=unit_value,
                        rounded=rounded,
                    )
                ),
            )
        )
    price_cents, vat_bp = _price(graph, item, warnings)
    group = _group_of(graph, item.external_id)
    product_name = group[1] if group else item.name
    labels = []
    for code in item.labels:
        if categories.is_label(code):
            labels.append(code)
        else:
            warnings.append(
                NodeProblem(
                    item.external_id,
                    "unknown_concept",
                    str(_l("%(code)s is not a label we use: ignored.", code=code)),
                )
            )
    product_type = item.product_type or ""
    if product_type and not categories.is_category(product_type):
        warnings.append(
            NodeProblem(item.external_id, "unknown_concept", f"{product_type}: ignored")
        )
        product_type = ""
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
        unit=item.unit,
        unit_value=str(rounded.normalize()),
        price_cents=price_cents,
        on_demand=item.stock is None,
        stock=int(item.stock or 0),
        image=(item.image or "")[:1000],
    )


def _check_rules(row: ImportRow) -> list[NodeProblem]:
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
    for name, message in {**product_errors(product), **variant_errors(variant)}.items():
        problems.append(NodeProblem(row.external_id, "invalid_value", f"{name}: {message}"))
    return problems


def read_catalogue(
    data: bytes | str, *, base: str | None = None
) -> tuple[Graph, list[ImportRow], list[NodeProblem], list[NodeProblem]]:
    """Parse a document into rows, errors and warnings (per node); nothing is written.

    Raises DfcDocumentRefused when the document as a whole cannot be read.
    """
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            raise DfcDocumentRefused(DfcError("invalid_json", "the document is over 20 MB"))
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise DfcDocumentRefused(DfcError("invalid_json", "the file is not UTF-8")) from None
    try:
        graph = parse_document(data, base=base)
    except DfcError as exc:
        raise DfcDocumentRefused(exc) from exc
    except RecursionError:
        raise DfcDocumentRefused(
            DfcError("invalid_json", "the document is nested too deeply")
        ) from None
    errors = [_problem(e) for e in graph.errors]
    warnings: list[NodeProblem] = []
    items = extract_catalog(graph, currency=None)
    if len(items) > MAX_PRODUCTS:
        raise DfcDocumentRefused(
            DfcError("invalid_value", f"more than {MAX_PRODUCTS} products: split the document")
        )
    rows: list[ImportRow] = []
    seen_skus: dict[str, str] = {}
    for item in items:
        warnings.extend(_problem(w) for w in item.warnings if w.code != "unknown_concept" or True)
        blocking = [e for e in item.errors if e.code != "unknown_currency"]
        if blocking:
            errors.extend(_problem(e) for e in blocking)
            continue
        try:
            row = _row(graph, item, warnings)
        except DfcError as exc:
            errors.append(_problem(exc))
            continue
        problems = _check_rules(row)
        if problems:
            errors.extend(problems)
            continue
        key = row.sku.casefold()
        if key in seen_skus:
            errors.append(
                NodeProblem(
                    row.external_id,
                    "invalid_value",
                    str(
                        _l(
                            "The SKU %(sku)s is also used by %(other)s.",
                            sku=row.sku,
                            other=seen_skus[key],
                        )
                    ),
                )
            )
            continue
        seen_skus[key] = row.external_id
        rows.append(row)
    if not items and not errors:
        errors.append(
            NodeProblem(None, "missing_field", str(_l("The document has no SuppliedProduct.")))
        )
    return graph, rows, errors, warnings


# -- plan and storage ------------------------------------------------------------------------


@dataclass
class _Plan:
    summary: ImportSummary
    variant_of_row: dict[str, int | None]  #: external_id -> existing variant id
    product_of_key: dict[str, int | None]  #: product_key -> existing product id
    conflicts: list[NodeProblem]


def _plan(producer_id: int, rows: list[ImportRow]) -> _Plan:
    """Match rows to the catalogue: a variant by external_id, else by SKU; its product by the
    group's external_id, else the matched variant's product. Two statements."""
    variants = db.session.execute(
        select(Variant.id, Variant.sku, Variant.external_id, Variant.product_id).where(
            Variant.producer_id == producer_id
        )
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
        if match is not None:
            same_sku = by_sku.get(row.sku.casefold())
            if same_sku is not None and same_sku.id != match.id:
                conflicts.append(
                    NodeProblem(
                        row.external_id,
                        "invalid_value",
                        str(_l("The SKU %(sku)s belongs to another variant.", sku=row.sku)),
                    )
                )
                continue
            claimed[match.id] = row.external_id
            summary.updated_variants += 1
        else:
            if row.sku.casefold() in by_sku:
                conflicts.append(
                    NodeProblem(
                        row.external_id,
                        "invalid_value",
                        str(_l("The SKU %(sku)s belongs to another variant.", sku=row.sku)),
                    )
                )
                continue
            summary.new_variants += 1
        variant_of_row[row.external_id] = match.id if match is not None else None
        if row.product_key not in product_of_key:
            product_of_key[row.product_key] = product_by_external.get(row.product_key) or (
                match.product_id if match is not None else None
            )
    summary.products = len(product_of_key)
    summary.new_products = sum(1 for pid in product_of_key.values() if pid is None)
    summary.updated_products = summary.products - summary.new_products
    return _Plan(summary, variant_of_row, product_of_key, conflicts)


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
    except (OSError, ValueError) as exc:
        raise DfcImportExpired() from exc
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

    Raises DfcDocumentRefused (422) when the document cannot be read at all. Node problems are
    in ``preview.errors`` (each with the node's @id), notes in ``preview.warnings``.
    """
    graph, rows, errors, warnings = read_catalogue(data, base=base)
    preview = DfcPreview(
        token=secrets.token_hex(16),
        producer_id=producer.id,
        user_id=user_id,
        filename=filename[:200],
        created_at=time.time(),
        profile=graph.profile,
        errors=errors,
        warnings=warnings,
        download_images=download_images and images.allowed(),
    )
    if not errors:
        plan = _plan(producer.id, rows)
        preview.errors.extend(plan.conflicts)
        preview.summary = plan.summary
    preview.rows = [] if preview.errors else rows
    if store:
        _save(preview)
    return preview


def _write(producer: Enterprise, rows: list[ImportRow]) -> ImportSummary:
    """Write the rows (caller commits). Locks the producer, then the matched variants."""
    db.session.execute(select(Enterprise.id).where(Enterprise.id == producer.id).with_for_update())
    plan = _plan(producer.id, rows)
    if plan.conflicts:
        raise DfcImportConflict()
    variant_ids = sorted(i for i in plan.variant_of_row.values() if i is not None)
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
    product_ids = [i for i in plan.product_of_key.values() if i is not None]
    products: dict[str, Product] = {}
    existing = (
        {p.id: p for p in db.session.scalars(select(Product).where(Product.id.in_(product_ids)))}
        if product_ids
        else {}
    )
    for key, pid in plan.product_of_key.items():
        if pid is not None:
            products[key] = existing[pid]
    for row in rows:
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
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise DfcImportConflict() from exc
    return plan.summary


def apply_import(producer: Enterprise, user_id: int | None, token: str) -> ImportSummary:
    """Write a checked preview in one transaction: every product or none.

    Raises DfcImportExpired (unknown, expired or applied), DfcImportRejected (it has errors),
    DfcImportConflict (the catalogue changed meanwhile so that a SKU now clashes).
    """
    preview = load_preview(token, producer, user_id)
    if preview.applied is not None:
        raise DfcImportExpired()
    if preview.errors or not preview.rows:
        raise DfcImportRejected(preview.errors)
    summary = _write(producer, preview.rows)
    db.session.commit()
    if preview.download_images:  # after the commit: network, one product at a time
        preview.image_problems = [asdict(p) for p in images.attach_imported(producer, preview.rows)]
    preview.applied = summary
    preview.rows = []
    _save(preview)
    return summary


def import_catalogue(
    producer: Enterprise, data: bytes | str, *, base: str | None = None
) -> tuple[ImportSummary, list[NodeProblem]]:
    """Check and apply in one go (API, CLI): all or nothing.

    Returns the summary and the warnings. Raises DfcDocumentRefused or DfcImportRejected (422,
    every node problem listed): then nothing is written.
    """
    preview = check_import(producer, None, data, base=base, store=False)
    if preview.errors:
        raise DfcImportRejected(preview.errors)
    summary = _write(producer, preview.rows)
    db.session.commit()
    return summary, preview.warnings


def unit_label(unit: str) -> str:
    """The DFC measure of one of our units, for the preview ("dfc-m:Kilogram")."""
    return vocabulary.UNIT_TO_DFC.get(unit, unit)
