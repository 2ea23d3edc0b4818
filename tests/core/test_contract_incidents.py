"""The breach register through the core, on both cores and both databases."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from dashboard.core.errors import Conflict, Forbidden, RefusedByPolicy, StaleVersion, ValidationFailed
from dashboard.schema import incidents
from tests.core.support import OPS, PRIVACY, audit_rows, new_key

NOW = datetime(2026, 11, 28, 6, 0)
AWARE = NOW - timedelta(hours=2)


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch):
    monkeypatch.setenv("ZIVO_NOW", NOW.isoformat())


def incident(engine, incident_id):
    with engine.connect() as conn:
        return dict(conn.execute(select(incidents).where(incidents.c.id == incident_id)).mappings().one())


def record(core, **overrides):
    values = dict(title="WhatsApp template leak", severity="high", detected_at=AWARE - timedelta(hours=1),
                  aware_at=AWARE, exposed_from=NOW - timedelta(days=2),
                  data_categories=["phone", "message_content"], subprocessors=["whatsapp"],
                  eu_affected=False)
    return core.create_incident(PRIVACY, idempotency_key=new_key(), **(values | overrides))


def test_recording_an_incident_counts_the_affected_workspaces_and_people_from_the_events(core, build, engine):
    hit, also_hit, spared = build.workspace(), build.workspace(), build.workspace()
    for workspace, provider, categories, days_ago in (
        (hit, "whatsapp", "phone,message_content", 1),
        (also_hit, "whatsapp", "phone", 1),
        (spared, "whatsapp", "phone", 5),  # before the exposure window
        (spared, "meta", "name,phone", 1),  # another sub-processor
    ):
        integration = build.integration(workspace, provider=provider)
        for _ in range(2):
            build.integration_event(integration, data_categories=categories,
                                    contact_id=build.contact(workspace),
                                    occurred_at=NOW - timedelta(days=days_ago))

    result = record(core)

    row = incident(engine, int(result.target_id))
    assert (row["affected_workspaces"], row["affected_principals_estimate"]) == (2, 4)
    assert (row["status"], row["recorded_by"], row["eu_affected"]) == ("open", PRIVACY.email, False)
    assert "CERT-In report" in result.message
    assert [a["action"] for a in audit_rows(engine)] == ["incident.create"]


def test_an_incident_zivo_knew_of_before_it_was_detected_or_with_an_unknown_subprocessor_is_refused(core, engine):
    with pytest.raises(ValidationFailed, match="Detected at comes before"):
        record(core, detected_at=AWARE + timedelta(minutes=1))
    with pytest.raises(ValidationFailed, match="Unknown sub-processors: fax"):
        record(core, subprocessors=["fax"])
    with engine.connect() as conn:
        assert conn.execute(select(incidents.c.id)).first() is None


def test_ops_may_not_record_incidents(core, engine):
    with pytest.raises(Forbidden):
        core.create_incident(OPS, title="x", severity="low", detected_at=AWARE, aware_at=AWARE,
                             exposed_from=None, data_categories=["name"], subprocessors=[],
                             eu_affected=False, idempotency_key=new_key())


def test_each_notice_is_marked_done_with_when_and_who_or_not_required_with_the_reason(core, build, engine):
    incident_id = build.incident(aware_at=AWARE, eu_affected=True)

    done = core.mark_incident_notified(PRIVACY, incident_id, expected_version=1, notice="certin",
                                       notified_at=AWARE + timedelta(hours=1),
                                       idempotency_key=new_key())
    skipped = core.mark_notice_not_required(
        PRIVACY, incident_id, expected_version=done.version, notice="gdpr",
        reason="Unlikely to result in a risk (Art. 33(1)): encrypted at rest", idempotency_key=new_key())

    row = incident(engine, incident_id)
    assert (row["certin_notified_at"], row["certin_marked_by"]) == (AWARE + timedelta(hours=1), PRIVACY.email)
    assert row["gdpr_not_required_reason"].startswith("Unlikely") and row["gdpr_marked_by"] == PRIVACY.email
    assert skipped.version == 3
    with pytest.raises(Conflict, match="already marked done"):
        core.mark_incident_notified(PRIVACY, incident_id, expected_version=3, notice="certin",
                                    notified_at=NOW, idempotency_key=new_key())
    with pytest.raises(StaleVersion):
        core.mark_notice_not_required(PRIVACY, incident_id, expected_version=1, notice="principals",
                                      reason="x", idempotency_key=new_key())


def test_a_notice_sent_in_the_future_is_refused(core, build):
    incident_id = build.incident(aware_at=AWARE)

    with pytest.raises(ValidationFailed, match="in the future"):
        core.mark_incident_notified(PRIVACY, incident_id, expected_version=1, notice="certin",
                                    notified_at=NOW + timedelta(hours=1), idempotency_key=new_key())


def test_an_incident_closes_only_once_every_notice_is_settled(core, build, engine):
    incident_id = build.incident(aware_at=AWARE)
    scope = dict(severity="high", data_categories=["name"], subprocessors=[], eu_affected=False)

    with pytest.raises(RefusedByPolicy, match="before closing") as refused:
        core.update_incident(PRIVACY, incident_id, expected_version=1, status="closed",
                             idempotency_key=new_key(), **scope)
    assert refused.value.code == "notices_outstanding"
    version = 1
    for notice in ("certin", "board_intimation", "board_report", "controllers", "principals"):
        version = core.mark_incident_notified(PRIVACY, incident_id, expected_version=version,
                                              notice=notice, notified_at=NOW,
                                              idempotency_key=new_key()).version
    closed = core.update_incident(PRIVACY, incident_id, expected_version=version, status="closed",
                                  idempotency_key=new_key(), **scope)

    assert incident(engine, incident_id)["status"] == "closed"
    assert closed.detail["status"] == "closed"
