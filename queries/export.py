"""CSV exports: rows streamed from the database in chunks, never all in memory at once.

Exports are not bound by the 10,000-row rule for pages (DESIGN.md, conventions).
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from typing import BinaryIO

from sqlalchemy.engine import Engine
from sqlalchemy.sql import Select

CHUNK_ROWS = 5_000


def csv_chunks(engine: Engine, stmt: Select, chunk_rows: int = CHUNK_ROWS) -> Iterator[str]:
    """The header, then the rows in chunks of CSV text, read with a server-side cursor."""
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=chunk_rows).execute(stmt)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(result.keys())
        for rows in result.partitions():
            writer.writerows(rows)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        if buffer.tell():
            yield buffer.getvalue()


def csv_file(engine: Engine, stmt: Select) -> BinaryIO:
    """The whole export as a file that spills to disk past a few MB, ready to download."""
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    for chunk in csv_chunks(engine, stmt):
        spool.write(chunk.encode("utf-8"))
    spool.seek(0)
    return spool
