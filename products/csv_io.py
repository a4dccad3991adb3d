"""CSV import and export of a producer's catalogue: one row per variant, the same format both ways.

Import is two steps. ``check_import`` reads the whole file (UTF-8 with or without BOM, else
Windows-1252; comma, semicolon or tab), validates every row against the same rules as the forms,
names every bad cell (line, column, message) and stores the parsed rows as a preview under
``UPLOAD_FOLDER/imports/<token>.json`` (the shared volume: any app server can apply it). Nothing is
written to the catalogue. ``apply_import`` then writes the preview in ONE transaction with bulk
statements (a few executemany per table, not one ORM flush per row): all rows or none.

Both steps are generators yielding :class:`Progress` so a page can show a progress bar while a
long file is processed; their return value is the result (``run_to_end`` for callers that do not
care about progress). The format is documented in docs/csv-format.md.
"""

from __future__ import annotations

import csv
import io
import json
import os
import secrets
import time
import unicodedata
from collections.abc import Generator, Iterator
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from core import csvexport
from core.db import db, table_of
from core.money import parse_euros
from core.timeutils import utcnow
from enterprises.models import Enterprise
from products import categories, foodinfo_csv
from products.errors import ImportConflict, ImportExpired, ImportFileInvalid, ImportHasErrors
from products.models import VAT_RATES_BP, Product, ProductLabel, Unit, Variant
from products.services import ProductInput, VariantInput, product_errors, variant_errors
from products.units import format_quantity, parse_decimal, parse_unit

T = TypeVar("T")

#: the columns, in the order the export writes them
COLUMNS = (
    "sku",
    "product_name",
    "variant_name",
    "category",
    "unit",
    "unit_value",
    "price_eur",
    "vat_rate",
    "stock",
    "sold_by_weight",
    "active",
    "product_active",
    "description",
    "labels",
    *foodinfo_csv.COLUMNS,
)
REQUIRED = ("sku", "product_name", "unit", "unit_value", "price_eur")

#: French (and a few English) headers, folded -> column
HEADER_ALIASES = {
    "reference": "sku",
    "ref": "sku",
    "code": "sku",
    "produit": "product_name",
    "nom_produit": "product_name",
    "nom_du_produit": "product_name",
    "product": "product_name",
    "variante": "variant_name",
    "nom_variante": "variant_name",
    "variant": "variant_name",
    "categorie": "category",
    "type": "category",
    "product_type": "category",
    "unite": "unit",
    "quantite": "unit_value",
    "valeur_unite": "unit_value",
    "contenance": "unit_value",
    "prix": "price_eur",
    "prix_eur": "price_eur",
    "prix_ttc": "price_eur",
    "price": "price_eur",
    "tva": "vat_rate",
    "taux_tva": "vat_rate",
    "vat": "vat_rate",
    "vendu_au_poids": "sold_by_weight",
    "au_poids": "sold_by_weight",
    "actif": "active",
    "produit_actif": "product_active",
    "etiquettes": "labels",
    "labels_certifications": "labels",
    **foodinfo_csv.HEADER_ALIASES,
}

ON_DEMAND_WORDS = {"sur demande", "on demand", "illimite", "unlimited", "a la demande"}
TRUE_WORDS = {"oui", "o", "yes", "y", "true", "vrai", "1", "x"}
FALSE_WORDS = {"non", "n", "no", "false", "faux", "0"}
MAX_ROWS = 50_000
CHUNK = 1000
PREVIEW_TTL_S = 24 * 3600
LABEL_SEPARATORS = ("|", ",")


@dataclass(frozen=True)
class Progress:
    phase: str  # "check" or "apply"
    done: int
    total: int


@dataclass
class RowError:
    line: int
    column: str
    message: str


@dataclass
class ImportSummary:
    rows: int = 0
    new_products: int = 0
    updated_products: int = 0
    new_variants: int = 0
    updated_variants: int = 0


@dataclass
class ImportPreview:
    token: str
    producer_id: int
    user_id: int
    filename: str
    encoding: str
    delimiter: str
    created_at: float
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    summary: ImportSummary = field(default_factory=ImportSummary)
    applied: ImportSummary | None = None

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


