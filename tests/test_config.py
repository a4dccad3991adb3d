"""Configuration: no instance starts with a public or weak secret key (issue 17.2); only an
explicit, local development instance runs without one (it generates its own); the demo data,
which creates an admin with a published password, loads only there."""

from __future__ import annotations

import secrets
import stat

import pytest

from core.config import (
    DEV_SECRET_KEY,
    ConfigError,
    check_secret_key,
    from_env,
    is_development,
    key_entropy_bits,
)

STRONG = secrets.token_urlsafe(48)
LOCAL = "http://127.0.0.1:8000"


def _config(env: str | None, key: str = "", base_url: str = LOCAL) -> dict:
    return {"ENV_NAME": env, "SECRET_KEY": key, "BASE_URL": base_url}


@pytest.mark.parametrize(
    "key",
    [
        DEV_SECRET_KEY,
        "short",
        "a" * 32,
        "x" * 48,
        "ab" * 32,
        "abcdabcd" * 4,
    ],
)
@pytest.mark.parametrize("env", ["production", "development", "staging", "test"])
def test_a_public_short_or_low_entropy_key_is_refused_everywhere(env, key, tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY is too weak"):
        check_secret_key(_config(env, key), tmp_path)


@pytest.mark.parametrize(
    "key",
    [
        STRONG,
        secrets.token_hex(16),
        secrets.token_hex(32),
        "test-secret-key-with-enough-length-0123456789",
    ],
)
def test_a_random_key_is_accepted(key, tmp_path):
    config = _config("production", key, "https://comptoir.example")
    check_secret_key(config, tmp_path)
    assert config["SECRET_KEY"] == key


def test_entropy_estimate():
    assert key_entropy_bits("a" * 32) == 0
    assert key_entropy_bits("ab" * 16) == 32
    assert key_entropy_bits(secrets.token_urlsafe(48)) > 250


@pytest.mark.parametrize(
    ("env", "base_url"),
    [
        ("production", LOCAL),
        (None, LOCAL),  # unset: production
        ("", LOCAL),
        ("staging", LOCAL),
        ("Production", LOCAL),
        ("prod", LOCAL),
        ("test", LOCAL),
        ("development", "https://comptoir.example"),  # development, but served publicly
        ("development", "http://192.168.1.20:8000"),
    ],
)
def test_without_a_key_only_a_local_development_instance_starts(env, base_url, tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY is missing"):
        check_secret_key(_config(env, "", base_url), tmp_path)
    assert not (tmp_path / "secret_key").exists()


def test_a_local_development_instance_generates_its_own_key_once(tmp_path):
    first = _config("development")
    check_secret_key(first, tmp_path / "instance")
    key = first["SECRET_KEY"]
    assert key != DEV_SECRET_KEY
    assert len(key) >= 64
    stored = tmp_path / "instance" / "secret_key"
    assert stored.read_text() == key
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    again = _config("development", base_url="http://localhost:5000")
    check_secret_key(again, tmp_path / "instance")
    assert again["SECRET_KEY"] == key  # every worker and every restart signs alike


def test_unset_environment_means_production(monkeypatch):
    monkeypatch.delenv("COMPTOIR_ENV", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    config = from_env()
    assert config["ENV_NAME"] == "production"
    assert config["SECRET_KEY"] == ""
    assert not is_development(config)


def test_create_app_refuses_to_start_without_a_key_unless_local_development(monkeypatch, tmp_path):
    from app import create_app

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("UPLOAD_FOLDER", str(tmp_path / "uploads"))
    monkeypatch.delenv("COMPTOIR_ENV", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY is missing"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    monkeypatch.setenv("COMPTOIR_ENV", "staging")
    with pytest.raises(ConfigError, match="SECRET_KEY is missing"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    monkeypatch.setenv("COMPTOIR_ENV", "development")
    monkeypatch.setenv("BASE_URL", "https://shop.example.org")
    with pytest.raises(ConfigError, match="not local"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    monkeypatch.setenv("SERVER_SOFTWARE", "gunicorn/23.0.0")
    monkeypatch.setenv("BASE_URL", "http://127.0.0.1:8000")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SECRET_KEY"] == (tmp_path / "secret_key").read_text()


def test_demo_seed_refuses_to_run_outside_local_development(app):
    for env, base_url in (
        ("test", "http://comptoir.test"),
        ("production", LOCAL),
        ("development", "https://comptoir.example"),
    ):
        app.config.update(ENV_NAME=env, BASE_URL=base_url)
        try:
            result = app.test_cli_runner().invoke(args=["demo", "seed"])
        finally:
            app.config.update(ENV_NAME="test", BASE_URL="http://comptoir.test")
        assert result.exit_code != 0, (env, base_url)
        assert "local development instance only" in result.output


def test_database_url_from_heroku_style_postgres_url(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.example:5432/comptoir")
    assert from_env()["SQLALCHEMY_DATABASE_URI"] == (
        "postgresql+psycopg://u:p@db.example:5432/comptoir"
    )


def test_default_database_is_a_sqlite_file_under_instance(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert from_env()["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert from_env()["SQLALCHEMY_DATABASE_URI"].endswith("instance/comptoir.sqlite3")
