"""GET /search: the query, its filters, the results with their snippets; a document's number opens it."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from webapp.blueprints.pickers import picked
from webapp.blueprints.search import bp
from webapp.blueprints.search.forms import SearchForm
from webapp.models.assignment import STATUS_TITLES
from webapp.models.document import TYPE_TITLES
from webapp.services import search
from webapp.services.workflows import state_titles


@bp.get("/search")
@login_required
def index():
    form = SearchForm(request.args)
    form.doc_type.choices = [SelectChoice("", "любой")] + [SelectChoice(str(k), t) for k, t in TYPE_TITLES.items()]
    form.state.choices = [SelectChoice("", "любое")] + [SelectChoice(k, t) for k, t in state_titles().items()]
    form.status.choices = [SelectChoice("", "любой")] + [SelectChoice(str(k), t) for k, t in STATUS_TITLES.items()]
    body = picked("body", current_user, request.args, "body")  # a picker, not a select of every body
    results = None
    if request.args and form.validate() and body.error is None:
        filters = search.Filters(
            doc_type=form.doc_type.data or None, state=form.state.data or None, body_id=body.id,
            year=form.year.data, deadline_from=form.deadline_from.data, deadline_to=form.deadline_to.data,
            status=form.status.data or None, kind=form.kind.data or None)
        results = search.search(current_user, form.q.data or "", filters, form.page.data or 1)
        if len(results.by_number) == 1 and not results.terms[1:] and results.page == 1 and \
                request.args.get("exact") != "0":
            return redirect(url_for("documents.detail", document_id=results.by_number[0].id))
    return render_template("search/index.html", form=form, body=body, results=results, type_titles=TYPE_TITLES,
                           status_titles=STATUS_TITLES)
