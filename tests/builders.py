"""Hand-built fixtures: one call a row, every column the test does not care about filled
with a plain default, so a test states only what its assertion depends on."""

from __future__ import annotations

import itertools
from datetime import date, datetime

from sqlalchemy import insert
from sqlalchemy.engine import Engine

from dashboard import schema
from dashboard.auth import passwords

_seq = itertools.count(1)
T0 = datetime(2026, 1, 1)


class Builder:
    def __init__(self, engine: Engine):
        self.engine = engine

    def _add(self, table, **values) -> int:
        with self.engine.begin() as conn:
            return conn.execute(insert(table).values(**values)).inserted_primary_key[0]

    def workspace(self, *, created_at: datetime = T0, **values) -> int:
        n = next(_seq)
        row = dict(name=f"Workspace {n}", plan="growth", status="active", created_at=created_at,
                   mrr_inr=0, owner_email=f"owner{n}@example.in", country="IN")
        return self._add(schema.workspaces, **(row | values))

    def invoice(self, workspace_id: int, *, period_start: date, amount_inr: float, plan: str,
                **values) -> int:
        n = next(_seq)
        row = dict(workspace_id=workspace_id, number=f"INV-{n:06d}", period_start=period_start,
                   issued_at=datetime.combine(period_start, datetime.min.time()),
                   amount_inr=amount_inr, plan=plan)
        return self._add(schema.invoices, **(row | values))

    def contact(self, workspace_id: int, *, created_at: datetime = T0, source: str = "meta",
                **values) -> int:
        n = next(_seq)
        row = dict(workspace_id=workspace_id, full_name=f"Contact {n}",
                   email=f"contact{n}@example.in", phone=f"+9198{n:08d}", source=source,
                   created_at=created_at)
        return self._add(schema.contacts, **(row | values))

    def message(self, workspace_id: int, *, channel: str, status: str,
                created_at: datetime = T0, direction: str = "outbound", **values) -> int:
        provider = {"whatsapp": "whatsapp", "sms": "msg91", "email": "resend", "call": "exotel"}[channel]
        row = dict(workspace_id=workspace_id, channel=channel, provider=provider,
                   direction=direction, status=status, created_at=created_at)
        return self._add(schema.messages, **(row | values))

    def backoffice_user(self, email: str, role: str, password: str = "correct horse battery",
                        **values) -> int:
        row = dict(email=email, name=email.split("@")[0].title(), role=role,
                   password_hash=passwords.hash_password(password), created_at=T0)
        return self._add(schema.backoffice_users, **(row | values))

    def integration(self, workspace_id: int, *, provider: str = "meta",
                    status: str = "connected", **values) -> int:
        row = dict(workspace_id=workspace_id, provider=provider, status=status, connected_at=T0)
        return self._add(schema.integrations, **(row | values))

    def integration_event(self, integration_id: int, *, status: str = "ok",
                          occurred_at: datetime = T0, **values) -> int:
        with self.engine.connect() as conn:
            workspace_id, provider = conn.execute(
                schema.integrations.select()
                .with_only_columns(schema.integrations.c.workspace_id, schema.integrations.c.provider)
                .where(schema.integrations.c.id == integration_id)
            ).one()
        row = dict(integration_id=integration_id, workspace_id=workspace_id, provider=provider,
                   kind="lead_received", status=status, occurred_at=occurred_at)
        return self._add(schema.integration_events, **(row | values))

    def audit_entry(self, *, actor: str, action: str, at: datetime = T0, actor_role: str = "ops",
                    target_type: str = "integration", target_id: str = "1", **values) -> int:
        row = dict(at=at, actor=actor, actor_role=actor_role, action=action, target_type=target_type,
                   target_id=target_id, detail={"note": "built by a test"}, outcome="ok")
        return self._add(schema.audit_log, **(row | values))

    def job(self, *, kind: str = "integration.retry_failed", status: str = "running",
            progress: float = 0.0, **values) -> int:
        return self._add(schema.jobs, kind=kind, status=status, progress=progress, **values)

    def ai_call(self, workspace_id: int, *, feature: str = "lead_scoring", occurred_at: datetime = T0,
                **values) -> int:
        row = dict(workspace_id=workspace_id, feature=feature, model="claude-haiku-4-5", status="ok",
                   data_categories="name,lead_form_data,crm_notes", processing_region="US",
                   occurred_at=occurred_at)
        return self._add(schema.ai_calls, **(row | values))

    def ai_budget(self, workspace_id: int, *, monthly_budget_usd: float | None = None,
                  ai_enabled: bool = True, **values) -> None:
        row = dict(workspace_id=workspace_id, monthly_budget_usd=monthly_budget_usd,
                   ai_enabled=ai_enabled, updated_at=T0)
        self._add(schema.ai_budgets, **(row | values))

    def rights_request(self, workspace_id: int | None, *, received_at: datetime = T0,
                       request_type: str = "access", jurisdiction: str = "IN",
                       subject_kind: str = "account_user", status: str = "new",
                       **values) -> int:
        """A request with the due dates its rule gives, unless the test sets them."""
        from dashboard.policy.requests import deadlines

        n = next(_seq)
        dues = deadlines.initial_dues(request_type, jurisdiction, subject_kind, received_at)
        row = dict(reference=f"RR-{received_at.year}-{n:05d}", workspace_id=workspace_id,
                   subject_kind=subject_kind, subject_name=f"Requester {n}",
                   subject_email=f"requester{n}@example.in", subject_phone=f"+9197{n:08d}",
                   request_type=request_type, jurisdiction=jurisdiction, channel="email",
                   status=status, received_at=received_at, statutory_due_at=dues.statutory,
                   target_due_at=dues.target, forward_due_at=dues.forward)
        return self._add(schema.rights_requests, **(row | values))

    def request_event(self, request_id: int, *, action: str, at: datetime = T0,
                      actor: str = "privacy@zivo.in", **values) -> int:
        return self._add(schema.request_events, request_id=request_id, at=at, actor=actor,
                         action=action, **values)

    # --- retention and the breach register (issue 6) -----------------------------------------

    def closed_workspace(self, *, closed_at: datetime, **values) -> int:
        return self.workspace(status="closed", closed_at=closed_at, **values)

    def purge_job(self, workspace_id: int, *, due_at: datetime, status: str = "noticed",
                  **values) -> int:
        return self._add(schema.purge_jobs, workspace_id=workspace_id, due_at=due_at,
                         status=status, **values)

    def incident(self, *, aware_at: datetime, title: str = "Test incident",
                 severity: str = "high", status: str = "open", **values) -> int:
        row = dict(title=title, severity=severity, detected_at=aware_at, aware_at=aware_at,
                   data_categories="name,phone", subprocessors="", status=status)
        return self._add(schema.incidents, **(row | values))

    # --- rights requests II: executing them ---

    def account_user(self, workspace_id: int, *, role: str = "member", **values) -> int:
        """A CRM account user (``users``), not a back-office account."""
        n = next(_seq)
        row = dict(workspace_id=workspace_id, name=f"User {n}", email=f"user{n}@example.in",
                   phone=f"+9196{n:08d}", role=role, created_at=T0)
        return self._add(schema.users, **(row | values))

    def legal_hold(self, workspace_id: int, *, categories: str = "message_content",
                   basis: str = "litigation", **values) -> int:
        row = dict(workspace_id=workspace_id, basis=basis, categories=categories,
                   reason="built by a test", placed_by="privacy@zivo.in", placed_at=T0)
        return self._add(schema.legal_holds, **(row | values))

    def erasure_task(self, request_id: int, *, subprocessor: str = "meta", method: str = "api",
                     status: str = "sent", **values) -> int:
        row = dict(request_id=request_id, subprocessor=subprocessor, method=method, status=status,
                   sent_at=T0 if status != "pending" else None, categories="name,email,phone")
        return self._add(schema.erasure_tasks, **(row | values))
