"""The benchmark: ``python -m dashboard.bench`` (``make bench``).

For every page: the time of each query it runs, directly on the database (the floor),
and of the whole page render through AppTest, cold (caches cleared) and warm, as the
median of several runs; how many rows each query returns to Python; the peak memory of
the process; and every page rendered by 10 sessions at once from cold caches (p95). It
writes ``bench/results.md`` and exits 1 when a query returns more than 10,000 rows to Python
(CSV exports stream in chunks and are exempt: they are not page queries). A query slower
than ``QUERY_BUDGET_S`` gets the database's plan of each statement it ran printed and
written under the table, so a miss names its cause (a sequential scan, a sort that spills).

The page targets (issue #11, on PostgreSQL at the large scale: ``make bench-large``) are
in ``TARGETS``; the report marks each miss.

Speed is measured here, never asserted in a test: these machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import functools
import os
import platform
import resource
import statistics
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import event, func, select

from dashboard import db, navigation, schema, settings
from dashboard.auth.roles import ROLES, SignedInUser, access
from dashboard.ui import data

ROW_LIMIT = 10_000
RESULTS = Path(__file__).resolve().parent.parent / "bench" / "results.md"
APP = str(Path(__file__).resolve().parent / "app.py")
RENDER_TIMEOUT_S = 300
# A page runs several queries and must render cold within 3 s: half a second each at most.
QUERY_BUDGET_S = 0.5
PLAN_LINE = 400
TARGETS = {"warm_s": 1.0, "cold_s": 3.0, "p95_s": 3.0, "peak_mb": 500,
           "cold_over_floor": 1.3, "cold_over_floor_s": 0.15}
SCALE_TABLES = ("workspaces", "contacts", "integration_events", "messages", "ai_calls", "rights_requests")


@dataclass
class QueryTiming:
    page: str
    name: str
    median_s: float
    rows: int
    plans: list[str] | None = None


@dataclass
class PageTiming:
    page: str
    role: str
    cold_s: float
    warm_s: float
    floor_s: float  # the sum of its queries' medians
    concurrent_p95_s: float | None = None


def _rows(value) -> int:
    if isinstance(value, pd.DataFrame):
        return len(value)
    if isinstance(value, (list, tuple, dict)):
        return len(value)
    return 1


def _role_for(page: str) -> str:
    """The role that sees most of the page: the one that may act, else any that may view."""
    ranked = sorted(ROLES, key=lambda role: (access(role, page) is None, role != "admin"))
    return ranked[0]


def _scan_components_once() -> None:
    """AppTest looks for installed Streamlit components on every run (a second of reading
    package metadata); a server does it once, when it starts. So does the bench."""
    from streamlit.components.v2 import manifest_scanner

    if not hasattr(manifest_scanner.scan_component_manifests, "cache_info"):
        manifest_scanner.scan_component_manifests = functools.cache(manifest_scanner.scan_component_manifests)


def _app(user: SignedInUser):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=RENDER_TIMEOUT_S)
    at.session_state["signed_in_user"] = user
    return at


def _render(user: SignedInUser, spec, ready: threading.Barrier | None = None) -> float:
    """Seconds to render the page for a signed-in session; with ``ready``, the render
    starts when every session of the barrier is ready to render it."""
    at = _app(user)
    if spec.id != navigation.DEFAULT_PAGE:
        # The first run lands on the default page and registers the others; only the
        # page itself is timed and its queries recorded.
        at.run()
        if data.recorded is not None:
            data.recorded.clear()
        at.switch_page(str(Path("..") / "pages" / f"{spec.id}.py"))
    if ready is not None:
        ready.wait()
    started = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - started
    if at.exception:
        raise RuntimeError(f"{spec.id} raised: {at.exception[0].value}")
    return elapsed


def _user(role: str) -> SignedInUser:
    with db.primary().connect() as conn:
        row = conn.execute(
            select(schema.backoffice_users.c.email, schema.backoffice_users.c.name)
            .where(schema.backoffice_users.c.role == role, schema.backoffice_users.c.disabled.is_(False))
            .limit(1)
        ).first()
    if row is None:
        raise SystemExit(f"No enabled {role} account in the database: seed it with `python -m dashboard demo`.")
    return SignedInUser(row.email, row.name, role, "local")


def measure(runs: int, sessions: int, progress=lambda queries, pages: None
            ) -> tuple[list[QueryTiming], list[PageTiming]]:
    """Every page in turn, then all under concurrency; ``progress`` gets the results so far
    after each page, so a long run at the large scale leaves a report even if cut short."""
    queries: list[QueryTiming] = []
    pages: list[PageTiming] = []
    engine = db.reader()
    _scan_components_once()
    # One untimed render first: the process's imports (Streamlit, plotly, pandas) and the
    # database pool are paid once, not by whichever page happens to be measured first.
    first = navigation.PAGES[0]
    _render(_user(_role_for(first.id)), first)
    data.clear()
    for spec in navigation.PAGES:
        role = _role_for(spec.id)
        user = _user(role)
        data.recorded = []
        cold = []
        for _ in range(runs):
            data.clear()
            cold.append(_render(user, spec))
        calls = list(dict.fromkeys((query, args) for query, args in data.recorded))
        data.recorded = None
        warm = [_render(user, spec) for _ in range(runs)]
        floor = 0.0
        for query, args in calls:
            times, result = [], None
            for _ in range(runs):
                started = time.perf_counter()
                result = query(engine, *args)
                times.append(time.perf_counter() - started)
            median = statistics.median(times)
            floor += median
            timing = QueryTiming(spec.id, f"{query.__module__}.{query.__qualname__}", median, _rows(result))
            if median > QUERY_BUDGET_S:
                timing.plans = plans(engine, query, args)
            queries.append(timing)
        pages.append(PageTiming(spec.id, role, statistics.median(cold), statistics.median(warm), floor))
        progress(queries, pages)
    global sequential_peak_mb
    sequential_peak_mb = _peak_mb()
    if sessions > 1:
        _concurrent(pages, sessions, lambda: progress(queries, pages))
    return queries, pages


# The process's peak after rendering every page once in turn, before the concurrent runs.
sequential_peak_mb: float | None = None


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def plans(engine, query, args) -> list[str]:
    """The database's plan of every statement ``query`` runs (EXPLAIN, not executed again)."""
    statements: list[tuple[str, object]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _executemany):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        query(engine, *args)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    prefix = "EXPLAIN " if engine.dialect.name == "postgresql" else "EXPLAIN QUERY PLAN "
    found = []
    with engine.connect() as conn:
        for statement, parameters in statements:
            rows = conn.exec_driver_sql(prefix + statement, parameters or ()).all()
            lines = (" ".join(str(col) for col in row) for row in rows)
            # A long CASE (the integration health state) runs to pages: its start is enough.
            found.append("\n".join(line if len(line) <= PLAN_LINE else line[:PLAN_LINE] + " …"
                                   for line in lines))
    return found


