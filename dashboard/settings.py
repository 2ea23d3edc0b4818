"""Typed settings from the environment and ``.streamlit/secrets.toml``, validated at start.

An environment variable wins over the same key in secrets.toml, so a deployment can
override one value without editing the file. The secrets file is read with ``tomllib``
rather than ``st.secrets`` so the command line (``python -m dashboard …``) and the app
see the same values, and so that tests can point the app elsewhere with an environment
variable (AppTest's ``at.secrets`` does not reach ``st.connection``).

Nothing here may log a secret: ``Settings.__repr__`` hides them.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

ROOT = Path(__file__).resolve().parent.parent
DEMO_DATABASE_PATH = ROOT / "var" / "zivo-demo.sqlite3"
DEFAULT_DATABASE_URL = f"sqlite:///{DEMO_DATABASE_PATH}"
SECRETS_PATH = ROOT / ".streamlit" / "secrets.toml"

from dashboard.auth.roles import ROLES  # noqa: E402  (one list of roles)


class SettingsError(ValueError):
    """A setting is missing or malformed; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    read_database_url: str | None
    core_api_url: str | None
    core_api_token: str | None = field(repr=False)
    # HttpCoreClient: seconds to connect, to wait for a response, and the most it spends
    # on retries of one action before it gives up and says so.
    core_connect_timeout_s: float
    core_read_timeout_s: float
    core_retry_budget_s: float
    idle_timeout_minutes: int
    lockout_attempts: int
    lockout_minutes: int
    # Seconds between the Integration health page's refreshes of itself.
    health_refresh_seconds: int
    # OIDC through st.login is on when secrets.toml has an [auth] section.
    oidc_enabled: bool
    # email (lower case) -> role, for identities that sign in through OIDC.
    oidc_roles: dict[str, str] = field(repr=False)
    # Anthropic Admin API key (or one with read:analytics): reconciles AI usage with
    # Anthropic's own reports. Optional: without it the AI usage page says how to set it.
    anthropic_admin_key: str | None = field(repr=False)
    # The Grievance Officer's name/email/phone, over the defaults in
    # dashboard/policy/requests/config.py: every message to a requester carries them.
    grievance_officer: dict[str, str] = field(default_factory=dict)

    @property
    def is_embedded_demo(self) -> bool:
        return self.database_url == DEFAULT_DATABASE_URL


def _secrets_file() -> dict:
    path = Path(os.environ.get("ZIVO_SECRETS_FILE", SECRETS_PATH))
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"{path} is not valid TOML: {error}") from None


def _database_url(name: str, raw: str | None) -> str | None:
    if raw is None or raw == "":
        return None
    try:
        url = make_url(raw)
    except ArgumentError:
        raise SettingsError(
            f"{name} is malformed. Expected e.g. postgresql+psycopg://user:pass@host:5432/db "
            "or sqlite:///path/to/file.sqlite3."
        ) from None
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise SettingsError(
            f"{name} names the {url.get_backend_name()!r} database; "
            "the back-office runs on PostgreSQL or SQLite."
        )
    if url.get_backend_name() == "postgresql" and url.get_driver_name() != "psycopg":
        raise SettingsError(f"{name} must use the psycopg driver: postgresql+psycopg://…")
    return raw


def _int(name: str, raw: object, default: int, minimum: int = 1) -> int:
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise SettingsError(f"{name} must be a whole number, not {raw!r}.") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}.")
    return value


def _float(name: str, raw: object, default: float) -> float:
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise SettingsError(f"{name} must be a number of seconds, not {raw!r}.") from None
    if value <= 0:
        raise SettingsError(f"{name} must be more than 0 seconds.")
    return value


def load() -> Settings:
    """Read and validate every setting; raise ``SettingsError`` with a fix on bad input."""
    secrets = _secrets_file()

    def get(key: str) -> object:
        return os.environ.get(key, secrets.get(key))

    oidc_roles = {}
    for email, role in (secrets.get("roles") or {}).items():
        if role not in ROLES:
            raise SettingsError(
                f"[roles] maps {email!r} to {role!r}; a role is one of {', '.join(ROLES)}."
            )
        oidc_roles[email.strip().lower()] = role

    return Settings(
        database_url=_database_url("DATABASE_URL", get("DATABASE_URL")) or DEFAULT_DATABASE_URL,
        read_database_url=_database_url("READ_DATABASE_URL", get("READ_DATABASE_URL")),
        core_api_url=(str(get("CORE_API_URL")) if get("CORE_API_URL") else None),
        core_api_token=(str(get("CORE_API_TOKEN")) if get("CORE_API_TOKEN") else None),
        core_connect_timeout_s=_float("CORE_CONNECT_TIMEOUT_S", get("CORE_CONNECT_TIMEOUT_S"), 3.0),
        core_read_timeout_s=_float("CORE_READ_TIMEOUT_S", get("CORE_READ_TIMEOUT_S"), 10.0),
        core_retry_budget_s=_float("CORE_RETRY_BUDGET_S", get("CORE_RETRY_BUDGET_S"), 20.0),
        idle_timeout_minutes=_int("IDLE_TIMEOUT_MINUTES", get("IDLE_TIMEOUT_MINUTES"), 30),
        lockout_attempts=_int("LOCKOUT_ATTEMPTS", get("LOCKOUT_ATTEMPTS"), 5),
        lockout_minutes=_int("LOCKOUT_MINUTES", get("LOCKOUT_MINUTES"), 15),
        health_refresh_seconds=_int("HEALTH_REFRESH_SECONDS", get("HEALTH_REFRESH_SECONDS"), 60,
                                    minimum=10),
        oidc_enabled=bool(secrets.get("auth")),
        oidc_roles=oidc_roles,
        anthropic_admin_key=(str(get("ANTHROPIC_ADMIN_KEY")) if get("ANTHROPIC_ADMIN_KEY") else None),
        grievance_officer=_grievance_officer(secrets),
    )


def _grievance_officer(secrets: dict) -> dict[str, str]:
    """``[grievance_officer]`` name/email/phone in secrets.toml, each overridden by
    GRIEVANCE_OFFICER_NAME/_EMAIL/_PHONE."""
    section = secrets.get("grievance_officer") or {}
    if not isinstance(section, dict):
        raise SettingsError("[grievance_officer] in secrets.toml is a table: name, email, phone.")
    values = {}
    for key in ("name", "email", "phone"):
        value = os.environ.get(f"GRIEVANCE_OFFICER_{key.upper()}", section.get(key))
        if value:
            values[key] = str(value)
    return values