def run_to_end(steps: Generator[Progress, None, T]) -> T:
    """Run an import step without following its progress."""
    while True:
        try:
            next(steps)
        except StopIteration as stop:
            return stop.value


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


# -- reading the file ------------------------------------------------------------------------


def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding's name. UTF-8 (with or without BOM) first, else Windows-1252.

    Raises ImportFileInvalid for spreadsheets, UTF-16 and bytes no text encoding explains.
    """
    if not data.strip():
        raise ImportFileInvalid(_l("The file is empty."))
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileInvalid(
            _l(
                "This is a spreadsheet (Excel or LibreOffice), not a CSV file: use "
                '"Save as" > "CSV" in your spreadsheet and upload that file.'
            )
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        raise ImportFileInvalid(
            _l(
                "The file is in UTF-16 or is not a text file: save it as "
                '"CSV UTF-8" (or "CSV (separator: semicolon)") and upload it again.'
            )
        )
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFileInvalid(
            _l(
                "Line %(line)s: the file's encoding is neither UTF-8 nor Windows-1252 (byte "
                '0x%(byte)s). Save it as "CSV UTF-8" and upload it again.',
                line=line,
                byte=format(data[exc.start], "02X"),
            )
        ) from exc


def sniff_delimiter(header: str) -> str:
    """Semicolon (French spreadsheets), comma or tab: whichever the header line uses most."""
    counts = {sep: header.count(sep) for sep in (";", ",", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _header_key(name: str) -> str:
    key = _fold(name).replace(" ", "_").replace("-", "_").replace("(", "").replace(")", "")
    key = key.replace("€", "eur").strip("_")
    return HEADER_ALIASES.get(key, key)


def _map_header(header: list[str]) -> tuple[dict[str, int], list[str]]:
    """Column name -> index, and the names of the ignored columns. Raises ImportFileInvalid."""
    positions: dict[str, int] = {}
    ignored: list[str] = []
    for index, raw in enumerate(header):
        key = _header_key(raw)
        if not key:
            continue
        if key in COLUMNS:
            if key in positions:
                raise ImportFileInvalid(
                    _l("The column %(column)s appears twice in the header.", column=key)
                )
            positions[key] = index
        else:
            ignored.append(raw.strip())
    missing = [c for c in REQUIRED if c not in positions]
    if missing:
        raise ImportFileInvalid(
            _l(
                "Missing column(s): %(missing)s. The first line must name the columns "
                "(see the format: sku, product_name, unit, unit_value, price_eur, ...).",
                missing=", ".join(missing),
            )
        )
    return positions, ignored


# -- checking one row ------------------------------------------------------------------------


def _parse_bool(text: str, default: bool) -> bool:
    word = _fold(text)
    if not word:
        return default
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(word)


def _parse_vat(text: str) -> int:
    cleaned = text.strip().replace("%", "").strip()
    value = parse_decimal(cleaned, places=2)
    bp = int(value * 100)
    if bp not in VAT_RATES_BP:
        raise ValueError(cleaned)
    return bp


def _parse_stock(text: str) -> int | None:
    """None means on demand (unlimited)."""
    if not text.strip() or _fold(text) in ON_DEMAND_WORDS:
        return None
    value = parse_decimal(text, places=3)
    if value != value.to_integral_value():
        raise ValueError("whole")
    return int(value)


def _split_labels(text: str) -> list[str]:
    parts = [text]
    for sep in LABEL_SEPARATORS:
        parts = [piece for part in parts for piece in part.split(sep)]
    return [p.strip() for p in parts if p.strip()]


class _RowChecker:
    def __init__(self, positions: dict[str, int]) -> None:
        self.positions = positions

    def cell(self, record: list[str], column: str) -> str | None:
        index = self.positions.get(column)
        if index is None:
            return None
        return record[index].strip() if index < len(record) else ""

    def check(self, line: int, record: list[str]) -> tuple[dict[str, Any] | None, list[RowError]]:
        errors: list[RowError] = []

        def err(column: str, message: Any) -> None:
            errors.append(RowError(line, column, str(message)))

        def get(column: str) -> str:
            return self.cell(record, column) or ""

        sku = get("sku")
        product_name = get("product_name")
        unit = parse_unit(get("unit"))
        if unit is None:
            err(
                "unit",
                _l(
                    'Unknown unit "%(unit)s": use g, kg, ml, cl, l, piece or dozen.',
                    unit=get("unit"),
                ),
            )
        unit_value: Decimal | None = None
        try:
            unit_value = parse_decimal(get("unit_value"))
        except ValueError:
            err(
                "unit_value",
                _l('"%(value)s" is not a quantity (e.g. 500 or 0,75).', value=get("unit_value")),
            )
        price_cents: int | None = None
        try:
            price_cents = parse_euros(get("price_eur"))
        except (ValueError, ArithmeticError):
            err(
                "price_eur",
                _l(
                    '"%(value)s" is not a price in euros (e.g. 4,50).',
                    value=get("price_eur"),
                ),
            )
        vat_rate_bp: int | None = None
        if get("vat_rate"):
            try:
                vat_rate_bp = _parse_vat(get("vat_rate"))
            except (ValueError, ArithmeticError):
                err(
                    "vat_rate",
                    _l(
                        'Unknown VAT rate "%(value)s": use 0, 5,5, 10 or 20.',
                        value=get("vat_rate"),
                    ),
                )
        stock: int | None = None
        try:
            stock = _parse_stock(get("stock"))
        except (ValueError, ArithmeticError):
            err(
                "stock",
                _l(
                    '"%(value)s" is not a stock: a whole number, or empty / "sur demande" '
                    "for unlimited.",
                    value=get("stock"),
                ),
            )
        flags: dict[str, bool | None] = {}
        for column, default in (
            ("sold_by_weight", False),
            ("active", True),
            ("product_active", None),
        ):
            raw = self.cell(record, column)
            if raw is None or (default is None and not raw):
                flags[column] = default
                continue
            try:
                flags[column] = _parse_bool(raw, bool(default))
            except ValueError:
                err(column, _l('"%(value)s" is neither yes nor no (oui/non).', value=raw))
        category = self.cell(record, "category")
        category_code: str | None = None
        if category is not None:
            category_code = ""
            if category:
                found = categories.resolve_category(category)
                if found is None:
                    err(
                        "category",
                        _l(
                            'Unknown category "%(value)s": use a DFC product type such as '
                            '"tomate" or "dfc-pt:tomato".',
                            value=category,
                        ),
                    )
                else:
                    category_code = found
        labels_cell = self.cell(record, "labels")
        label_codes: list[str] | None = None
        if labels_cell is not None:
            label_codes = []
            for text in _split_labels(labels_cell):
                code = categories.resolve_label(text)
                if code is None:
                    err("labels", _l('Unknown label "%(value)s".', value=text))
                else:
                    label_codes.append(code)
        description = self.cell(record, "description")
        variant_name = get("variant_name")
        food = foodinfo_csv.read_cells(lambda column: self.cell(record, column), err)

        # the rules shared with the forms and the API, on the cells that parsed
        product_fields = product_errors(
            ProductInput(name=product_name, vat_rate_bp=vat_rate_bp or 550)
        )
        if "name" in product_fields:
            err("product_name", product_fields["name"])
        # every rule on every cell, also when another cell of the row is already wrong
        # (placeholders stand for the cells that did not parse; their errors are reported)
        reported = {e.column for e in errors}
        variant_fields = variant_errors(
            VariantInput(
                sku=sku,
                unit=unit or Unit.kg,
                unit_value=Decimal(1) if unit_value is None else unit_value,
                price_cents=0 if price_cents is None else price_cents,
                name=variant_name,
                on_demand=stock is None,
                stock=stock or 0,
                sold_by_weight=bool(flags.get("sold_by_weight")),
            )
        )
        column_of = {"price_cents": "price_eur", "name": "variant_name"}
        for key, message in variant_fields.items():
            column = column_of.get(key, key)
            if column in reported or (key == "sold_by_weight" and unit is None):
                continue
            err(column, message)
        if errors:
            return None, errors
        assert unit is not None
        assert unit_value is not None
        assert price_cents is not None
        if not variant_name:
            variant_name = format_quantity(unit, unit_value)
        return {
            "line": line,
            "sku": sku,
            "product_name": product_name,
            "variant_name": variant_name,
            "category": category_code,
            "unit": unit.value,
            "unit_value": str(unit_value),
            "price_cents": price_cents,
            "vat_rate_bp": vat_rate_bp,
            "on_demand": stock is None,
            "stock": stock or 0,
            "sold_by_weight": bool(flags["sold_by_weight"]),
            "active": bool(flags["active"]),
            "product_active": flags["product_active"],
            "description": description,
            "labels": label_codes,
            "food": food,
        }, errors


# -- preview storage -------------------------------------------------------------------------


def imports_folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _preview_path(token: str) -> Path:
    if not token.isalnum() or len(token) > 64:
        raise ImportExpired()
    return imports_folder() / f"{token}.json"


def _save(preview: ImportPreview) -> None:
    path = _preview_path(preview.token)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(preview), ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def _purge_old_previews() -> None:
    limit = time.time() - PREVIEW_TTL_S
    for path in imports_folder().glob("*.json"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
        except OSError:
            continue


def load_preview(token: str, producer: Enterprise, user_id: int) -> ImportPreview:
    """The stored preview of this producer by this user. Raises ImportExpired."""
    path = _preview_path(token)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ImportExpired() from exc
    preview = ImportPreview(
        **{
            **raw,
            "errors": [RowError(**e) for e in raw["errors"]],
            "summary": ImportSummary(**raw["summary"]),
            "applied": ImportSummary(**raw["applied"]) if raw.get("applied") else None,
        }
    )
    if preview.producer_id != producer.id or preview.user_id != user_id:
        raise ImportExpired()
    if time.time() - preview.created_at > PREVIEW_TTL_S:
        raise ImportExpired()
    return preview


# -- step 1: check ---------------------------------------------------------------------------


def check_import(
    producer: Enterprise, user_id: int, data: bytes, filename: str = ""
) -> Generator[Progress, None, ImportPreview]:
    """Parse and validate a CSV file; store the preview; write nothing to the catalogue.

    Yields Progress every 1,000 rows; returns the ImportPreview (``errors`` names each bad cell by
    line and column). Raises ImportFileInvalid when the file as a whole cannot be read.
    """
    text, encoding = decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise ImportFileInvalid(_l("The file is empty.")) from exc
    positions, ignored = _map_header(header)
    total = max(0, text.count("\n") - 1 + (0 if text.endswith("\n") else 1))
    if total > MAX_ROWS:
        raise ImportFileInvalid(
            _l("The file has more than %(max)s rows: split it in several files.", max=MAX_ROWS)
        )
    preview = ImportPreview(
        token=secrets.token_hex(16),
        producer_id=producer.id,
        user_id=user_id,
        filename=filename[:200],
        encoding=encoding,
        delimiter={";": "semicolon", ",": "comma", "\t": "tab"}[delimiter],
        created_at=time.time(),
    )
    if ignored:
        preview.warnings.append(
            str(_l("Ignored columns: %(columns)s.", columns=", ".join(ignored)))
        )
    checker = _RowChecker(positions)
    seen_skus: dict[str, int] = {}
    products_seen: dict[str, dict[str, Any]] = {}
    done = 0
    yield Progress("check", 0, total)
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            preview.errors.append(
                RowError(reader.line_num, "", str(_l("Unreadable line: %(e)s", e=str(exc))))
            )
            break
        done += 1
        if done % CHUNK == 0:
            yield Progress("check", min(done, total), max(total, done))
        line = reader.line_num
        # our export wrote ``'=...`` for a text starting like a formula: read the text back
        record = csvexport.unescape_row(record)
        if not any(cell.strip() for cell in record):
            continue
        row, errors = checker.check(line, record)
        preview.errors.extend(errors)
        if row is None:
            continue
        key = row["sku"].casefold()
        if key in seen_skus:
            preview.errors.append(
                RowError(
                    line,
                    "sku",
                    str(
                        _l(
                            'The SKU "%(sku)s" is already on line %(line)s.',
                            sku=row["sku"],
                            line=seen_skus[key],
                        )
                    ),
                )
            )
            continue
        seen_skus[key] = line
        _check_product_consistency(row, products_seen, preview.errors)
        preview.rows.append(row)
    if not preview.rows and not preview.errors:
        raise ImportFileInvalid(_l("The file has a header but no rows."))
    if preview.errors:
        preview.rows = []  # nothing will be applied: do not keep the catalogue around
    else:
        preview.summary = _plan(producer.id, preview.rows).summary
    _purge_old_previews()
    _save(preview)
    yield Progress("check", max(total, done), max(total, done))
    return preview


def _check_product_consistency(
    row: dict[str, Any], seen: dict[str, dict[str, Any]], errors: list[RowError]
) -> None:
    """Rows of one product (same product_name) must agree on the product's own fields."""
    key = _fold(row["product_name"])
    first = seen.get(key)
    if first is None:
        seen[key] = row
        return
    for column, field_name in (
        ("category", "category"),
        ("vat_rate", "vat_rate_bp"),
        ("product_active", "product_active"),
    ):
        a, b = first[field_name], row[field_name]
        if a is not None and b is not None and a != b:
            errors.append(
                RowError(
                    row["line"],
                    column,
                    str(
                        _l(
                            "The product %(name)s has another %(column)s on line %(line)s.",
                            name=row["product_name"],
                            column=column,
                            line=first["line"],
                        )
                    ),
                )
            )


