"""Registers the blueprints and the error pages shared by them."""

from __future__ import annotations

from flask import Flask, flash, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from webapp.extensions import db
from webapp.services.errors import Conflict, Invalid, NotAllowed, NotFound
from webapp.services.transactions import is_lock_conflict


def register_filters(app: Flask) -> None:
    """Dates as Russian readers expect them: «1 февраля 2022 г.» and 01.02.2022; counts agreed: «2 раза»; numbers
    in groups of three digits: «146 882»."""
    from webapp import clock
    from webapp.ru.dates import format_date_long, format_date_short
    from webapp.ru.morph import with_count
    from webapp.ru.typography import grouped
    from webapp.services.workflows import state_title

    app.add_template_filter(lambda d: format_date_long(d) if d else "", "ru_date")
    app.add_template_filter(lambda d: format_date_short(d) if d else "", "short_date")
    app.add_template_filter(clock.local_time_text, "local_time")
    app.add_template_filter(with_count, "with_count")  # {{ n | with_count('раз') }}: «2 раза»
    app.add_template_filter(state_title, "state_title")  # {{ doc | state_title }}: one label per state everywhere
    app.add_template_filter(grouped, "number")  # {{ 146882 | number }}: «146 882»


def without_cursor() -> dict[str, str]:
    """The list's query string without its page cursor: the first page of the same list."""
    return {key: value for key, value in request.args.items() if key != "after"}


def first_page_again(endpoint: str, error):
    """A keyset-paged list asked with a cursor it did not make: its first page, with the reason (`error.reason`)."""
    flash(error.reason, "warning")
    return redirect(url_for(endpoint, **without_cursor()))


def page_links(after: str | None) -> dict[str, dict | None]:
    """Arguments of a keyset-paged list's «Дальше» and «В начало» links (None where there is no such page)."""
    return {"next_args": dict(request.args, after=after) if after else None,
            "first_args": without_cursor() if request.args.get("after") else None}


def id_url(endpoint: str, key: str, **values):
    """`url_for(endpoint, **values)` with `key` set to an id, as a function of the id, built by url_for once for a
    list's many rows (url_for costs about 11 µs: a department's dashboard asked it about 450 times, a list of 50
    rows 100). Built with two ids, each standing once in its URL and the rest of the two URLs equal, the id is then
    written as url_for writes an integer (its digits); otherwise (a value of `values` holding a probe's digits, a
    converter that pads) and for anything not an int, url_for itself. The key stands where `dict(values, key=…)`
    puts it."""
    def built(value) -> str:
        return url_for(endpoint, **(values | {key: value}))

    first, second = built(987654321), built(13579)
    head, _, tail = first.partition("987654321")
    if first.count("987654321") != 1 or second != f"{head}13579{tail}":
        return built
    return lambda value: f"{head}{value}{tail}" if type(value) is int else built(value)


def flash_form_errors(form) -> None:
    """A form that did not validate: its messages, in one alert."""
    flash("; ".join(error for errors in form.errors.values() for error in errors), "danger")


def register_blueprints(app: Flask) -> None:
    from webapp.blueprints.assignments import bp as assignments_bp
    from webapp.blueprints.audit import bp as audit_bp
    from webapp.blueprints.auth import bp as auth_bp
    from webapp.blueprints.documents import bp as documents_bp
    from webapp.blueprints.imports import bp as imports_bp
    from webapp.blueprints.jobs import bp as jobs_bp
    from webapp.blueprints.search import bp as search_bp
    from webapp.blueprints.suggest import bp as suggest_bp
    from webapp.blueprints.tasks import bp as tasks_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(documents_bp)
    app.register_blueprint(assignments_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(imports_bp)
    app.register_blueprint(jobs_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(suggest_bp)
    app.register_blueprint(tasks_bp)
    from webapp.blueprints.admin import bp as admin_bp

    app.register_blueprint(admin_bp)
    from webapp.blueprints.admin.welcome import bp as welcome_bp

    app.register_blueprint(welcome_bp)
    from webapp.blueprints.admin.absence import bp as absence_bp

    app.register_blueprint(absence_bp)
    from webapp.blueprints import api

    api.init_app(app)
    register_filters(app)

    @app.get("/healthz")
    def healthz():
        """For load balancers and monitoring: the process answers (no database, no session)."""
        return "ok", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}

    @app.context_processor
    def policy_helpers():
        """`can(RULE, obj)` in every template: the policy's answer for the signed-in user."""
        from flask_login import current_user

        from webapp.services import policy

        return {"can": lambda name, obj=None: policy.can(current_user, name, obj)}

    @app.context_processor
    def menu_figures():
        """The menu's «Мои задачи N», «Уведомления N» and «Задания» in one statement (services/menu.py); the
        inbox's page has asked it already (`g.menu_figures`)."""
        from flask import g
        from flask_login import current_user

        from webapp.services import menu

        if not current_user.is_authenticated:
            return {"tasks_total": 0, "unread_notifications": 0, "has_jobs": False}
        figures = g.get("menu_figures") or menu.figures(current_user)
        return {"tasks_total": figures.tasks, "unread_notifications": figures.unread, "has_jobs": figures.has_jobs}

    def page(status: int, title: str, message: str):
        if request.path.startswith("/api/"):  # no HTML under /api/: an address that reached no API view
            from webapp.blueprints.api.errors import status_response

            return status_response(status)
        return render_template("error.html", status=status, title=title, message=message), status

    @app.errorhandler(NotAllowed)
    def not_allowed(exc: NotAllowed):
        return page(403, "Действие запрещено", exc.reason)

    @app.errorhandler(Conflict)
    def conflict(exc: Conflict):
        return page(409, "Конфликт изменений", exc.reason)

    @app.errorhandler(NotFound)
    def not_found_service(exc: NotFound):
        return page(404, "Не найдено", exc.reason)

    @app.errorhandler(Invalid)
    def invalid(exc: Invalid):
        return page(400, "Неверные данные", exc.reason)

    @app.errorhandler(StaleDataError)
    def stale(_exc: StaleDataError):
        """Two saves of one object at once: the later one finds it changed (the version counter) and stops."""
        db.session.rollback()
        return page(409, "Конфликт изменений", "Документ изменился, пока выполнялось действие. Обновите страницу "
                                               "и посмотрите, нужно ли его повторить.")

    @app.errorhandler(OperationalError)
    def busy(exc: OperationalError):
        """A lock that could not be had in time (SQLite's writer lock, a PostgreSQL deadlock or serialization
        failure) is a conflict to retry; any other database failure stays an error."""
        db.session.rollback()
        if not is_lock_conflict(exc):
            raise exc
        return page(409, "Сервер занят", "Одновременно с вами эти же данные меняет другой пользователь. "
                                         "Повторите действие через несколько секунд.")

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return page(400, "Форма устарела",
                    "Запрос отклонён: нет или неверен защитный токен формы. Обновите страницу и повторите.")

    @app.errorhandler(403)
    def forbidden(_exc):
        return page(403, "Доступ запрещён", "У вас нет прав на это действие.")

    @app.errorhandler(404)
    def not_found(_exc):
        return page(404, "Страница не найдена", "Такой страницы нет.")

    @app.errorhandler(405)
    def method_not_allowed(_exc):
        return page(405, "Метод не поддерживается", "Этот адрес не принимает такой запрос.")

    @app.errorhandler(413)
    def too_large(_exc):
        return page(413, "Слишком большой запрос", "Загружаемые данные превышают допустимый размер.")
