"""Errors of the catalogue (stable codes; user-safe, translatable messages)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.errors import DomainError, ValidationFailed


class InvalidProduct(ValidationFailed):
    code = "invalid_product"
    message = _l("Some fields of the product are invalid.")


class InvalidVariant(ValidationFailed):
    code = "invalid_variant"
    message = _l("Some fields of the variant are invalid.")


class DuplicateSku(DomainError):
    code = "duplicate_sku"
    status = 409
    message = _l("This SKU is already used by another of your variants.")


class InvalidPhoto(ValidationFailed):
    """An upload that is not a photo we take (``products.imaging``), on the form's ``field``."""

    code = "invalid_photo"
    message = _l("The photo must be a JPEG, PNG or WebP image.")

    def __init__(self, reason: str, *, field: str = "photo", mb: int = 0, mpx: int = 0) -> None:
        messages = {
            "too_big": _l("This photo is larger than %(mb)s MB: send a smaller one.", mb=mb),
            "too_many_pixels": _l(
                "This photo has more than %(mpx)s million pixels: send a smaller one.", mpx=mpx
            ),
            "empty": _l("The file is empty."),
        }
        message = messages.get(reason, self.message)
        super().__init__(message, fields={field: str(message)})
        self.reason = reason


class TooManyPhotos(ValidationFailed):
    code = "too_many_photos"

    def __init__(self, limit: int, *, field: str = "photo") -> None:
        message = _l("A product has at most %(num)s photos: remove one first.", num=limit)
        super().__init__(message, fields={field: str(message)})


class ImportFileInvalid(ValidationFailed):
    """The whole file cannot be read (encoding, columns, empty, not a CSV)."""

    code = "import_file_invalid"
    message = _l("This file cannot be imported.")


class ImportHasErrors(ValidationFailed):
    code = "import_has_errors"
    message = _l("The file has errors: nothing was imported. Fix the rows listed and try again.")


class ImportExpired(DomainError):
    code = "import_expired"
    status = 404
    message = _l("This import preview has expired or was already applied. Upload the file again.")


class ImportConflict(DomainError):
    code = "import_conflict"
    status = 409
    message = _l(
        "The catalogue changed while the file was being imported: nothing was imported. "
        "Upload the file again."
    )
