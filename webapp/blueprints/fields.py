"""Form pieces every blueprint shares: forms that speak Russian, dates read by ru.dates, ids within range."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField
from wtforms.form import Form

from webapp.ru.dates import DateError, parse_date
from webapp.security import db_id


class _RussianMeta:
    locales = ("ru_RU", "ru")  # WTForms' own messages («Неверное целое число.») in Russian


class RuForm(FlaskForm):
    """The base of every form of the service: CSRF (Flask-WTF) and Russian messages."""

    class Meta(_RussianMeta):
        pass


class RuSubform(Form):
    """A form repeated inside another (an agenda item, a point): Russian messages, no CSRF of its own."""

    class Meta(_RussianMeta):
        pass


class RuDateField(DateField):
    """A date as a person types it («01.02.2022», «1 февраля 2022 г.») or a date input sends it (2022-02-01): read
    by ru.dates, so only ASCII digits and years within its range (1900–2100) pass, with the reason in Russian."""

    def process_formdata(self, valuelist):
        text = " ".join(valuelist).strip() if valuelist else ""
        if not text:
            self.data = None
            return
        try:
            self.data = parse_date(text)
        except DateError as exc:
            self.data = None
            raise ValueError(str(exc)) from exc


class IdField(IntegerField):
    """An id typed into a filter: a whole number within the database's range."""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = db_id(valuelist[0].strip())
        except ValueError as exc:
            self.data = None
            raise ValueError("Номер — целое число от 0 до 2147483647.") from exc
