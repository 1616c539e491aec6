"""Forms of assignment control: report, review, cancel, extension request and decision."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired, MultipleFileField
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from webapp.blueprints.fields import RuForm
from webapp.ru.dates import DateError, parse_date
from webapp.security import db_id


def _date_validator(form, field) -> None:
    if field.data:
        try:
            field.parsed = parse_date(field.data)
        except DateError as exc:
            raise ValidationError(str(exc)) from exc
    else:
        field.parsed = None


class ActionForm(RuForm):
    """A button that needs only the CSRF token (take into work)."""


class ReportForm(RuForm):
    text = TextAreaField("Что сделано", validators=[DataRequired("Напишите, что сделано."), Length(max=20000)])
    files = MultipleFileField("Файлы")


class ReviewForm(RuForm):
    decision = SelectField("Решение", choices=[SelectChoice("accept", "Принять: исполнено"),
                                               SelectChoice("return", "Вернуть на доработку")])
    comment = TextAreaField("Комментарий", validators=[Optional(), Length(max=5000)])


class CancelForm(RuForm):
    reason = TextAreaField("Причина снятия с контроля",
                           validators=[DataRequired("Укажите причину снятия с контроля."), Length(max=5000)])


class ExtensionRequestForm(RuForm):
    new_date = StringField("Новый срок", validators=[Optional(), _date_validator],
                           render_kw={"placeholder": "ДД.ММ.ГГГГ"})
    reason = TextAreaField("Причина", validators=[DataRequired("Укажите причину переноса срока."),
                                                  Length(max=5000)])


class ExtensionDecisionForm(RuForm):
    decision = SelectField("Решение", choices=[SelectChoice("approve", "Перенести срок"),
                                               SelectChoice("reject", "Отказать")])
    new_date = StringField("Новый срок", validators=[Optional(), _date_validator],
                           render_kw={"placeholder": "ДД.ММ.ГГГГ"})
    comment = TextAreaField("Комментарий", validators=[Optional(), Length(max=5000)])


class BulkImportForm(RuForm):
    file = FileField("Заполненный файл XLSX", validators=[FileRequired("Выберите файл.")])


class AddAssignmentForm(RuForm):
    action = TextAreaField("Поручение", validators=[DataRequired("Напишите текст поручения."), Length(max=20000)])
    # the lead body is a picker (lead_body, lead_body_name; blueprints/pickers.picked); the co-executors a
    # multi-picker: the select holds the ones chosen, names typed without JavaScript go in the box
    coexecutors = SelectMultipleField("Соисполнители", coerce=db_id, validate_choice=False,
                                      description="Необязательно: начните вводить название органа.")
    coexecutor_names = TextAreaField("Добавить соисполнителей: полные или краткие названия органов, по одному в строке",
                                     validators=[Optional(), Length(max=2000)])
    deadline = StringField("Срок", validators=[Optional(), Length(max=300)],
                           render_kw={"placeholder": "в срок до 1 февраля 2027 года"})
