"""Which core the app gets, and the server refusing to run open."""

from __future__ import annotations

import dataclasses

import pytest

from dashboard import settings as settings_module
from dashboard.core import core_for, server
from dashboard.core.http import HttpCoreClient
from dashboard.core.local import LocalCore
from dashboard.settings import SettingsError


@pytest.fixture
def settings(monkeypatch, tmp_path) -> settings_module.Settings:
    monkeypatch.setenv("ZIVO_SECRETS_FILE", str(tmp_path / "absent.toml"))
    for name in ("CORE_API_URL", "CORE_API_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'crm.sqlite3'}")
    return settings_module.load()


def test_without_a_core_url_the_app_acts_through_local_core(settings):
    assert isinstance(core_for(settings), LocalCore)


def test_with_a_core_url_the_app_calls_the_admin_api(settings):
    configured = dataclasses.replace(settings, core_api_url="https://core.internal",
                                     core_api_token="secret")

    client = core_for(configured)

    assert isinstance(client, HttpCoreClient)
    client.close()


def test_a_core_url_without_a_token_is_a_settings_error(settings):
    with pytest.raises(SettingsError, match="CORE_API_TOKEN"):
        core_for(dataclasses.replace(settings, core_api_url="https://core.internal"))


def test_the_server_does_not_start_without_a_token(settings, capsys):
    assert server.main(["--port", "0"]) == 2
    assert "CORE_API_TOKEN" in capsys.readouterr().err
