"""Contract: back-office accounts, managed by admins only, never losing the last admin."""

from __future__ import annotations

from datetime import datetime

import pytest

from dashboard.auth import passwords
from dashboard.core.errors import Conflict, Forbidden, RefusedByPolicy, StaleVersion, ValidationFailed
from tests.core.support import ADMIN, OPS, account, audit_rows, new_key

GOOD_PASSWORD = "a long enough passphrase"


@pytest.fixture
def admin_account(build) -> int:
    """The acting admin's own account (the actor may also sign in by OIDC, with none)."""
    return build.backoffice_user(ADMIN.email, "admin")


def test_an_admin_creates_an_account_and_the_audit_names_it_by_id_only(core, engine):
    result = core.create_user(ADMIN, email=" New.Person@Zivo.in ", name="New Person",
                              role="ops", password=GOOD_PASSWORD, idempotency_key=new_key())

    assert result.ok and result.version == 1 and result.target_type == "backoffice_user"
    row = account(engine, int(result.target_id))
    assert (row["email"], row["name"], row["role"]) == ("new.person@zivo.in", "New Person", "ops")
    assert passwords.verify(row["password_hash"], GOOD_PASSWORD)
    [audit] = audit_rows(engine)
    assert (audit["action"], audit["target_id"]) == ("backoffice_user.create", result.target_id)
    logged = str(audit["detail"]) + result.message
    for secret in ("new.person", "New Person", GOOD_PASSWORD, row["password_hash"]):
        assert secret not in logged


def test_a_weak_password_is_refused_with_the_rule(core, engine):
    with pytest.raises(ValidationFailed, match="at least 15 characters"):
        core.create_user(ADMIN, email="x@zivo.in", name="X", role="ops", password="short",
                         idempotency_key=new_key())

    assert audit_rows(engine) == []


def test_an_unknown_role_is_refused(core):
    with pytest.raises(ValidationFailed, match="ops, privacy, founder, admin"):
        core.create_user(ADMIN, email="x@zivo.in", name="X", role="root",
                         password=GOOD_PASSWORD, idempotency_key=new_key())


def test_an_email_that_has_an_account_is_a_conflict(core, build):
    build.backoffice_user("taken@zivo.in", "ops")

    with pytest.raises(Conflict, match="exists already"):
        core.create_user(ADMIN, email="Taken@zivo.in", name="T", role="ops",
                         password=GOOD_PASSWORD, idempotency_key=new_key())


def test_only_an_admin_manages_accounts(core, engine, build):
    user = build.backoffice_user("someone@zivo.in", "ops")

    with pytest.raises(Forbidden, match="back-office accounts"):
        core.disable_user(OPS, user, expected_version=1, idempotency_key=new_key())

    assert not account(engine, user)["disabled"]
    assert audit_rows(engine)[0]["outcome"] == "refused"


def test_disabling_and_enabling_an_account(core, engine, build, admin_account):
    user = build.backoffice_user("leaver@zivo.in", "privacy")

    disabled = core.disable_user(ADMIN, user, expected_version=1, idempotency_key=new_key())
    enabled = core.enable_user(ADMIN, user, expected_version=disabled.version,
                               idempotency_key=new_key())

    assert (disabled.version, enabled.version) == (2, 3)
    assert not account(engine, user)["disabled"]
    assert [a["action"] for a in audit_rows(engine)] == [
        "backoffice_user.disable", "backoffice_user.enable"]


def test_nobody_disables_their_own_account(core, engine, build, admin_account):
    build.backoffice_user("other.admin@zivo.in", "admin")

    with pytest.raises(RefusedByPolicy, match="your own account"):
        core.disable_user(ADMIN, admin_account, expected_version=1, idempotency_key=new_key())

    assert not account(engine, admin_account)["disabled"]


def test_the_last_enabled_admin_cannot_be_disabled(core, engine, build):
    only_admin = build.backoffice_user("the.admin@zivo.in", "admin")
    build.backoffice_user("former.admin@zivo.in", "admin", disabled=True)

    with pytest.raises(RefusedByPolicy) as refused:
        core.disable_user(ADMIN, only_admin, expected_version=1, idempotency_key=new_key())

    assert refused.value.code == "last_admin" and "another account admin" in refused.value.message
    assert not account(engine, only_admin)["disabled"]


def test_the_last_enabled_admin_cannot_be_demoted_but_one_of_two_can(core, engine, build,
                                                                      admin_account):
    with pytest.raises(RefusedByPolicy, match="last enabled admin"):
        core.change_role(ADMIN, admin_account, expected_version=1, role="ops",
                         idempotency_key=new_key())

    second = build.backoffice_user("second.admin@zivo.in", "admin")
    result = core.change_role(ADMIN, second, expected_version=1, role="founder",
                              idempotency_key=new_key())

    assert result.detail == {"from_role": "admin", "role": "founder"}
    assert account(engine, second)["role"] == "founder"
    assert account(engine, admin_account)["role"] == "admin"


def test_unlocking_clears_failed_sign_ins_and_the_lock(core, engine, build):
    locked = build.backoffice_user("locked@zivo.in", "ops", failed_logins=4,
                                   locked_until=datetime(2099, 1, 1))

    core.unlock_user(ADMIN, locked, expected_version=1, idempotency_key=new_key())

    row = account(engine, locked)
    assert (row["failed_logins"], row["locked_until"]) == (0, None)


def test_resetting_a_password_sets_the_new_one_and_logs_no_hash(core, engine, build):
    user = build.backoffice_user("forgetful@zivo.in", "ops")
    with pytest.raises(ValidationFailed, match="at least 15"):
        core.reset_password(ADMIN, user, expected_version=1, new_password="short",
                            idempotency_key=new_key())

    core.reset_password(ADMIN, user, expected_version=1, new_password=GOOD_PASSWORD,
                        idempotency_key=new_key())

    row = account(engine, user)
    assert passwords.verify(row["password_hash"], GOOD_PASSWORD)
    [audit] = audit_rows(engine)
    assert row["password_hash"] not in str(audit["detail"])
    assert GOOD_PASSWORD not in str(audit["detail"])


def test_an_account_changed_meanwhile_is_a_stale_version(core, engine, build):
    user = build.backoffice_user("busy@zivo.in", "ops")
    core.change_role(ADMIN, user, expected_version=1, role="privacy", idempotency_key=new_key())

    with pytest.raises(StaleVersion, match="this account"):
        core.disable_user(ADMIN, user, expected_version=1, idempotency_key=new_key())

    assert not account(engine, user)["disabled"]
