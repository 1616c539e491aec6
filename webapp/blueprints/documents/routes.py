"""Views of documents: list, page, new draft, edit draft."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from webapp.blueprints import first_page_again, page_links, pickers
from webapp.blueprints.documents import bp, conflicts
from webapp.blueprints.documents.forms import (
    AcknowledgersForm,
    ActionForm,
    ApprovalModeForm,
    ApproverForm,
    DecisionForm,
    DocumentForm,
    TransitionForm,
    discussion_text,
)
from webapp.extensions import db
from webapp.models import Document
from webapp.models.document import TYPE_TITLES
from webapp.services import attachments, paging, policy, transitions, workflows
from webapp.services import documents as service
from webapp.services.errors import Conflict, Invalid
from webapp.services.history import history_page
from webapp.services.route import steps_waiting_for
from webapp.services.workflows import state_titles
from webapp.workflow import to_mermaid


def _load(document_id: int) -> Document:
    """The document, if the user may read it (404 when there is none, 403 when it is not theirs to read)."""
    document = db.session.get(Document, document_id)
    if document is None:
        abort(404)
    policy.ensure(current_user, "read_document", document)
    return document


@bp.route("/")
def home():
    return redirect(url_for("tasks.index"))


@bp.route("/documents")
@login_required
def index():
    doc_type = request.args.get("type") or ""
    state = request.args.get("state") or ""
    states = state_titles()
    size = paging.page_size(request.args.get("size", type=int))
    sort, _order = paging.choose(service.REGISTER_SORTS, request.args.get("sort"), service.REGISTER_DEFAULT_SORT)
    try:
        page = service.register_page(current_user, doc_type=doc_type, state=state if state in states else None,
                                     after=request.args.get("after"), size=size, sort=sort)
    except Invalid as error:
        return first_page_again("documents.index", error)
    documents = page.rows
    return render_template("documents/index.html", documents=documents, types=TYPE_TITLES, states=states,
                           doc_type=doc_type, state=state, sizes=service.REGISTER_SIZES, size=size, sort=sort,
                           **page_links(page.after))


@bp.route("/documents/<int:document_id>")
@login_required
def detail(document_id: int):
    # the one write of this page, made before the document is loaded for showing (it commits): the reader's own
    # notices about it are read
    document = _load(document_id)
    service.mark_notifications_read(current_user, document)
    workflow = workflows.workflow_of(document)
    buttons = [(t, transitions.blocked_reason(current_user, document, t))
               for t in transitions.available_transitions(current_user, document)]
    approver_form = ApproverForm()  # pickers: people are suggested as their names are typed (/suggest/users),
    ack_form = AcknowledgersForm()  # never listed all
    ack_form.people.choices = []
    history, history_after = history_page("document", document.id, request.args.get("after"))
    return render_template(
        "documents/detail.html", doc=document, workflow=workflow, state=workflow.state(document.state),
        buttons=buttons, transition_form=TransitionForm(formdata=None, data={"version": document.version}),
        decision_form=DecisionForm(formdata=None, data={"version": document.version}),
        approver_form=approver_form, mode_form=ApprovalModeForm(formdata=None, data={"mode": document.approval_mode}),
        ack_form=ack_form, action_form=ActionForm(),
        trees=service.paper_trees(document),  # points as plain values (models: a third of a 300-point page)
        rounds=_rounds(document), waiting=steps_waiting_for(document), route_editable=workflows.is_editable(document),
        history=history, history_after=history_after, mermaid=to_mermaid(workflow, document.state),
        files=attachments.files_of(document), previewable=attachments.can_preview,
    )


def _rounds(document: Document) -> list[tuple[int, list]]:
    """The approval sheet, newest round first."""
    by_round: dict[int, list] = {}
    for step in document.approval_steps:
        by_round.setdefault(step.round, []).append(step)
    return sorted(by_round.items(), reverse=True)


def _form_from_document(document: Document) -> DocumentForm:
    agenda_numbers = {item.id: i + 1 for i, item in enumerate(document.agenda_items)}
    chair = next((p.name for p in document.participants if p.role == "chair"), None)
    secretary = next((p.name for p in document.participants if p.role == "secretary"), None)
    attendees = "\n".join(", ".join(x for x in (p.name, p.job_title) if x)
                          for p in document.participants if p.role == "attendee")
    signer = document.signatories[0] if document.signatories else None
    data = {
        "version": document.version, "doc_type": document.doc_type, "heading": document.heading,
        "title": document.title, "place": document.place,
        "event_date": document.event_date.strftime("%d.%m.%Y") if document.event_date else "",
        "preamble": "\n".join(document.preamble), "chair": chair, "secretary": secretary, "attendees": attendees,
        "decision_heading": document.decision_heading, "controller_text": document.controller_text,
        "signer_title": signer.job_title if signer else "", "signer_name": signer.name if signer else "",
        "agenda": [{"title": i.title, "speakers": i.speakers, "heard": "\n".join(i.heard),
                    "discussion": discussion_text(i.discussion or [])}
                   for i in document.agenda_items],
        "points": [{"agenda": agenda_numbers.get(p.agenda_item_id), "number": p.number, "text": p.text,
                    "responsible": [r.body_id for r in p.responsibles], "deadline": p.deadline_text or ""}
                   for p in service.points_in_order(document)],
    }
    return DocumentForm(formdata=None, data=data)


def _edit(document: Document | None):
    if request.method == "POST":
        form = DocumentForm()
    elif document is not None:
        form = _form_from_document(document)
    else:
        form = DocumentForm(formdata=None, data={"doc_type": request.args.get("type", "protocol"),
                                                "agenda": [{}], "points": [{}]})
    op = request.form.get("op", "save")
    if request.method == "POST" and op != "save":
        # names typed without JavaScript become chosen bodies
        pickers.chosen_bodies(current_user, pickers.point_bodies(form.points))
    if request.method == "POST" and document is not None and op == "merge":
        # The conflict's choices: the typed form, with the fields chosen taken from the saved version.
        take = {name for name in conflicts.FIELDS if request.form.get(f"take_{name}") == "theirs"}
        form = conflicts.merged(form, _form_from_document(document), take, document.version)
        flash("Версии объединены в форме: проверьте и сохраните.", "info")
        return _page(form, document)
    if request.method == "POST" and document is not None and op == "keep_mine":
        form.version.data = str(document.version)  # saved over the other version, knowingly
        op = "save"
    if request.method == "POST" and op != "save":
        form.apply(op)
        return _page(form, document)
    if request.method == "POST":
        valid = form.validate()
        # the points' bodies are pickers: what each select sent and names typed without JavaScript are checked
        # after the fields (a closed or unknown body refused at its point, nothing saved, everything typed kept)
        if pickers.chosen_bodies(current_user, pickers.point_bodies(form.points)) and valid:
            try:
                if document is None:
                    document = service.create_draft(current_user, form.to_data())
                else:
                    version = int(form.version.data) if (form.version.data or "").isdigit() else -1
                    service.update_draft(current_user, document, form.to_data(), version)
            except Conflict:
                db.session.rollback()
                if document is None or not workflows.is_editable(document):
                    raise
                theirs = _form_from_document(document)
                view = conflicts.ConflictView(conflicts.differences(form, theirs), conflicts.last_change(document))
                flash("Документ изменён другим пользователем, пока вы его редактировали. Ваш текст не потерян: он "
                      "в форме ниже. Сравните поля и выберите, что оставить.", "warning")
                return _page(form, document, conflict=view), 409
            except Invalid as exc:
                db.session.rollback()
                flash(exc.reason, "danger")
                return _page(form, document), 400
            db.session.commit()
            flash("Проект сохранён.", "success")
            return redirect(url_for("documents.detail", document_id=document.id))
        flash("Проект не сохранён: исправьте отмеченные поля.", "danger")
        return _page(form, document), 400
    return _page(form, document)


def _page(form: DocumentForm, document: Document | None, **context):
    """The draft form, each point's select offering only the bodies it names."""
    pickers.body_labels(pickers.point_bodies(form.points))
    return render_template("documents/edit.html", form=form, doc=document, **context)


@bp.route("/documents/new", methods=["GET", "POST"])
@login_required
def new():
    policy.ensure(current_user, "create_document")
    return _edit(None)


@bp.route("/documents/<int:document_id>/edit", methods=["GET", "POST"])
@login_required
def edit(document_id: int):
    document = _load(document_id)
    policy.ensure(current_user, "edit_document", document)
    return _edit(document)
