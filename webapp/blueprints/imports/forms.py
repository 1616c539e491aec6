"""Forms of the import: the upload of files, and the review form (the draft form with the archive's requisites)."""

from __future__ import annotations

from flask_wtf.file import MultipleFileField
from wtforms import FieldList, FormField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from webapp.blueprints.documents.forms import DocumentForm, PointForm
from webapp.blueprints.fields import RuForm
from webapp.services.documents import DraftData


class UploadForm(RuForm):
    files = MultipleFileField("Файлы (DOCX, TXT, PDF)")


class ImportPointForm(PointForm):
    new_body = StringField("Новый орган (будет создан, если не выбран существующий)",
                           validators=[Optional(), Length(max=1000)])


class ReviewForm(DocumentForm):
    number = StringField("Номер документа", validators=[Optional(), Length(max=60)])
    # the issuing body is a picker (issuing_body, issuing_body_name), read by blueprints/pickers.picked
    save_as = RadioField("Сохранить как", default="archive", choices=[
        SelectChoice("archive", "действующий документ из архива: с его номером и датой, поручения — на контроль"),
        SelectChoice("draft", "проект: пройдёт согласование и подписание в системе")])
    points = FieldList(FormField(ImportPointForm), min_entries=0)

    def new_bodies(self, data: DraftData) -> dict[int, str]:
        """The new bodies proposed for each point kept in `data` (points without text are dropped by to_data)."""
        kept = [entry.form for entry in self.points if (entry.form.text.data or "").strip()]
        return {index: f.new_body.data.strip() for index, f in enumerate(kept)
                if (f.new_body.data or "").strip() and not f.responsible.data}
