"""The admin API over HTTP, served from LocalCore (stdlib ``http.server``, no framework).

``AdminApi`` turns one request into one response (routing, the bearer token, the actor
headers, the Idempotency-Key, JSON bodies, errors as ``{"error", "message"}``);
``AdminServer`` is the threading HTTP server around it. The route table ``ROUTES`` is
the contract ``openapi.json`` describes; a test keeps the two equal.

Run it with ``python -m dashboard.core.server [--host 127.0.0.1] [--port 8700]``: it
serves ``DATABASE_URL`` and requires ``CORE_API_TOKEN``. It speaks plain HTTP, for
loopback and tests; anything further away goes behind a TLS-terminating proxy.

Tests start one on a free loopback port with ``serve_in_thread`` (optionally with
``dashboard.core.faults.Faults``) and stop it by leaving the ``with`` block.
"""

from __future__ import annotations

import argparse
import hmac
import json
import logging
import re
import socket
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from dashboard import db, settings
from dashboard.core.errors import (
    CoreError,
    NotAuthenticated,
    NotFound,
    RateLimited,
    ValidationFailed,
)
from dashboard.core.faults import Fault, Faults
from dashboard.core.local import LocalCore
from dashboard.core.models import ActionResult, Actor, Job
from dashboard.core.service import CoreService

log = logging.getLogger(__name__)

PREFIX = "/v1/admin"
MAX_BODY_BYTES = 64 * 1024
INTERNAL_MESSAGE = (
    "The core service failed on this request. Check the audit log to see whether it was "
    "done before trying again."
)


@dataclass(frozen=True)
class Response:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def error_response(error: CoreError) -> Response:
    headers = {}
    if isinstance(error, RateLimited) and error.retry_after is not None:
        headers["Retry-After"] = _seconds(error.retry_after)
    return Response(error.status, {"error": error.code, "message": error.message}, headers)


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


@dataclass(frozen=True)
class Call:
    """One parsed request, as a route's handler sees it."""

    actor: Actor | None
    idempotency_key: str
    record_id: int
    body: dict[str, Any]

    def integer(self, name: str) -> int:
        value = self.body.get(name)
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValidationFailed(f"The request needs {name}, a whole number.", code="bad_request")
        return value

    def text(self, name: str) -> str:
        value = self.body.get(name)
        if not isinstance(value, str):
            raise ValidationFailed(f"The request needs {name}, a string.", code="bad_request")
        return value

    def id_or_none(self, name: str) -> str | int | None:
        value = self.body.get(name)
        if value is not None and (not isinstance(value, str | int) or isinstance(value, bool)):
            raise ValidationFailed(f"{name} is a string, a whole number or null.", code="bad_request")
        return value

    def mapping(self, name: str) -> dict[str, Any]:
        value = self.body.get(name, {})
        if not isinstance(value, dict):
            raise ValidationFailed(f"{name} is a JSON object.", code="bad_request")
        return value

    def integer_or_none(self, name: str) -> int | None:
        return None if self.body.get(name) is None else self.integer(name)

    def text_or_none(self, name: str) -> str | None:
        return None if self.body.get(name) is None else self.text(name)

    def moment(self, name: str) -> datetime:
        """An ISO timestamp in naive UTC (an offset, if given, is converted to UTC)."""
        try:
            value = datetime.fromisoformat(self.text(name))
        except ValueError:
            raise ValidationFailed(f"{name} is an ISO 8601 timestamp.", code="bad_request") from None
        return value if value.tzinfo is None else value.astimezone(UTC).replace(tzinfo=None)

    def day(self, name: str) -> date:
        try:
            return date.fromisoformat(self.text(name))
        except ValueError:
            raise ValidationFailed(f"{name} is a date, YYYY-MM-DD.", code="bad_request") from None

    def strings(self, name: str) -> dict[str, str]:
        """A JSON object of strings (a correction's field -> new value)."""
        value = self.mapping(name)
        if not all(isinstance(item, str) for item in value.values()):
            raise ValidationFailed(f"{name} maps names to strings.", code="bad_request")
        return value

    def versions(self, name: str) -> dict[int, int]:
        """A bulk action's ``[{"id", "expected_version"}]`` as id -> version."""
        items = self.body.get(name)
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise ValidationFailed(f"{name} is a list of {{id, expected_version}}.",
                                   code="bad_request")
        return {Call(None, "", 0, item).integer("id"):
                Call(None, "", 0, item).integer("expected_version") for item in items}


