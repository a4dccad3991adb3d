"""The e-mails people expect (issue 18.5): producer-hub requests and answers, support requests
to the admins, the reminder to followers who have not ordered the day before a cycle closes.

Each is queued in the transaction of the change that causes it; one of each kind is delivered
through the real SMTP sink (``tests.support.smtp``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.db import db
from hubs.models import HubFollower, LinkStatus, ProducerHubLink
from notifications.models import OutboundEmail
from notifications.services import deliver_pending
from operations.jobs import run_tick
from tests.factories import (
    EnterpriseFactory,
    MembershipFactory,
    OrderCycleFactory,
    ProducerFactory,
    UserFactory,
)
from tests.factories_hubs import hub_with_manager
from tests.factories_producer_orders import cancel, customer, farm_shop, order_for
from tests.support.smtp import SmtpSink


def _emails(kind: str) -> list[OutboundEmail]:
    return list(
        db.session.scalars(
            select(OutboundEmail).where(OutboundEmail.kind == kind).order_by(OutboundEmail.id)
        )
    )


@pytest.fixture
def sink(app):
    server = SmtpSink()
    app.config.update(MAIL_SERVER=server.host, MAIL_PORT=server.port)
    try:
        yield server
    finally:
        server.stop()
        app.config.update(MAIL_SERVER="", MAIL_PORT=25)


# --------------------------------------------------------------------------- producer-hub links


def test_a_producer_is_told_when_a_hub_asks_and_the_hub_when_it_answers(
    client, login_as, db_session, sink
):
    hub, hub_manager = hub_with_manager(name="La Cagette")
    producer = ProducerFactory(name="Ferme du Pré")
    farmer = UserFactory(email="farmer@pre.example", locale="fr")
    english = UserFactory(email="partner@pre.example", locale="en")
    MembershipFactory(user=farmer, enterprise=producer)
    MembershipFactory(user=english, enterprise=producer)
    login_as(hub_manager)
    client.post(f"/hubs/{hub.id}/producers", data={"other_id": producer.id, "message": "Bonjour"})

    asked = {m.to_email: m for m in _emails("link_requested")}
    assert set(asked) == {farmer.email, english.email}  # the producer's managers, not the hub
    fr = asked[farmer.email]
    assert fr.subject == "La Cagette demande à vendre vos produits"
    assert "Bonjour" in fr.body_text
    assert f"/producers/{producer.id}/hubs" in fr.body_text
    assert asked[english.email].subject == "La Cagette asks to sell your products"

    assert deliver_pending() == 2
    delivered = sink.wait_for(lambda m: m["To"] == farmer.email)
    assert "La Cagette" in delivered["Subject"]

    link = db.session.scalar(select(ProducerHubLink))
    login_as(farmer)
    client.post(f"/links/{link.id}/accept")
    db.session.refresh(link)
    assert link.status is LinkStatus.accepted
    answered = _emails("link_decided")
    assert [m.to_email for m in answered] == [hub_manager.email]
    assert answered[0].subject == "Ferme du Pré a accepté votre demande"
    assert f"/hubs/{hub.id}/producers" in answered[0].body_text


def test_a_hub_is_told_when_a_producer_asks_and_the_producer_when_refused(
    client, login_as, db_session
):
    hub, hub_manager = hub_with_manager(name="La Cagette")
    producer = ProducerFactory(name="Ferme du Pré")
    farmer = UserFactory()
    MembershipFactory(user=farmer, enterprise=producer)
    login_as(farmer)
    client.post(f"/producers/{producer.id}/hubs", data={"other_id": hub.id, "message": ""})
    asked = _emails("link_requested")
    assert [m.to_email for m in asked] == [hub_manager.email]
    assert asked[0].subject == "Ferme du Pré propose ses produits à La Cagette"

    link = db.session.scalar(select(ProducerHubLink))
    login_as(hub_manager)
    client.post(f"/links/{link.id}/refuse")
    refused = _emails("link_decided")
    assert [m.to_email for m in refused] == [farmer.email]
    assert refused[0].subject == "La Cagette a refusé votre demande"


def test_an_unmanaged_producer_is_told_at_its_contact_address(client, login_as, db_session):
    hub, hub_manager = hub_with_manager()
    producer = ProducerFactory(contact_email="bonjour@ferme.example")
    login_as(hub_manager)
    client.post(f"/hubs/{hub.id}/producers", data={"other_id": producer.id})
    assert [m.to_email for m in _emails("link_requested")] == ["bonjour@ferme.example"]


def test_a_refused_request_sends_nothing(client, login_as, db_session):
    hub, hub_manager = hub_with_manager()
    other_hub = EnterpriseFactory(is_producer=False, is_hub=True)
    login_as(hub_manager)
    # a hub is not a producer: the request is refused, and no e-mail leaves
    client.post(f"/hubs/{hub.id}/producers", data={"other_id": other_hub.id})
    assert _emails("link_requested") == []


# --------------------------------------------------------------------------- support requests


def test_the_admins_get_each_support_request(client, login_as, db_session, sink):
    farm = ProducerFactory(name="GAEC du Moulin")
    manager = UserFactory(full_name="Léa Bouvier")
    MembershipFactory(user=manager, enterprise=farm)
    admin_fr = UserFactory(is_admin=True, email="admin@coop.example")
    admin_en = UserFactory(is_admin=True, email="root@coop.example", locale="en")
    login_as(manager)
    response = client.post(
        f"/enterprises/{farm.id}/support",
        data={"subject": "Export CSV", "body": "Le fichier est vide."},
    )
    assert response.status_code == 303
    sent = {m.to_email: m for m in _emails("support_request")}
    assert set(sent) == {admin_fr.email, admin_en.email}
    assert sent[admin_fr.email].subject == "Demande d'aide de GAEC du Moulin : Export CSV"
    assert "Le fichier est vide." in sent[admin_fr.email].body_text
    assert "/admin/support/" in sent[admin_fr.email].body_text
    assert sent[admin_en.email].subject == "Support request from GAEC du Moulin: Export CSV"
    assert manager.email not in sent

    assert deliver_pending() == 2
    mail = sink.wait_for(lambda m: m["To"] == admin_fr.email)
    assert "Le fichier est vide." in mail.get_body(("plain",)).get_content()


def test_a_refused_support_request_alerts_nobody(client, login_as, db_session):
    farm = ProducerFactory()
    manager = UserFactory()
    MembershipFactory(user=manager, enterprise=farm)
    UserFactory(is_admin=True)
    login_as(manager)
    client.post(f"/enterprises/{farm.id}/support", data={"subject": "", "body": "x"})
    assert _emails("support_request") == []


# --------------------------------------------------------------------------- closing reminders


@pytest.fixture
def followed(db_session):
    fs = farm_shop()
    hub = fs.shop.hub
    fs.ordered = customer("Alice Martin", "alice@example.org")
    fs.cancelled = customer("Carol Petit", "carol@example.org")
    fs.idle = customer("Nina Lefèvre", "nina@example.org")
    fs.idle_en = customer("John Smith", "john@example.org", locale="en")
    fs.not_following = customer("Bob Durand", "bob@example.org")
    tomato = fs.shop.offers[0]
    order_for(fs.shop, fs.ordered, [(tomato.id, 1)])
    cancel(order_for(fs.shop, fs.cancelled, [(tomato.id, 1)]))
    for user in (fs.ordered, fs.cancelled, fs.idle, fs.idle_en):
        db.session.add(HubFollower(user_id=user.id, hub_id=hub.id))
    db.session.query(OutboundEmail).delete()
    db.session.flush()
    return fs


def test_followers_who_have_not_ordered_are_reminded_once_the_day_before_the_close(followed, sink):
    cycle = followed.shop.cycle
    assert run_tick(cycle.closes_at - timedelta(hours=25)).closing_reminders == 0
    at = cycle.closes_at - timedelta(hours=23)
    assert run_tick(at).closing_reminders == 3
    sent = {m.to_email: m for m in _emails("cycle_closing")}
    # Alice ordered; Carol's order was cancelled; Bob does not follow the hub
    assert set(sent) == {"carol@example.org", "nina@example.org", "john@example.org"}
    nina = sent["nina@example.org"]
    assert nina.subject == f"{cycle.hub.name} : les commandes ferment bientôt ({cycle.name})"
    assert "vous n'avez pas encore commandé" in nina.body_text
    assert f"/cycles/{cycle.id}/shop" in nina.body_text
    assert sent["john@example.org"].subject.endswith(f"orders close soon ({cycle.name})")

    # idempotent: later ticks send nothing more
    assert run_tick(at + timedelta(minutes=5)).closing_reminders == 0
    assert run_tick(cycle.closes_at - timedelta(minutes=1)).closing_reminders == 0
    assert len(_emails("cycle_closing")) == 3
    # and none once closed
    assert run_tick(cycle.closes_at + timedelta(minutes=1)).closing_reminders == 0

    assert deliver_pending() >= 3
    sink.wait_for(lambda m: m["To"] == "nina@example.org")


def test_a_follower_who_orders_after_the_reminder_gets_nothing_more(followed):
    cycle = followed.shop.cycle
    at = cycle.closes_at - timedelta(hours=20)
    run_tick(at)
    order_for(followed.shop, followed.idle, [(followed.shop.offers[0].id, 1)])
    assert run_tick(at + timedelta(hours=1)).closing_reminders == 0


def test_no_closing_reminder_for_a_cycle_open_less_than_a_day(followed):
    hub = followed.shop.hub
    now = followed.shop.cycle.closes_at - timedelta(days=10)
    short = OrderCycleFactory(
        hub=hub, opens_at=now - timedelta(hours=2), closes_at=now + timedelta(hours=20)
    )
    db.session.flush()
    run_tick(now)
    assert [m for m in _emails("cycle_closing") if f"cycle={short.id}" in m.dedupe_key] == []


def test_cli_prints_the_closing_reminders(app, followed):
    at = (followed.shop.cycle.closes_at - timedelta(hours=2)).isoformat()
    result = app.test_cli_runner().invoke(args=["operations", "tick", "--now", at])
    assert result.exit_code == 0, result.output
    assert "closing reminders: 3" in result.output
