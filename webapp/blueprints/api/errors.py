"""Every error under /api/ as `{"error": {"code", "message"}}` in English with its status, never an HTML page."""

from __future__ import annotations

from flask import current_app, jsonify, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from webapp.blueprints.api import bp, meta
from webapp.extensions import db
from webapp.services.errors import Conflict, Invalid, NotAllowed, NotFound
from webapp.services.transactions import is_lock_conflict

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         409: "conflict", 413: "payload_too_large", 415: "unsupported_media_type", 422: "validation_failed",
         429: "rate_limited", 503: "unavailable"}
MESSAGES = {400: "The request could not be read.", 404: "No such address in the API.",
            405: "This address does not accept this method.", 413: "The request is too large.",
            422: "The request's data is invalid."}


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict | None = None, detail=None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers, self.detail = status, code, message, headers, detail


def get_or_404(model, object_id: int, noun: str):
    """A row by id, or the API's 404 naming what was not found."""
    row = db.session.get(model, object_id)
    if row is None:
        raise ApiError(404, "not_found", f"No such {noun}.")
    return row


def error_response(status: int, code: str, message: str, headers: dict | None = None, detail=None):
    body = {"code": code, "message": message}
    if detail is not None:
        body["detail"] = detail
    response = jsonify({"error": body})
    response.status_code = status
    response.headers.update(headers or {})
    return response


def _on_api_error(exc: ApiError):
    return error_response(exc.status, exc.code, exc.message, exc.headers, exc.detail)


def _on_not_allowed(exc: NotAllowed):
    db.session.rollback()
    return error_response(403, "forbidden", "You may not do this.", detail=exc.reason)


def _on_not_found(exc: NotFound):
    db.session.rollback()
    return error_response(404, "not_found", "No such object.", detail=exc.reason)


def _said(exc: Exception, message: str) -> str:
    """The API's English message, with the service's own English reason where it gives one."""
    english = getattr(exc, "english", None)
    return f"{message} ({english})." if english else f"{message}."


def _on_conflict(exc: Conflict):
    db.session.rollback()
    return error_response(409, "conflict", _said(exc, "The object changed meanwhile or is in another state; reload it"),
                          detail=exc.reason)


def _on_invalid(exc: Invalid):
    db.session.rollback()
    return error_response(422, "invalid", _said(exc, "The request breaks a rule of the service; nothing was changed"),
                          detail=exc.reason)


def _on_stale(_exc: StaleDataError):
    db.session.rollback()
    return error_response(409, "conflict", "The object was changed by another request at the same time; reload it.")


def _on_operational(exc: OperationalError):
    db.session.rollback()
    if is_lock_conflict(exc):
        return error_response(409, "busy", "Someone else is changing the same data; retry in a few seconds.")
    return error_response(503, "unavailable", "The database is unavailable; retry later.")


def _on_csrf(_exc: CSRFError):
    return error_response(403, "csrf_failed", "A request signed in by the session cookie that changes something "
                                              "needs the X-CSRFToken header; programs use a bearer token instead.")


def _on_http(exc: HTTPException):
    status = exc.code or 500
    code = CODES.get(status, "error")
    message = MESSAGES.get(status, exc.description or exc.name)
    detail = None
    data = getattr(exc, "data", None)  # webargs puts the fields' messages here
    if isinstance(data, dict) and data.get("messages"):
        detail = data["messages"]
        if status == 400 and "json" in detail:
            code, message = "invalid_json", "The body is not valid JSON."
    headers = {"Allow": ", ".join(exc.valid_methods)} if status == 405 and getattr(exc, "valid_methods", None) \
        else None
    return error_response(status, code, message, headers, detail)


def allowed_methods() -> list[str]:
    """The methods the API's views take at this request's address (none: there is no such address)."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    allowed = []
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        try:
            endpoint, _ = adapter.match(method=method)
        except HTTPException:
            continue
        if endpoint != "api_meta.unknown":
            allowed.append(method)
    return allowed


def status_response(status: int):
    """An error the API's blueprints never saw: routing refused the request (a method the address does not take,
    an id past the database's range)."""
    headers = {"Allow": ", ".join(allowed_methods())} if status == 405 else None
    return error_response(status, CODES.get(status, "error"), MESSAGES.get(status, "The request failed."), headers)


def _on_exception(exc: Exception):
    """A defect of ours: logged with its traceback, answered in the API's shape (clients parse every error)."""
    current_app.logger.error("API request failed", exc_info=exc)
    db.session.rollback()
    return error_response(500, "internal_error", "The server failed; the error is logged.")


for blueprint in (bp, meta):
    for error, handler in ((ApiError, _on_api_error), (NotAllowed, _on_not_allowed), (NotFound, _on_not_found),
                           (Conflict, _on_conflict), (Invalid, _on_invalid), (StaleDataError, _on_stale),
                           (OperationalError, _on_operational), (CSRFError, _on_csrf), (HTTPException, _on_http),
                           (Exception, _on_exception)):
        blueprint.register_error_handler(error, handler)