Handler = Callable[[CoreService, Call], ActionResult | Job]


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # as in openapi.json, e.g. /v1/admin/integrations/{id}/pause
    handle: Handler
    success: int = 200

    @property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(re.escape(self.path).replace(r"\{id\}", r"(?P<id>[0-9]{1,18})") + "$")


def _versioned(method: str, **fields: Callable[[Call], Any]) -> Handler:
    """A handler for ``core.<method>(actor, id, expected_version=…, <fields>…, key=…)``."""

    def handle(core: CoreService, call: Call) -> ActionResult:
        extra = {name: read(call) for name, read in fields.items()}
        return getattr(core, method)(
            call.actor, call.record_id, expected_version=call.integer("expected_version"),
            idempotency_key=call.idempotency_key, **extra,
        )

    return handle


# --- retention and the breach register: body fields the Call helpers above do not read ---


def _names(call: Call, name: str) -> list[str]:
    value = call.body.get(name)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationFailed(f"{name} is a list of strings.", code="bad_request")
    return value


def _flag(call: Call, name: str) -> bool:
    value = call.body.get(name)
    if not isinstance(value, bool):
        raise ValidationFailed(f"The request needs {name}, true or false.", code="bad_request")
    return value


def _moment_or_none(call: Call, name: str) -> datetime | None:
    return None if call.body.get(name) is None else call.moment(name)


