"""``flask products convert-photos``: the single photo of the former layout becomes a product
photo (``products.photos``), once, after the ``photos01`` migration."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

products_cli = AppGroup("products", help="Catalogue maintenance.")


@products_cli.command("convert-photos")
def convert_photos() -> None:
    """Turn each product's former photo (``image_path`` under UPLOAD_FOLDER) into a product
    photo with its renditions; a file that is missing or not a photo we take is reported and
    left where it is."""
    from sqlalchemy import select

    from core.db import db
    from core.errors import DomainError
    from products import photos
    from products.models import Product

    root = Path(current_app.config["UPLOAD_FOLDER"]).resolve()
    converted = failed = 0
    for product in db.session.scalars(select(Product).where(Product.image_path != "")).all():
        path = (root / product.image_path).resolve()
        try:
            if not path.is_relative_to(root):
                raise OSError("outside the upload folder")
            with path.open("rb") as stream:
                photos.add_photo(product, stream)
        except (OSError, DomainError) as exc:
            db.session.rollback()
            failed += 1
            click.echo(f"product {product.id}: {product.image_path}: {exc}", err=True)
            continue
        product.image_path = ""
        db.session.commit()
        converted += 1
    click.echo(f"{converted} photo(s) converted, {failed} left as they were")


def register(app: Flask) -> None:
    app.cli.add_command(products_cli)
