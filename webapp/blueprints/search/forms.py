"""The search page's query and filters (GET: they change nothing and stay in the URL); the body is a picker
(blueprints/pickers.py), not a select of every body."""

from __future__ import annotations

from wtforms import IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional

from webapp.blueprints.fields import RuDateField, RuForm
from webapp.services.search import MAX_QUERY_LENGTH


class SearchForm(RuForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField("Что найти", validators=[Optional(), Length(max=MAX_QUERY_LENGTH)])
    kind = SelectField("Где", choices=[SelectChoice("", "везде"), SelectChoice("document", "документы"),
                                       SelectChoice("assignment", "поручения")], validators=[Optional()])
    doc_type = SelectField("Вид документа", validators=[Optional()])
    state = SelectField("Состояние", validators=[Optional()])
    year = IntegerField("Год", validators=[Optional(), NumberRange(1900, 2100)])
    deadline_from = RuDateField("Срок с", validators=[Optional()])
    deadline_to = RuDateField("Срок по", validators=[Optional()])
    status = SelectField("Статус поручения", validators=[Optional()])
    page = IntegerField("Страница", validators=[Optional(), NumberRange(1, 10_000)])