def _concurrent(pages: list[PageTiming], sessions: int, progress=lambda: None) -> None:
    """Every page rendered by ``sessions`` sessions at once, from cold caches; the p95 of
    their renders. The sessions land on the default page first, untimed; when all have,
    the caches are cleared and they render the page together."""
    specs = {spec.id: spec for spec in navigation.PAGES}
    for timing in pages:
        user = _user(timing.role)
        times: list[float] = []
        errors: list[str] = []
        ready = threading.Barrier(sessions, action=data.clear, timeout=RENDER_TIMEOUT_S)

        def one() -> None:
            try:
                times.append(_render(user, specs[timing.page], ready))
            except Exception as error:  # reported, not raised: one bad session names the page
                errors.append(str(error))

        threads = [threading.Thread(target=one) for _ in range(sessions)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise RuntimeError(f"{timing.page} under {sessions} sessions: {errors[0]}")
        timing.concurrent_p95_s = statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]
        progress()


@functools.cache
def _scale() -> dict[str, int]:
    counts = {}
    with db.reader().connect() as conn:
        for name in SCALE_TABLES:
            counts[name] = conn.execute(select(func.count()).select_from(schema.metadata.tables[name])).scalar_one()
    return counts


def _machine() -> str:
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, {memory_gb:.0f} GiB, Python {platform.python_version()}"


