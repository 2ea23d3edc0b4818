"""HttpCoreClient against a real server that misbehaves: every fault ends with the action
done exactly once (the audit rows prove it) or with a message that says what to do.

Timeouts here are fractions of a second so the suite stays quick; no test asserts how
long anything took, only what the client did and what the database holds.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from dashboard.core.errors import (
    OutcomeUnknown,
    RateLimited,
    StaleVersion,
    Unavailable,
)
from dashboard.core.faults import Faults
from dashboard.core.http import HttpCoreClient
from dashboard.core.local import LocalCore
from dashboard.core.server import AdminServer, serve_in_thread
from tests.core.support import OPS, TOKEN, audit_rows, integration, new_key

pytestmark = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)

# Generous unless a test is about the read timeout, so a busy machine does not add retries.
READ_TIMEOUT_S = 2.0
SHORT_READ_TIMEOUT_S = 0.3


class CountingTransport(httpx.HTTPTransport):
    """Counts the requests the client sends; can refuse the first connections."""

    def __init__(self) -> None:
        super().__init__()
        self.sent = 0
        self.refuse = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent += 1
        if self.refuse:
            self.refuse -= 1
            raise httpx.ConnectError("connection refused", request=request)
        return super().handle_request(request)


class RecordedSleep:
    """The client's waits between attempts, still really waited."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        time.sleep(seconds)


@pytest.fixture
def faults() -> Faults:
    return Faults()


@pytest.fixture
def served(engine, faults) -> Iterator[AdminServer]:
    local = LocalCore(engine)
    with serve_in_thread(local, TOKEN, faults=faults) as running:
        yield running
    local.close()


@pytest.fixture
def transport() -> CountingTransport:
    return CountingTransport()


@pytest.fixture
def sleep() -> RecordedSleep:
    return RecordedSleep()


def client(url: str, transport: CountingTransport, sleep: RecordedSleep, *,
           retry_budget: float = 5.0, read_timeout: float = READ_TIMEOUT_S) -> HttpCoreClient:
    return HttpCoreClient(url, TOKEN, connect_timeout=0.3, read_timeout=read_timeout,
                          retry_budget=retry_budget, transport=transport, sleep=sleep)


@pytest.fixture
def meta(build) -> int:
    return build.integration(build.workspace())


def pause(core: HttpCoreClient, integration_id: int, key: str):
    return core.pause_integration(OPS, integration_id, expected_version=1, idempotency_key=key)


def assert_paused_once(engine, integration_id: int, key: str) -> None:
    row = integration(engine, integration_id)
    assert (row["status"], row["version"]) == ("paused", 2)
    [audit] = audit_rows(engine, idempotency_key=key)
    assert audit["outcome"] == "ok"


def test_a_response_slower_than_the_read_timeout_is_retried_and_acts_once(
        served, faults, transport, sleep, engine, meta):
    faults.delay_next(SHORT_READ_TIMEOUT_S * 4)  # acts, then answers too late
    key = new_key()

    result = pause(client(served.url, transport, sleep, read_timeout=SHORT_READ_TIMEOUT_S),
                   meta, key)

    assert result.ok and result.version == 2
    assert transport.sent >= 2
    assert_paused_once(engine, meta, key)


def test_a_503_is_retried_and_acts_once(served, faults, transport, sleep, engine, meta):
    faults.fail_next(503)
    key = new_key()

    result = pause(client(served.url, transport, sleep), meta, key)

    assert result.ok and transport.sent == 2
    assert_paused_once(engine, meta, key)


def test_a_429_is_retried_after_the_time_it_asks_for(served, faults, transport, sleep, engine,
                                                     meta):
    faults.fail_next(429, retry_after=1)
    key = new_key()

    result = pause(client(served.url, transport, sleep), meta, key)

    assert result.ok and transport.sent == 2
    assert sleep.waits == [1.0]
    assert_paused_once(engine, meta, key)


def test_a_connection_dropped_after_the_commit_is_retried_and_acts_once(
        served, faults, transport, sleep, engine, meta):
    faults.drop_next()  # the core commits, then hangs up without answering
    key = new_key()

    result = pause(client(served.url, transport, sleep), meta, key)

    assert result.ok and result.version == 2 and transport.sent == 2
    assert_paused_once(engine, meta, key)


def test_a_refused_connection_is_retried(served, transport, sleep, engine, meta):
    transport.refuse = 1  # the core is restarting
    key = new_key()

    result = pause(client(served.url, transport, sleep), meta, key)

    assert result.ok and transport.sent == 2
    assert_paused_once(engine, meta, key)


def test_a_job_answer_lost_in_transit_still_starts_one_job(served, faults, transport, sleep,
                                                           build, engine, meta):
    build.integration_event(meta, status="failed", error_code="4")
    faults.drop_next()
    core = client(served.url, transport, sleep)

    result = core.retry_failed(OPS, meta, expected_version=1, idempotency_key=new_key())

    assert result.job_id is not None
    assert len(audit_rows(engine, action="integration.retry_failed")) == 1


def test_when_retries_run_out_after_the_core_may_have_acted_the_person_checks_the_audit(
        served, faults, transport, sleep, engine, meta):
    faults.drop_next(times=1000)
    key = new_key()

    with pytest.raises(OutcomeUnknown) as unknown:
        pause(client(served.url, transport, sleep, retry_budget=0.5), meta, key)

    assert "Check the audit log" in unknown.value.message
    assert_paused_once(engine, meta, key)  # every retry was answered from the first commit


def test_an_unreachable_core_says_nothing_was_changed(transport, sleep, engine, meta):
    with socket.socket() as probe:  # a port nobody listens on once this closes
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]

    with pytest.raises(Unavailable) as unavailable:
        pause(client(f"http://127.0.0.1:{closed_port}", transport, sleep, retry_budget=0.5),
              meta, new_key())

    assert not isinstance(unavailable.value, OutcomeUnknown)
    assert "unreachable; nothing was changed" in unavailable.value.message
    assert integration(engine, meta)["status"] == "connected"


def test_a_core_that_stays_unavailable_is_unavailable_and_nothing_is_done(
        served, faults, transport, sleep, engine, meta):
    faults.fail_next(503, times=1000)

    with pytest.raises(Unavailable) as unavailable:
        pause(client(served.url, transport, sleep, retry_budget=0.5), meta, new_key())

    assert not isinstance(unavailable.value, OutcomeUnknown)
    assert audit_rows(engine) == []


def test_a_retry_after_beyond_the_budget_is_not_waited_for(served, faults, transport, sleep,
                                                            engine, meta):
    faults.fail_next(429, retry_after=60)

    with pytest.raises(RateLimited) as limited:
        pause(client(served.url, transport, sleep, retry_budget=2), meta, new_key())

    assert limited.value.retry_after == 60 and sleep.waits == []
    assert audit_rows(engine) == []


def test_a_refusal_is_final_and_never_retried(served, transport, sleep, engine, meta):
    with pytest.raises(StaleVersion):
        client(served.url, transport, sleep).pause_integration(
            OPS, meta, expected_version=5, idempotency_key=new_key())

    assert transport.sent == 1 and sleep.waits == []
