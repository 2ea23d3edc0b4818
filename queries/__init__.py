"""Read-only SQLAlchemy Core selects returning DataFrames or plain values, one module per
area. Aggregation happens in SQL; bounded rows come back; every statement runs on
SQLite and PostgreSQL alike (``queries.sql`` holds the few dialect-specific pieces)."""
