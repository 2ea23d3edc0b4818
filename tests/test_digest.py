"""The daily digest: each enabled back-office user gets their role's Attention list through
the core, once a day; an unreachable core gives a clear error and its exit code."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from dashboard import __main__ as cli
from dashboard import digest
from dashboard.core.local import LocalCore
from dashboard.schema import audit_log, backoffice_notifications
from tests.attention_fixture import NOW, build
from tests.builders import Builder
from tests.core.support import TOKEN


@pytest.fixture
def crm(engine):
    b = Builder(engine)
    fx = build(b)
    users = {role: b.backoffice_user(f"{role}@zivo.in", role) for role in ("ops", "privacy", "founder", "admin")}
    b.backoffice_user("left@zivo.in", "privacy", disabled=True)
    return fx, users


def outbox(engine):
    with engine.connect() as conn:
        return {row["user_id"]: row for row in conn.execute(select(backoffice_notifications)).mappings()}


def test_each_enabled_user_gets_their_roles_list(engine, core, crm):
    fx, users = crm

    outcome = digest.run(engine, core, NOW, base_url="https://backoffice.zivo.in", say=lambda _: None)

    assert outcome.exit_code == 0 and len(outcome.sent) == 4
    sent = outbox(engine)
    assert set(sent) == set(users.values())  # not the disabled account
    founder = sent[users["founder"]]["body"]
    assert founder.splitlines()[0].startswith("- [medium] AI over budget: Spendy AI.")
    assert "RR-2026" not in founder and "Incident" not in founder and "Meta" not in founder
    privacy = sent[users["privacy"]]["body"]
    assert "RR-2026-00001" in privacy and "CERT-In report" in privacy and "Purge of Gone Ltd" in privacy
    assert "https://backoffice.zivo.in/rights_requests?reference=RR-2026-00001&request=1" in privacy
    assert "Spendy AI" not in privacy
    assert sent[users["ops"]]["subject"] == "Zivo back-office: 4 items need you today (10 Mar 2026)"
    assert len(sent[users["admin"]]["body"].splitlines()) >= 11
    assert "Ravi" not in " ".join(row["body"] for row in sent.values())


def test_a_rerun_the_same_day_sends_nothing_twice_and_the_next_day_sends_again(engine, core, crm):
    digest.run(engine, core, NOW, say=lambda _: None)

    again = digest.run(engine, core, NOW + timedelta(hours=5), say=lambda _: None)

    assert again.exit_code == 0 and again.sent == [] and len(again.already_sent) == 4
    with engine.connect() as conn:
        assert len(conn.execute(select(backoffice_notifications)).all()) == 4
    digest.run(engine, core, NOW + timedelta(days=1), say=lambda _: None)
    with engine.connect() as conn:
        assert len(conn.execute(select(backoffice_notifications)).all()) == 8


def test_the_core_itself_never_sends_one_key_twice(engine, core, crm):
    fx, users = crm
    digest.run(engine, core, NOW, say=lambda _: None)
    key = digest.key_for(users["ops"], NOW)

    core.notify_user(digest.DIGEST_ACTOR, users["ops"], kind="digest", subject="again",
                     body="again", idempotency_key=key)

    assert outbox(engine)[users["ops"]]["subject"] != "again"
    with engine.connect() as conn:
        assert len(conn.execute(select(backoffice_notifications)).all()) == 4


def test_it_is_sent_and_audited_as_the_system_actor(engine, core, crm):
    digest.run(engine, core, NOW, say=lambda _: None)

    with engine.connect() as conn:
        actors = set(conn.execute(select(audit_log.c.actor, audit_log.c.action)).all())
    assert actors == {("digest@system.zivo", "backoffice_user.notify")}


def test_a_user_with_nothing_to_do_is_sent_nothing(engine, core):
    Builder(engine).backoffice_user("founder@zivo.in", "founder")

    outcome = digest.run(engine, core, NOW, say=lambda _: None)

    assert outcome.nothing_to_send == ["founder@zivo.in"] and outbox(engine) == {}


def test_a_refusal_for_one_user_is_reported_and_the_rest_still_go(engine, crm):
    class RefusesOps(LocalCore):
        def notify_user(self, actor, user_id, **kwargs):
            if user_id == crm[1]["ops"]:
                return super().notify_user(digest.Actor("x@zivo.in", "ops"), user_id, **kwargs)
            return super().notify_user(actor, user_id, **kwargs)

    outcome = digest.run(engine, RefusesOps(engine), NOW, say=lambda _: None)

    assert outcome.exit_code == digest.SOME_REFUSED
    assert [email for email, _ in outcome.refused] == ["ops@zivo.in"]
    assert len(outcome.sent) == 3


def test_an_unreachable_core_stops_with_a_clear_message_and_exit_code_3(engine, crm, monkeypatch, capsys,
                                                                         tmp_path):
    monkeypatch.setenv("ZIVO_SECRETS_FILE", str(tmp_path / "no-secrets.toml"))
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("CORE_API_URL", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("CORE_API_TOKEN", TOKEN)
    monkeypatch.setenv("CORE_RETRY_BUDGET_S", "0.5")
    monkeypatch.setenv("ZIVO_NOW", NOW.isoformat())

    code = cli.main(["digest"])

    assert code == 3
    err = capsys.readouterr().err
    assert "The core service is unreachable" in err and "run it again" in err
    assert "Traceback" not in err
    assert outbox(engine) == {}
