"""Assignments: the list of tracked directives."""

from flask import Blueprint

bp = Blueprint("assignments", __name__)

from webapp.blueprints.assignments import dashboard, files, routes  # noqa: E402,F401
