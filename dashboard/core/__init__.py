"""The core service's admin API, as the back-office speaks it.

The back-office never writes the CRM database itself: every change is an action of
``CoreService`` (``service.py``), and the core performs it and audits it. Two cores
implement the protocol:

- ``HttpCoreClient`` (``http.py``) calls the real core over HTTPS; it is used whenever
  ``CORE_API_URL`` is set, and survives timeouts, dropped connections and 429/5xx by
  retrying with the same Idempotency-Key;
- ``LocalCore`` (``local.py``) is the reference implementation over the same database,
  for the embedded default and the tests: one transaction an action, one audit row, an
  idempotency key that acts once, optimistic versions, long work as jobs.

``server.py`` serves LocalCore as the admin API, so the client is tested against a real
server (faults included, ``faults.py``); ``openapi.json`` is the contract both keep.
Errors are one hierarchy (``errors.py``) whose messages a page shows as they are.
"""

from __future__ import annotations

from dashboard import db
from dashboard.core.http import HttpCoreClient
from dashboard.core.local import LocalCore
from dashboard.core.service import CoreService
from dashboard.policy.requests import config as requests_config
from dashboard.settings import Settings, SettingsError


def core_for(settings: Settings) -> CoreService:
    """The core the app talks to: the HTTP admin API when configured, else LocalCore."""
    if settings.core_api_url:
        if not settings.core_api_token:
            raise SettingsError("CORE_API_URL is set but CORE_API_TOKEN is not; set both.")
        return HttpCoreClient(
            settings.core_api_url,
            settings.core_api_token,
            connect_timeout=settings.core_connect_timeout_s,
            read_timeout=settings.core_read_timeout_s,
            retry_budget=settings.core_retry_budget_s,
        )
    return LocalCore(db.primary(),
                     grievance_officer=requests_config.grievance_officer(settings.grievance_officer))
