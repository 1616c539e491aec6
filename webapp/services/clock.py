"""The organisation's calendar: its time zone (TIMEZONE) decides which day it is and how a moment reads.

A deadline day ends at the organisation's midnight, not UTC's. Callers use `clock.today()` through the
module, so a test can fix the day in one place."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def local(moment: datetime) -> datetime:
    """A stored moment in the organisation's time zone (SQLite gives naive datetimes back; they are UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"]))


def local_date(moment: datetime) -> date:
    """The organisation's calendar day at a moment."""
    return local(moment).date()


def today() -> date:
    return local_date(datetime.now(UTC))


def local_time_text(moment: datetime | None) -> str:
    """A stored moment as the organisation reads it: 01.02.2022 14:05 in its time zone."""
    return local(moment).strftime("%d.%m.%Y %H:%M") if moment is not None else ""