ROUTES: tuple[Route, ...] = (
    Route("POST", f"{PREFIX}/integrations/{{id}}/retry-failed", _versioned("retry_failed"),
          success=202),
    Route("POST", f"{PREFIX}/integrations/{{id}}/pause", _versioned("pause_integration")),
    Route("POST", f"{PREFIX}/integrations/{{id}}/resume", _versioned("resume_integration")),
    Route("POST", f"{PREFIX}/integrations/{{id}}/disconnect",
          _versioned("disconnect_integration", reason=lambda c: c.text("reason"))),
    Route("POST", f"{PREFIX}/integrations/{{id}}/test",
          lambda core, c: core.test_integration(c.actor, c.record_id,
                                                idempotency_key=c.idempotency_key)),
    Route("POST", f"{PREFIX}/users",
          lambda core, c: core.create_user(
              c.actor, email=c.text("email"), name=c.text("name"), role=c.text("role"),
              password=c.text("password"), idempotency_key=c.idempotency_key),
          success=201),
    Route("POST", f"{PREFIX}/users/{{id}}/disable", _versioned("disable_user")),
    Route("POST", f"{PREFIX}/users/{{id}}/enable", _versioned("enable_user")),
    Route("POST", f"{PREFIX}/users/{{id}}/unlock", _versioned("unlock_user")),
    Route("POST", f"{PREFIX}/users/{{id}}/reset-password",
          _versioned("reset_password", new_password=lambda c: c.text("new_password"))),
    Route("POST", f"{PREFIX}/users/{{id}}/change-role",
          _versioned("change_role", role=lambda c: c.text("role"))),
    Route("POST", f"{PREFIX}/audit-events",
          lambda core, c: core.record_event(
              c.actor, action=c.text("action"), target_type=c.text("target_type"),
              target_id=c.id_or_none("target_id"), detail=c.mapping("detail"),
              idempotency_key=c.idempotency_key)),
    Route("GET", f"{PREFIX}/jobs/{{id}}", lambda core, c: core.get_job(c.record_id)),
    Route("POST", f"{PREFIX}/rights-requests",
          lambda core, c: core.create_request(
              c.actor, workspace_id=c.integer_or_none("workspace_id"),
              subject_kind=c.text("subject_kind"), subject_name=c.text_or_none("subject_name"),
              subject_email=c.text_or_none("subject_email"),
              subject_phone=c.text_or_none("subject_phone"), request_type=c.text("request_type"),
              jurisdiction=c.text("jurisdiction"), channel=c.text("channel"),
              received_at=c.moment("received_at"), idempotency_key=c.idempotency_key),
          success=201),
    Route("POST", f"{PREFIX}/rights-requests/assign",
          lambda core, c: core.assign_requests(
              c.actor, expected_versions=c.versions("requests"), assignee=c.text("assignee"),
              idempotency_key=c.idempotency_key)),
    Route("POST", f"{PREFIX}/rights-requests/reject",
          lambda core, c: core.reject_requests(
              c.actor, expected_versions=c.versions("requests"), ground=c.text("ground"),
              reason=c.text("reason"), idempotency_key=c.idempotency_key)),
    Route("POST", f"{PREFIX}/rights-requests/{{id}}/verify",
          lambda core, c: core.verify_request(
              c.actor, c.record_id, expected_version=c.integer("expected_version"),
              method=c.text("method"), idempotency_key=c.idempotency_key)),
    Route("POST", f"{PREFIX}/rights-requests/{{id}}/hold",
          _versioned("hold_request", waiting_for=lambda c: c.text("waiting_for"),
                     reason=lambda c: c.text("reason"))),
    Route("POST", f"{PREFIX}/rights-requests/{{id}}/resume",
          _versioned("resume_request", reason=lambda c: c.text("reason"))),
    Route("POST", f"{PREFIX}/rights-requests/{{id}}/extend",
          _versioned("extend_request", until=lambda c: c.day("until"),
                     reasons=lambda c: c.text("reasons"))),
    Route("POST", f"{PREFIX}/rights-requests/{{id}}/forward-to-controller",
          _versioned("forward_request_to_controller")),
    Route("POST", f"{PREFIX}/rights-requests/{{id}}/complete",
          _versioned("complete_request", resolution=lambda c: c.text("resolution"))),
    Route("POST", f"{PREFIX}/rights-requests/{{id}}/notify",
          lambda core, c: core.notify_requester(
              c.actor, c.record_id, kind=c.text("kind"), note=c.text_or_none("note") or "",
              idempotency_key=c.idempotency_key)),
    # The amount is checked by the core, which refuses anything but a sensible number.
    Route("POST", f"{PREFIX}/workspaces/{{id}}/ai-budget",
          _versioned("set_workspace_ai_budget",
                     monthly_budget_usd=lambda c: c.body.get("monthly_budget_usd"))),
    Route("POST", f"{PREFIX}/workspaces/{{id}}/ai/disable", _versioned("disable_workspace_ai")),
    Route("POST", f"{PREFIX}/workspaces/{{id}}/ai/enable", _versioned("enable_workspace_ai")),
    # --- retention and legal holds ---
    Route("POST", f"{PREFIX}/workspaces/{{id}}/legal-holds",
          lambda core, c: core.place_hold(
              c.actor, c.record_id, basis=c.text("basis"), categories=_names(c, "categories"),
              reason=c.text("reason"), idempotency_key=c.idempotency_key),
          success=201),
    Route("POST", f"{PREFIX}/legal-holds/{{id}}/release",
          _versioned("release_hold", reason=lambda c: c.text("reason"))),
    Route("POST", f"{PREFIX}/workspaces/{{id}}/purge-notice", _versioned("send_purge_notice")),
    Route("POST", f"{PREFIX}/workspaces/{{id}}/purge", _versioned("run_purge"), success=202),
    # --- the breach register ---
    Route("POST", f"{PREFIX}/incidents",
          lambda core, c: core.create_incident(
              c.actor, title=c.text("title"), severity=c.text("severity"),
              detected_at=c.moment("detected_at"), aware_at=c.moment("aware_at"),
              exposed_from=_moment_or_none(c, "exposed_from"),
              data_categories=_names(c, "data_categories"),
              subprocessors=_names(c, "subprocessors"), eu_affected=_flag(c, "eu_affected"),
              idempotency_key=c.idempotency_key),
          success=201),
    Route("POST", f"{PREFIX}/incidents/{{id}}/update",
          _versioned("update_incident", severity=lambda c: c.text("severity"),
                     status=lambda c: c.text("status"),
                     data_categories=lambda c: _names(c, "data_categories"),
                     subprocessors=lambda c: _names(c, "subprocessors"),
                     eu_affected=lambda c: _flag(c, "eu_affected"))),
    Route("POST", f"{PREFIX}/incidents/{{id}}/mark-notified",
          _versioned("mark_incident_notified", notice=lambda c: c.text("notice"),
                     notified_at=lambda c: c.moment("notified_at"))),
    Route("POST", f"{PREFIX}/incidents/{{id}}/not-required",
          _versioned("mark_notice_not_required", notice=lambda c: c.text("notice"),
                     reason=lambda c: c.text("reason"))),
    # --- rights requests II: executing them ---
    Route("POST", f"{PREFIX}/rights-requests/{{id}}/execute-erasure", _versioned("execute_erasure")),
    Route("POST", f"{PREFIX}/rights-requests/{{id}}/access-export",
          _versioned("start_access_export"), success=202),
    Route("POST", f"{PREFIX}/rights-requests/{{id}}/correct",
          _versioned("correct_subject_data", changes=lambda c: c.strings("changes"))),
    Route("POST", f"{PREFIX}/rights-requests/{{id}}/withdraw-consent", _versioned("withdraw_consent")),
    Route("POST", f"{PREFIX}/rights-requests/{{id}}/nominate",
          _versioned("record_nomination", nominee_name=lambda c: c.text("nominee_name"),
                     nominee_email=lambda c: c.text_or_none("nominee_email"),
                     nominee_phone=lambda c: c.text_or_none("nominee_phone"),
                     relationship=lambda c: c.text("relationship"), proof=lambda c: c.text("proof"))),
    Route("POST", f"{PREFIX}/erasure-tasks/{{id}}/acknowledge",
          _versioned("acknowledge_erasure_task", evidence=lambda c: c.text("evidence"))),
    Route("POST", f"{PREFIX}/erasure-tasks/{{id}}/resend", _versioned("resend_erasure_task")),
    Route("POST", f"{PREFIX}/access-exports/{{id}}/download",
          lambda core, c: core.download_access_export(c.actor, c.record_id,
                                                      idempotency_key=c.idempotency_key)),
    # --- back-office notifications (the daily digest) ---
    Route("POST", f"{PREFIX}/users/{{id}}/notify",
          lambda core, c: core.notify_user(
              c.actor, c.record_id, kind=c.text("kind"), subject=c.text("subject"),
              body=c.text("body"), idempotency_key=c.idempotency_key)),
)
_MATCHERS = [(route, route.pattern) for route in ROUTES]


