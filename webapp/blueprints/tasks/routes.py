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
