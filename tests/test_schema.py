"""schema-check reports what a live database lacks compared with dashboard/schema.py."""

from sqlalchemy import text

from dashboard import __main__ as cli
from dashboard.schema import drift, metadata


def test_a_database_built_from_the_schema_has_no_drift(engine):
    assert drift(engine).clean


def test_a_missing_table_and_a_missing_column_are_reported(engine):
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE jobs"))
        conn.execute(text("ALTER TABLE ai_budgets DROP COLUMN updated_at"))
    found = drift(engine)
    assert found.missing_tables == ["jobs"]
    assert found.missing_columns == {"ai_budgets": ["updated_at"]}
    assert "missing table: jobs" in found.report()


def test_schema_check_exits_1_on_drift(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    assert cli.main(["schema-check"]) == 1
    assert f"missing table: {sorted(metadata.tables)[0]}" in capsys.readouterr().out
