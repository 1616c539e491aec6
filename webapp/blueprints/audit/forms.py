"""Filters of the audit page."""

from __future__ import annotations

from wtforms import SelectField
from wtforms.validators import Optional

from webapp.blueprints.fields import IdField, RuDateField, RuForm
from webapp.security import db_id


class AuditFilterForm(RuForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    user = SelectField("Пользователь", coerce=db_id, validate_choice=False, validators=[Optional()])
    document = IdField("Документ (id)", validators=[Optional()])
    since = RuDateField("С", validators=[Optional()])
    until = RuDateField("По", validators=[Optional()])
