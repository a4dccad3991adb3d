"""Shop page weight with photos: the first page of the 10,000-variant shop (24 cards), before
(every card shows its category's illustration) and after each of its 24 products gets a photo.

Figures, before and after:
- the HTML of the page (bytes, and gzip-compressed as a proxy in front would send it);
- the images a 390 px wide phone loads when its visitor scrolls through the whole page, at a
  device pixel ratio of 3 (iPhone 12 to 15) and of 2: for each card, the WebP rendition the
  browser takes from ``srcset``/``sizes`` (the smallest at least the card's width in device
  pixels: the card is 100vw - 2rem = 358 CSS px), each distinct file counted once;
- the uncached median of the page through gunicorn (``SHOP_CACHE_SECONDS=0``).

The photos are drawn (``demo.photos``) at 2000 x 1500 with a camera-like grain added, so they
compress about as a real photo of produce does; they go through the upload path
(``products.photos.add_photo``). They are removed afterwards (the dataset is shared).
"""

from __future__ import annotations

import gzip
import io
import re
import shutil
import tempfile
from pathlib import Path

from bench.loadgen import get, gunicorn, load
from bench.report import emit, median

PHONE_CSS_WIDTH = 390
CARD_CSS_WIDTH = PHONE_CSS_WIDTH - 32  # sizes: calc(100vw - 2rem)
REQUESTS = 60


def _photo(index: int) -> bytes:
    from PIL import Image, ImageChops

    from demo.photos import PHOTOS, draw

    specs = list(PHOTOS.values())
    drawn = Image.open(io.BytesIO(draw(specs[index % len(specs)], f"bench-{index}")))
    image = drawn.resize((2000, 1500), Image.Resampling.BICUBIC)
    grain = Image.effect_noise((2000, 1500), 28).convert("RGB")
    image = ImageChops.overlay(image, grain.point(lambda p: 96 + p // 4))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def _srcset_choice(srcset: str, needed_px: float) -> str:
    """The candidate a browser takes: the smallest width >= the needed device pixels."""
    candidates = []
    for part in srcset.split(","):
        url, width = part.strip().rsplit(" ", 1)
        candidates.append((int(width.rstrip("w")), url))
    candidates.sort()
    return next((url for w, url in candidates if w >= needed_px), candidates[-1][1])


def _phone_images(html: str, dpr: int, media: Path, static: Path) -> int:
    """Bytes of the distinct image files the phone loads for the page's cards."""
    files: set[Path] = set()
    for card in re.findall(r'<a class="card-photo".*?</a>', html, re.S):
        webp = re.search(r'<source type="image/webp" srcset="([^"]+)"', card)
        if webp:
            url = _srcset_choice(webp.group(1), CARD_CSS_WIDTH * dpr)
            files.add(media / "photos" / url.split("/media/photos/", 1)[1])
        else:
            src = re.search(r'src="/static/([^"]+)"', card)
            assert src, card
            files.add(static / src.group(1))
    return sum(path.stat().st_size for path in files)


def _measure(ctx, label: str, shop: str, media: Path) -> None:
    from orders.shop import fragments

    app = ctx.app
    saved = app.config["SHOP_CACHE_SECONDS"]
    app.config["SHOP_CACHE_SECONDS"] = 0
    try:
        with app.app_context():
            fragments.clear()
            html = app.test_client().get(shop).get_data(as_text=True)
    finally:
        app.config["SHOP_CACHE_SECONDS"] = saved
    assert html.count('class="card shop-item"') == 24, "the first page has 24 cards"
    static = Path(app.static_folder or "static")
    raw = len(html.encode())
    emit(f"shop_photos_{label}_html_bytes", raw, "bytes")
    emit(f"shop_photos_{label}_html_gzip_bytes", len(gzip.compress(html.encode())), "bytes")
    for dpr in (3, 2):
        images = _phone_images(html, dpr, media, static)
        emit(f"shop_photos_{label}_phone390_dpr{dpr}_images_bytes", images, "bytes")
        emit(f"shop_photos_{label}_phone390_dpr{dpr}_page_weight_bytes", raw + images, "bytes")
    env = {**ctx.env_for_subprocess(), "SHOP_CACHE_SECONDS": "0", "MEDIA_FOLDER": str(media)}
    with gunicorn("app:create_app()", env) as server:
        load(server.port, get(shop), clients=1, duration_s=30, max_requests=10, cookies=True)
        result = load(
            server.port, get(shop), clients=1, duration_s=60, max_requests=REQUESTS, cookies=True
        )
        assert result.errors == 0, result.statuses
    emit(f"shop_photos_{label}_uncached_median_ms", median(result.latencies_ms), "ms")


def run(ctx) -> None:
    from sqlalchemy import delete

    from core.db import db
    from orders.shop import shop_page
    from products import photos
    from products.models import ProductPhoto

    data = ctx.dataset
    shop = f"/cycles/{data.cycle_id}/shop"
    media = Path(tempfile.mkdtemp(prefix="comptoir-bench-media-"))
    app = ctx.app
    saved_media = app.config["MEDIA_FOLDER"]
    app.config["MEDIA_FOLDER"] = str(media)
    ids: list[int] = []
    try:
        _measure(ctx, "before", shop, media)
        with app.app_context():
            from cycles.models import OrderCycle

            cycle = db.session.get(OrderCycle, data.cycle_id)
            products = {item.product.id: item.product for item in shop_page(cycle).items}
            for index, product in enumerate(products.values()):
                photos.add_photo(product, io.BytesIO(_photo(index)))
            ids.extend(products)
        sizes = sorted(p.stat().st_size for p in media.rglob("*-1080.webp"))
        emit("shop_photos_webp_1080_median_bytes", sizes[len(sizes) // 2], "bytes")
        _measure(ctx, "after", shop, media)
    finally:
        with app.app_context():
            if ids:
                db.session.execute(delete(ProductPhoto).where(ProductPhoto.product_id.in_(ids)))
                db.session.commit()
        app.config["MEDIA_FOLDER"] = saved_media
        shutil.rmtree(media, ignore_errors=True)
