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
from typing import Any

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from dashboard.auth.roles import PAGE_ACCESS, ROLE_TITLES, ROLES, Access
from dashboard.core import audit, jobs, local_accounts, local_events, local_integrations
from dashboard.core.audit import Request
from dashboard.core.errors import Conflict, CoreError, Forbidden, Unavailable
from dashboard.core.models import ActionResult, Actor, Job

# What a role must be allowed to ACT on (a page id of PAGE_ACCESS) to take an action.
INTEGRATIONS = "integrations"
ACCOUNTS = "team"
AREA_NAMES = {INTEGRATIONS: "integrations", ACCOUNTS: "back-office accounts"}
# The database may have failed at the commit, so the outcome is not certain.
DATABASE_UNAVAILABLE = (
    "The database did not answer, so the action was not confirmed. Check the audit log "
    "before trying again; if it keeps failing, tell the on-call engineer."
)


class LocalCore:
    def __init__(self, engine: Engine):
        self.engine = engine
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


def _authorize(actor: Actor, area: str | None) -> None:
    if actor.role not in ROLES:
        raise Forbidden("Your account has no back-office role; ask an admin to give it one.")
    if area is not None and PAGE_ACCESS[area].get(actor.role) != Access.ACT:
        raise Forbidden(
            f"The {ROLE_TITLES[actor.role]} role may not act on {AREA_NAMES[area]}. "
            "Ask someone with that right."
        )
