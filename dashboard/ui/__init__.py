"""Shared page components: filters, the KPI row, charts, tables, sign-in, and turning
failures into short messages. Pages import these; nothing here runs SQL or HTTP itself."""