class AdminApi:
    """One request in, one response out; no sockets, so it is simple to reason about."""

    def __init__(self, core: CoreService, token: str):
        if not token:
            raise ValueError("The admin API needs a service token.")
        self.core = core
        self._token = token.encode()

    def handle(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> Response:
        try:
            return self._handle(method, path.split("?", 1)[0], headers, body)
        except CoreError as error:
            return error_response(error)
        except Exception:
            log.exception("admin API request failed: %s %s", method, path.split("?", 1)[0])
            return Response(500, {"error": "internal", "message": INTERNAL_MESSAGE})

    def _handle(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> Response:
        self._authenticate(headers.get("Authorization", ""))
        route, record_id = _route(method, path)
        key = ""
        actor = None
        if method != "GET":  # every action
            key = headers.get("Idempotency-Key", "")
            if not key:
                raise ValidationFailed(
                    "Every POST and PUT needs an Idempotency-Key header.",
                    code="idempotency_key_required", status=400,
                )
            actor = _actor(headers)
        outcome = route.handle(self.core, Call(actor, key, record_id, _json(body)))
        if isinstance(outcome, Job):
            return Response(200, outcome.to_json())
        if outcome.job_id is None:
            return Response(route.success, outcome.to_json())
        return Response(202, outcome.to_json(), {"Location": f"{PREFIX}/jobs/{outcome.job_id}"})

    def _authenticate(self, authorization: str) -> None:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), self._token):
            raise NotAuthenticated(
                "The core service refused the back-office's service token. "
                "An admin must check CORE_API_TOKEN."
            )


