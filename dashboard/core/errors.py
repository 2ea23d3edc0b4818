"""What can go wrong with an action, as exceptions a page can show as they are.

Every error carries ``message`` (a sentence a person can act on), ``code`` (the admin
API's machine-readable error code) and ``status`` (its HTTP status). LocalCore raises
them directly; HttpCoreClient rebuilds the same classes from the API's error bodies
with ``from_response``, so a page handles both cores the same way.
"""

from __future__ import annotations


class CoreError(Exception):
    """An action did not happen as asked; ``message`` says why and what to do next."""

    status: int = 500
    default_code: str = "core_error"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        if status is not None:
            self.status = status


class NotFound(CoreError):
    status = 404
    default_code = "not_found"


class Conflict(CoreError):
    """The record's state does not allow the action (HTTP 409)."""

    status = 409
    default_code = "conflict"


class StaleVersion(Conflict):
    """Someone changed the record after the person loaded it; nothing was overwritten."""

    default_code = "stale_version"


# The codes a rule refuses with. The code is all the API carries, so the client tells a
# refusal by policy from another conflict by it: each area adds its rules' codes here.
POLICY_CODES = frozenset({"refused_by_policy", "last_admin", "self_disable",
                          # integration health: a retry that cannot help is not sent
                          "permanent_failure", "connection_failing",
                          # rights requests (dashboard.policy.requests)
                          "extension_not_allowed", "already_extended", "extension_too_late",
                          "extension_past_limit", "extension_not_later", "not_a_duplicate",
                          "not_a_contact_request",
                          # retention and the breach register (dashboard.policy.retention, .breach)
                          "held_in_full", "notice_not_sent", "notice_period_running",
                          "notices_outstanding",
                          # rights requests II: executing them
                          "no_consent_to_withdraw", "export_expired"})


class RefusedByPolicy(Conflict):
    """A rule refuses the action: the last admin, an active legal hold, a notice period."""

    default_code = "refused_by_policy"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None):
        if code is not None and code not in POLICY_CODES:
            raise ValueError(f"Add {code!r} to POLICY_CODES so clients recognise it.")
        super().__init__(message, code=code, status=status)


class NotAuthenticated(CoreError):
    """The core refused the back-office's service token (HTTP 401)."""

    status = 401
    default_code = "not_authenticated"


class Forbidden(CoreError):
    """The person's role may not take this action (HTTP 403)."""

    status = 403
    default_code = "forbidden"


class ValidationFailed(CoreError):
    """The input is not acceptable (HTTP 422, or 400 for a malformed request)."""

    status = 422
    default_code = "validation_failed"


class RateLimited(CoreError):
    status = 429
    default_code = "rate_limited"

    def __init__(self, message: str, *, retry_after: float | None = None, code: str | None = None):
        super().__init__(message, code=code)
        self.retry_after = retry_after


UNAVAILABLE_MESSAGE = (
    "The core service is unreachable; nothing was changed. "
    "Try again in a minute; if it keeps failing, tell the on-call engineer."
)
OUTCOME_UNKNOWN_MESSAGE = (
    "The core service did not confirm the action in time, so it may or may not have been "
    "done. Check the audit log for it before trying again."
)


class Unavailable(CoreError):
    """The core did not answer, or answered with a server error (HTTP 5xx)."""

    status = 503
    default_code = "unavailable"


class OutcomeUnknown(Unavailable):
    """Retries ran out after a request may have reached the core: check before retrying."""

    default_code = "outcome_unknown"


# API error codes that name a subclass more precise than the status alone.
_BY_CODE: dict[str, type[CoreError]] = {
    StaleVersion.default_code: StaleVersion,
    **{code: RefusedByPolicy for code in POLICY_CODES},
}
_BY_STATUS: dict[int, type[CoreError]] = {
    400: ValidationFailed,
    401: NotAuthenticated,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    422: ValidationFailed,
}


def from_response(
    status: int, code: str | None, message: str | None, retry_after: float | None = None
) -> CoreError:
    """The exception for an error answer of the admin API (or a proxy in front of it)."""
    if status == 429:
        return RateLimited(
            message or "The core service is busy. Wait a moment and try again.",
            retry_after=retry_after,
            code=code,
        )
    if status >= 500:
        return Unavailable(message or UNAVAILABLE_MESSAGE, code=code, status=status)
    cls = _BY_CODE.get(code or "") or _BY_STATUS.get(status, ValidationFailed)
    return cls(message or f"The core service refused the request (HTTP {status}).", code=code,
               status=status)
