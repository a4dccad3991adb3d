"""``make run``'s background jobs (``flask demo jobs``) and the development outbox page
(issue 18.7): e-mails readable in the browser in development only, 404 everywhere else."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.db import db
from core.timeutils import utcnow
from demo import scheduler
from notifications.models import EmailStatus, OutboundEmail
from notifications.services import queue_email
from tests.factories import UserFactory


def _queue(to: str = "camille@example.org") -> OutboundEmail:
    with_id = queue_email(
        to=to,
        template="emails/accounts/invitation",
        kind="enterprise_invitation",
        enterprise=type("E", (), {"name": "La Cagette"})(),
        inviter=type("U", (), {"display_name": "Yann"})(),
        link="http://127.0.0.1:8000/invitations/abc",
        days=7,
    )
    db.session.flush()
    return db.session.get(OutboundEmail, with_id)


@pytest.fixture
def development(app, monkeypatch):
    monkeypatch.setitem(app.config, "ENV_NAME", "development")
    monkeypatch.setitem(app.config, "BASE_URL", "http://127.0.0.1:8123")
    return app


@pytest.mark.parametrize("path", ["/dev/outbox", "/dev/outbox/1", "/dev/outbox/1/html"])
def test_the_outbox_does_not_exist_outside_development(client, login_as, db_session, path):
    _queue()
    assert client.get(path).status_code == 404
    login_as(UserFactory(is_admin=True))
    assert client.get(path).status_code == 404


def test_the_outbox_does_not_exist_on_a_public_address_even_in_development(
    client, db_session, app, monkeypatch
):
    monkeypatch.setitem(app.config, "ENV_NAME", "development")
    monkeypatch.setitem(app.config, "BASE_URL", "https://comptoir.example.org")
    assert client.get("/dev/outbox").status_code == 404


def test_in_development_every_e_mail_can_be_read(client, db_session, development):
    message = _queue()
    page = client.get("/dev/outbox").get_data(as_text=True)
    assert "Boîte d'envoi (développement)" in page
    assert "camille@example.org" in page
    assert message.subject in page
    shown = client.get(f"/dev/outbox/{message.id}").get_data(as_text=True)
    assert "La Cagette" in shown
    # the link in the e-mail can be followed from the page
    assert 'href="http://127.0.0.1:8000/invitations/abc"' in shown
    assert client.get(f"/dev/outbox/{message.id}/html").status_code == 404  # text only
    assert client.get("/dev/outbox/999999").status_code == 404


def test_without_a_mail_server_the_jobs_print_e_mails_and_mark_them_sent(app, db_session):
    message = _queue()
    printed: list[str] = []
    assert scheduler.send_mail(printed.append) == 1
    assert message.status is EmailStatus.sent
    assert "camille@example.org" in printed[0]
    assert f"/dev/outbox/{message.id}" in printed[0]
    assert scheduler.send_mail(printed.append) == 0  # once


def test_each_job_runs_on_its_cadence(app, db_session, monkeypatch):
    ran: list[str] = []
    monkeypatch.setattr(scheduler, "release_expired", lambda now: ran.append("release"))
    monkeypatch.setattr(scheduler, "roll", lambda: ran.append("roll"))
    monkeypatch.setattr(scheduler, "tick", lambda now: ran.append("tick"))
    monkeypatch.setattr(scheduler, "statements", lambda now: ran.append("statements"))
    monkeypatch.setattr(scheduler, "send_mail", lambda write: ran.append("mail"))
    schedule = scheduler.Schedule()
    now = utcnow()
    scheduler.run_once(schedule, now, print)
    assert ran == ["release", "roll", "tick", "statements", "mail"]
    ran.clear()
    scheduler.run_once(schedule, now + timedelta(seconds=70), print)
    assert ran == ["mail"]
    ran.clear()
    scheduler.run_once(schedule, now + timedelta(minutes=6), print)
    assert ran == ["release", "tick", "mail"]


def test_a_failing_job_does_not_stop_the_others(app, db_session, monkeypatch):
    def boom(now):
        raise RuntimeError("tick broke")

    monkeypatch.setattr(scheduler, "release_expired", lambda now: 0)
    monkeypatch.setattr(scheduler, "roll", lambda: 0)
    monkeypatch.setattr(scheduler, "tick", boom)
    monkeypatch.setattr(scheduler, "statements", lambda now: 0)
    monkeypatch.setattr(scheduler, "send_mail", lambda write: 2)
    done = scheduler.run_once(scheduler.Schedule(), utcnow(), print)
    assert done == ["tick: failed (tick broke)", "mail: 2"]


def test_the_jobs_command_refuses_outside_development(app):
    result = app.test_cli_runner().invoke(args=["demo", "jobs", "--once"])
    assert result.exit_code != 0
    assert "development" in result.output
