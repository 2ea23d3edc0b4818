"""The benchmark runs end to end on a small demo database (a smoke test: no timings are
asserted, but every page must render and every query's rows are counted)."""

import pytest

from dashboard import bench, demo, navigation
from dashboard.db import engine_for


@pytest.fixture
def small_demo(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'bench.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("ZIVO_SECRETS_FILE", str(tmp_path / "none.toml"))
    demo.seed(engine_for(url), "small")
    return url


def test_the_benchmark_measures_every_page_and_writes_its_report(small_demo, tmp_path):
    output = tmp_path / "results.md"
    assert bench.main(["--runs", "1", "--sessions", "2", "--output", str(output)]) == 0
    text = output.read_text()
    for spec in navigation.PAGES:
        assert f"| {spec.id} |" in text
    assert "integration_events" in text and "Peak memory" in text


def test_a_query_returning_too_many_rows_fails_the_benchmark(small_demo, tmp_path, monkeypatch):
    monkeypatch.setattr(bench, "ROW_LIMIT", 5)
    assert bench.main(["--runs", "1", "--sessions", "1", "--output", str(tmp_path / "r.md")]) == 1
