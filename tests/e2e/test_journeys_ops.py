"""In a real browser, the ops journey: find a failing integration, retry a transient
failure, pause another integration, and find both actions in the audit log."""

import re

import pytest
from playwright.sync_api import expect

from dashboard import clock, fleet
from dashboard.db import engine_for
from dashboard.policy import integrations as health
from queries import integrations as integrations_q
from tests.e2e.conftest import signed_in
from tests.e2e.test_journeys_access import open_page, settled


def _targets(database_url: str) -> tuple[int, int]:
    """From the seeded demo, by the same rules the page uses: an integration whose failed
    events a retry can help, and another connected one to pause."""
    engine = engine_for(database_url)
    now = clock.utcnow()
    listed = fleet.listing(engine, now).to_dict("records")
    retryable = [row["id"] for row in listed if row["status"] in ("connected", "error")
                 and health.retry_decision(fleet.signals_of(row), now,
                                           integrations_q.failed_by_code(engine, row["id"])).offered]
    pausable = [row["id"] for row in listed if row["status"] == "connected"
                and row["id"] not in retryable[:1]]
    if not retryable or not pausable:
        pytest.fail("the small demo must hold a retryable and a pausable integration")
    return int(retryable[0]), int(pausable[0])


def choose(page, label: str, typed: str, option: str | re.Pattern | None = None) -> None:
    """Pick an option of a select box as a person does: type into it, click the match."""
    box = page.get_by_role("combobox", name=label, exact=True)
    box.click()
    box.fill(typed)
    page.get_by_role("option", name=option or typed).first.click()


def confirm(page, button: str) -> None:
    page.get_by_role("button", name=button).click()
    page.get_by_role("dialog").get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("dialog")).to_have_count(0)


def test_ops_retries_a_transient_failure_pauses_an_integration_and_finds_both_in_the_audit_log(
        page, demo_database):
    retryable, pausable = _targets(demo_database)
    signed_in(page, "ops")
    open_page(page, "Integration health")

    choose(page, "State", "Failing")
    expect(page.get_by_role("heading", name="Integrations", exact=True)).to_be_visible()
    choose(page, "Integration", "failing", re.compile(r"· failing$"))
    expect(page.get_by_text("What fixes it:")).to_be_visible()
    choose(page, "State", "Every state but healthy")
    expect(page.get_by_role("heading", name="Needs attention")).to_be_visible()

    choose(page, "Integration", f"#{retryable} ", re.compile(rf"^#{retryable} ·"))
    expect(page.get_by_role("heading", name=re.compile(rf"^#{retryable} ·"))).to_be_visible()
    confirm(page, "Retry failed deliveries")
    expect(page.get_by_text(re.compile(rf"Retrying \d+ failed events of integration {retryable}")
                         ).first).to_be_visible()
    # The retry runs as a job; the page says when it is done and then redraws.
    expect(page.get_by_text(re.compile(r"Retry failed deliveries of .*: done\.")).first).to_be_visible()

    choose(page, "Integration", f"#{pausable} ", re.compile(rf"^#{pausable} ·"))
    expect(page.get_by_role("heading", name=re.compile(rf"^#{pausable} ·"))).to_be_visible()
    confirm(page, "Pause")
    expect(page.get_by_text(f"Paused integration {pausable}").first).to_be_visible()

    open_page(page, "Audit log")
    for action, target in (("integration.retry_failed", retryable), ("integration.pause", pausable)):
        choose(page, "Action", action)
        page.get_by_label("Target id").fill(str(target))
        page.get_by_label("Target id").press("Enter")
        settled(page)
        expect(page.get_by_test_id("stMetric").filter(has_text="Entries")).to_contain_text("1")
