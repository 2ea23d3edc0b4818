"""The committed OpenAPI document is the contract: it names exactly the server's routes,
and the bodies it describes are the ones the code sends."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from dashboard.core.models import ActionResult, Job
from dashboard.core.server import ROUTES, AdminApi

DOCUMENT = json.loads((Path(__file__).parents[2] / "dashboard/core/openapi.json").read_text())
OPERATIONS = {
    (method.upper(), path): operation
    for path, item in DOCUMENT["paths"].items()
    for method, operation in item.items()
}
ERROR = DOCUMENT["components"]["schemas"]["Error"]


def test_the_document_names_exactly_the_server_routes():
    assert set(OPERATIONS) == {(route.method, route.path) for route in ROUTES}


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method} {route.path}")
def test_each_route_documents_its_success_and_its_errors_as_the_error_schema(route):
    responses = OPERATIONS[route.method, route.path]["responses"]

    assert str(route.success) in responses
    errors = [code for code in responses if not code.startswith("2")]
    assert {"401", "404", "429", "5XX"} <= set(errors)
    for code in errors:
        name = responses[code]["$ref"].rsplit("/", 1)[1]
        schema = DOCUMENT["components"]["responses"][name]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/Error"}


@pytest.mark.parametrize("route", [r for r in ROUTES if r.method == "POST"],
                         ids=lambda route: route.path)
def test_every_action_requires_the_idempotency_key_and_the_actor(route):
    parameters = {p["$ref"].rsplit("/", 1)[1] for p in OPERATIONS["POST", route.path]["parameters"]}

    assert {"IdempotencyKey", "Actor", "ActorRole"} <= parameters


def test_the_error_body_the_server_sends_is_the_documented_error_schema():
    api = AdminApi(core=None, token="t")  # refused before the core is reached

    for response in (
        api.handle("GET", "/v1/admin/jobs/1", {}, b""),  # 401
        api.handle("GET", "/v1/admin/nowhere", {"Authorization": "Bearer t"}, b""),  # 404
        api.handle("POST", "/v1/admin/users", {"Authorization": "Bearer t"}, b""),  # 400
    ):
        assert set(response.body) == set(ERROR["properties"]) == set(ERROR["required"])
        assert all(isinstance(value, str) for value in response.body.values())


@pytest.mark.parametrize("model, schema", [(ActionResult, "ActionResult"), (Job, "Job")])
def test_the_result_bodies_are_the_documented_ones(model, schema):
    documented = DOCUMENT["components"]["schemas"][schema]

    fields = {field.name for field in dataclasses.fields(model)}
    assert set(documented["properties"]) == set(documented["required"]) == fields
