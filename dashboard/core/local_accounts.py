"""LocalCore's back-office account actions: each runs inside the transaction LocalCore opens.

Messages and details name an account by id and role only: they are audited, and a
refusal's message is stored with it. A password or its hash never leaves this module.
"""

from __future__ import annotations

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection, RowMapping

from dashboard import clock
from dashboard.auth import passwords
from dashboard.auth.roles import ROLES
from dashboard.core import records
from dashboard.core.errors import Conflict, RefusedByPolicy, ValidationFailed
from dashboard.core.models import ActionResult, Actor
from dashboard.schema import backoffice_users

NOUN = "account"
TARGET = "backoffice_user"


def _result(user_id: int, message: str, version: int, **detail) -> ActionResult:
    return ActionResult(True, message, TARGET, str(user_id), version=version, detail=detail)


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ValidationFailed(f"A role is one of {', '.join(ROLES)}.", code="unknown_role")


def _check_password(password: str) -> None:
    if reason := passwords.weakness(password):
        raise ValidationFailed(reason, code="weak_password")


def _load(conn: Connection, user_id: int, expected_version: int) -> RowMapping:
    row = records.load(conn, backoffice_users, user_id, NOUN)
    records.check_version(row, expected_version, NOUN)
    return row


def _refuse_losing_last_admin(conn: Connection, row: RowMapping, doing: str) -> None:
    """Keep at least one enabled admin, or nobody could manage accounts any more."""
    if row["role"] != "admin" or row["disabled"]:
        return
    # Locking every enabled admin row makes two admins demoting each other take turns;
    # the second then counts one admin and is refused.
    admins = conn.execute(
        select(backoffice_users.c.id)
        .where(backoffice_users.c.role == "admin", backoffice_users.c.disabled.is_(False))
        .with_for_update()
    ).scalars().all()
    if set(admins) <= {row["id"]}:
        raise RefusedByPolicy(
            f"Account {row['id']} is the last enabled admin, so it cannot be {doing}. "
            "Make another account admin first.",
            code="last_admin",
        )


def create(
    conn: Connection, *, email: str, name: str, role: str, password: str
) -> ActionResult:
    email = email.strip().lower()
    local, _, domain = email.partition("@")
    if not local or not domain or " " in email:
        raise ValidationFailed("That is not an email address.", code="bad_email")
    _check_role(role)
    _check_password(password)
    exists = conn.execute(
        select(func.count()).select_from(backoffice_users).where(backoffice_users.c.email == email)
    ).scalar_one()
    if exists:
        raise Conflict("An account with that email exists already.", code="account_exists")
    user_id = conn.execute(
        insert(backoffice_users).values(
            email=email,
            name=name.strip() or email,
            role=role,
            password_hash=passwords.hash_password(password),
            created_at=clock.utcnow(),
            version=1,
        )
    ).inserted_primary_key[0]
    return _result(user_id, f"Created account {user_id} with the {role} role.", 1, role=role)


def disable(conn: Connection, actor: Actor, user_id: int, expected_version: int) -> ActionResult:
    row = _load(conn, user_id, expected_version)
    if row["email"] == actor.email.strip().lower():
        raise RefusedByPolicy("You cannot disable your own account; ask another admin.",
                              code="self_disable")
    if row["disabled"]:
        raise Conflict(f"Account {user_id} is disabled already.", code="invalid_state")
    _refuse_losing_last_admin(conn, row, "disabled")
    version = records.update_versioned(conn, backoffice_users, row, expected_version, NOUN,
                                       disabled=True)
    return _result(user_id, f"Disabled account {user_id}; it can no longer sign in.", version,
                   disabled=True)


def enable(conn: Connection, user_id: int, expected_version: int) -> ActionResult:
    row = _load(conn, user_id, expected_version)
    if not row["disabled"]:
        raise Conflict(f"Account {user_id} is enabled already.", code="invalid_state")
    version = records.update_versioned(conn, backoffice_users, row, expected_version, NOUN,
                                       disabled=False)
    return _result(user_id, f"Enabled account {user_id}.", version, disabled=False)


def unlock(conn: Connection, user_id: int, expected_version: int) -> ActionResult:
    row = _load(conn, user_id, expected_version)
    version = records.update_versioned(conn, backoffice_users, row, expected_version, NOUN,
                                       failed_logins=0, locked_until=None)
    return _result(user_id, f"Unlocked account {user_id}.", version)


def reset_password(
    conn: Connection, user_id: int, expected_version: int, new_password: str
) -> ActionResult:
    _check_password(new_password)
    row = _load(conn, user_id, expected_version)
    version = records.update_versioned(conn, backoffice_users, row, expected_version, NOUN,
                                       password_hash=passwords.hash_password(new_password))
    return _result(user_id, f"Set a new password for account {user_id}.", version)


def change_role(conn: Connection, user_id: int, expected_version: int, role: str) -> ActionResult:
    _check_role(role)
    row = _load(conn, user_id, expected_version)
    if row["role"] == role:
        raise Conflict(f"Account {user_id} has the {role} role already.", code="invalid_state")
    _refuse_losing_last_admin(conn, row, "given another role")
    version = records.update_versioned(conn, backoffice_users, row, expected_version, NOUN,
                                       role=role)
    return _result(user_id, f"Account {user_id} now has the {role} role.", version,
                   from_role=row["role"], role=role)
