"""The audit page: events filtered by user, document and period."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select

from webapp.blueprints import first_page_again, page_links
from webapp.blueprints.audit import bp
from webapp.blueprints.audit.forms import AuditFilterForm
from webapp.blueprints.pickers import picked
from webapp.models import Event
from webapp.services import paging, policy
from webapp.services.errors import Invalid
from webapp.services.history import journal_page


@bp.get("/audit")
@login_required
def index():
    policy.ensure(current_user, "read_audit")
    form = AuditFilterForm(request.args)
    user = picked("user", current_user, request.args, "user")  # a picker, not a select of every user
    query = select(Event)
    if form.validate() and user.error is None:
        zone = ZoneInfo(current_app.config["TIMEZONE"])
        if user.obj is not None:
            query = query.where(Event.actor_id == user.id)
        if form.document.data:
            query = query.where(Event.document_id == form.document.data)
        if form.since.data:
            query = query.where(Event.at >= datetime.combine(form.since.data, time(), zone))
        if form.until.data:
            query = query.where(Event.at < datetime.combine(form.until.data + timedelta(days=1), time(), zone))
    size = paging.page_size(request.args.get("size", type=int))
    try:
        events, after = journal_page(query, request.args.get("after"), size)
    except Invalid as error:
        return first_page_again("audit.index", error)
    return render_template("audit/index.html", form=form, user=user, events=events,
                           sizes=paging.PAGE_SIZES, size=size, **page_links(after))
