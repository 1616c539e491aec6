"""Audit: the trail of every transition, edit and assignment change, for auditors and administrators."""

from flask import Blueprint

bp = Blueprint("audit", __name__)

from webapp.blueprints.audit import routes  # noqa: E402,F401
