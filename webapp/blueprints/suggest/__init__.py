"""Suggestions for the pickers of users and bodies: small JSON answers to what was typed."""

from flask import Blueprint

bp = Blueprint("suggest", __name__, url_prefix="/suggest")

from webapp.blueprints.suggest import routes  # noqa: E402,F401
