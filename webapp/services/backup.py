"""Backup and restore of an installation: every table of the database and every stored file, in one ZIP.

The archive is engine-neutral (a SQLite installation restores into PostgreSQL and back): `manifest.json` (format,
schema revision, row counts, the files' digests), `tables/<table>.jsonl` (one JSON array per row, the columns in
the manifest's order) and `files/<sha256>` (stored files, content-addressed as in FILES_DIR).

The snapshot is consistent while the service runs: every table is read in one read-only transaction (PostgreSQL
REPEATABLE READ; SQLite's WAL gives a deferred transaction the same snapshot), and stored files are never changed
or removed once written, so the files the snapshot's rows name are there to copy. Secrets are not in the
archive: the instance's config and the audit chain's key are copied by the operator.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import Connection, Date, DateTime, Interval, LargeBinary, Numeric, Table, Time, func, select
from sqlalchemy import text as sql

from webapp import clock
from webapp.extensions import db
from webapp.models.versions import DataVersion, KeptOverview
from webapp.services import routines, versions

FORMAT = "docflow-backup"
VERSION = 1
BATCH = 1000
_SHA256 = re.compile(r"[0-9a-f]{64}")


class BackupError(Exception):
    """A backup that cannot be written or an archive that cannot be restored; the message says why (English)."""


@dataclass(frozen=True)
class Summary:
    revision: str
    rows: dict[str, int]
    files: int
    size: int = 0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


# --- values to JSON and back, by the column's type ---------------------------------------------------------------


def _dump(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, timedelta):
        return value.total_seconds()
    return value


def _loader(column_type: Any):
    """How a column's JSON value becomes the Python value the column takes."""
    if isinstance(column_type, DateTime):
        return datetime.fromisoformat
    if isinstance(column_type, Date):
        return date.fromisoformat
    if isinstance(column_type, Time):
        return time.fromisoformat
    if isinstance(column_type, LargeBinary):
        return base64.b64decode
    if isinstance(column_type, Numeric) and column_type.asdecimal:
        return Decimal
    if isinstance(column_type, Interval):
        return lambda seconds: timedelta(seconds=seconds)
    return None


def _tables() -> list[Table]:
    """Every table, parents before children, but the data's version and the overviews kept under it: not data,
    and a restore writes a new version (a migrated installation holds its row, which would make it look
    occupied)."""
    derived = {DataVersion.__tablename__, KeptOverview.__tablename__}
    return [table for table in db.metadata.sorted_tables if table.name not in derived]


def _revision(conn: Connection) -> str:
    try:
        return conn.execute(sql("SELECT version_num FROM alembic_version")).scalar_one()
    except Exception as error:  # no table, or no row: the database was never migrated
        raise BackupError("the database has no schema revision: run 'docflow db upgrade' first") from error


# --- backup ---------------------------------------------------------------------------------------------------------


def write_backup(target: Path) -> Summary:
    """Write the whole installation to `target` (a new file; written beside it, then renamed into place)."""
    if target.exists():
        raise BackupError(f"{target} exists; choose a new file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(prefix=".docflow-backup-", dir=target.parent)
    os.close(handle)
    try:
        summary = _write(Path(partial))
        os.replace(partial, target)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return Summary(summary.revision, summary.rows, summary.files, target.stat().st_size)


def _snapshot() -> Connection:
    engine = db.engine
    if engine.dialect.name == "postgresql":
        return engine.connect().execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
    return engine.connect()  # SQLite: a deferred BEGIN; the first read fixes the snapshot (WAL)


def _write(path: Path) -> Summary:
    files_dir = Path(current_app.config["FILES_DIR"])
    rows: dict[str, int] = {}
    columns: dict[str, list[str]] = {}
    digests: list[str] = []
    with _snapshot() as conn, conn.begin(), zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED,
                                                              allowZip64=True) as archive:
        revision = _revision(conn)
        for table in _tables():
            columns[table.name] = [column.name for column in table.columns]
            count = 0
            query = select(*table.columns).order_by(*table.primary_key.columns)
            with archive.open(f"tables/{table.name}.jsonl", "w", force_zip64=True) as out:
                for row in conn.execution_options(yield_per=BATCH).execute(query):
                    out.write(json.dumps([_dump(value) for value in row], ensure_ascii=False).encode() + b"\n")
                    count += 1
                    if table.name == "stored_file":
                        digests.append(row.sha256)
            rows[table.name] = count
        for digest in digests:
            source = files_dir / digest[:2] / digest[2:4] / digest
            if not source.is_file():
                raise BackupError(f"stored file {digest} is missing from {files_dir}; the backup would be incomplete")
            archive.write(source, f"files/{digest}")
        manifest = {"format": FORMAT, "version": VERSION, "created": clock.now().isoformat(),
                    "engine": db.engine.dialect.name, "revision": revision, "columns": columns, "rows": rows,
                    "files": digests}
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
    return Summary(revision, rows, len(digests))


# --- restore --------------------------------------------------------------------------------------------------------


