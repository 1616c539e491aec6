"""Administration: DOCX templates (upload, versions, the documented context), users and their sessions, bodies,
deputies, webhooks."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from webapp.blueprints.admin import bodies, deputies, directory, routes, users, webhooks  # noqa: E402,F401
