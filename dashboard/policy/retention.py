"""When a closed account's CRM content must be purged, and what a purge may not touch
(DESIGN.md "Deadlines and retention"). Pure rules; every number carries its source.

Holds (which categories survive a purge, and until when) extend this module.
"""

from __future__ import annotations

from datetime import datetime, timedelta

# Privacy policy section 10: CRM content is deleted or anonymised "within a reasonable
# period" after an account closes. Zivo's period: 90 days from closure.
PURGE_AFTER_CLOSURE = timedelta(days=90)
# DPDP Rules 2025 r.8(2): the Data Principal is told at least 48 hours before erasure.
# Binding on Third-Schedule fiduciaries only; adopted here as Zivo's practice.
NOTICE_BEFORE_PURGE = timedelta(hours=48)
# DPDP Rules 2025 r.8(3): logs of processing are kept for at least one year from it.
LOG_RETENTION_FLOOR = timedelta(days=365)
# What the Overview and Attention count as "due soon".
DUE_SOON = timedelta(days=7)


def purge_due_at(closed_at: datetime) -> datetime:
    """The moment a closed account's CRM content is due to be purged."""
    return closed_at + PURGE_AFTER_CLOSURE


def notice_due_at(purge_due: datetime) -> datetime:
    """The latest moment the pre-erasure notice can go out for a purge due then."""
    return purge_due - NOTICE_BEFORE_PURGE


def log_purgeable_before(now: datetime) -> datetime:
    """Log rows at or after this moment are inside the retention floor and stay."""
    return now - LOG_RETENTION_FLOOR
