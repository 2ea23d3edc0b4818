"""Scale-out (issue #11): with READ_DATABASE_URL set, pages read through the replica and
actions still go to the core on DATABASE_URL; pages never reach a database themselves."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from dashboard.ui import actions, data

PAGES = sorted((Path(__file__).resolve().parent.parent / "pages").glob("*.py"))


def database_of(engine) -> str:
    return engine.url.database


@pytest.fixture
def primary_and_replica(tmp_path, monkeypatch):
    primary, replica = tmp_path / "primary.sqlite3", tmp_path / "replica.sqlite3"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{primary}")
    monkeypatch.setenv("READ_DATABASE_URL", f"sqlite:///{replica}")
    monkeypatch.setenv("ZIVO_SECRETS_FILE", str(tmp_path / "none.toml"))
    monkeypatch.delenv("CORE_API_URL", raising=False)
    data.clear()
    actions._core.clear()
    yield str(primary), str(replica)
    data.clear()
    actions._core.clear()


def test_a_page_query_reads_the_replica(primary_and_replica):
    _, replica = primary_and_replica
    assert data.load(database_of) == replica


def test_actions_go_to_the_core_on_the_primary(primary_and_replica):
    primary, _ = primary_and_replica
    assert actions.core().engine.url.database == primary


@pytest.mark.parametrize("page", PAGES, ids=lambda path: path.stem)
def test_a_page_reaches_no_database_but_through_the_cached_loader(page):
    imported = set()
    for node in ast.walk(ast.parse(page.read_text())):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported |= {f"{node.module}.{alias.name}" for alias in node.names} | {node.module}
    assert not {name for name in imported
                if name.startswith(("sqlalchemy", "psycopg", "dashboard.db"))
                or name == "dashboard.db"}