def report(queries: list[QueryTiming], pages: list[PageTiming], runs: int, sessions: int) -> str:
    peak_mb = sequential_peak_mb or _peak_mb()
    url = db.reader().url
    lines = [
        "# Benchmark results",
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {_machine()}",
        f"- Database: {url.get_backend_name()} ({url.database})",
        "- Scale: " + ", ".join(f"{name} {count:,}" for name, count in _scale().items()),
        f"- Runs: median of {runs}; concurrency: {sessions} simultaneous sessions",
        f"- Peak memory of this process rendering every page: {peak_mb:,.0f} MB "
        f"({_peak_mb():,.0f} MB with the {sessions} simultaneous sessions, all in one process)",
        "",
        "## Pages",
        "",
        "| page | role | cold render (s) | warm render (s) | sum of queries (s) | p95 with sessions (s) |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for p in pages:
        p95 = "—" if p.concurrent_p95_s is None else f"{p.concurrent_p95_s:.3f}"
        lines.append(f"| {p.page} | {p.role} | {p.cold_s:.3f} | {p.warm_s:.3f} | {p.floor_s:.3f} | {p95} |")
    misses = target_misses(pages, peak_mb)
    lines += ["", "## Targets", ""]
    lines += [f"- ✗ {miss}" for miss in misses] or ["- every target met"]
    lines += ["", "## Queries (run directly on the database)", "",
              "| page | query | median (s) | rows to Python |", "|---|---|---:|---:|"]
    for q in queries:
        flag = " ⚠ over 10,000" if q.rows > ROW_LIMIT else ""
        lines.append(f"| {q.page} | `{q.name}` | {q.median_s:.4f} | {q.rows:,}{flag} |")
    slow = [q for q in queries if q.plans]
    if slow:
        lines += ["", f"## Plans of the queries over {QUERY_BUDGET_S} s", ""]
        for q in slow:
            lines += [f"### {q.page}: `{q.name}` ({q.median_s:.3f} s)", ""]
            for plan in q.plans:
                lines += ["```", plan, "```", ""]
    return "\n".join(lines) + "\n"


def target_misses(pages: list[PageTiming], peak_mb: float) -> list[str]:
    """Each target of issue #11 this run missed, in words."""
    misses = []
    for p in pages:
        if p.warm_s > TARGETS["warm_s"]:
            misses.append(f"{p.page}: warm render {p.warm_s:.2f} s > {TARGETS['warm_s']} s")
        if p.cold_s > TARGETS["cold_s"]:
            misses.append(f"{p.page}: cold render {p.cold_s:.2f} s > {TARGETS['cold_s']} s")
        ceiling = TARGETS["cold_over_floor"] * p.floor_s + TARGETS["cold_over_floor_s"]
        if p.cold_s > ceiling:
            misses.append(f"{p.page}: cold render {p.cold_s:.2f} s > 1.3 × its queries "
                          f"({p.floor_s:.2f} s) + 0.15 s = {ceiling:.2f} s")
        if p.concurrent_p95_s is not None and p.concurrent_p95_s > TARGETS["p95_s"]:
            misses.append(f"{p.page}: p95 under concurrency {p.concurrent_p95_s:.2f} s > {TARGETS['p95_s']} s")
    if peak_mb > TARGETS["peak_mb"]:
        misses.append(f"peak memory {peak_mb:,.0f} MB > {TARGETS['peak_mb']} MB")
    return misses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--sessions", type=int, default=10, help="simultaneous sessions")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    try:
        settings.load()
    except settings.SettingsError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    args.output.parent.mkdir(parents=True, exist_ok=True)
    _scale.cache_clear()

    def partial(queries, pages):
        args.output.write_text(report(queries, pages, args.runs, args.sessions)
                               + f"\n(in progress: {len(pages)} of {len(navigation.PAGES)} pages measured)\n")

    queries, pages = measure(args.runs, args.sessions, partial)
    text = report(queries, pages, args.runs, args.sessions)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    print(text)
    over = [q for q in queries if q.rows > ROW_LIMIT]
    for q in over:
        print(f"{q.page}: {q.name} returns {q.rows:,} rows to Python (limit {ROW_LIMIT:,})", file=sys.stderr)
    for q in queries:
        for plan in q.plans or ():
            print(f"{q.page}: {q.name} took {q.median_s:.3f} s (budget {QUERY_BUDGET_S} s); its plan:\n{plan}",
                  file=sys.stderr)
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
