"""Files attached to assignment reports: downloads only, for whoever may read the assignment."""

from __future__ import annotations

import io

from flask import abort, send_file
from flask_login import login_required
from sqlalchemy import select

from webapp.blueprints.assignments import bp
from webapp.blueprints.assignments.routes import _load
from webapp.extensions import db
from webapp.models import Report, ReportFile, StoredFile
from webapp.services.files import read_bytes, safe_name, served_content_type


@bp.get("/assignments/<int:assignment_id>/files/<int:file_id>")
@login_required
def report_file(assignment_id: int, file_id: int):
    """`file_id` is the ReportFile's id: a file of another assignment's report is 404 here, whatever the user sees."""
    assignment = _load(assignment_id)  # 404 for no such assignment, 403 for a user who may not read it
    attached = db.session.scalar(select(ReportFile).join(Report, ReportFile.report_id == Report.id)
                                 .where(ReportFile.id == file_id, Report.assignment_id == assignment.id))
    if attached is None:
        abort(404)
    stored = db.session.get(StoredFile, attached.file_id)
    response = send_file(io.BytesIO(read_bytes(stored)), mimetype=served_content_type(stored.content_type),
                         as_attachment=True, download_name=safe_name(attached.filename))
    # Users' bytes are never rendered by the browser as a page of ours, whatever they contain.
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.cache_control.private = True
    return response
