"""Filters of the audit page."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField
from wtforms.validators import Optional


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    user = SelectField("Пользователь", coerce=int, validate_choice=False, validators=[Optional()])
    document = IntegerField("Документ (id)", validators=[Optional()])
    since = DateField("С", validators=[Optional()])
    until = DateField("По", validators=[Optional()])
