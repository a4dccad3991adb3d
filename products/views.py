"""Catalogue pages: the producer's list, product and variant forms, CSV import/export, images."""

from __future__ import annotations

import json
from collections.abc import Generator, Iterator
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    get_template_attribute,
    redirect,
    render_template,
    request,
    send_from_directory,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core.db import db
from core.errors import DomainError
from core.hardening import id_from
from core.security import require
from core.views import domain_errors, load, redirect_on_error
from enterprises.models import Enterprise
from products import categories, csv_io, foodinfo, photos, services
from products.errors import ImportFileInvalid
from products.forms import (
    ConfirmForm,
    ImportForm,
    NewProductForm,
    PhotoEditForm,
    PhotoUploadForm,
    ProductForm,
    QuickEditForm,
    VariantForm,
)
from products.models import Product, Unit, Variant
from products.permissions import (
    can_edit_product,
    can_manage_products,
    can_view_product,
    managed_producer_ids,
)
from products.pricing import price_info
from products.units import format_quantity

bp = Blueprint("products", __name__)


# -- template helpers shared with the other domains -------------------------------------------


@bp.app_template_filter("quantity")
def quantity_filter(variant: Any) -> str:
    """``{{ variant|quantity }}`` -> "500 g", "75 cl", "6 pièces"."""
    return format_quantity(variant.unit, variant.unit_value)


@bp.app_template_filter("unit_price")
def unit_price_filter(variant: Any, price_cents: int | None = None) -> str:
    """``{{ variant|unit_price }}`` -> "9,00 €/kg" (the EU unit price)."""
    from core.i18n import cents

    info = price_info(variant, price_cents)
    return f"{cents(info.unit_price_cents)}/{info.base_unit_label}"


@bp.record_once
def _register_globals(state: Any) -> None:
    """Globals, not a context processor: macros imported by other templates see them too."""
    state.app.jinja_env.globals.update(
        price_info=price_info,
        category_label=categories.category_label,
        label_name=categories.label_name,
        label_badge=categories.label_badge,
        origin_name=categories.origin_name,
        allergen_label=foodinfo.allergen_label,
        highlight_allergens=foodinfo.highlight,
        has_food_info=foodinfo.has_any,
        date_kind_label=foodinfo.date_kind_label,
        photo_picture=photos.picture,
        photo_placeholder=photos.placeholder_url,
        PLACEHOLDER_SIZE=photos.PLACEHOLDER_SIZE,
    )


# -- helpers -----------------------------------------------------------------------------------


def _producer_or_404(producer_id: int) -> Enterprise:
    return load(
        Enterprise,
        producer_id,
        where=lambda producer: producer.is_producer,
        allow=lambda producer: can_manage_products(current_user, producer),
    )


def _product_for_edit(product_id: int) -> Product:
    return load(Product, product_id, allow=lambda product: can_edit_product(current_user, product))


def _variant_for_edit(variant_id: int) -> Variant:
    return load(
        Variant, variant_id, allow=lambda variant: can_edit_product(current_user, variant.product)
    )


def _form_choices(form: Any, product: Product | None = None) -> None:
    keep = [label.code for label in product.labels] if product is not None else []
    form.set_choices(
        categories.grouped_categories(),
        categories.form_labels(keep=keep),
        categories.list_origins(),
    )


#: the services' field names the forms call otherwise
FORM_FIELDS = {"price_cents": "price"}


def _list_args() -> dict[str, Any]:
    return {
        k: v
        for k, v in request.args.items()
        if k in ("q", "category", "status", "low", "page") and v
    }


# -- the producer's catalogue ------------------------------------------------------------------


@bp.get("/catalogue")
@login_required
def mine():
    """The catalogue entry point: straight to the list when the user manages one producer."""
    ids = sorted(managed_producer_ids(current_user))
    if len(ids) == 1:
        return redirect(url_for("products.index", producer_id=ids[0]))
    producers = (
        db.session.scalars(
            db.select(Enterprise).where(Enterprise.id.in_(ids)).order_by(Enterprise.name)
        ).all()
        if ids
        else []
    )
    return render_template("products/mine.html", producers=producers)


