"""LocalCore: the reference CoreService, acting on the CRM database itself.

Every action follows one path (``_act``), in one transaction:

1. an audit row with this idempotency key already exists -> return its result, or raise
   its refusal again, without acting;
2. the actor's role may act on the area (``dashboard.auth.roles.PAGE_ACCESS``);
3. the record is at the version the person saw, and its state allows the action;
4. the change, with ``UPDATE … WHERE version = expected`` bumping the version;
5. exactly one ``audit_log`` row holding the result.

A refusal (Forbidden, Conflict and its kinds) changes nothing and is audited with
outcome ``refused`` in a transaction of its own, under the same key, so a retried
request gets the same refusal. A unique index on ``audit_log.idempotency_key`` settles
two requests with the same key racing: the loser's insert fails, and it replays the
winner's answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from dashboard.auth.roles import PAGE_ACCESS, ROLE_TITLES, ROLES, Access
from dashboard.core import (
    audit,
    jobs,
    local_accounts,
    local_events,
    local_integrations,
    local_requests,
)
from dashboard.core import local_ai
from dashboard.core import local_incidents, local_retention
from dashboard.core import local_execution
from dashboard.core import local_notifications
from dashboard.core.audit import Request
from dashboard.core.errors import Conflict, CoreError, Forbidden, Unavailable
from dashboard.core.models import ActionResult, Actor, Job
from dashboard.policy.requests.config import GRIEVANCE_OFFICER, GrievanceOfficer

# What a role must be allowed to ACT on (a page id of PAGE_ACCESS) to take an action.
INTEGRATIONS = "integrations"
ACCOUNTS = "team"
REQUESTS = "rights_requests"
AREA_NAMES = {INTEGRATIONS: "integrations", ACCOUNTS: "back-office accounts",
              REQUESTS: "rights requests"}
AREA_NAMES[local_ai.AREA] = local_ai.AREA_NAME
AREA_NAMES[local_retention.AREA] = local_retention.AREA_NAME
AREA_NAMES[local_incidents.AREA] = local_incidents.AREA_NAME
# The database may have failed at the commit, so the outcome is not certain.
DATABASE_UNAVAILABLE = (
    "The database did not answer, so the action was not confirmed. Check the audit log "
    "before trying again; if it keeps failing, tell the on-call engineer."
)


class LocalCore:
    def __init__(self, engine: Engine, *, grievance_officer: GrievanceOfficer = GRIEVANCE_OFFICER):
        self.engine = engine
        # Every message to a requester carries this contact (DPDP Rules r.9).
        self.grievance_officer = grievance_officer
        self._jobs = jobs.JobRunner(self._tx)

    def close(self, timeout: float | None = 30) -> None:
        """Wait for running jobs; call before the database goes away."""
        self._jobs.join(timeout)

    # --- integrations -----------------------------------------------------------------

    def retry_failed(
        self, actor: Actor, integration_id: int, *, expected_version: int, idempotency_key: str
    ) -> ActionResult:
        result = self._act(
            Request(actor, "integration.retry_failed", "integration", str(integration_id),
                    idempotency_key, {"expected_version": expected_version}),
            INTEGRATIONS,
            lambda conn: local_integrations.retry_failed(conn, integration_id, expected_version),
        )
        if result.job_id is not None:
            self._jobs.start(result.job_id, local_integrations.requeue_failed(integration_id))
        return result

    def pause_integration(
        self, actor: Actor, integration_id: int, *, expected_version: int, idempotency_key: str
    ) -> ActionResult:
        return self._act(
            Request(actor, "integration.pause", "integration", str(integration_id),
                    idempotency_key, {"expected_version": expected_version}),
            INTEGRATIONS,
            lambda conn: local_integrations.pause(conn, integration_id, expected_version),
        )

    def resume_integration(
        self, actor: Actor, integration_id: int, *, expected_version: int, idempotency_key: str
    ) -> ActionResult:
        return self._act(
            Request(actor, "integration.resume", "integration", str(integration_id),
                    idempotency_key, {"expected_version": expected_version}),
            INTEGRATIONS,
            lambda conn: local_integrations.resume(conn, integration_id, expected_version),
        )

    def disconnect_integration(
        self,
        actor: Actor,
        integration_id: int,
        *,
        expected_version: int,
        reason: str,
        idempotency_key: str,
    ) -> ActionResult:
        return self._act(
            Request(actor, "integration.disconnect", "integration", str(integration_id),
                    idempotency_key, {"expected_version": expected_version}),
            INTEGRATIONS,
            lambda conn: local_integrations.disconnect(conn, integration_id, expected_version,
                                                       reason),
        )

    def test_integration(
        self, actor: Actor, integration_id: int, *, idempotency_key: str
    ) -> ActionResult:
        return self._act(
            Request(actor, "integration.test", "integration", str(integration_id),
                    idempotency_key),
            INTEGRATIONS,
            lambda conn: local_integrations.connection_test(conn, integration_id),
        )

    # --- back-office accounts ---------------------------------------------------------

    def create_user(
        self, actor: Actor, *, email: str, name: str, role: str, password: str,
        idempotency_key: str,
    ) -> ActionResult:
        return self._act(
            Request(actor, "backoffice_user.create", "backoffice_user", None, idempotency_key,
                    {"role": role}),
            ACCOUNTS,
            lambda conn: local_accounts.create(conn, email=email, name=name, role=role,
                                               password=password),
        )

    def disable_user(
        self, actor: Actor, user_id: int, *, expected_version: int, idempotency_key: str
    ) -> ActionResult:
        return self._act(
            self._user_request(actor, "disable", user_id, idempotency_key, expected_version),
            ACCOUNTS,
            lambda conn: local_accounts.disable(conn, actor, user_id, expected_version),
        )

    def enable_user(
        self, actor: Actor, user_id: int, *, expected_version: int, idempotency_key: str
    ) -> ActionResult:
        return self._act(
            self._user_request(actor, "enable", user_id, idempotency_key, expected_version),
            ACCOUNTS,
            lambda conn: local_accounts.enable(conn, user_id, expected_version),
        )

    def unlock_user(
        self, actor: Actor, user_id: int, *, expected_version: int, idempotency_key: str
    ) -> ActionResult:
        return self._act(
            self._user_request(actor, "unlock", user_id, idempotency_key, expected_version),
            ACCOUNTS,
            lambda conn: local_accounts.unlock(conn, user_id, expected_version),
        )

    def reset_password(
        self, actor: Actor, user_id: int, *, expected_version: int, new_password: str,
        idempotency_key: str,
    ) -> ActionResult:
        return self._act(
            self._user_request(actor, "reset_password", user_id, idempotency_key,
                               expected_version),
            ACCOUNTS,
            lambda conn: local_accounts.reset_password(conn, user_id, expected_version,
                                                       new_password),
        )

    def change_role(
        self, actor: Actor, user_id: int, *, expected_version: int, role: str,
        idempotency_key: str,
    ) -> ActionResult:
        return self._act(
            self._user_request(actor, "change_role", user_id, idempotency_key, expected_version,
                               role=role),
            ACCOUNTS,
            lambda conn: local_accounts.change_role(conn, user_id, expected_version, role),
        )

    @staticmethod
    def _user_request(actor: Actor, verb: str, user_id: int, key: str, expected_version: int,
                      **detail: Any) -> Request:
        return Request(actor, f"backoffice_user.{verb}", "backoffice_user", str(user_id), key,
                       {"expected_version": expected_version, **detail})

    # --- rights requests ----------------------------------------------------------------

    def create_request(
        self, actor: Actor, *, workspace_id: int | None, subject_kind: str,
        subject_name: str | None, subject_email: str | None, subject_phone: str | None,
        request_type: str, jurisdiction: str, channel: str, received_at: datetime,
        idempotency_key: str,
    ) -> ActionResult:
        # The subject's name, email and phone stay out of the audit row.
        return self._act(
            Request(actor, "rights_request.create", "rights_request", None, idempotency_key,
                    {"request_type": request_type, "jurisdiction": jurisdiction,
                     "channel": channel, "subject_kind": subject_kind,
                     "workspace_id": workspace_id}),
            REQUESTS,
            lambda conn: local_requests.create(
                conn, actor, self.grievance_officer, workspace_id=workspace_id,
                subject_kind=subject_kind, subject_name=subject_name,
                subject_email=subject_email, subject_phone=subject_phone,
                request_type=request_type, jurisdiction=jurisdiction, channel=channel,
                received_at=received_at),
        )

    def verify_request(
        self, actor: Actor, request_id: int, *, expected_version: int, method: str,
        idempotency_key: str,
    ) -> ActionResult:
        return self._act(
            self._rights_request(actor, "verify", request_id, idempotency_key,
                                  expected_version, method=method),
            REQUESTS,
            lambda conn: local_requests.verify(conn, actor, request_id, expected_version, method),
        )

    def assign_requests(
        self, actor: Actor, *, expected_versions: dict[int, int], assignee: str,
        idempotency_key: str,
    ) -> ActionResult:
        return self._act(
            self._bulk_request(actor, "assign", expected_versions, idempotency_key),
            REQUESTS,
            lambda conn: local_requests.assign(conn, actor, dict(expected_versions), assignee),
        )

    def hold_request(
        self, actor: Actor, request_id: int, *, expected_version: int, waiting_for: str,
        reason: str, idempotency_key: str,
    ) -> ActionResult:
        return self._act(
            self._rights_request(actor, "hold", request_id, idempotency_key, expected_version,
                                  waiting_for=waiting_for),
            REQUESTS,
            lambda conn: local_requests.hold(conn, actor, self.grievance_officer, request_id,
                                             expected_version, waiting_for, reason),
        )

    def resume_request(
        self, actor: Actor, request_id: int, *, expected_version: int, reason: str,
        idempotency_key: str,
    ) -> ActionResult:
        return self._act(
            self._rights_request(actor, "resume", request_id, idempotency_key,
                                  expected_version),
            REQUESTS,
            lambda conn: local_requests.resume(conn, actor, request_id, expected_version, reason),
        )

    def extend_request(
        self, actor: Actor, request_id: int, *, expected_version: int, until: date,
        reasons: str, idempotency_key: str,
    ) -> ActionResult:
        return self._act(
            self._rights_request(actor, "extend", request_id, idempotency_key,
                                  expected_version, until=until.isoformat()),
            REQUESTS,
            lambda conn: local_requests.extend(conn, actor, self.grievance_officer, request_id,
                                               expected_version, until, reasons),
        )

    def forward_request_to_controller(
        self, actor: Actor, request_id: int, *, expected_version: int, idempotency_key: str,
    ) -> ActionResult:
        return self._act(
            self._rights_request(actor, "forward_to_controller", request_id, idempotency_key,
                                  expected_version),
            REQUESTS,
            lambda conn: local_requests.forward(conn, actor, self.grievance_officer, request_id,
                                                expected_version),
        )

    def reject_requests(
        self, actor: Actor, *, expected_versions: dict[int, int], ground: str, reason: str,
        idempotency_key: str,
    ) -> ActionResult:
        return self._act(
            self._bulk_request(actor, "reject", expected_versions, idempotency_key,
                               ground=ground),
            REQUESTS,
            lambda conn: local_requests.reject(conn, actor, self.grievance_officer,
                                               dict(expected_versions), ground, reason),
        )

    def complete_request(
        self, actor: Actor, request_id: int, *, expected_version: int, resolution: str,
        idempotency_key: str,
    ) -> ActionResult:
        return self._act(
            self._rights_request(actor, "complete", request_id, idempotency_key,
                                  expected_version),
            REQUESTS,
            lambda conn: local_requests.complete(conn, actor, self.grievance_officer, request_id,
                                                 expected_version, resolution),
        )

    def notify_requester(
        self, actor: Actor, request_id: int, *, kind: str, note: str, idempotency_key: str,
    ) -> ActionResult:
        return self._act(
            Request(actor, "rights_request.notify", "rights_request", str(request_id),
                    idempotency_key, {"kind": kind}),
            REQUESTS,
            lambda conn: local_requests.notify(conn, actor, self.grievance_officer, request_id,
                                               kind, note),
        )

    @staticmethod
    def _rights_request(actor: Actor, verb: str, request_id: int, key: str,
                         expected_version: int, **detail: Any) -> Request:
        return Request(actor, f"rights_request.{verb}", "rights_request", str(request_id), key,
                       {"expected_version": expected_version, **detail})

    @staticmethod
    def _bulk_request(actor: Actor, verb: str, expected_versions: dict[int, int], key: str,
                      **detail: Any) -> Request:
        ids = sorted(expected_versions)
        return Request(actor, f"rights_request.{verb}", "rights_request",
                       str(ids[0]) if len(ids) == 1 else None, key,
                       {"expected_versions": {str(i): expected_versions[i] for i in ids},
                        **detail})

    # --- audit --------------------------------------------------------------------------

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
        target = None if target_id is None else str(target_id)
        local_events.check(action, target_type, target, detail)
        return self._act(
            Request(actor, action, target_type, target, idempotency_key, dict(detail)),
            None,
            lambda conn: local_events.record(actor, action, target_type, target),
        )

    # --- jobs ---------------------------------------------------------------------------

    def get_job(self, job_id: int) -> Job:
        with self.engine.connect() as conn:
            return jobs.read(conn, job_id)

    # --- the one path every action takes ------------------------------------------------

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                # Take the write lock up front: a SQLite transaction that reads and then
                # writes fails at once if another writer committed in between.
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            yield conn

    def _act(
        self, request: Request, area: str | None, work: Callable[[Connection], ActionResult]
    ) -> ActionResult:
        audit.check_key(request.idempotency_key)
        try:
            with self._tx() as conn:
                if (stored := audit.find(conn, request.idempotency_key)) is not None:
                    return audit.replay(stored, request)
                _authorize(request.actor, area)
                result = work(conn)
                audit.record_result(conn, request, result)
            return result
        except (Forbidden, Conflict) as refusal:
            return self._refuse(request, refusal)
        except IntegrityError:
            return self._replay_after_race(request)
        except OperationalError as error:
            raise Unavailable(DATABASE_UNAVAILABLE) from error

    def _refuse(self, request: Request, refusal: CoreError) -> ActionResult:
        try:
            with self._tx() as conn:
                if (stored := audit.find(conn, request.idempotency_key)) is not None:
                    return audit.replay(stored, request)
                audit.record_refusal(conn, request, refusal)
        except IntegrityError:
            return self._replay_after_race(request)
        raise refusal

    def _replay_after_race(self, request: Request) -> ActionResult:
        """A concurrent request committed first: the same key's answer, or a conflict."""
        with self.engine.connect() as conn:
            stored = audit.find(conn, request.idempotency_key)
        if stored is not None:
            return audit.replay(stored, request)
        raise Conflict(
            "Someone else changed this record at the same moment. Reload and try again.",
            code="concurrent_change",
        )

    # --- AI on a workspace --------------------------------------------------------------

    def set_workspace_ai_budget(
        self, actor: Actor, workspace_id: int, *, expected_version: int,
        monthly_budget_usd: float, idempotency_key: str,
    ) -> ActionResult:
        return self._act(
            self._ai_request(actor, "set_budget", workspace_id, idempotency_key,
                             expected_version),
            local_ai.AREA,
            lambda conn: local_ai.set_budget(conn, workspace_id, expected_version,
                                             monthly_budget_usd),
        )

    def disable_workspace_ai(
        self, actor: Actor, workspace_id: int, *, expected_version: int, idempotency_key: str
    ) -> ActionResult:
        return self._act(
            self._ai_request(actor, "disable", workspace_id, idempotency_key, expected_version),
            local_ai.AREA,
            lambda conn: local_ai.turn_off(conn, workspace_id, expected_version),
        )

    def enable_workspace_ai(
        self, actor: Actor, workspace_id: int, *, expected_version: int, idempotency_key: str
    ) -> ActionResult:
        return self._act(
            self._ai_request(actor, "enable", workspace_id, idempotency_key, expected_version),
            local_ai.AREA,
            lambda conn: local_ai.turn_on(conn, workspace_id, expected_version),
        )

    @staticmethod
    def _ai_request(actor: Actor, verb: str, workspace_id: int, key: str,
                    expected_version: int) -> Request:
        return Request(actor, f"{local_ai.NAMESPACE}.{verb}", local_ai.TARGET, str(workspace_id),
                       key, {"expected_version": expected_version})

    # --- back-office notifications (the daily digest) -------------------------------------

    def notify_user(
        self, actor: Actor, user_id: int, *, kind: str, subject: str, body: str,
        idempotency_key: str,
    ) -> ActionResult:
        return self._act(
            Request(actor, "backoffice_user.notify", local_notifications.TARGET, str(user_id),
                    idempotency_key, {"kind": kind}),
            local_notifications.AREA,
            lambda conn: local_notifications.notify(conn, user_id, kind, subject, body),
        )

    # --- retention and legal holds ------------------------------------------------------

    def place_hold(
        self, actor: Actor, workspace_id: int, *, basis: str, categories: list[str],
        reason: str, idempotency_key: str,
    ) -> ActionResult:
        return self._act(
            Request(actor, "legal_hold.place", "workspace", str(workspace_id), idempotency_key,
                    {"basis": basis, "categories": list(categories) if isinstance(categories, list) else None}),
            local_retention.AREA,
            lambda conn: local_retention.place_hold(conn, actor, workspace_id, basis, categories,
                                                    reason),
        )

    def release_hold(
        self, actor: Actor, hold_id: int, *, expected_version: int, reason: str,
        idempotency_key: str,
    ) -> ActionResult:
        return self._act(
            Request(actor, "legal_hold.release", "legal_hold", str(hold_id), idempotency_key,
                    {"expected_version": expected_version}),
            local_retention.AREA,
            lambda conn: local_retention.release_hold(conn, actor, hold_id, expected_version,
                                                      reason),
        )

    def send_purge_notice(
        self, actor: Actor, workspace_id: int, *, expected_version: int, idempotency_key: str,
    ) -> ActionResult:
        return self._act(
            Request(actor, "purge.notice", "workspace", str(workspace_id), idempotency_key,
                    {"expected_version": expected_version}),
            local_retention.AREA,
            lambda conn: local_retention.send_notice(conn, actor, workspace_id, expected_version),
        )

    def run_purge(
        self, actor: Actor, workspace_id: int, *, expected_version: int, idempotency_key: str,
    ) -> ActionResult:
        result = self._act(
            Request(actor, "purge.run", "workspace", str(workspace_id), idempotency_key,
                    {"expected_version": expected_version}),
            local_retention.AREA,
            lambda conn: local_retention.start_purge(conn, actor, workspace_id, expected_version),
        )
        if result.job_id is not None:
            self._jobs.start(result.job_id, local_retention.purge_work(int(result.target_id)))
        return result

    # --- the breach register ------------------------------------------------------------

    def create_incident(
        self, actor: Actor, *, title: str, severity: str, detected_at: datetime,
        aware_at: datetime, exposed_from: datetime | None, data_categories: list[str],
        subprocessors: list[str], eu_affected: bool, idempotency_key: str,
    ) -> ActionResult:
        return self._act(
            Request(actor, "incident.create", "incident", None, idempotency_key,
                    {"severity": severity, "eu_affected": bool(eu_affected)}),
            local_incidents.AREA,
            lambda conn: local_incidents.create(
                conn, actor, title=title, severity=severity, detected_at=detected_at,
                aware_at=aware_at, exposed_from=exposed_from, data_categories=data_categories,
                subprocessors=subprocessors, eu_affected=eu_affected),
        )

    def update_incident(
        self, actor: Actor, incident_id: int, *, expected_version: int, severity: str,
        status: str, data_categories: list[str], subprocessors: list[str], eu_affected: bool,
        idempotency_key: str,
    ) -> ActionResult:
        return self._act(
            Request(actor, "incident.update", "incident", str(incident_id), idempotency_key,
                    {"expected_version": expected_version, "status": status}),
            local_incidents.AREA,
            lambda conn: local_incidents.update(
                conn, actor, incident_id, expected_version, severity=severity, status=status,
                data_categories=data_categories, subprocessors=subprocessors,
                eu_affected=eu_affected),
        )

    def mark_incident_notified(
        self, actor: Actor, incident_id: int, *, expected_version: int, notice: str,
        notified_at: datetime, idempotency_key: str,
    ) -> ActionResult:
        return self._act(
            Request(actor, "incident.mark_notified", "incident", str(incident_id),
                    idempotency_key, {"expected_version": expected_version, "notice": notice}),
            local_incidents.AREA,
            lambda conn: local_incidents.mark_notified(conn, actor, incident_id, expected_version,
                                                       notice, notified_at),
        )

    def mark_notice_not_required(
        self, actor: Actor, incident_id: int, *, expected_version: int, notice: str,
        reason: str, idempotency_key: str,
    ) -> ActionResult:
        return self._act(
            Request(actor, "incident.not_required", "incident", str(incident_id),
                    idempotency_key, {"expected_version": expected_version, "notice": notice}),
            local_incidents.AREA,
            lambda conn: local_incidents.mark_not_required(conn, actor, incident_id,
                                                           expected_version, notice, reason),
        )


    # --- rights requests II: executing them ----------------------------------------------

    def execute_erasure(
        self, actor: Actor, request_id: int, *, expected_version: int, idempotency_key: str,
    ) -> ActionResult:
        return self._act(
            self._rights_request(actor, "execute_erasure", request_id, idempotency_key,
                                  expected_version),
            REQUESTS,
            lambda conn: local_execution.erase(conn, actor, request_id, expected_version),
        )

    def start_access_export(
        self, actor: Actor, request_id: int, *, expected_version: int, idempotency_key: str,
    ) -> ActionResult:
        result = self._act(
            self._rights_request(actor, "access_export", request_id, idempotency_key,
                                  expected_version),
            REQUESTS,
            lambda conn: local_execution.start_export(conn, actor, request_id, expected_version),
        )
        if result.job_id is not None:
            self._jobs.start(result.job_id, local_execution.build_export(result.detail["export_id"]))
        return result

    def correct_subject_data(
        self, actor: Actor, request_id: int, *, expected_version: int, changes: dict[str, str],
        idempotency_key: str,
    ) -> ActionResult:
        # The values are personal data: the audit row names the fields only.
        return self._act(
            self._rights_request(actor, "correct", request_id, idempotency_key, expected_version,
                                  fields=",".join(sorted(changes))),
            REQUESTS,
            lambda conn: local_execution.correct(conn, actor, request_id, expected_version,
                                                 dict(changes)),
        )

    def withdraw_consent(
        self, actor: Actor, request_id: int, *, expected_version: int, idempotency_key: str,
    ) -> ActionResult:
        return self._act(
            self._rights_request(actor, "withdraw_consent", request_id, idempotency_key,
                                  expected_version),
            REQUESTS,
            lambda conn: local_execution.withdraw_consent(conn, actor, request_id,
                                                          expected_version),
        )

    def record_nomination(
        self, actor: Actor, request_id: int, *, expected_version: int, nominee_name: str,
        nominee_email: str | None, nominee_phone: str | None, relationship: str, proof: str,
        idempotency_key: str,
    ) -> ActionResult:
        return self._act(
            self._rights_request(actor, "nominate", request_id, idempotency_key,
                                  expected_version),
            REQUESTS,
            lambda conn: local_execution.nominate(
                conn, actor, request_id, expected_version, nominee_name=nominee_name,
                nominee_email=nominee_email, nominee_phone=nominee_phone,
                relationship=relationship, proof=proof),
        )

    def acknowledge_erasure_task(
        self, actor: Actor, task_id: int, *, expected_version: int, evidence: str,
        idempotency_key: str,
    ) -> ActionResult:
        return self._act(
            Request(actor, "erasure_task.acknowledge", "erasure_task", str(task_id),
                    idempotency_key, {"expected_version": expected_version}),
            REQUESTS,
            lambda conn: local_execution.acknowledge_task(conn, actor, task_id, expected_version,
                                                          evidence),
        )

    def resend_erasure_task(
        self, actor: Actor, task_id: int, *, expected_version: int, idempotency_key: str,
    ) -> ActionResult:
        return self._act(
            Request(actor, "erasure_task.resend", "erasure_task", str(task_id),
                    idempotency_key, {"expected_version": expected_version}),
            REQUESTS,
            lambda conn: local_execution.resend_task(conn, actor, task_id, expected_version),
        )

    def download_access_export(
        self, actor: Actor, export_id: int, *, idempotency_key: str,
    ) -> ActionResult:
        return self._act(
            Request(actor, "access_export.download", "access_export", str(export_id),
                    idempotency_key),
            REQUESTS,
            lambda conn: local_execution.download_export(conn, actor, export_id),
        )

def _authorize(actor: Actor, area: str | None) -> None:
    if actor.role not in ROLES:
        raise Forbidden("Your account has no back-office role; ask an admin to give it one.")
    if area is not None and PAGE_ACCESS[area].get(actor.role) != Access.ACT:
        raise Forbidden(
            f"The {ROLE_TITLES[actor.role]} role may not act on {AREA_NAMES[area]}. "
            "Ask someone with that right."
        )
