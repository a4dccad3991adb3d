"""Images of a DFC catalogue import: the photo a SuppliedProduct names (``dfc-b:image``, a plain
URL string as OFN and the DFC connectors write it) is downloaded only when the operator allows
it (``DFC_IMAGES_DOWNLOAD``) and the producer ticked it on the import form.

A download is http(s) only, to a public address (private, loopback, link-local and reserved
addresses are refused, checked on the address actually connected to, so a name resolving to
one is refused too; ``DFC_IMAGES_ALLOW_PRIVATE`` lets tests use a local server), within
``DFC_IMAGES_TIMEOUT`` seconds per step, at most ``PHOTO_MAX_MB`` bytes, at most 3 redirects
(each checked the same way), and then checked as any uploaded photo (``products.photos``).
As OFN does, a failed image never fails the import: it is listed with its reason; an image
already downloaded from the same URL is not fetched again.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.db import db
from enterprises.models import Enterprise
from products import photos
from products.errors import InvalidPhoto, TooManyPhotos
from products.models import Product

MAX_REDIRECTS = 3
#: images downloaded by one import at most (the others are listed as not downloaded)
MAX_PER_IMPORT = 100

REASONS = {
    "scheme": _l("Only http and https addresses are downloaded."),
    "address": _l("This address is not public: it is not downloaded."),
    "unreachable": _l("The image could not be downloaded."),
    "status": _l("The server did not send the image."),
    "too_big": _l("The image is too large."),
    "timeout": _l("The server took too long to send the image."),
    "redirects": _l("Too many redirections."),
    "limit": _l("Not downloaded: too many images in one import."),
}


class ImageFetchFailed(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class ImageProblem:
    url: str
    product: str
    message: str


def allowed() -> bool:
    """May this platform download the images of an import at all (the operator's choice)."""
    return bool(current_app.config.get("DFC_IMAGES_DOWNLOAD"))


def _public_address(host: str, port: int) -> tuple[str, int]:
    """The first address of ``host`` we may connect to; refuses private ones."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ImageFetchFailed("unreachable") from exc
    allow_private = bool(current_app.config.get("DFC_IMAGES_ALLOW_PRIVATE"))
    for family, _type, _proto, _name, sockaddr in infos:
        address = ipaddress.ip_address(sockaddr[0])
        if not allow_private and not address.is_global:
            raise ImageFetchFailed("address")
        if family in (socket.AF_INET, socket.AF_INET6):
            return str(address), int(sockaddr[1])
    raise ImageFetchFailed("unreachable")


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address we checked, not to a second resolution of the name."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # type: ignore[attr-defined]  # the context given above


def fetch(url: str) -> bytes:
    """The bytes at ``url`` (see the module's rules); raises ImageFetchFailed."""
    timeout = float(current_app.config.get("DFC_IMAGES_TIMEOUT", 10))
    limit = photos.max_bytes()
    deadline = time.monotonic() + 3 * timeout
    for _hop in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ImageFetchFailed("scheme")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address, port = _public_address(parts.hostname, port)
        kind = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
        connection = kind(parts.hostname, port, address, timeout)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        try:
            connection.request("GET", path, headers={"Accept": "image/*", "User-Agent": "Comptoir"})
            response = connection.getresponse()
            if response.status in (301, 302, 303, 307, 308) and response.getheader("Location"):
                url = urljoin(url, response.getheader("Location", ""))
                continue
            if response.status != 200:
                raise ImageFetchFailed("status")
            length = response.getheader("Content-Length")
            if length and length.isdigit() and int(length) > limit:
                raise ImageFetchFailed("too_big")
            return _read(response, limit, deadline)
        except TimeoutError as exc:
            raise ImageFetchFailed("timeout") from exc
        except (OSError, http.client.HTTPException) as exc:
            raise ImageFetchFailed("unreachable") from exc
        finally:
            connection.close()
    raise ImageFetchFailed("redirects")


def _read(response: Any, limit: int, deadline: float) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            raise ImageFetchFailed("timeout")
        chunk = response.read(64 * 1024)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            raise ImageFetchFailed("too_big")
        chunks.append(chunk)


def _wanted(rows: list[Any]) -> dict[str, tuple[str, str]]:
    """product key -> (image URL, product name): the first image named for each product."""
    found: dict[str, tuple[str, str]] = {}
    for row in rows:
        image = (getattr(row, "image", "") or "").strip()
        if image and row.product_key not in found:
            found[row.product_key] = (image, row.product_name)
    return found


def attach_imported(producer: Enterprise, rows: list[Any]) -> list[ImageProblem]:
    """After an import's commit: download each product's image and make it the product's
    imported photo (one commit per product). Returns the images that could not be taken."""
    problems: list[ImageProblem] = []
    for count, (key, (url, name)) in enumerate(_wanted(rows).items()):
        if count >= MAX_PER_IMPORT:
            problems.append(ImageProblem(url, name, str(REASONS["limit"])))
            continue
        product = db.session.scalar(
            select(Product).where(Product.producer_id == producer.id, Product.external_id == key)
        )
        if product is None or any(p.source_url == url for p in product.photos):
            continue
        try:
            derived = photos.check(fetch(url), field="image")
            photos.replace_imported(product, derived, url)
        except ImageFetchFailed as exc:
            problems.append(ImageProblem(url, name, str(REASONS[exc.reason])))
        except (InvalidPhoto, TooManyPhotos) as exc:
            db.session.rollback()
            problems.append(ImageProblem(url, name, str(exc.message)))
    return problems
