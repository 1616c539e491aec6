"""The audit page: events filtered by user, document and period."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from webapp.blueprints.audit import bp
from webapp.blueprints.audit.forms import AuditFilterForm
from webapp.extensions import db
from webapp.models import Event, User
from webapp.services import policy
from webapp.services.history import describe

PAGE_SIZE = 200


@bp.get("/audit")
@login_required
def index():
    policy.ensure(current_user, "read_audit")
    form = AuditFilterForm(request.args)
    form.user.choices = [SelectChoice(0, "все")] + [
        SelectChoice(u.id, u.full_name) for u in db.session.scalars(select(User).order_by(User.full_name))]
    query = select(Event).order_by(Event.id.desc()).limit(PAGE_SIZE)
    if form.validate():
        zone = ZoneInfo(current_app.config["TIMEZONE"])
        if form.user.data:
            query = query.where(Event.actor_id == form.user.data)
        if form.document.data:
            query = query.where(Event.document_id == form.document.data)
        if form.since.data:
            query = query.where(Event.at >= datetime.combine(form.since.data, time(), zone))
        if form.until.data:
            query = query.where(Event.at < datetime.combine(form.until.data + timedelta(days=1), time(), zone))
    events = describe(db.session.scalars(query.options(selectinload(Event.actor))))
    return render_template("audit/index.html", form=form, events=events, page_size=PAGE_SIZE)
