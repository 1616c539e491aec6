"""Filters of the audit page (the user is a picker: blueprints/pickers.py)."""

from __future__ import annotations

from wtforms.validators import Optional

from webapp.blueprints.fields import IdField, RuDateField, RuForm


class AuditFilterForm(RuForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    document = IdField("Документ (id)", validators=[Optional()])
    since = RuDateField("С", validators=[Optional()])
    until = RuDateField("По", validators=[Optional()])
