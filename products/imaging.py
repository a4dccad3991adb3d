"""Product photos as files: check an upload with Pillow and make its thumbnails (no database).

An upload is read as an image by Pillow (not trusted by its name or content type): JPEG, PNG
or WebP only (SVG, GIF, TIFF... are refused: ``Image.open(formats=...)``), at most
``max_bytes`` bytes and ``max_pixels`` pixels, checked from the header before any pixel is
decoded (a "decompression bomb", a small file declaring a huge image, never reaches memory).
The picture is turned upright from its EXIF orientation, converted to sRGB when it carries
another colour profile, flattened on white, and re-encoded: nothing of the original file is kept,
so its metadata (EXIF, GPS position, camera serial, XMP, comments) is gone.

Each photo is stored in a few widths (``WIDTHS``, never wider than the original), each as WebP
and as a JPEG fallback, named after a hash of the uploaded bytes and of this pipeline's
``VERSION`` (content-addressed: a name never changes content, so the files are served with
an immutable cache header).
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass, field

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

#: bump when the output of ``derive`` changes (new names, so caches never serve stale files)
VERSION = b"photos-v1"
#: the widths (px) made of each photo: a card on a 390 px phone at 2x and 3x takes 720 and
#: 1080, a desktop card 320 (1x) or 720 (2x); 1600 serves the product page on a wide screen
WIDTHS = (320, 480, 720, 1080, 1600)
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
WEBP_QUALITY = 78
JPEG_QUALITY = 80


class ImageRejected(Exception):
    """The file is not an image we take; ``reason`` is one of the codes below."""

    TOO_BIG = "too_big"
    NOT_AN_IMAGE = "not_an_image"
    TOO_MANY_PIXELS = "too_many_pixels"
    EMPTY = "empty"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Derived:
    """A checked photo: its key, the size of its largest rendition and the files to store."""

    key: str
    width: int
    height: int
    #: the widths made, ascending (the last one is ``width``)
    widths: list[int]
    #: file name (``<key>-<width>.<ext>``) -> bytes
    files: dict[str, bytes] = field(default_factory=dict)


def file_name(key: str, width: int, ext: str) -> str:
    return f"{key}-{width}.{ext}"


def widths_for(original_width: int) -> list[int]:
    """The widths made of an image ``original_width`` px wide (never upscaled)."""
    largest = min(original_width, WIDTHS[-1])
    return [*(w for w in WIDTHS if w < largest), largest]


def _open(data: bytes, max_pixels: int) -> Image.Image:
    try:
        with warnings.catch_warnings():
            # Pillow warns above MAX_IMAGE_PIXELS and raises at twice that: both are refusals
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(FORMATS))
            width, height = image.size
            if width < 1 or height < 1 or width * height > max_pixels:
                raise ImageRejected(ImageRejected.TOO_MANY_PIXELS)
            if image.format == "JPEG":
                # decode at a reduced scale when the photo is much larger than we keep (fast)
                image.draft("RGB", (WIDTHS[-1], WIDTHS[-1]))
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRejected(ImageRejected.TOO_MANY_PIXELS) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        # not one of our formats, or a truncated / corrupt file
        raise ImageRejected(ImageRejected.NOT_AN_IMAGE) from exc
    return image


def _to_srgb(image: Image.Image) -> Image.Image:
    """An image with an embedded colour profile (Display P3 phones...) converted to sRGB."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        converted = ImageCms.profileToProfile(
            image, source, ImageCms.createProfile("sRGB"), outputMode=image.mode
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # an unreadable profile: keep the pixels as they are
    return converted if converted is not None else image


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on a white background (transparent PNG/WebP product cut-outs look right)."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def derive(data: bytes, *, max_bytes: int, max_pixels: int) -> Derived:
    """Check ``data`` and make every rendition; raises :class:`ImageRejected`."""
    if not data:
        raise ImageRejected(ImageRejected.EMPTY)
    if len(data) > max_bytes:
        raise ImageRejected(ImageRejected.TOO_BIG)
    image = _open(data, max_pixels)
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGB", "RGBA"):
        image = _to_srgb(image)
    image = _flatten(image)
    image.info = {}  # nothing of the original's metadata travels to the files we write
    key = hashlib.sha256(VERSION + data).hexdigest()[:32]
    widths = widths_for(image.width)
    derived = Derived(key=key, width=0, height=0, widths=widths)
    for width in sorted(widths, reverse=True):  # each from the previous one: faster, as sharp
        if width < image.width:
            height = max(1, round(image.height * width / image.width))
            image = image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        if not derived.width:
            derived.width, derived.height = image.size
        webp = io.BytesIO()
        image.save(webp, "WEBP", quality=WEBP_QUALITY, method=4)
        jpeg = io.BytesIO()
        image.save(jpeg, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        derived.files[file_name(key, width, "webp")] = webp.getvalue()
        derived.files[file_name(key, width, "jpg")] = jpeg.getvalue()
    return derived
