"""Product photos: add, describe, reorder and remove them; where their files live; how pages
show them (``<picture>`` sources, placeholders).

The checks and renditions are :mod:`products.imaging` (Pillow). A use case here checks the
upload completely before writing anything, writes the files it needs (content-addressed: an
identical file already there is reused, not rewritten), then commits; if the commit fails,
the files it created are deleted (no orphan). A file is deleted after a removal's commit only
when no other photo row uses its key.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO

from flask import current_app, url_for
from sqlalchemy import exists, select

from core.db import db
from enterprises.models import Enterprise
from products import imaging, services
from products.errors import InvalidPhoto, TooManyPhotos
from products.models import Product, ProductPhoto
from products.services import ProductInput, VariantInput

#: photos per product
MAX_PHOTOS = 8
ALT_MAX = 200
#: top product types (``core.dfc`` taxonomy roots) with an illustration of their own
PLACEHOLDERS = {
    "dfc-pt:bakery": "bakery",
    "dfc-pt:dairy-product": "dairy",
    "dfc-pt:drink": "drink",
    "dfc-pt:frozen": "frozen",
    "dfc-pt:fruit": "fruit",
    "dfc-pt:local-grocery-store": "grocery",
    "dfc-pt:meat-product": "meat",
    "dfc-pt:vegetable": "vegetable",
}
#: the illustrations' size (px): every placeholder is drawn on this canvas
PLACEHOLDER_SIZE = (480, 320)


# -- files ---------------------------------------------------------------------------------


def photo_folder() -> Path:
    return Path(current_app.config["MEDIA_FOLDER"]) / "photos"


def relative_name(name: str) -> str:
    """``<key>-<w>.<ext>`` -> ``<key[:2]>/<key>-<w>.<ext>`` (at most 256 keys per folder)."""
    return f"{name[:2]}/{name}"


def _write_files(files: dict[str, bytes]) -> list[Path]:
    """Write the files not there yet (atomically); return those created."""
    created: list[Path] = []
    root = photo_folder()
    try:
        for name, data in files.items():
            target = root / relative_name(name)
            if target.exists():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, target)
            created.append(target)
    except OSError:
        _unlink(created)
        raise
    return created


def _unlink(paths: Iterable[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _release(keys: Iterable[str]) -> None:
    """Delete the files of keys no photo row uses any more (after a commit)."""
    root = photo_folder()
    for key in set(keys):
        if db.session.scalar(select(exists().where(ProductPhoto.key == key))):
            continue
        _unlink((root / key[:2]).glob(f"{key}-*"))


# -- checks ----------------------------------------------------------------------------------


def read_upload(stream: IO[bytes]) -> bytes:
    """The uploaded bytes, one byte over the limit at most (the check says "too big")."""
    return stream.read(max_bytes() + 1)


def max_bytes() -> int:
    return int(current_app.config["PHOTO_MAX_MB"]) * 1024 * 1024


def check(data: bytes, *, field: str = "photo") -> imaging.Derived:
    """Check an upload and make its renditions (nothing written). Raises InvalidPhoto."""
    megapixels = int(current_app.config["PHOTO_MAX_MEGAPIXELS"])
    try:
        return imaging.derive(data, max_bytes=max_bytes(), max_pixels=megapixels * 1_000_000)
    except imaging.ImageRejected as exc:
        mb = int(current_app.config["PHOTO_MAX_MB"])
        raise InvalidPhoto(exc.reason, field=field, mb=mb, mpx=megapixels) from exc


# -- use cases ---------------------------------------------------------------------------------


def attach(
    product: Product, derived: imaging.Derived, *, alt: str = "", source_url: str | None = None
) -> tuple[ProductPhoto, list[Path]]:
    """Write a checked photo's files and add it last (flushes, does not commit): the caller
    commits, or deletes the returned created files if it cannot."""
    if len(product.photos) >= MAX_PHOTOS:
        raise TooManyPhotos(MAX_PHOTOS)
    created = _write_files(derived.files)
    position = max((p.position for p in product.photos), default=-1) + 1
    photo = ProductPhoto(
        key=derived.key,
        widths=",".join(str(w) for w in derived.widths),
        width=derived.width,
        height=derived.height,
        alt=alt.strip()[:ALT_MAX],
        position=position,
        source_url=source_url,
    )
    product.photos.append(photo)
    try:
        db.session.flush()
    except Exception:
        _unlink(created)
        raise
    return photo, created


def add_photo(product: Product, stream: IO[bytes], alt: str = "") -> ProductPhoto:
    """Check an uploaded photo and add it last. Raises InvalidPhoto, TooManyPhotos."""
    if len(product.photos) >= MAX_PHOTOS:
        raise TooManyPhotos(MAX_PHOTOS)
    derived = check(read_upload(stream))
    photo, created = attach(product, derived, alt=alt)
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        _unlink(created)
        raise
    return photo


def create_product_with_photo(
    producer: Enterprise,
    data: ProductInput,
    variants: list[VariantInput],
    upload: IO[bytes] | None,
) -> Product:
    """The new product form: the photo is checked first (a bad one creates nothing)."""
    derived = check(read_upload(upload)) if upload is not None else None
    product = services.create_product(producer, data, variants)
    if derived is not None:
        _photo, created = attach(product, derived)
        try:
            db.session.commit()
        except Exception:
            db.session.rollback()
            _unlink(created)
            raise
    return product


def replace_imported(product: Product, derived: imaging.Derived, source_url: str) -> ProductPhoto:
    """A DFC import's photo (``interop.images``): replaces the one a previous import brought,
    at its place (last when there was none); the producer's own photos stay. Commits."""
    previous = [p for p in product.photos if p.source_url is not None]
    for old in previous:
        product.photos.remove(old)
    if len(product.photos) >= MAX_PHOTOS:
        raise TooManyPhotos(MAX_PHOTOS, field="image")
    photo, created = attach(product, derived, source_url=source_url)
    if previous:
        photo.position = previous[0].position
        for other in product.photos:
            if other is not photo and other.position >= photo.position:
                other.position += 1
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        _unlink(created)
        raise
    db.session.expire(product, ["photos"])
    _release(old.key for old in previous)
    return photo


