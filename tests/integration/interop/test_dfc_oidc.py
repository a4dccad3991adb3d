"""OpenID Connect access tokens on the DFC API (interop.oidc): a key pair made here, its JWKS
served by the test itself on 127.0.0.1 (as Keycloak serves ``/protocol/openid-connect/certs``)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from dfc_support import body, ofn_post

from core.db import db
from interop.models import OidcIdentity, ReceivedOrder

API = "/api/dfc/enterprises"
ISSUER = "https://login.example/auth/realms/data-food-consortium"
KID = "test-key-1"


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def signing_key():
    return _key()


@pytest.fixture
def jwks_server(signing_key):
    """Serve the public key as a JWKS on 127.0.0.1 (a free port); stopped after the test."""
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(signing_key.public_key()))
    jwks = json.dumps({"keys": [{**jwk, "kid": KID, "use": "sig", "alg": "RS256"}]}).encode()
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(jwks)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/certs", hits
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def oidc(app, monkeypatch, jwks_server):
    url, hits = jwks_server
    monkeypatch.setitem(app.config, "DFC_OIDC_ISSUER", ISSUER)
    monkeypatch.setitem(app.config, "DFC_OIDC_JWKS_URL", url)
    monkeypatch.setitem(app.config, "DFC_OIDC_AUDIENCE", "comptoir")
    monkeypatch.setitem(
        app.config,
        "DFC_OIDC_PLATFORMS",
        {
            "ofn-uk": {"name": "Open Food Network UK", "scopes": ["read", "write"]},
            "reader": {"name": "A directory", "scopes": ["read"]},
        },
    )
    return hits


def make_token(key, user=None, *, kid=KID, algorithm="RS256", **claims) -> str:
    now = int(time.time())
    payload = {
        "iss": ISSUER,
        "aud": "comptoir",
        "sub": "f3a1c2d4-kc-subject",
        "azp": "ofn-uk",
        "iat": now,
        "exp": now + 300,
        "email": user.email if user is not None else "nobody@example.org",
        "email_verified": True,
        **claims,
    }
    payload = {k: v for k, v in payload.items() if v is not None}
    return jwt.encode(payload, key, algorithm=algorithm, headers={"kid": kid})


def bearer(raw: str) -> dict[str, str]:
    # errors asserted in one pinned language (English)
    return {"Authorization": f"Bearer {raw}", "Accept-Language": "en"}


def test_a_valid_token_is_accepted_and_links_the_subject(client, world, oidc, signing_key):
    raw = make_token(signing_key, world.hub_manager)
    response = client.get("/api/dfc/persons/me", headers=bearer(raw))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert body(response)["@id"].endswith(f"/persons/{world.hub_manager.id}")
    assert oidc, "the JWKS was read from the test's server"
    (identity,) = db.session.query(OidcIdentity).all()
    assert (identity.issuer, identity.subject) == (ISSUER, "f3a1c2d4-kc-subject")
    assert identity.user_id == world.hub_manager.id

    # the subject is now known: a later token without an e-mail still maps to the account
    again = make_token(signing_key, email=None, email_verified=None)
    assert client.get("/api/dfc/persons/me", headers=bearer(again)).status_code == 200


def test_an_ofn_hub_sends_its_order_with_an_oidc_token(client, world, oidc, signing_key):
    raw = make_token(signing_key, world.hub_manager)
    response = client.post(
        f"{API}/{world.producer.id}/orders", data=ofn_post(world), headers=bearer(raw)
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    (received,) = db.session.query(ReceivedOrder).all()
    assert received.platform == "Open Food Network UK"

    # a platform allowed to read only cannot send orders
    reader = make_token(signing_key, world.hub_manager, azp="reader", sub="other-subject")
    refused = client.post(
        f"{API}/{world.producer.id}/orders", data=ofn_post(world, beans=2), headers=bearer(reader)
    )
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "insufficient_scope"


@pytest.mark.parametrize(
    ("forge", "code", "words"),
    [
        (lambda key, user: make_token(_key(), user), "invalid_token", "signature"),
        (
            lambda key, user: make_token(key, user, iss="https://evil.example/realms/x"),
            "invalid_token",
            "issuer",
        ),
        (lambda key, user: make_token(key, user, aud="someone-else"), "invalid_token", "audience"),
        (
            lambda key, user: make_token(
                key, user, exp=int(time.time()) - 3600, iat=int(time.time()) - 7200
            ),
            "invalid_token",
            "expired",
        ),
        (lambda key, user: make_token(key, user, kid="unknown-kid"), "invalid_token", "signature"),
        (
            lambda key, user: make_token(key, user, azp="stranger-app"),
            "unknown_platform",
            "platform",
        ),
        (lambda key, user: make_token(key, None), "unknown_account", "account"),
        (
            lambda key, user: make_token(key, user, email_verified=False),
            "unknown_account",
            "account",
        ),
        (
            lambda key, user: jwt.encode(
                {
                    "iss": ISSUER,
                    "aud": "comptoir",
                    "sub": "x",
                    "azp": "ofn-uk",
                    "exp": int(time.time()) + 60,
                },
                "a-shared-secret-of-32-bytes-long!",
                algorithm="HS256",
                headers={"kid": KID},
            ),
            "invalid_token",
            "signature",
        ),
    ],
    ids=[
        "other-key",
        "issuer",
        "audience",
        "expired",
        "unknown-kid",
        "platform",
        "no-account",
        "unverified-email",
        "hs256",
    ],
)
def test_a_forged_token_is_refused_with_401_and_a_clear_error(
    client, world, oidc, signing_key, forge, code, words
):
    raw = forge(signing_key, world.hub_manager)
    response = client.get(f"{API}/{world.producer.id}/catalog_items", headers=bearer(raw))
    assert response.status_code == 401
    error = response.get_json()["error"]
    assert error["code"] == code
    assert words in error["message"]
    french = client.get(
        f"{API}/{world.producer.id}/catalog_items",
        headers={**bearer(raw), "Accept-Language": "fr"},
    )
    assert french.get_json()["error"]["message"] != error["message"]  # in the reader's language
    assert db.session.query(OidcIdentity).count() == 0


def test_api_tokens_still_work_beside_oidc(client, world, oidc):
    from dfc_support import token

    assert (
        client.get(f"{API}/{world.producer.id}", headers=token(world.stranger)).status_code == 200
    )
