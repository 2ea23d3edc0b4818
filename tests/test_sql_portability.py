"""The dialect-specific SQL pieces give the same answers on SQLite and PostgreSQL."""

from datetime import datetime

from sqlalchemy import select

from dashboard.schema import integration_events
from queries.sql import ist_day, percentile
from tests.builders import Builder


def test_percentiles_interpolate_like_postgresql_and_ignore_nulls(engine):
    b = Builder(engine)
    integration = b.integration(b.workspace())
    for latency in (100, 200, 300, 400, None):
        b.integration_event(integration, latency_ms=latency)
    latency = integration_events.c.latency_ms
    with engine.connect() as conn:
        p50, p95 = conn.execute(select(percentile(latency, 0.5), percentile(latency, 0.95))).one()
        empty = conn.execute(select(percentile(latency, 0.5)).where(latency > 1000)).scalar_one()
    assert (p50, round(p95, 6)) == (250.0, 385.0)
    assert empty is None


def test_a_utc_time_falls_on_its_indian_day(engine):
    b = Builder(engine)
    integration = b.integration(b.workspace())
    b.integration_event(integration, occurred_at=datetime(2026, 11, 28, 18, 30))  # 00:00 IST, 29 Nov
    b.integration_event(integration, occurred_at=datetime(2026, 11, 28, 18, 29))  # 23:59 IST, 28 Nov
    with engine.connect() as conn:
        days = conn.execute(select(ist_day(integration_events.c.occurred_at))
                            .order_by(integration_events.c.occurred_at)).scalars().all()
    assert days == ["2026-11-28", "2026-11-29"]
