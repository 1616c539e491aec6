"""How the administration's views run one service call: a refusal is rolled back and shown, never a 500."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import flash

from webapp.extensions import db
from webapp.services.errors import Conflict, ServiceError

T = TypeVar("T")


def attempt(action: Callable[[], T]) -> T | ServiceError:
    """The action's result; or, when the service refused, its error (rolled back, its reason flashed)."""
    try:
        return action()
    except ServiceError as error:
        db.session.rollback()
        flash(error.reason, "danger")
        return error


def status_of(error: ServiceError) -> int:
    return 409 if isinstance(error, Conflict) else 400
