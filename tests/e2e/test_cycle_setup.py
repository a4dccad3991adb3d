"""A hub manager sets up a weekly cycle with two pickup windows and slots, in real Chromium."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from werkzeug.serving import make_server

from core.db import db
from core.timeutils import local_date, to_local, utcnow
from cycles.models import CycleState, OrderCycle
from tests.login import session_values

pytestmark = pytest.mark.e2e


@pytest.fixture
def live_url(app, committed):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


def _session_cookie(app, user_id: int) -> str:
    client = app.test_client()
    values = session_values(user_id)
    with client.session_transaction() as sess:
        sess.update(values)
    return client.get_cookie("session").value


def test_manager_creates_weekly_cycle_with_two_windows_and_slots(app, live_url, browser):
    from tests.factories import DistributionPointFactory
    from tests.factories_hubs import hub_with_manager

    hub, manager = hub_with_manager(name="La Grange")
    DistributionPointFactory(hub=hub, name="Salle du fond")
    DistributionPointFactory(hub=hub, name="Marché des Lices")
    db.session.commit()
    hub_id, manager_id = hub.id, manager.id

    today = local_date(utcnow())
    opens = today + timedelta(days=1)
    closes = today + timedelta(days=3)
    pickup1, pickup2 = today + timedelta(days=4), today + timedelta(days=5)

    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    context.add_cookies(
        [{"name": "session", "value": _session_cookie(app, manager_id), "url": live_url}]
    )
    page = context.new_page()
    page.goto(f"{live_url}/hubs/{hub_id}/cycles")
    page.get_by_role("link", name="Nouveau cycle").or_(
        page.get_by_role("link", name="New cycle")
    ).click()
    page.locator("#name").fill("Panier du jeudi")
    page.locator("#opens_at").fill(f"{opens.isoformat()}T20:00")
    page.locator("#closes_at").fill(f"{closes.isoformat()}T12:00")
    page.locator("#repeat_weekly").check()
    page.locator("form.stack button[type=submit]").click()
    page.wait_for_selector("#window-form")

    def add_window(point: str, day, start: str, end: str) -> None:
        form = page.locator("#window-form")
        form.locator("#distribution_point_id").select_option(label=point)
        form.locator("#day").fill(day.isoformat())
        form.locator("#start").fill(start)
        form.locator("#end").fill(end)
        form.locator("button[type=submit]").click()
        page.wait_for_load_state()

    add_window("Salle du fond", pickup1, "17:00", "19:00")
    add_window("Marché des Lices", pickup2, "10:00", "12:00")
    # a window before the close is refused with a message next to the field
    add_window("Salle du fond", closes, "09:00", "10:00")
    assert page.locator("#window-form .field-error").count() == 1
    sections = page.locator("section[id^=window-]")
    assert sections.count() == 2

    first = sections.nth(0)
    first.locator("summary", has_text="Générer").or_(
        first.locator("summary", has_text="Generate")
    ).click()
    first.locator("input[name=every_minutes]").fill("15")
    first.locator("input[name=capacity]").first.fill("4")
    first.locator("form[action$='/generate'] button").click()
    page.wait_for_load_state()

    second = page.locator("section[id^=window-]").nth(1)
    second.locator("details").nth(1).locator("summary").click()
    second.locator("input[name=start]").fill("10:00")
    second.locator("input[name=end]").fill("11:00")
    second.locator("form[action$='/slots'] input[name=capacity]").fill("8")
    second.locator("form[action$='/slots'] button").click()
    page.wait_for_load_state()

    page.locator("form[action$='/publish'] button").click()
    page.wait_for_load_state()
    assert page.locator("h1 [data-state=upcoming]").count() == 1
    first_rows = page.locator("section[id^=window-]").nth(0).locator("tbody tr")
    assert first_rows.count() == 8
    assert "17:00" in first_rows.nth(0).inner_text()
    page.screenshot(path="/tmp/cycle-setup.png", full_page=True)

    db.session.remove()
    cycle = db.session.scalar(db.select(OrderCycle).where(OrderCycle.hub_id == hub_id))
    assert cycle.repeat_weekly is True
    assert cycle.state_at(utcnow()) is CycleState.upcoming
    assert to_local(cycle.opens_at).strftime("%H:%M") == "20:00"
    assert [len(w.slots) for w in cycle.windows] == [8, 1]
    assert [w.slots[0].capacity for w in cycle.windows] == [4, 8]
    context.close()
