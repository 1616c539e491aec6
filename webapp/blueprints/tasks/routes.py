"""The inbox page and the menu's counter."""

from __future__ import annotations

from flask import g, render_template
from flask_login import current_user, login_required

from webapp import clock
from webapp.blueprints.tasks import bp
from webapp.services import assignments, policy, tasks


@bp.get("/tasks")
@login_required
def index():
    groups = tasks.inbox(current_user)
    g.tasks_total = sum(group.total for group in groups)  # the menu's counter: the same sum, not asked again
    return render_template("tasks/index.html", groups=groups, total=g.tasks_total,
                           today=clock.today(), is_overdue=assignments.is_overdue,
                           standing_in_for=policy.acting_for(current_user)[1:])


@bp.app_context_processor
def tasks_counter():
    """«Мои задачи (N)» in the menu of every page."""
    if not current_user.is_authenticated:
        return {"tasks_total": 0}
    counted = g.get("tasks_total")
    return {"tasks_total": tasks.total(current_user) if counted is None else counted}
