"""The integration providers as config: their error codes with meaning, kind and fix, and
the thresholds that judge their health. Rules that read this live in
``dashboard/policy/integrations.py``; DESIGN.md "Integration health" is the spec.

Every vendor fact carries its source. Numbers with no vendor source are Zivo's own
judgement and say so (``ZIVO``): change them here, with a reason in the commit.

An event's ``error_code`` is the provider's code as the core records it. Meta's Graph API
errors are recorded as ``<code>/<error_subcode>`` when a subcode came with them
(``190/463``); a subcode this catalog does not list falls back to its code.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

ZIVO = "Zivo's own threshold (no vendor figure); tune it here"

GRAPH_ERRORS = "Meta Graph API, Handling Errors: https://developers.facebook.com/docs/graph-api/guides/error-handling"
WHATSAPP_ERRORS = ("WhatsApp Cloud API error codes: https://developers.facebook.com/documentation/"
                   "business-messaging/whatsapp/support/error-codes")
GOOGLE_OAUTH = ("OAuth 2.0 (RFC 6749 s.5.2) invalid_grant; Google Identity, 'Refresh token "
                "expiration': https://developers.google.com/identity/protocols/oauth2")
HTTP_SEMANTICS = "RFC 9110 (HTTP semantics)"
JUSTDIAL = f"{HTTP_SEMANTICS}: JustDial publishes no error catalog for its lead API"
MSG91_ERRORS = "MSG91 API error codes: https://docs.msg91.com"
TRAI_TCCCPR = ("TRAI, Telecom Commercial Communications Customer Preference Regulations 2018 "
               "(DLT registration of headers and templates; NCPR)")
EXOTEL_ERRORS = "Exotel error code dictionary: https://developer.exotel.com/docs/references/error-codes"
RESEND_ERRORS = "Resend API errors: https://resend.com/docs/api-reference/errors"
RESEND_LIMITS = ("Resend, account quotas and limits: https://resend.com/docs/knowledge-base/"
                 "account-quotas-and-limits")
ANTHROPIC_ERRORS = "Anthropic API errors: https://docs.anthropic.com/en/api/errors"


class Kind(StrEnum):
    """What an error code means for the integration, and so whether a retry can help."""

    AUTH = "auth"  # credentials refused or expired: failing at once; the workspace reconnects
    ACCOUNT = "account"  # account or configuration (balance, lock, quota): failing at once
    TRANSIENT = "transient"  # rate limit or outage: retried, heals; the only kind retried
    PERMANENT = "permanent"  # this message cannot succeed as sent: never retried


KIND_WORDS = {
    Kind.AUTH: "authorisation",
    Kind.ACCOUNT: "account or configuration",
    Kind.TRANSIENT: "passing (retried)",
    Kind.PERMANENT: "permanent (not retried)",
}


@dataclass(frozen=True)
class ErrorCode:
    meaning: str
    kind: Kind
    action: str
    source: str


@dataclass(frozen=True)
class RateRule:
    """A rate judged only once there is enough volume (and, optionally, enough cases)."""

    degraded: float | None
    failing: float | None
    min_volume: int
    min_count: int = 1
    source: str = ZIVO


@dataclass(frozen=True)
class SilenceRule:
    """Silence beyond a multiple of the integration's usual gap between events.

    The usual gap is the ``GAP_PERCENTILE`` of the gaps between its events over the
    baseline; silence shorter than ``floor_minutes`` is never a fault.
    """

    degraded_after: float  # × the usual gap
    failing_after: float | None
    floor_minutes: int
    action: str
    source: str = ZIVO


@dataclass(frozen=True)
class Provider:
    id: str
    name: str
    purpose: str
    codes: dict[str, ErrorCode]
    error_rate: RateRule
    silence: SilenceRule | None  # None: silence only means nothing was sent
    channel: str | None = None  # its channel in `messages`, for delivery
    delivery: RateRule | None = None  # the share delivered, below which it degrades
    bounce: RateRule | None = None
    complaint: RateRule | None = None
    reconnect: str = "Ask the workspace to reconnect it from Settings → Integrations."


# --- health thresholds shared by every provider --------------------------------------------

RECENT_HOURS = 24  # events judged for error rates: the last day, whatever the page shows
DELIVERY_DAYS = 7  # messages judged for delivery, bounce and complaint rates
BASELINE_DAYS = 14  # events whose gaps make the usual gap
GAP_PERCENTILE = 0.9  # the usual gap: 9 gaps in 10 are shorter (nights and weekends included)
MIN_GAPS = 10  # fewer gaps than this: no usual gap, silence is not judged
TOKEN_WARNING_DAYS = 7  # a token expiring this soon is a warning (degraded)
TABLE_ROWS = 500  # the not-healthy table shows the worst this many; filters narrow it

# Ten events a day is where a share starts to mean something; three failures, so that one
# unlucky pair does not flag a quiet integration.
DEFAULT_ERROR_RATE = RateRule(degraded=0.05, failing=0.25, min_volume=10, min_count=3)

_LEAD_SILENCE = SilenceRule(
    degraded_after=3, failing_after=8, floor_minutes=120,
    action="Check that the source still sends leads (a removed webhook subscription or a "
           "paused campaign looks the same from here), then Test the connection.",
)


def _graph_auth(meaning: str, action: str) -> ErrorCode:
    return ErrorCode(meaning, Kind.AUTH, action, GRAPH_ERRORS)


_RECONNECT_META = "Ask the workspace to reconnect Meta (Settings → Integrations) for a new token."
_GRAPH_TRANSIENT = "Retried automatically; wait. If it persists, lower the request volume."

# Meta's Graph API codes: Lead Ads and the WhatsApp Cloud API both speak it.
_GRAPH_CODES: dict[str, ErrorCode] = {
    "190": _graph_auth("OAuthException: the access token expired, was revoked or is invalid",
                       _RECONNECT_META),
    "190/458": _graph_auth("App not installed: the person removed Zivo's app or never "
                           "authorised it", "Ask the workspace to reconnect Meta and grant "
                           "Zivo's app access again."),
    "190/459": _graph_auth("User checkpointed: the person must log in to facebook.com to clear "
                           "a security check", "Ask the page admin to log in at facebook.com, "
                           "clear the check, then reconnect."),
    "190/460": _graph_auth("Password changed: the token ended when the person changed their "
                           "Facebook password", _RECONNECT_META),
    "190/463": _graph_auth("Session expired: the access token's lifetime ended",
                           _RECONNECT_META),
    "190/464": _graph_auth("Unconfirmed user: the person must confirm their Facebook account",
                           "Ask the page admin to confirm their account, then reconnect."),
    "190/467": _graph_auth("Invalid access token: the person logged out or the token was "
                           "revoked", _RECONNECT_META),
    "10": _graph_auth("Permission denied: a permission was not granted or was removed",
                      "Ask the workspace to reconnect Meta and grant every permission asked."),
    "200": _graph_auth("Permission error: a permission the call needs is missing",
                       "Ask the workspace to reconnect Meta and grant every permission asked."),
    "1": ErrorCode("API unknown: possibly a temporary outage", Kind.TRANSIENT,
                   _GRAPH_TRANSIENT, GRAPH_ERRORS),
    "2": ErrorCode("API service: a temporary outage at Meta", Kind.TRANSIENT, _GRAPH_TRANSIENT,
                   GRAPH_ERRORS),
    "4": ErrorCode("Too many calls: the app's rate limit", Kind.TRANSIENT, _GRAPH_TRANSIENT,
                   GRAPH_ERRORS),
    "17": ErrorCode("User too many calls: the person's rate limit", Kind.TRANSIENT,
                    _GRAPH_TRANSIENT, GRAPH_ERRORS),
    "341": ErrorCode("Application limit reached", Kind.TRANSIENT, _GRAPH_TRANSIENT,
                     GRAPH_ERRORS),
    "368": ErrorCode("Temporarily blocked for policy violations", Kind.TRANSIENT,
                     "Wait and retry; find out which content tripped the policy.", GRAPH_ERRORS),
}

_WA_RATE = "Retried automatically; if it persists, spread sends out or ask Meta for a higher tier."

_WHATSAPP_CODES: dict[str, ErrorCode] = {
    **_GRAPH_CODES,
    "131031": ErrorCode("Business account locked (a policy violation, or a two-step "
                        "verification PIN mismatch)", Kind.ACCOUNT,
                        "Ask the workspace to read the lock reason in WhatsApp Manager and "
                        "appeal; every message fails until it is unlocked.", WHATSAPP_ERRORS),
    "131042": ErrorCode("Business eligibility payment issue: no valid payment method on the "
                        "WhatsApp Business account", Kind.ACCOUNT,
                        "Ask the workspace to add a payment method in Meta Business Suite.",
                        WHATSAPP_ERRORS),
    "131048": ErrorCode("Spam rate limit hit: too many messages were blocked or reported",
                        Kind.ACCOUNT, "Pause marketing sends and improve template quality "
                        "before sending more.", WHATSAPP_ERRORS),
    "130429": ErrorCode("Rate limit hit: the phone number's message throughput was reached",
                        Kind.TRANSIENT, _WA_RATE, WHATSAPP_ERRORS),
    "131056": ErrorCode("Pair rate limit: too many messages to one person in a short time",
                        Kind.TRANSIENT, "Wait before messaging this person again.",
                        WHATSAPP_ERRORS),
    "131000": ErrorCode("Something went wrong at Meta", Kind.TRANSIENT, _WA_RATE,
                        WHATSAPP_ERRORS),
    "131016": ErrorCode("Service unavailable at Meta", Kind.TRANSIENT,
                        "Retried automatically; watch Meta's status page.", WHATSAPP_ERRORS),
    "131026": ErrorCode("Message undeliverable: the number is not on WhatsApp, or the person "
                        "has not accepted the latest terms or uses an old app", Kind.PERMANENT,
                        "Reach the contact by SMS or a call; check the number.",
                        WHATSAPP_ERRORS),
    "131047": ErrorCode("Re-engagement message: more than 24 hours since the person last "
                        "replied, so only a template may be sent", Kind.PERMANENT,
                        "Send an approved template instead of a free-form message.",
                        WHATSAPP_ERRORS),
    "131049": ErrorCode("Not delivered to keep engagement healthy: Meta limits marketing "
                        "templates per person", Kind.PERMANENT,
                        "Do not resend now; try later, or use a utility template.",
                        WHATSAPP_ERRORS),
    "131050": ErrorCode("The person stopped marketing messages from this business",
                        Kind.PERMANENT, "Stop marketing sends to this person.",
                        WHATSAPP_ERRORS),
    "131051": ErrorCode("Unsupported message type", Kind.PERMANENT,
                        "Send a supported type (text, template or media).", WHATSAPP_ERRORS),
    "132015": ErrorCode("Template paused for low quality", Kind.PERMANENT,
                        "Use another approved template; edit this one or wait for its "
                        "quality to recover.", WHATSAPP_ERRORS),
    "132016": ErrorCode("Template disabled: paused too many times", Kind.PERMANENT,
                        "Create and submit a new template.", WHATSAPP_ERRORS),
}

_HTTP_TRANSIENT = "Retried automatically; if it persists, check the provider's status page."

PROVIDERS: dict[str, Provider] = {
    "meta": Provider(
        "meta", "Meta Lead Ads", "Lead capture (Facebook and Instagram Lead Ads)", _GRAPH_CODES,
        DEFAULT_ERROR_RATE, _LEAD_SILENCE, reconnect=_RECONNECT_META,
    ),
    "google": Provider(
        "google", "Google", "Lead capture (Google lead forms) and sign-in",
        {
            "invalid_grant": ErrorCode("invalid_grant: the refresh token was revoked or "
                                       "expired, or the account's password changed",
                                       Kind.AUTH, "Ask the workspace to reconnect Google.",
                                       GOOGLE_OAUTH),
            "401": ErrorCode("Unauthorised: the credentials were refused", Kind.AUTH,
                             "Ask the workspace to reconnect Google.", HTTP_SEMANTICS),
            "403": ErrorCode("Forbidden: a permission or an enabled API is missing",
                             Kind.ACCOUNT, "Ask the workspace to reconnect Google and grant "
                             "lead form access.", HTTP_SEMANTICS),
            "429": ErrorCode("Too many requests", Kind.TRANSIENT, _HTTP_TRANSIENT,
                             HTTP_SEMANTICS),
            "500": ErrorCode("Server error at Google", Kind.TRANSIENT, _HTTP_TRANSIENT,
                             HTTP_SEMANTICS),
            "503": ErrorCode("Google is unavailable", Kind.TRANSIENT, _HTTP_TRANSIENT,
                             HTTP_SEMANTICS),
        },
        DEFAULT_ERROR_RATE, _LEAD_SILENCE, reconnect="Ask the workspace to reconnect Google.",
    ),
    "justdial": Provider(
        "justdial", "JustDial", "Lead capture",
        {
            "401": ErrorCode("Unauthorised: JustDial refused the lead API key", Kind.AUTH,
                             "Ask the workspace for its current JustDial API key and "
                             "reconnect.", JUSTDIAL),
            "403": ErrorCode("Forbidden: the key may not read these leads", Kind.AUTH,
                             "Ask the workspace for its current JustDial API key and "
                             "reconnect.", JUSTDIAL),
            "timeout": ErrorCode("JustDial did not answer in time", Kind.TRANSIENT,
                                 _HTTP_TRANSIENT, JUSTDIAL),
            "500": ErrorCode("Server error at JustDial", Kind.TRANSIENT, _HTTP_TRANSIENT, JUSTDIAL),
            "502": ErrorCode("Bad gateway at JustDial", Kind.TRANSIENT, _HTTP_TRANSIENT, JUSTDIAL),
            "503": ErrorCode("JustDial is unavailable", Kind.TRANSIENT, _HTTP_TRANSIENT, JUSTDIAL),
        },
        DEFAULT_ERROR_RATE, _LEAD_SILENCE,
    ),
    "whatsapp": Provider(
        "whatsapp", "WhatsApp", "Two-way messaging (WhatsApp Cloud API)", _WHATSAPP_CODES,
        DEFAULT_ERROR_RATE,
        # People write when they write: a quiet day is not a fault, a quiet week may be.
        replace(_LEAD_SILENCE, degraded_after=4, failing_after=None,
                action="Check the phone number in WhatsApp Manager (status, quality, "
                       "webhook), then Test the connection."),
        channel="whatsapp",
        delivery=RateRule(degraded=0.75, failing=0.5, min_volume=20),
        reconnect=_RECONNECT_META,
    ),
    "msg91": Provider(
        "msg91", "MSG91", "SMS delivery",
        {
            "301": ErrorCode("Insufficient balance to send SMS", Kind.ACCOUNT,
                             "Recharge the MSG91 account's SMS credits.", MSG91_ERRORS),
            "302": ErrorCode("The MSG91 account has expired", Kind.ACCOUNT,
                             "Renew the MSG91 account.", MSG91_ERRORS),
            "303": ErrorCode("The MSG91 account is banned", Kind.ACCOUNT,
                             "Contact MSG91 support.", MSG91_ERRORS),
            "207": ErrorCode("Invalid authentication key", Kind.AUTH,
                             "Ask the workspace for its current MSG91 auth key and reconnect.",
                             MSG91_ERRORS),
            "418": ErrorCode("The calling IP address is not whitelisted", Kind.ACCOUNT,
                             "Whitelist Zivo's sending IPs in the MSG91 account.", MSG91_ERRORS),
            "503": ErrorCode("MSG91 is unavailable", Kind.TRANSIENT, _HTTP_TRANSIENT,
                             MSG91_ERRORS),
            "timeout": ErrorCode("MSG91 did not answer in time", Kind.TRANSIENT,
                                 _HTTP_TRANSIENT, MSG91_ERRORS),
            "dlt_template_mismatch": ErrorCode(
                "DLT rejection: the text does not match a template registered on DLT",
                Kind.PERMANENT, "Fix the text to match its DLT template, or register the "
                "template; unchanged, it is rejected again.", TRAI_TCCCPR),
            "dlt_header_inactive": ErrorCode(
                "DLT rejection: the sender header is not active on DLT", Kind.PERMANENT,
                "Reactivate the header on the operator's DLT portal.", TRAI_TCCCPR),
            "ndnc": ErrorCode("The number is on the Do Not Disturb registry (NCPR), which "
                              "blocks promotional SMS", Kind.PERMANENT,
                              "Send only transactional or service messages to this number.",
                              TRAI_TCCCPR),
            "absent_subscriber": ErrorCode("The phone was off or out of coverage until the "
                                           "message expired", Kind.PERMANENT,
                                           "Send again later if it still matters.",
                                           MSG91_ERRORS),
        },
        DEFAULT_ERROR_RATE, None, channel="sms",
        delivery=RateRule(degraded=0.8, failing=0.5, min_volume=20),
    ),
    "exotel": Provider(
        "exotel", "Exotel", "Click-to-call telephony",
        {
            "401": ErrorCode("Unauthorised: invalid API key or token", Kind.AUTH,
                             "Ask the workspace for its current Exotel API key and token, "
                             "and reconnect.", EXOTEL_ERRORS),
            "402": ErrorCode("Payment required: plan limit exceeded or balance too low",
                             Kind.ACCOUNT, "Top up the Exotel account or upgrade its plan.",
                             EXOTEL_ERRORS),
            "403": ErrorCode("Forbidden: the account is suspended or lacks a permission",
                             Kind.ACCOUNT, "Ask Exotel support about the account's status "
                             "(KYC is a common cause).", EXOTEL_ERRORS),
            "429": ErrorCode("Too many requests (about 200 a minute)", Kind.TRANSIENT,
                             _HTTP_TRANSIENT, EXOTEL_ERRORS),
            "500": ErrorCode("Server error at Exotel", Kind.TRANSIENT, _HTTP_TRANSIENT,
                             EXOTEL_ERRORS),
            "502": ErrorCode("Bad gateway at Exotel", Kind.TRANSIENT, _HTTP_TRANSIENT,
                             EXOTEL_ERRORS),
            "503": ErrorCode("Exotel is unavailable", Kind.TRANSIENT,
                             "Retried automatically; check status.exotel.com.", EXOTEL_ERRORS),
            "network_error": ErrorCode("The telephony network could not connect the call",
                                       Kind.TRANSIENT, _HTTP_TRANSIENT, EXOTEL_ERRORS),
            "invalid_number": ErrorCode("The number called is not valid", Kind.PERMANENT,
                                        "Correct the contact's number.", EXOTEL_ERRORS),
        },
        DEFAULT_ERROR_RATE, None, channel="call",
    ),
    "resend": Provider(
        "resend", "Resend", "Email delivery and open tracking",
        {
            "invalid_api_key": ErrorCode("The API key is invalid", Kind.AUTH,
                                         "Ask the workspace for a new Resend API key and "
                                         "reconnect.", RESEND_ERRORS),
            "missing_api_key": ErrorCode("No API key was sent", Kind.AUTH,
                                         "Reconnect Resend with an API key.", RESEND_ERRORS),
            "restricted_api_key": ErrorCode("The API key may not send email", Kind.AUTH,
                                            "Reconnect with a key that has sending access.",
                                            RESEND_ERRORS),
            "endpoint_disabled": ErrorCode(
                "The webhook endpoint was disabled after repeated delivery failures, so "
                "delivery, bounce and open events stop arriving", Kind.ACCOUNT,
                "Fix the endpoint, then re-enable it in Resend's webhook settings.",
                RESEND_ERRORS),
            "daily_quota_exceeded": ErrorCode("The daily sending quota is used up",
                                              Kind.ACCOUNT, "Upgrade the plan or wait a day.",
                                              RESEND_LIMITS),
            "monthly_quota_exceeded": ErrorCode("The monthly sending quota is used up",
                                                Kind.ACCOUNT, "Upgrade the Resend plan.",
                                                RESEND_LIMITS),
            "rate_limit_exceeded": ErrorCode("Too many requests (2 a second by default)",
                                             Kind.TRANSIENT, _HTTP_TRANSIENT, RESEND_LIMITS),
            "application_error": ErrorCode("An unexpected error at Resend", Kind.TRANSIENT,
                                           _HTTP_TRANSIENT, RESEND_ERRORS),
            "internal_server_error": ErrorCode("Server error at Resend", Kind.TRANSIENT,
                                               _HTTP_TRANSIENT, RESEND_ERRORS),
            "validation_error": ErrorCode("Resend refused the message as malformed",
                                          Kind.PERMANENT, "Fix the message (addresses, "
                                          "sender domain) before sending it again.",
                                          RESEND_ERRORS),
            "hard_bounce": ErrorCode("Hard bounce: the address does not exist or refuses "
                                     "mail", Kind.PERMANENT, "Correct or remove the address; "
                                     "Resend suppresses it.", RESEND_LIMITS),
            "soft_bounce": ErrorCode("Soft bounce: the receiving server refused it for now "
                                     "(mailbox full, message too large) and Resend's retries "
                                     "ran out", Kind.PERMANENT,
                                     "Send again later if it still matters.", RESEND_LIMITS),
        },
        DEFAULT_ERROR_RATE, None, channel="email",
        # Resend: "All accounts must maintain a bounce rate of under 4%" (above it sending
        # may be paused) and "a spam rate of under 0.08%". The warning below each is Zivo's.
        bounce=RateRule(degraded=0.02, failing=0.04, min_volume=50, source=RESEND_LIMITS),
        complaint=RateRule(degraded=None, failing=0.0008, min_volume=50, min_count=2,
                           source=RESEND_LIMITS),
    ),
    "anthropic": Provider(
        "anthropic", "Anthropic", "AI features",
        {
            "401": ErrorCode("authentication_error: the API key is invalid", Kind.AUTH,
                             "Issue a new API key in the Anthropic console and update it.",
                             ANTHROPIC_ERRORS),
            "403": ErrorCode("permission_error: the key may not use this resource", Kind.AUTH,
                             "Check the key's workspace and permissions in the console.",
                             ANTHROPIC_ERRORS),
            "enforced_spend_limit_reached": ErrorCode(
                "The organisation's spend limit was reached; every call is refused",
                Kind.ACCOUNT, "Raise the spend limit in the Anthropic console, or wait for "
                "the next month.", ANTHROPIC_ERRORS),
            "429": ErrorCode("rate_limit_error: the rate limit was hit", Kind.TRANSIENT,
                             "Retried automatically; if it persists, ask for higher limits.",
                             ANTHROPIC_ERRORS),
            "529": ErrorCode("overloaded_error: Anthropic's API is temporarily overloaded",
                             Kind.TRANSIENT, "Retried automatically; watch "
                             "status.anthropic.com.", ANTHROPIC_ERRORS),
            "500": ErrorCode("api_error: an unexpected error at Anthropic", Kind.TRANSIENT,
                             _HTTP_TRANSIENT, ANTHROPIC_ERRORS),
            "400": ErrorCode("invalid_request_error: the request was malformed",
                             Kind.PERMANENT, "A bug in the feature's request: tell the "
                             "engineers.", ANTHROPIC_ERRORS),
            "413": ErrorCode("request_too_large: the prompt is too large", Kind.PERMANENT,
                             "A bug in the feature's prompt size: tell the engineers.",
                             ANTHROPIC_ERRORS),
        },
        DEFAULT_ERROR_RATE, None,
    ),
}

PROVIDER_IDS = tuple(PROVIDERS)

# WhatsApp failures that speak to a template's quality rather than one message: Meta
# holding back marketing templates (131049), a template paused or disabled for low quality.
TEMPLATE_QUALITY_CODES = ("131049", "132015", "132016")
