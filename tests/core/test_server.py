"""The admin API's HTTP rules, seen from a plain HTTP client: the token, the actor
headers, the Idempotency-Key, the error body, 202 for a job."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from dashboard.core.local import LocalCore
from dashboard.core.server import serve_in_thread
from tests.core.support import TOKEN, audit_rows, new_key

pytestmark = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)

ACTOR = {"X-Actor": "ops@zivo.in", "X-Actor-Role": "ops"}


@pytest.fixture
def http(engine) -> Iterator[httpx.Client]:
    local = LocalCore(engine)
    with serve_in_thread(local, TOKEN) as running, httpx.Client(
        base_url=running.url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
    ) as client:
        yield client
    local.close()


@pytest.fixture
def meta(build) -> int:
    return build.integration(build.workspace())


def test_a_wrong_token_is_401_and_acts_on_nothing(http, engine, meta):
    response = http.post(f"/v1/admin/integrations/{meta}/pause", json={"expected_version": 1},
                         headers={"Authorization": "Bearer guess", "Idempotency-Key": new_key(),
                                  **ACTOR})

    assert response.status_code == 401
    assert response.json()["error"] == "not_authenticated"
    assert audit_rows(engine) == []


def test_a_post_without_an_idempotency_key_is_400(http, meta):
    response = http.post(f"/v1/admin/integrations/{meta}/pause", json={"expected_version": 1},
                         headers=ACTOR)

    assert response.status_code == 400
    assert response.json() == {
        "error": "idempotency_key_required",
        "message": "Every POST and PUT needs an Idempotency-Key header.",
    }


def test_a_post_without_the_actor_is_400(http, meta):
    response = http.post(f"/v1/admin/integrations/{meta}/pause", json={"expected_version": 1},
                         headers={"Idempotency-Key": new_key()})

    assert (response.status_code, response.json()["error"]) == (400, "actor_required")


def test_a_body_that_is_not_a_json_object_is_400(http, meta):
    response = http.post(f"/v1/admin/integrations/{meta}/pause", content=b"[1, 2]",
                         headers={"Idempotency-Key": new_key(), **ACTOR})

    assert (response.status_code, response.json()["error"]) == (400, "bad_json")


def test_a_missing_field_is_422(http, meta):
    response = http.post(f"/v1/admin/integrations/{meta}/pause", json={},
                         headers={"Idempotency-Key": new_key(), **ACTOR})

    assert response.status_code == 422
    assert "expected_version" in response.json()["message"]


def test_an_unknown_endpoint_is_404_with_the_error_body(http):
    response = http.get("/v1/admin/nothing-here")

    assert response.status_code == 404
    assert set(response.json()) == {"error", "message"}


def test_a_stale_version_is_409(http, meta):
    response = http.post(f"/v1/admin/integrations/{meta}/pause", json={"expected_version": 7},
                         headers={"Idempotency-Key": new_key(), **ACTOR})

    assert (response.status_code, response.json()["error"]) == (409, "stale_version")


def test_a_long_action_answers_202_with_the_job_to_poll(http, build, meta):
    build.integration_event(meta, status="failed", error_code="4")

    response = http.post(f"/v1/admin/integrations/{meta}/retry-failed",
                         json={"expected_version": 1},
                         headers={"Idempotency-Key": new_key(), **ACTOR})

    assert response.status_code == 202
    job_id = response.json()["job_id"]
    assert response.headers["Location"] == f"/v1/admin/jobs/{job_id}"
    job = http.get(response.headers["Location"])
    assert job.status_code == 200 and job.json()["id"] == job_id

