"""HTTP hardening shared by every page: security headers, ids bounded to the database's integer range, and
conflicting writes answered 409 instead of 500."""

from __future__ import annotations

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # PostgreSQL's integer; an id beyond it names nothing

# No inline scripts or styles anywhere (templates use classes and attributes), nothing from other origins, and no
# page may be framed. data: images: Bootstrap draws form controls with SVG data URIs.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
    "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
])
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


class BoundedIntegerConverter(IntegerConverter):
    """`<int:...>` in every route: an id past the database's range is simply not found (404), never a query."""

    def __init__(self, url_map, fixed_digits=0, min=0, max=MAX_ID, signed=False):  # noqa: A002 - werkzeug's names
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def db_id(value) -> int:
    """A form or query-string id: an integer within the database's range (ValueError otherwise)."""
    number = int(value)
    if not 0 <= number <= MAX_ID:
        raise ValueError("out of range")
    return number


def init_app(app: Flask) -> None:
    if app.config["PROXY_COUNT"]:  # the client's address and scheme as the trusted proxies saw them
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_COUNT"], x_proto=app.config["PROXY_COUNT"])
    app.url_map.converters["int"] = BoundedIntegerConverter

    @app.after_request
    def security_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)  # a view may set a stricter one (downloads: sandbox)
        revalidated = response.cache_control.private and response.cache_control.no_cache
        if request.endpoint not in ("static", "bootstrap.static") and not revalidated:
            # Pages show what only this user may see: no shared or back-button cache keeps them. A view answering
            # conditional GETs (the calendar feed) says «private, no-cache»: its client keeps the body to revalidate.
            response.headers["Cache-Control"] = "no-store"
        if request.is_secure:
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        return response
