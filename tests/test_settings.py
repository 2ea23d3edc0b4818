"""Settings come from the environment over secrets.toml and are refused with a fix when wrong."""

import pytest

from dashboard import settings


@pytest.fixture(autouse=True)
def no_secrets_file(tmp_path, monkeypatch):
    for key in ("DATABASE_URL", "READ_DATABASE_URL", "CORE_API_URL", "IDLE_TIMEOUT_MINUTES"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("ZIVO_SECRETS_FILE", str(tmp_path / "secrets.toml"))
    return tmp_path / "secrets.toml"


def test_without_configuration_the_embedded_demo_is_used():
    current = settings.load()
    assert current.database_url == settings.DEFAULT_DATABASE_URL and current.is_embedded_demo
    assert current.idle_timeout_minutes == 30 and current.lockout_attempts == 5
    assert not current.oidc_enabled


@pytest.mark.parametrize(
    "url, says",
    [
        ("not a url", "DATABASE_URL is malformed"),
        ("mysql://root@localhost/crm", "runs on PostgreSQL or SQLite"),
        ("postgresql+psycopg2://u@localhost/crm", "psycopg driver"),
    ],
)
def test_a_bad_database_url_is_refused_with_the_fix(monkeypatch, url, says):
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(settings.SettingsError, match=says):
        settings.load()


def test_the_environment_wins_over_the_secrets_file(no_secrets_file, monkeypatch):
    no_secrets_file.write_text('DATABASE_URL = "sqlite:///from-file.db"\nIDLE_TIMEOUT_MINUTES = 10\n')
    monkeypatch.setenv("DATABASE_URL", "sqlite:///from-env.db")
    current = settings.load()
    assert current.database_url == "sqlite:///from-env.db"
    assert current.idle_timeout_minutes == 10


def test_oidc_roles_map_emails_case_insensitively(no_secrets_file):
    no_secrets_file.write_text(
        '[auth]\nredirect_uri = "http://x/oauth2callback"\n[roles]\n"Asha@Zivocrm.in" = "privacy"\n'
    )
    current = settings.load()
    assert current.oidc_enabled and current.oidc_roles == {"asha@zivocrm.in": "privacy"}


def test_an_unknown_role_in_the_map_is_refused(no_secrets_file):
    no_secrets_file.write_text('[roles]\n"a@zivocrm.in" = "owner"\n')
    with pytest.raises(settings.SettingsError, match="a role is one of"):
        settings.load()


def test_secrets_never_appear_in_the_settings_repr(monkeypatch):
    monkeypatch.setenv("CORE_API_TOKEN", "s3cret-token")
    assert "s3cret-token" not in repr(settings.load())


def test_the_health_page_refreshes_every_minute_unless_told_and_never_frantically(monkeypatch):
    assert settings.load().health_refresh_seconds == 60
    monkeypatch.setenv("HEALTH_REFRESH_SECONDS", "30")
    assert settings.load().health_refresh_seconds == 30
    monkeypatch.setenv("HEALTH_REFRESH_SECONDS", "5")
    with pytest.raises(settings.SettingsError, match="HEALTH_REFRESH_SECONDS must be at least 10"):
        settings.load()
