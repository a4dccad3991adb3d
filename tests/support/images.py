"""Test images made with Pillow: photos with EXIF (orientation, GPS), bombs, non-images."""

from __future__ import annotations

import io

from PIL import Image

#: EXIF tags
ORIENTATION = 0x0112
GPS_IFD = 0x8825
MAKE = 0x010F


def photo_bytes(
    size: tuple[int, int] = (1200, 800),
    fmt: str = "JPEG",
    *,
    color: tuple[int, int, int] = (200, 60, 40),
    orientation: int | None = None,
    gps: bool = False,
    mode: str = "RGB",
) -> bytes:
    """An image whose left half is ``color`` and right half white (to see a rotation)."""
    image = Image.new(mode, size, (255, 255, 255) if mode == "RGB" else (255, 255, 255, 0))
    left = Image.new(mode, (size[0] // 2, size[1]), color if mode == "RGB" else (*color, 255))
    image.paste(left, (0, 0))
    exif = Image.Exif()
    if orientation:
        exif[ORIENTATION] = orientation
    if gps:
        exif[MAKE] = "PhoneMaker"
        exif[GPS_IFD] = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 7.0)}
    out = io.BytesIO()
    kwargs = {"exif": exif.tobytes()} if (orientation or gps) else {}
    image.save(out, fmt, **kwargs)
    return out.getvalue()


def png_bomb(side: int = 20_000) -> bytes:
    """A small PNG declaring ``side`` x ``side`` pixels (1-bit, compresses to a few KB)."""
    image = Image.new("1", (side, side), 0)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(1)</script></svg>"
)


def gif_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (1, 2, 3)).save(out, "GIF")
    return out.getvalue()


GIF = gif_bytes()
