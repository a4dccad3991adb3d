"""Sign up, confirmation, log in (rate limit, next, fixation), reset, log out through the pages."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import time_machine
from sqlalchemy import delete, func, select

from accounts.models import LoginAttempt, User
from core.db import db
from core.timeutils import utcnow
from notifications.models import OutboundEmail
from tests.factories import PASSWORD, UserFactory
from tests.factories_accounts import link_path, outbox

NEW_PASSWORD = "une phrase assez longue"  # noqa: S105 - test value


def _signup(client, email="camille@example.org", password="tomates et courgettes", locale="en"):
    return client.post(
        "/signup",
        data={"full_name": "Camille", "email": email, "password": password, "locale": locale},
    )


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def test_signup_creates_unconfirmed_account_and_emails_the_link_in_its_language(client):
    resp = _signup(client, email="Camille@Example.org", locale="fr")
    assert resp.status_code == 200
    assert "camille@example.org" in resp.get_data(as_text=True)
    user = _user("camille@example.org")
    assert user is not None
    assert user.email_confirmed_at is None
    assert user.password_hash.startswith("$argon2id$")
    [mail] = outbox(to="camille@example.org")
    assert mail.kind == "account_confirmation"
    assert mail.subject == "Confirmez votre adresse e-mail sur Comptoir"
    confirm = client.get(link_path(mail))
    assert confirm.status_code == 302
    assert "/login" in confirm.headers["Location"]
    db.session.refresh(user)
    assert user.email_confirmed_at is not None


def test_signup_in_english_sends_english_email(client):
    _signup(client, locale="en")
    [mail] = outbox(to="camille@example.org")
    assert mail.subject == "Confirm your e-mail address on Comptoir"


def test_signup_with_a_taken_address_answers_like_a_free_one_and_emails_the_owner(client):
    UserFactory(email="camille@example.org", full_name="Camille")
    db.session.commit()
    taken = _signup(client, email="CAMILLE@example.org ")
    free = _signup(client, email="dominique@example.org")
    assert taken.status_code == free.status_code == 200

    # the same page, but for the address it names (and the page's own CSRF token)
    def page(resp):
        return re.sub(r'"[\w-]+\.[\w-]+\.[\w-]+"', "", resp.get_data(as_text=True))

    assert page(taken) == page(free).replace("dominique@example.org", "camille@example.org")
    assert db.session.scalar(select(func.count(User.id))) == 2
    [notice] = outbox(to="camille@example.org")
    assert notice.kind == "signup_existing"
    assert "qui en a déjà un" in notice.body_text  # in the owner's language
    assert "http://comptoir.test/password/forgot" in notice.body_text


def test_signup_with_an_unconfirmed_address_sends_the_confirmation_again(client):
    _signup(client)
    db.session.execute(delete(OutboundEmail))
    again = _signup(client, email="camille@example.org")
    assert again.status_code == 200
    [mail] = outbox(to="camille@example.org")
    assert mail.kind == "account_confirmation"


def test_signup_refuses_short_or_trivial_password(client):
    short = _signup(client, password="court")
    assert short.status_code == 422
    assert "at least 10 characters" in short.get_data(as_text=True)
    trivial = _signup(client, password="aaaaaaaaaaaa")
    assert trivial.status_code == 422
    same_as_email = _signup(
        client, email="tomatesetcourgettes@example.org", password="tomatesetcourgettes"
    )
    assert same_as_email.status_code == 422
    assert _user("camille@example.org") is None


def test_confirmation_link_tampered_or_expired_is_refused(client):
    _signup(client)
    [mail] = outbox()
    path = link_path(mail)
    bad = client.get(path[:-3] + "xyz")
    assert bad.status_code == 302
    assert "/confirm/resend" in bad.headers["Location"]
    with time_machine.travel(utcnow() + timedelta(days=4)):
        expired = client.get(path, follow_redirects=True)
    assert "This link has expired" in expired.get_data(as_text=True)
    assert _user("camille@example.org").email_confirmed_at is None


def test_resend_confirmation_says_the_same_for_unknown_addresses(client):
    _signup(client)
    known = client.post("/confirm/resend", data={"email": "camille@example.org"})
    unknown = client.post("/confirm/resend", data={"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert outbox(to="nobody@example.org") == []
    # the same ten minutes: no second message (the form cannot be used to flood a mailbox)
    assert len(outbox(to="camille@example.org")) == 1


def test_login_refuses_unconfirmed_address_with_resend_link(client):
    _signup(client)
    resp = client.post(
        "/login", data={"email": "camille@example.org", "password": "tomates et courgettes"}
    )
    assert resp.status_code == 403
    assert "/confirm/resend" in resp.get_data(as_text=True)
    with client.session_transaction() as sess:
        assert "_user_id" not in sess


def test_login_wrong_password_and_unknown_email_get_the_same_answer(client):
    UserFactory(email="camille@example.org")
    db.session.commit()
    wrong = client.post("/login", data={"email": "camille@example.org", "password": "nope"})
    unknown = client.post("/login", data={"email": "x@example.org", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 422
    assert "Wrong e-mail address or password." in wrong.get_data(as_text=True)
    assert "Wrong e-mail address or password." in unknown.get_data(as_text=True)
    assert db.session.scalar(select(func.count(LoginAttempt.id))) == 2


def test_login_success_regenerates_session_keeps_language_and_follows_safe_next(client):
    user = UserFactory(email="camille@example.org")
    db.session.commit()
    with client.session_transaction() as sess:
        sess["csrf_token"] = "planted-by-attacker"
        sess["_user_id"] = "999999"
    resp = client.post(
        "/login",
        data={"email": "Camille@example.org", "password": PASSWORD, "next": "/orders"},
    )
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/orders"
    with client.session_transaction() as sess:
        assert sess["_user_id"] == user.get_id()
        assert sess.get("csrf_token") != "planted-by-attacker"
        assert sess["lang"] == "en"
    db.session.refresh(user)
    assert user.last_login_at is not None


def test_login_ignores_offsite_next(client):
    UserFactory(email="camille@example.org")
    db.session.commit()
    resp = client.post(
        "/login",
        data={"email": "camille@example.org", "password": PASSWORD, "next": "//evil.example/x"},
    )
    assert resp.status_code == 302
    assert "evil" not in resp.headers["Location"]


def test_login_is_rate_limited_per_email_with_429(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_MAX_ATTEMPTS", 3)
    UserFactory(email="camille@example.org")
    db.session.commit()
    for _ in range(3):
        resp = client.post("/login", data={"email": "camille@example.org", "password": "bad"})
        assert resp.status_code == 422
    blocked = client.post("/login", data={"email": "camille@example.org", "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Too many failed attempts" in blocked.get_data(as_text=True)
    assert 0 < int(blocked.headers["Retry-After"]) <= 15 * 60
    with client.session_transaction() as sess:
        assert "_user_id" not in sess
    with time_machine.travel(utcnow() + timedelta(minutes=16)):
        later = client.post("/login", data={"email": "camille@example.org", "password": PASSWORD})
    assert later.status_code == 302


def test_login_is_rate_limited_per_ip_across_emails(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_MAX_ATTEMPTS", 10)
    monkeypatch.setitem(app.config, "LOGIN_MAX_ATTEMPTS_PER_IP", 4)
    UserFactory(email="camille@example.org")
    db.session.commit()
    for n in range(4):
        client.post("/login", data={"email": f"guess{n}@example.org", "password": "bad"})
    blocked = client.post("/login", data={"email": "camille@example.org", "password": PASSWORD})
    assert blocked.status_code == 429
    other_ip = client.post(
        "/login",
        data={"email": "camille@example.org", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.9.8.7"},
    )
    assert other_ip.status_code == 302


def test_logout_needs_post_and_clears_the_session(client, login_as):
    user = UserFactory()
    db.session.commit()
    login_as(user)
    assert client.get("/logout").status_code == 405
    resp = client.post("/logout")
    assert resp.status_code == 302
    with client.session_transaction() as sess:
        assert "_user_id" not in sess
        assert sess["lang"] == "en"
    assert client.get("/account").status_code == 302


def test_password_reset_flow_is_single_use(client):
    user = UserFactory(email="camille@example.org")
    db.session.commit()
    unknown = client.post("/password/forgot", data={"email": "nobody@example.org"})
    assert unknown.status_code == 200
    resp = client.post("/password/forgot", data={"email": "camille@example.org"})
    assert resp.status_code == 200
    assert outbox(to="nobody@example.org") == []
    [mail] = outbox(to="camille@example.org", kind="password_reset")
    path = link_path(mail)
    assert client.get(path).status_code == 200
    weak = client.post(path, data={"password": "short"})
    assert weak.status_code == 422
    done = client.post(path, data={"password": NEW_PASSWORD})
    assert done.status_code == 302
    assert "/login" in done.headers["Location"]
    again = client.post(path, data={"password": "another long password"})
    assert again.status_code == 302
    assert "/password/forgot" in again.headers["Location"]
    login_old = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert login_old.status_code == 422
    login_new = client.post("/login", data={"email": user.email, "password": NEW_PASSWORD})
    assert login_new.status_code == 302


def test_password_reset_link_expires_after_an_hour(client):
    UserFactory(email="camille@example.org")
    db.session.commit()
    client.post("/password/forgot", data={"email": "camille@example.org"})
    path = link_path(outbox(kind="password_reset")[0])
    with time_machine.travel(utcnow() + timedelta(minutes=61)):
        resp = client.post(path, data={"password": NEW_PASSWORD}, follow_redirects=True)
    assert "This link has expired" in resp.get_data(as_text=True)


def test_csrf_token_is_required_when_protection_is_on(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    UserFactory(email="camille@example.org")
    db.session.commit()
    resp = client.post("/login", data={"email": "camille@example.org", "password": PASSWORD})
    assert resp.status_code == 400
    with client.session_transaction() as sess:
        assert "_user_id" not in sess


def test_pages_are_french_by_default(client):
    with client.session_transaction() as sess:
        sess.pop("lang", None)
    html = client.get("/signup").get_data(as_text=True)
    assert "Créer votre compte" in html
    assert "Mot de passe" in html


def test_changing_the_password_signs_out_other_sessions_but_keeps_this_one(app, client, db_session):
    user = UserFactory(email="deux.sessions@example.org")
    db_session.commit()
    other = app.test_client()
    for browser in (client, other):
        response = browser.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302
    assert other.get("/account").status_code == 200

    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert client.get("/account").status_code == 200  # the session that changed it stays in
    response = other.get("/account")  # the other browser is signed out
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_signing_up_on_the_way_to_the_checkout_leads_back_there(client):
    going = "/cycles/7/checkout?step=pickup"
    login_page = client.get("/login", query_string={"next": going}).get_data(as_text=True)
    # the page's own "Sign up" link (the header's has no destination)
    [signup_link] = re.findall(r'href="(/signup\?[^"]*)"', login_page)
    assert "next=" in signup_link
    form = client.get(html.unescape(signup_link)).get_data(as_text=True)
    # the signup form's own field (the header's language switch has one too)
    assert re.search(r'id="next" name="next"[^>]*value="([^"]*)"', form).group(1) == html.escape(
        going
    )
    resp = client.post(
        "/signup",
        data={
            "full_name": "Camille",
            "email": "camille@example.org",
            "password": "tomates et courgettes",
            "locale": "fr",
            "next": going,
        },
    )
    assert resp.status_code == 200
    [mail] = outbox(to="camille@example.org")
    confirmed = client.get(link_path(mail))
    assert confirmed.status_code == 302
    login_url = urlsplit(confirmed.headers["Location"])
    assert login_url.path == "/login"
    assert parse_qs(login_url.query) == {"email": ["camille@example.org"], "next": [going]}
    logged_in = client.post(
        "/login",
        data={"email": "camille@example.org", "password": "tomates et courgettes", "next": going},
    )
    assert logged_in.status_code == 302
    assert logged_in.headers["Location"] == going


def test_a_next_to_another_site_is_dropped_on_the_way_through_signup(client):
    resp = client.post(
        "/signup",
        data={
            "full_name": "Camille",
            "email": "camille@example.org",
            "password": "tomates et courgettes",
            "locale": "fr",
            "next": "https://evil.example/phish",
        },
    )
    assert resp.status_code == 200
    [mail] = outbox(to="camille@example.org")
    assert "evil" not in mail.body_text
    path = link_path(mail)
    confirmed = client.get(path + "?next=//evil.example/phish")  # a tampered link
    assert parse_qs(urlsplit(confirmed.headers["Location"]).query) == {
        "email": ["camille@example.org"]
    }
