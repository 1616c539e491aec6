"""docflow backup / restore: the demo round-trips into an empty installation with every row and file the same;
archives that cannot be restored are refused with the reason and change nothing."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import has_planner_statistics, private_app
from webapp.extensions import db
from webapp.models import Body, Document
from webapp.services import versions
from webapp.services.files import files_root, store_bytes


@pytest.fixture
def empty_app(databases, tmp_path):
    """A second installation: migrated, empty, with its own files folder."""
    home = tmp_path / "other"
    home.mkdir()
    with private_app(databases, "migrated", home) as other:
        yield other


def _contents(app) -> dict[str, list[tuple]]:
    """Every table's rows but the data's version and what is kept under it (not data: a restore writes a new
    version)."""
    with app.app_context():
        return {table.name: [tuple(row) for row in db.session.execute(
                    select(*table.columns).order_by(*table.primary_key.columns))]
                for table in db.metadata.sorted_tables if table.name not in ("data_version", "kept_overview")}


def _files(app) -> dict[str, bytes]:
    with app.app_context():
        root = files_root()
        return {str(path.relative_to(root)): path.read_bytes() for path in root.rglob("*") if path.is_file()}


def _backup(demo_app, tmp_path) -> Path:
    archive = tmp_path / "backup.zip"
    result = demo_app.test_cli_runner().invoke(args=["backup", "-o", str(archive)])
    assert result.exit_code == 0, result.output
    return archive


def test_the_demo_round_trips_with_every_row_and_file(demo_app, empty_app, tmp_path):
    with demo_app.app_context():
        store_bytes("Отчёт об исполнении".encode(), "отчёт.txt", "text/plain")  # at least one stored file
        oldest = db.session.scalar(select(Body).order_by(Body.id))
        oldest.parent = Body(name="Орган, созданный после")  # a row naming a row inserted after it
        db.session.commit()
    archive = _backup(demo_app, tmp_path)
    before = _contents(demo_app)
    assert sum(len(rows) for rows in before.values()) > 100 and before["point"] and before["assignment"]

    with demo_app.app_context():
        tokens = {versions.current()}
    with empty_app.app_context():
        tokens.add(versions.current())
    result = empty_app.test_cli_runner().invoke(args=["restore", str(archive)])
    assert result.exit_code == 0, result.output
    assert _contents(empty_app) == before
    with empty_app.app_context():  # what a process counted from the empty installation is not kept
        assert versions.current() not in (None, *tokens)
    files = _files(demo_app)
    assert files and _files(empty_app) == files
    with empty_app.app_context():  # the planner's statistics of the restored rows at once, not when autovacuum comes
        assert all(has_planner_statistics(table) for table in ("document", "point", "assignment", "body"))

    # the restored installation goes on: a new row takes the next free id (PostgreSQL's sequences were moved)
    with empty_app.app_context():
        last = db.session.scalar(select(func.max(Document.id)))
        copy = Document(**{c.key: getattr(db.session.get(Document, last), c.key)
                           for c in Document.__table__.columns if c.key not in ("id", "number", "slug")},
                        slug="after-restore")
        db.session.add(copy)
        db.session.flush()
        assert copy.id > last
        db.session.rollback()


def test_backup_refuses_to_overwrite(demo_app, tmp_path):
    archive = tmp_path / "backup.zip"
    archive.write_bytes(b"precious")
    result = demo_app.test_cli_runner().invoke(args=["backup", "-o", str(archive)])
    assert result.exit_code == 1 and "exists" in result.output
    assert archive.read_bytes() == b"precious"


def test_restore_into_a_used_installation_changes_nothing(demo_app, tmp_path):
    archive = _backup(demo_app, tmp_path)
    before = _contents(demo_app)
    result = demo_app.test_cli_runner().invoke(args=["restore", str(archive)])
    assert result.exit_code == 1 and "not empty" in result.output
    assert _contents(demo_app) == before


def _rewrite(archive: Path, target: Path, change) -> Path:
    """A copy of the archive with its members changed by change(name, data) -> data | None (None drops it)."""
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(target, "w") as out:
        for info in source.infolist():
            data = change(info.filename, source.read(info.filename))
            if data is not None:
                out.writestr(info.filename, data)
    return target


def _damage_a_file(name, data):
    return b"tampered" if name.startswith("files/") else data


def _drop_a_table(name, data):
    return None if name == "tables/point.jsonl" else data


def _break_a_row(name, data):
    return data.replace(b"\n", b"\n[1, 2]\n", 1) if name == "tables/document.jsonl" else data


def _older_schema(name, data):
    if name != "manifest.json":
        return data
    manifest = json.loads(data)
    manifest["revision"] = "0001"
    return json.dumps(manifest).encode()


@pytest.mark.parametrize(("change", "message"), [
    (_damage_a_file, "is damaged"),
    (_drop_a_table, "table point is missing"),
    (_break_a_row, "table document, row 2"),
    (_older_schema, "schema revision 0001"),
    (lambda name, data: None if name == "manifest.json" else data, "manifest.json is missing"),
])
def test_a_damaged_archive_is_refused_and_nothing_is_restored(demo_app, empty_app, tmp_path, change, message):
    with demo_app.app_context():
        store_bytes(b"%PDF-1.4 test", "scan.pdf", "application/pdf")
        db.session.commit()
    archive = _rewrite(_backup(demo_app, tmp_path), tmp_path / "damaged.zip", change)
    result = empty_app.test_cli_runner().invoke(args=["restore", str(archive)])
    assert result.exit_code == 1, result.output
    assert "nothing changed" in result.output and message in result.output
    assert not any(_contents(empty_app).values())


def test_not_a_zip_is_refused(empty_app, tmp_path):
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not an archive at all")
    result = empty_app.test_cli_runner().invoke(args=["restore", str(junk)])
    assert result.exit_code == 1 and "not a Docflow backup" in result.output
