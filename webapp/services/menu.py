"""The menu's figures on every page: «Мои задачи N», «Уведомления N» and whether to show «Задания», in one statement."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import User
from webapp.services import jobs, notifications, tasks
from webapp.services.policy import acting_for


@dataclass(frozen=True)
class Figures:
    tasks: int  #: what waits for the user (tasks.total)
    unread: int  #: her unread notifications, a deputy's with her principals'
    has_jobs: bool  #: she has started a job (the link «Задания»)


def figures(user: User, tasks_total: int | None = None) -> Figures:
    """The three figures, computed per request (each changes with anyone's action) as one statement of scalar
    subqueries: asked by three, they were three round trips on every page. `tasks_total` when the page counted
    the tasks itself (the inbox sums its groups)."""
    counts = tasks.counts(user) if tasks_total is None else []
    unread, has_jobs, *counted = db.session.execute(select(
        notifications.unread_count([person.id for person in acting_for(user)]), jobs.any_of(user), *counts)).one()
    return Figures(sum(counted) if tasks_total is None else tasks_total, unread, bool(has_jobs))
