"""The REST API at /api/v1: JSON over the same services and policy as the pages, described by OpenAPI 3.1.

`bp` (flask-smorest) carries the documented endpoints; `meta` (plain Flask) the OpenAPI document, its docs page and
the answer for unknown addresses, which stay out of the document they serve."""

from __future__ import annotations

import threading

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
    _spec = None

    def __init__(self, *args, **kwargs):
        self._undocumented: list[tuple] = []  # blueprints registered whose views are not in the document yet
        self._responses_undocumented = False  # the default responses of every HTTP status, not in it yet either
        self._documenting = threading.Lock()
        # the thread writing the document, whose own reads of it do not wait: flask-smorest's set-up first
        self._writer: int | None = threading.get_ident()
        super().__init__(*args, **kwargs)
        self._writer = None

    def _register_error_handlers(self):
        pass

    # The OpenAPI document is written when first asked for, not in every create_app: describing the views costs
    # 0.1 s per app, the default responses (each HTTP status with the error schema) 0.03 s, and most apps, each
    # test's among them, never serve the document.
    def register_blueprint(self, blp, *, parameters=None, **options):
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        self._undocumented.append((blp, name, parameters))

    def _register_responses(self):
        self._responses_undocumented = True

    @property
    def spec(self):
        if self._writer == threading.get_ident():
            return self._spec
        with self._documenting:
            self._writer = threading.get_ident()
            try:
                self._document()
            finally:
                self._writer = None
        return self._spec

    def _document(self) -> None:
        """What is not in the document yet, in the order flask-smorest writes it: the default responses first,
        then each blueprint's views."""
        if self._responses_undocumented:
            super()._register_responses()
            self._responses_undocumented = False
        while self._undocumented:
            blp, name, parameters = self._undocumented.pop(0)
            blp.register_views_in_doc(self, self._app, self._spec, name=name, parameters=parameters)
            self._spec.tag({"name": name, "description": blp.description})

    @spec.setter
    def spec(self, value):
        self._spec = value


def init_app(app: Flask) -> None:
    from webapp.blueprints.api import assignments, auth, directory, docs, documents, errors, jobs, search  # noqa: F401
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
