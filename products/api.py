"""Catalogue API: products and variants of the caller's enterprises (personal API tokens).

Same rules as the pages: only a producer's managers list, create or change its products; anybody
may read a product that is active where a hub sells it (``products.permissions``).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from accounts.api_auth import api_user, token_required
from core.db import db
from core.views import load
from enterprises.models import Enterprise
from products import categories, foodinfo, photos, services
from products.models import Product, Variant
from products.permissions import (
    can_edit_product,
    can_manage_products,
    can_view_product,
    managed_producer_ids,
)
from products.pricing import price_info
from products.schemas import (
    ListArgs,
    ProductIn,
    ProductOut,
    ProductPageOut,
    ProductPatch,
    VariantIn,
    VariantOut,
    VariantPatch,
)

blp = Blueprint(
    "products_api", __name__, url_prefix="/api/v1", description="Catalogue: products and variants"
)


def variant_out(variant: Variant) -> dict[str, Any]:
    info = price_info(variant)
    return {
        "id": variant.id,
        "product_id": variant.product_id,
        "producer_id": variant.producer_id,
        "sku": variant.sku,
        "name": variant.name,
        "unit": variant.unit.value,
        "unit_value": variant.unit_value,
        "price_cents": variant.price_cents,
        "unit_price_cents": info.unit_price_cents,
        "unit_price_per": info.base_unit,
        "sold_by_weight": variant.sold_by_weight,
        "on_demand": variant.on_demand,
        "stock": variant.stock,
        "active": variant.active,
        "updated_at": variant.updated_at,
    }


def product_out(product: Product, *, manager: bool) -> dict[str, Any]:
    variants = product.variants if manager else [v for v in product.variants if v.active]
    return {
        "id": product.id,
        "producer_id": product.producer_id,
        "name": product.name,
        "description": product.description,
        "category": product.product_type,
        "category_label": categories.category_label(product.product_type),
        "vat_rate_bp": product.vat_rate_bp,
        "active": product.active,
        "labels": sorted(label.code for label in product.labels),
        "food": asdict(foodinfo.of(product)),
        "image_url": photos.main_photo_url(product) or "",
        "variants": [variant_out(v) for v in variants],
        "updated_at": product.updated_at,
    }


def _variant_input(data: dict[str, Any]) -> services.VariantInput:
    return services.VariantInput(
        sku=data["sku"],
        unit=data["unit"],
        unit_value=data["unit_value"],
        price_cents=data["price_cents"],
        name=data.get("name", ""),
        on_demand=data.get("on_demand", False),
        stock=data.get("stock", 0),
        sold_by_weight=data.get("sold_by_weight", False),
        active=data.get("active", True),
    )


def _editable_product(product_id: int) -> Product:
    return load(Product, product_id, allow=lambda product: can_edit_product(api_user(), product))


@blp.route("/products")
class Products(MethodView):
    @token_required("read")
    @blp.arguments(ListArgs, location="query")
    @blp.response(200, ProductPageOut)
    def get(self, args: dict[str, Any]):
        """Products of the producers the caller manages (optionally one of them), with variants."""
        ids = managed_producer_ids(api_user())
        if args["producer_id"] is not None:
            if args["producer_id"] not in ids:
                abort(403)
            ids = {args["producer_id"]}
        where = Product.producer_id.in_(ids or {0})
        total = db.session.scalar(select(func.count(Product.id)).where(where)) or 0
        products = db.session.scalars(
            select(Product)
            .where(where)
            .options(
                selectinload(Product.variants),
                selectinload(Product.labels),
                selectinload(Product.photos),
            )
            .order_by(Product.producer_id, func.lower(Product.name), Product.id)
            .limit(args["per_page"])
            .offset((args["page"] - 1) * args["per_page"])
        ).all()
        return {
            "items": [product_out(p, manager=True) for p in products],
            "total": total,
            "page": args["page"],
            "per_page": args["per_page"],
        }

    @token_required("write")
    @blp.arguments(ProductIn)
    @blp.response(201, ProductOut)
    def post(self, data: dict[str, Any]):
        """Create a product (and its variants) for a producer the caller manages."""
        producer = load(
            Enterprise,
            data["producer_id"],
            where=lambda producer: producer.is_producer,
            allow=lambda producer: can_manage_products(api_user(), producer),
        )
        product = services.create_product(
            producer,
            services.ProductInput(
                name=data["name"],
                product_type=data["category"],
                description=data["description"],
                vat_rate_bp=data["vat_rate_bp"],
                active=data["active"],
                labels=data["labels"],
            ),
            [_variant_input(v) for v in data["variants"]],
        )
        return product_out(product, manager=True)


@blp.route("/products/<int:product_id>")
class ProductResource(MethodView):
    @token_required("read", optional=True)
    @blp.response(200, ProductOut)
    def get(self, product_id: int):
        """A product: its managers see everything; others only an active product a hub sells."""
        product = services.get_product_with_variants(product_id)
        if product is None or not can_view_product(api_user(), product):
            abort(404)
        return product_out(product, manager=can_edit_product(api_user(), product))

    @token_required("write")
    @blp.arguments(ProductPatch)
    @blp.response(200, ProductOut)
    def patch(self, data: dict[str, Any], product_id: int):
        """Change some fields of a product (labels: the full list)."""
        product = _editable_product(product_id)
        services.update_product(
            product,
            services.ProductInput(
                name=data.get("name", product.name),
                product_type=data.get("category", product.product_type),
                description=data.get("description", product.description),
                vat_rate_bp=data.get("vat_rate_bp", product.vat_rate_bp),
                active=data.get("active", product.active),
                labels=data.get("labels", [label.code for label in product.labels]),
            ),
        )
        return product_out(product, manager=True)


@blp.route("/products/<int:product_id>/variants")
class ProductVariants(MethodView):
    @token_required("write")
    @blp.arguments(VariantIn)
    @blp.response(201, VariantOut)
    def post(self, data: dict[str, Any], product_id: int):
        """Add a variant to a product."""
        product = _editable_product(product_id)
        return variant_out(services.add_variant(product, _variant_input(data)))


def _editable_variant(variant_id: int) -> Variant:
    return load(
        Variant, variant_id, allow=lambda variant: can_edit_product(api_user(), variant.product)
    )


@blp.route("/variants/<int:variant_id>")
class VariantResource(MethodView):
    @token_required("read")
    @blp.response(200, VariantOut)
    def get(self, variant_id: int):
        """A variant of a product the caller manages."""
        variant = _editable_variant(variant_id)
        return variant_out(variant)

    @token_required("write")
    @blp.arguments(VariantPatch)
    @blp.response(200, VariantOut)
    def patch(self, data: dict[str, Any], variant_id: int):
        """Change some fields of a variant. Send ``stock_seen`` with ``stock`` to refuse (409
        stock_changed) overwriting a stock that orders changed since you read it."""
        variant = _editable_variant(variant_id)
        merged = {
            "sku": variant.sku,
            "unit": variant.unit.value,
            "unit_value": variant.unit_value,
            "price_cents": variant.price_cents,
            "name": variant.name,
            "on_demand": variant.on_demand,
            "stock": variant.stock,
            "sold_by_weight": variant.sold_by_weight,
            "active": variant.active,
            **{k: v for k, v in data.items() if k != "stock_seen"},
        }
        updated = services.update_variant(
            variant, _variant_input(merged), stock_seen=data.get("stock_seen")
        )
        return variant_out(updated)


api_blueprints = [blp]
