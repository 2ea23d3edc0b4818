"""AppTest helpers: the app over a fresh SQLite database with one account per role.

AppTest runs with an explicit, generous timeout: its default of 3 s is a hidden
wall-clock assertion on a noisy machine.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.db import engine_for
from dashboard.schema import metadata
from dashboard.ui import data
from tests.builders import Builder

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
TIMEOUT_S = 120
PASSWORD = "correct horse battery"
ROLES = ("ops", "privacy", "founder", "admin")


def email_of(role: str) -> str:
    return f"{role}@zivo.test"


@pytest.fixture
def app_db(tmp_path, monkeypatch):
    """An empty CRM database with one local account per role, which the app will use."""
    url = f"sqlite:///{tmp_path / 'crm.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("ZIVO_SECRETS_FILE", str(tmp_path / "no-secrets.toml"))
    monkeypatch.delenv("ZIVO_NOW", raising=False)
    engine = engine_for(url)
    metadata.create_all(engine)
    builder = Builder(engine)
    for role in ROLES:
        builder.backoffice_user(email_of(role), role, PASSWORD)
    data.clear()
    yield builder
    engine.dispose()


def new_app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=TIMEOUT_S)


def sign_in(at: AppTest, email: str, password: str = PASSWORD) -> AppTest:
    if not at.text_input:  # first run draws the sign-in form
        at.run()
    at.text_input(key="sign_in_email").input(email)
    at.text_input(key="sign_in_password").input(password)
    return at.button[0].click().run()


def signed_in(role: str) -> AppTest:
    at = sign_in(new_app(), email_of(role))
    assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> str:
    """Everything the page shows as text, for 'is this shown anywhere' checks."""
    parts = [e.value for kind in ("markdown", "caption", "title", "header", "subheader", "error",
                                   "warning", "info", "success") for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    return "\n".join(str(p) for p in parts)
