"""Shop page weight with photos: the first page of the 10,000-variant shop (24 cards, sorted by
price: 24 products), before
(every card shows its category's illustration) and after each of its 24 products gets a photo.

Figures, before and after:
- the HTML of the page (bytes, and gzip-compressed as a proxy in front would send it);
- the images a 390 px wide phone loads when its visitor scrolls through the whole page, at a
  device pixel ratio of 3 (iPhone 12 to 15) and of 2: for each card, the WebP rendition the
  browser takes from ``srcset``/``sizes`` (the smallest at least the card's width in device
  pixels: the card is 100vw - 2rem = 358 CSS px), each distinct file counted once;
- the uncached median of the page through gunicorn (``SHOP_CACHE_SECONDS=0``), in alternate
  rounds without and with the photos' rows.

The photos are drawn (``demo.photos``) at 2000 x 1500 with a texture (``_photo``), so they
compress about as a photo does (a real photo with much detail weighs more: see the median
1080 px WebP printed); they go through the upload path (``products.photos.add_photo``). They are
removed afterwards (the dataset is shared).
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
REQUESTS = 90
ROUNDS = 3


def _photo(index: int) -> bytes:
    """A 2000 x 1500 JPEG: a demo drawing with a texture of noise octaves from coarse to fine
    (natural images have about that spectrum), so it compresses about as a photo does."""
    from PIL import Image, ImageChops

    from demo.photos import PHOTOS, draw

    specs = list(PHOTOS.values())
    drawn = Image.open(io.BytesIO(draw(specs[index % len(specs)], f"bench-{index}")))
    width, height = 2000, 1500
    image = drawn.resize((width, height), Image.Resampling.BICUBIC)
    texture = Image.new("L", (width, height), 128)
    for octave, (divisor, sigma) in enumerate(((64, 40), (16, 40), (4, 36), (1, 30))):
        size = (max(8, width // divisor), max(8, height // divisor))
        noise = Image.effect_noise(size, sigma).resize((width, height), Image.Resampling.BICUBIC)
        texture = Image.blend(texture, noise, 0.5 if octave else 1.0)
    image = ImageChops.overlay(image, Image.merge("RGB", (texture, texture, texture)))
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


def _weight(ctx, label: str, shop: str, media: Path) -> None:
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


def _photo_rows(ids: list[int]) -> list[dict]:
    from sqlalchemy import select

    from core.db import db
    from products.models import ProductPhoto

    rows = db.session.scalars(select(ProductPhoto).where(ProductPhoto.product_id.in_(ids)))
    columns = [c.key for c in ProductPhoto.__table__.columns]
    return [{c: getattr(r, c) for c in columns} for r in rows]


def _set_photos(app, rows: list[dict], on: bool) -> None:
    from sqlalchemy import delete, insert

    from core.db import db
    from products.models import ProductPhoto

    with app.app_context():
        db.session.execute(delete(ProductPhoto).where(ProductPhoto.id.in_([r["id"] for r in rows])))
        if on:
            db.session.execute(insert(ProductPhoto), rows)
        db.session.commit()


def run(ctx) -> None:
    from core.db import db
    from cycles.models import OrderCycle
    from orders.shop import shop_page
    from products import photos

    data = ctx.dataset
    # sorted by price, the first page's 24 cards are 24 different products (by producer, the
    # variants of one product sit side by side): 24 photos
    shop = f"/cycles/{data.cycle_id}/shop?sort=price"
    media = Path(tempfile.mkdtemp(prefix="comptoir-bench-media-"))
    app = ctx.app
    saved_media = app.config["MEDIA_FOLDER"]
    app.config["MEDIA_FOLDER"] = str(media)
    rows: list[dict] = []
    try:
        _weight(ctx, "before", shop, media)
        with app.app_context():
            cycle = db.session.get(OrderCycle, data.cycle_id)
            items = shop_page(cycle, sort="price").items
            products = {item.product.id: item.product for item in items}
            for index, product in enumerate(products.values()):
                photos.add_photo(product, io.BytesIO(_photo(index)))
            rows = _photo_rows(list(products))
        emit("shop_photos_photos_on_the_page", len(rows), "photos")
        sizes = sorted(p.stat().st_size for p in media.rglob("*-1080.webp"))
        emit("shop_photos_webp_1080_median_bytes", sizes[len(sizes) // 2], "bytes")
        _weight(ctx, "after", shop, media)
        # the uncached median, without and with the photos in turn (the machine's other load
        # falls on both alike)
        env = {**ctx.env_for_subprocess(), "SHOP_CACHE_SECONDS": "0", "MEDIA_FOLDER": str(media)}
        timings: dict[str, list[float]] = {"before": [], "after": []}
        with gunicorn("app:create_app()", env, timeout=180) as server:
            load(server.port, get(shop), clients=1, duration_s=30, max_requests=10, cookies=True)
            for _round in range(ROUNDS):
                for label in ("before", "after"):
                    _set_photos(app, rows, on=label == "after")
                    result = load(
                        server.port,
                        get(shop),
                        clients=1,
                        duration_s=60,
                        max_requests=REQUESTS // ROUNDS,
                        cookies=True,
                    )
                    assert result.errors == 0, result.statuses
                    timings[label].extend(result.latencies_ms)
        for label, samples in timings.items():
            emit(f"shop_photos_{label}_uncached_median_ms", median(samples), "ms")
    finally:
        if rows:
            _set_photos(app, rows, on=False)
        app.config["MEDIA_FOLDER"] = saved_media
        shutil.rmtree(media, ignore_errors=True)
