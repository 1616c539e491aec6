"""Import: uploading existing documents and reviewing what was extracted from them."""

from flask import Blueprint

bp = Blueprint("imports", __name__)

from webapp.blueprints.imports import routes  # noqa: E402,F401