@bp.get("/producers/<int:producer_id>/products")
@login_required
def index(producer_id: int):
    producer = _producer_or_404(producer_id)
    status = request.args.get("status", "")
    filters = services.VariantFilters(
        q=request.args.get("q", "")[:100],
        category=request.args.get("category", ""),
        status=status if status in ("active", "inactive") else "",
        low_stock=request.args.get("low") == "1",
    )
    page = services.list_variants(producer.id, filters, request.args.get("page", 1, type=int))
    labels = {code: categories.category_label(code) for code, _n in page.categories}
    return render_template(
        "products/index.html",
        producer=producer,
        page=page,
        filters=filters,
        category_labels=labels,
        list_args=_list_args(),
    )


@bp.route("/producers/<int:producer_id>/products/new", methods=["GET", "POST"])
@login_required
def new(producer_id: int):
    producer = _producer_or_404(producer_id)
    form = NewProductForm()
    _form_choices(form)
    if form.add_variant.data and request.method == "POST":
        form.variants.append_entry()
        return render_template("products/new.html", producer=producer, form=form)
    submitted = form.validate_on_submit()
    if submitted and not _variants_valid(form):
        return render_template("products/new.html", producer=producer, form=form), 422
    if submitted:
        upload = form.image.data.stream if form.image.data else None
        with domain_errors(form, {**FORM_FIELDS, "photo": "image"}) as attempt:
            product = photos.create_product_with_photo(
                producer,
                form.to_input(),
                [entry.form.to_input() for entry in form.variants],
                upload,
            )
        if not attempt.ok:
            return render_template("products/new.html", producer=producer, form=form), 422
        flash(_("Product created: %(name)s.", name=product.name), "success")
        return redirect(url_for("products.index", producer_id=producer.id))
    status = 422 if form.errors else 200
    return render_template("products/new.html", producer=producer, form=form), status


def _variants_valid(form: NewProductForm) -> bool:
    """The service's variant rules, shown on the right variant of the form."""
    valid = True
    for entry in form.variants:
        for name, message in services.variant_errors(entry.form.to_input()).items():
            fld = getattr(entry.form, {"price_cents": "price"}.get(name, name), None)
            if fld is not None:
                fld.errors = [*list(fld.errors or []), message]
                valid = False
    return valid


@bp.route("/products/<int:product_id>/edit", methods=["GET", "POST"])
@login_required
def edit(product_id: int):
    product = _product_for_edit(product_id)
    form = ProductForm()
    _form_choices(form, product)
    if request.method == "GET":
        form.fill(product)
    elif form.validate_on_submit():
        with domain_errors(form, FORM_FIELDS) as attempt:
            services.update_product(product, form.to_input())
        if not attempt.ok:
            return _edit_page(product, form, status=422)
        flash(_("Product saved."), "success")
        return redirect(url_for("products.edit", product_id=product.id))
    return _edit_page(product, form, status=422 if form.errors else 200)


