"""HttpCoreClient: CoreService over the admin API, for production (``CORE_API_URL``).

Retries are safe because every action carries its Idempotency-Key, resent unchanged on
each attempt: the core answers a repeat with the first result. It retries what may pass:
a refused or dropped connection, a read timeout, and 429 (after Retry-After), 502, 503
and 504, with exponential backoff and full jitter, until the retry budget would be
spent. It never retries another 4xx: those answers are final.

When it gives up it says which of two things happened. Nothing reached the core: the
action was not done (``Unavailable``). A request may have reached it (a dropped
connection, a read timeout, a gateway error): the action may have been done
(``OutcomeUnknown``), so the person checks the audit log before trying again.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from dashboard.core.errors import (
    OUTCOME_UNKNOWN_MESSAGE,
    UNAVAILABLE_MESSAGE,
    CoreError,
    OutcomeUnknown,
    RateLimited,
    Unavailable,
    from_response,
)
from dashboard.core.models import ActionResult, Actor, Job

PREFIX = "/v1/admin"
RETRY_STATUSES = frozenset({429, 502, 503, 504})
# A gateway answering these may have passed the request on before giving up.
MAYBE_DELIVERED_STATUSES = frozenset({502, 504})
BACKOFF_BASE_S = 0.1
BACKOFF_CAP_S = 5.0


class HttpCoreClient:
    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        connect_timeout: float,
        read_timeout: float,
        retry_budget: float,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout, pool=connect_timeout),
            transport=transport,
        )
        self._retry_budget = retry_budget
        self._sleep = sleep
        self._random = random.Random()

    def close(self) -> None:
        self._client.close()

    # --- integrations -----------------------------------------------------------------

    def retry_failed(
        self, actor: Actor, integration_id: int, *, expected_version: int, idempotency_key: str
    ) -> ActionResult:
        return self._action(actor, idempotency_key, f"/integrations/{integration_id}/retry-failed",
                            {"expected_version": expected_version})

    def pause_integration(
        self, actor: Actor, integration_id: int, *, expected_version: int, idempotency_key: str
    ) -> ActionResult:
        return self._action(actor, idempotency_key, f"/integrations/{integration_id}/pause",
                            {"expected_version": expected_version})

    def resume_integration(
        self, actor: Actor, integration_id: int, *, expected_version: int, idempotency_key: str
    ) -> ActionResult:
        return self._action(actor, idempotency_key, f"/integrations/{integration_id}/resume",
                            {"expected_version": expected_version})

    def disconnect_integration(
        self,
        actor: Actor,
        integration_id: int,
        *,
        expected_version: int,
        reason: str,
        idempotency_key: str,
    ) -> ActionResult:
        return self._action(actor, idempotency_key, f"/integrations/{integration_id}/disconnect",
                            {"expected_version": expected_version, "reason": reason})

    def test_integration(
        self, actor: Actor, integration_id: int, *, idempotency_key: str
    ) -> ActionResult:
        return self._action(actor, idempotency_key, f"/integrations/{integration_id}/test", {})

    # --- back-office accounts ---------------------------------------------------------

    def create_user(
        self, actor: Actor, *, email: str, name: str, role: str, password: str,
        idempotency_key: str,
    ) -> ActionResult:
        return self._action(actor, idempotency_key, "/users",
                            {"email": email, "name": name, "role": role, "password": password})

    def disable_user(
        self, actor: Actor, user_id: int, *, expected_version: int, idempotency_key: str
    ) -> ActionResult:
        return self._action(actor, idempotency_key, f"/users/{user_id}/disable",
                            {"expected_version": expected_version})

    def enable_user(
        self, actor: Actor, user_id: int, *, expected_version: int, idempotency_key: str
    ) -> ActionResult:
        return self._action(actor, idempotency_key, f"/users/{user_id}/enable",
                            {"expected_version": expected_version})

    def unlock_user(
        self, actor: Actor, user_id: int, *, expected_version: int, idempotency_key: str
    ) -> ActionResult:
        return self._action(actor, idempotency_key, f"/users/{user_id}/unlock",
                            {"expected_version": expected_version})

    def reset_password(
        self, actor: Actor, user_id: int, *, expected_version: int, new_password: str,
        idempotency_key: str,
    ) -> ActionResult:
        return self._action(actor, idempotency_key, f"/users/{user_id}/reset-password",
                            {"expected_version": expected_version, "new_password": new_password})

    def change_role(
        self, actor: Actor, user_id: int, *, expected_version: int, role: str,
        idempotency_key: str,
    ) -> ActionResult:
        return self._action(actor, idempotency_key, f"/users/{user_id}/change-role",
                            {"expected_version": expected_version, "role": role})

    # --- rights requests --------------------------------------------------------------

    def create_request(
        self, actor: Actor, *, workspace_id: int | None, subject_kind: str,
        subject_name: str | None, subject_email: str | None, subject_phone: str | None,
        request_type: str, jurisdiction: str, channel: str, received_at: datetime,
        idempotency_key: str,
    ) -> ActionResult:
        return self._action(actor, idempotency_key, "/rights-requests", {
            "workspace_id": workspace_id, "subject_kind": subject_kind,
            "subject_name": subject_name, "subject_email": subject_email,
            "subject_phone": subject_phone, "request_type": request_type,
            "jurisdiction": jurisdiction, "channel": channel,
            "received_at": received_at.isoformat(),
        })

    def verify_request(
        self, actor: Actor, request_id: int, *, expected_version: int, method: str,
        idempotency_key: str,
    ) -> ActionResult:
        return self._action(actor, idempotency_key, f"/rights-requests/{request_id}/verify",
                            {"expected_version": expected_version, "method": method})

    def assign_requests(
        self, actor: Actor, *, expected_versions: dict[int, int], assignee: str,
        idempotency_key: str,
    ) -> ActionResult:
        return self._action(actor, idempotency_key, "/rights-requests/assign",
                            {"requests": _versions(expected_versions), "assignee": assignee})

    def hold_request(
        self, actor: Actor, request_id: int, *, expected_version: int, waiting_for: str,
        reason: str, idempotency_key: str,
    ) -> ActionResult:
        return self._action(actor, idempotency_key, f"/rights-requests/{request_id}/hold",
                            {"expected_version": expected_version, "waiting_for": waiting_for,
                             "reason": reason})

    def resume_request(
        self, actor: Actor, request_id: int, *, expected_version: int, reason: str,
        idempotency_key: str,
    ) -> ActionResult:
        return self._action(actor, idempotency_key, f"/rights-requests/{request_id}/resume",
                            {"expected_version": expected_version, "reason": reason})

    def extend_request(
        self, actor: Actor, request_id: int, *, expected_version: int, until: date,
        reasons: str, idempotency_key: str,
    ) -> ActionResult:
        return self._action(actor, idempotency_key, f"/rights-requests/{request_id}/extend",
                            {"expected_version": expected_version, "until": until.isoformat(),
                             "reasons": reasons})

    def forward_request_to_controller(
        self, actor: Actor, request_id: int, *, expected_version: int, idempotency_key: str,
    ) -> ActionResult:
        return self._action(actor, idempotency_key,
                            f"/rights-requests/{request_id}/forward-to-controller",
                            {"expected_version": expected_version})

    def reject_requests(
        self, actor: Actor, *, expected_versions: dict[int, int], ground: str, reason: str,
        idempotency_key: str,
    ) -> ActionResult:
        return self._action(actor, idempotency_key, "/rights-requests/reject",
                            {"requests": _versions(expected_versions), "ground": ground,
                             "reason": reason})

    def complete_request(
        self, actor: Actor, request_id: int, *, expected_version: int, resolution: str,
        idempotency_key: str,
    ) -> ActionResult:
        return self._action(actor, idempotency_key, f"/rights-requests/{request_id}/complete",
                            {"expected_version": expected_version, "resolution": resolution})

    def notify_requester(
        self, actor: Actor, request_id: int, *, kind: str, note: str, idempotency_key: str,
    ) -> ActionResult:
        return self._action(actor, idempotency_key, f"/rights-requests/{request_id}/notify",
                            {"kind": kind, "note": note})

    # --- audit and jobs ---------------------------------------------------------------

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
        return self._action(actor, idempotency_key, "/audit-events",
                            {"action": action, "target_type": target_type,
                             "target_id": target_id, "detail": detail})

    def get_job(self, job_id: int) -> Job:
        return Job.from_json(self._request("GET", f"/jobs/{job_id}", headers={}, body=None))

    # --- transport ----------------------------------------------------------------------

    def _action(self, actor: Actor, key: str, path: str, body: dict[str, Any]) -> ActionResult:
        headers = {"X-Actor": actor.email, "X-Actor-Role": actor.role, "Idempotency-Key": key}
        return ActionResult.from_json(self._request("POST", path, headers=headers, body=body))

    def _request(
        self, method: str, path: str, *, headers: dict[str, str], body: dict[str, Any] | None
    ) -> dict[str, Any]:
        """Send until answered or out of budget; the answer's JSON, or its error raised."""
        deadline = time.monotonic() + self._retry_budget
        may_have_acted = False  # some attempt may have reached the core and acted
        attempt = 0
        while True:
            wait: float | None = None
            try:
                response = self._client.request(method, PREFIX + path, headers=headers, json=body)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as error:
                failure: CoreError = _unavailable(error)
            except httpx.TransportError as error:  # read timeout, dropped connection
                may_have_acted = True
                failure = _unavailable(error)
            else:
                if response.is_success:
                    return response.json()
                failure = _error(response)
                if response.status_code not in RETRY_STATUSES:
                    raise failure
                may_have_acted |= response.status_code in MAYBE_DELIVERED_STATUSES
                if isinstance(failure, RateLimited):
                    wait = failure.retry_after
            if wait is None:
                wait = self._random.uniform(0, min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2**attempt))
            if time.monotonic() + wait >= deadline:
                if may_have_acted and method != "GET":
                    raise OutcomeUnknown(OUTCOME_UNKNOWN_MESSAGE) from failure
                raise failure
            self._sleep(wait)
            attempt += 1

    # --- AI on a workspace --------------------------------------------------------------

    def set_workspace_ai_budget(
        self, actor: Actor, workspace_id: int, *, expected_version: int,
        monthly_budget_usd: float, idempotency_key: str,
    ) -> ActionResult:
        return self._action(actor, idempotency_key, f"/workspaces/{workspace_id}/ai-budget",
                            {"expected_version": expected_version,
                             "monthly_budget_usd": monthly_budget_usd})

    def disable_workspace_ai(
        self, actor: Actor, workspace_id: int, *, expected_version: int, idempotency_key: str
    ) -> ActionResult:
        return self._action(actor, idempotency_key, f"/workspaces/{workspace_id}/ai/disable",
                            {"expected_version": expected_version})

    def enable_workspace_ai(
        self, actor: Actor, workspace_id: int, *, expected_version: int, idempotency_key: str
    ) -> ActionResult:
        return self._action(actor, idempotency_key, f"/workspaces/{workspace_id}/ai/enable",
                            {"expected_version": expected_version})

    # --- back-office notifications (the daily digest) -------------------------------------

    def notify_user(
        self, actor: Actor, user_id: int, *, kind: str, subject: str, body: str,
        idempotency_key: str,
    ) -> ActionResult:
        return self._action(actor, idempotency_key, f"/users/{user_id}/notify",
                            {"kind": kind, "subject": subject, "body": body})

    # --- retention and legal holds ------------------------------------------------------

    def place_hold(
        self, actor: Actor, workspace_id: int, *, basis: str, categories: list[str],
        reason: str, idempotency_key: str,
    ) -> ActionResult:
        return self._action(actor, idempotency_key, f"/workspaces/{workspace_id}/legal-holds",
                            {"basis": basis, "categories": list(categories), "reason": reason})

    def release_hold(
        self, actor: Actor, hold_id: int, *, expected_version: int, reason: str,
        idempotency_key: str,
    ) -> ActionResult:
        return self._action(actor, idempotency_key, f"/legal-holds/{hold_id}/release",
                            {"expected_version": expected_version, "reason": reason})

    def send_purge_notice(
        self, actor: Actor, workspace_id: int, *, expected_version: int, idempotency_key: str,
    ) -> ActionResult:
        return self._action(actor, idempotency_key, f"/workspaces/{workspace_id}/purge-notice",
                            {"expected_version": expected_version})

    def run_purge(
        self, actor: Actor, workspace_id: int, *, expected_version: int, idempotency_key: str,
    ) -> ActionResult:
        return self._action(actor, idempotency_key, f"/workspaces/{workspace_id}/purge",
                            {"expected_version": expected_version})

    # --- the breach register ------------------------------------------------------------

    def create_incident(
        self, actor: Actor, *, title: str, severity: str, detected_at: datetime,
        aware_at: datetime, exposed_from: datetime | None, data_categories: list[str],
        subprocessors: list[str], eu_affected: bool, idempotency_key: str,
    ) -> ActionResult:
        return self._action(actor, idempotency_key, "/incidents", {
            "title": title, "severity": severity, "detected_at": detected_at.isoformat(),
            "aware_at": aware_at.isoformat(),
            "exposed_from": None if exposed_from is None else exposed_from.isoformat(),
            "data_categories": list(data_categories), "subprocessors": list(subprocessors),
            "eu_affected": eu_affected})

    def update_incident(
        self, actor: Actor, incident_id: int, *, expected_version: int, severity: str,
        status: str, data_categories: list[str], subprocessors: list[str], eu_affected: bool,
        idempotency_key: str,
    ) -> ActionResult:
        return self._action(actor, idempotency_key, f"/incidents/{incident_id}/update", {
            "expected_version": expected_version, "severity": severity, "status": status,
            "data_categories": list(data_categories), "subprocessors": list(subprocessors),
            "eu_affected": eu_affected})

    def mark_incident_notified(
        self, actor: Actor, incident_id: int, *, expected_version: int, notice: str,
        notified_at: datetime, idempotency_key: str,
    ) -> ActionResult:
        return self._action(actor, idempotency_key, f"/incidents/{incident_id}/mark-notified", {
            "expected_version": expected_version, "notice": notice,
            "notified_at": notified_at.isoformat()})

    def mark_notice_not_required(
        self, actor: Actor, incident_id: int, *, expected_version: int, notice: str,
        reason: str, idempotency_key: str,
    ) -> ActionResult:
        return self._action(actor, idempotency_key, f"/incidents/{incident_id}/not-required", {
            "expected_version": expected_version, "notice": notice, "reason": reason})


    # --- rights requests II: executing them -----------------------------------------------

    def execute_erasure(
        self, actor: Actor, request_id: int, *, expected_version: int, idempotency_key: str,
    ) -> ActionResult:
        return self._action(actor, idempotency_key, f"/rights-requests/{request_id}/execute-erasure",
                            {"expected_version": expected_version})

    def start_access_export(
        self, actor: Actor, request_id: int, *, expected_version: int, idempotency_key: str,
    ) -> ActionResult:
        return self._action(actor, idempotency_key, f"/rights-requests/{request_id}/access-export",
                            {"expected_version": expected_version})

    def correct_subject_data(
        self, actor: Actor, request_id: int, *, expected_version: int, changes: dict[str, str],
        idempotency_key: str,
    ) -> ActionResult:
        return self._action(actor, idempotency_key, f"/rights-requests/{request_id}/correct",
                            {"expected_version": expected_version, "changes": dict(changes)})

    def withdraw_consent(
        self, actor: Actor, request_id: int, *, expected_version: int, idempotency_key: str,
    ) -> ActionResult:
        return self._action(actor, idempotency_key, f"/rights-requests/{request_id}/withdraw-consent",
                            {"expected_version": expected_version})

    def record_nomination(
        self, actor: Actor, request_id: int, *, expected_version: int, nominee_name: str,
        nominee_email: str | None, nominee_phone: str | None, relationship: str, proof: str,
        idempotency_key: str,
    ) -> ActionResult:
        return self._action(actor, idempotency_key, f"/rights-requests/{request_id}/nominate",
                            {"expected_version": expected_version, "nominee_name": nominee_name,
                             "nominee_email": nominee_email, "nominee_phone": nominee_phone,
                             "relationship": relationship, "proof": proof})

    def acknowledge_erasure_task(
        self, actor: Actor, task_id: int, *, expected_version: int, evidence: str,
        idempotency_key: str,
    ) -> ActionResult:
        return self._action(actor, idempotency_key, f"/erasure-tasks/{task_id}/acknowledge",
                            {"expected_version": expected_version, "evidence": evidence})

    def resend_erasure_task(
        self, actor: Actor, task_id: int, *, expected_version: int, idempotency_key: str,
    ) -> ActionResult:
        return self._action(actor, idempotency_key, f"/erasure-tasks/{task_id}/resend",
                            {"expected_version": expected_version})

    def download_access_export(
        self, actor: Actor, export_id: int, *, idempotency_key: str,
    ) -> ActionResult:
        return self._action(actor, idempotency_key, f"/access-exports/{export_id}/download", {})

def _versions(expected_versions: dict[int, int]) -> list[dict[str, int]]:
    """A bulk action's requests as the API takes them: [{"id", "expected_version"}]."""
    return [{"id": request_id, "expected_version": version}
            for request_id, version in sorted(expected_versions.items())]


def _unavailable(error: httpx.TransportError) -> Unavailable:
    failure = Unavailable(UNAVAILABLE_MESSAGE)
    failure.__cause__ = error  # for the log; the person reads the message
    return failure


def _error(response: httpx.Response) -> CoreError:
    try:
        body = response.json()
    except ValueError:
        body = None
    code = message = None
    if isinstance(body, dict):
        code, message = body.get("error"), body.get("message")
    return from_response(
        response.status_code,
        code if isinstance(code, str) else None,
        message if isinstance(message, str) else None,
        _retry_after(response.headers.get("Retry-After")),
    )


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)
