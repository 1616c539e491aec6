"""The confirmation step of a destructive or document-creating action, without scripts: the first POST (after
every permission check) answers with a page that repeats the form's fields and adds `confirmed=1`; only the
second POST acts."""

from __future__ import annotations

from flask import render_template, request

CONFIRMED = "confirmed"


def confirmed() -> bool:
    return request.form.get(CONFIRMED) == "1"


def ask(title: str, message: str, button: str, back: str, fields: dict[str, str] | None = None):
    """The page that asks; `fields` are posted again with the answer (never the CSRF token: the page has its own)."""
    return render_template("confirm.html", title=title, message=message, button=button, back=back,
                           action=request.path, fields=fields or {})