# -- step 2: apply ---------------------------------------------------------------------------


@dataclass
class _Plan:
    summary: ImportSummary
    #: product key -> existing product id (None: new)
    product_ids: dict[str, int | None]
    #: sku (casefold) -> (variant id, product id)
    variants: dict[str, tuple[int, int]]
    products: dict[int, dict[str, Any]]


def _plan(producer_id: int, rows: list[dict[str, Any]]) -> _Plan:
    """Match rows to the catalogue: a variant by SKU, its product by the SKU's product or by name.

    Two statements, whatever the number of rows.
    """
    variants = {
        sku.casefold(): (vid, pid)
        for vid, sku, pid in db.session.execute(
            select(Variant.id, Variant.sku, Variant.product_id).where(
                Variant.producer_id == producer_id
            )
        )
    }
    products = {
        r.id: dict(r._mapping)
        for r in db.session.execute(
            select(
                Product.id,
                Product.name,
                Product.description,
                Product.product_type,
                Product.vat_rate_bp,
                Product.active,
                *(getattr(Product, a) for a in foodinfo_csv.COLUMNS.values()),
            ).where(Product.producer_id == producer_id)
        )
    }
    by_name: dict[str, int] = {}
    for pid in sorted(products):
        by_name.setdefault(_fold(products[pid]["name"]), pid)
    product_ids: dict[str, int | None] = {}
    claimed: set[int] = set()
    summary = ImportSummary(rows=len(rows))
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(_fold(row["product_name"]), []).append(row)
    for key, group in groups.items():
        found: int | None = None
        for row in group:
            match = variants.get(row["sku"].casefold())
            if match is not None and match[1] not in claimed:
                found = match[1]
                break
        if found is None and by_name.get(key) not in claimed:
            found = by_name.get(key)
        product_ids[key] = found
        if found is None:
            summary.new_products += 1
        else:
            claimed.add(found)
            summary.updated_products += 1
        for row in group:
            if row["sku"].casefold() in variants:
                summary.updated_variants += 1
            else:
                summary.new_variants += 1
    return _Plan(summary, product_ids, variants, products)


