"""The menu's figures on every page: «Мои задачи N», «Уведомления N» and whether to show «Задания», in one statement."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from threading import Lock
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import CompileError

from webapp import clock
from webapp.extensions import db
from webapp.models import User
from webapp.services import jobs, notifications, tasks
from webapp.services.policy import acting_for, recording_scopes
from webapp.services.workflows import registry
from webapp.workflow.engine import Registry

#: The menu's statements built in this process, by what each is built from (`_inputs`), the least recently used
#: dropped first: a statement is built once per user and day, not on every page (its building and SQLAlchemy's key
#: of it were 1.5-2.5 ms of every page, a third of a light one).
_BUILT: OrderedDict[tuple, _Built] = OrderedDict()
BUILT_KEPT = 128  #: statements kept per process (about 100 KB each)
_BUILT_LOCK = Lock()  # the background count's thread shares the process


@dataclass(frozen=True)
class Figures:
    unread: int  #: her unread notifications, a deputy's with her principals'
    has_jobs: bool  #: she has started a job (the link «Задания»)
    groups: dict[str, int]  #: what waits in each of the inbox's groups (tasks.ENTITY's keys)

    @property
    def tasks(self) -> int:
        """What waits for the user in all (tasks.total)."""
        return sum(self.groups.values())


def figures(user: User) -> Figures:
    """The three figures, computed per request (each changes with anyone's action) as one statement of scalar
    subqueries: asked by three, they were three round trips on every page. The tasks are counted per group, so
    the inbox asks only its groups that hold something."""
    statement = _statement(user)
    if isinstance(statement, str):  # PostgreSQL: its values written in (`_written`)
        unread, has_jobs, *counted = db.session.connection().exec_driver_sql(statement).one()
    else:
        unread, has_jobs, *counted = db.session.execute(statement).one()
    return Figures(unread, bool(has_jobs), dict(zip(tasks.ENTITY, counted, strict=True)))


def _inputs(people: list[User]) -> tuple:
    """What the statement is built from, but for the bodies: the database's dialect, the workflows, the day (whom
    a deputy stands in for), and the id and roles of the user and of each colleague she stands in for. The bodies
    it holds (scopes) are those its building asked (`_Built.scopes`)."""
    return (db.engine.dialect.name, id(registry()), clock.today(),
            tuple((person.id, frozenset(person.roles)) for person in people))


@dataclass(frozen=True)
class _Built:
    statement: Select | str  #: a string: its SQL with the values written in (`_written`)
    scopes: tuple[tuple[Callable[[User], Any], int, Any], ...]  #: (scope function, user id, its answer then)
    registry: Registry  #: held, so that its id in the key is no other registry's while this is kept

    def holds_for(self, people: dict[int, User]) -> bool:
        """Whether each scope the statement was built with is the same now (a body joined or left, the tree
        changed: built again)."""
        return all(_frozen(function(people[user_id])) == value for function, user_id, value in self.scopes)


def _frozen(ids: set[int] | None) -> frozenset[int] | None:
    return None if ids is None else frozenset(ids)


def _written(statement: Select) -> Select | str:
    """On PostgreSQL, the statement's SQL with its values written in (ids, and the names of states and statuses the
    service's own code gives: nothing a user typed). A prepared statement without parameters keeps its one plan:
    psycopg prepares a statement run five times on a connection, and with the user's ids as parameters PostgreSQL
    planned the menu's seven counts again on every page (custom plans: 1.2-2.5 ms of planning for 0.2 ms of
    execution at 1M). Elsewhere, or for a value with no literal form, the statement itself."""
    if db.engine.dialect.name != "postgresql":
        return statement
    try:
        written = str(statement.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}))
    except (CompileError, NotImplementedError):
        return statement
    return statement if "%" in written else written  # run without parameters, the driver reads % as it is


def _statement(user: User) -> Select | str:
    people = {person.id: person for person in acting_for(user)}
    key = _inputs(list(people.values()))
    with _BUILT_LOCK:
        built = _BUILT.get(key)
    if built is not None and built.holds_for(people):
        with _BUILT_LOCK:
            if key in _BUILT:
                _BUILT.move_to_end(key)
        return built.statement
    with recording_scopes() as asked:
        statement = _written(select(notifications.unread_count(list(people)), jobs.any_of(user), *tasks.counts(user)))
    scopes = tuple((function, user_id, _frozen(function(people[user_id])))
                   for function, user_id in dict.fromkeys(asked))
    with _BUILT_LOCK:
        _BUILT[key] = _Built(statement, scopes, registry())
        while len(_BUILT) > BUILT_KEPT:
            _BUILT.popitem(last=False)
    return statement
