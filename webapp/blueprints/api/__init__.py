"""The REST API at /api/v1: JSON over the same services and policy as the pages, described by OpenAPI 3.1.

`bp` (flask-smorest) carries the documented endpoints; `meta` (plain Flask) the OpenAPI document, its docs page and
the answer for unknown addresses, which stay out of the document they serve."""

from __future__ import annotations

from flask import Blueprint, Flask
from flask_smorest import Api
from flask_smorest import Blueprint as ApiBlueprint

from webapp.blueprints.api.schemas import ErrorSchema

PREFIX = "/api/v1"

bp = ApiBlueprint("api", __name__, url_prefix=PREFIX, description="Docflow's documents, assignments and directory.")
meta = Blueprint("api_meta", __name__, url_prefix=PREFIX)

SPEC_DEFAULTS = {
    "API_TITLE": "Docflow API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.1.0",
    "OPENAPI_URL_PREFIX": None,  # the document is served by `meta`, under the API's own error handling
    "API_SPEC_OPTIONS": {
        "info": {"description": "Documents, assignments, bodies and users of Docflow. Authenticate with a personal "
                                "token (`Authorization: Bearer dfl_...`, made on /account/tokens). Errors are "
                                "`{\"error\": {\"code\": ..., \"message\": ...}}`."},
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
    },
    "API_RATE_LIMIT": 600,  # requests per token (or signed-in user) per window
    "API_RATE_WINDOW": 60,  # seconds
}


class DocflowApi(Api):
    """flask-smorest with Docflow's error shape; its own error handler would answer every error of the whole site
    (the HTML pages included) in JSON, so it is not registered: the API's blueprints have their own."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        pass


def init_app(app: Flask) -> None:
    from webapp.blueprints.api import assignments, auth, directory, docs, documents, errors, search  # noqa: F401
    from webapp.extensions import csrf
    from webapp.services.tokens import RateLimiter

    for key, value in SPEC_DEFAULTS.items():
        app.config.setdefault(key, value)
    app.extensions["docflow_api_limiter"] = RateLimiter()
    csrf.exempt(bp)  # auth.authenticate checks the token of session-authenticated writes itself
    csrf.exempt(meta)
    api = DocflowApi(app)
    api.register_blueprint(bp)
    app.register_blueprint(meta)
