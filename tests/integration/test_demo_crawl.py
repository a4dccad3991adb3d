"""Every link the demo shows works: each demo person follows the links of the pages they see.

This is what a newcomer does after ``make run`` (SQLite, demo data): a link that leads to an
error page, a 403 or a 404 is a bug, whoever wrote the page. Links are followed breadth first,
a few per URL shape (``/hubs/3/orders`` and ``/hubs/5/orders`` are one shape) so the crawl stays
short while reaching every kind of page.
"""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from sqlalchemy import select

from accounts.models import User
from core.db import db
from demo import accounts as demo_accounts
from tests.login import session_values

pytestmark = pytest.mark.sqlite

#: pages per URL shape; and a cap per person so a regression cannot make the crawl endless
PER_SHAPE = 2
MAX_PAGES = 250
#: links that change state when followed with GET would be a bug in themselves; these are
#: downloads or sign-out forms' fallbacks we do not need to open
SKIP = re.compile(r"^/(static|logout)|\.(pdf|csv|jsonld)$|/export|/download")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def _shape(path: str) -> str:
    return re.sub(r"\d+", "N", urlsplit(path).path)


def _crawl(client, start: str) -> tuple[int, list[tuple[str, int, str]]]:
    seen: set[str] = set()
    shapes: dict[str, int] = {}
    broken: list[tuple[str, int, str]] = []
    queue: deque[tuple[str, str]] = deque([(start, "(start)")])
    visited = 0
    while queue and visited < MAX_PAGES:
        url, referrer = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        shape = _shape(url)
        if shapes.get(shape, 0) >= PER_SHAPE:
            continue
        shapes[shape] = shapes.get(shape, 0) + 1
        resp = client.get(url)
        visited += 1
        if resp.status_code >= 400:
            broken.append((url, resp.status_code, referrer))
            continue
        if resp.status_code in (301, 302, 303):
            location = urlsplit(resp.headers["Location"])
            if not location.netloc or location.netloc == "localhost":
                target = location.path + (f"?{location.query}" if location.query else "")
                queue.append((target, url))
            continue
        if "text/html" not in resp.content_type:
            continue
        parser = _Links()
        parser.feed(resp.get_data(as_text=True))
        for href in parser.hrefs:
            href, _fragment = urldefrag(href)
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue  # external, mailto:, tel:, same-page anchors
            if SKIP.search(parts.path):
                continue
            queue.append((parts.path + (f"?{parts.query}" if parts.query else ""), url))
    return visited, broken


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    """The ``make run`` database: SQLite, migrated, demo data loaded once for the module."""
    from tests.conftest import build_app, upgrade_schema

    app = build_app(
        f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.sqlite3'}",
        ENV_NAME="development",  # the demo data loads only on a local development instance
        BASE_URL="http://127.0.0.1:8000",
    )
    upgrade_schema(app)
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    return app


@pytest.mark.parametrize(
    "email",
    [
        None,
        demo_accounts.CITIZEN,
        demo_accounts.PRODUCER_MANAGER,
        demo_accounts.HUB_MANAGER,
        demo_accounts.ADMIN,
    ],
    ids=["anonymous", "citizen", "producer", "hub", "admin"],
)
def test_every_link_the_demo_shows_works(demo_app, email):
    with demo_app.app_context():
        client = demo_app.test_client()
        if email is not None:
            user_id = db.session.scalar(select(User.id).where(User.email == email))
            values = session_values(user_id)
            with client.session_transaction() as session:
                session.update(values)
        visited, broken = _crawl(client, "/")
        if email is not None:
            more, broken_more = _crawl(client, "/dashboard")
            visited += more
            broken += broken_more
    assert visited > 10
    assert broken == [], broken