def _edit_page(
    product: Product,
    form: ProductForm | None = None,
    *,
    photo_form: PhotoUploadForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    if form is None:
        form = ProductForm(formdata=None)
        _form_choices(form)
        form.fill(product)
    page = render_template(
        "products/edit.html",
        product=product,
        form=form,
        photo_form=photo_form or PhotoUploadForm(formdata=None),
        photos_form=PhotoEditForm(formdata=None),
        max_photos=photos.MAX_PHOTOS,
    )
    return page, status


@bp.post("/products/<int:product_id>/photos")
@login_required
def add_photo(product_id: int):
    """The photo manager's upload: a bad file re-renders the page with the error on the field."""
    product = _product_for_edit(product_id)
    photo_form = PhotoUploadForm()
    if not photo_form.validate_on_submit():
        return _edit_page(product, photo_form=photo_form, status=422)
    with domain_errors(photo_form) as attempt:
        photos.add_photo(product, photo_form.photo.data.stream, photo_form.alt.data or "")
    if not attempt.ok:
        return _edit_page(product, photo_form=photo_form, status=422)
    flash(_("Photo added."), "success")
    return redirect(url_for("products.edit", product_id=product.id, _anchor="photos"))


@bp.post("/products/<int:product_id>/photos/edit")
@login_required
def edit_photos(product_id: int):
    """Alt texts, and the button pressed: move a photo up or down, or remove it."""
    product = _product_for_edit(product_id)
    if not PhotoEditForm().validate_on_submit():
        abort(400)
    form = request.form
    alts = {
        photo_id: value
        for key, value in form.items()
        if key.startswith("alt-") and (photo_id := id_from(key[4:])) is not None
    }
    changes = photos.PhotoChanges(
        alts=alts,
        move_up=id_from(form.get("move_up", "")),
        move_down=id_from(form.get("move_down", "")),
        remove=id_from(form.get("remove", "")),
    )
    photos.edit_photos(product, changes)
    flash(_("Photo removed.") if changes.remove else _("Photos saved."), "success")
    return redirect(url_for("products.edit", product_id=product.id, _anchor="photos"))


@bp.route("/products/<int:product_id>/variants/new", methods=["GET", "POST"])
@login_required
def new_variant(product_id: int):
    product = _product_for_edit(product_id)
    form = VariantForm()
    if form.validate_on_submit():
        with domain_errors(form, FORM_FIELDS) as attempt:
            services.add_variant(product, form.to_input())
        if not attempt.ok:
            return render_template("products/variant.html", product=product, form=form), 422
        flash(_("Variant added."), "success")
        return redirect(url_for("products.edit", product_id=product.id))
    status = 422 if form.errors else 200
    return render_template("products/variant.html", product=product, form=form), status


@bp.route("/variants/<int:variant_id>/edit", methods=["GET", "POST"])
@login_required
def edit_variant(variant_id: int):
    variant = _variant_for_edit(variant_id)
    product = variant.product
    form = VariantForm()
    if request.method == "GET":
        form.fill(variant)
        form.stock_seen.data = str(variant.stock)
    elif form.validate_on_submit():
        seen = form.stock_seen.data or ""
        with domain_errors(form, FORM_FIELDS) as attempt:
            services.update_variant(
                variant, form.to_input(), stock_seen=int(seen) if seen.isdigit() else None
            )
        if (exc := attempt.error) is not None:
            if isinstance(exc, services.StockChanged):
                form.stock_seen.data = str(exc.current_stock)
            status = 409 if exc.code == "stock_changed" else 422
            return render_template(
                "products/variant.html", product=product, form=form, variant=variant
            ), status
        flash(_("Variant saved."), "success")
        return redirect(url_for("products.edit", product_id=product.id))
    status = 422 if form.errors else 200
    return render_template(
        "products/variant.html", product=product, form=form, variant=variant
    ), status


@bp.post("/variants/<int:variant_id>/quick")
@login_required
def quick_edit(variant_id: int):
    """Price and stock from the list. JSON for the page's script, redirect without script."""
    variant = _variant_for_edit(variant_id)
    form = QuickEditForm()
    wants_json = request.accept_mimetypes.best == "application/json"
    back = url_for("products.index", producer_id=variant.producer_id, **_list_args())
    if not form.validate_on_submit():
        message = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        if wants_json:
            return {"ok": False, "message": message, "fields": form.errors}, 422
        flash(message, "error")
        return redirect(back)
    seen = form.stock_seen.data or ""
    try:
        variant = services.quick_update_variant(
            variant,
            price_cents=form.price.cents,
            stock=None if form.on_demand.data else form.stock.number,
            stock_seen=int(seen) if seen.isdigit() else None,
        )
    except DomainError as exc:
        db.session.rollback()
        if wants_json:
            body = {"ok": False, "code": exc.code, "message": str(exc.message)}
            if isinstance(exc, services.StockChanged):
                body["stock"] = exc.current_stock
            return {**body, "fields": exc.fields}, exc.status
        flash(str(exc.message), "error")
        return redirect(back)
    if wants_json:
        macro = get_template_attribute("products/_price.html", "price")
        return {
            "ok": True,
            "message": _("Saved."),
            "stock": variant.stock,
            "on_demand": variant.on_demand,
            "price_html": str(macro(variant)),
        }
    flash(_("Saved: %(sku)s.", sku=variant.sku), "success")
    return redirect(back)


# -- CSV export and import ---------------------------------------------------------------------


@bp.get("/producers/<int:producer_id>/products/export.csv")
@login_required
def export(producer_id: int):
    producer = _producer_or_404(producer_id)
    delimiter = "," if request.args.get("sep") == "comma" else ";"
    lang = categories.current_lang()
    body = stream_with_context(csv_io.export_csv(producer.id, lang, delimiter))
    filename = f"catalogue-{producer.slug}.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _wants_stream() -> bool:
    return request.headers.get("X-Progress") == "ndjson"


def _ndjson(steps: Generator[csv_io.Progress, None, Any], done: Any) -> Response:
    """Stream a step's progress as JSON lines, then ``done(result)`` or the error, last."""

    def body() -> Iterator[str]:
        result: Any = None
        try:
            while True:
                try:
                    progress = next(steps)
                except StopIteration as stop:
                    result = stop.value
                    break
                line = {"phase": progress.phase, "done": progress.done, "total": progress.total}
                yield json.dumps(line) + "\n"
        except DomainError as exc:
            db.session.rollback()
            yield json.dumps({"error": str(exc.message), "code": exc.code}) + "\n"
            return
        yield json.dumps(done(result)) + "\n"

    return Response(stream_with_context(body()), mimetype="application/x-ndjson")


@bp.route("/producers/<int:producer_id>/products/import", methods=["GET", "POST"])
@login_required
def import_csv(producer_id: int):
    producer = _producer_or_404(producer_id)
    form = ImportForm()
    if form.validate_on_submit():
        data = form.file.data.read()
        filename = form.file.data.filename or ""
        steps = csv_io.check_import(producer, current_user.id, data, filename)

        def done(preview: csv_io.ImportPreview) -> dict[str, Any]:
            target = url_for(
                "products.import_preview", producer_id=producer.id, token=preview.token
            )
            return {"redirect": target}

        if _wants_stream():
            return _ndjson(steps, done)
        try:
            preview = csv_io.run_to_end(steps)
        except ImportFileInvalid as exc:
            form.file.errors = [str(exc.message)]
            return render_template("products/import.html", producer=producer, form=form), 422
        return redirect(done(preview)["redirect"])
    status = 422 if form.errors else 200
    return render_template("products/import.html", producer=producer, form=form), status


@bp.get("/producers/<int:producer_id>/products/import/<token>")
@login_required
def import_preview(producer_id: int, token: str):
    producer = _producer_or_404(producer_id)
    preview = csv_io.load_preview(token, producer, current_user.id)
    return render_template(
        "products/import_preview.html",
        producer=producer,
        preview=preview,
        form=ConfirmForm(),
        sample=[_row_as_variant(row) for row in preview.rows[:20]],
    )


def _row_as_variant(row: dict[str, Any]) -> SimpleNamespace:
    """A previewed row with the attributes the price macro reads (unit price shown there too)."""
    typed = {"unit": Unit(row["unit"]), "unit_value": Decimal(row["unit_value"])}
    return SimpleNamespace(**{**row, **typed})


@bp.post("/producers/<int:producer_id>/products/import/<token>/apply")
@login_required
@redirect_on_error("products.import_preview")
def import_apply(producer_id: int, token: str):
    producer = _producer_or_404(producer_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    steps = csv_io.apply_import(producer, current_user.id, token)
    target = url_for("products.import_preview", producer_id=producer.id, token=token)
    if _wants_stream():
        return _ndjson(steps, lambda summary: {"redirect": target})
    csv_io.run_to_end(steps)
    return redirect(target)


# -- public pages and files --------------------------------------------------------------------


@bp.get("/products/<int:product_id>")
def detail(product_id: int):
    product = services.get_product_with_variants(product_id)
    if product is None:
        abort(404)
    require(can_view_product(current_user, product), hide=True)
    shop = id_from(request.args.get("shop", ""))
    return render_template(
        "products/detail.html",
        product=product,
        variants=[v for v in product.variants if v.active],
        can_edit=can_edit_product(current_user, product),
        shop_cycle_id=shop,
    )


#: a photo file's name never changes content (``products.imaging``): cached for a year
PHOTO_CACHE = "public, max-age=31536000, immutable"


@bp.get("/media/photos/<path:name>")
def photo_file(name: str):
    response = send_from_directory(photos.photo_folder(), name, max_age=31536000)
    response.headers["Cache-Control"] = PHOTO_CACHE
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
