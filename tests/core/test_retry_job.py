"""The retry job itself: it re-queues in batches and reports progress after each one."""

from __future__ import annotations

import pytest

from dashboard.core import local_integrations
from tests.core.support import events


def test_the_retry_job_reports_progress_batch_by_batch(engine, build, monkeypatch):
    monkeypatch.setattr(local_integrations, "RETRY_BATCH", 2)
    meta = build.integration(build.workspace())
    for _ in range(5):
        build.integration_event(meta, status="failed", error_code="4")
    reported: list[float] = []

    result = local_integrations.requeue_failed(meta)(
        engine.begin, lambda conn, fraction: reported.append(fraction))

    assert reported == pytest.approx([2 / 5, 4 / 5, 1.0])
    assert result == {"requeued": 5}
    assert {event["status"] for event in events(engine, meta)} == {"retrying"}

