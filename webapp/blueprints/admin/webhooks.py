"""Webhooks: an administrator registers URLs for events, sees each delivery's answer, turns a webhook off and
sends a failed delivery again. Sending is `docflow webhooks send` (cron), never a request."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectMultipleField, StringField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from webapp.blueprints import flash_form_errors
from webapp.blueprints.admin import bp
from webapp.blueprints.admin.forms import ActionForm
from webapp.blueprints.fields import RuForm
from webapp.extensions import db
from webapp.models.webhooks import Webhook, WebhookDelivery
from webapp.services import webhooks
from webapp.services.errors import Invalid


class WebhookForm(RuForm):
    url = StringField("Адрес (URL)", validators=[DataRequired("Укажите адрес."), Length(max=2000)])
    description = StringField("Назначение", validators=[Optional(), Length(max=300)])
    events = SelectMultipleField("События", choices=[SelectChoice(k, t) for k, t in webhooks.EVENTS.items()],
                                 widget=widgets.ListWidget(prefix_label=False),
                                 option_widget=widgets.CheckboxInput(),
                                 validators=[DataRequired("Выберите хотя бы одно событие.")])


def _webhook(webhook_id: int) -> Webhook:
    webhook = db.session.get(Webhook, webhook_id)
    if webhook is None:
        abort(404)
    return webhook


@bp.route("/webhooks", methods=["GET", "POST"])
def webhook_list():
    form = WebhookForm()
    secret = None
    if form.validate_on_submit():
        try:
            webhook, secret = webhooks.create_webhook(current_user, form.url.data, form.events.data,
                                                      form.description.data)
        except Invalid as error:
            db.session.rollback()
            flash(error.reason, "danger")
        else:
            db.session.commit()
            flash(f"Веб-хук для {webhook.url} создан. Сохраните секрет подписи: он показан один раз.", "success")
            form = WebhookForm(formdata=None)
    elif form.is_submitted():
        flash_form_errors(form)
    hooks = list(db.session.scalars(select(Webhook).order_by(Webhook.id)))
    return render_template("admin/webhooks.html", form=form, hooks=hooks, secret=secret,
                           counts=webhooks.delivery_counts(), events=webhooks.EVENTS, action_form=ActionForm())


@bp.get("/webhooks/<int:webhook_id>")
def webhook_detail(webhook_id: int):
    webhook = _webhook(webhook_id)
    return render_template("admin/webhook.html", hook=webhook, deliveries=webhooks.recent_deliveries(webhook),
                           events=webhooks.EVENTS, action_form=ActionForm())


@bp.post("/webhooks/<int:webhook_id>/active")
def webhook_toggle(webhook_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    webhook = _webhook(webhook_id)
    webhooks.set_active(current_user, webhook, not webhook.active)
    db.session.commit()
    flash("Веб-хук включён." if webhook.active else "Веб-хук выключен: события для него не отправляются.", "success")
    return redirect(url_for("admin.webhook_detail", webhook_id=webhook.id))


@bp.post("/webhooks/deliveries/<int:delivery_id>/resend")
def webhook_resend(delivery_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        abort(404)
    webhooks.resend(current_user, delivery)
    db.session.commit()
    flash("Доставка будет повторена при следующем запуске отправки.", "success")
    return redirect(url_for("admin.webhook_detail", webhook_id=delivery.webhook_id))