@dataclass
class PhotoChanges:
    """The photo manager form: every alt text, and at most one move or removal."""

    alts: dict[int, str]
    move_up: int | None = None
    move_down: int | None = None
    remove: int | None = None


def edit_photos(product: Product, changes: PhotoChanges) -> Product:
    """Save the alt texts and apply the move or the removal (ids of other products ignored)."""
    photos = list(product.photos)
    by_id = {p.id: p for p in photos}
    for photo_id, alt in changes.alts.items():
        if photo_id in by_id:
            by_id[photo_id].alt = alt.strip()[:ALT_MAX]
    for moved, step in ((changes.move_up, -1), (changes.move_down, 1)):
        if moved is not None and moved in by_id:
            index = photos.index(by_id[moved])
            other = index + step
            if 0 <= other < len(photos):
                photos[index], photos[other] = photos[other], photos[index]
    released: list[str] = []
    if changes.remove in by_id:
        gone = by_id[changes.remove]
        photos.remove(gone)
        product.photos.remove(gone)
        released.append(gone.key)
    for position, photo in enumerate(photos):
        photo.position = position
    db.session.commit()
    db.session.expire(product, ["photos"])
    _release(released)
    return product


# -- pages -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Picture:
    """What a ``<picture>`` needs: sources per format, fallback src and intrinsic size."""

    webp_srcset: str
    jpeg_srcset: str
    src: str
    width: int
    height: int
    alt: str


def _file_url(name: str) -> str:
    return url_for("products.photo_file", name=relative_name(name))


def picture(photo: ProductPhoto, *, fallback_width: int = 480) -> Picture:
    widths = photo.width_list
    base = _file_url(imaging.file_name(photo.key, widths[0], "jpg")).rsplit("/", 1)[0]

    def srcset(ext: str) -> str:
        return ", ".join(f"{base}/{imaging.file_name(photo.key, w, ext)} {w}w" for w in widths)

    fallback = next((w for w in widths if w >= fallback_width), widths[-1])
    return Picture(
        webp_srcset=srcset("webp"),
        jpeg_srcset=srcset("jpg"),
        src=f"{base}/{imaging.file_name(photo.key, fallback, 'jpg')}",
        width=photo.width,
        height=photo.height,
        alt=photo.alt,
    )


def main_photo(product: Product) -> ProductPhoto | None:
    return product.photos[0] if product.photos else None


def main_photo_url(product: Product, *, width: int = 1080, base: str | None = None) -> str | None:
    """An absolute URL of the main photo's JPEG (the API, the DFC export), or None.

    The JPEG (every reader takes it) about ``width`` px wide; under ``base`` (the DFC export's
    ``BASE_URL``), else on the request's host.
    """
    photo = main_photo(product)
    if photo is None:
        return None
    widths = photo.width_list
    chosen = next((w for w in widths if w >= width), widths[-1])
    name = relative_name(imaging.file_name(photo.key, chosen, "jpg"))
    if base is not None:
        return base + url_for("products.photo_file", name=name)
    return url_for("products.photo_file", name=name, _external=True)


@lru_cache(maxsize=512)
def _top_category(product_type: str) -> str:
    from core.dfc import vocabulary

    if not vocabulary.is_product_type(product_type):
        return ""
    ancestors = vocabulary.ancestors(product_type)
    return ancestors[-1] if ancestors else product_type


def placeholder_name(product_type: str) -> str:
    """The illustration of a product's top category (``static/img/photos/<name>.svg``)."""
    return PLACEHOLDERS.get(_top_category(product_type or ""), "basket")


def placeholder_url(product: Product) -> str:
    return url_for("static", filename=f"img/photos/{placeholder_name(product.product_type)}.svg")
