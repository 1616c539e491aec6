"""The first installation's directory from a spreadsheet: bodies and users from CSV or XLSX, all or nothing.

A file holds bodies, users, or both (XLSX: a sheet each; CSV: one table, told apart by its columns). Every row
goes through the same services as the pages (bodies.create_body, accounts.create_account), each in a savepoint, so
the preview reports every bad row with its reason («Строка 4: …») rather than the first one, and checks exactly
what saving would check. The preview then rolls everything back; saving commits only when no row is bad. Users
get invitation links (a file carries no passwords); the links are shown once, after saving.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field

from webapp.extensions import db
from webapp.models import Body, Role, User
from webapp.models.people import ROLE_TITLES
from webapp.services import accounts, bodies
from webapp.services.audit import record_event
from webapp.services.bodies import by, refused
from webapp.services.errors import ServiceError
from webapp.services.policy import ensure
from webapp.services.users import find_body

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000

#: Column titles (lower case) -> field, for each kind of table.
BODY_COLUMNS = {"наименование": "name", "полное наименование": "name", "краткое наименование": "short_name",
                "вышестоящий орган": "parent", "другие наименования": "aliases", "место издания": "place"}
USER_COLUMNS = {"логин": "login", "фио": "full_name", "должность": "position", "эл. почта": "email",
                "электронная почта": "email", "телефон": "phone", "роли": "roles", "органы": "bodies"}
ROLE_BY_TITLE = {title.lower(): role.value for role, title in ROLE_TITLES.items()} | {r.value: r.value for r in Role}


@dataclass
class ImportResult:
    """What a file holds or did: rows per kind, per-row errors, and (after saving) each new user's link token."""

    bodies: list[str] = field(default_factory=list)
    users: list[tuple[str, str]] = field(default_factory=list)  # (login, full name)
    errors: list[str] = field(default_factory=list)
    errors_en: list[str] = field(default_factory=list)
    links: dict[str, str] = field(default_factory=dict)  # login -> invitation token


@dataclass
class _Table:
    name: str  # the sheet's name, for messages
    kind: str  # "bodies" or "users"
    rows: list[tuple[int, dict[str, str]]]  # (row number in the file, field -> text)


def _cell(value) -> str:
    return "" if value is None else " ".join(str(value).split())


def _table(name: str, rows: list[list]) -> _Table | None:
    """A sheet's rows as a table of bodies or users, from its header row; None for a blank sheet."""
    if not any(_cell(v) for row in rows for v in row):
        return None
    header = [_cell(v).lower() for v in rows[0]]
    for kind, columns, required in (("users", USER_COLUMNS, "логин"), ("bodies", BODY_COLUMNS, "наименование")):
        if required in header or (kind == "bodies" and "полное наименование" in header):
            fields = [columns.get(title) for title in header]
            table = _Table(name, kind, [])
            for number, row in enumerate(rows[1:], start=2):
                values = {f: _cell(v) for f, v in zip(fields, row, strict=False) if f}
                if any(values.values()):
                    table.rows.append((number, values))
            return table
    raise refused(f"{name}: не понятно, что в таблице. Первая строка должна содержать заголовки: для органов — "
                  "«Наименование», для пользователей — «Логин» и «ФИО».",
                  f"{name}: the first row must hold the column titles ('Наименование' for bodies, 'Логин' and "
                  "'ФИО' for users)")


