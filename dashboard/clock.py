"""Time: the database holds naive UTC; people read Asia/Kolkata (no daylight saving).

``utcnow`` is the one place the app asks for the time, so tests and the demo can pin it
with ``ZIVO_NOW`` (an ISO timestamp in UTC).
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

IST = ZoneInfo("Asia/Kolkata")
IST_OFFSET = timedelta(hours=5, minutes=30)


def utcnow() -> datetime:
    pinned = os.environ.get("ZIVO_NOW")
    if pinned:
        return datetime.fromisoformat(pinned).replace(tzinfo=None)
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def today_ist() -> date:
    return (utcnow() + IST_OFFSET).date()


def ist_midnight_utc(day: date) -> datetime:
    """The naive-UTC instant at which ``day`` starts in India."""
    return datetime.combine(day, time()) - IST_OFFSET


def format_ist(moment: datetime | None, fmt: str = "%d %b %Y %H:%M") -> str:
    if moment is None:
        return "—"
    return (moment + IST_OFFSET).strftime(fmt)


def format_duration(span: timedelta) -> str:
    """A span as people say it, to two units: '45 min', '3 h 20 min', '2 d 4 h'."""
    minutes = max(int(span.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"
