"""Errors a service raises; views turn them into 403, 409, 404 or a form message."""


class ServiceError(Exception):
    """Base class: `reason` is a sentence for the user (Russian in the UI)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class NotAllowed(ServiceError):
    """The user may not do this (HTTP 403)."""


class Conflict(ServiceError):
    """The object changed meanwhile, or the action clashes with its state (HTTP 409)."""


class NotFound(ServiceError):
    """No such object (HTTP 404)."""


class Invalid(ServiceError):
    """The input breaks a rule; nothing was changed (HTTP 400 or a form message)."""
