"""Login and logout, the account's password and API tokens."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from webapp.blueprints.auth import mail, routes, tokens  # noqa: E402,F401  (routes attach themselves to bp)
