"""«Мои задачи»: the start page after login, what waits for the signed-in user."""

from flask import Blueprint

bp = Blueprint("tasks", __name__)

from webapp.blueprints.tasks import routes  # noqa: E402,F401  (routes attach themselves to bp)
