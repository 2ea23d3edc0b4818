"""The audit log's queries: filtered, newest first, paged in SQL, exported in chunks."""

import csv
import io
from datetime import date, datetime, timedelta

import pytest

from dashboard.periods import Window
from queries import audit as audit_q
from queries import export
from tests.builders import Builder

WEEK = Window(date(2026, 11, 22), date(2026, 11, 28))


@pytest.fixture
def log(engine):
    b = Builder(engine)
    start = datetime(2026, 11, 22, 0, 0)  # 05:30 IST on 22 Nov
    for n in range(7):
        b.audit_entry(actor="ops@zivo.in", action="integration.pause", at=start + timedelta(hours=n),
                      target_id=str(n))
    b.audit_entry(actor="privacy@zivo.in", action="request.verify", actor_role="privacy",
                  target_type="rights_request", target_id="42", at=start + timedelta(days=1))
    b.audit_entry(actor="ops@zivo.in", action="integration.pause", at=datetime(2026, 11, 21, 18, 29))  # 21 Nov IST
    return engine


def test_entries_come_newest_first_and_in_pages(log):
    everyone = audit_q.AuditFilter(WEEK)
    assert audit_q.count(log, everyone) == 8
    first = audit_q.entries(log, everyone, page=1, page_size=3)
    assert first["actor"].tolist() == ["privacy@zivo.in", "ops@zivo.in", "ops@zivo.in"]
    assert first["target_id"].tolist() == ["42", "6", "5"]
    last = audit_q.entries(log, everyone, page=3, page_size=3)
    assert last["target_id"].tolist() == ["1", "0"]


def test_filters_narrow_by_actor_action_and_target(log):
    assert audit_q.count(log, audit_q.AuditFilter(WEEK, actor="ops@zivo.in")) == 7
    assert audit_q.count(log, audit_q.AuditFilter(WEEK, action="request.verify")) == 1
    assert audit_q.count(log, audit_q.AuditFilter(WEEK, target_type="rights_request", target_id="42")) == 1
    assert audit_q.count(log, audit_q.AuditFilter(WEEK, target_id="nope")) == 0


def test_the_filter_menus_list_what_the_period_holds(log):
    menus = audit_q.choices(log, audit_q.AuditFilter(WEEK))
    assert menus == {
        "actor": ["ops@zivo.in", "privacy@zivo.in"],
        "action": ["integration.pause", "request.verify"],
        "target_type": ["integration", "rights_request"],
    }
    own = audit_q.choices(log, audit_q.AuditFilter(WEEK, actor="ops@zivo.in"))
    assert own["actor"] == ["ops@zivo.in"] and own["action"] == ["integration.pause"]


def test_the_csv_export_streams_every_matching_entry_in_chunks(log):
    chunks = list(export.csv_chunks(log, audit_q.export_statement(audit_q.AuditFilter(WEEK)), chunk_rows=3))
    assert len(chunks) == 3  # header with 3 rows, 3 rows, 2 rows
    rows = list(csv.DictReader(io.StringIO("".join(chunks))))
    assert len(rows) == 8 and rows[0]["actor"] == "privacy@zivo.in"
