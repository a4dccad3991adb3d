"""A producer imports a DFC catalogue (the FDC app's example) in real Chromium: from its
catalogue page, upload, preview, import; then a document with one broken product names it
with its reason and imports the others."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.db import db
from products.models import Variant
from tests.factories import MembershipFactory, ProducerFactory, UserFactory
from tests.login import session_values

pytestmark = pytest.mark.e2e

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "dfc"


def _example(prefix: str) -> Path:
    (path,) = [p for p in FIXTURES.glob("*.json") if p.name.startswith(prefix + "_")]
    return path


def _session_cookie(app, user_id: int) -> str:
    client = app.test_client()
    values = session_values(user_id)
    with client.session_transaction() as sess:
        sess.update(values)
    return client.get_cookie("session").value


def _count(producer_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(
        select(func.count(Variant.id)).where(Variant.producer_id == producer_id)
    )


def test_producer_imports_a_dfc_catalogue(app, live_server, page, tmp_path):
    producer = ProducerFactory(name="Ferme du Bocage")
    manager = UserFactory()
    MembershipFactory(user=manager, enterprise=producer)
    db.session.commit()
    page.context.add_cookies(
        [{"name": "session", "value": _session_cookie(app, manager.id), "url": live_server.url}]
    )

    page.goto(f"{live_server.url}/producers/{producer.id}/products")
    page.get_by_role("link", name="Importer (DFC)").click()
    page.locator("input[type=file]").set_input_files(str(_example("05")))
    page.get_by_role("button", name="Vérifier le fichier").click()

    page.get_by_text("4 produits peuvent être importés").wait_for()
    assert page.get_by_role("cell", name="NCBB/T4").is_visible()
    assert _count(producer.id) == 0
    page.get_by_role("button", name="Importer").click()
    page.locator("#import-done").wait_for()
    assert _count(producer.id) == 4

    broken = json.loads(_example("05").read_text())
    for node in broken["@graph"]:
        if node["@id"] == "_:b276":
            node["dfc-b:hasUnit"] = "kg"  # free text instead of dfc-m:Kilogram
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken))
    page.goto(f"{live_server.url}/producers/{producer.id}/dfc-import")
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="Vérifier le fichier").click()
    page.get_by_role("alert").wait_for()
    table = page.locator("table.import-errors")
    assert "SuppliedProducts/44519466500403" in table.inner_text()
    assert "Baked British Beans - Case, 12 x 400g (can)" in table.inner_text()
    assert "unknown_unit" in table.inner_text()
    page.get_by_role("button", name="Importer").click()  # the 3 others
    page.locator("#import-done").wait_for()
    assert "3 variantes mises à jour" in page.locator("#import-done").inner_text()
    assert _count(producer.id) == 4  # the refused one is still in the document: kept
