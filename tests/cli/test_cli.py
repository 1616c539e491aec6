"""The docflow command: user creation, the demo, Flask's own commands."""

import pytest
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import User
from webapp.services.users import check_password


def test_user_create_with_password_from_environment(app, runner, monkeypatch):
    monkeypatch.setenv("DOCFLOW_PASSWORD", "Ключ-от-сейфа-2026")
    result = runner.invoke(args=["user", "create", "--login", "ivanova", "--name", "Иванова О.П.",
                                 "--role", "secretary", "--role", "approver"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.login == "ivanova"))
        assert user.roles == {"secretary", "approver"} and check_password(user, "Ключ-от-сейфа-2026")
        assert user.password_hash != "Ключ-от-сейфа-2026"


def test_user_create_with_prompted_password(app, runner, monkeypatch):
    monkeypatch.delenv("DOCFLOW_PASSWORD", raising=False)
    result = runner.invoke(args=["user", "create", "--login", "petrov", "--name", "Петров", "--role", "auditor"],
                           input="синий трамвай над рекой\nсиний трамвай над рекой\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert check_password(db.session.scalar(select(User).where(User.login == "petrov")), "синий трамвай над рекой")


@pytest.mark.parametrize(("password", "message"), [
    ("Short-1", "at least 12 characters"),
    ("qwerty123456", "easy to guess"),
    ("ivanova12345", "easy to guess"),  # the login and a sequence
])
def test_user_create_refuses_a_weak_password(app, runner, monkeypatch, password, message):
    monkeypatch.setenv("DOCFLOW_PASSWORD", password)
    result = runner.invoke(args=["user", "create", "--login", "ivanova", "--name", "Иванова О.П.",
                                 "--role", "secretary"])
    assert result.exit_code == 1 and message in result.output
    with app.app_context():
        assert db.session.query(User).count() == 0


def test_user_create_rejects_unknown_role_and_body(app, runner, monkeypatch):
    monkeypatch.setenv("DOCFLOW_PASSWORD", "Ключ-от-сейфа-2026")
    result = runner.invoke(args=["user", "create", "--login", "x", "--name", "X", "--role", "king"])
    assert result.exit_code == 1 and "unknown role" in result.output
    result = runner.invoke(args=["user", "create", "--login", "x", "--name", "X", "--role", "executor",
                                 "--body", "Нет такого органа"])
    assert result.exit_code == 1 and "No body named" in result.output
    with app.app_context():
        assert db.session.query(User).count() == 0


def test_docflow_entry_point_has_flask_and_own_commands(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from webapp.cli import main

    monkeypatch.setenv("DOCFLOW_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("DOCFLOW_SECRET_KEY", "cli-test")
    result = CliRunner().invoke(main, ["routes"])
    assert result.exit_code == 0 and "/documents" in result.output
    result = CliRunner().invoke(main, ["--help"])
    for command in ("serve", "demo", "user", "db", "shell", "routes"):
        assert f"  {command}" in result.output
    result = CliRunner().invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0 and (tmp_path / "cli.sqlite3").exists()


def test_config_layers(tmp_path, monkeypatch):
    from webapp import create_app

    monkeypatch.setenv("DOCFLOW_TIMEZONE", "Asia/Yekaterinburg")
    monkeypatch.setenv("DOCFLOW_DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite3'}")
    app = create_app({"FILES_DIR": str(tmp_path)})
    assert app.config["TIMEZONE"] == "Asia/Yekaterinburg"
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("x.sqlite3")
    monkeypatch.setenv("DOCFLOW_DATABASE_URL", "postgresql://u:p@localhost/db")
    assert create_app().config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@localhost/db"


def test_instance_folder_defaults_to_working_directory(tmp_path, monkeypatch):
    """With nothing set: instance/ where the service runs, its config.py read, a secret key made once."""
    from webapp import create_app

    monkeypatch.delenv("DOCFLOW_INSTANCE_PATH")
    monkeypatch.delenv("DOCFLOW_TIMEZONE", raising=False)
    monkeypatch.delenv("DOCFLOW_DATABASE_URL", raising=False)
    monkeypatch.delenv("DOCFLOW_SECRET_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "config.py").write_text('TIMEZONE = "Asia/Barnaul"\n', encoding="utf-8")
    first = create_app()
    assert first.config["TIMEZONE"] == "Asia/Barnaul"
    assert first.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'instance' / 'docflow.sqlite3'}"
    assert (tmp_path / "instance" / "secret_key").exists()
    assert create_app().config["SECRET_KEY"] == first.config["SECRET_KEY"]
    monkeypatch.setenv("DOCFLOW_TIMEZONE", "Europe/Samara")  # the environment beats instance/config.py
    assert create_app().config["TIMEZONE"] == "Europe/Samara"


def test_environment_settings_take_json_lists_and_name_a_bad_one(tmp_path, monkeypatch):
    import pytest

    from webapp import create_app

    monkeypatch.setenv("DOCFLOW_REMIND_DAYS", "[14, 3]")
    monkeypatch.setenv("DOCFLOW_OCCURRENCE_HORIZON_DAYS", "30")
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "SECRET_KEY": "k"})
    assert app.config["REMIND_DAYS"] == [14, 3] and app.config["OCCURRENCE_HORIZON_DAYS"] == 30
    monkeypatch.setenv("DOCFLOW_REMIND_DAYS", "[14, ")
    with pytest.raises(ValueError, match="DOCFLOW_REMIND_DAYS: not valid JSON"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "SECRET_KEY": "k"})
