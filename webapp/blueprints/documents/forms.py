"""The draft form: a document with its participants, agenda items and decision points."""

from __future__ import annotations

import re

from wtforms import (
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from webapp import clock
from webapp.blueprints.fields import IdField, RuForm, RuSubform
from webapp.models.document import TYPE_TITLES, DocumentType
from webapp.ru.dates import DateError, parse_date
from webapp.security import db_id
from webapp.services.documents import AgendaData, DraftData, PointData, read_deadline
from webapp.services.errors import Invalid

TYPE_CHOICES = [SelectChoice(t.value, TYPE_TITLES[t]) for t in DocumentType if t != DocumentType.regulation]


def _paragraphs(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


#: «Петров А.Н. – предложил …» or «Петров А.Н.: предложил …»: the speaker, then what was said.
_SPOKE = re.compile(r"^(?P<speaker>.+?)(?:\s+[–—-]\s+|:\s*)(?P<text>.*)$")


def discussion_lines(text: str | None) -> list[dict[str, str]]:
    """«ВЫСТУПИЛИ» typed one speaker a line as «Фамилия И.О. – что сказал» (a line without a dash or colon is a
    speaker with no summary)."""
    out = []
    for line in _paragraphs(text):
        match = _SPOKE.match(line)
        speaker, said = (match["speaker"], match["text"]) if match else (line, "")
        out.append({"speaker": speaker.strip(), "text": said.strip()})
    return out


def discussion_text(discussion: list[dict[str, str]]) -> str:
    return "\n".join(f"{d['speaker']} – {d['text']}" if d.get("text") else d["speaker"] for d in discussion)


class AgendaItemForm(RuSubform):
    title = TextAreaField("Вопрос повестки", validators=[Optional(), Length(max=2000)])
    speakers = StringField("Докладчик", validators=[Optional(), Length(max=500)])
    heard = TextAreaField("СЛУШАЛИ", validators=[Optional(), Length(max=20000)])
    discussion = TextAreaField("ВЫСТУПИЛИ (по одному в строке: Фамилия И.О. – содержание выступления)",
                               validators=[Optional(), Length(max=20000)],
                               render_kw={"placeholder": "Петров А.Н. – предложил перенести срок на март"})


class PointForm(RuSubform):
    agenda = IntegerField("№ вопроса", validators=[Optional()], render_kw={"placeholder": "1"})
    number = StringField("Номер", validators=[Optional(), Length(max=30)], render_kw={"placeholder": "1.2.1"})
    text = TextAreaField("Текст пункта", validators=[Optional(), Length(max=20000)])
    # A picker: the select holds the bodies chosen (suggested from /suggest/bodies?for=draft as a name is typed);
    # without JavaScript, names typed in the box beside it. Both are read by blueprints/pickers.chosen_bodies.
    responsible = SelectMultipleField("Ответственные", coerce=db_id, validate_choice=False)
    responsible_names = TextAreaField("Добавить ответственных: полные или краткие названия органов, по одному в строке",
                                      validators=[Optional(), Length(max=2000)])
    deadline = StringField("Срок", validators=[Optional(), Length(max=300)],
                           render_kw={"placeholder": "в срок до 1 февраля 2022 года"})

    def validate_number(self, field):
        value = (field.data or "").strip().rstrip(".")
        if value and not all(part.isdigit() for part in value.split(".")):
            raise ValidationError("Номер пункта — числа через точку, например 1.2.1.")

    def validate_deadline(self, field):
        # The service reads the deadline against the document's date; here only whether it reads at all,
        # so the message stands beside the field that needs fixing.
        try:
            read_deadline(field.data, clock.today())
        except Invalid as exc:
            raise ValidationError(exc.reason) from exc


def _edit_rows(field_list, change) -> None:
    """Change a list of rows as data (what the user typed is kept) and rebuild the field list from it."""
    data = [entry.data for entry in field_list]
    change(data)
    while len(field_list):
        field_list.pop_entry()
    for row in data:
        field_list.append_entry(row)


def _merged(first: dict, second: dict) -> dict:
    merged = dict(first)
    merged["text"] = " ".join(t for t in ((first.get("text") or "").strip(), (second.get("text") or "").strip()) if t)
    merged["responsible"] = list(dict.fromkeys([*(first.get("responsible") or []), *(second.get("responsible") or [])]))
    merged["responsible_names"] = "; ".join(n for n in (first.get("responsible_names"), second.get("responsible_names"))
                                           if (n or "").strip())
    merged["deadline"] = first.get("deadline") or second.get("deadline")
    if "new_body" in first:
        merged["new_body"] = "; ".join(n for n in (first.get("new_body"), second.get("new_body")) if n)
    return merged


class DocumentForm(RuForm):
    version = HiddenField()
    doc_type = SelectField("Вид документа", choices=TYPE_CHOICES)
    heading = StringField("Наименование вида (как печатается)", validators=[Optional(), Length(max=200)])
    title = TextAreaField("Заголовок", validators=[DataRequired("Укажите заголовок документа."), Length(max=2000)])
    event_date = StringField("Дата", validators=[Optional(), Length(max=50)], render_kw={"placeholder": "ДД.ММ.ГГГГ"})
    place = StringField("Место", validators=[Optional(), Length(max=200)])
    preamble = TextAreaField("Вводная часть", validators=[Optional(), Length(max=50000)])
    chair = StringField("Председатель", validators=[Optional(), Length(max=300)])
    secretary = StringField("Секретарь", validators=[Optional(), Length(max=300)])
    attendees = TextAreaField("Присутствовали (по одному в строке: ФИО, должность)",
                              validators=[Optional(), Length(max=20000)])
    decision_heading = StringField("Распорядительная формула", validators=[Optional(), Length(max=200)])
    agenda = FieldList(FormField(AgendaItemForm), min_entries=0)
    points = FieldList(FormField(PointForm), min_entries=0)
    controller_text = TextAreaField("Контроль исполнения возложить на", validators=[Optional(), Length(max=2000)])
    signer_title = StringField("Должность подписывающего", validators=[Optional(), Length(max=500)])
    signer_name = StringField("И.О. Фамилия подписывающего", validators=[Optional(), Length(max=200)])

    def validate_event_date(self, field):
        if field.data and field.data.strip():
            try:
                field.parsed = parse_date(field.data)
            except DateError as exc:
                raise ValidationError(str(exc)) from exc

    def apply(self, op: str) -> bool:
        """Add, remove, move, merge or split rows of the form without saving; True when the form changed.

        merge:i joins point i+1 into point i (their texts, responsible bodies and the first deadline); split:i
        puts a copy of point i after it, to divide one directive into two."""
        name, _, arg = op.partition(":")
        index = int(arg) if arg.isdigit() else -1
        rows = self.points
        if name == "add_agenda":
            self.agenda.append_entry()
        elif name == "add_point":
            rows.append_entry()
        elif name == "remove_agenda" and 0 <= index < len(self.agenda):
            _edit_rows(self.agenda, lambda data: data.pop(index))
        elif name == "remove_point" and 0 <= index < len(rows):
            _edit_rows(rows, lambda data: data.pop(index))
        elif name in ("up", "down") and 0 <= index < len(rows):
            other = index - 1 if name == "up" else index + 1
            if not 0 <= other < len(rows):
                return False
            _edit_rows(rows, lambda data: data.insert(other, data.pop(index)))
        elif name == "merge" and 0 <= index < len(rows) - 1:
            _edit_rows(rows, lambda data: data.__setitem__(slice(index, index + 2),
                                                           [_merged(data[index], data[index + 1])]))
        elif name == "split" and 0 <= index < len(rows):
            _edit_rows(rows, lambda data: data.insert(index + 1, dict(data[index])))
        else:
            return False
        return True

    def to_data(self) -> DraftData:
        agenda: list[AgendaData] = []
        renumber: dict[int, int] = {}  # the form's item number -> index among the items kept
        for number, entry in enumerate(self.agenda, start=1):
            f = entry.form
            if (f.title.data or "").strip():
                renumber[number] = len(agenda)
                agenda.append(AgendaData(title=f.title.data.strip(), speakers=(f.speakers.data or "").strip() or None,
                                         heard=_paragraphs(f.heard.data),
                                         discussion=discussion_lines(f.discussion.data)))
        points = []
        for entry in self.points:
            f = entry.form
            if not (f.text.data or "").strip():
                continue
            index = renumber.get(f.agenda.data, -1) if f.agenda.data else None
            points.append(PointData(
                text=f.text.data.strip(), number=(f.number.data or "").strip().rstrip(".") or None,
                agenda_index=index, responsible_ids=list(f.responsible.data or []),
                deadline_text=(f.deadline.data or "").strip() or None,
            ))
        attendees = []
        for line in _paragraphs(self.attendees.data):
            name, _, job = line.partition(",")
            attendees.append((name.strip(), job.strip() or None))
        signatories = []
        if (self.signer_name.data or "").strip():
            signatories.append(((self.signer_title.data or "").strip(), self.signer_name.data.strip()))
        return DraftData(
            doc_type=self.doc_type.data, title=self.title.data, heading=(self.heading.data or "").strip() or None,
            event_date=getattr(self.event_date, "parsed", None), place=(self.place.data or "").strip() or None,
            preamble=_paragraphs(self.preamble.data),
            decision_heading=(self.decision_heading.data or "").strip() or None,
            chair=(self.chair.data or "").strip() or None, secretary=(self.secretary.data or "").strip() or None,
            attendees=attendees, agenda=agenda, points=points,
            controller_text=(self.controller_text.data or "").strip() or None, signatories=signatories,
        )


class TransitionForm(RuForm):
    """A workflow button: which transition, the version the user saw, an optional comment."""

    version = HiddenField()
    transition = HiddenField()
    comment = TextAreaField("Комментарий", validators=[Optional(), Length(max=5000)])


class DecisionForm(RuForm):
    version = HiddenField()
    decision = SelectField("Решение", choices=[SelectChoice("approved", "Согласовано"),
                                               SelectChoice("approved_with_remarks", "Согласовано с замечаниями")])
    comment = TextAreaField("Замечания", validators=[Optional(), Length(max=5000)])


class ApproverForm(RuForm):
    approver = IdField("Согласующий", validators=[Optional()])  # a picker's id (blueprints/pickers.py)


class ApprovalModeForm(RuForm):
    mode = SelectField("Порядок", choices=[SelectChoice("sequential", "последовательно"),
                                           SelectChoice("parallel", "одновременно")])


class AcknowledgersForm(RuForm):
    people = SelectMultipleField("Ознакомить", coerce=db_id, validate_choice=False)


class ActionForm(RuForm):
    """A button that only needs the CSRF token."""
