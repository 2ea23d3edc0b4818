"""Long actions as rows of ``jobs`` worked by a background thread.

The action that starts a job inserts it as ``queued`` in its own transaction; after that
commits, ``JobRunner.start`` claims it (queued -> running, so a replayed request never
starts it twice) and works it on a daemon thread with connections of its own. The work
reports progress in the same transactions that do each slice of it, so the progress a
page polls is never ahead of the data.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from dashboard import clock
from dashboard.core.errors import NotFound
from dashboard.core.models import Job
from dashboard.schema import jobs

log = logging.getLogger(__name__)

Transaction = Callable[[], AbstractContextManager[Connection]]
Progress = Callable[[Connection, float], None]
# A job's work: given transactions and a progress reporter, do it and return its result.
Work = Callable[[Transaction, Progress], dict[str, Any]]

FAILED_MESSAGE = "The job stopped on an internal error; what it finished is kept. Start it again."


def create(conn: Connection, kind: str, target_type: str, target_id: str) -> int:
    return conn.execute(
        insert(jobs).values(kind=kind, target_type=target_type, target_id=target_id,
                            status="queued", progress=0.0)
    ).inserted_primary_key[0]


def read(conn: Connection, job_id: int) -> Job:
    row = conn.execute(select(jobs).where(jobs.c.id == job_id)).mappings().first()
    if row is None:
        raise NotFound(f"Job {job_id} does not exist.")
    return Job(
        id=row["id"],
        kind=row["kind"],
        status=row["status"],
        progress=float(row["progress"]),
        result=json.loads(row["result"]) if row["result"] else None,
        error=row["error"],
    )


def _set_progress(conn: Connection, job_id: int, fraction: float) -> None:
    conn.execute(
        update(jobs).where(jobs.c.id == job_id).values(progress=min(max(fraction, 0.0), 1.0))
    )


class JobRunner:
    def __init__(self, tx: Transaction):
        self._tx = tx
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def start(self, job_id: int, work: Work) -> None:
        """Work a queued job in the background; a job already claimed is left alone."""
        with self._tx() as conn:
            claimed = conn.execute(
                update(jobs)
                .where(jobs.c.id == job_id, jobs.c.status == "queued")
                .values(status="running", started_at=clock.utcnow())
            ).rowcount
        if not claimed:
            return
        thread = threading.Thread(
            target=self._run, args=(job_id, work), name=f"core-job-{job_id}", daemon=True
        )
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    def join(self, timeout: float | None = None) -> None:
        """Wait for running jobs (tests and shutdown: the database is about to go)."""
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(timeout)

    def _run(self, job_id: int, work: Work) -> None:
        try:
            result = work(self._tx, lambda conn, fraction: _set_progress(conn, job_id, fraction))
        except Exception:
            log.exception("job %s failed", job_id)
            self._finish(job_id, status="failed", error=FAILED_MESSAGE)
        else:
            self._finish(job_id, status="done", progress=1.0, result=json.dumps(result))

    def _finish(self, job_id: int, **values: Any) -> None:
        with self._tx() as conn:
            conn.execute(
                update(jobs).where(jobs.c.id == job_id).values(finished_at=clock.utcnow(), **values)
            )


def chunks(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]
