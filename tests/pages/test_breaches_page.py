"""The Breach register: countdowns from awareness, notices marked through the core."""

from datetime import timedelta

from sqlalchemy import select

from dashboard import clock
from dashboard.schema import incidents
from tests.pages.conftest import signed_in, texts
from tests.pages.test_retention_page import act

BREACHES = "../pages/breaches.py"


def open_page(role="privacy"):
    at = signed_in(role)
    at.switch_page(BREACHES).run()
    assert not at.exception, at.exception
    return at


def test_an_overdue_notice_is_counted_and_shown_in_red(app_db):
    app_db.incident(aware_at=clock.utcnow() - timedelta(hours=8), title="Leaked export")
    at = open_page()
    assert {m.label: m.value for m in at.metric}["Overdue notices"] == "1"  # CERT-In, 6 h
    assert list(at.dataframe[0].value["title"]) == ["Leaked export"]


def test_founders_see_the_counts_only(app_db):
    app_db.incident(aware_at=clock.utcnow() - timedelta(hours=8), title="Leaked export")
    at = open_page("founder")
    assert {m.label: m.value for m in at.metric}["Open incidents"] == "1"
    assert not at.dataframe and "Leaked export" not in texts(at)


def test_the_privacy_officer_marks_cert_in_sent_and_the_gdpr_notice_not_required(app_db):
    incident = app_db.incident(aware_at=clock.utcnow() - timedelta(hours=8), eu_affected=True)
    at = open_page()
    at.selectbox(key="incident").select(incident).run()
    act(at, f"notified-{incident}", notice="certin")
    assert not at.error, [e.value for e in at.error]
    act(at, f"not-required-{incident}", notice="gdpr", reason="Unlikely to result in a risk (Art. 33(1))")
    assert not at.error, [e.value for e in at.error]
    with app_db.engine.connect() as conn:
        row = conn.execute(select(incidents)).mappings().one()
    assert row["certin_notified_at"] is not None and row["certin_marked_by"] == "privacy@zivo.test"
    assert row["gdpr_not_required_reason"].startswith("Unlikely")