def _first(group: list[dict[str, Any]], name: str) -> Any:
    for row in group:
        if row[name] is not None:
            return row[name]
    return None


def apply_import(
    producer: Enterprise, user_id: int, token: str
) -> Generator[Progress, None, ImportSummary]:
    """Write a checked preview in one transaction (all rows or none); update variants by SKU.

    Locks the producer row so two imports of one catalogue run one after the other. Yields
    Progress; returns the ImportSummary. Raises ImportExpired (unknown, expired or already
    applied), ImportHasErrors (the preview has errors), ImportConflict (the catalogue changed in
    a way the constraints refuse, e.g. a SKU created meanwhile in another product).
    """
    preview = load_preview(token, producer, user_id)
    if preview.applied is not None:
        raise ImportExpired()
    if preview.errors or not preview.rows:
        raise ImportHasErrors()
    rows = preview.rows
    total = len(rows)
    yield Progress("apply", 0, total)
    db.session.execute(select(Enterprise.id).where(Enterprise.id == producer.id).with_for_update())
    plan = _plan(producer.id, rows)
    now = utcnow()
    products_t, variants_t = table_of(Product), table_of(Variant)

    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(_fold(row["product_name"]), []).append(row)

    try:
        # products: insert the new ones (ids back in parameter order), update the others
        new_keys = [k for k in groups if plan.product_ids[k] is None]
        new_rows = []
        for key in new_keys:
            group = groups[key]
            active = _first(group, "product_active")
            new_rows.append(
                {
                    "producer_id": producer.id,
                    "name": group[0]["product_name"],
                    "description": _first(group, "description") or "",
                    "product_type": _first(group, "category") or "",
                    "vat_rate_bp": _first(group, "vat_rate_bp") or 550,
                    "active": True if active is None else active,
                    "image_path": "",
                    "created_at": now,
                    "updated_at": now,
                    **foodinfo_csv.values(foodinfo_csv.merged(group)),
                }
            )
        product_id_of: dict[str, int] = {
            k: pid for k, pid in plan.product_ids.items() if pid is not None
        }
        for start in range(0, len(new_rows), CHUNK):
            ids = db.session.scalars(
                insert(products_t).returning(products_t.c.id, sort_by_parameter_order=True),
                new_rows[start : start + CHUNK],
            ).all()
            for key, pid in zip(new_keys[start : start + CHUNK], ids, strict=True):
                product_id_of[key] = pid
        updates = []
        for key, group in groups.items():
            pid = plan.product_ids[key]
            if pid is None:
                continue
            old = plan.products[pid]
            description = _first(group, "description")
            category = _first(group, "category")
            vat = _first(group, "vat_rate_bp")
            active = _first(group, "product_active")
            updates.append(
                {
                    "b_id": pid,
                    "name": group[0]["product_name"],
                    "description": old["description"] if description is None else description,
                    "product_type": old["product_type"] if category is None else category,
                    "vat_rate_bp": old["vat_rate_bp"] if vat is None else vat,
                    "active": old["active"] if active is None else active,
                    "updated_at": now,
                    **foodinfo_csv.values(foodinfo_csv.merged(group), old),
                }
            )
        stmt = update(products_t).where(products_t.c.id == bindparam("b_id"))
        for start in range(0, len(updates), CHUNK):
            db.session.execute(stmt, updates[start : start + CHUNK])

        # labels: replaced for the products whose rows have a labels column
        labels: dict[int, list[str]] = {}
        for key, group in groups.items():
            codes = [c for row in group if row["labels"] is not None for c in row["labels"]]
            if any(row["labels"] is not None for row in group):
                labels[product_id_of[key]] = list(dict.fromkeys(codes))
        if labels:
            ids = list(labels)
            for start in range(0, len(ids), CHUNK):
                chunk_ids = ids[start : start + CHUNK]
                db.session.execute(
                    table_of(ProductLabel)
                    .delete()
                    .where(table_of(ProductLabel).c.product_id.in_(chunk_ids))
                )
            label_rows = [{"product_id": pid, "code": c} for pid, cs in labels.items() for c in cs]
            for start in range(0, len(label_rows), CHUNK):
                db.session.execute(
                    insert(table_of(ProductLabel)), label_rows[start : start + CHUNK]
                )

        # variants: updates by SKU, inserts for the new SKUs
        variant_updates, variant_inserts = [], []
        for row in rows:
            values = {
                "product_id": product_id_of[_fold(row["product_name"])],
                "name": row["variant_name"],
                "sku": row["sku"],
                "unit": Unit(row["unit"]),
                "unit_value": Decimal(row["unit_value"]),
                "price_cents": row["price_cents"],
                "sold_by_weight": row["sold_by_weight"],
                "on_demand": row["on_demand"],
                "stock": row["stock"],
                "active": row["active"],
                "updated_at": now,
            }
            match = plan.variants.get(row["sku"].casefold())
            if match is None:
                variant_inserts.append({**values, "producer_id": producer.id, "created_at": now})
            else:
                variant_updates.append({**values, "b_id": match[0]})
        done = 0
        stmt = update(variants_t).where(variants_t.c.id == bindparam("b_id"))
        for start in range(0, len(variant_updates), CHUNK):
            batch = variant_updates[start : start + CHUNK]
            db.session.execute(stmt, batch)
            done += len(batch)
            yield Progress("apply", done, total)
        for start in range(0, len(variant_inserts), CHUNK):
            batch = variant_inserts[start : start + CHUNK]
            db.session.execute(insert(variants_t), batch)
            done += len(batch)
            yield Progress("apply", done, total)
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise ImportConflict() from exc
    db.session.commit()
    preview.applied = plan.summary
    preview.rows = []
    _save(preview)
    yield Progress("apply", total, total)
    return plan.summary


