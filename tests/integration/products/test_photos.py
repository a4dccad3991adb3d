"""Product photos: the producer's photo manager, the files, the shop card and the product page."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.db import db
from products import photos
from products.models import Product, ProductPhoto
from tests.factories import ProductFactory, UserFactory, VariantFactory
from tests.factories_orders import make_shop
from tests.factories_products import producer_with_manager
from tests.querycount import count_queries
from tests.support.images import GIF, SVG, photo_bytes, png_bomb


@pytest.fixture
def media(app, tmp_path):
    """A fresh media folder for the test (every file written is seen)."""
    before = app.config["MEDIA_FOLDER"]
    app.config["MEDIA_FOLDER"] = str(tmp_path / "media")
    yield tmp_path / "media"
    app.config["MEDIA_FOLDER"] = before


def _files(media: Path) -> list[str]:
    return sorted(p.name for p in media.rglob("*") if p.is_file())


def _upload(client, product, data: bytes, name="photo.jpg", alt="Des tomates"):
    return client.post(
        f"/products/{product.id}/photos",
        data={"photo": (io.BytesIO(data), name), "alt": alt},
        content_type="multipart/form-data",
    )


def _photo_rows(product) -> list[ProductPhoto]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(ProductPhoto)
            .where(ProductPhoto.product_id == product.id)
            .order_by(ProductPhoto.position)
        )
    )


def test_a_producer_adds_a_photo_stored_in_widths_and_formats(
    client, login_as, producer, manager, media
):
    product = ProductFactory(producer=producer, name="Tomates")
    login_as(manager)
    response = _upload(client, product, photo_bytes((2000, 1500), gps=True))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/products/{product.id}/edit#photos")
    [photo] = _photo_rows(product)
    assert photo.alt == "Des tomates"
    assert photo.width_list == [320, 480, 720, 1080, 1600]
    assert (photo.width, photo.height) == (1600, 1200)
    names = _files(media)
    assert len(names) == 10  # 5 widths x (WebP + JPEG), nothing else (no original kept)
    assert all(re.fullmatch(rf"{photo.key}-\d+\.(webp|jpg)", n) for n in names)
    served = client.get(f"/media/photos/{photo.key[:2]}/{photo.key}-480.webp")
    assert served.status_code == 200
    assert served.mimetype == "image/webp"
    assert served.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert b"PhoneMaker" not in served.data
    assert client.get("/media/photos/../../etc/passwd").status_code == 404
    page = client.get(f"/products/{product.id}/edit").get_data(as_text=True)
    assert 'value="Des tomates"' in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (SVG, "La photo doit être une image JPEG, PNG ou WebP."),
        (GIF, "La photo doit être une image JPEG, PNG ou WebP."),
        (png_bomb(15_000), "Cette photo a plus de 50 millions de pixels"),
    ],
    ids=["svg", "gif", "decompression-bomb"],
)
def test_a_bad_upload_is_a_form_error_and_writes_nothing(
    client, login_as, producer, manager, media, data, message
):
    product = ProductFactory(producer=producer)
    login_as(manager)
    response = _upload(client, product, data, name="photo.png")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert 'id="photo-error"' in page
    assert _photo_rows(product) == []
    assert _files(media) == []


def test_a_photo_over_the_byte_limit_is_refused(client, login_as, producer, manager, media, app):
    product = ProductFactory(producer=producer)
    login_as(manager)
    app.config["PHOTO_MAX_MB"] = 1
    try:
        big = b"\xff\xd8\xff\xe0" + b"\x00" * (1024 * 1024)
        response = _upload(client, product, big)
    finally:
        app.config["PHOTO_MAX_MB"] = 10
    assert response.status_code == 422
    assert "Cette photo dépasse 1 Mo" in response.get_data(as_text=True)
    assert _files(media) == []


def test_no_orphan_file_when_the_commit_fails(producer, media, monkeypatch):
    product = ProductFactory(producer=producer)
    db.session.commit()

    def fail():
        raise RuntimeError("database gone")

    monkeypatch.setattr(db.session, "commit", fail)
    with pytest.raises(RuntimeError):
        photos.add_photo(product, io.BytesIO(photo_bytes((800, 600))))
    assert _files(media) == []


def test_at_most_eight_photos(producer, media):
    product = ProductFactory(producer=producer)
    for i in range(photos.MAX_PHOTOS):
        photos.add_photo(product, io.BytesIO(photo_bytes((330, 200), color=(i * 20, 10, 10))))
    with pytest.raises(photos.TooManyPhotos):
        photos.add_photo(product, io.BytesIO(photo_bytes((330, 200), color=(250, 250, 10))))
    assert len(_photo_rows(product)) == photos.MAX_PHOTOS


def test_describe_reorder_and_remove(client, login_as, producer, manager, media):
    product = ProductFactory(producer=producer, name="Miel")
    first = photos.add_photo(product, io.BytesIO(photo_bytes((400, 300), color=(200, 0, 0))))
    second = photos.add_photo(product, io.BytesIO(photo_bytes((400, 300), color=(0, 0, 200))))
    login_as(manager)
    url = f"/products/{product.id}/photos/edit"
    response = client.post(
        url,
        data={f"alt-{first.id}": "Un pot", f"alt-{second.id}": "La ruche", "move_up": second.id},
    )
    assert response.status_code == 302
    rows = _photo_rows(product)
    assert [p.id for p in rows] == [second.id, first.id]
    assert [p.alt for p in rows] == ["La ruche", "Un pot"]
    assert len(_files(media)) == 8  # 2 widths (320, 400) x 2 formats, per photo
    client.post(url, data={"remove": second.id})
    assert [p.id for p in _photo_rows(product)] == [first.id]
    assert all(n.startswith(first.key) for n in _files(media))  # the removed one's files gone


def test_a_file_shared_by_two_products_stays_until_the_last_one_goes(producer, media):
    data = photo_bytes((400, 300))
    one, two = ProductFactory(producer=producer), ProductFactory(producer=producer)
    kept = photos.add_photo(one, io.BytesIO(data))
    gone = photos.add_photo(two, io.BytesIO(data))
    assert kept.key == gone.key
    photos.edit_photos(two, photos.PhotoChanges(alts={}, remove=gone.id))
    assert len(_files(media)) == 4
    photos.edit_photos(one, photos.PhotoChanges(alts={}, remove=kept.id))
    assert _files(media) == []


def test_another_products_photo_is_not_touched(client, login_as, producer, manager, media):
    other_producer, _ = producer_with_manager()
    foreign = ProductFactory(producer=other_producer)
    photo = photos.add_photo(foreign, io.BytesIO(photo_bytes((400, 300))))
    mine = ProductFactory(producer=producer)
    login_as(manager)
    client.post(
        f"/products/{mine.id}/photos/edit", data={"remove": photo.id, f"alt-{photo.id}": "x"}
    )
    assert [(p.id, p.alt) for p in _photo_rows(foreign)] == [(photo.id, "")]


def test_new_product_with_a_bad_photo_creates_nothing(client, login_as, producer, manager, media):
    login_as(manager)
    form = {
        "name": "Carottes",
        "product_type": "dfc-pt:carrot",
        "vat_rate_bp": "550",
        "active": "y",
        "variants-0-name": "Botte",
        "variants-0-sku": "CAR-BOT",
        "variants-0-unit": "piece",
        "variants-0-unit_value": "1",
        "variants-0-price": "2,50",
        "variants-0-stock": "12",
        "variants-0-active": "y",
    }
    url = f"/producers/{producer.id}/products/new"
    bad = client.post(
        url, data={**form, "image": (io.BytesIO(SVG), "x.svg")}, content_type="multipart/form-data"
    )
    assert bad.status_code == 422
    assert "La photo doit être une image JPEG, PNG ou WebP." in bad.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Product.id))) == 0
    good = client.post(
        url,
        data={**form, "image": (io.BytesIO(photo_bytes((640, 480))), "c.jpg")},
        content_type="multipart/form-data",
    )
    assert good.status_code == 302
    product = db.session.scalar(select(Product).where(Product.name == "Carottes"))
    assert len(_photo_rows(product)) == 1


def _shop_with_photo(media):
    shop = make_shop(offers=3, producers=1)
    with_photo = shop.offers[0].variant.product
    with_photo.name = "Aaa tomates"
    photo = photos.add_photo(with_photo, io.BytesIO(photo_bytes((1200, 800))), alt="Tomates")
    return shop, with_photo, photo


def test_the_shop_card_shows_the_photo_and_links_to_the_product_page(client, login_as, media):
    shop, product, photo = _shop_with_photo(media)
    login_as(UserFactory())
    page = client.get(f"/cycles/{shop.cycle.id}/shop").get_data(as_text=True)
    card = page[page.index(f'data-offer-id="{shop.offers[0].id}"') :]
    card = card[: card.index("</li>")]
    link = f'href="/products/{product.id}?shop={shop.cycle.id}"'
    assert card.count(link) == 2  # the photo and the title
    assert f'<h2 class="h3"><a {link}>Aaa tomates</a></h2>' in card
    assert '<source type="image/webp"' in card
    assert f"/media/photos/{photo.key[:2]}/{photo.key}-320.webp 320w" in card
    assert f"/media/photos/{photo.key[:2]}/{photo.key}-1080.jpg 1080w" in card
    assert 'sizes="(min-width: 69rem) 17rem' in card
    assert 'width="1200" height="800"' in card  # the space is reserved
    assert 'loading="lazy"' in card
    # the other cards: their category's illustration (tomato -> vegetable), same size reserved
    others = page[page.index(f'data-offer-id="{shop.offers[1].id}"') :]
    assert 'src="/static/img/photos/vegetable.svg" width="480" height="320"' in others


def test_the_product_page_shows_every_photo_in_order(client, login_as, media):
    shop, product, photo = _shop_with_photo(media)
    second = photos.add_photo(product, io.BytesIO(photo_bytes((900, 900), color=(1, 2, 3))))
    login_as(UserFactory())
    page = client.get(f"/products/{product.id}?shop={shop.cycle.id}").get_data(as_text=True)
    assert page.index(photo.key) < page.index(second.key)
    assert 'alt="Tomates"' in page  # the producer's description
    assert 'alt="Photo de Aaa tomates"' in page  # none given: the product's name
    assert f'href="/cycles/{shop.cycle.id}/shop"' in page  # back to the shop


def test_placeholder_per_top_category():
    assert photos.placeholder_name("dfc-pt:tomato") == "vegetable"
    assert photos.placeholder_name("dfc-pt:bread") == "bakery"
    assert photos.placeholder_name("dfc-pt:goat-mature-cheese") == "dairy"
    assert photos.placeholder_name("") == "basket"
    assert photos.placeholder_name("dfc-pt:nonsense") == "basket"
    static = Path(__file__).resolve().parents[3] / "static" / "img" / "photos"
    for name in {*photos.PLACEHOLDERS.values(), "basket"}:
        svg = (static / f"{name}.svg").read_text()
        assert 'viewBox="0 0 480 320"' in svg
        assert "<script" not in svg  # our own, self-contained drawings
        assert "href" not in svg


def _shop_queries(client, shop) -> int:
    client.get(f"/cycles/{shop.cycle.id}/shop")  # templates compiled, caches warm
    db.session.expunge_all()
    with count_queries() as log:
        response = client.get(f"/cycles/{shop.cycle.id}/shop?page=2")
    assert response.status_code == 200
    assert response.get_data(as_text=True).count("<picture") >= 1
    return log.count


def test_photos_do_not_change_the_shops_query_count_per_page(client, login_as, media):
    small = make_shop(offers=30, producers=3)
    big = make_shop(offers=300, producers=10)
    data = photo_bytes((400, 300))
    for shop in (small, big):
        for offer in shop.offers:
            product = offer.variant.product
            product.photos.append(
                ProductPhoto(key="ab" * 16, widths="320,400", width=400, height=300, position=0)
            )
            product.photos.append(
                ProductPhoto(key="cd" * 16, widths="320,400", width=400, height=300, position=1)
            )
    db.session.commit()
    assert data  # (the files are not needed to count queries)
    login_as(UserFactory())
    assert _shop_queries(client, small) == _shop_queries(client, big)


def test_the_api_gives_the_main_photos_url(client, producer, manager, media):
    from tests.factories_products import api_token

    product = ProductFactory(producer=producer)
    VariantFactory(product=product)
    bare = ProductFactory(producer=producer)
    photo = photos.add_photo(product, io.BytesIO(photo_bytes((1300, 900))))
    token = api_token(manager, "read")
    listed = client.get("/api/v1/products", headers={"Authorization": f"Bearer {token}"}).json
    urls = {item["id"]: item["image_url"] for item in listed["items"]}
    key = photo.key
    assert urls[product.id] == f"http://localhost/media/photos/{key[:2]}/{key}-1080.jpg"
    assert urls[bare.id] == ""


def test_the_former_single_photo_is_converted(app, producer, media):
    upload = Path(app.config["UPLOAD_FOLDER"])
    (upload / "products" / "9").mkdir(parents=True, exist_ok=True)
    (upload / "products" / "9" / "old.jpg").write_bytes(photo_bytes((500, 400)))
    (upload / "products" / "9" / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    old = ProductFactory(producer=producer, image_path="products/9/old.jpg")
    bad = ProductFactory(producer=producer, image_path="products/9/bad.png")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["products", "convert-photos"])
    assert "1 photo(s) converted, 1 left as they were" in result.output
    assert [p.width for p in _photo_rows(old)] == [500]
    assert old.image_path == ""
    assert _photo_rows(bad) == []
    assert bad.image_path == "products/9/bad.png"
