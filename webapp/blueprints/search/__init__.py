"""Search: documents and assignments by the words of their text, with Russian morphology and filters."""

from flask import Blueprint

bp = Blueprint("search", __name__)

from webapp.blueprints.search import routes  # noqa: E402,F401
