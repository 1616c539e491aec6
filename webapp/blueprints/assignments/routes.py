"""Views of assignments."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webapp.blueprints.assignments import bp
from webapp.extensions import db
from webapp.models import Assignment, AssignmentStatus, Document
from webapp.models.assignment import STATUS_TITLES
from webapp.services.documents import can_view_document


@bp.route("/assignments")
@login_required
def index():
    query = (select(Assignment).join(Document).options(selectinload(Assignment.point),
                                                        selectinload(Assignment.lead_body))
             .order_by(Assignment.deadline.is_(None), Assignment.deadline, Assignment.id))
    status = request.args.get("status") or ""
    if status in AssignmentStatus.__members__:
        query = query.where(Assignment.status == status)
    rows = [a for a in db.session.scalars(query) if can_view_document(current_user, a.document)]
    return render_template("assignments/index.html", assignments=rows, statuses=STATUS_TITLES, status=status)