# -- export ----------------------------------------------------------------------------------


def _yes_no(value: bool, lang: str) -> str:
    if lang == "fr":
        return "oui" if value else "non"
    return "yes" if value else "no"


def _category_cell(code: str, lang: str) -> str:
    if not code:
        return ""
    label = categories.category_label(code, lang)
    return label if categories.resolve_category(label) == code else code


def _label_cell(code: str, lang: str) -> str:
    label = categories.label_name(code, lang)
    return label if categories.resolve_label(label) == code else code


def export_rows(
    producer_id: int, lang: str = "fr", decimal_comma: bool = True
) -> Iterator[list[str]]:
    """The catalogue as CSV cells, header first, one row per variant (two statements)."""

    def number(value: Decimal, keep_cents: bool = False) -> str:
        text = format(value.quantize(Decimal("0.01")) if keep_cents else value.normalize(), "f")
        return csvexport.Number(text.replace(".", ",") if decimal_comma else text)

    yield list(COLUMNS)
    labels: dict[int, list[str]] = {}
    for pid, code in db.session.execute(
        select(ProductLabel.product_id, ProductLabel.code)
        .join(Product, Product.id == ProductLabel.product_id)
        .where(Product.producer_id == producer_id)
        .order_by(ProductLabel.product_id, ProductLabel.code)
    ):
        labels.setdefault(pid, []).append(code)
    result = db.session.execute(
        select(Variant, Product)
        .join(Product, Variant.product_id == Product.id)
        .where(Variant.producer_id == producer_id)
        .order_by(func.lower(Product.name), Product.id, Variant.id)
    )
    on_demand = "sur demande" if lang == "fr" else "on demand"
    for variant, product in result:
        yield [
            variant.sku,
            product.name,
            variant.name,
            _category_cell(product.product_type, lang),
            variant.unit.value,
            number(variant.unit_value),
            number(Decimal(variant.price_cents) / 100, keep_cents=True),
            number(Decimal(product.vat_rate_bp) / 100),
            on_demand if variant.on_demand else csvexport.Number(variant.stock),
            _yes_no(variant.sold_by_weight, lang),
            _yes_no(variant.active, lang),
            _yes_no(product.active, lang),
            product.description,
            " | ".join(_label_cell(c, lang) for c in labels.get(product.id, [])),
            *foodinfo_csv.export_cells(product, lang, number),
        ]


def export_csv(producer_id: int, lang: str = "fr", delimiter: str = ";") -> Iterator[str]:
    """The export as text chunks; UTF-8 with a BOM so spreadsheets pick the right encoding."""
    buffer = io.StringIO()
    writer = csvexport.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    yield "\ufeff"
    rows = export_rows(producer_id, lang, decimal_comma=delimiter == ";")
    for count, row in enumerate(rows, start=1):
        writer.writerow(row)
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