def _route(method: str, path: str) -> tuple[Route, int]:
    for route, pattern in _MATCHERS:
        if route.method == method and (match := pattern.match(path)):
            record_id = match.groupdict().get("id")
            return route, int(record_id) if record_id is not None else 0
    raise NotFound(f"The admin API has no {method} {path}.", code="no_such_endpoint")


def _actor(headers: Mapping[str, str]) -> Actor:
    email, role = headers.get("X-Actor", "").strip(), headers.get("X-Actor-Role", "").strip()
    if not email or not role:
        raise ValidationFailed(
            "Every action names the person it is for: X-Actor and X-Actor-Role headers.",
            code="actor_required", status=400,
        )
    return Actor(email, role)


def _json(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        value = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        value = None
    if not isinstance(value, dict):
        raise ValidationFailed("The request body must be a JSON object.", code="bad_json",
                               status=400)
    return value


class AdminServer(ThreadingHTTPServer):
    # Requests in flight finish before server_close returns (HTTP/1.0: one a connection).
    daemon_threads = False

    def __init__(self, api: AdminApi, address: tuple[str, int] = ("127.0.0.1", 0),
                 faults: Faults | None = None):
        super().__init__(address, _RequestHandler)
        self.api = api
        self.faults = faults  # test-only; see dashboard/core/faults.py
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> AdminServer:
        # A short poll interval: stopping waits for the serving loop to notice.
        self._thread = threading.Thread(target=self.serve_forever, args=(0.05,),
                                        name="admin-api", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join()


def serve_in_thread(core: CoreService, token: str, *, host: str = "127.0.0.1", port: int = 0,
                    faults: Faults | None = None) -> AdminServer:
    """A server for ``with``: it listens on entry (port 0: a free one) and stops on exit."""
    return AdminServer(AdminApi(core, token), (host, port), faults)


class _RequestHandler(BaseHTTPRequestHandler):
    server: AdminServer
    server_version = "ZivoCoreAdmin/1"
    timeout = 30  # seconds a client may take to send its request

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        body = self._read_body()
        if body is None:
            return
        fault = self.server.faults.take() if self.server.faults is not None else None
        if fault is not None and fault.kind == "fail":
            self._send(_fault_response(fault))
            return
        response = self.server.api.handle(self.command, self.path, self.headers, body)
        if fault is not None and fault.kind == "delay":
            time.sleep(fault.seconds)
        if fault is not None and fault.kind == "drop":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._send(response)

    def _read_body(self) -> bytes | None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY_BYTES:
            self._send(Response(400, {"error": "bad_request",
                                      "message": "The request body is missing or too large."}))
            return None
        return self.rfile.read(length)

    def _send(self, response: Response) -> None:
        payload = json.dumps(response.body).encode()
        try:
            self.send_response(response.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up waiting; it retries with the same Idempotency-Key.
            log.info("client left before the answer to %s %s", self.command, self.path)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        # The request line holds ids only; bodies and headers are never logged.
        log.info("%s %s", self.address_string(), format % args)


def _fault_response(fault: Fault) -> Response:
    if fault.status == 429:
        error = RateLimited("The core service is busy (injected fault).",
                            retry_after=fault.retry_after)
        return error_response(error)
    return Response(fault.status, {"error": "unavailable",
                                   "message": "The core service is unavailable (injected fault)."})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve LocalCore as the admin API.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8700)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    config = settings.load()
    if not config.core_api_token:
        print("CORE_API_TOKEN is not set: the admin API does not start without a service token.",
              file=sys.stderr)
        return 2
    core = LocalCore(db.primary())
    server = AdminServer(AdminApi(core, config.core_api_token), (args.host, args.port))
    log.info("admin API on %s%s", server.url, PREFIX)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        core.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
