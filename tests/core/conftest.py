"""The contract suite runs every test against each core (the ``core`` fixture of
tests/conftest.py: LocalCore directly, and HttpCoreClient talking to LocalCore served over
loopback HTTP) on each database."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from tests.builders import Builder


@pytest.fixture
def build(engine: Engine) -> Builder:
    return Builder(engine)
