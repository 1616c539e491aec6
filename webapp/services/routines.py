"""The periodic work of the service (reminders, notification e-mails, webhooks, old job results), each one call
that the `docflow` commands and the job queue's schedule both make. Each claims what it sends, so several hosts
may run it at once."""

from __future__ import annotations

from datetime import date

from webapp import clock
from webapp.extensions import db
from webapp.services import jobs, notifications, occurrences, reminders, webhooks


def remind(day: date | None = None) -> tuple[int, int]:
    """Deadline reminders, overdue notices and the weekly digest for `day` (today): (sent, failed)."""
    day = day or clock.today()
    occurrences.catch_up(day)  # the next due dates of periodic assignments, so they are reminded of too
    sent, failed = reminders.send_pending(day, after_each=db.session.commit)
    db.session.commit()
    return sent, failed


def notify() -> notifications.MailRun:
    """Notification e-mails not mailed yet (each one, or the daily digest): the run's figures."""
    return notifications.send_mail()


def send_webhooks() -> tuple[int, webhooks.SendReport]:
    """«Overdue» events queued for today, then every delivery that is due: (events queued, the send's report)."""
    queued = webhooks.queue_overdue(clock.today())
    db.session.commit()
    return queued, webhooks.send_due()


def purge_jobs() -> int:
    """Jobs whose results' time is up, removed with them: how many."""
    return jobs.purge()
