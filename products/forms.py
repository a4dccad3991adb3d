"""Forms of the catalogue pages (Flask-WTF, CSRF-protected)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import wtforms
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from core.forms import SubForm, choices
from core.money import parse_euros
from products import foodinfo
from products.models import VAT_RATES_BP, Unit
from products.services import ProductInput, VariantInput
from products.units import parse_decimal

VAT_CHOICES = choices(
    (str(bp), f"{Decimal(bp) / 100:g} %".replace(".", ",")) for bp in VAT_RATES_BP
)
UNIT_CHOICES = choices(
    [
        (Unit.g.value, _l("g (grams)")),
        (Unit.kg.value, _l("kg (kilograms)")),
        (Unit.ml.value, _l("ml (millilitres)")),
        (Unit.cl.value, _l("cl (centilitres)")),
        (Unit.l.value, _l("L (litres)")),
        (Unit.piece.value, _l("pieces")),
        (Unit.dozen.value, _l("dozens")),
    ]
)


class EurosField(StringField):
    """A price typed in euros; its validator ``_euros`` leaves the amount in ``cents``."""

    cents: int = 0


class QuantityField(StringField):
    """A quantity typed with a comma or a dot; ``_quantity`` leaves it in ``decimal``."""

    decimal: Decimal = Decimal(0)


class StockField(StringField):
    """Units on hand; ``_stock`` leaves them in ``number`` (None when sold on demand)."""

    number: int | None = None


def _euros(form: Form, field: EurosField) -> None:
    try:
        field.cents = parse_euros(field.data or "")
    except (ValueError, ArithmeticError) as exc:
        raise ValidationError(_l("Enter a price in euros, e.g. 4,50.")) from exc
    if field.cents < 0:
        raise ValidationError(_l("The price must be zero or more."))


def _quantity(form: Form, field: QuantityField) -> None:
    try:
        field.decimal = parse_decimal(field.data or "")
    except (ValueError, ArithmeticError) as exc:
        raise ValidationError(_l("Enter a quantity, e.g. 500 or 0,75.")) from exc
    if field.decimal <= 0:
        raise ValidationError(_l("The quantity must be a number above zero."))


def _stock(form: Form, field: StockField) -> None:
    field.number = None
    if form["on_demand"].data:
        return
    text = (field.data or "").strip().replace(" ", "").replace("\u00a0", "")
    if not text.lstrip("-").isdigit():
        raise ValidationError(_l("Enter a whole number of units, or tick \u201con demand\u201d."))
    field.number = int(text)
    if field.number < 0:
        raise ValidationError(_l("The stock cannot be negative."))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AlcoholField(StringField):
    """An alcohol strength typed "12,5" or "12.5 %"; ``_alcohol`` leaves it in ``decimal``."""

    decimal: Decimal | None = None


class DaysField(StringField):
    """A number of days; ``_days`` leaves it in ``number`` (None when empty)."""

    number: int | None = None


def _alcohol(form: Form, field: AlcoholField) -> None:
    try:
        field.decimal = foodinfo.parse_alcohol(field.data or "")
    except ValueError as exc:
        field.decimal = None
        raise ValidationError(_l("Enter a percentage, e.g. 12,5.")) from exc


def _days(form: Form, field: DaysField) -> None:
    text = (field.data or "").strip()
    field.number = None
    if not text:
        return
    if not text.isdigit():
        raise ValidationError(_l("Enter a whole number of days, e.g. 7."))
    field.number = int(text)


class FoodFields:
    """The food information of a product (products.foodinfo), in the product forms."""

    ingredients = TextAreaField(
        _l("Ingredients"), validators=[Optional(), Length(max=foodinfo.MAX_INGREDIENTS)]
    )
    allergens = MultiCheckboxField(_l("Allergens it contains"), choices=[])
    origin = StringField(
        _l("Where it comes from"), validators=[Optional(), Length(max=foodinfo.MAX_ORIGIN)]
    )
    origin_code = SelectField(_l("Region or country"), choices=[], validate_choice=False)
    storage = StringField(
        _l("How to store it"), validators=[Optional(), Length(max=foodinfo.MAX_STORAGE)]
    )
    date_kind = SelectField(_l("Date on the pack"), choices=[], validate_choice=False)
    shelf_life_days = DaysField(_l("Keeps for (days)"), validators=[_days])
    alcohol_percent = AlcoholField(_l("Alcohol (% vol.)"), validators=[_alcohol])

    def set_food_choices(self, origins: list[tuple[str, str]]) -> None:
        fields: Any = self
        fields.allergens.choices = choices(foodinfo.allergen_choices())
        fields.origin_code.choices = choices([("", _l("— not given —")), *origins])
        fields.date_kind.choices = choices(foodinfo.date_kind_choices())

    def food_input(self) -> foodinfo.FoodInfo:
        fields: Any = self
        return foodinfo.FoodInfo(
            ingredients=fields.ingredients.data or "",
            allergens=list(fields.allergens.data or []),
            origin=fields.origin.data or "",
            origin_code=fields.origin_code.data or "",
            storage=fields.storage.data or "",
            date_kind=fields.date_kind.data or "",
            shelf_life_days=getattr(fields.shelf_life_days, "number", None),
            alcohol_percent=getattr(fields.alcohol_percent, "decimal", None),
        )

    def fill_food(self, product: Any) -> None:
        fields: Any = self
        fields.ingredients.data = product.ingredients
        fields.allergens.data = product.allergen_codes
        fields.origin.data = product.origin
        fields.origin_code.data = product.origin_code
        fields.storage.data = product.storage
        fields.date_kind.data = product.date_kind
        fields.shelf_life_days.data = (
            str(product.shelf_life_days) if product.shelf_life_days else ""
        )
        alcohol = product.alcohol_percent
        fields.alcohol_percent.data = (
            "" if alcohol is None else format(Decimal(alcohol).normalize(), "f").replace(".", ",")
        )


class VariantFields(Form):
    """One variant; used alone (variant form) and repeated in the new product form."""

    name = StringField(_l("Variant name"), validators=[Optional(), Length(max=120)])
    sku = StringField(_l("SKU (your reference)"), validators=[DataRequired(), Length(max=64)])
    unit = SelectField(_l("Unit"), choices=UNIT_CHOICES, default=Unit.kg.value)
    unit_value = QuantityField(_l("Quantity"), validators=[DataRequired(), _quantity], default="1")
    price = EurosField(_l("Price incl. VAT (EUR)"), validators=[DataRequired(), _euros])
    sold_by_weight = BooleanField(_l("Sold by weight (price per kg, weighed at packing)"))
    on_demand = BooleanField(_l("On demand (unlimited stock)"))
    stock = StockField(_l("Stock on hand"), validators=[_stock], default="0")
    active = BooleanField(_l("On sale"), default=True)

    def to_input(self) -> VariantInput:
        return VariantInput(
            sku=self.sku.data or "",
            unit=self.unit.data,
            unit_value=getattr(self.unit_value, "decimal", Decimal(0)),
            price_cents=getattr(self.price, "cents", 0),
            name=self.name.data or "",
            on_demand=bool(self.on_demand.data),
            stock=getattr(self.stock, "number", None) or 0,
            sold_by_weight=bool(self.sold_by_weight.data),
            active=bool(self.active.data),
        )

    def fill(self, variant) -> None:  # noqa: ANN001 - a Variant
        self.name.data = variant.name
        self.sku.data = variant.sku
        self.unit.data = Unit(variant.unit).value
        quantity = Decimal(variant.unit_value).normalize()
        self.unit_value.data = format(quantity, "f").replace(".", ",")
        self.price.data = f"{Decimal(variant.price_cents) / 100:.2f}".replace(".", ",")
        self.sold_by_weight.data = variant.sold_by_weight
        self.on_demand.data = variant.on_demand
        self.stock.data = str(variant.stock)
        self.active.data = variant.active


class ProductFields(FoodFields):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=150)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    product_type = SelectField(
        _l("Category"), validators=[DataRequired(_l("Choose a category."))], choices=[]
    )
    vat_rate_bp = SelectField(_l("VAT rate"), choices=VAT_CHOICES, default="550")
    labels = MultiCheckboxField(_l("Labels and certifications"), choices=[])
    active = BooleanField(_l("Active (can be offered to hubs)"), default=True)

    def set_choices(
        self,
        categories: list[tuple[str, list[tuple[str, str]]]],
        labels: list[tuple[str, str]],
        origins: list[tuple[str, str]] | None = None,
    ) -> None:
        """``categories``: (group name, [(code, label)...]) pairs, shown as option groups."""
        option = wtforms.SelectChoice  # type: ignore[attr-defined]  # new in wtforms 3.3
        grouped = [option("", _l("— choose —"))]
        for group, items in categories:
            grouped.extend(option(code, label, optgroup=group) for code, label in items)
        self.product_type.choices = grouped
        self.labels.choices = choices(labels)
        self.set_food_choices(origins or [])

    def to_input(self) -> ProductInput:
        return ProductInput(
            name=self.name.data or "",
            product_type=self.product_type.data or "",
            description=self.description.data or "",
            vat_rate_bp=int(self.vat_rate_bp.data or 550),
            active=bool(self.active.data),
            labels=list(self.labels.data or []),
            food=self.food_input(),
        )

    def fill(self, product) -> None:  # noqa: ANN001 - a Product
        self.name.data = product.name
        self.description.data = product.description
        self.product_type.data = product.product_type
        self.vat_rate_bp.data = str(product.vat_rate_bp)
        self.labels.data = [label.code for label in product.labels]
        self.active.data = product.active
        self.fill_food(product)


class VariantEntry(VariantFields, SubForm):
    """One variant of the new product form."""


class NewProductForm(ProductFields, FlaskForm):
    image = FileField(_l("Photo (JPEG, PNG or WebP)"))
    variants = FieldList(FormField(VariantEntry), min_entries=1, max_entries=20)
    add_variant = SubmitField(_l("Add another variant"))
    submit = SubmitField(_l("Create the product"))


class ProductForm(ProductFields, FlaskForm):
    submit = SubmitField(_l("Save"))


class VariantForm(VariantFields, FlaskForm):
    stock_seen = HiddenField()
    submit = SubmitField(_l("Save"))


class QuickEditForm(FlaskForm):
    price = EurosField(_l("Price"), validators=[DataRequired(), _euros])
    on_demand = BooleanField(_l("On demand"))
    stock = StockField(_l("Stock"), validators=[_stock])
    stock_seen = HiddenField()


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[DataRequired(_l("Choose a CSV file."))])
    submit = SubmitField(_l("Check the file"))


class PhotoUploadForm(FlaskForm):
    """Add a photo on the product's page (the photo manager)."""

    photo = FileField(
        _l("Photo (JPEG, PNG or WebP)"), validators=[DataRequired(_l("Choose a photo."))]
    )
    alt = StringField(
        _l("What the photo shows (for people who cannot see it)"),
        validators=[Optional(), Length(max=200)],
    )
    submit = SubmitField(_l("Add the photo"))


class PhotoEditForm(FlaskForm):
    """The photo manager: alt texts (``alt-<id>``) and one button (move up/down, remove)."""


class ConfirmForm(FlaskForm):
    submit = SubmitField(_l("Import"))
