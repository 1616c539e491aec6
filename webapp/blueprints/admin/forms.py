"""Forms of the administration pages."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField
from wtforms.validators import DataRequired, Optional

from webapp.blueprints.fields import IdField, RuForm


class TemplateUploadForm(RuForm):
    kind = SelectField("Вид документа", validators=[DataRequired()])
    body = IdField("Орган", validators=[Optional()])  # a picker's id (blueprints/pickers.py); none: every body
    file = FileField("Файл шаблона (.docx)", validators=[FileRequired("Выберите файл шаблона .docx.")])


class TemplateScopeForm(RuForm):
    """«Вернуть шаблон по умолчанию» for one kind and scope."""

    kind = HiddenField(validators=[DataRequired()])
    body = HiddenField(default="0")


class ActionForm(RuForm):
    """A button that only needs the CSRF token."""