def read_tables(filename: str, data: bytes) -> list[_Table]:
    """The tables of a CSV (UTF-8 or Windows-1251, comma or semicolon) or XLSX file; Invalid when unreadable."""
    if len(data) > MAX_BYTES:
        raise refused("Файл больше 2 МБ: для первоначальной загрузки справочника этого не нужно.",
                      "the file is larger than 2 MB")
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        import openpyxl  # loaded with the first workbook uploaded, not at start

        try:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
            raise refused("Файл XLSX не читается: сохраните его в Excel или LibreOffice заново.",
                          f"the XLSX file cannot be read: {error}") from error
        tables = [_table(sheet.title, [list(r) for r in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 1)])
                  for sheet in book.worksheets]
        book.close()
    elif name.endswith(".csv"):
        for encoding in ("utf-8-sig", "cp1251"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t") if text.strip() else csv.excel
        tables = [_table("CSV", list(csv.reader(io.StringIO(text), dialect)))]
    else:
        raise refused("Загрузите файл CSV или XLSX.", "give a CSV or XLSX file")
    tables = [t for t in tables if t is not None]
    if not tables or not any(t.rows for t in tables):
        raise refused("В файле нет ни одной строки с органом или пользователем.", "the file holds no rows")
    if sum(len(t.rows) for t in tables) > MAX_ROWS:
        raise refused(f"В файле больше {MAX_ROWS} строк.", f"the file has more than {MAX_ROWS} rows")
    return sorted(tables, key=lambda t: t.kind != "bodies")  # bodies first: users name them


def _split(text: str | None, separators: str = ";") -> list[str]:
    for separator in separators[1:]:
        text = (text or "").replace(separator, separators[0])
    return [part.strip() for part in (text or "").split(separators[0]) if part.strip()]


def _body_row(actor: User | None, values: dict[str, str]) -> Body:
    parent = None
    if values.get("parent"):
        try:
            parent = find_body(values["parent"])
        except ServiceError:
            raise refused(f"вышестоящий орган «{values['parent']}» не найден: укажите его выше в файле или "
                          "добавьте в справочник", f"parent body {values['parent']!r} not found") from None
    return bodies.create_body(actor, bodies.BodyData(
        name=values.get("name", ""), short_name=values.get("short_name"), parent_id=parent.id if parent else None,
        aliases=_split(values.get("aliases")), place=values.get("place")))


def _user_row(actor: User | None, values: dict[str, str]) -> tuple[User, str | None]:
    roles = []
    for title in _split(values.get("roles"), ",;"):
        role = ROLE_BY_TITLE.get(title.lower())
        if role is None:
            raise refused(f"неизвестная роль «{title}» (роли: {', '.join(ROLE_TITLES.values())})",
                          f"unknown role {title!r}")
        roles.append(role)
    memberships = []
    for name in _split(values.get("bodies")):
        try:
            memberships.append((find_body(name).id, None))
        except ServiceError:
            raise refused(f"орган «{name}» не найден", f"body {name!r} not found") from None
    data = accounts.AccountData(login=values.get("login", ""), full_name=values.get("full_name", ""), roles=roles,
                                bodies=memberships, position=values.get("position"), email=values.get("email"),
                                phone=values.get("phone"))
    return accounts.create_account(actor, data, invite_days=accounts.INVITE_DAYS)


def run_import(actor: User | None, filename: str, data: bytes) -> ImportResult:
    """Create every row of the file; the caller commits when `errors` is empty and rolls back otherwise (the
    preview always rolls back). Invalid when the file itself cannot be read."""
    if actor is not None:
        ensure(actor, "manage_users")
        ensure(actor, "manage_bodies")
    result = ImportResult()
    for table in read_tables(filename, data):
        for number, values in table.rows:
            where = f"{table.name}, строка {number}" if table.name != "CSV" else f"Строка {number}"
            try:
                with db.session.begin_nested():
                    if table.kind == "bodies":
                        body = _body_row(actor, values)
                        result.bodies.append(body.name)
                    else:
                        user, token = _user_row(actor, values)
                        result.users.append((user.login, user.full_name))
                        result.links[user.login] = token
            except ServiceError as error:
                reason = error.reason
                result.errors.append(f"{where}: {reason[:1].lower() + reason[1:]}")
                result.errors_en.append(f"{table.name} row {number}: {getattr(error, 'english', reason)}")
    if not result.errors:
        record_event(actor, "directory.import", None, after={"file": filename, "created_bodies": len(result.bodies),
                                                             "users": len(result.users), **by(actor)})
    return result
