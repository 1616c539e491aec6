"""The service's one clock: what moment it is, and which day it is in the organisation's time zone (TIMEZONE).

Every service, view, CLI command, template and column default asks this module, never `datetime.now()` or
`date.today()`, so the day is decided in one place: a deadline day ends at the organisation's midnight, not
UTC's, and tests fix the moment once (tests/conftest.py) for the whole process."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def now() -> datetime:
    """The current moment, timezone-aware UTC: what stored timestamps hold."""
    return datetime.now(UTC)


def local(moment: datetime) -> datetime:
    """A stored moment in the organisation's time zone (SQLite gives naive datetimes back; they are UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"]))


def local_date(moment: datetime) -> date:
    """The organisation's calendar day at a moment."""
    return local(moment).date()


def today() -> date:
    """The organisation's calendar day now."""
    return local_date(now())


def local_time_text(moment: datetime | None) -> str:
    """A stored moment as the organisation reads it: 01.02.2022 14:05 in its time zone."""
    return local(moment).strftime("%d.%m.%Y %H:%M") if moment is not None else ""
