"""The inbox page and the menu's counter."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user, login_required

from webapp import clock
from webapp.blueprints.tasks import bp
from webapp.services import assignments, policy, tasks


@bp.get("/tasks")
@login_required
def index():
    groups = tasks.inbox(current_user)
    return render_template("tasks/index.html", groups=groups, total=sum(g.total for g in groups),
                           today=clock.today(), is_overdue=assignments.is_overdue,
                           standing_in_for=policy.acting_for(current_user)[1:])


@bp.app_context_processor
def tasks_counter():
    """«Мои задачи (N)» in the menu of every page."""
    if not current_user.is_authenticated:
        return {"tasks_total": 0}
    return {"tasks_total": tasks.total(current_user)}
