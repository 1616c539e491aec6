"""GET /suggest/users?q=…[&role=approver][&others=1] and /suggest/bodies?q=…[&for=draft]: at most 20 names the
signed-in user may find (or name in a draft; others=1 leaves herself out), best first.
Counted against the same per-user rate limit as the API (a picker asks once per pause in typing)."""

from __future__ import annotations

from flask import current_app, jsonify, request
from flask_login import current_user, login_required

from webapp.blueprints.suggest import bp
from webapp.services import suggest


@bp.before_request
@login_required
def _limited():
    limiter = current_app.extensions["docflow_api_limiter"]
    wait = limiter.hit(f"user:{current_user.id}", int(current_app.config["API_RATE_LIMIT"]),
                       int(current_app.config["API_RATE_WINDOW"]))
    if wait:
        return jsonify(error="Слишком много запросов подсказок; повторите позже.", items=[]), 429, {
            "Retry-After": str(wait)}
    return None


def _answer(items: list[dict]):
    response = jsonify(items=items)
    response.headers["Cache-Control"] = "private, no-store"  # who may be found depends on who asks
    return response


@bp.get("/users")
def users():
    approvers = request.args.get("role") == "approver"
    others = request.args.get("others") == "1"  # leave the signed-in user out (her own deputy)
    found = suggest.users(current_user, request.args.get("q", ""), approvers=approvers, others=others)
    return _answer([{"id": u.id, "label": suggest.user_label(u), "hint": suggest.user_hint(u)} for u in found])


@bp.get("/bodies")
def bodies():
    draft = request.args.get("for") == "draft"  # bodies to name in a draft: open ones (policy.draft_bodies)
    found = suggest.bodies(current_user, request.args.get("q", ""), draft=draft)
    return _answer([{"id": b.id, "label": b.display_name, "hint": suggest.body_hint(b)} for b in found])
