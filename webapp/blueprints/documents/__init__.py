"""Documents: the register, the document page and the draft form."""

from flask import Blueprint

bp = Blueprint("documents", __name__)

from webapp.blueprints.documents import attachments, downloads, routes, workflow  # noqa: E402,F401
