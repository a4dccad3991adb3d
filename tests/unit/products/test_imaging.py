"""The photo pipeline (products.imaging): what is refused, what is kept, what is made."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from products import imaging
from tests.support.images import GIF, GPS_IFD, SVG, photo_bytes, png_bomb

LIMITS = {"max_bytes": 10 * 1024 * 1024, "max_pixels": 50_000_000}


def _open(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_a_photo_is_made_in_every_width_up_to_its_own_as_webp_and_jpeg():
    derived = imaging.derive(photo_bytes((2000, 1000)), **LIMITS)
    assert derived.widths == [320, 480, 720, 1080, 1600]
    assert (derived.width, derived.height) == (1600, 800)
    for width in derived.widths:
        webp = _open(derived.files[f"{derived.key}-{width}.webp"])
        jpeg = _open(derived.files[f"{derived.key}-{width}.jpg"])
        assert webp.format == "WEBP"
        assert jpeg.format == "JPEG"
        assert webp.size == jpeg.size == (width, width // 2)


def test_a_small_photo_is_never_enlarged():
    derived = imaging.derive(photo_bytes((600, 400), "PNG"), **LIMITS)
    assert derived.widths == [320, 480, 600]
    assert (derived.width, derived.height) == (600, 400)


def test_the_name_is_the_content_hash():
    data = photo_bytes((400, 300))
    assert imaging.derive(data, **LIMITS).key == imaging.derive(data, **LIMITS).key
    other = photo_bytes((400, 300), color=(10, 200, 10))
    assert imaging.derive(other, **LIMITS).key != imaging.derive(data, **LIMITS).key


def test_exif_orientation_is_applied_and_gps_and_camera_are_stripped():
    # stored sideways (orientation 6: turn 90° clockwise to show); the red half is on the left
    data = photo_bytes((800, 400), orientation=6, gps=True)
    assert GPS_IFD in _open(data).getexif()  # the upload does carry a position
    derived = imaging.derive(data, **LIMITS)
    assert (derived.width, derived.height) == (400, 800)  # shown upright: portrait
    for name, content in derived.files.items():
        image = _open(content)
        assert not image.getexif(), name  # no orientation, GPS, maker...
        assert b"PhoneMaker" not in content
        assert "exif" not in image.info
        assert "xmp" not in image.info
    top = _open(derived.files[f"{derived.key}-400.jpg"]).convert("RGB")
    # after turning clockwise, the red left half is now the top half
    red, green, blue = top.getpixel((200, 100))
    assert red > 150
    assert green < 120
    assert top.getpixel((200, 700)) == pytest.approx((255, 255, 255), abs=12)


def test_transparent_png_is_flattened_on_white():
    derived = imaging.derive(photo_bytes((400, 200), "PNG", mode="RGBA"), **LIMITS)
    right = _open(derived.files[f"{derived.key}-400.jpg"]).getpixel((350, 100))
    assert right == pytest.approx((255, 255, 255), abs=8)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (SVG, "not_an_image"),
        (GIF, "not_an_image"),
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "not_an_image"),  # a PNG signature, nothing else
        (photo_bytes((300, 200))[:400], "not_an_image"),  # truncated JPEG
        (photo_bytes((300, 200), "BMP"), "not_an_image"),
    ],
    ids=["svg", "gif", "empty", "png-header-only", "truncated-jpeg", "bmp"],
)
def test_what_is_not_a_jpeg_png_or_webp_is_refused(data, reason):
    with pytest.raises(imaging.ImageRejected) as refused:
        imaging.derive(data, **LIMITS)
    assert refused.value.reason == reason


def test_a_decompression_bomb_is_refused_before_decoding():
    bomb = png_bomb(20_000)  # 400 million pixels in a few kilobytes
    assert len(bomb) < 200_000
    with pytest.raises(imaging.ImageRejected) as refused:
        imaging.derive(bomb, **LIMITS)
    assert refused.value.reason == "too_many_pixels"


def test_the_byte_limit():
    data = photo_bytes((300, 200))
    with pytest.raises(imaging.ImageRejected) as refused:
        imaging.derive(data, max_bytes=len(data) - 1, max_pixels=10**8)
    assert refused.value.reason == "too_big"
    assert imaging.derive(data, max_bytes=len(data), max_pixels=10**8).widths == [300]


def test_webp_is_taken():
    derived = imaging.derive(photo_bytes((500, 500), "WEBP"), **LIMITS)
    assert derived.widths == [320, 480, 500]
