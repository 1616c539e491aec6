"""Jobs: the list of a user's jobs, one job's progress and its result."""

from flask import Blueprint

bp = Blueprint("jobs", __name__)

from webapp.blueprints.jobs import routes  # noqa: E402,F401