def restore_backup(source: Path) -> Summary:
    """Restore an archive into this installation, which must be migrated to the archive's revision and empty.
    All or nothing: the rows go in one transaction, and files are written before it commits (a stored file
    without a row is harmless; a row without its file is not)."""
    try:
        archive = zipfile.ZipFile(source)
    except (OSError, zipfile.BadZipFile) as error:
        raise BackupError(f"{source} is not a Docflow backup: {error}") from error
    with archive:
        manifest = _manifest(archive)
        tables = _tables()
        with db.engine.connect() as conn, conn.begin():
            revision = _revision(conn)
            if revision != manifest["revision"]:
                raise BackupError(f"the backup is of schema revision {manifest['revision']}, this installation is "
                                  f"at {revision}; restore into an installation of the same version")
            occupied = [t.name for t in tables if conn.execute(select(func.count()).select_from(t)).scalar()]
            if occupied:
                raise BackupError("this installation is not empty (rows in " + ", ".join(occupied[:5])
                                  + "); restore only into a new, migrated database")
            files = _restore_files(archive, manifest["files"])
            for table in tables:
                _restore_table(conn, archive, table, manifest["columns"].get(table.name))
            if conn.dialect.name == "postgresql":
                reset_sequences(conn, tables)
            routines.analyze_loaded(conn, [table.name for table in tables])  # the planner's statistics at once
            versions.bump(conn)  # what another process counted from before the restore is not kept
    return Summary(manifest["revision"], manifest["rows"], files)


def _manifest(archive: zipfile.ZipFile) -> dict:
    try:
        manifest = json.loads(archive.read("manifest.json"))
    except (KeyError, ValueError, zipfile.BadZipFile) as error:
        raise BackupError("not a Docflow backup: manifest.json is missing or unreadable") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("not a Docflow backup: unknown format")
    if manifest.get("version") != VERSION:
        raise BackupError(f"backup format version {manifest.get('version')} is not supported (this is {VERSION})")
    known = {table.name: table for table in _tables()}
    for name, columns in manifest.get("columns", {}).items():
        if name not in known:
            raise BackupError(f"the backup has a table this version does not know: {name}")
        if set(columns) != {column.name for column in known[name].columns}:
            raise BackupError(f"the columns of table {name} differ from this version's")
    if not all(isinstance(d, str) and _SHA256.fullmatch(d) for d in manifest.get("files", [])):
        raise BackupError("the backup's list of files is malformed")
    return manifest


def _restore_files(archive: zipfile.ZipFile, digests: list[str]) -> int:
    files_dir = Path(current_app.config["FILES_DIR"])
    for digest in digests:  # names are built from checked digests, never from the archive's paths
        try:
            data = archive.read(f"files/{digest}")
        except KeyError as error:
            raise BackupError(f"stored file {digest} is missing from the backup") from error
        if hashlib.sha256(data).hexdigest() != digest:
            raise BackupError(f"stored file {digest} in the backup is damaged (its digest differs)")
        target = files_dir / digest[:2] / digest[2:4] / digest
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            partial = target.with_suffix(".partial")
            partial.write_bytes(data)
            os.replace(partial, target)
    return len(digests)


def _rows(archive: zipfile.ZipFile, table: Table, names: list[str]) -> Iterator[dict[str, Any]]:
    loaders = {name: _loader(table.columns[name].type) for name in names}
    try:
        stream = archive.open(f"tables/{table.name}.jsonl")
    except KeyError as error:
        raise BackupError(f"table {table.name} is missing from the backup") from error
    with stream:
        for number, line in enumerate(stream, 1):
            try:
                values = json.loads(line)
                if len(values) != len(names):
                    raise ValueError("wrong number of values")
                row = {}
                for name, value in zip(names, values, strict=True):
                    load = loaders[name]
                    row[name] = load(value) if load and value is not None else value
                yield row
            except (ValueError, TypeError) as error:
                raise BackupError(f"table {table.name}, row {number}: {error}") from error


def _restore_table(conn: Connection, archive: zipfile.ZipFile, table: Table, names: list[str] | None) -> None:
    if names is None:
        return  # a table the backup's version did not have yet cannot be: the revisions match
    (key,) = table.primary_key.columns if len(table.primary_key.columns) == 1 else (None,)
    # A row may name a row of its own table inserted after it («body.parent_id» of a body moved under a newer
    # one): such links are set once every row is in.
    own = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
    later: list[tuple[Any, dict[str, Any]]] = []
    batch: list[dict[str, Any]] = []
    for row in _rows(archive, table, names):
        if key is not None and own:
            ahead = {name: row[name] for name in own if row[name] is not None and row[name] >= row[key.name]}
            if ahead:
                later.append((row[key.name], ahead))
                row.update(dict.fromkeys(ahead))
        batch.append(row)
        if len(batch) >= BATCH:
            conn.execute(table.insert(), batch)
            batch = []
    if batch:
        conn.execute(table.insert(), batch)
    for identity, values in later:
        conn.execute(table.update().where(key == identity).values(**values))


def reset_sequences(conn: Connection, tables: list[Table]) -> None:
    """PostgreSQL: the next id of each table follows the restored ones."""
    for table in tables:
        for column in table.primary_key.columns:
            sequence = conn.execute(sql("SELECT pg_get_serial_sequence(:t, :c)"),
                                    {"t": table.name, "c": column.name}).scalar()
            if sequence:
                following = select(func.coalesce(func.max(column), 0) + 1).scalar_subquery()
                conn.execute(select(func.setval(sequence, following, False)))
