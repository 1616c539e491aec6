"""Forms of the administration pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField
from wtforms.validators import DataRequired


class TemplateUploadForm(FlaskForm):
    kind = SelectField("Вид документа", validators=[DataRequired()])
    body = SelectField("Орган", coerce=int, default=0)  # 0: every body
    file = FileField("Файл шаблона (.docx)", validators=[FileRequired("Выберите файл шаблона .docx.")])


class TemplateScopeForm(FlaskForm):
    """«Вернуть шаблон по умолчанию» for one kind and scope."""

    kind = HiddenField(validators=[DataRequired()])
    body = HiddenField(default="0")


class ActionForm(FlaskForm):
    """A button that only needs the CSRF token."""
