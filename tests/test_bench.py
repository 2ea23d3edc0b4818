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


def test_a_query_over_its_budget_has_its_plan_printed_in_the_report(small_demo, tmp_path, monkeypatch):
    monkeypatch.setattr(bench, "QUERY_BUDGET_S", -1.0)  # every query is "over budget"
    output = tmp_path / "r.md"
    assert bench.main(["--runs", "1", "--sessions", "1", "--output", str(output)]) == 0
    text = output.read_text()
    assert "## Plans of the queries over" in text
    assert "SCAN" in text.split("## Plans of the queries over")[1]  # SQLite's words for a plan


def test_the_report_names_each_missed_target():
    pages = [bench.PageTiming("overview", "founder", cold_s=4.0, warm_s=0.5, floor_s=1.0,
                              concurrent_p95_s=2.0)]
    misses = bench.target_misses(pages, peak_mb=600)
    assert any("overview: cold render 4.00 s > 3.0 s" in miss for miss in misses)
    assert any("1.3 × its queries" in miss for miss in misses)
    assert any("peak memory 600 MB" in miss for miss in misses)
    assert not any("warm" in miss or "p95" in miss for miss in misses)
