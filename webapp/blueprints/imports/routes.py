"""Views of the import: upload files, review each extraction beside its source text, save or discard it."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup, escape

from webapp.blueprints import flash_form_errors, pickers
from webapp.blueprints.imports import bp
from webapp.blueprints.imports.forms import ReviewForm, UploadForm
from webapp.extensions import db
from webapp.models import Body, ImportItem
from webapp.services import importing, policy
from webapp.services.errors import Invalid


@bp.route("/import", methods=["GET", "POST"])
@login_required
def index():
    policy.ensure(current_user, "import_documents")
    form = UploadForm()
    if request.method == "POST":
        if not form.validate():
            flash_form_errors(form)
            return render_template("imports/index.html", form=form, items=importing.pending_items(current_user)), 400
        files = [(f.filename or "", f.read()) for f in request.files.getlist("files") if f.filename]
        if not files:
            flash("Выберите файлы документов (DOCX, TXT или PDF).", "danger")
            return render_template("imports/index.html", form=form, items=importing.pending_items(current_user)), 400
        items, refused = importing.upload(current_user, files)
        db.session.commit()
        for problem in refused:
            flash(f"«{problem.filename}» не загружен: {problem.reason}", "danger")
        if items:
            flash(f"Загружено документов: {len(items)}. Проверьте каждый и сохраните.", "success")
        if len(items) == 1 and not refused:
            return redirect(url_for("imports.review", item_id=items[0].id))
        return redirect(url_for("imports.index"))
    return render_template("imports/index.html", form=form, items=importing.pending_items(current_user))


def _load(item_id: int) -> ImportItem:
    item = db.session.get(ImportItem, item_id)
    if item is None:
        abort(404)
    policy.ensure(current_user, "review_import", item)
    return item


def _review_form(item: ImportItem) -> tuple[ReviewForm, pickers.Picked, dict]:
    """The form (as sent, or as the extraction proposes it), its issuing body's picker, the fields to check."""
    proposal = importing.proposal(item)
    if request.method == "POST":
        return ReviewForm(), pickers.picked("draft_body", current_user, request.form, "issuing_body"), proposal.flags
    issuer = db.session.get(Body, proposal.data["issuing_body"]) if proposal.data["issuing_body"] else None
    return (ReviewForm(formdata=None, data=proposal.data),
            pickers.Picked(issuer, issuer.display_name if issuer else ""), proposal.flags)


def _page(item: ImportItem, form: ReviewForm, issuer: pickers.Picked, flags: dict):
    """The review: the source text beside the form, each point's select offering only the bodies it names."""
    pickers.body_labels(pickers.point_bodies(form.points))
    return render_template("imports/review.html", item=item, form=form, issuer=issuer, flags=flags,
                           source=_highlighted(item))


@bp.route("/import/<int:item_id>", methods=["GET", "POST"])
@login_required
def review(item_id: int):
    item = _load(item_id)
    if item.status != "pending":
        if item.document_id:
            return redirect(url_for("documents.detail", document_id=item.document_id))
        abort(404)
    form, issuer, flags = _review_form(item)
    op = request.form.get("op", "save")
    if request.method == "POST" and op != "save":
        # names typed without JavaScript become chosen bodies
        pickers.chosen_bodies(current_user, pickers.point_bodies(form.points))
        form.apply(op)
        flags = {}  # rows moved: the extraction's remarks no longer point at the right fields
    elif request.method == "POST":
        valid = form.validate()
        # the bodies are pickers, checked after the fields: an unknown or closed one refused where it was chosen
        if pickers.chosen_bodies(current_user, pickers.point_bodies(form.points)) and valid and not issuer.error:
            data = form.to_data()
            try:
                document = importing.save(current_user, item, data, archive=form.save_as.data == "archive",
                                          number=form.number.data, issuing_body_id=issuer.id,
                                          new_bodies=form.new_bodies(data))
            except Invalid as exc:
                db.session.rollback()
                flash(exc.reason, "danger")
            else:
                db.session.commit()
                flash("Документ сохранён." + (" Его поручения поставлены на контроль."
                                              if document.in_force else ""), "success")
                return redirect(url_for("documents.detail", document_id=document.id))
        else:
            flash("Документ не сохранён: исправьте отмеченные поля.", "danger")
        return _page(item, form, issuer, flags), 400
    return _page(item, form, issuer, flags)


@bp.post("/import/<int:item_id>/discard")
@login_required
def discard(item_id: int):
    item = _load(item_id)
    if not UploadForm().validate():
        abort(400)
    importing.discard(current_user, item)
    db.session.commit()
    flash(f"«{item.filename}» отброшен.", "info")
    return redirect(url_for("imports.index"))


def _highlighted(item: ImportItem) -> Markup:
    """The source text with the spans extraction used marked (each says which form field it fed)."""
    text = item.source_text
    _, where = importing.rows_of(item)
    marks = []
    for path, spans in (item.extraction.get("spans") or {}).items():
        name = importing.form_field(path, where)
        for start, end in spans:
            if 0 <= start < end <= len(text):
                marks.append((start, end, name or ""))
    marks.sort(key=lambda m: (m[0], -m[1]))
    out, position = [], 0
    for start, end, name in marks:
        if start < position:
            continue  # nested or overlapping: the outer span shows it
        out.append(escape(text[position:start]))
        out.append(Markup('<mark class="source-span" data-field="{}">{}</mark>').format(name, text[start:end]))
        position = end
    out.append(escape(text[position:]))
    return Markup("").join(out)
