"""Local back-office accounts: sign-in with lockout, and creating an account.

The sign-in table is the one thing besides read-side objects that the back-office
writes directly (DESIGN.md): a failed attempt and a lockout must be recorded even when
the core service is down. Everything else about accounts (disable, unlock, reset, change
role) is an action through the core.

Messages never say whether an email exists, except for a locked or disabled account,
whose owner needs to know what to do next; that is the usual trade for an internal tool.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

from dashboard import clock
from dashboard.auth import passwords
from dashboard.auth.roles import ROLES, SignedInUser
from dashboard.schema import backoffice_users

WRONG_CREDENTIALS = "That email and password do not match an account."


@dataclass(frozen=True)
class SignInResult:
    user: SignedInUser | None
    message: str | None  # why sign-in failed, safe to show
    locked_now: bool = False  # this attempt locked the account
    # The account the attempt was about, when the email names one: for the audit log.
    account_id: int | None = None
    account_role: str | None = None

    @property
    def ok(self) -> bool:
        return self.user is not None


class AccountError(ValueError):
    """An account cannot be created as asked; the message says why."""


def sign_in(
    engine: Engine,
    email: str,
    password: str,
    *,
    max_attempts: int,
    lockout: timedelta,
    now: datetime | None = None,
) -> SignInResult:
    now = now or clock.utcnow()
    email = email.strip().lower()
    with engine.begin() as conn:
        row = conn.execute(
            select(backoffice_users).where(backoffice_users.c.email == email)
        ).mappings().first()
        if row is None:
            passwords.verify(None, password)  # same time as a known email
            return SignInResult(None, WRONG_CREDENTIALS)
        known = {"account_id": row["id"], "account_role": row["role"]}
        if row["disabled"]:
            return SignInResult(None, "This account is disabled. Ask an admin to enable it.", **known)
        if row["locked_until"] is not None and row["locked_until"] > now:
            return SignInResult(None, _locked_message(row["locked_until"]), **known)
        if passwords.verify(row["password_hash"], password):
            conn.execute(
                update(backoffice_users)
                .where(backoffice_users.c.id == row["id"])
                .values(failed_logins=0, locked_until=None)
            )
            user = SignedInUser(row["email"], row["name"], row["role"], "local")
            return SignInResult(user, None, **known)
        failed = row["failed_logins"] + 1
        if failed >= max_attempts:
            until = now + lockout
            conn.execute(
                update(backoffice_users)
                .where(backoffice_users.c.id == row["id"])
                .values(failed_logins=0, locked_until=until)
            )
            return SignInResult(None, _locked_message(until), locked_now=True, **known)
        conn.execute(
            update(backoffice_users)
            .where(backoffice_users.c.id == row["id"])
            .values(failed_logins=backoffice_users.c.failed_logins + 1)
        )
        return SignInResult(None, WRONG_CREDENTIALS, **known)


def refreshed(engine: Engine, user: SignedInUser) -> SignedInUser | None:
    """The signed-in local user as the account stands now: None once it is disabled or
    gone, with its new role after a change. A session must not outlive its rights."""
    with engine.connect() as conn:
        row = conn.execute(
            select(backoffice_users.c.role, backoffice_users.c.disabled, backoffice_users.c.name)
            .where(backoffice_users.c.email == user.email)
        ).first()
    if row is None or row.disabled:
        return None
    return SignedInUser(user.email, row.name, row.role, user.via)


def _locked_message(until: datetime) -> str:
    return (
        "This account is locked after too many failed sign-ins. "
        f"Try again after {clock.format_ist(until, '%H:%M')} IST, or ask an admin to unlock it."
    )


def create(engine: Engine, *, email: str, name: str, role: str, password: str) -> int:
    """Create a local account; raise ``AccountError`` when the input is not acceptable."""
    email = email.strip().lower()
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        raise AccountError(f"{email!r} is not an email address.")
    if role not in ROLES:
        raise AccountError(f"A role is one of {', '.join(ROLES)}, not {role!r}.")
    if reason := passwords.weakness(password):
        raise AccountError(reason)
    with engine.begin() as conn:
        exists = conn.execute(
            select(backoffice_users.c.id).where(backoffice_users.c.email == email)
        ).first()
        if exists:
            raise AccountError(f"An account for {email} exists already.")
        return conn.execute(
            insert(backoffice_users).values(
                email=email,
                name=name.strip() or email,
                role=role,
                password_hash=passwords.hash_password(password),
                created_at=clock.utcnow(),
            )
        ).inserted_primary_key[0]
