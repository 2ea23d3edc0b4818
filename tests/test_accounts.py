"""Local sign-in: right and wrong passwords, lockout after five failures, disabled accounts."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from dashboard.auth import accounts
from dashboard.schema import backoffice_users
from tests.builders import Builder

PASSWORD = "correct horse battery"
NOW = datetime(2026, 11, 28, 10, 0)
LOCKOUT = timedelta(minutes=15)


def sign_in(engine, email="ops@zivo.in", password=PASSWORD, now=NOW):
    return accounts.sign_in(engine, email, password, max_attempts=5, lockout=LOCKOUT, now=now)


@pytest.fixture
def ops(engine):
    Builder(engine).backoffice_user("ops@zivo.in", "ops", PASSWORD)
    return engine


def test_the_right_password_signs_in_with_the_accounts_role(ops):
    result = sign_in(ops, email="  OPS@zivo.in ")
    assert result.ok and result.user.role == "ops" and result.user.via == "local"


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(ops):
    wrong = sign_in(ops, password="nope")
    unknown = sign_in(ops, email="nobody@zivo.in")
    assert not wrong.ok and not unknown.ok
    assert wrong.message == unknown.message == accounts.WRONG_CREDENTIALS


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(ops):
    results = [sign_in(ops, password=f"wrong {n}") for n in range(5)]
    assert [r.locked_now for r in results] == [False, False, False, False, True]
    locked = sign_in(ops, now=NOW + timedelta(minutes=14))
    assert not locked.ok and "locked" in locked.message and "15:45 IST" in locked.message
    assert sign_in(ops, now=NOW + timedelta(minutes=16)).ok


def test_a_success_resets_the_count_of_failures(ops):
    for n in range(4):
        sign_in(ops, password=f"wrong {n}")
    assert sign_in(ops).ok
    for n in range(4):
        assert not sign_in(ops, password=f"wrong {n}").locked_now
    with ops.connect() as conn:
        assert conn.execute(select(backoffice_users.c.failed_logins)).scalar_one() == 4


def test_a_disabled_account_cannot_sign_in(engine):
    Builder(engine).backoffice_user("gone@zivo.in", "ops", PASSWORD, disabled=True)
    result = sign_in(engine, email="gone@zivo.in")
    assert not result.ok and "disabled" in result.message


def test_creating_an_account_hashes_the_password_with_argon2id(engine):
    accounts.create(engine, email="New@Zivo.in", name="New", role="privacy", password="a long enough secret")
    with engine.connect() as conn:
        stored = conn.execute(select(backoffice_users)).mappings().one()
    assert stored["email"] == "new@zivo.in" and stored["role"] == "privacy"
    assert stored["password_hash"].startswith("$argon2id$")
    assert sign_in(engine, email="new@zivo.in", password="a long enough secret").ok


@pytest.mark.parametrize(
    "email, role, password, says",
    [
        ("not-an-email", "ops", "a long enough secret", "not an email"),
        ("x@zivo.in", "superuser", "a long enough secret", "role is one of"),
        ("x@zivo.in", "ops", "short", "at least 15"),
    ],
)
def test_creating_an_account_refuses_bad_input(engine, email, role, password, says):
    with pytest.raises(accounts.AccountError, match=says):
        accounts.create(engine, email=email, name="", role=role, password=password)


def test_creating_an_account_twice_is_refused(engine):
    accounts.create(engine, email="x@zivo.in", name="X", role="ops", password="a long enough secret")
    with pytest.raises(accounts.AccountError, match="exists already"):
        accounts.create(engine, email="X@zivo.in", name="X", role="ops", password="a long enough secret")
