"""A hand-built CRM with exactly one record of each Attention kind, and one record beside
each that must stay off the list, at a pinned ``NOW``. Shared by the query, page and
digest tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from tests.builders import Builder

NOW = datetime(2026, 3, 10, 4, 30)  # 10:00 IST


@dataclass(frozen=True)
class Fixture:
    acme: int  # the workspace with most things
    overdue_request: str  # references
    due_soon_request: str
    unassigned_request: str
    failing_integration: int
    expiring_integration: int
    incident: int
    purge_job_workspace: int  # a purge job overdue
    closed_workspace: int  # closed 85 days ago, no purge job: due in 5 days
    over_budget_workspace: int
    about_to_pass_workspace: int


def build(b: Builder) -> Fixture:
    acme = b.workspace(name="Acme Traders", plan="growth", mrr_inr=4999,
                       owner_email="owner@acme.example.in")
    quiet = b.workspace(name="Quiet Co")

    # Requests: one overdue (assigned), one due in 2 days (assigned), one unassigned with
    # 20 days left, and one assigned with 20 days left (not on the list), one completed.
    overdue = b.rights_request(acme, received_at=NOW - timedelta(days=40), assignee="p@zivo.in",
                               status="in_progress", reference="RR-2026-00001",
                               subject_name="Ravi Kumar", subject_email="ravi@example.in")
    soon = b.rights_request(acme, received_at=NOW - timedelta(days=28), assignee="p@zivo.in",
                            status="in_progress", reference="RR-2026-00002",
                            target_due_at=NOW + timedelta(days=2, hours=3))
    unassigned = b.rights_request(quiet, received_at=NOW - timedelta(days=10), status="new",
                                  reference="RR-2026-00003")
    b.rights_request(quiet, received_at=NOW - timedelta(days=10), status="new",
                     assignee="p@zivo.in", reference="RR-2026-00004")
    b.rights_request(acme, received_at=NOW - timedelta(days=60), status="completed",
                     reference="RR-2026-00005", completed_at=NOW - timedelta(days=30))

    # Integrations: Meta with an expired-token auth error (failing), Google whose token
    # expires in 3 days, and a healthy WhatsApp.
    failing = b.integration(acme, provider="meta", status="error", last_error_code="190",
                            last_error_at=NOW - timedelta(hours=2),
                            last_success_at=NOW - timedelta(days=1),
                            last_event_at=NOW - timedelta(hours=2))
    b.integration_event(failing, status="failed", error_code="190",
                        occurred_at=NOW - timedelta(hours=2))
    expiring = b.integration(quiet, provider="google", token_expires_at=NOW + timedelta(days=3),
                             last_success_at=NOW - timedelta(hours=1),
                             last_event_at=NOW - timedelta(hours=1))
    b.integration_event(expiring, occurred_at=NOW - timedelta(hours=1))
    healthy = b.integration(acme, provider="whatsapp", last_success_at=NOW - timedelta(minutes=5),
                            last_event_at=NOW - timedelta(minutes=5))
    b.integration_event(healthy, occurred_at=NOW - timedelta(minutes=5))

    # An incident 10 hours ago: CERT-In (6 h) overdue; Board intimation (24 h) running;
    # the rest notified or not required. A closed incident stays off the list.
    incident = b.incident(
        aware_at=NOW - timedelta(hours=10), title="Leaked export link",
        board_report_notified_at=NOW - timedelta(hours=1),
        gdpr_not_required_reason="No EU data principals",
        controllers_notified_at=NOW - timedelta(hours=2),
        principals_notified_at=NOW - timedelta(hours=2))
    b.incident(aware_at=NOW - timedelta(days=30), status="closed", title="Old one")

    # Purges: an overdue job; a closed workspace 85 days ago without a job (due in 5 days);
    # a job done, and a workspace closed 10 days ago (due in 80 days): neither listed.
    purge_ws = b.workspace(name="Gone Ltd", status="closed", closed_at=NOW - timedelta(days=95))
    b.purge_job(purge_ws, due_at=NOW - timedelta(days=5), status="noticed",
                notice_sent_at=NOW - timedelta(days=8))
    closed = b.workspace(name="Closing Soon Pvt", status="closed",
                         closed_at=NOW - timedelta(days=85))
    done_ws = b.workspace(name="Done Ltd", status="closed", closed_at=NOW - timedelta(days=200))
    b.purge_job(done_ws, due_at=NOW - timedelta(days=110), status="done",
                executed_at=NOW - timedelta(days=109))
    b.workspace(name="Fresh Closure", status="closed", closed_at=NOW - timedelta(days=10))
    b.legal_hold(acme, basis="gst", categories="billing", placed_at=NOW - timedelta(days=3))

    # AI: one workspace over its $1 budget, one past 80% of a larger one, one well within.
    # Sonnet-4.5-class prices: 1M input tokens are a few dollars.
    over = b.workspace(name="Spendy AI")
    b.ai_budget(over, monthly_budget_usd=1)
    b.ai_call(over, model="claude-haiku-4-5", input_tokens=2_000_000,
              occurred_at=NOW - timedelta(days=1))
    about = b.workspace(name="Careful AI")
    b.ai_budget(about, monthly_budget_usd=2.2)
    b.ai_call(about, model="claude-haiku-4-5", input_tokens=2_000_000,
              occurred_at=NOW - timedelta(days=1))
    within = b.workspace(name="Frugal AI")
    b.ai_budget(within, monthly_budget_usd=1000)
    b.ai_call(within, model="claude-haiku-4-5", input_tokens=1000, occurred_at=NOW - timedelta(days=1))
    b.ai_call(acme, model="claude-haiku-4-5", input_tokens=500_000, output_tokens=10_000,
              occurred_at=NOW - timedelta(days=2))
    b.ai_budget(acme, monthly_budget_usd=50)

    # Acme's MRR history.
    for month, amount in ((1, 2999), (2, 4999), (3, 4999)):
        b.invoice(acme, period_start=date(2026, month, 1), amount_inr=amount, plan="growth")

    return Fixture(acme, "RR-2026-00001", "RR-2026-00002", "RR-2026-00003", failing, expiring,
                   incident, purge_ws, closed, over, about)
