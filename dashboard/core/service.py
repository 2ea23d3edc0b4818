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
