"""The OpenAPI document, a docs page drawn from it on the server (no scripts from elsewhere: the CSP allows none),
and the JSON answer for every other address under /api/v1."""

from __future__ import annotations

from flask import current_app, jsonify, render_template
from werkzeug.exceptions import MethodNotAllowed

from webapp.blueprints.api import meta
from webapp.blueprints.api.errors import ApiError, allowed_methods

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def spec() -> dict:
    return current_app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()


@meta.get("/openapi.json")
def openapi_json():
    """Public, like any API's description: it says what exists, never what is in it."""
    return jsonify(spec())


@meta.get("/docs")
def docs():
    document = spec()
    operations = [
        {"method": method.upper(), "path": path, "summary": op.get("summary", ""), "tags": op.get("tags", []),
         "responses": sorted(op.get("responses", {}))}
        for path, item in document["paths"].items() for method, op in item.items() if method.upper() in METHODS
    ]
    return render_template("api/docs.html", spec=document, operations=operations)


@meta.route("/<path:rest>", methods=METHODS)
def unknown(rest: str):
    """An address the API does not have (404), or a method one of its addresses does not take (405)."""
    allowed = allowed_methods()
    if allowed:
        raise MethodNotAllowed(valid_methods=allowed)
    raise ApiError(404, "not_found", "No such address in the API.")
