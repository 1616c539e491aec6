"""People and organisations: User, Body (орган), membership and roles."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    event,
    exists,
    func,
    select,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, validates

from webapp.extensions import db
from webapp.models._types import enum_check
from webapp.models.files import StoredFile
from webapp.ru.collation import sort_text


class Role(enum.StrEnum):
    secretary = "secretary"  #: drafts protocols and other documents
    head = "head"  #: signs orders, chairs meetings
    approver = "approver"  #: approves drafts on an approval route
    executor = "executor"  #: member of a responsible body, reports on assignments
    controller = "controller"  #: accepts or returns execution reports
    auditor = "auditor"  #: reviews everything, changes nothing
    admin = "admin"  #: manages users, bodies, templates


ROLE_TITLES = {
    Role.secretary: "Секретарь",
    Role.head: "Руководитель",
    Role.approver: "Согласующий",
    Role.executor: "Исполнитель",
    Role.controller: "Контролёр",
    Role.auditor: "Аудитор",
    Role.admin: "Администратор",
}


#: Body.sort_key's type: byte order on PostgreSQL too (the database's locale would order «№» and spaces its own way)
SORT_KEY = String(600).with_variant(String(600, collation="C"), "postgresql")

_SUBTREE = "_subtree_ids"  # not a column: Body.subtree_ids' answer, on the instance
_REACH = "_reach_ids"  # not a column: User.reach_ids' answer, on the instance
_WHOLE = "_reaches_every_body"  # not a column: User.reaches_every_body's answer, on the instance
_EVERY = "_covers_every_body"  # not a column: Body.covers_every_body's answer, on the instance


@event.listens_for(Session, "after_flush")
def _forget_bodies_below(session: Session, _context) -> None:
    """A body added, moved or removed, or a membership: every body's subtree and every user's reach known to the
    session may have changed."""
    if any(isinstance(obj, Body | Membership) for obj in [*session.new, *session.dirty, *session.deleted]):
        for obj in list(session.identity_map.values()):
            for kept in (_SUBTREE, _REACH, _WHOLE, _EVERY):
                obj.__dict__.pop(kept, None)


class Body(db.Model):
    """An organisation, department or group of bodies that documents address."""

    __tablename__ = "body"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(500), unique=True)  # nominative
    #: The name as the directory sorts it, numbers by value (ru.collation.sort_text; set with the name), compared
    #: byte by byte on both engines (migration 0039).
    sort_key: Mapped[str | None] = mapped_column(SORT_KEY)
    short_name: Mapped[str | None] = mapped_column(String(200))
    dative: Mapped[str | None] = mapped_column(String(500))  # «Министерству ...» for rendering
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("body.id", ondelete="SET NULL"))
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Requisites printed on the body's letterhead (GOST R 7.0.97: the names of the bodies above it, its own full
    # name, a second-language column where the region has one, the place of issue, the address block of letters).
    letterhead_above: Mapped[list[str]] = mapped_column(JSON, default=list)  # higher bodies, one line each
    name_alt: Mapped[str | None] = mapped_column(Text)  # the name in the region's second language
    letterhead_above_alt: Mapped[list[str]] = mapped_column(JSON, default=list)  # higher bodies, second language
    place: Mapped[str | None] = mapped_column(String(200))  # place of issue: «г. Ханты-Мансийск»
    address: Mapped[list[str]] = mapped_column(JSON, default=list)  # postal address, phone, e-mail lines
    #: The line before an order's points per document type, when the body's differs from the default:
    #: {"order": "ПОСТАНОВЛЯЮ:"}.
    formulas: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    #: The head (руководитель) whose name the body's letters and the directory show.
    head_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    #: Closed (or merged into another): not offered in forms any more; documents and history keep naming it.
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: The emblem or coat of arms (герб, эмблема) printed centred above the name on the letterhead: a PNG or
    #: JPEG kept among the stored files (GOST R 7.0.97, requisites 01 and 02).
    emblem_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id", ondelete="SET NULL"))

    parent: Mapped[Body | None] = relationship(remote_side=[id], back_populates="children")
    head: Mapped[User | None] = relationship(foreign_keys=[head_id])
    emblem_file: Mapped[StoredFile | None] = relationship()
    children: Mapped[list[Body]] = relationship(back_populates="parent")
    memberships: Mapped[list[Membership]] = relationship(back_populates="body", cascade="all, delete-orphan")

    @hybrid_property
    def display_name(self) -> str:
        return self.short_name or self.name

    @display_name.inplace.expression
    @classmethod
    def _display_name_expression(cls):
        return func.coalesce(func.nullif(cls.short_name, ""), cls.name)  # an empty short name counts as none

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @validates("name")
    def _keep_sort_key(self, _key: str, name: str) -> str:
        self.sort_key = sort_text(name)
        return name

    def matches(self, name: str) -> bool:
        """Whether a name found in a text denotes this body."""
        wanted = _normal(name)
        return any(_normal(candidate) == wanted for candidate in [self.name, self.short_name, *self.aliases]
                   if candidate)

    def subtree_ids(self) -> set[int]:
        """This body and every body below it: one recursive query, not one per body of the tree; kept on the
        instance for the rest of its session (a request) until a body of the session is changed."""
        if self.id is None:
            return {child_id for child in self.children for child_id in child.subtree_ids()} | {None}
        cached = self.__dict__.get(_SUBTREE)
        if cached is None or _EVERY not in self.__dict__:
            # with the directory's size in the same statement, for covers_every_body (no statement of its own)
            tree = _tree(select(Body.id).where(Body.id == self.id), "subtree")
            rows = db.session.execute(select(tree.c[0], select(func.count()).select_from(Body).scalar_subquery())).all()
            cached = self.__dict__[_SUBTREE] = frozenset(row[0] for row in rows)
            self.__dict__[_EVERY] = bool(rows) and len(cached) == rows[0][1]
        return set(cached)

    def covers_every_body(self) -> bool:
        """Whether this body's subtree is the whole directory: the top body of a tree with one top (a region's
        ministry). Read and kept with subtree_ids."""
        if self.id is None:
            return False
        self.subtree_ids()
        return self.__dict__[_EVERY]

    def __repr__(self) -> str:
        return f"<Body {self.id} {self.display_name!r}>"


def _tree(bodies, name: str):
    """The bodies `bodies` (a select of body ids) selects and every body below them, as a recursive CTE named `name`
    (its one column the body's id; each body once: a member of a department and of its school reaches the school
    once), for a statement that reads more beside it (the directory's size: Body.subtree_ids, User.reach_ids)."""
    tree = bodies.cte(name, recursive=True)
    return tree.union(select(Body.id).where(Body.parent_id == tree.c[0]))


def _normal(name: str) -> str:
    return " ".join(name.replace("«", '"').replace("»", '"').replace("ё", "е").lower().split())


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    position: Mapped[str | None] = mapped_column(String(300))  # должность
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(60))  # printed in the отметка об исполнителе
    password_hash: Mapped[str] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    role_rows: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", back_populates="user")
    memberships: Mapped[list[Membership]] = relationship(back_populates="user", cascade="all, delete-orphan")

    #: The token of the session this object was loaded for; never stored (services/sessions.py keeps its hash).
    session_token = None
    #: Whose rights the last check of this request let the user act with, when not their own (a deputy acting
    #: for an absent colleague: policy.ensure sets it, the audit records it). Never stored on this row.
    acting_as = None

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        """What Flask-Login keeps in the cookies: the user and the session, so ending the session ends them."""
        return f"{self.id}:{self.session_token}"

    @property
    def roles(self) -> set[Role]:
        return {Role(row.role) for row in self.role_rows}

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))

    @property
    def role_titles(self) -> list[str]:
        return [ROLE_TITLES[role] for role in Role if role in self.roles]

    @property
    def bodies(self) -> list[Body]:
        return [m.body for m in self.memberships]

    def reach_ids(self) -> frozenset[int]:
        """The bodies she belongs to and every body below them (none: she belongs to no body), in one recursive
        query seeded with her memberships — her memberships, their bodies and each one's subtree were a statement
        each, on every page of a member of a body (the menu asks her scope); kept on the instance for the rest of
        its session (a request) until a change of a body or a membership is flushed (as any query flushes it)."""
        cached = self.__dict__.get(_REACH)
        if cached is None or _WHOLE not in self.__dict__:
            # with the directory's size in the same statement, for reaches_every_body (no statement of its own)
            tree = _tree(select(Membership.body_id).where(Membership.user_id == self.id), "reach")
            rows = db.session.execute(select(tree.c[0], select(func.count()).select_from(Body).scalar_subquery())).all()
            cached = self.__dict__[_REACH] = frozenset(row[0] for row in rows)
            self.__dict__[_WHOLE] = bool(rows) and len(cached) == rows[0][1]
        return cached

    def reaches_every_body(self) -> bool:
        """Whether her reach (reach_ids) is the whole directory: she belongs to the top body of a tree with one top
        (a ministry's staff, whose ministry every body of the region is under). Every body is below a top body (one
        of no parent), so she reaches them all when she belongs to every top body: one statement over the top
        bodies, unless reach_ids read it already. Reading her whole reach to know it took 9 ms of each search of a
        ministry's auditor at 1,000,000 assignments (5,000 bodies read); kept as reach_ids keeps its answer."""
        whole = self.__dict__.get(_WHOLE)
        if whole is None:
            tops = select(Body.id).where(Body.parent_id.is_(None))
            apart = tops.where(~exists().where(Membership.user_id == self.id, Membership.body_id == Body.id))
            whole = self.__dict__[_WHOLE] = bool(db.session.scalar(select(exists(tops) & ~exists(apart))))
        return whole

    def __repr__(self) -> str:
        return f"<User {self.login}>"


class UserRole(db.Model):
    __tablename__ = "user_role"
    __table_args__ = (enum_check("role", Role),)

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_rows")


class Membership(db.Model):
    """A user belongs to a body: they see and report on its assignments."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "body_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    body_id: Mapped[int] = mapped_column(ForeignKey("body.id", ondelete="CASCADE"))
    position: Mapped[str | None] = mapped_column(String(300))  # должность in this body, when not the user's main one

    user: Mapped[User] = relationship(back_populates="memberships")
    body: Mapped[Body] = relationship(back_populates="memberships")


class Deputy(db.Model):
    """Замещение: `deputy` acts for `principal` from `starts_on` to `ends_on` inclusive (the organisation's days):
    sees her tasks and notifications and may take her actions, recorded as «deputy за principal»."""

    __tablename__ = "deputy"

    id: Mapped[int] = mapped_column(primary_key=True)
    deputy_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    principal_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # ended early: applies no more

    deputy: Mapped[User] = relationship(foreign_keys=[deputy_id])
    principal: Mapped[User] = relationship(foreign_keys=[principal_id])


class Invitation(db.Model):
    """A one-time link that lets a new user set her password; only the token's SHA-256 is stored."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # or replaced by a newer link

    user: Mapped[User] = relationship()
