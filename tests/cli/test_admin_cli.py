"""`docflow body …`, `docflow deputy …`, `docflow user invite|reset-password|deactivate|activate|set` and
`docflow admin import`: the administration's services from the command line, English messages, audited."""

from __future__ import annotations

import re

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Body, Deputy, Event, User


def _ok(runner, *args: str) -> str:
    result = runner.invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _fails(runner, *args: str) -> str:
    result = runner.invoke(args=list(args))
    assert result.exit_code != 0, result.output
    return result.output


def test_body_commands_build_and_change_the_tree(app, runner):
    assert "created" in _ok(runner, "body", "create", "Департамент образования", "--short", "ДО")
    _ok(runner, "body", "create", "Отдел кадров", "--parent", "ДО")
    _ok(runner, "body", "create", "Управление делами")
    assert "renamed to 'Отдел кадровой работы'" in _ok(runner, "body", "rename", "Отдел кадров",
                                                        "Отдел кадровой работы")
    assert "cycle" in _fails(runner, "body", "move", "ДО", "--under", "Отдел кадровой работы")
    assert "under 'Управление делами'" in _ok(runner, "body", "move", "Отдел кадровой работы", "--under",
                                              "Управление делами")
    assert "open sub-bodies" in _fails(runner, "body", "close", "Управление делами")
    assert "members 0" in _ok(runner, "body", "merge", "Управление делами", "--into", "ДО")
    assert "exists already" in _fails(runner, "body", "create", "департамент образования")
    tree = _ok(runner, "body", "list")
    assert tree.splitlines() == ["Департамент образования (ДО)", "  Отдел кадровой работы",
                                 "Управление делами [closed]"]
    with app.app_context():
        actions = [e.action for e in db.session.scalars(select(Event).order_by(Event.id))]
        assert actions == ["body.create"] * 3 + ["body.rename", "body.move", "body.merge"]
        assert db.session.scalar(select(Event).where(Event.action == "body.merge")).after["by"] == "command line"


def test_user_commands(app, runner, make_user):
    make_user("ivanova", "executor")
    _ok(runner, "body", "create", "Отдел кадров")
    output = _ok(runner, "user", "set", "ivanova", "--role", "controller", "--body", "Отдел кадров=Начальник отдела")
    assert "roles controller; bodies Отдел кадров" in output
    link = _ok(runner, "user", "invite", "ivanova", "--days", "3", "--base-url", "https://docflow.example.ru/")
    assert re.search(r"https://docflow\.example\.ru/welcome/[\w-]{30,}", link)
    assert "reset" in _ok(runner, "user", "reset-password", "ivanova")
    assert "deactivated; 0 session(s) ended" in _ok(runner, "user", "deactivate", "ivanova")
    assert "deactivated" in _fails(runner, "user", "invite", "ivanova")
    _ok(runner, "user", "activate", "ivanova")
    assert "unknown role(s): king" in _fails(runner, "user", "set", "ivanova", "--role", "king")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.login == "ivanova"))
        assert user.active and user.roles == {"controller"}
        assert [(m.body.name, m.position) for m in user.memberships] == [("Отдел кадров", "Начальник отдела")]


def test_deputy_commands(app, runner, make_user):
    make_user("head", "head")
    make_user("deputy", "approver")
    output = _ok(runner, "deputy", "add", "deputy", "--for", "head", "--from", "23.11.2026", "--to", "2026-11-30")
    assert "deputy acts for head from 2026-11-23 to 2026-11-30" in output
    assert "current" in _ok(runner, "deputy", "list")
    assert "ends before it starts" in _fails(runner, "deputy", "add", "deputy", "--for", "head", "--from",
                                             "30.11.2026", "--to", "23.11.2026")
    assert "not a date" in _fails(runner, "deputy", "add", "deputy", "--for", "head", "--from", "вчера",
                                  "--to", "30.11.2026")
    with app.app_context():
        row_id = db.session.scalar(select(Deputy.id))
    assert "no longer acts" in _ok(runner, "deputy", "end", str(row_id))
    assert "No deputies." in _ok(runner, "deputy", "list")


def test_admin_import_all_or_nothing(app, runner, tmp_path):
    good = tmp_path / "bodies.csv"
    good.write_text("Наименование;Вышестоящий орган\nДепартамент;\nОтдел;Департамент\n", encoding="utf-8")
    assert "nothing saved (dry run)" in _ok(runner, "admin", "import", str(good), "--dry-run")
    with app.app_context():
        assert db.session.scalar(select(Body)) is None
    assert "Imported 2 body(ies)" in _ok(runner, "admin", "import", str(good))
    users = tmp_path / "users.csv"
    users.write_text("Логин,ФИО,Роли,Органы\nivanov,Иванов Иван,Исполнитель,Отдел\npetrov,Петров Пётр,Царь,\n",
                     encoding="utf-8")
    result = runner.invoke(args=["admin", "import", str(users)])
    assert result.exit_code == 1 and "CSV row 3: unknown role 'Царь'" in result.output
    assert "1 bad row(s); nothing saved" in result.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.login == "ivanov")) is None


def test_user_create_with_an_invitation(app, runner, monkeypatch):
    monkeypatch.delenv("DOCFLOW_PASSWORD", raising=False)
    monkeypatch.setenv("DOCFLOW_BASE_URL", "https://docflow.example.ru")
    _ok(runner, "body", "create", "Отдел кадров")
    output = _ok(runner, "user", "create", "--login", "sidorova", "--name", "Сидорова Анна", "--role", "executor",
                 "--body", "Отдел кадров", "--invite", "5")
    assert re.search(r"invitation link \(valid 5 day\(s\), shown once\): https://docflow\.example\.ru/welcome/\S+",
                     output)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.login == "sidorova"))
        assert [b.name for b in user.bodies] == ["Отдел кадров"]
