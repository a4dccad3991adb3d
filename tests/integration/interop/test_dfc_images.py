"""Images in DFC: exported as a plain URL string (as OFN and the connectors write them),
downloaded on import only when the platform and the producer allow it, with the same checks
as an upload. The images are served by a local HTTP server started for the test."""

from __future__ import annotations

import html
import io
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from dfc_support import nodes_of
from sqlalchemy import select

from core.db import db
from enterprises.models import MembershipRole
from products import photos
from products.models import Product, ProductPhoto
from tests.factories import MembershipFactory, UserFactory
from tests.support.images import SVG, photo_bytes

JPEG = photo_bytes((900, 600), color=(180, 40, 30))


class _Images(BaseHTTPRequestHandler):
    hits: dict[str, int] = {}

    def do_GET(self):  # noqa: N802 - http.server's name
        type(self).hits[self.path] = type(self).hits.get(self.path, 0) + 1
        routes = {
            "/tomate.jpg": ("image/jpeg", JPEG),
            "/logo.svg": ("image/svg+xml", SVG),
            "/big.jpg": ("image/jpeg", JPEG + b"\x00" * (1024 * 1024)),
        }
        if self.path == "/moved.jpg":
            self.send_response(302)
            self.send_header("Location", "/tomate.jpg")
            self.end_headers()
            return
        if self.path == "/slow.jpg":
            time.sleep(1.5)
        if self.path not in routes:
            self.send_response(404)
            self.end_headers()
            return
        kind, data = routes[self.path]
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.end_headers()  # no Content-Length: the size is checked while reading
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def image_server(app):
    """An HTTP server on 127.0.0.1 (allowed for this test only), stopped afterwards."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Images)
    _Images.hits = {}
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    saved = {k: app.config[k] for k in ("DFC_IMAGES_DOWNLOAD", "DFC_IMAGES_ALLOW_PRIVATE")}
    app.config.update(DFC_IMAGES_DOWNLOAD=True, DFC_IMAGES_ALLOW_PRIVATE=True)
    yield f"http://127.0.0.1:{server.server_address[1]}"
    app.config.update(saved)
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def media(app, tmp_path):
    before = app.config["MEDIA_FOLDER"]
    app.config["MEDIA_FOLDER"] = str(tmp_path / "media")
    yield tmp_path / "media"
    app.config["MEDIA_FOLDER"] = before


def _catalogue(client, world) -> dict:
    client.get("/logout")
    response = client.get(f"/producers/{world.producer.id}/catalogue.jsonld")
    assert response.status_code == 200
    return json.loads(response.get_data(as_text=True))


def test_the_main_photo_is_exported_as_a_plain_absolute_url(client, login_as, world, media):
    tomatoes = world.products[0]
    main = photos.add_photo(tomatoes, io.BytesIO(photo_bytes((1400, 1000))))
    photos.add_photo(tomatoes, io.BytesIO(photo_bytes((1400, 1000), color=(1, 1, 1))))
    login_as(world.producer_manager)
    doc = _catalogue(client, world)
    products = [n for n in nodes_of(doc) if n.get("@type") == "dfc-b:SuppliedProduct"]
    images = {
        n["dfc-b:name"]: n.get("dfc-b:image") for n in products if "dfc-b:hasVariant" not in n
    }
    expected = f"http://comptoir.test/media/photos/{main.key[:2]}/{main.key}-1080.jpg"
    assert images == {
        "Tomates anciennes - 500 g": expected,  # a string, not {"@id": ...}: as OFN reads it
        "Tomates anciennes - 1 kg": expected,
        "Jus de pomme - 1 l": None,  # no photo: no image property at all
    }
    assert client.get(expected.removeprefix("http://comptoir.test")).status_code == 200


def _other_manager(world):
    manager = UserFactory()
    MembershipFactory(user=manager, enterprise=world.other_producer, role=MembershipRole.owner)
    db.session.commit()
    return manager


def _with_images(doc: dict, images: list[str]) -> bytes:
    products = [
        n
        for n in nodes_of(doc)
        if n.get("@type") == "dfc-b:SuppliedProduct" and "dfc-b:hasVariant" not in n
    ]
    for node, url in zip(products, images, strict=False):
        node["dfc-b:image"] = url
    return json.dumps(doc).encode()


def _import(client, producer, data: bytes, *, download: bool):
    form = {"file": (io.BytesIO(data), "catalogue.json")}
    if download:
        form["download_images"] = "y"
    sent = client.post(
        f"/producers/{producer.id}/dfc-import", data=form, content_type="multipart/form-data"
    )
    assert sent.status_code == 302, sent.get_data(as_text=True)
    applied = client.post(sent.headers["Location"] + "/apply")
    assert applied.status_code == 302
    return client.get(applied.headers["Location"]).get_data(as_text=True)


def _imported_photos(producer) -> dict[str, list[ProductPhoto]]:
    db.session.expire_all()
    found = db.session.scalars(select(Product).where(Product.producer_id == producer.id))
    return {p.name: list(p.photos) for p in found}


def test_images_are_downloaded_when_allowed_and_asked(client, login_as, world, image_server, media):
    login_as(world.producer_manager)
    doc = _catalogue(client, world)
    url = f"{image_server}/moved.jpg"  # redirected to /tomate.jpg
    data = _with_images(doc, [url, url, f"{image_server}/logo.svg"])
    login_as(_other_manager(world))
    page = client.get(f"/producers/{world.other_producer.id}/dfc-import").get_data(as_text=True)
    assert "Télécharger les photos des produits" in page
    done = _import(client, world.other_producer, data, download=True)
    assert 'id="import-done"' in done
    got = _imported_photos(world.other_producer)
    [photo] = got["Tomates anciennes"]
    assert photo.source_url == url
    assert photo.width_list == [320, 480, 720, 900]
    assert got["Jus de pomme"] == []  # the SVG is refused...
    assert "La photo doit être une image JPEG, PNG ou WebP." in done  # ...and listed
    assert "Jus de pomme" in done
    assert _Images.hits["/tomate.jpg"] == 1  # two variants of one product: fetched once
    # a re-import naming the same image does not fetch it again
    _import(client, world.other_producer, data, download=True)
    assert _Images.hits["/tomate.jpg"] == 1
    assert [p.id for p in _imported_photos(world.other_producer)["Tomates anciennes"]] == [photo.id]
    # a new image replaces the imported one
    again = _with_images(json.loads(data), [f"{image_server}/tomate.jpg"] * 2)
    _import(client, world.other_producer, again, download=True)
    [replaced] = _imported_photos(world.other_producer)["Tomates anciennes"]
    assert replaced.source_url == f"{image_server}/tomate.jpg"


def test_nothing_is_downloaded_unless_the_producer_asks(
    client, login_as, world, image_server, media
):
    login_as(world.producer_manager)
    data = _with_images(_catalogue(client, world), [f"{image_server}/tomate.jpg"] * 2)
    login_as(_other_manager(world))
    _import(client, world.other_producer, data, download=False)
    assert _Images.hits == {}
    assert all(not found for found in _imported_photos(world.other_producer).values())


def test_nothing_is_downloaded_unless_the_platform_allows_it(
    client, login_as, world, image_server, media, app
):
    app.config["DFC_IMAGES_DOWNLOAD"] = False
    login_as(world.producer_manager)
    data = _with_images(_catalogue(client, world), [f"{image_server}/tomate.jpg"] * 2)
    login_as(_other_manager(world))
    page = client.get(f"/producers/{world.other_producer.id}/dfc-import").get_data(as_text=True)
    assert "download_images" not in page  # the choice is not even offered
    _import(client, world.other_producer, data, download=True)  # a forged form changes nothing
    assert _Images.hits == {}


@pytest.mark.parametrize(
    ("path", "allow_private", "message"),
    [
        ("/tomate.jpg", False, "Cette adresse n'est pas publique : elle n'est pas téléchargée."),
        ("/big.jpg", True, "L'image est trop grande."),
        ("/slow.jpg", True, "Le serveur a mis trop de temps à envoyer l'image."),
        ("/missing.jpg", True, "Le serveur n'a pas envoyé l'image."),
        ("file:///etc/passwd", True, "Seules les adresses http et https sont téléchargées."),
    ],
    ids=["loopback-refused", "too-big", "timeout", "not-found", "not-http"],
)
def test_a_refused_image_is_listed_and_the_product_imported(
    client, login_as, world, image_server, media, app, path, allow_private, message
):
    app.config.update(
        DFC_IMAGES_ALLOW_PRIVATE=allow_private, PHOTO_MAX_MB=1, DFC_IMAGES_TIMEOUT=0.5
    )
    try:
        login_as(world.producer_manager)
        url = path if path.startswith("file:") else image_server + path
        data = _with_images(_catalogue(client, world), [url, url])
        login_as(_other_manager(world))
        done = _import(client, world.other_producer, data, download=True)
    finally:
        app.config.update(PHOTO_MAX_MB=10, DFC_IMAGES_TIMEOUT=10)
    assert 'id="import-done"' in done
    assert message in html.unescape(done)
    got = _imported_photos(world.other_producer)
    assert {"Tomates anciennes", "Jus de pomme"} <= set(got)  # imported all the same
    assert got["Tomates anciennes"] == []
    assert not list(media.rglob("*.jpg"))
