"""In a real browser, the ops journey: find a failing integration, retry a transient
failure, pause another integration, and find both actions in the audit log."""

import re

import pytest
from playwright.sync_api import expect

from dashboard import clock, fleet
from dashboard.db import engine_for
from dashboard.policy import integrations as health
from queries import integrations as integrations_q
from tests.e2e.conftest import choose, confirm, settled, signed_in
from tests.e2e.test_journeys_access import open_page


def _targets(database_url: str) -> tuple[int, int]:
    """From the seeded demo, by the same rules the page uses: an integration whose failed
    events a retry can help, and another connected one to pause."""
    engine = engine_for(database_url)
    now = clock.utcnow()
    listed = fleet.listing(engine, now).to_dict("records")
    retryable = [row["id"] for row in listed if row["status"] in ("connected", "error")
                 and health.retry_decision(health.signals_from(row), now,
                                           integrations_q.failed_by_code(engine, row["id"])).offered]
    pausable = [row["id"] for row in listed if row["status"] == "connected"
                and row["id"] not in retryable[:1]]
    if not retryable or not pausable:
        pytest.fail("the small demo must hold a retryable and a pausable integration")
    return int(retryable[0]), int(pausable[0])


def test_ops_retries_a_transient_failure_pauses_an_integration_and_finds_both_in_the_audit_log(
        page, demo_database):
    retryable, pausable = _targets(demo_database)
    signed_in(page, "ops")
    open_page(page, "Integration health")

    choose(page, "State", "Failing", url=re.compile("state=failing"))
    expect(page.get_by_role("heading", name="Integrations", exact=True)).to_be_visible()
    choose(page, "Integration", "failing", re.compile(r"· failing$"), url=re.compile(r"integration=\d+"))
    expect(page.get_by_text("What fixes it:")).to_be_visible()
    choose(page, "State", "Every state but healthy", url=re.compile(r"^(?!.*state=)"))
    expect(page.get_by_role("heading", name="Needs attention")).to_be_visible()

    choose(page, "Integration", f"#{retryable} ", re.compile(rf"^#{retryable} ·"), url=re.compile(rf"integration={retryable}\b"))
    expect(page.get_by_role("heading", name=re.compile(rf"^#{retryable} ·"))).to_be_visible()
    confirm(page, "Retry failed deliveries")
    # It runs as a job: its start and then its end are flashed, and the page redraws.
    expect(page.get_by_text(re.compile(r"Retry failed deliveries of .*: done\.")).first).to_be_visible()
    settled(page)

    choose(page, "Integration", f"#{pausable} ", re.compile(rf"^#{pausable} ·"), url=re.compile(rf"integration={pausable}\b"))
    expect(page.get_by_role("heading", name=re.compile(rf"^#{pausable} ·"))).to_be_visible()
    confirm(page, "Pause")
    expect(page.get_by_text(f"Paused integration {pausable}").first).to_be_visible()

    open_page(page, "Audit log")
    for action, target in (("integration.retry_failed", retryable), ("integration.pause", pausable)):
        choose(page, "Action", action, url=re.compile(rf"action={re.escape(action)}"))
        page.get_by_label("Target id").fill(str(target))
        page.get_by_label("Target id").press("Enter")
        expect(page).to_have_url(re.compile(rf"target_id={target}\b"))
        settled(page)
        expect(page.get_by_test_id("stMetric").filter(has_text="Entries")).to_contain_text("1")
