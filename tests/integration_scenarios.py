"""A hand-built fleet for the Integration health tests: one integration for each story the
page tells, with its events and messages laid out by hand relative to ``NOW``.

    steady     Meta Lead Ads, a lead every 2 hours for 3 days (the usual gap: exactly 2 h);
               one ops connection test an hour ago, which is not traffic
    silent     Meta Lead Ads, a lead every hour for 4 days, then nothing for 20 hours
    throttled  WhatsApp, 20 events in the last day, 3 failed on 130429 (15%: degraded);
               30 template messages this week, all delivered
    undeliverable WhatsApp, 3 failed deliveries on 131026 and 131047 (permanent); healthy
    bouncy     Resend, 50 emails this week: 3 bounced (6%), 2 complained (4%)
    broke      MSG91, in error on 301 (balance) since yesterday; a 503 failure too
    paused     Google, paused by ops@zivo.in (the audit log says when)
    suspended  Anthropic, paused on a suspended workspace
    gone       Exotel, disconnected with a reason that names a person
    expiring   WhatsApp, a token that expires in 3 days
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import insert

from dashboard import rollups, schema
from dashboard.periods import Window
from tests.builders import Builder

NOW = datetime(2026, 3, 15, 6, 30)  # 12:00 IST
# 9–15 March in India: 8 Mar 18:30 UTC to 15 Mar 18:30 UTC.
WEEK = Window(date(2026, 3, 9), date(2026, 3, 15))
HOUR = timedelta(hours=1)
DISCONNECT_REASON = "Owner Asha Rao asked us to stop calling from Exotel"


@dataclass(frozen=True)
class Fleet:
    steady: int
    silent: int
    throttled: int
    undeliverable: int
    bouncy: int
    broke: int
    paused: int
    suspended: int
    gone: int
    expiring: int


def _events(engine, integration_id: int, rows: list[dict]) -> None:
    """Many events of one integration in one statement."""
    with engine.connect() as conn:
        workspace_id, provider = conn.execute(
            schema.integrations.select()
            .with_only_columns(schema.integrations.c.workspace_id, schema.integrations.c.provider)
            .where(schema.integrations.c.id == integration_id)
        ).one()
    defaults = dict(integration_id=integration_id, workspace_id=workspace_id, provider=provider,
                    kind="lead_received", status="ok", error_code=None, attempt=1, latency_ms=None)
    with engine.begin() as conn:
        conn.execute(insert(schema.integration_events), [defaults | row for row in rows])


def _messages(engine, workspace_id: int, channel: str, provider: str, statuses: dict[str, int],
              at: datetime, **values) -> None:
    rows = [dict(workspace_id=workspace_id, channel=channel, provider=provider,
                 direction="outbound", status=status, created_at=at, **values)
            for status, count in statuses.items() for _ in range(count)]
    with engine.begin() as conn:
        conn.execute(insert(schema.messages), rows)


def fleet(engine) -> Fleet:
    b = Builder(engine)
    acme = b.workspace(name="Acme Realty")
    kochi = b.workspace(name="Kochi Motors")
    idle = b.workspace(name="Idle Holidays", status="suspended")

    steady = b.integration(acme, provider="meta", last_event_at=NOW - 2 * HOUR,
                           last_success_at=NOW - 2 * HOUR)
    # 36 leads, 2 h apart, the last 2 h ago; latencies 100, 200, …, 3600 ms.
    _events(engine, steady, [dict(occurred_at=NOW - 2 * HOUR * n, latency_ms=100 * n)
                             for n in range(1, 37)])
    _events(engine, steady, [dict(kind="connection_test", occurred_at=NOW - HOUR)])
    # Older than the 14-day baseline: not a gap that counts.
    _events(engine, steady, [dict(occurred_at=NOW - timedelta(days=20))])

    silent = b.integration(kochi, provider="meta", last_event_at=NOW - 20 * HOUR,
                           last_success_at=NOW - 20 * HOUR)
    _events(engine, silent, [dict(occurred_at=NOW - 20 * HOUR - HOUR * n) for n in range(0, 96)])

    throttled = b.integration(acme, provider="whatsapp", last_event_at=NOW - HOUR,
                              last_success_at=NOW - HOUR, last_error_code="130429",
                              last_error_at=NOW - 3 * HOUR)
    _events(engine, throttled, [
        dict(kind="template_sent", occurred_at=NOW - HOUR * n,
             **(dict(status="failed", error_code="130429") if n in (3, 4, 5) else {}))
        for n in range(1, 21)
    ])
    _messages(engine, acme, "whatsapp", "whatsapp", {"delivered": 10, "read": 20},
              NOW - 2 * HOUR, template="lead_welcome")

    undeliverable = b.integration(kochi, provider="whatsapp", last_event_at=NOW - HOUR,
                                  last_success_at=NOW - HOUR)
    _events(engine, undeliverable, [
        dict(kind="status_update", status="failed", error_code=code, occurred_at=NOW - HOUR * n)
        for n, code in ((2, "131026"), (3, "131026"), (4, "131047"))
    ])
    _messages(engine, kochi, "whatsapp", "whatsapp", {"failed": 2}, NOW - 2 * HOUR,
              template="festive_offer", error_code="131049")

    bouncy = b.integration(acme, provider="resend", last_event_at=NOW - HOUR,
                           last_success_at=NOW - HOUR)
    _messages(engine, acme, "email", "resend",
              {"delivered": 30, "opened": 10, "clicked": 5, "bounced": 3, "complained": 2},
              NOW - 3 * 24 * HOUR)
    _messages(engine, acme, "email", "resend", {"queued": 7}, NOW - HOUR)  # never attempted

    broke = b.integration(kochi, provider="msg91", status="error", last_event_at=NOW - 20 * HOUR,
                          last_success_at=NOW - 48 * HOUR, last_error_code="301",
                          last_error_at=NOW - 20 * HOUR)
    _events(engine, broke, [
        dict(kind="sms_sent", status="failed", error_code="301", occurred_at=NOW - 20 * HOUR),
        dict(kind="sms_sent", status="failed", error_code="503", occurred_at=NOW - 30 * HOUR),
        dict(kind="sms_sent", status="dead", error_code="503", attempt=5, occurred_at=NOW - 40 * HOUR),
    ])

    paused = b.integration(acme, provider="google", status="paused")
    b.audit_entry(actor="ops@zivo.in", action="integration.pause", target_id=str(paused),
                  at=NOW - 5 * HOUR)
    b.audit_entry(actor="admin@zivo.in", action="integration.pause", target_id=str(paused),
                  at=NOW - 4 * HOUR, outcome="refused")  # refused: it did not pause anything

    suspended = b.integration(idle, provider="anthropic", status="paused")
    gone = b.integration(kochi, provider="exotel", status="disconnected",
                         disconnected_at=NOW - 2 * 24 * HOUR, disconnect_reason=DISCONNECT_REASON)
    expiring = b.integration(idle, provider="whatsapp", token_expires_at=NOW + 3 * 24 * HOUR,
                             last_event_at=NOW - HOUR, last_success_at=NOW - HOUR)
    rollups.refresh(engine, NOW)  # the hourly refresh of the usual gaps ran just now
    return Fleet(steady, silent, throttled, undeliverable, bouncy, broke, paused, suspended,
                 gone, expiring)
