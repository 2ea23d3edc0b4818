"""Both cores offer every CoreService method with the protocol's exact signature, so a
page can be handed either."""

from __future__ import annotations

import inspect

import pytest

from dashboard.core.http import HttpCoreClient
from dashboard.core.local import LocalCore
from dashboard.core.service import CoreService

METHODS = sorted(
    name for name, member in vars(CoreService).items()
    if inspect.isfunction(member) and not name.startswith("_")
)


@pytest.mark.parametrize("implementation", [LocalCore, HttpCoreClient],
                         ids=lambda cls: cls.__name__)
@pytest.mark.parametrize("method", METHODS)
def test_each_core_has_the_protocol_method_as_declared(implementation, method):
    declared = inspect.signature(getattr(CoreService, method))

    assert inspect.signature(getattr(implementation, method)) == declared


@pytest.mark.parametrize("method", [name for name in METHODS if name != "get_job"])
def test_every_action_takes_the_actor_and_a_keyword_idempotency_key(method):
    parameters = inspect.signature(getattr(CoreService, method)).parameters

    assert list(parameters)[1] == "actor"
    assert parameters["idempotency_key"].kind is inspect.Parameter.KEYWORD_ONLY
