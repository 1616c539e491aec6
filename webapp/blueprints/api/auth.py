"""Who is calling the API: a personal token (`Authorization: Bearer ...`) or the service's own session; its scope
for the method; the rate limit.

CSRF: a token is sent by a program on purpose, never by a browser on its own, so token requests need no CSRF token.
A request signed in by the session cookie is what a forged cross-site request would be: one that changes something
must carry the session's CSRF token in the `X-CSRFToken` header (Flask-WTF checks it), or it is refused (403)."""

from __future__ import annotations

from flask import current_app, g, request
from flask_login import current_user

from webapp.blueprints.api import bp
from webapp.blueprints.api.errors import ApiError
from webapp.extensions import csrf
from webapp.models import User
from webapp.services import tokens

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="docflow"'}


def api_user() -> User:
    """The user the current API request acts as (set by `authenticate`)."""
    return g.api_user


@bp.before_request
def authenticate():
    header = request.headers.get("Authorization")
    needed = "read" if request.method in SAFE_METHODS else "write"
    if header is not None:
        scheme, _, secret = header.partition(" ")
        token = tokens.authenticate(secret.strip()) if scheme.lower() == "bearer" else None
        if token is None:
            raise ApiError(401, "invalid_token", "The token is unknown, revoked or expired, or its user is "
                                                 "deactivated.", {**CHALLENGE, "WWW-Authenticate": CHALLENGE[
                                                     "WWW-Authenticate"] + ', error="invalid_token"'})
        if needed not in token.scope_set:
            raise ApiError(403, "insufficient_scope", f"This token has no '{needed}' scope.")
        g.api_user, g.api_scopes, key = token.user, sorted(token.scope_set), f"token:{token.id}"
    elif current_user.is_authenticated:
        if needed == "write":
            csrf.protect()
        g.api_user, g.api_scopes, key = current_user._get_current_object(), ["read", "write"], f"user:{current_user.id}"
    else:
        raise ApiError(401, "unauthorized", "Send a personal API token: Authorization: Bearer <token>.", CHALLENGE)
    limiter: tokens.RateLimiter = current_app.extensions["docflow_api_limiter"]
    wait = limiter.hit(key, int(current_app.config["API_RATE_LIMIT"]), int(current_app.config["API_RATE_WINDOW"]))
    if wait:
        raise ApiError(429, "rate_limited", f"Too many requests; retry in {wait} s.", {"Retry-After": str(wait)})
