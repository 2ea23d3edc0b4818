"""``CoreService``: every action the back-office can take, one method each.

Conventions every method keeps (DESIGN.md, "The core service's admin API"):

- a mutating method takes the ``actor`` it acts for and an ``idempotency_key`` made when
  the person's confirm dialog opened: the same key again returns the first result and
  never acts twice;
- an action on a versioned record takes the ``expected_version`` the person saw; a
  stale one raises ``StaleVersion`` and changes nothing;
- failures are ``dashboard.core.errors.CoreError`` subclasses whose message a page shows;
- long work answers at once with ``ActionResult.job_id``; ``get_job`` reports progress.

Method names carry their record (``pause_integration``) because later areas add verbs
of the same name (a rights request's clock also pauses and resumes). Each area's issue
adds its methods here, to LocalCore, to the server and its OpenAPI document, to
HttpCoreClient and to the contract tests.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Protocol

from dashboard.core.models import ActionResult, Actor, Job


class CoreService(Protocol):
    # --- integrations (ops and admin) -------------------------------------------------

    def retry_failed(
        self, actor: Actor, integration_id: int, *, expected_version: int, idempotency_key: str
    ) -> ActionResult:
        """Re-queue the integration's failed events, as a job (``ActionResult.job_id``)."""
        ...

    def pause_integration(
        self, actor: Actor, integration_id: int, *, expected_version: int, idempotency_key: str
    ) -> ActionResult: ...

    def resume_integration(
        self, actor: Actor, integration_id: int, *, expected_version: int, idempotency_key: str
    ) -> ActionResult: ...

    def disconnect_integration(
        self,
        actor: Actor,
        integration_id: int,
        *,
        expected_version: int,
        reason: str,
        idempotency_key: str,
    ) -> ActionResult: ...

    def test_integration(
        self, actor: Actor, integration_id: int, *, idempotency_key: str
    ) -> ActionResult:
        """Record a ``connection_test`` event; ``ok`` is its outcome."""
        ...

    # --- back-office accounts (admin) -------------------------------------------------

    def create_user(
        self, actor: Actor, *, email: str, name: str, role: str, password: str,
        idempotency_key: str,
    ) -> ActionResult: ...

    def disable_user(
        self, actor: Actor, user_id: int, *, expected_version: int, idempotency_key: str
    ) -> ActionResult: ...

    def enable_user(
        self, actor: Actor, user_id: int, *, expected_version: int, idempotency_key: str
    ) -> ActionResult: ...

    def unlock_user(
        self, actor: Actor, user_id: int, *, expected_version: int, idempotency_key: str
    ) -> ActionResult: ...

    def reset_password(
        self, actor: Actor, user_id: int, *, expected_version: int, new_password: str,
        idempotency_key: str,
    ) -> ActionResult: ...

    def change_role(
        self, actor: Actor, user_id: int, *, expected_version: int, role: str,
        idempotency_key: str,
    ) -> ActionResult: ...

    # --- rights requests (privacy and admin) -------------------------------------------
    # Due dates follow dashboard.policy.requests; every step, message and clock change is
    # also written to the request's timeline (request_events).

    def create_request(
        self, actor: Actor, *, workspace_id: int | None, subject_kind: str,
        subject_name: str | None, subject_email: str | None, subject_phone: str | None,
        request_type: str, jurisdiction: str, channel: str, received_at: datetime,
        idempotency_key: str,
    ) -> ActionResult:
        """Intake: log a request (``received_at`` naive UTC), start its clocks, and send
        the requester the acknowledgement."""
        ...

    def verify_request(
        self, actor: Actor, request_id: int, *, expected_version: int, method: str,
        idempotency_key: str,
    ) -> ActionResult:
        """The requester's identity is verified (``method``: config.VERIFICATION_METHODS)."""
        ...

    def assign_requests(
        self, actor: Actor, *, expected_versions: dict[int, int], assignee: str,
        idempotency_key: str,
    ) -> ActionResult:
        """Assign one or more requests (id -> the version seen), all or none."""
        ...

    def hold_request(
        self, actor: Actor, request_id: int, *, expected_version: int, waiting_for: str,
        reason: str, idempotency_key: str,
    ) -> ActionResult:
        """Wait for the requester (identity proof or clarification): the clocks the law
        lets stop are paused, and the requester is asked."""
        ...

    def resume_request(
        self, actor: Actor, request_id: int, *, expected_version: int, reason: str,
        idempotency_key: str,
    ) -> ActionResult:
        """End a hold: paused due dates move on by the days held."""
        ...

    def extend_request(
        self, actor: Actor, request_id: int, *, expected_version: int, until: date,
        reasons: str, idempotency_key: str,
    ) -> ActionResult:
        """Extend once where the rule allows, to ``until`` (a day in India) at most the
        legal limit, within the first period; the reasons are sent to the requester."""
        ...

    def forward_request_to_controller(
        self, actor: Actor, request_id: int, *, expected_version: int, idempotency_key: str,
    ) -> ActionResult:
        """A contact's request goes to its workspace, the controller (Zivo is processor)."""
        ...

    def reject_requests(
        self, actor: Actor, *, expected_versions: dict[int, int], ground: str, reason: str,
        idempotency_key: str,
    ) -> ActionResult:
        """Reject one or more requests on one ground with one reason, sent to each
        requester; as a ``duplicate`` only one that repeats an earlier request."""
        ...

    def complete_request(
        self, actor: Actor, request_id: int, *, expected_version: int, resolution: str,
        idempotency_key: str,
    ) -> ActionResult:
        """Close the request; the outcome is sent to the requester."""
        ...

    def notify_requester(
        self, actor: Actor, request_id: int, *, kind: str, note: str, idempotency_key: str,
    ) -> ActionResult:
        """Send the requester a message (notices.SENT_ALONE) with the Grievance Officer's
        contact; it shows in the timeline."""
        ...

    # --- audit (any role) -------------------------------------------------------------

    def record_event(
        self,
        actor: Actor,
        *,
        action: str,
        target_type: str,
        target_id: str | int | None,
        detail: dict[str, Any],
        idempotency_key: str,
    ) -> ActionResult:
        """Audit a back-office event: a sign-in, a lockout, revealing masked data."""
        ...

    # --- jobs -------------------------------------------------------------------------

    def get_job(self, job_id: int) -> Job: ...

    # --- AI on a workspace (ops and admin) ----------------------------------------------
    # ``expected_version`` is the workspace's ai_budgets version, or 0 while it has none.

    def set_workspace_ai_budget(
        self, actor: Actor, workspace_id: int, *, expected_version: int,
        monthly_budget_usd: float, idempotency_key: str,
    ) -> ActionResult: ...

    def disable_workspace_ai(
        self, actor: Actor, workspace_id: int, *, expected_version: int, idempotency_key: str
    ) -> ActionResult: ...

    def enable_workspace_ai(
        self, actor: Actor, workspace_id: int, *, expected_version: int, idempotency_key: str
    ) -> ActionResult: ...

    # --- retention and legal holds (privacy and admin) ------------------------------------
    # ``expected_version`` of an account's purge is its purge_jobs version, or 0 while it
    # has none (before its notice). Rules: dashboard.policy.retention.

    def place_hold(
        self, actor: Actor, workspace_id: int, *, basis: str, categories: list[str],
        reason: str, idempotency_key: str,
    ) -> ActionResult:
        """Keep ``categories`` of a workspace through its purge; the end date follows from
        the basis (GST, Companies Act) and the last billing record, or none (litigation)."""
        ...

    def release_hold(
        self, actor: Actor, hold_id: int, *, expected_version: int, reason: str,
        idempotency_key: str,
    ) -> ActionResult: ...

    def send_purge_notice(
        self, actor: Actor, workspace_id: int, *, expected_version: int, idempotency_key: str,
    ) -> ActionResult:
        """Tell a closed account's owner its content will be erased; the purge may run 48
        hours later."""
        ...

    def run_purge(
        self, actor: Actor, workspace_id: int, *, expected_version: int, idempotency_key: str,
    ) -> ActionResult:
        """Erase a closed account's CRM content except the categories held, as a job;
        refused while the notice period runs or when holds keep every category."""
        ...

    # --- the breach register (privacy and admin) ------------------------------------------

    def create_incident(
        self, actor: Actor, *, title: str, severity: str, detected_at: datetime,
        aware_at: datetime, exposed_from: datetime | None, data_categories: list[str],
        subprocessors: list[str], eu_affected: bool, idempotency_key: str,
    ) -> ActionResult:
        """Record a breach; its notice clocks run from ``aware_at``; the affected
        workspaces and people are counted from the event tables."""
        ...

    def update_incident(
        self, actor: Actor, incident_id: int, *, expected_version: int, severity: str,
        status: str, data_categories: list[str], subprocessors: list[str], eu_affected: bool,
        idempotency_key: str,
    ) -> ActionResult:
        """Change an incident's scope or status; closing waits for every notice."""
        ...

    def mark_incident_notified(
        self, actor: Actor, incident_id: int, *, expected_version: int, notice: str,
        notified_at: datetime, idempotency_key: str,
    ) -> ActionResult: ...

    def mark_notice_not_required(
        self, actor: Actor, incident_id: int, *, expected_version: int, notice: str,
        reason: str, idempotency_key: str,
    ) -> ActionResult: ...
    # --- rights requests II: executing them (privacy and admin) ---------------------------
    # Each is refused unless the request is of that type, verified and in progress
    # (dashboard.policy.requests.execution).

    def execute_erasure(
        self, actor: Actor, request_id: int, *, expected_version: int, idempotency_key: str,
    ) -> ActionResult:
        """Erase the subject's data by category (held categories kept and named), and
        create one erasure task per sub-processor that received it."""
        ...

    def start_access_export(
        self, actor: Actor, request_id: int, *, expected_version: int, idempotency_key: str,
    ) -> ActionResult:
        """Build the subject's data as a zip (JSON and CSV), as a job (``job_id``)."""
        ...

    def correct_subject_data(
        self, actor: Actor, request_id: int, *, expected_version: int, changes: dict[str, str],
        idempotency_key: str,
    ) -> ActionResult:
        """Apply validated corrections (name/email/phone); old and new values are kept."""
        ...

    def withdraw_consent(
        self, actor: Actor, request_id: int, *, expected_version: int, idempotency_key: str,
    ) -> ActionResult:
        """Mark a contact's consent withdrawn and ask the flows it fed to stop."""
        ...

    def record_nomination(
        self, actor: Actor, request_id: int, *, expected_version: int, nominee_name: str,
        nominee_email: str | None, nominee_phone: str | None, relationship: str, proof: str,
        idempotency_key: str,
    ) -> ActionResult:
        """Record the nominee and the proof the principal offered."""
        ...

    def acknowledge_erasure_task(
        self, actor: Actor, task_id: int, *, expected_version: int, evidence: str,
        idempotency_key: str,
    ) -> ActionResult:
        """A sub-processor confirmed: the task is acknowledged with the evidence."""
        ...

    def resend_erasure_task(
        self, actor: Actor, task_id: int, *, expected_version: int, idempotency_key: str,
    ) -> ActionResult:
        """Send the task's instruction to the sub-processor (again)."""
        ...

    def download_access_export(
        self, actor: Actor, export_id: int, *, idempotency_key: str,
    ) -> ActionResult:
        """Audit the download of a ready access archive (refused once expired)."""
        ...

    # --- back-office notifications (the daily digest) -------------------------------------

    def notify_user(
        self, actor: Actor, user_id: int, *, kind: str, subject: str, body: str,
        idempotency_key: str,
    ) -> ActionResult:
        """Send a back-office user a message (``kind``: "digest"); refused for a disabled
        account. LocalCore queues it in the outbox (``backoffice_notifications``)."""
        ...
