"""The inbox page and the menu's counter."""

from __future__ import annotations

from dataclasses import replace

from flask import g, render_template
from flask_login import current_user, login_required

from webapp import clock
from webapp.blueprints.tasks import bp
from webapp.services import assignments, menu, policy, tasks


@bp.get("/tasks")
@login_required
def index():
    figures = menu.figures(current_user)  # the menu's statement, first: it counts each group
    groups = tasks.inbox(current_user, counted=figures.groups)
    # the menu's counter says what the page lists, and is not asked again
    g.menu_figures = replace(figures, groups={group.key: group.total for group in groups})
    return render_template("tasks/index.html", groups=groups, total=g.menu_figures.tasks,
                           today=clock.today(), is_overdue=assignments.is_overdue,
                           standing_in_for=policy.acting_for(current_user)[1:])
