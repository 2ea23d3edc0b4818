"""The period a page looks at: whole days in India, and the one before it to compare with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dashboard import clock


@dataclass(frozen=True)
class Window:
    """``start`` to ``end``, both whole days in Asia/Kolkata, both included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("A period cannot end before it starts.")

    @classmethod
    def last_days(cls, days: int, today: date | None = None) -> Window:
        today = today or clock.today_ist()
        return cls(today - timedelta(days=days - 1), today)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def start_utc(self) -> datetime:
        return clock.ist_midnight_utc(self.start)

    @property
    def end_utc(self) -> datetime:
        """Exclusive: the first instant after the last day."""
        return clock.ist_midnight_utc(self.end + timedelta(days=1))

    def previous(self) -> Window:
        """The period of the same length just before this one."""
        return Window(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def label(self) -> str:
        return f"{self.start:%d %b %Y} – {self.end:%d %b %Y}"


def month_start(day: date, months_back: int = 0) -> date:
    """The first day of ``day``'s month, or of the month ``months_back`` before it."""
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)
