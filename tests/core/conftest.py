"""The contract suite runs every test against each core on each database: LocalCore
directly, and HttpCoreClient talking to LocalCore served over loopback HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from dashboard.core.http import HttpCoreClient
from dashboard.core.local import LocalCore
from dashboard.core.server import serve_in_thread
from dashboard.core.service import CoreService
from tests.builders import Builder
from tests.core.support import TOKEN


@pytest.fixture(params=["local", "http"])
def core(request, engine: Engine) -> Iterator[CoreService]:
    local = LocalCore(engine)
    try:
        if request.param == "local":
            yield local
        else:
            with serve_in_thread(local, TOKEN) as server:
                client = HttpCoreClient(server.url, TOKEN, connect_timeout=2, read_timeout=10,
                                        retry_budget=5)
                try:
                    yield client
                finally:
                    client.close()
    finally:
        local.close()  # jobs finish before the database is dropped


@pytest.fixture
def build(engine: Engine) -> Builder:
    return Builder(engine)
